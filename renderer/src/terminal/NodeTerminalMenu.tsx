import { useEffect } from 'react';
import { NodeActions } from '../deploy/NodeActions';
import { useDesign } from '../store/design';
import { openHostTerminal } from './terminals';

/** Opens a terminal to the design's host `name`, if it has an address to reach. */
export function openTerminalToHost(name: string): void {
  const hosts = useDesign.getState().history?.present.spec.hosts ?? [];
  const host = hosts.find((h) => h.name === name);
  if (host?.address) openHostTerminal(host, hosts);
}

export interface NodeMenuAt {
  x: number;
  y: number;
  host: string;
}

/** A node's right-click menu (screen coordinates); closes on any click elsewhere or Escape. */
export function NodeTerminalMenu({ at, onClose }: { at: NodeMenuAt; onClose: () => void }) {
  const host = useDesign((s) => s.history?.present.spec.hosts.find((h) => h.name === at.host));
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => e.key === 'Escape' && onClose();
    window.addEventListener('keydown', onKey);
    window.addEventListener('mousedown', onClose);
    return () => {
      window.removeEventListener('keydown', onKey);
      window.removeEventListener('mousedown', onClose);
    };
  }, [onClose]);
  if (!host) return null;
  return (
    <div
      className="node-menu"
      role="menu"
      style={{ position: 'fixed', left: at.x, top: at.y, zIndex: 50 }}
      onMouseDown={(e) => e.stopPropagation()}
      data-testid="node-menu"
    >
      <button
        type="button"
        role="menuitem"
        disabled={!host.address}
        title={host.address ? `ssh ${host.ssh.user}@${host.address}` : 'This host has no address yet'}
        onClick={() => {
          onClose();
          openTerminalToHost(host.name);
        }}
      >
        Open terminal
      </button>
      <NodeActions host={host} role="menuitem" onPicked={onClose} />
    </div>
  );
}
