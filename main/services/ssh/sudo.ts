import { runChannel } from './channel';
import type { HostConnection } from './connection';
import { SshError } from './errors';
import { shellQuote } from './shell';
import type { SudoMode } from './types';

const PROBE_TIMEOUT_MS = 15_000;

/** Runs a tiny probe command on the connection, outside the queues (it serves a queued command). */
async function probe(
  conn: HostConnection,
  command: string,
  stdin?: string,
): Promise<{ code: number | null; out: string }> {
  const chunks: Buffer[] = [];
  // The reason is an SshError naming the host: a probe cut off by a dropped connection must say so.
  const timeout = new AbortController();
  const timer = setTimeout(
    () =>
      timeout.abort(
        new SshError(
          'COMMAND_TIMEOUT',
          conn.label,
          `the host did not answer a sudo probe within ${PROBE_TIMEOUT_MS / 1000} s`,
        ),
      ),
    PROBE_TIMEOUT_MS,
  );
  const r = await conn
    .execChannel(command, (channel) =>
      runChannel(channel, {
        onStdout: (c) => chunks.push(c),
        onStderr: (c) => chunks.push(c),
        stdin,
        signal: timeout.signal,
        dropReason: () => conn.dropReason(),
        label: conn.label,
      }),
    )
    .finally(() => clearTimeout(timer));
  return { code: r.exitCode, out: Buffer.concat(chunks).toString('utf8') };
}

/**
 * How this login becomes root. `sudo -n` answers without prompting; when sudo wants a
 * password, the configured one is tried with `-k` (ignore cached credentials) so sudo
 * always reads it from stdin and never hands it on to the command.
 */
export async function probeSudo(conn: HostConnection): Promise<{ mode: SudoMode; detail: string }> {
  const id = await probe(conn, 'id -u');
  if (id.out.trim() === '0') return { mode: 'root', detail: 'logged in as root' };
  const nonInteractive = await probe(conn, 'command -v sudo >/dev/null 2>&1 || exit 127; sudo -n true');
  if (nonInteractive.code === 0) return { mode: 'passwordless', detail: 'sudo without password' };
  if (nonInteractive.code === 127) return { mode: 'no', detail: 'sudo is not installed' };
  if (!/password/i.test(nonInteractive.out))
    return { mode: 'no', detail: `sudo refused: ${firstLine(nonInteractive.out)}` };
  const password = conn.hop.sudoPassword;
  if (!password) return { mode: 'no', detail: 'sudo asks for a password and none is configured' };
  const withPassword = await probe(conn, "sudo -k -S -p '' true", password + '\n');
  if (withPassword.code === 0) return { mode: 'with-password', detail: 'sudo with password' };
  return { mode: 'no', detail: 'sudo refused the configured password' };
}

function firstLine(text: string): string {
  return text.trim().split('\n')[0]?.slice(0, 200) ?? '';
}

/** The command line and the stdin prefix that make `command` run as root in this mode. */
export function wrapSudo(
  mode: SudoMode,
  command: string,
  password: string | undefined,
  label: string,
): { command: string; stdinPrefix?: string } {
  switch (mode) {
    case 'root':
      return { command };
    case 'passwordless':
      return { command: `sudo -n -- sh -c ${shellQuote(command)}` };
    case 'with-password':
      if (!password)
        throw new SshError('SUDO_REFUSED', label, 'sudo needs a password and none is configured');
      // -S: password from stdin (never argv); -p '': no prompt in the output; -k: always read it.
      return { command: `sudo -k -S -p '' -- sh -c ${shellQuote(command)}`, stdinPrefix: password + '\n' };
    case 'no':
      throw new SshError(
        'SUDO_REFUSED',
        label,
        'this user cannot run commands as root (sudo refused or missing)',
      );
  }
}
