import { useEffect, useRef, useState, type FormEvent } from 'react';
import type { TerminalController, TerminalStatus } from './controller';

/** Writes the scrollback to a text file the user downloads: the only way output is ever stored. */
function saveOutput(controller: TerminalController): void {
  const blob = new Blob([controller.text()], { type: 'text/plain;charset=utf-8' });
  const url = URL.createObjectURL(blob);
  const link = document.createElement('a');
  link.href = url;
  link.download = `${controller.title.replace(/[^A-Za-z0-9._-]+/g, '-')}-${new Date().toISOString().replace(/[:.]/g, '-')}.txt`;
  link.click();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

function SearchBox({ controller }: { controller: TerminalController }) {
  const [text, setText] = useState('');
  const [missing, setMissing] = useState(false);
  const find = (backwards: boolean) => {
    if (!text) return;
    const found = backwards ? controller.search.findPrevious(text) : controller.search.findNext(text);
    setMissing(!found);
  };
  return (
    <input
      type="search"
      className={`terminal-search${missing ? ' is-missing' : ''}`}
      placeholder="Find"
      aria-label="Find in terminal"
      value={text}
      onChange={(e) => {
        setText(e.target.value);
        setMissing(false);
      }}
      onKeyDown={(e) => {
        if (e.key === 'Enter') {
          e.preventDefault();
          find(e.shiftKey);
        } else if (e.key === 'Escape') {
          controller.search.clearDecorations();
          controller.term.clearSelection();
          controller.focus();
        }
      }}
    />
  );
}

function SecretForm({ controller, name }: { controller: TerminalController; name: string }) {
  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const input = event.currentTarget.elements.namedItem('secret') as HTMLInputElement | null;
    const value = input?.value ?? '';
    if (input) input.value = ''; // uncontrolled: React state never holds the value
    if (value) void controller.setSecret(name, value);
  };
  return (
    <form onSubmit={submit}>
      <label>
        Secret <code>{name}</code> is not set:{' '}
        <input name="secret" type="password" autoComplete="off" aria-label={`Value of ${name}`} />
      </label>{' '}
      <button type="submit">Save and connect</button>
    </form>
  );
}

/** What covers the terminal when it is not simply running: a prompt, or why it stopped. */
function Overlay({ controller, status }: { controller: TerminalController; status: TerminalStatus }) {
  const reconnect = (
    <button type="button" onClick={() => void controller.reconnect()}>
      Reconnect
    </button>
  );
  switch (status.state) {
    case 'open':
      return null;
    case 'connecting':
      return <div className="terminal-banner muted">Connecting…</div>;
    case 'host-key':
      return (
        <div className="terminal-banner" role="alertdialog" aria-label="Unknown host key">
          {status.otherKeys.length === 0 ? (
            <p>
              First connection to <strong>{status.target}</strong>. Check that this is the host&apos;s key:
            </p>
          ) : (
            <p className="error-text">
              <strong>{status.target}</strong> now presents a key of a type never seen for it, but{' '}
              {status.otherKeys.map((k) => `${k.keyType} ${k.fingerprint}`).join(', ')} is on record. A host
              that stopped offering its known key may not be that host: accept only if you know its keys
              changed.
            </p>
          )}
          <p className="mono" data-testid="terminal-host-key">
            {status.hostKey.keyType} {status.hostKey.fingerprint}
          </p>
          <button type="button" onClick={() => void controller.acceptHostKey(status.token)}>
            Accept
          </button>
        </div>
      );
    case 'secret':
      return (
        <div className="terminal-banner">
          <SecretForm controller={controller} name={status.name} />
        </div>
      );
    case 'exited':
    case 'disconnected':
    case 'failed':
      return (
        <div className={`terminal-banner is-${status.state}`} role="alert" data-testid="terminal-ended">
          <strong>
            {status.state === 'disconnected'
              ? 'Disconnected'
              : status.state === 'exited'
                ? 'Ended'
                : 'Failed'}
          </strong>
          : {status.message} {reconnect}
        </div>
      );
  }
}

/** One terminal: its toolbar, the xterm surface (fitted to the panel as it resizes) and any prompt. */
export function TerminalView({
  controller,
  status,
}: {
  controller: TerminalController;
  status: TerminalStatus;
}) {
  const host = useRef<HTMLDivElement>(null);
  const [size, setSize] = useState(controller.size);

  useEffect(() => {
    const element = host.current;
    if (!element) return;
    controller.attach(element);
    setSize(controller.size);
    const resized = controller.term.onResize(({ cols, rows }) => setSize({ cols, rows }));
    let frame = 0;
    const observer = new ResizeObserver(() => {
      cancelAnimationFrame(frame);
      frame = requestAnimationFrame(() => controller.fit());
    });
    observer.observe(element);
    controller.focus();
    return () => {
      cancelAnimationFrame(frame);
      observer.disconnect();
      resized.dispose();
    };
  }, [controller]);

  return (
    <div
      className="terminal-view"
      data-testid="terminal-view"
      data-state={status.state}
      data-cols={size.cols}
      data-rows={size.rows}
    >
      <div className="terminal-toolbar">
        <span className="terminal-target muted" title={status.state === 'open' ? status.target : undefined}>
          {status.state === 'open' ? status.target : controller.title}
        </span>
        <SearchBox controller={controller} />
        <button
          type="button"
          onClick={() => saveOutput(controller)}
          title="Save the scrollback as a text file"
        >
          Save output
        </button>
      </div>
      <Overlay controller={controller} status={status} />
      <div className="terminal-surface" ref={host} />
    </div>
  );
}
