import { useEffect, useRef, useState } from 'react';
import { ClusterList } from './ClusterList';
import { NewClusterForm } from './NewClusterForm';
import { TrashList } from './TrashList';
import { useWorkspace } from './workspace-store';

/** Header menu: new (empty or from a template), open, rename, delete, restore what was deleted. */
export function ClustersMenu() {
  const [open, setOpen] = useState(false);
  const folder = useWorkspace((s) => s.folder);
  const error = useWorkspace((s) => s.error);
  const ref = useRef<HTMLDivElement>(null);
  const opener = useRef<HTMLButtonElement>(null);

  useEffect(() => {
    if (!open) return;
    void useWorkspace.getState().refresh();
    const close = (e: MouseEvent) => {
      if (ref.current && !ref.current.contains(e.target as Node)) setOpen(false);
    };
    // Esc hands focus back to the button, so the keyboard user is where they were.
    const escape = (e: KeyboardEvent) => {
      if (e.key !== 'Escape') return;
      setOpen(false);
      opener.current?.focus();
    };
    document.addEventListener('mousedown', close);
    document.addEventListener('keydown', escape);
    return () => {
      document.removeEventListener('mousedown', close);
      document.removeEventListener('keydown', escape);
    };
  }, [open]);

  return (
    <div className="menu" ref={ref}>
      <button
        ref={opener}
        type="button"
        aria-expanded={open}
        aria-haspopup="dialog"
        onClick={() => setOpen(!open)}
        data-testid="clusters-menu"
      >
        Clusters ▾
      </button>
      {open && (
        <div className="menu-popover" role="dialog" aria-label="Clusters" data-trash-home tabIndex={-1}>
          <h2>New cluster</h2>
          <NewClusterForm onDone={() => setOpen(false)} />
          <h2>Open</h2>
          <ClusterList onOpened={() => setOpen(false)} />
          <TrashList />
          {error && (
            <p className="error-text" role="alert">
              {error}
            </p>
          )}
          <p className="muted menu-folder">Folder: {folder}</p>
        </div>
      )}
    </div>
  );
}
