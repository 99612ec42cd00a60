import type { SshEngine } from '../ssh/engine';
import type { SshTarget } from '../ssh/types';
import type { TerminalEnd, TerminalSource } from './session';

/** What the host sees as TERM: xterm.js implements xterm's 256-colour terminal. */
export const TERM = 'xterm-256color';

/**
 * A shell on a host through the SSH engine: a pty on a connection of its own, the host key
 * verified, through the host's bastion chain or ~/.ssh/config's ProxyJump.
 */
export async function openSshSource(
  engine: SshEngine,
  target: SshTarget,
  size: { cols: number; rows: number },
): Promise<TerminalSource> {
  const shell = await engine.openShell(target, { term: TERM, ...size });
  const { channel } = shell;
  let closed = false;
  return {
    target: shell.label,
    start({ data, end }) {
      channel.on('data', data);
      channel.stderr.on('data', data);
      // ssh2 emits 'close' only after the last output chunk was read ('end'), so nothing is lost.
      channel.on('close', () => {
        const exit = shell.exit();
        const ended: TerminalEnd = exit
          ? { type: 'exit', ...exit }
          : {
              type: 'disconnected',
              reason: engine.redactor.redact(
                shell.dropReason()?.message ?? `${shell.label}: the connection closed`,
              ),
            };
        end(ended);
        shell.close();
      });
    },
    write(bytes) {
      return new Promise((resolve) => {
        if (closed || !channel.writable) return resolve();
        if (channel.write(bytes)) return resolve();
        // The host's window is full (a big paste into a busy shell): wait for it.
        const done = () => {
          channel.off('drain', done);
          channel.off('close', done);
          resolve();
        };
        channel.on('drain', done);
        channel.on('close', done);
      });
    },
    resize(cols, rows) {
      if (!closed) channel.setWindow(rows, cols, 0, 0);
    },
    pause() {
      channel.pause();
      channel.stderr.pause();
    },
    resume() {
      channel.resume();
      channel.stderr.resume();
    },
    close() {
      if (closed) return;
      closed = true;
      shell.close();
    },
  };
}
