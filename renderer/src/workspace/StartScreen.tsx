import { ClusterList } from './ClusterList';
import { NewClusterForm } from './NewClusterForm';
import { TrashList } from './TrashList';
import { useWorkspace } from './workspace-store';

/** Shown in place of the canvas when no cluster is open. */
export function StartScreen() {
  const openError = useWorkspace((s) => s.openError);
  const error = useWorkspace((s) => s.error);
  const folder = useWorkspace((s) => s.folder);
  return (
    <div className="start-screen" data-testid="start-screen" data-trash-home tabIndex={-1}>
      {openError && (
        <div className="open-error" role="alert" data-testid="open-error">
          <strong>{openError.id}.keelson.yaml cannot be opened.</strong>
          <pre>{openError.message}</pre>
          <p>
            Keelson left the file untouched. Fix it in an editor and open it again, or rename or delete it.
          </p>
        </div>
      )}
      <section>
        <h2>New cluster</h2>
        <NewClusterForm />
      </section>
      <section>
        <h2>Open a cluster</h2>
        <ClusterList />
        {folder && <p className="muted">Workspace folder: {folder}</p>}
      </section>
      <TrashList />
      {error && (
        <p className="error-text" role="alert">
          {error}
        </p>
      )}
    </div>
  );
}
