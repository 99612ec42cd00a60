import { useState } from 'react';
import { useWorkspace } from './workspace-store';

/**
 * The file of the open cluster changed under this window — another window or tab saved it, or
 * someone edited it in an editor — so the last save was refused and nothing was written. Shows
 * what differs and lets the user choose: Reload (take the file's version, drop this window's
 * changes) or Keep mine (save this window's version over it; the file's version stays in the
 * cluster's backups). Until then autosave waits; the changes are also kept as a local draft.
 */
export function SaveConflict() {
  const conflict = useWorkspace((s) => s.conflict);
  const [busy, setBusy] = useState(false);
  if (!conflict) return null;
  const deleted = conflict.version === null;
  const choose = async (choice: 'reload' | 'keep-mine') => {
    setBusy(true);
    try {
      await useWorkspace.getState().resolveConflict(choice);
    } finally {
      setBusy(false);
    }
  };
  return (
    <div
      className="save-conflict"
      role="alertdialog"
      aria-label="Changed elsewhere"
      data-testid="save-conflict"
    >
      <p>
        <strong>
          {deleted
            ? `${conflict.id}.keelson.yaml was deleted elsewhere.`
            : `${conflict.id}.keelson.yaml was changed elsewhere — in another window or tab, or in an editor.`}
        </strong>{' '}
        Your last changes are not saved yet.
      </p>
      {conflict.note && <p className="muted">{conflict.note}</p>}
      {conflict.differences.length > 0 && (
        <table className="save-conflict-diff" data-testid="save-conflict-differences">
          <thead>
            <tr>
              <th scope="col">What</th>
              <th scope="col">In the file</th>
              <th scope="col">Yours</th>
            </tr>
          </thead>
          <tbody>
            {conflict.differences.map((d) => (
              <tr key={d.what}>
                <td>{d.what}</td>
                <td className="save-conflict-value">{d.theirs ?? '—'}</td>
                <td className="save-conflict-value">{d.mine ?? '—'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {!deleted && conflict.theirs && conflict.differences.length === 0 && (
        <p className="muted">The file now holds the same design as this window.</p>
      )}
      <div className="save-conflict-actions">
        <button type="button" disabled={busy} onClick={() => void choose('reload')}>
          {deleted || !conflict.theirs ? 'Close it' : 'Reload theirs'}
        </button>
        <button type="button" disabled={busy} onClick={() => void choose('keep-mine')}>
          {deleted ? 'Save mine again' : 'Keep mine'}
        </button>
      </div>
    </div>
  );
}
