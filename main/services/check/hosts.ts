import { performance } from 'node:perf_hooks';
import type { ClockSample, HostCheckResult } from '../../../shared/check/report';
import { parseCheckLines } from '../../../shared/check/report';
import type { PlanStep } from '../../../shared/plan/types';
import { collectOutputsCommand, HostSession, parseOutputs } from '../deploy/remote';
import { SshError } from '../ssh/errors';

/** What a person does about each way SSH can fail (the message itself says what happened). */
const SSH_FIX: Record<string, string> = {
  HOST_KEY_UNKNOWN:
    "accept the host's key first: Test connection on the host (app), or --known-hosts FILE (CLI)",
  HOST_KEY_CHANGED:
    'the host key changed: make sure it is the same machine, then replace its known_hosts line',
  AUTH_REFUSED: "check the host's SSH user and key or password in the design",
  CONNECTION_REFUSED: "nothing listens on the host's SSH port: start sshd, or correct the port in the design",
  CONNECT_TIMEOUT:
    'check the address, that the host is up, and firewalls on the way; behind a bastion, set the host’s bastion (via)',
  HOST_UNREACHABLE: 'check the address and the route to it; behind a bastion, set the host’s bastion (via)',
  JUMP_FAILED: 'the bastion on the way could not be reached or refused to forward: check the bastion first',
  KEY_FILE: "the key file cannot be read: correct the host's keyFile",
  SECRET_MISSING: 'enter the secret this host needs',
};

export interface HostFacts {
  host: string;
  results: HostCheckResult[];
  /** hostname / machine-id / product-uuid / mac, when the preflight ran. */
  identity: { key: string; value: string }[];
  clock?: ClockSample;
  /** True when SSH and sudo work: the reachability test can use this host. */
  usable: boolean;
}

const message = (e: unknown) => (e instanceof Error ? e.message : String(e));

/** What sudo says without a password, as the login user: the reason a person can act on. */
async function whySudoRefused(session: HostSession, passwordGiven: boolean): Promise<string> {
  const r = await session.ssh
    .run(
      session.target,
      'command -v sudo >/dev/null 2>&1 || { echo "sudo is not installed"; exit 0; }; sudo -n true 2>&1',
      {
        timeoutMs: 15_000,
      },
    )
    .catch(() => undefined);
  const said = r?.stdout.trim() ?? '';
  if (/password/i.test(said)) {
    return passwordGiven
      ? 'sudo refused the sudo password given'
      : 'sudo asks for a password and none was given';
  }
  return said.split('\n')[0]?.slice(0, 200) || 'sudo refused';
}

/** The host's clock minus ours, from the quickest of a few round trips (± half of it). */
async function sampleClock(session: HostSession): Promise<ClockSample | undefined> {
  let best: ClockSample | undefined;
  for (let i = 0; i < 3; i++) {
    const t0 = performance.timeOrigin + performance.now();
    // `date` as the login user finds it on PATH — where a faked time source for the lab's tests sits too.
    const r = await session.ssh.run(session.target, 'date +%s%N', { timeoutMs: 15_000 });
    const t1 = performance.timeOrigin + performance.now();
    const ns = /^(\d{10,})$/.exec(r.stdout.trim())?.[1];
    if (r.exitCode !== 0 || !ns) return best;
    const hostMs = Number(BigInt(ns) / 1000n) / 1000;
    const sample = { host: session.name, offsetMs: hostMs - (t0 + t1) / 2, uncertaintyMs: (t1 - t0) / 2 };
    if (!best || sample.uncertaintyMs < best.uncertaintyMs) best = sample;
  }
  return best;
}

/**
 * One host's part of `keelson check`, read-only: SSH through its route, sudo, its clock, then the
 * plan's own preflight step for it, run by the deploy engine's wrapper exactly as a deploy runs
 * it, with its `keelson-check:` lines read as the report's cells and its identity outputs
 * collected (and removed from the host) as the engine does.
 */
export async function checkHost(
  session: HostSession,
  preflight: PlanStep,
  route: string[],
  signal: AbortSignal,
): Promise<HostFacts> {
  const host = session.name;
  const facts: HostFacts = { host, results: [], identity: [], usable: false };
  const add = (check: string, status: HostCheckResult['status'], detail: string, fix?: string) =>
    facts.results.push({ host, check, status, detail, ...(fix ? { fix } : {}) });
  const how = route.length ? `via ${route.join(' → ')}` : 'directly';
  try {
    const label = await session.connect();
    add('ssh', 'green', `${label} (${how})`);
  } catch (e) {
    const code = e instanceof SshError ? e.code : undefined;
    add('ssh', 'red', `${message(e)} (${how})`, (code && SSH_FIX[code]) ?? 'check the host’s SSH settings');
    return facts;
  }
  try {
    const r = await session.sh('id -un', 15_000);
    if (r.code !== 0) throw new Error(`sudo id -un exited ${r.code}: ${r.stderr.trim()}`);
    add('sudo', 'green', `commands run as ${r.stdout.trim()}`);
  } catch (e) {
    const sudo = e instanceof SshError && e.code === 'SUDO_REFUSED';
    add(
      'sudo',
      'red',
      sudo
        ? `${message(e)}: ${await whySudoRefused(session, Boolean(session.target.sudoPassword))}`
        : message(e),
      sudo
        ? "give the sudo password in the host's SSH settings (sudo password), or allow the user sudo without one (NOPASSWD)"
        : 'check that the user may run commands as root',
    );
    return facts;
  }
  facts.clock = await sampleClock(session).catch(() => undefined);
  let output = '';
  const code = await session.runWrapped(
    preflight,
    'script',
    preflight.script,
    preflight.timeoutSeconds,
    (_, chunk) => (output += chunk.toString('utf8')),
    signal,
  );
  const lines = parseCheckLines(host, output);
  facts.results.push(...lines);
  if (code !== 0 && !lines.some((l) => l.status === 'red')) {
    const why =
      output
        .split('\n')
        .filter((l) => l.startsWith('keelson: '))
        .pop() ?? `exit ${code}`;
    add('commands', 'red', `the preflight check stopped: ${why.replace(/^keelson: /, '')}`);
  }
  const names = (preflight.outputs ?? []).map((o) => o.name);
  if (names.length) {
    const got = parseOutputs((await session.sh(collectOutputsCommand(names))).stdout);
    for (const o of preflight.outputs ?? []) {
      const v = got.get(o.name);
      if (v !== undefined && o.uniqueAcrossHosts) facts.identity.push({ key: o.uniqueAcrossHosts, value: v });
    }
  }
  facts.usable = true;
  return facts;
}
