/**
 * The host check's report: hosts × checks, each green / amber / red with what was found and the
 * fix, plus the clock offsets between hosts and the all-pairs reachability matrix. Pure data and
 * pure functions: the CLI, the contract and the Check hosts view all read the same shape.
 */
export type CheckStatus = 'green' | 'amber' | 'red';

export interface HostCheckResult {
  host: string;
  /** Column of the report: ssh, sudo, os, arch, … (CHECK_COLUMNS). */
  check: string;
  status: CheckStatus;
  detail: string;
  fix?: string;
}

export type FlowProto = 'tcp' | 'udp' | 'vrrp';

/** One kind of traffic the design needs between two hosts (shared/check/flows.ts). */
export interface Flow {
  from: string;
  to: string;
  proto: FlowProto;
  /** 0 for VRRP (IP protocol 112 has no port). */
  port: number;
  /** Why the design needs it, e.g. "etcd peers", "kubelet API". */
  why: string;
}

export interface FlowResult extends Flow {
  /** ok: arrived; blocked: dropped or rejected on the way; untested: could not be tried (the detail says why). */
  result: 'ok' | 'blocked' | 'untested';
  detail: string;
}

export interface ClockSample {
  host: string;
  /** Host clock minus the workstation's, ms, from the sample with the shortest round trip. */
  offsetMs: number;
  /** Half that round trip: the offset is known to ± this. */
  uncertaintyMs: number;
}

export interface CheckReport {
  cluster: string;
  startedAt: number;
  durationMs: number;
  /** Hosts in design order (bastions only passed through are not checked). */
  hosts: string[];
  /** Check ids that appear, in column order. */
  columns: string[];
  results: HostCheckResult[];
  clock: ClockSample[];
  /** null when reachability was not tested (a host could not be reached, or it was left out). */
  reach: { flows: FlowResult[]; vip: { address: string; status: CheckStatus; detail: string } | null } | null;
  verdict: CheckStatus;
}

/** The report's columns in the order a person reads them. */
export const CHECK_COLUMNS = [
  'ssh',
  'sudo',
  'os',
  'arch',
  'commands',
  'address',
  'cpu-memory',
  'cgroup',
  'service-route',
  'nameserver',
  'swap',
  'kernel',
  'ports',
  'leftovers',
  'disk',
  'time-sync',
  'clock',
  'hostname',
  'machine-id',
  'product-uuid',
  'mac',
  'reach',
] as const;

export const CHECK_TITLES: Record<string, string> = {
  ssh: 'SSH (route)',
  sudo: 'sudo',
  os: 'OS',
  arch: 'arch',
  commands: 'commands',
  address: 'address',
  'cpu-memory': 'CPU / memory',
  cgroup: 'cgroup',
  'service-route': 'Service route',
  nameserver: 'nameserver',
  swap: 'swap',
  kernel: 'kernel',
  ports: 'ports free',
  leftovers: 'leftovers',
  disk: 'disk',
  'time-sync': 'NTP',
  clock: 'clock offset',
  hostname: 'hostname',
  'machine-id': 'machine-id',
  'product-uuid': 'product_uuid',
  mac: 'MAC',
  reach: 'reachability',
};

const LINE = /^keelson-check: ([a-z][a-z0-9-]*) (green|amber|red) — (.*?)(?: \| fix: (.*))?$/;

/** The `keelson-check:` lines a preflight script printed (shared/plan/preflight.ts), in order. */
export function parseCheckLines(host: string, output: string): HostCheckResult[] {
  const out: HostCheckResult[] = [];
  for (const line of output.split('\n')) {
    const m = LINE.exec(line.trimEnd());
    if (!m) continue;
    out.push({
      host,
      check: m[1]!,
      status: m[2] as CheckStatus,
      detail: m[3]!,
      ...(m[4] ? { fix: m[4] } : {}),
    });
  }
  return out;
}

const RANK: Record<CheckStatus, number> = { green: 0, amber: 1, red: 2 };
export const worst = (statuses: Iterable<CheckStatus>): CheckStatus => {
  let w: CheckStatus = 'green';
  for (const s of statuses) if (RANK[s] > RANK[w]) w = s;
  return w;
};

/** Several lines of one check on one host (e.g. two ports) make one cell: the worst, details joined. */
export function mergeCells(results: HostCheckResult[]): HostCheckResult[] {
  const cells = new Map<string, HostCheckResult[]>();
  for (const r of results) {
    const key = `${r.host}\u0000${r.check}`;
    cells.set(key, [...(cells.get(key) ?? []), r]);
  }
  return [...cells.values()].map((list) => {
    const status = worst(list.map((r) => r.status));
    const shown = list.filter((r) => r.status === status);
    const fixes = [...new Set(shown.flatMap((r) => (r.fix ? [r.fix] : [])))];
    return {
      host: list[0]!.host,
      check: list[0]!.check,
      status,
      detail: shown.map((r) => r.detail).join('; '),
      ...(fixes.length ? { fix: fixes.join('; ') } : {}),
    };
  });
}

const UNIQUE_FIX: Record<string, string> = {
  hostname: 'give each host its own name: hostnamectl set-hostname NAME',
  'machine-id':
    'a cloned VM: rm -f /etc/machine-id /var/lib/dbus/machine-id && systemd-machine-id-setup, then reboot',
  'product-uuid': 'a cloned VM: give it a new UUID in the hypervisor (kubeadm refuses duplicates)',
  mac: 'a cloned VM: give its network card a new MAC address in the hypervisor',
};

