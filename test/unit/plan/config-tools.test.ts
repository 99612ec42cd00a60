import { describe, expect, test } from 'vitest';
import { generatePlan } from '../../../shared/plan/generate';
import type { OsFamily } from '../../../shared/plan/context';
import { PATTERNS, project, type FixtureOptions } from './fixtures';
import { registerToolChecks, type NamedPlan } from './tool-checks';

// The matrix the brief asks for, plus the variants that change generated text.
const cases: { name: string; options: FixtureOptions; os: OsFamily }[] = [];
for (const pattern of PATTERNS)
  for (const etcd of ['stacked', 'external'] as const)
    for (const os of ['debian', 'rhel'] as const)
      for (const version of ['1.35', '1.37'])
        cases.push({ name: `${pattern}/${etcd}/${os}/${version}`, options: { pattern, etcd, version }, os });
for (const os of ['debian', 'rhel'] as const) {
  cases.push(
    { name: `dedicated-lb nginx/${os}`, options: { pattern: 'dedicated-lb', lbSoftware: 'nginx' }, os },
    {
      name: `unicast ipvs/${os}`,
      options: { pattern: 'keepalived-nginx', unicast: true, kubeProxyMode: 'ipvs' },
      os,
    },
    {
      name: `flannel mirror pinned/${os}`,
      options: { pattern: 'node-local', cni: 'flannel', mirror: true, version: '1.36.3' },
      os,
    },
    ...(['keepalived-haproxy', 'keepalived-nginx', 'dedicated-lb', 'node-local'] as const).map((pattern) => ({
      name: `ipv6 ${pattern}/${os}`,
      options: { pattern, ipv6: true, etcd: 'external' as const },
      os,
    })),
    { name: `ipv6 unicast/${os}`, options: { pattern: 'keepalived-nginx', ipv6: true, unicast: true }, os },
    {
      name: `kube-vip ipvs nftables/${os}`,
      options: { pattern: 'kube-vip', kubeProxyMode: 'nftables', version: '1.36' },
      os,
    },
  );
}

const plans: NamedPlan[] = cases.map((c) => ({
  name: c.name,
  plan: generatePlan(project(c.options), { keelsonVersion: '0.1.0-test', osFamily: c.os }),
}));

describe('generated configs pass the real tools', () => {
  test('the matrix covers all six patterns, both etcd modes, both families, 1.35 and 1.37', () => {
    expect(cases.length).toBeGreaterThanOrEqual(48);
  });

  registerToolChecks(plans, 50);
});
