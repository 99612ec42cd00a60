import { posix } from 'node:path';
import type { PlanStep } from '../../../shared/plan/types';
import { OUTPUT_DIR } from '../../../shared/plan/types';
import type { RemoteConnectionHandler } from '../ssh/connection';
import type { SshEngine } from '../ssh/engine';
import { SshError } from '../ssh/errors';
import { shellQuote } from '../ssh/shell';
import type { SshTarget } from '../ssh/types';

/** Where the wrapper keeps a step's script, pid and lock on the host: root-only tmpfs, gone at reboot. */
const STEP_DIR = '/run/keelson/steps';
/** The wrapper's own failures (cannot create its files): distinct from any script's exit code. */
export const WRAPPER_FAILED = 90;
/** GNU timeout's exit code when the limit was hit. */
export const TIMED_OUT = 124;

const keyOf = (step: PlanStep) => step.id.replace(/[^A-Za-z0-9._-]/g, '_');

/**
 * The command that runs a step's script (or check) as root. The script arrives on stdin, so no
 * secret is ever on a command line (visible in ps) and sudo's password can go first on the same
 * stdin; it is written to a 0600 file on /run (tmpfs) and run with stdin closed, so a command in
 * the script cannot swallow the rest of it.
 *
 * The script writes its output to files on the host, which `tail` streams back: if the
 * connection drops (cable pulled) or Keelson is killed, the script is not cut off mid-way (an apt
 * install killed by SIGPIPE leaves dpkg broken) but finishes on its own. A lock the script holds
 * makes the next attempt wait for it; the check then decides whether anything is left to do. The
 * host enforces the time limit itself (timeout, KILL 10 s later); the pid file lets Cancel stop it.
 */
export function wrapperCommand(step: PlanStep, kind: 'script' | 'check', timeoutSeconds: number): string {
  const key = `${keyOf(step)}.${kind}`;
  return [
    'set -u',
    'umask 077',
    `d=${shellQuote(STEP_DIR)}`,
    `mkdir -p "$d" || exit ${WRAPPER_FAILED}`,
    `k="$d/"${shellQuote(key)}`,
    `cat > "$k.sh" || exit ${WRAPPER_FAILED}`,
    `exec 9>"$d/"${shellQuote(`${keyOf(step)}.lock`)}`,
    `if command -v flock >/dev/null 2>&1; then flock 9 || exit ${WRAPPER_FAILED}; fi`,
    ': > "$k.out"; : > "$k.err"',
    'export DEBIAN_FRONTEND=noninteractive',
    `setsid timeout -k 10 ${Math.max(1, Math.round(timeoutSeconds))} bash "$k.sh" </dev/null >"$k.out" 2>"$k.err" &`,
    'pid=$!',
    'echo "$pid" > "$k.pid"',
    'exec 9>&-',
    'tail -s 0.1 -n +1 -f --pid="$pid" "$k.err" >&2 &',
    't=$!',
    'tail -s 0.1 -n +1 -f --pid="$pid" "$k.out"',
    'wait "$pid"',
    'rc=$?',
    'wait "$t"',
    'rm -f "$k.sh" "$k.out" "$k.err" "$k.pid"',
    'exit "$rc"',
  ].join('\n');
}

/** Stops a running attempt on the host: TERM to its process group (timeout, bash and what they started). */
export function cancelCommand(step: PlanStep): string {
  const pidFiles = ['script', 'check'].map((k) => `${STEP_DIR}/${keyOf(step)}.${k}.pid`);
  return pidFiles
    .map(
      (p) =>
        `if [ -f ${shellQuote(p)} ]; then p=$(cat ${shellQuote(p)}); kill -TERM -- "-$p" 2>/dev/null || kill -TERM "$p" 2>/dev/null; fi`,
    )
    .concat('true')
    .join('; ');
}

/** Parent folders of the step's files, created before the upload (the upload renames inside them). */
export function mkdirCommand(step: PlanStep): string | undefined {
  const dirs = [...new Set(step.files.map((f) => posix.dirname(f.path)))];
  return dirs.length ? `mkdir -p -- ${dirs.map(shellQuote).join(' ')}` : undefined;
}

