import { spawnSync } from 'node:child_process';
import { describe, expect, test } from 'vitest';
import { designFlows } from '../../../shared/check/flows';
import {
  assembleReport,
  clockResults,
  parseCheckLines,
  reachResults,
  uniquenessResults,
  type FlowResult,
} from '../../../shared/check/report';
import { generatePlan } from '../../../shared/plan/generate';
import { checkProject } from '../../../shared/validation';
import { reportText } from '../../../main/cli/check-text';
import { project } from '../plan/fixtures';

const design = (o: Parameters<typeof project>[0]) => checkProject(project(o)).design!;

describe('the preflight script reports every check, and the report reads its lines', () => {
  test('a host with two problems gets both reported, and the step fails with the first', () => {
    const plan = generatePlan(project({ pattern: 'keepalived-haproxy' }), { keelsonVersion: 't' });
    const w1 = plan.phases[0]!.steps.find((s) => s.host === 'w1')!;
    // This machine is not 10.77.0.21 (address red); its swap and ports are whatever they are.
    const r = spawnSync('unshare', ['-m', 'bash', '-c', `mount -t tmpfs none /run\n${w1.script}`], {
      encoding: 'utf8',
    });
    const lines = parseCheckLines('w1', r.stdout);
    const ids = lines.map((l) => l.check);
    for (const id of [
      'os',
      'arch',
      'commands',
      'address',
      'cpu-memory',
      'swap',
      'kernel',
      'ports',
      'leftovers',
      'disk',
      'time-sync',
    ])
      expect(ids, id).toContain(id);
    const address = lines.find((l) => l.check === 'address')!;
    expect(address).toMatchObject({
      status: 'red',
      detail: 'address 10.77.0.21 is not configured on this host',
    });
    expect(address.fix).toContain("correct the host's address");
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('keelson: address 10.77.0.21 is not configured on this host');
  });

  test('lines from other output are ignored; the fix is optional', () => {
    expect(
      parseCheckLines(
        'h',
        'noise\nkeelson-check: swap amber — swap in use (5 kB) | fix: swapoff -a\nkeelson-check: arch green — x86_64\n',
      ),
    ).toEqual([
      { host: 'h', check: 'swap', status: 'amber', detail: 'swap in use (5 kB)', fix: 'swapoff -a' },
      { host: 'h', check: 'arch', status: 'green', detail: 'x86_64' },
    ]);
  });
});

describe('across hosts', () => {
  test('a cloned machine-id is red on both hosts, naming the other; unique values are green', () => {
    const r = uniquenessResults([
      { host: 'a', key: 'machine-id', value: 'x1' },
      { host: 'b', key: 'machine-id', value: 'x2' },
      { host: 'c', key: 'machine-id', value: 'x1' },
    ]);
    expect(r.find((x) => x.host === 'a')).toMatchObject({
      status: 'red',
      detail: 'machine-id x1 is the same on c',
    });
    expect(r.find((x) => x.host === 'c')!.fix).toContain('systemd-machine-id-setup');
    expect(r.find((x) => x.host === 'b')!.status).toBe('green');
  });

  test('one clock 10 minutes off is blamed alone; round-trip uncertainty is not counted against a host', () => {
    const r = clockResults([
      { host: 'a', offsetMs: 20, uncertaintyMs: 5 },
      { host: 'b', offsetMs: 25, uncertaintyMs: 5 },
      { host: 'c', offsetMs: 600_020, uncertaintyMs: 5 },
      { host: 'd', offsetMs: 1_400, uncertaintyMs: 600 },
    ]);
    expect(r.map((x) => x.status)).toEqual(['green', 'green', 'red', 'green']);
    expect(r[2]!.detail).toMatch(/^\+10\.0 min/);
  });

  test('blocked flows are red on their source host, with where to', () => {
    const flows: FlowResult[] = [
      { from: 'a', to: 'b', proto: 'tcp', port: 2379, why: 'etcd', result: 'blocked', detail: 'dropped' },
      { from: 'a', to: 'c', proto: 'udp', port: 4789, why: 'overlay', result: 'ok', detail: 'arrived' },
      { from: 'b', to: 'a', proto: 'vrrp', port: 0, why: 'vrrp', result: 'ok', detail: 'arrived' },
    ];
    const r = reachResults(['a', 'b', 'c'], flows);
    expect(r[0]).toMatchObject({ host: 'a', status: 'red', detail: '1 of 2 blocked: → b 2379/tcp' });
    expect(r[1]!.status).toBe('green');
    const report = assembleReport({
      cluster: 'x',
      startedAt: 0,
      durationMs: 1000,
      hosts: ['a', 'b', 'c'],
      results: r,
      clock: [],
      reach: { flows, vip: { address: '10.0.0.9', status: 'green', detail: 'nothing answers' } },
    });
    expect(report.verdict).toBe('red');
    const text = reportText(report);
    expect(text).toContain('a → b 2379/tcp (etcd): dropped');
    expect(text).toMatch(/blocked \(from ↓ to →\):\n\s+b\n\s+a\s+2379\/tcp/);
    expect(text).toContain('FAIL: 3 hosts checked');
  });
});

describe("the design's traffic", () => {
  test('keepalived + haproxy, 3 control planes, 2 workers, calico', () => {
    const flows = designFlows(design({ pattern: 'keepalived-haproxy' }));
    const has = (from: string, to: string, proto: string, port: number) =>
      flows.some((f) => f.from === from && f.to === to && f.proto === proto && f.port === port);
    for (const [a, b] of [
      ['cp1', 'cp2'],
      ['cp3', 'cp1'],
    ]) {
      for (const port of [2379, 2380, 6443]) expect(has(a!, b!, 'tcp', port), `${a}→${b}:${port}`).toBe(true);
      expect(has(a!, b!, 'vrrp', 0)).toBe(true);
    }
    expect(
      has('w1', 'cp2', 'tcp', 6443) && has('w1', 'cp2', 'tcp', 10250) && has('cp2', 'w1', 'tcp', 10250),
    ).toBe(true);
    expect(has('w1', 'w2', 'udp', 4789) && has('w2', 'w1', 'udp', 4789)).toBe(true);
    expect(flows.some((f) => f.proto === 'vrrp' && f.from.startsWith('w'))).toBe(false);
    expect(has('w1', 'w2', 'tcp', 2379)).toBe(false);
    expect(flows.some((f) => f.from === f.to)).toBe(false);
    // The API endpoint: haproxy's front-end port on every control plane, from every node.
    const lbPort = checkProject(project({ pattern: 'keepalived-haproxy' })).design!.proxy!.port;
    expect(has('w2', 'cp3', 'tcp', lbPort)).toBe(true);
  });

  test('flannel uses 8472/udp; external etcd adds its members and the apiservers’ clients', () => {
    const flows = designFlows(design({ pattern: 'kube-vip', etcd: 'external', cni: 'flannel' }));
    expect(flows.some((f) => f.proto === 'udp' && f.port === 8472)).toBe(true);
    expect(flows.some((f) => f.from === 'etcd1' && f.to === 'etcd2' && f.port === 2380)).toBe(true);
    expect(flows.some((f) => f.from === 'cp1' && f.to === 'etcd3' && f.port === 2379)).toBe(true);
    expect(flows.some((f) => f.from === 'cp1' && f.to === 'cp2' && f.port === 2380)).toBe(false);
  });
});
