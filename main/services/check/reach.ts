import { randomBytes } from 'node:crypto';
import type { CheckStatus, Flow, FlowResult } from '../../../shared/check/report';
import type { HostSession } from '../deploy/remote';
import { shellQuote } from '../ssh/shell';
import { LISTEN_PL, PROBE_PL } from './reach-scripts';

/** Root-only tmpfs folder of the listener; removed when the test ends. */
const DIR = '/run/keelson/reach';
/** A listener lives at most this long even if Keelson never comes back to stop it. */
const LISTEN_SECONDS = 90;
const CONNECT_SECONDS = 3;

export interface ReachHost {
  name: string;
  address: string;
  session: HostSession;
}

export interface VipResult {
  address: string;
  status: CheckStatus;
  detail: string;
}

const noPerl = (host: string) =>
  `perl is not installed on ${host} (the listener and probes are Perl): install it (perl-base on Debian/Ubuntu, perl-interpreter on RHEL)`;

interface Listening {
  bound: Set<string>;
  busy: Map<string, string>;
  error?: string;
}

async function startListener(h: ReachHost, nonce: string, specs: string[]): Promise<Listening> {
  const cmd = [
    `command -v perl >/dev/null 2>&1 || exit 3`,
    `install -d -m 0700 ${DIR}`,
    `cat > ${DIR}/listen.pl`,
    `setsid timeout -k 5 ${LISTEN_SECONDS + 5} perl ${DIR}/listen.pl ${[h.address, LISTEN_SECONDS, nonce, ...specs].map((a) => shellQuote(String(a))).join(' ')} > ${DIR}/listen.out 2>&1 < /dev/null &`,
    `echo $! > ${DIR}/listen.pid`,
    `for i in $(seq 1 100); do grep -q '^ready' ${DIR}/listen.out && break; sleep 0.1; done`,
    `cat ${DIR}/listen.out`,
  ].join('\n');
  const r = await h.session.ssh.run(h.session.target, cmd, {
    sudo: true,
    stdin: LISTEN_PL,
    timeoutMs: 30_000,
  });
  const out: Listening = { bound: new Set(), busy: new Map() };
  if (r.exitCode === 3) return { ...out, error: noPerl(h.name) };
  if (!/^ready$/m.test(r.stdout)) {
    return {
      ...out,
      error: `the listener on ${h.name} did not start: ${(r.stderr || r.stdout).trim().slice(0, 200)}`,
    };
  }
  for (const line of r.stdout.split('\n')) {
    const m = /^(bound|busy) (tcp|udp|vrrp) (\d+)(?: (.*))?$/.exec(line.trim());
    if (!m) continue;
    const key = `${m[2]}:${m[3]}`;
    if (m[1] === 'bound') out.bound.add(key);
    else out.busy.set(key, m[4] ?? '');
  }
  return out;
}

/** What the listener received (`got KIND PORT SOURCE`), then it is stopped and its folder removed. */
async function stopListener(h: ReachHost): Promise<Set<string>> {
  const cmd = [
    `cat ${DIR}/listen.out 2>/dev/null`,
    `if [ -f ${DIR}/listen.pid ]; then kill -TERM -- "-$(cat ${DIR}/listen.pid)" 2>/dev/null || true; fi`,
    `rm -rf ${DIR}`,
  ].join('\n');
  const r = await h.session.ssh
    .run(h.session.target, cmd, { sudo: true, timeoutMs: 30_000 })
    .catch(() => undefined);
  const got = new Set<string>();
  for (const line of r?.stdout.split('\n') ?? []) {
    const m = /^got (tcp|udp|vrrp) (\d+) (\d+)$/.exec(line.trim());
    if (m) got.add(`${m[1]}:${m[2]}:${m[3]}`);
  }
  return got;
}

const specOf = (f: Flow) => (f.proto === 'vrrp' ? 'vrrp' : `${f.proto}:${f.port}`);
const keyOf = (proto: string, port: number | string) => `${proto}:${port}`;

/**
 * Tests every flow for real: short-lived listeners on each target (its design address, every
 * port the flows need), probes from each source at once, then the matrix of what arrived. TCP
 * counts when the connection opens (our listener answers with the nonce; a port some other
 * process holds still proves the path); UDP and VRRP when the target's listener saw the source's
 * nonce. Listeners stop themselves within LISTEN_SECONDS whatever happens to Keelson.
 */