/**
 * Prints each output as `NAME BASE64` and removes its file (outputs are handed over once). The
 * values are parsed, never logged. `NAME -` means the script did not write it.
 */
export function collectOutputsCommand(names: string[]): string {
  return [
    `cd ${shellQuote(OUTPUT_DIR)} 2>/dev/null || { for n in ${names.map(shellQuote).join(' ')}; do echo "$n -"; done; exit 0; }`,
    `for n in ${names.map(shellQuote).join(' ')}; do`,
    '  if [ -f "$n" ]; then printf \'%s \' "$n"; base64 -w0 < "$n"; echo; rm -f -- "$n"; else echo "$n -"; fi',
    'done',
  ].join('\n');
}

export function parseOutputs(text: string): Map<string, string | undefined> {
  const out = new Map<string, string | undefined>();
  for (const line of text.split('\n')) {
    const m = /^(\S+) (\S+)$/.exec(line.trim());
    if (!m) continue;
    out.set(m[1]!, m[2] === '-' ? undefined : Buffer.from(m[2]!, 'base64').toString('utf8'));
  }
  return out;
}

/** The few SSH calls a step needs, as root, on one host. */
export class HostSession {
  constructor(
    readonly ssh: SshEngine,
    readonly target: SshTarget,
    readonly name: string,
  ) {}

  connect(): Promise<string> {
    return this.ssh.connect(this.target);
  }

  /** Runs the wrapper; output streams to the callbacks. Resolves with the exit code. */
  async runWrapped(
    step: PlanStep,
    kind: 'script' | 'check',
    body: string,
    timeoutSeconds: number,
    onData: (stream: 'stdout' | 'stderr', chunk: Buffer) => void,
    signal: AbortSignal,
  ): Promise<number | null> {
    const r = await this.ssh.exec(this.target, wrapperCommand(step, kind, timeoutSeconds), {
      sudo: true,
      stdin: body,
      // The host enforces the limit; this is the backstop when the host itself stops answering.
      timeoutMs: (timeoutSeconds + 30) * 1000,
      signal,
      onStdout: (c) => onData('stdout', c),
      onStderr: (c) => onData('stderr', c),
    });
    return r.exitCode;
  }

  async sh(
    command: string,
    timeoutMs = 30_000,
  ): Promise<{ code: number | null; stdout: string; stderr: string }> {
    const r = await this.ssh.run(this.target, command, { sudo: true, timeoutMs });
    return { code: r.exitCode, stdout: r.stdout, stderr: r.stderr };
  }

  /** Runs a read-only script as root (diagnostics), with a limit of its own; output comes back whole. */
  gather(script: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
    return this.sh(`bash -c ${shellQuote(script)}`, 120_000);
  }

  async upload(path: string, content: string, mode: string, signal: AbortSignal): Promise<void> {
    await this.ssh.upload(this.target, path, content, {
      mode: parseInt(mode, 8),
      sudo: true,
      signal,
      timeoutMs: 120_000,
    });
  }

  /** Reverse tunnel over this host's connection (see SshEngine.forwardRemote): for RunServices. */
  forwardRemote(remotePort: number, onConnection: RemoteConnectionHandler) {
    return this.ssh.forwardRemote(this.target, remotePort, onConnection);
  }

  /** Best effort: the connection may be the reason we are cancelling. */
  async cancel(step: PlanStep): Promise<void> {
    await this.sh(cancelCommand(step), 10_000).catch(() => undefined);
  }
}

/** True when the failure is about reaching the host, not about what ran there. */
export function isConnectionFailure(e: unknown): boolean {
  return (
    e instanceof SshError &&
    ['CONNECTION_LOST', 'CONNECT_TIMEOUT', 'CONNECTION_REFUSED', 'HOST_UNREACHABLE', 'JUMP_FAILED'].includes(
      e.code,
    )
  );
}
