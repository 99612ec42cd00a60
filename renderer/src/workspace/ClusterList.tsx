import { useState } from 'react';
import type { ClusterEntry } from '../../../shared/contract/workspace';
import { useWorkspace } from './workspace-store';

const ID = /^[a-z0-9][a-z0-9-]{0,62}$/;

function Row({ entry, current, onOpened }: { entry: ClusterEntry; current: boolean; onOpened?: () => void }) {
  const { openCluster, renameCluster, deleteCluster } = useWorkspace.getState();
  const [mode, setMode] = useState<'view' | 'rename' | 'delete'>('view');
  const [newId, setNewId] = useState(entry.id);
  const idOk = ID.test(newId);

  return (
    <li
      className={`cluster-row${current ? ' is-current' : ''}${entry.error ? ' is-broken' : ''}`}
      data-testid={`cluster-${entry.id}`}
    >
      <div className="cluster-row-main">
        <button
          type="button"
          className="link"
          onClick={() => void openCluster(entry.id).then(() => onOpened?.())}
          title={entry.error ?? `Open ${entry.id}.keelson.yaml`}
        >
          {entry.error ? '⚠ ' : ''}
          {entry.name} <span className="muted">({entry.id})</span>
        </button>
        <span className="spacer" />
        {mode === 'view' && (
          <>
            <button type="button" onClick={() => setMode('rename')} aria-label={`Rename ${entry.id}`}>
              Rename
            </button>
            <button type="button" onClick={() => setMode('delete')} aria-label={`Delete ${entry.id}`}>
              Delete
            </button>
          </>
        )}
      </div>
      {entry.error && <pre className="cluster-error">{entry.error}</pre>}
      {mode === 'rename' && (
        <form
          className="inline-form"
          onSubmit={(e) => {
            e.preventDefault();
            if (idOk) void renameCluster(entry.id, newId).then(() => setMode('view'));
          }}
        >
          <label className="field">
            <span className="field-label">New file name</span>
            <input value={newId} onChange={(e) => setNewId(e.target.value)} aria-invalid={!idOk} autoFocus />
            {!idOk && <span className="error-text">lowercase letters, digits and -</span>}
          </label>
          <button type="submit" disabled={!idOk}>
            Save name
          </button>
          <button type="button" onClick={() => setMode('view')}>
            Cancel
          </button>
        </form>
      )}
      {mode === 'delete' && (
        <div className="inline-form">
          <span>Delete {entry.id}.keelson.yaml?</span>
          <button type="button" className="danger" onClick={() => void deleteCluster(entry.id)}>
            Delete for good
          </button>
          <button type="button" onClick={() => setMode('view')}>
            Keep it
          </button>
        </div>
      )}
    </li>
  );
}

export function ClusterList({ onOpened }: { onOpened?: () => void }) {
  const clusters = useWorkspace((s) => s.clusters);
  const currentId = useWorkspace((s) => s.currentId);
  if (clusters.length === 0) return <p className="muted">No clusters in the workspace yet.</p>;
  return (
    <ul className="cluster-list">
      {clusters.map((c) => (
        <Row key={c.id} entry={c} current={c.id === currentId} onOpened={onOpened} />
      ))}
    </ul>
  );
}
