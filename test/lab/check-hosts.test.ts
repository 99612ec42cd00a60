// `keelson check` on five Debian lab hosts over real SSH: a clean lab passes (no red) and the time
// it takes is printed; then faults made on purpose in lab hosts are each caught, on the right
// host, with the right fix, and the CLI exits non-zero.
//
// Two faults cannot be made for real here, and are not faked where the check reads them:
// - Swap ON: swap is kernel-wide, not per container — `swapon` in one lab host turns swap on for
//   this whole machine and every other engineer's lab hosts (and their os-prep turns it off
//   again). What a lab host can have on its own is a swap line left in /etc/fstab (swap that
//   returns at the next boot), which the same check reports; that is what is tested. The
//   swap-in-use branch reads /proc/swaps, which is the kernel's own and not faked.
// - A clock 10 minutes off: lab hosts share the machine's kernel clock. The check reads each
//   host's time with `date` as the login user finds it on PATH; on h1 a FAKE TIME SOURCE is put
//   first on PATH (/usr/local/bin/date, named so in its first comment line: the real clock
//   + 600 s). Everything else about the measurement (round trips, the median, the blame) is real.
import { spawn } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CheckReport } from '../../shared/check/report';
import { parseProject, serializeProject } from '../../shared/model/parse';
import type { ClusterProject } from '../../shared/model/cluster';
import { ensureBuilt } from '../unit/foundation/build-output';
import { tempWork } from './deploy-fixtures';
import { startLab, type Lab } from './lab';
import { bindTemplate } from './project';
import { sq } from './plan-runner';
import { must } from './run';

const FAKE_DATE = [
  '#!/bin/sh',
  '# keelson lab test: FAKE TIME SOURCE — the real clock + 600 s (lab hosts share the kernel clock)',
  'exec /usr/bin/date -d "now + 600 seconds" "$@"',
  '',
].join('\n');

