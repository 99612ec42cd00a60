import { useState } from 'react';
import { useDeploy } from './deploy-store';
import { ModalForm } from '../panels/ModalForm';

/**
 * Asks for the secrets a deploy needs before it starts (SSH passwords, key passphrases, sudo
 * passwords): sent once to main for this run, never kept in the renderer afterwards.
 */
export function SecretsPrompt() {
  const { prompt, closePrompt, deploy, retry, runNodeAction } = useDeploy();
  const [values, setValues] = useState<Record<string, string>>({});
  if (!prompt) return null;
  const complete = prompt.names.every((n) => values[n]);
  const submit = () => {
    const secrets = values;
    setValues({});
    const a = prompt.action;
    if (a === 'start' || a === 'resume') void deploy(a === 'resume', secrets);
    else if ('node' in a) void runNodeAction(a.node, secrets);
    else void retry(a.retry, secrets);
  };
  return (
    <ModalForm titleId="secrets-title" testId="deploy-secrets" onSubmit={() => complete && submit()}>
      <h3 id="secrets-title">Secrets for this deploy</h3>
      <p className="muted">Kept in memory for this run only; never saved, logged or shown again.</p>
      {prompt.names.map((n) => (
        <label key={n}>
          {n}
          <input
            type="password"
            autoComplete="off"
            value={values[n] ?? ''}
            onChange={(e) => setValues({ ...values, [n]: e.target.value })}
            data-testid={`secret-${n}`}
          />
        </label>
      ))}
      <div className="modal-actions">
        <button type="button" onClick={() => (setValues({}), closePrompt())}>
          Cancel
        </button>
        <button type="submit" disabled={!complete} data-testid="secrets-submit">
          Deploy
        </button>
      </div>
    </ModalForm>
  );
}