export async function testReachability(flows: Flow[], hosts: ReachHost[]): Promise<FlowResult[]> {
  if (!flows.length) return [];
  const byName = new Map(hosts.map((h) => [h.name, h]));
  const index = new Map(hosts.map((h, i) => [h.name, i]));
  const nonce = randomBytes(8).toString('hex');
  const untested = (f: Flow, why: string): FlowResult => ({ ...f, result: 'untested', detail: why });
  const results: FlowResult[] = [];
  const testable = flows.filter((f) => {
    const missing = [f.from, f.to].find((n) => !byName.has(n));
    if (missing) results.push(untested(f, `${missing} could not be reached over SSH with sudo`));
    return !missing;
  });
  const targets = [...new Set(testable.map((f) => f.to))];
  const listening = new Map<string, Listening>();
  const stopped = new Set<string>();
  try {
    await Promise.all(
      targets.map(async (t) => {
        const specs = [...new Set(testable.filter((f) => f.to === t).map(specOf))];
        const l = await startListener(byName.get(t)!, nonce, specs).catch((e: Error): Listening => ({
          bound: new Set(),
          busy: new Map(),
          error: `${t}: ${e.message}`,
        }));
        listening.set(t, l);
      }),
    );
    const probes = new Map<string, string>();
    const sources = [...new Set(testable.map((f) => f.from))];
    await Promise.all(
      sources.map(async (s) => {
        const mine = testable.filter((f) => f.from === s && !listening.get(f.to)?.error);
        if (!mine.length) return;
        const specs = mine.map((f) => {
          const t = byName.get(f.to)!;
          return f.proto === 'vrrp'
            ? `vrrp/${index.get(f.to)}/${t.address}`
            : `${f.proto}/${index.get(f.to)}/${t.address}/${f.port}`;
        });
        const h = byName.get(s)!;
        const cmd = [
          'command -v perl >/dev/null 2>&1 || exit 3',
          `install -d -m 0700 ${DIR}-probe`,
          `cat > ${DIR}-probe/probe.pl`,
          `perl ${DIR}-probe/probe.pl ${[nonce, index.get(s)!, CONNECT_SECONDS, ...specs].map((a) => shellQuote(String(a))).join(' ')}`,
          'rc=$?',
          `rm -rf ${DIR}-probe`,
          'exit $rc',
        ].join('\n');
        const r = await h.session.ssh
          .run(h.session.target, cmd, { sudo: true, stdin: PROBE_PL, timeoutMs: 120_000 })
          .catch((e: Error) => ({ exitCode: -1, stdout: '', stderr: e.message }));
        probes.set(
          s,
          r.exitCode === 3
            ? `!${noPerl(s)}`
            : r.exitCode === 0
              ? r.stdout
              : `!probes from ${s} failed: ${r.stderr.trim().slice(0, 200)}`,
        );
      }),
    );
    // UDP and VRRP datagrams may still be in flight when the last TCP probe returns.
    await new Promise((r) => setTimeout(r, 500));
    const received = new Map<string, Set<string>>();
    await Promise.all(
      targets.map(async (t) => {
        stopped.add(t);
        received.set(t, await stopListener(byName.get(t)!));
      }),
    );
    for (const f of testable) {
      const l = listening.get(f.to)!;
      if (l.error) {
        results.push(untested(f, l.error));
        continue;
      }
      const out = probes.get(f.from) ?? '';
      if (out.startsWith('!')) {
        results.push(untested(f, out.slice(1)));
        continue;
      }
      const src = index.get(f.from)!;
      const tgt = index.get(f.to)!;
      const busy = l.busy.get(keyOf(f.proto, f.port));
      if (f.proto === 'tcp') {
        const m = new RegExp(`^tcp ${tgt} ${f.port} (\\S+)(?: (.*))?$`, 'm').exec(out);
        const [state, rest] = [m?.[1], m?.[2] ?? ''];
        if (state === 'ok') {
          results.push({
            ...f,
            result: 'ok',
            detail: rest === 'keelson' ? 'connected' : 'connected (the port is held by another process)',
          });
        } else if (!state) results.push(untested(f, `no result from the probe on ${f.from}`));
        else if (state === 'refused' && busy !== undefined) {
          // The host itself answered (a reset): the path is open, but the port belongs to another process.
          results.push(
            untested(
              f,
              `${f.to} answers, but ${f.port}/tcp is held there by another process: see its ports check`,
            ),
          );
        } else if (state === 'error') results.push(untested(f, `the probe could not try it: ${rest}`));
        else {
          results.push({
            ...f,
            result: 'blocked',
            detail:
              state === 'timeout'
                ? `no answer within ${CONNECT_SECONDS} s: dropped on the way (a firewall DROP rule?)`
                : 'refused although Keelson’s listener was up: a firewall REJECT rule?',
          });
        }
        continue;
      }
      const error = new RegExp(`^${f.proto} ${tgt} ${f.port} error (.*)$`, 'm').exec(out);
      if (error) {
        results.push(untested(f, `the probe could not send: ${error[1]}`));
        continue;
      }
      if (busy !== undefined) {
        results.push(
          untested(
            f,
            `${f.to} could not listen on ${f.proto === 'vrrp' ? 'VRRP' : `${f.port}/udp`}: ${busy}`,
          ),
        );
        continue;
      }
      const arrived = received.get(f.to)?.has(`${f.proto}:${f.port}:${src}`);
      results.push(
        arrived
          ? { ...f, result: 'ok', detail: 'arrived' }
          : {
              ...f,
              result: 'blocked',
              detail: 'sent 3 times, none arrived: dropped on the way (a firewall rule?)',
            },
      );
    }
  } finally {
    // After a failure half-way: stop what was started (each also stops itself after LISTEN_SECONDS).
    for (const t of targets) if (!stopped.has(t)) void stopListener(byName.get(t)!);
  }
  return results;
}

