import { useId } from 'react';
import { clusterIdFor, clusterNameProblem } from '../../../shared/model/cluster-name';

/**
 * The one field a cluster's name is typed into (new cluster, rename): the shared rules say
 * what is wrong as the user types, and the hint shows the file the name gives, so nobody is
 * surprised that "Prod East" is prod-east.keelson.yaml. `refused` is the service's reason
 * (e.g. the name is taken), shown at the same place.
 */
export function ClusterNameField({
  label,
  value,
  onChange,
  refused,
  autoFocus,
}: {
  label: string;
  value: string;
  onChange: (value: string) => void;
  refused?: string | null;
  autoFocus?: boolean;
}) {
  const messageId = useId();
  const problem = value === '' ? undefined : clusterNameProblem(value.trim());
  const error = problem ?? refused ?? undefined;
  return (
    <div className="field">
      <label className="field">
        <span className="field-label">{label}</span>
        <input
          value={value}
          onChange={(e) => onChange(e.target.value)}
          placeholder="Prod East"
          aria-invalid={error !== undefined}
          aria-describedby={messageId}
          autoFocus={autoFocus}
        />
      </label>
      {error ? (
        <span className="error-text" id={messageId} role="alert" data-testid="cluster-name-error">
          {error}
        </span>
      ) : (
        <span className="field-hint" id={messageId}>
          {value.trim() ? `File: ${clusterIdFor(value.trim())}.keelson.yaml` : ' '}
        </span>
      )}
    </div>
  );
}

/** Whether `value` (as the field trims it) can be sent. */
export function nameReady(value: string): boolean {
  return value.trim() !== '' && clusterNameProblem(value.trim()) === undefined;
}
