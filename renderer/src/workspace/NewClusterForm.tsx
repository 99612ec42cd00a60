import { type FormEvent, useState } from 'react';
import { ClusterNameField, nameReady } from './ClusterNameField';
import { useWorkspace } from './workspace-store';

/** Name + starting point (empty or a template from workspace.templates). */
export function NewClusterForm({ onDone }: { onDone?: () => void }) {
  const templates = useWorkspace((s) => s.templates);
  const createCluster = useWorkspace((s) => s.createCluster);
  const [name, setName] = useState('');
  const [refused, setRefused] = useState<string | null>(null);
  const [templateId, setTemplateId] = useState('');
  const [busy, setBusy] = useState(false);
  const chosen = templates.find((t) => t.id === templateId);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (!nameReady(name)) return;
    setBusy(true);
    const why = await createCluster(name.trim(), templateId || undefined);
    setBusy(false);
    setRefused(why);
    if (why === null) {
      setName('');
      onDone?.();
    }
  };

  return (
    <form className="new-cluster" onSubmit={(e) => void submit(e)} data-testid="new-cluster-form">
      <ClusterNameField
        label="Cluster name"
        value={name}
        refused={refused}
        onChange={(v) => {
          setName(v);
          setRefused(null);
        }}
      />
      <label className="field">
        <span className="field-label">Start from</span>
        <select value={templateId} onChange={(e) => setTemplateId(e.target.value)}>
          <option value="">Empty cluster</option>
          {templates
            .filter((t) => t.id !== 'empty')
            .map((t) => (
              <option key={t.id} value={t.id}>
                {t.name}
              </option>
            ))}
        </select>
        {chosen && <span className="field-hint">{chosen.description}</span>}
      </label>
      <button type="submit" disabled={busy || !nameReady(name)}>
        Create cluster
      </button>
    </form>
  );
}