function keelson(
  args: string[],
  env: Record<string, string>,
): Promise<{ code: number | null; out: string; err: string }> {
  const child = spawn(process.execPath, ['out/main/cli.js', ...args], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr.on('data', (c: Buffer) => (err += c.toString()));
  return new Promise((r) => child.once('exit', (code) => r({ code, out, err })));
}

describe('keelson check on lab hosts', () => {
  let lab: Lab;
  let work: string;
  let template: ClusterProject;
  let env: Record<string, string>;

  const writeProject = (name: string, edit: (p: ClusterProject) => ClusterProject = (p) => p) => {
    const file = join(work, `${name}.keelson.yaml`);
    writeFileSync(file, serializeProject(edit(bindTemplate(template, lab))));
    return file;
  };
  const check = async (file: string) => {
    const json = await keelson(['check', file, '--json', '--known-hosts', lab.knownHostsPath], env);
    if (json.err) console.log(json.err);
    return { code: json.code, report: JSON.parse(json.out) as CheckReport };
  };
  const cell = (r: CheckReport, host: string, check: string) =>
    r.results.find((x) => x.host === host && x.check === check);

  beforeAll(async () => {
    ensureBuilt();
    lab = await startLab({ hosts: 5, log: (l) => console.log(`lab: ${l}`) });
    work = tempWork();
    env = { KEELSON_HOME: join(work, 'home'), KEELSON_KNOWN_HOSTS: join(work, 'known_hosts') };
    const parsed = parseProject(readFileSync('resources/templates/keepalived-haproxy.keelson.yaml', 'utf8'));
    if (!parsed.ok) throw new Error('template does not parse');
    template = parsed.project;
  }, 300_000);

  afterAll(async () => {
    await lab?.stop();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it('a clean 5-host lab: nothing red, every flow arrives, the VIP is free; the time is printed', async () => {
    const file = writeProject('clean');
    const started = Date.now();
    const { code, report } = await check(file);
    const seconds = (Date.now() - started) / 1000;
    console.log(
      `keelson check, clean 5-host lab: ${seconds.toFixed(1)} s wall (report says ${(report.durationMs / 1000).toFixed(1)} s), ` +
        `${report.results.length} cells, ${report.reach?.flows.length} flows; ambers: ` +
        [
          ...new Set(
            report.results
              .filter((r) => r.status === 'amber')
              .map((r) => `${r.check} (${r.detail.slice(0, 60)})`),
          ),
        ].join('; '),
    );
    expect(code).toBe(0);
    expect(report.results.filter((r) => r.status === 'red')).toEqual([]);
    expect(report.hosts).toEqual(['cp1', 'cp2', 'cp3', 'worker1', 'worker2']);
    for (const h of report.hosts)
      for (const c of [
        'ssh',
        'sudo',
        'os',
        'arch',
        'address',
        'cpu-memory',
        'ports',
        'nameserver',
        'clock',
        'machine-id',
        'reach',
      ])
        expect(cell(report, h, c)?.status, `${h} ${c}`).toBe('green');
    const flows = report.reach!.flows;
    expect(flows.length).toBeGreaterThan(60);
    expect(flows.filter((f) => f.result !== 'ok')).toEqual([]);
    expect(flows.some((f) => f.proto === 'vrrp')).toBe(true);
    expect(flows.some((f) => f.proto === 'udp')).toBe(true);
    expect(report.reach!.vip).toMatchObject({ status: 'green' });
    // Read-only: nothing of the check stays behind on a host.
    expect(
      await lab.sh('h1', 'ls -A /run/keelson/outputs /run/keelson/reach 2>/dev/null | grep -v : || true'),
    ).toBe('');
  }, 180_000);

  it('faults made on purpose are each caught on the right host, with the fix; exit 1', async () => {
    const [h1, , h3] = lab.hosts;
    const fault = async (host: string, command: string) => {
      const r = await lab.exec(host, command);
      expect(r.code, `${host}: ${command}\n${r.stderr}`).toBe(0);
    };
    // cp2 (h2): port 6443 taken by a stranger.
    await fault(
      'h2',
      'setsid timeout 600 systemd-socket-activate -l 0.0.0.0:6443 -a --inetd cat </dev/null >/dev/null 2>&1 & echo $! > /root/fault-6443.pid; sleep 1',
    );
    // cp2 (h2): names no nameserver (CoreDNS would exit "no valid upstream addresses").
    const resolvConf = await lab.sh('h2', 'cat /etc/resolv.conf');
    await fault('h2', ': > /etc/resolv.conf');
    // cp3 (h3): a firewall rule dropping etcd's 2379 from cp1 (h1), in h3's own network namespace.
    await must('ip', ['netns', 'exec', h3!.netns, 'nft', '-f', '-'], {
      input: [
        'table inet keelson_test_fault {',
        '  chain input {',
        '    type filter hook input priority 0; policy accept;',
        `    ip saddr ${h1!.address} tcp dport 2379 drop`,
        '  }',
        '}',
        '',
      ].join('\n'),
    });
    // cp3 (h3) cloned from worker1 (h4): same machine-id.
    const id = (await lab.sh('h4', 'cat /etc/machine-id')).trim();
    const ownId = (await lab.sh('h3', 'cat /etc/machine-id')).trim();
    await fault('h3', `echo ${sq(id)} > /etc/machine-id`);
    // cp1 (h1): the FAKE TIME SOURCE (see the top of this file).
    await fault('h1', `printf '%s' ${sq(FAKE_DATE)} > /usr/local/bin/date && chmod 0755 /usr/local/bin/date`);
    // worker1 (h4): holds the VIP already; and a swap line left in /etc/fstab.
    const vip = bindTemplate(template, lab).spec.apiEndpoint.vip!;
    await fault('h4', `ip addr add ${vip}/24 dev eth0 && echo '/swapfile none swap sw 0 0' >> /etc/fstab`);
    // worker2 (h5): logs in as the sudo user `deploy`, whose sudo wants a password the design does not give.
    const file = writeProject('faults', (p) => ({
      ...p,
      spec: {
        ...p.spec,
        hosts: p.spec.hosts.map((h) =>
          h.name === 'worker2' ? { ...h, ssh: { ...h.ssh, user: 'deploy' } } : h,
        ),
      },
    }));
    try {
      const { code, report } = await check(file);
      expect(code).toBe(1);
      expect(report.verdict).toBe('red');
      const expectRed = (host: string, check: string, detail: RegExp, fix: RegExp) => {
        const c = cell(report, host, check);
        expect(c?.status, `${host} ${check}: ${JSON.stringify(c)}`).toBe('red');
        expect(c!.detail).toMatch(detail);
        expect(c!.fix).toMatch(fix);
      };
      expectRed('cp2', 'ports', /TCP port 6443 is in use/, /stop the process that holds it/);
      expectRed('cp2', 'nameserver', /\/etc\/resolv\.conf names no nameserver/, /add a nameserver line/);
      expectRed('cp1', 'reach', /→ cp3 2379\/tcp/, /open these in the firewalls/);
      const blocked = report.reach!.flows.filter((f) => f.result === 'blocked');
      expect(blocked.map((f) => `${f.from}>${f.to}:${f.port}`)).toEqual(['cp1>cp3:2379']);
      expect(blocked[0]!.detail).toMatch(/dropped/);
      expectRed('cp3', 'machine-id', /is the same on worker1/, /systemd-machine-id-setup/);
      expectRed('worker1', 'machine-id', /is the same on cp3/, /systemd-machine-id-setup/);
      expectRed('cp1', 'clock', /^\+10\.0 min/, /NTP/);
      for (const h of ['cp2', 'cp3', 'worker1']) expect(cell(report, h, 'clock')!.status, h).toBe('green');
      expectRed('worker2', 'sudo', /sudo asks for a password and none was given/, /sudo password/);
      expect(report.reach!.vip).toMatchObject({ status: 'red' });
      expect(report.reach!.vip!.detail).toMatch(
        new RegExp(`${vip.replace(/\./g, '\\.')} already answers .*which is worker1`),
      );
      expect(cell(report, 'worker1', 'swap')).toMatchObject({ status: 'amber' });
      expect(cell(report, 'worker1', 'swap')!.detail).toMatch(/\/etc\/fstab still has \/swapfile/);
      // Nothing else went red: each fault is blamed on its own host only.
      const reds = report.results.filter((r) => r.status === 'red').map((r) => `${r.host} ${r.check}`);
      expect(reds.sort()).toEqual(
        [
          'cp1 clock',
          'cp1 reach',
          'cp2 ports',
          'cp2 nameserver',
          'cp3 machine-id',
          'worker1 machine-id',
          'worker2 sudo',
        ].sort(),
      );
      // The text report says the same for a person.
      const text = await keelson(['check', file, '--known-hosts', lab.knownHostsPath, '--no-reach'], env);
      expect(text.code).toBe(1);
      expect(text.out).toMatch(/FAIL cp2 ports: TCP port 6443 is in use/);
      console.log(text.out);
    } finally {
      await lab.exec('h2', 'kill "$(cat /root/fault-6443.pid)"');
      await lab.exec('h2', 'cat > /etc/resolv.conf', { input: resolvConf });
      await must('ip', ['netns', 'exec', h3!.netns, 'nft', 'delete', 'table', 'inet', 'keelson_test_fault']);
      await lab.exec('h1', 'rm -f /usr/local/bin/date');
      await lab.exec('h4', `ip addr del ${vip}/24 dev eth0; sed -i '/^\\/swapfile /d' /etc/fstab`);
      await lab.exec('h3', `echo ${sq(ownId)} > /etc/machine-id`);
    }
  }, 240_000);
});