/**
 * Before a deploy nothing may answer on the VIP: asked from hosts in its subnet, whether one of
 * them already has it, and whether anything answers ARP (or TCP) for it. `macs` names hosts by MAC.
 */
export async function checkVip(
  vip: string,
  port: number,
  askers: ReachHost[],
  macs: Map<string, string>,
  ownHolders: Set<string>,
): Promise<VipResult> {
  const script = [
    `vip=${shellQuote(vip)}`,
    'addrs=$(ip -o addr show)',
    'if vip="$vip" awk \'index($4, ENVIRON["vip"] "/") == 1 { found = 1 } END { exit !found }\' <<<"$addrs"; then echo "local yes"; fi',
    `if timeout 4 bash -c 'exec 3<>"/dev/tcp/$1/$2"' _ "$vip" ${shellQuote(String(port))} 2>/dev/null; then echo "connect open"; else echo "connect rc=$?"; fi`,
    'echo "neigh $(ip neigh show to "$vip" 2>/dev/null | head -1)"',
  ].join('\n');
  const answers = await Promise.all(
    askers.map(async (h) => {
      const r = await h.session.ssh
        .run(h.session.target, `bash -c ${shellQuote(script)}`, { timeoutMs: 30_000 })
        .catch(() => undefined);
      return { host: h.name, out: r?.stdout ?? '' };
    }),
  );
  for (const a of answers) {
    if (/^local yes$/m.test(a.out)) {
      return {
        address: vip,
        status: ownHolders.has(a.host) ? 'amber' : 'red',
        detail: `the VIP ${vip} is already configured on ${a.host}${ownHolders.has(a.host) ? ' (a keepalived host of this design: already deployed?)' : ''}`,
      };
    }
  }
  for (const a of answers) {
    const neigh = /^neigh (.*)$/m.exec(a.out)?.[1] ?? '';
    const mac = /lladdr ([0-9a-f:]+)/i.exec(neigh)?.[1]?.toLowerCase();
    const alive = mac && !/\b(FAILED|INCOMPLETE)\b/.test(neigh);
    const open = /^connect open$/m.test(a.out);
    if (alive || open) {
      const holder = mac ? macs.get(mac) : undefined;
      const own = holder !== undefined && ownHolders.has(holder);
      return {
        address: vip,
        status: own ? 'amber' : 'red',
        detail:
          `the VIP ${vip} already answers (seen from ${a.host}${mac ? `: ARP says ${mac}` : ''}${holder ? `, which is ${holder}` : ', a machine outside this design'})` +
          (own
            ? ': this design’s keepalived — already deployed?'
            : ': pick a free address, or remove it from that machine'),
      };
    }
  }
  return {
    address: vip,
    status: 'green',
    detail: `nothing answers on ${vip} (asked from ${answers.map((a) => a.host).join(', ')})`,
  };
}
