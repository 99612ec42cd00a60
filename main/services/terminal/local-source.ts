import { existsSync } from 'node:fs';
import { homedir, userInfo } from 'node:os';
// node-pty is CommonJS: a default import works under Node's ESM loader and bundlers alike.
import nodePty from 'node-pty';
import type { TerminalSource } from './session';
import { TERM } from './ssh-source';

/**
 * The platform's default shell: $SHELL (else the account's login shell, else /bin/sh) on
 * Linux and macOS — a login shell on macOS, as Terminal.app starts it — and PowerShell on
 * Windows, as Windows Terminal starts it.
 */
export function defaultShell(
  platform: NodeJS.Platform = process.platform,
  env: NodeJS.ProcessEnv = process.env,
): { file: string; args: string[] } {
  if (platform === 'win32') return { file: 'powershell.exe', args: ['-NoLogo'] };
  let file = env.SHELL;
  if (!file) {
    try {
      file = userInfo().shell ?? undefined;
    } catch {
      file = undefined; // no passwd entry (containers)
    }
  }
  return { file: file || '/bin/sh', args: platform === 'darwin' ? ['-l'] : [] };
}

/** The shell's environment: ours, with TERM for xterm.js and the extra variables given. */
export function shellEnvironment(extra: Record<string, string>): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined) env[k] = v;
  return { ...env, TERM, COLORTERM: 'truecolor', ...extra };
}

/**
 * A shell on this machine, in a pty (node-pty), in the user's home folder. Output is read as
 * bytes (`encoding: null`), never decoded here: xterm decodes in the page.
 */
export function openLocalSource(options: {
  cols: number;
  rows: number;
  env: Record<string, string>;
}): TerminalSource {
  const shell = defaultShell();
  if (process.platform !== 'win32' && !existsSync(shell.file))
    throw new Error(`the shell ${shell.file} does not exist (check $SHELL)`);
  const pty = nodePty.spawn(shell.file, shell.args, {
    name: TERM,
    cols: options.cols,
    rows: options.rows,
    cwd: homedir(),
    env: shellEnvironment(options.env),
    encoding: null,
  });
  let closed = false;
  let exited = false;
  return {
    target: `local ${shell.file}`,
    start({ data, end }) {
      // With encoding null node-pty hands out Buffers; its typings only know strings.
      pty.onData((chunk) => data(chunk as unknown as Buffer));
      pty.onExit(({ exitCode, signal }) => {
        exited = true;
        // node-pty reports the signal as a number (0 for none).
        end(signal ? { type: 'exit', exitCode, signal: String(signal) } : { type: 'exit', exitCode });
      });
    },
    write(bytes) {
      if (!closed && !exited) pty.write(bytes);
      return Promise.resolve();
    },
    resize(cols, rows) {
      if (!closed && !exited) pty.resize(cols, rows);
    },
    pause: () => pty.pause(),
    resume: () => pty.resume(),
    close() {
      if (closed) return;
      closed = true;
      if (!exited) {
        try {
          pty.kill(); // SIGHUP, as closing a terminal window does
        } catch {
          /* already gone */
        }
      }
    },
  };
}
