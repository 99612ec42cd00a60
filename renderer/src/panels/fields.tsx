import { type ReactNode, useEffect, useId, useState } from 'react';

/**
 * Labelled inputs for the property panel. Every input sits inside its <label>, so the
 * label names it for screen readers and for tests (getByLabel).
 */

export function Field({ label, children, hint }: { label: string; children: ReactNode; hint?: ReactNode }) {
  // The hint sits outside the <label> so it does not become part of the input's name.
  return (
    <div className="field">
      <label className="field">
        <span className="field-label">{label}</span>
        {children}
      </label>
      {hint && <span className="field-hint">{hint}</span>}
    </div>
  );
}

export function TextField(props: {
  label: string;
  value: string | undefined;
  onChange: (value: string) => void;
  placeholder?: string;
  hint?: ReactNode;
  testId?: string;
  /** The validation's error about this field, shown under it (the value is kept as typed). */
  error?: string;
}) {
  const errorId = useId();
  return (
    <Field
      label={props.label}
      hint={
        props.error ? (
          <span className="error-text" id={errorId} role="alert">
            {props.error}
          </span>
        ) : (
          props.hint
        )
      }
    >
      <input
        type="text"
        value={props.value ?? ''}
        placeholder={props.placeholder}
        onChange={(e) => props.onChange(e.target.value)}
        data-testid={props.testId}
        spellCheck={false}
        aria-invalid={props.error ? true : undefined}
        aria-describedby={props.error ? errorId : undefined}
      />
    </Field>
  );
}

/** A number kept as text while typing; the model only gets whole numbers in range. */
export function NumberField(props: {
  label: string;
  value: number;
  min: number;
  max: number;
  onChange: (value: number) => void;
}) {
  const [text, setText] = useState(String(props.value));
  useEffect(() => setText(String(props.value)), [props.value]);
  const n = Number(text);
  const valid = text.trim() !== '' && Number.isInteger(n) && n >= props.min && n <= props.max;
  return (
    <Field
      label={props.label}
      hint={valid ? undefined : <span className="error-text">{`${props.min}–${props.max}`}</span>}
    >
      <input
        type="text"
        inputMode="numeric"
        value={text}
        aria-invalid={!valid}
        onChange={(e) => {
          setText(e.target.value);
          const v = Number(e.target.value);
          if (e.target.value.trim() !== '' && Number.isInteger(v) && v >= props.min && v <= props.max)
            props.onChange(v);
        }}
      />
    </Field>
  );
}

export function SelectField<T extends string>(props: {
  label: string;
  value: T;
  options: readonly (T | { value: T; label: string })[];
  onChange: (value: T) => void;
  hint?: ReactNode;
}) {
  return (
    <Field label={props.label} hint={props.hint}>
      <select value={props.value} onChange={(e) => props.onChange(e.target.value as T)}>
        {props.options.map((o) => {
          const { value, label } = typeof o === 'string' ? { value: o, label: o } : o;
          return (
            <option key={value} value={value}>
              {label}
            </option>
          );
        })}
      </select>
    </Field>
  );
}

export function CheckField(props: {
  label: string;
  checked: boolean;
  disabled?: boolean;
  onChange: (v: boolean) => void;
}) {
  return (
    <label className="check-field">
      <input
        type="checkbox"
        checked={props.checked}
        disabled={props.disabled}
        onChange={(e) => props.onChange(e.target.checked)}
      />
      {props.label}
    </label>
  );
}

/**
 * Text edited freely and committed on blur or Enter through `parse`, which returns the value
 * or an error message; a bad entry stays on screen with its error and changes nothing.
 */
export function CommitField<T>(props: {
  label: string;
  value: string;
  parse: (text: string) => { ok: true; value: T } | { ok: false; error: string };
  onCommit: (value: T) => void;
  multiline?: boolean;
  placeholder?: string;
  hint?: ReactNode;
}) {
  const [text, setText] = useState(props.value);
  const [error, setError] = useState<string | null>(null);
  const errorId = useId();
  useEffect(() => {
    setText(props.value);
    setError(null);
  }, [props.value]);
  const commit = () => {
    if (text === props.value) return setError(null);
    const result = props.parse(text);
    if (!result.ok) return setError(result.error);
    setError(null);
    props.onCommit(result.value);
  };
  const common = {
    value: text,
    placeholder: props.placeholder,
    'aria-invalid': error !== null,
    'aria-describedby': error ? errorId : undefined,
    spellCheck: false,
    onBlur: commit,
  };
  return (
    <Field
      label={props.label}
      hint={
        error ? (
          <span className="error-text" id={errorId} role="alert">
            {error}
          </span>
        ) : (
          props.hint
        )
      }
    >
      {props.multiline ? (
        <textarea rows={3} {...common} onChange={(e) => setText(e.target.value)} />
      ) : (
        <input
          type="text"
          {...common}
          onChange={(e) => setText(e.target.value)}
          onKeyDown={(e) => {
            if (e.key === 'Enter') commit();
            if (e.key === 'Escape') setText(props.value);
          }}
        />
      )}
    </Field>
  );
}
