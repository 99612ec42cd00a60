import { useDeploy } from './deploy-store';
import { ModalForm } from '../panels/ModalForm';

const TITLES = {
  cordon: 'Cordon',
  uncordon: 'Uncordon',
  drain: 'Drain',
  delete: 'Delete node',
} as const;

/**
 * Confirms a day-2 node operation: main's own explanation of each part, its warnings, or why it is
 * refused (the etcd quorum guard) — nothing runs until Run is pressed. Drain and delete offer the
 * emptyDir confirm; delete offers "the host is gone", which touches nothing on it.
 */
export function NodeActionDialog() {
  const { nodeAction, closeNodeAction, askNodeAction, runNodeAction } = useDeploy();
  if (!nodeAction) return null;
  const { op, plan, error } = nodeAction;
  const toggle = (key: 'dead' | 'deleteEmptyDirData') => void askNodeAction({ ...op, [key]: !op[key] });
  return (
    <ModalForm
      titleId="node-action-title"
      className="node-action"
      testId="node-action"
      onSubmit={() => plan && !plan.refused && void runNodeAction(op)}
      onEscape={closeNodeAction}
    >
      <h3 id="node-action-title">
        {TITLES[op.action]} {op.node}
      </h3>
      {(op.action === 'drain' || op.action === 'delete') && (
        <label className="check-row">
          <input
            type="checkbox"
            checked={op.deleteEmptyDirData === true}
            onChange={() => toggle('deleteEmptyDirData')}
            data-testid="node-action-emptydir"
          />
          Also evict pods with emptyDir volumes (their data is lost)
        </label>
      )}
      {op.action === 'delete' && (
        <label className="check-row">
          <input
            type="checkbox"
            checked={op.dead === true}
            onChange={() => toggle('dead')}
            data-testid="node-action-dead"
          />
          The host is gone (no SSH): remove it without touching it
        </label>
      )}
      {!plan && !error && <p className="muted">Working out what it would do…</p>}
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      {plan?.refused && (
        <p className="error" role="alert" data-testid="node-action-refused">
          {plan.refused}
        </p>
      )}
      {plan && !plan.refused && (
        <>
          <ol className="node-action-steps" data-testid="node-action-explanation">
            {plan.explanation.map((line) => (
              <li key={line}>{line}</li>
            ))}
          </ol>
          {plan.warnings.map((w) => (
            <p key={w} className="warning" data-testid="node-action-warning">
              {w}
            </p>
          ))}
          <p className="muted">
            {plan.steps.length} steps on {new Set(plan.steps.map((s) => s.host)).size} hosts; progress and
            logs in the Deploy panel.
          </p>
        </>
      )}
      <div className="modal-actions">
        <button type="button" onClick={closeNodeAction}>
          Cancel
        </button>
        <button type="submit" disabled={!plan || plan.refused !== null} data-testid="node-action-run">
          Run
        </button>
      </div>
    </ModalForm>
  );
}