/**
 * kubeadm refuses nodes sharing a hostname, product_uuid or MAC, and a duplicated machine-id
 * breaks journald and DHCP: every host holding a value another one holds too is red, naming
 * the others.
 */
export function uniquenessResults(values: { host: string; key: string; value: string }[]): HostCheckResult[] {
  const out: HostCheckResult[] = [];
  const byKey = new Map<string, { host: string; value: string }[]>();
  for (const v of values) byKey.set(v.key, [...(byKey.get(v.key) ?? []), v]);
  for (const [key, list] of byKey) {
    for (const v of list) {
      const same = list.filter((o) => o.host !== v.host && o.value === v.value).map((o) => o.host);
      const unavailable = v.value.startsWith('unavailable-');
      out.push(
        same.length && !unavailable
          ? {
              host: v.host,
              check: key,
              status: 'red',
              detail: `${key} ${v.value} is the same on ${same.join(', ')}`,
              fix: UNIQUE_FIX[key] ?? `give every host its own ${key}`,
            }
          : {
              host: v.host,
              check: key,
              status: 'green',
              detail: unavailable ? `${key} not readable here` : `${v.value} (unique)`,
            },
      );
    }
  }
  return out;
}

/** Offsets beyond these between hosts: etcd warns past 1 s; certificates and tokens fail on minutes. */
export const CLOCK_AMBER_MS = 1_000;
export const CLOCK_RED_MS = 30_000;

/**
 * Each host's clock against the others: its offset from the median host (so one wrong clock is
 * blamed, not all), less what the measurement cannot tell apart (the round trips).
 */
export function clockResults(samples: ClockSample[]): HostCheckResult[] {
  if (samples.length === 0) return [];
  const sorted = [...samples].sort((a, b) => a.offsetMs - b.offsetMs);
  const median = sorted[Math.floor((sorted.length - 1) / 2)]!;
  return samples.map((s) => {
    const diff = s.offsetMs - median.offsetMs;
    const sure = Math.max(0, Math.abs(diff) - s.uncertaintyMs - median.uncertaintyMs);
    const what = `${diff >= 0 ? '+' : '−'}${formatMs(Math.abs(diff))} from the other hosts' median (± ${formatMs(s.uncertaintyMs + median.uncertaintyMs)})`;
    const fix =
      'synchronize the clock with NTP (chrony or systemd-timesyncd) against the same servers as the other hosts';
    if (sure > CLOCK_RED_MS) return { host: s.host, check: 'clock', status: 'red', detail: what, fix };
    if (sure > CLOCK_AMBER_MS) return { host: s.host, check: 'clock', status: 'amber', detail: what, fix };
    return { host: s.host, check: 'clock', status: 'green', detail: what };
  });
}

function formatMs(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 120_000) return `${(ms / 1000).toFixed(1)} s`;
  return `${(ms / 60_000).toFixed(1)} min`;
}

/** Blocked flows as one cell per source host, so the table says which host to look at. */
export function reachResults(hosts: string[], flows: FlowResult[]): HostCheckResult[] {
  return hosts.map((host) => {
    const mine = flows.filter((f) => f.from === host);
    const blocked = mine.filter((f) => f.result === 'blocked');
    const untested = mine.filter((f) => f.result === 'untested');
    if (blocked.length) {
      return {
        host,
        check: 'reach',
        status: 'red',
        detail: `${blocked.length} of ${mine.length} blocked: ${blocked
          .slice(0, 4)
          .map((f) => `→ ${f.to} ${flowLabel(f)}`)
          .join(', ')}${blocked.length > 4 ? ', …' : ''}`,
        fix: 'open these in the firewalls between the hosts (nft/iptables/firewalld, cloud security groups)',
      };
    }
    if (untested.length) {
      return {
        host,
        check: 'reach',
        status: 'amber',
        detail: `${untested.length} of ${mine.length} not tested: ${untested[0]!.detail}`,
      };
    }
    return { host, check: 'reach', status: 'green', detail: `${mine.length} flows reach their targets` };
  });
}

export const flowLabel = (f: Pick<Flow, 'proto' | 'port'>): string =>
  f.proto === 'vrrp' ? 'VRRP (IP proto 112)' : `${f.port}/${f.proto}`;

/** Puts the pieces together; the verdict is the worst cell (and the VIP). */
export function assembleReport(input: Omit<CheckReport, 'columns' | 'verdict'>): CheckReport {
  const results = mergeCells(input.results);
  const present = new Set(results.map((r) => r.check));
  const columns = [
    ...CHECK_COLUMNS.filter((c) => present.has(c)),
    ...[...present].filter((c) => !(CHECK_COLUMNS as readonly string[]).includes(c)),
  ];
  const verdict = worst([
    ...results.map((r) => r.status),
    ...(input.reach?.vip ? [input.reach.vip.status] : []),
  ]);
  return { ...input, results, columns, verdict };
}

/** The blocked pairs as a matrix (rows: from, columns: to), each cell listing what is blocked. */
export function blockedMatrix(report: CheckReport): { hosts: string[]; cells: Map<string, string[]> } {
  const cells = new Map<string, string[]>();
  for (const f of report.reach?.flows ?? []) {
    if (f.result !== 'blocked') continue;
    const key = `${f.from}\u0000${f.to}`;
    cells.set(key, [...(cells.get(key) ?? []), flowLabel(f)]);
  }
  return { hosts: report.hosts, cells };
}
