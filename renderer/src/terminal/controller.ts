import { isDefinedError, type ORPCError, safe } from '@orpc/client';
import { FitAddon } from '@xterm/addon-fit';
import { SearchAddon } from '@xterm/addon-search';
import { WebLinksAddon } from '@xterm/addon-web-links';
import { Terminal } from '@xterm/xterm';
import type { HostKey, RecordedKey } from '../../../shared/contract/ssh';
import { TERMINAL_FLOW, type OpenTerminal } from '../../../shared/contract/terminal';
import { getClient } from '../transport/client';
import { decodeBase64 } from './base64';
import { KeystrokeQueue } from './keystrokes';

type TypedOpenError =
  | ORPCError<
      'HOST_KEY_UNKNOWN',
      { target: string; hostKey: HostKey; acceptToken: string; otherKeys: RecordedKey[] }
    >
  | ORPCError<'SECRET_MISSING', { name: string }>
  | ORPCError<'OTHER', unknown>;

type WithoutSize<T> = T extends unknown ? Omit<T, 'cols' | 'rows'> : never;
/** What to open: a host (with its bastion chain) or the cluster's local kubectl shell. */
export type TerminalSpec = WithoutSize<OpenTerminal>;

export type TerminalStatus =
  | { state: 'connecting' }
  | { state: 'open'; target: string }
  | { state: 'exited'; message: string }
  | { state: 'disconnected'; message: string }
  | { state: 'failed'; message: string }
  | { state: 'host-key'; target: string; hostKey: HostKey; token: string; otherKeys: RecordedKey[] }
  | { state: 'secret'; name: string };

/** Lines of scrollback each terminal keeps (in the page only; nothing is stored). */
export const SCROLLBACK_LINES = 5_000;

const THEME = {
  background: '#1e1f22',
  foreground: '#d4d4d4',
  cursor: '#d4d4d4',
  selectionBackground: '#264f78',
};

/**
 * One terminal tab: an xterm.js terminal that outlives its tab's React view (so switching
 * tabs, panels or clusters keeps the scrollback), and its link to a shell in main.
 *
 * Flow control: every output chunk is handed to xterm with a callback; once xterm has parsed
 * `ackEveryBytes` more, the bytes are acknowledged to main, which pauses the shell while a
 * window's worth is unacknowledged. The page therefore never buffers more than one window.
 */
export class TerminalController {
  readonly term: Terminal;
  readonly search = new SearchAddon();
  private readonly fitAddon = new FitAddon();
  private readonly keys: KeystrokeQueue;
  private id: string | undefined;
  private abort: AbortController | undefined;
  private disposed = false;
  status: TerminalStatus = { state: 'connecting' };

