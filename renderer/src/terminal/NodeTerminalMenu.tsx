import { type KeyboardEvent as ReactKeyboardEvent, useEffect, useRef } from 'react';
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
  /** Where focus goes back to when Esc closes the menu: the node it was opened on. */
  opener?: HTMLElement | null;
}

/** ↑/↓ walk the menu's enabled items, wrapping around, as in any menu. */
function moveFocus(event: ReactKeyboardEvent<HTMLElement>) {
  if (event.key !== 'ArrowDown' && event.key !== 'ArrowUp') return;
  event.preventDefault();
  const items = [...event.currentTarget.querySelectorAll<HTMLButtonElement>('[role="menuitem"]:enabled')];
  const at = items.indexOf(document.activeElement as HTMLButtonElement);
  const step = event.key === 'ArrowDown' ? 1 : -1;
  items[(at + step + items.length) % items.length]?.focus();
}

/**
 * A node's right-click (or context-menu key) menu at screen coordinates; closes on any click
 * elsewhere or Escape, which returns focus to the node.
 */
export function NodeTerminalMenu({ at, onClose }: { at: NodeMenuAt; onClose: () => void }) {
  const host = useDesign((s) => s.history?.present.spec.hosts.find((h) => h.name === at.host));
  const menu = useRef<HTMLDivElement>(null);
  // Focus starts on the first item, so the keyboard can use the menu it opened.
  useEffect(() => {
    menu.current?.querySelector<HTMLButtonElement>('[role="menuitem"]:enabled')?.focus();
  }, []);
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.key !== 'Escape') return;
      onClose();
      at.opener?.focus();
    };
    window.addEventListener('keydown', onKey);
    window.addEventListener('mousedown', onClose);
    return () => {
      window.removeEventListener('keydown', onKey);
      window.removeEventListener('mousedown', onClose);
    };
  }, [onClose, at.opener]);
  if (!host) return null;
  return (
    <div
      ref={menu}
      className="node-menu"
      role="menu"
      aria-label={`Node ${host.name}`}
      onKeyDown={moveFocus}
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
