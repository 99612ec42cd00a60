import { useState } from 'react';
import type { ClusterEntry } from '../../../shared/contract/workspace';
import { clusterIdFor } from '../../../shared/model/cluster-name';
import { ClusterNameField, nameReady } from './ClusterNameField';
import { useWorkspace } from './workspace-store';

function Row({ entry, current, onOpened }: { entry: ClusterEntry; current: boolean; onOpened?: () => void }) {
  const { openCluster, renameCluster, deleteCluster } = useWorkspace.getState();
  const [mode, setMode] = useState<'view' | 'rename' | 'delete'>('view');
  const [newName, setNewName] = useState(entry.name);
  const [refused, setRefused] = useState<string | null>(null);
  // A file named by hand (or before names and files agreed): its file name is said too.
  const fileDiffers = clusterIdFor(entry.name) !== entry.id;

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
          {entry.name}
          {fileDiffers && <span className="muted"> (file {entry.id}.keelson.yaml)</span>}
        </button>
        <span className="spacer" />
        {mode === 'view' && (
          <>
            <button
              type="button"
              onClick={() => {
                setNewName(entry.name);
                setRefused(null);
                setMode('rename');
              }}
              aria-label={`Rename ${entry.name}`}
            >
              Rename
            </button>
            <button type="button" onClick={() => setMode('delete')} aria-label={`Delete ${entry.name}`}>
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
            if (!nameReady(newName)) return;
            void renameCluster(entry.id, newName.trim()).then((why) => {
              setRefused(why);
              if (why === null) setMode('view');
            });
          }}
        >
          <ClusterNameField
            label="New name"
            value={newName}
            refused={refused}
            autoFocus
            onChange={(v) => {
              setNewName(v);
              setRefused(null);
            }}
          />
          <button type="submit" disabled={!nameReady(newName)}>
            Save name
          </button>
          <button type="button" onClick={() => setMode('view')}>
            Cancel
          </button>
        </form>
      )}
      {mode === 'delete' && (
        <div className="inline-form">
          <span>Delete {entry.name}? It can be restored from Recently deleted.</span>
          <button type="button" className="danger" onClick={() => void deleteCluster(entry.id)}>
            Move to trash
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
