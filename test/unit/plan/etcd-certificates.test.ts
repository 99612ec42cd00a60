import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { generatePlan } from '../../../shared/plan/generate';
import { ETCD_CA_DAYS, ETCD_CERT_DAYS, ETCD_EXPIRY_FILE } from '../../../shared/plan/etcd';
import { project } from './fixtures';
import { allFiles, allSteps } from './helpers';

const plan = (etcd: 'stacked' | 'external') =>
  generatePlan(project({ pattern: 'keepalived-haproxy', etcd }), { keelsonVersion: 't' });

describe('external etcd certificates: a lifetime that fits no renewal by kubeadm, and a recorded expiry', () => {
  test('leaves last 5 years, the CA 10, and the plan says so', () => {
    expect([ETCD_CERT_DAYS, ETCD_CA_DAYS]).toEqual([1825, 3650]);
    const steps = allSteps(plan('external')).filter((s) => s.phase === 'external-etcd');
    const signing = steps.filter((s) => s.script.includes('openssl x509 -req'));
    expect(signing.length).toBe(5); // CA host's health client, 3 members, the apiserver client
    for (const s of signing) {
      expect(s.script, s.id).toContain(`-days ${ETCD_CERT_DAYS} `);
      expect(s.script, s.id).not.toContain('-days 365 ');
      expect(s.description, s.id).toContain(`${ETCD_CERT_DAYS} days`);
    }
    expect(steps.find((s) => s.id === 'external-etcd/ca/etcd1')!.script).toContain(`-days ${ETCD_CA_DAYS} `);
  });

  test('the expiry step reads every certificate as served, and post-install keeps it in the cluster record', () => {
    const p = plan('external');
    const expiry = allSteps(p).find((s) => s.id === 'external-etcd/expiry/cp1')!;
    expect(expiry.check).toBeUndefined(); // always re-read: the record must be current
    expect(expiry.outputs?.map((o) => o.name)).toEqual(['etcd-certificates-not-after']);
    for (const member of ['etcd1', 'etcd2', 'etcd3'])
      for (const [port, kind] of [
        [2379, 'server'],
        [2380, 'peer'],
      ] as const)
        expect(expiry.script).toContain(`'${member}.${kind}=10.77.0.4${member.at(-1)}:${port}'`);
    const topology = allSteps(p).find((s) => s.id === 'post-install/topology/cp1')!;
    expect(topology.script).toContain('patch configmap keelson-topology');
    expect(topology.script).toContain('etcd-certificates-not-after');
    const record = allFiles(p).find((f) => f.path.endsWith('topology-configmap.yaml'))!.content;
    expect(record).toContain('"caValidityDays": 3650');

    const stacked = plan('stacked');
    expect(allSteps(stacked).some((s) => s.id.startsWith('external-etcd/'))).toBe(false);
    expect(allSteps(stacked).find((s) => s.id === 'post-install/topology/cp1')!.script).not.toContain(
      'etcd-certificates',
    );
  });

  test('post-install takes a real expiry record into the ConfigMap patch, and refuses anything else', () => {
    const topology = allSteps(plan('external')).find((s) => s.id === 'post-install/topology/cp1')!;
    const lines = topology.script.split('\n');
    const from = lines.findIndex((l) => l.startsWith('record=$(cat'));
    const to = lines.findIndex((l) => l.startsWith('patch=$(printf'));
    // The record check and the JSON it makes, run by bash; kubectl is not part of it.
    const dir = mkdtempSync(join(tmpdir(), 'keelson-expiry-'));
    try {
      const run = (record: string) => {
        const file = join(dir, 'record');
        writeFileSync(file, record);
        const script = [
          'set -euo pipefail',
          ...lines.slice(from, to + 1).map((l) => l.replace(`'${ETCD_EXPIRY_FILE}'`, `'${file}'`)),
          'printf %s "$patch"',
        ].join('\n');
        return spawnSync('bash', ['-c', script], { encoding: 'utf8' });
      };
      // As the first real lab cluster's expiry step wrote it (it was refused then).
      const real =
        'ca=2036-11-27T07:29:13Z apiserver-etcd-client=2031-11-29T07:33:28Z etcd1.server=2031-11-29T07:29:26Z ' +
        'etcd1.peer=2031-11-29T07:29:28Z etcd2.server=2031-11-29T07:29:27Z';
      const ok = run(real);
      expect(ok.stderr).toBe('');
      expect(JSON.parse(ok.stdout)).toEqual({ data: { 'etcd-certificates-not-after': real } });
      for (const hostile of [
        'ca=2036-11-27T07:29:13Z"}}',
        'ca=2036-11-27T07:29:13Z\nx=2036-11-27T07:29:13Z',
        'ca=$(reboot)',
        'ca=2036-11-27T07:29:13Z  etcd1.peer=2031-11-29T07:29:28Z',
        '',
      ]) {
        const r = run(hostile);
        expect(r.status, JSON.stringify(hostile)).not.toBe(0);
        expect(r.stderr).toContain('unexpected certificate record');
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
