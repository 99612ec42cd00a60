import type { Host } from '../../../shared/model/cluster';
import { useDeploy } from './deploy-store';

const ACTIONS = [
  ['cordon', 'Cordon'],
  ['uncordon', 'Uncordon'],
  ['drain', 'Drain…'],
  ['delete', 'Delete node…'],
] as const;

/**
 * Day-2 actions on a node of the deployed cluster (none for a host only drawn on the canvas, or
 * for load balancer, etcd and bastion hosts). Each opens the confirm dialog; nothing runs before it.
 */
export function NodeActions({
  host,
  role,
  onPicked,
}: {
  host: Host;
  role?: 'menuitem';
  onPicked?: () => void;
}) {
  const deployed = useDeploy((s) => s.readiness?.deployed?.hosts.some((h) => h.name === host.name) ?? false);
  const running = useDeploy((s) => s.running);
  if (!deployed || !host.roles.some((r) => r === 'control-plane' || r === 'worker')) return null;
  return (
    <>
      {ACTIONS.map(([action, label]) => (
        <button
          key={action}
          type="button"
          role={role}
          disabled={running}
          title={running ? 'A run of this cluster is going' : undefined}
          data-testid={`node-action-${action}`}
          onClick={() => {
            onPicked?.();
            void useDeploy.getState().askNodeAction({ action, node: host.name });
          }}
        >
          {label}
        </button>
      ))}
    </>
  );
}
