import { useWorkspace } from './workspace-store';

/** Autosave state in the header; a failed save says why and that the file on disk is unchanged. */
export function SaveStatus() {
  const save = useWorkspace((s) => s.save);
  const currentId = useWorkspace((s) => s.currentId);
  if (!currentId) return null;
  switch (save.state) {
    case 'idle':
      return <span className="save-status muted" data-testid="save-status" />;
    case 'saving':
      return (
        <span className="save-status muted" data-testid="save-status">
          Saving…
        </span>
      );
    case 'saved':
      return (
        <span className="save-status muted" data-testid="save-status" data-state="saved">
          Saved {new Date(save.at).toLocaleTimeString()}
        </span>
      );
    case 'conflict':
      return (
        <span className="save-status error-text" data-testid="save-status" data-state="conflict">
          Not saved: the file changed elsewhere
        </span>
      );
    case 'failed':
      return (
        <span
          className="save-status error-text"
          data-testid="save-status"
          data-state="failed"
          title={save.error}
        >
          Not saved: {save.error}
        </span>
      );
  }
}
