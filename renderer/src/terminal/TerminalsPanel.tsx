import '@xterm/xterm/css/xterm.css';
import './terminal.css';
import { useEffect, useRef, useState } from 'react';
import { useDesign } from '../store/design';
import { useWorkspace } from '../workspace/workspace-store';
import type { TerminalStatus } from './controller';
import { TerminalView } from './TerminalView';
import {
  closeTerminal,
  controllerOf,
  openHostTerminal,
  openLocalTerminal,
  retryTerminalLoad,
  useTerminals,
} from './terminals';

function stateLabel(status: TerminalStatus): string {
  switch (status.state) {
    case 'open':
      return 'connected';
    case 'host-key':
    case 'secret':
      return 'waiting for you';
    default:
      return status.state;
  }
}

/** A tab whose terminal code (xterm.js, loaded with the first terminal) is not there yet. */
function TerminalLoading({ tabKey, status }: { tabKey: string; status: TerminalStatus }) {
  if (status.state !== 'failed') return <div className="terminal-banner muted">Connecting…</div>;
  return (
    <div className="terminal-banner is-failed" role="alert" data-testid="terminal-ended">
      <strong>Failed</strong>: {status.message}.{' '}
      <button type="button" onClick={() => retryTerminalLoad(tabKey)}>
        Try again
      </button>{' '}
      If Keelson was updated while this window was open, reload the window.
    </div>
  );
}

/** The + menu: a local kubectl shell for the open cluster, or a shell on any of its hosts. */
function NewTerminalMenu() {
  const [open, setOpen] = useState(false);
  const menu = useRef<HTMLDivElement>(null);
  const opener = useRef<HTMLButtonElement>(null);
  const clusterId = useWorkspace((s) => s.currentId);
  const hosts = useDesign((s) => s.history?.present.spec.hosts ?? []);
  useEffect(() => {
    if (!open) return;
    const close = (event: MouseEvent) => {
      if (!menu.current?.contains(event.target as Node)) setOpen(false);
    };
    const escape = (event: KeyboardEvent) => {
      if (event.key !== 'Escape') return;
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
  const pick = (action: () => void) => {
    setOpen(false);
    action();
  };
  return (
    <div className="terminal-new" ref={menu}>
      <button
        ref={opener}
        type="button"
        aria-haspopup="menu"
        aria-expanded={open}
        title="New terminal"
        onClick={() => setOpen(!open)}
        data-testid="new-terminal"
      >
        +
      </button>
      {open && (
        <div className="menu" role="menu">
          <button
            type="button"
            role="menuitem"
            disabled={!clusterId}
            onClick={() => clusterId && pick(() => openLocalTerminal(clusterId))}
            data-testid="new-terminal-local"
          >
            Local shell (kubectl{clusterId ? ` → ${clusterId}` : ': open a cluster first'})
          </button>
          {hosts.map((h) => (
            <button
              key={h.name}
              type="button"
              role="menuitem"
              disabled={!h.address}
              title={h.address ? undefined : 'This host has no address yet'}
              onClick={() => pick(() => openHostTerminal(h, hosts))}
              data-testid={`new-terminal-host-${h.name}`}
            >
              {h.name} <span className="muted">{h.address || 'no address'}</span>
            </button>
          ))}
        </div>
      )}
    </div>
  );
}

/** The Terminals tab of the bottom panel: a tab per shell, the + menu, and the active terminal. */
export function TerminalsPanel() {
  const tabs = useTerminals((s) => s.tabs);
  const active = useTerminals((s) => s.active);
  const select = useTerminals((s) => s.select);
  const current = tabs.find((t) => t.key === active);
  const controller = current ? controllerOf(current.key) : undefined;
  return (
    <div className="terminals" data-testid="terminals">
      <div className="terminal-tabs" role="tablist" aria-label="Terminals">
        {tabs.map((t) => (
          <div
            key={t.key}
            className={`terminal-tab state-${t.status.state}${t.key === active ? ' is-active' : ''}`}
            data-testid={`terminal-tab-${t.title}`}
            data-state={t.status.state}
          >
            <button
              type="button"
              role="tab"
              aria-selected={t.key === active}
              onClick={() => select(t.key)}
              title={`${t.title}: ${stateLabel(t.status)}`}
            >
              <span className="terminal-dot" aria-hidden />
              {t.title}
            </button>
            <button
              type="button"
              className="terminal-close"
              aria-label={`Close ${t.title}`}
              onClick={() => closeTerminal(t.key)}
            >
              ×
            </button>
          </div>
        ))}
        <NewTerminalMenu />
      </div>
      {current && controller ? (
        <TerminalView key={current.key} controller={controller} status={current.status} />
      ) : current ? (
        <TerminalLoading tabKey={current.key} status={current.status} />
      ) : (
        <p className="muted">No terminals open. Double-click a host on the canvas, or use +.</p>
      )}
    </div>
  );
}
