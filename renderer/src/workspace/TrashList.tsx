import { useWorkspace } from './workspace-store';

/** "Recently deleted": clusters in the workspace's .trash/, each with Restore. Hidden when empty. */
export function TrashList() {
  const trash = useWorkspace((s) => s.trash);
  const restore = useWorkspace((s) => s.restoreCluster);
  if (trash.length === 0) return null;
  return (
    <section data-testid="trash">
      <h2>Recently deleted</h2>
      <ul className="cluster-list">
        {trash.map((t) => (
          <li key={t.trashId} className="cluster-row" data-testid={`trash-${t.id}`}>
            <div className="cluster-row-main">
              <span>
                {t.name}{' '}
                <span className="muted">
                  deleted {new Date(t.deletedAt).toLocaleString()}
                  {t.hasDeployState ? ', with its deploy state' : ''}
                </span>
              </span>
              <span className="spacer" />
              <button type="button" onClick={() => void restore(t.trashId)} aria-label={`Restore ${t.name}`}>
                Restore
              </button>
            </div>
          </li>
        ))}
      </ul>
    </section>
  );
}