  constructor(
    readonly title: string,
    readonly spec: TerminalSpec,
    private readonly onStatus: (status: TerminalStatus) => void,
  ) {
    this.term = new Terminal({
      scrollback: SCROLLBACK_LINES,
      cursorBlink: true,
      fontFamily: 'ui-monospace, "DejaVu Sans Mono", Menlo, Consolas, monospace',
      fontSize: 13,
      theme: THEME,
      rightClickSelectsWord: true,
    });
    this.term.loadAddon(this.fitAddon);
    this.term.loadAddon(this.search);
    // Only web links open, in a new window (Electron hands https to the system browser).
    this.term.loadAddon(
      new WebLinksAddon((_event, uri) => {
        if (/^https?:\/\//i.test(uri)) window.open(uri, '_blank', 'noopener,noreferrer');
      }),
    );
    this.keys = new KeystrokeQueue((data, binary) =>
      this.id ? getClient().terminal.write({ id: this.id, data, binary }) : Promise.resolve({}),
    );
    this.term.onData((data) => this.status.state === 'open' && this.keys.push(data, false));
    this.term.onBinary((data) => this.status.state === 'open' && this.keys.push(data, true));
    this.term.onResize(({ cols, rows }) => {
      if (this.id && this.status.state === 'open')
        void safe(getClient().terminal.resize({ id: this.id, cols, rows }));
    });
    this.term.attachCustomKeyEventHandler((event) => this.clipboardKeys(event));
  }

  /**
   * Ctrl+Shift+C copies the selection, Ctrl+Shift+V pastes (Ctrl+C and Ctrl+V stay the shell's).
   * Copy goes through the page's own copy event, which xterm fills with the selection, so it
   * needs no clipboard permission; paste is the browser's own, which xterm receives.
   */
  private clipboardKeys(event: KeyboardEvent): boolean {
    if (event.type !== 'keydown' || !event.ctrlKey || !event.shiftKey) return true;
    if (event.code === 'KeyC') {
      if (this.term.hasSelection()) document.execCommand('copy');
      event.preventDefault();
      return false;
    }
    if (event.code === 'KeyV') return false; // not a key for the shell: the browser pastes
    return true;
  }

  private setStatus(status: TerminalStatus): void {
    this.status = status;
    if (!this.disposed) this.onStatus(status);
  }

  get size(): { cols: number; rows: number } {
    return { cols: this.term.cols, rows: this.term.rows };
  }

  /** Puts the terminal into `container` (first time: creates its DOM; later: moves it there). */
  attach(container: HTMLElement): void {
    if (!this.term.element) this.term.open(container);
    else if (this.term.element.parentElement !== container) container.appendChild(this.term.element);
    this.fit();
    this.term.refresh(0, this.term.rows - 1);
  }

  /** Fits the terminal to its container; a hidden container (no size) is left alone. */
  fit(): void {
    const element = this.term.element;
    if (!element || element.clientWidth === 0 || element.clientHeight === 0) return;
    const proposed = this.fitAddon.proposeDimensions();
    if (!proposed || Number.isNaN(proposed.cols) || Number.isNaN(proposed.rows)) return;
    if (proposed.cols !== this.term.cols || proposed.rows !== this.term.rows) this.fitAddon.fit();
  }

  focus(): void {
    this.term.focus();
  }

  /** Starts (or restarts, after an exit or a drop) the shell, at the terminal's current size. */
  async connect(): Promise<void> {
    this.abort?.abort();
    const abort = new AbortController();
    this.abort = abort;
    this.id = undefined;
    this.keys.clear();
    this.setStatus({ state: 'connecting' });
    const [error, stream] = await safe(
      getClient().terminal.open({ ...this.spec, ...this.size }, { signal: abort.signal }),
    );
    if (error) return this.failed(error, abort);
    let unacknowledged = 0;
    try {
      for await (const event of stream) {
        if (abort.signal.aborted) break;
        switch (event.type) {
          case 'ready': {
            const id = event.id;
            this.id = id;
            const ack = (bytes: number) => {
              unacknowledged += bytes;
              if (unacknowledged < TERMINAL_FLOW.ackEveryBytes || this.id !== id) return;
              const batch = unacknowledged;
              unacknowledged = 0;
              void safe(getClient().terminal.ack({ id, bytes: batch }));
            };
            this.acknowledge = ack;
            if (event.kubeconfig) this.note(kubeconfigNote(event.kubeconfig));
            this.setStatus({ state: 'open', target: event.target });
            break;
          }
          case 'data': {
            const bytes = decodeBase64(event.data);
            const ack = this.acknowledge;
            this.term.write(bytes, () => ack(bytes.length));
            break;
          }
          case 'exit':
            this.setStatus({
              state: 'exited',
              message: event.signal
                ? `The shell was ended by signal ${event.signal}.`
                : `The shell exited with code ${event.exitCode ?? '?'}.`,
            });
            break;
          case 'disconnected':
            this.setStatus({ state: 'disconnected', message: event.reason });
            break;
        }
      }
    } catch (e) {
      return this.failed(e, abort);
    }
    if (!abort.signal.aborted && (this.status.state === 'open' || this.status.state === 'connecting'))
      this.setStatus({ state: 'disconnected', message: 'The connection to Keelson’s services ended.' });
  }

  private acknowledge: (bytes: number) => void = () => undefined;

  private failed(error: unknown, abort: AbortController): void {
    if (abort.signal.aborted) return;
    // Typed errors of the contract (the stream's first event carries them, so TypeScript cannot know).
    const typed = error as TypedOpenError;
    if (isDefinedError(typed)) {
      if (typed.code === 'HOST_KEY_UNKNOWN')
        return this.setStatus({
          state: 'host-key',
          target: typed.data.target,
          hostKey: typed.data.hostKey,
          token: typed.data.acceptToken,
          otherKeys: typed.data.otherKeys,
        });
      if (typed.code === 'SECRET_MISSING') return this.setStatus({ state: 'secret', name: typed.data.name });
    }
    this.setStatus({ state: 'failed', message: error instanceof Error ? error.message : String(error) });
  }

  /** A line from Keelson itself (dim), never sent to the shell. */
  note(text: string): void {
    this.term.write(`\x1b[2m${text.replace(/\n/g, '\r\n')}\x1b[0m\r\n`);
  }

  /** Reconnects after an exit or a drop, leaving a mark in the scrollback. */
  reconnect(): Promise<void> {
    this.note(`\r\n── reconnecting to ${this.title} ──`);
    return this.connect();
  }

  /** Accepts the key the host presented, by the token that stands for it. */
  async acceptHostKey(token: string): Promise<void> {
    this.setStatus({ state: 'connecting' });
    const [error] = await safe(getClient().ssh.acceptHostKey({ token }));
    if (error) return this.setStatus({ state: 'failed', message: error.message });
    // A chain may have more unknown keys (the bastion first, then the host): connect again.
    await this.connect();
  }

  async setSecret(name: string, value: string): Promise<void> {
    this.setStatus({ state: 'connecting' });
    const [error] = await safe(getClient().ssh.secrets.set({ name, value }));
    if (error) return this.setStatus({ state: 'failed', message: error.message });
    await this.connect();
  }

  /** The scrollback as plain text: only when the user asks to save it. */
  text(): string {
    const buffer = this.term.buffer.active;
    const lines: string[] = [];
    for (let i = 0; i < buffer.length; i++) {
      const line = buffer.getLine(i);
      if (!line) continue;
      const text = line.translateToString(true);
      if (line.isWrapped && lines.length > 0) lines[lines.length - 1] += text;
      else lines.push(text);
    }
    while (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
    return lines.join('\n') + '\n';
  }

  dispose(): void {
    this.disposed = true;
    this.abort?.abort();
    if (this.id) void safe(getClient().terminal.close({ id: this.id }));
    this.keys.clear();
    this.term.dispose();
  }
}

function kubeconfigNote(k: { path: string; exists: boolean }): string {
  return k.exists
    ? `KUBECONFIG=${k.path}`
    : `KUBECONFIG=${k.path} (not there yet: deploy the cluster to export it)`;
}
