import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { afterAll, describe, expect, test } from 'vitest';
import { exportPlan } from '../../../main/services/plan/export';
import { parseProject } from '../../../shared/model/parse';
import { ClusterProject } from '../../../shared/model/cluster';
import { PlanError } from '../../../shared/plan/errors';
import { generatePlan } from '../../../shared/plan/generate';
import type { Plan } from '../../../shared/plan/types';
import { checkProject } from '../../../shared/validation';
import { project, type FixtureOptions } from './fixtures';
import { allFiles, allSteps } from './helpers';

const work = mkdtempSync(join(tmpdir(), 'keelson-rules-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const gen = (p: ClusterProject): Plan => generatePlan(p, { keelsonVersion: 't' });
const edit = (o: FixtureOptions, change: (p: ClusterProject) => void): ClusterProject => {
  const p = project(o);
  change(p);
  return ClusterProject.parse(p);
};
const clusterConfig = (plan: Plan) =>
  parseAllDocuments(allFiles(plan).find((f) => f.path.endsWith('kubeadm-init.yaml'))!.content)
    .map((d) => d.toJS() as Record<string, any>) // eslint-disable-line @typescript-eslint/no-explicit-any -- parsed YAML
    .find((d) => d.kind === 'ClusterConfiguration')!;

describe('the planner refuses only what the validator refuses, with its findings', () => {
  test('an end-of-life version (the old nftables disagreement) and a bad address are refused by the validator', () => {
    for (const change of [
      (p: ClusterProject) => Object.assign(p.spec, { kubernetesVersion: '1.30' }),
      (p: ClusterProject) => (p.spec.hosts[1]!.address = '10.77.0.999'),
    ]) {
      const p = edit({ pattern: 'kube-vip', kubeProxyMode: 'nftables' }, change);
      const { findings, design } = checkProject(p);
      expect(design).toBeNull();
      const errors = findings.filter((f) => f.severity === 'error');
      expect(errors.length).toBeGreaterThan(0);
      let refusal: unknown;
      try {
        gen(p);
      } catch (error) {
        refusal = error;
      }
      expect(refusal).toBeInstanceOf(PlanError);
      expect((refusal as PlanError).findings).toEqual(errors);
    }
    expect(
      (() => {
        try {
          return gen(edit({ pattern: 'kube-vip' }, (p) => (p.spec.hosts[1]!.address = '10.77.0.999')));
        } catch (error) {
          return (error as PlanError).path;
        }
      })(),
    ).toBe('spec.hosts[1]');
  });

  test('a design with no hosts validates (a warning) and plans to nothing', () => {
    const p = edit({ pattern: 'node-local', controlPlanes: 0, workers: 0 }, () => {});
    expect(checkProject(p).findings.map((f) => f.code)).toEqual(['NO_HOSTS']);
    expect(gen(p).phases).toEqual([]);
  });
});

describe('the validator normalizes once; the plan uses its reading', () => {
  test('dedicated-lb with one lb host and keepalived on: that host holds the VIP the endpoint names', () => {
    const p = edit({ pattern: 'dedicated-lb' }, (x) => {
      x.spec.hosts = x.spec.hosts.filter((h) => h.name !== 'lb2');
    });
    const plan = gen(p);
    expect(clusterConfig(plan).controlPlaneEndpoint).toBe('10.77.0.100:6443');
    expect(allSteps(plan).some((s) => s.id.includes('keepalived') && s.host === 'lb1')).toBe(true);
  });

  test('dedicated-lb without keepalived ignores the VIP (VIP_IGNORED) and points at the lb host', () => {
    const p = edit({ pattern: 'dedicated-lb' }, (x) => {
      x.spec.hosts = x.spec.hosts.filter((h) => h.name !== 'lb2');
      x.spec.apiEndpoint.lbKeepalived = false;
    });
    expect(checkProject(p).findings.map((f) => f.code)).toContain('VIP_IGNORED');
    const plan = gen(p);
    expect(clusterConfig(plan).controlPlaneEndpoint).toBe('10.77.0.31:6443');
    expect(allSteps(plan).some((s) => s.id.includes('keepalived'))).toBe(false);
  });

  test('a DNS name written with capitals and a trailing dot reaches kubeadm as a name its certSANs accept', () => {
    const plan = gen(edit({ pattern: 'kube-vip' }, (x) => (x.spec.apiEndpoint.dnsName = 'API.Lab.Example.')));
    const cluster = clusterConfig(plan);
    expect(cluster.controlPlaneEndpoint).toBe('api.lab.example:6443');
    expect(cluster.apiServer.certSANs).toContain('api.lab.example');
    expect(cluster.apiServer.certSANs).not.toContain('API.Lab.Example.');
  });

  test("kubeadm's clusterName is the free-text name made a DNS label; the record keeps both", () => {
    const plan = gen(edit({ pattern: 'kube-vip' }, (x) => (x.metadata.name = 'HA demo (Prod) #2')));
    expect(clusterConfig(plan).clusterName).toBe('ha-demo-prod-2');
    expect(plan.cluster).toBe('HA demo (Prod) #2');
    const topology = allFiles(plan).find((f) => f.path.endsWith('topology-configmap.yaml'))!.content;
    expect(topology).toContain('"clusterName": "ha-demo-prod-2"');
  });

  test('haproxy names its backend servers after the control-plane hosts', () => {
    const p = edit({ pattern: 'keepalived-haproxy' }, (x) => {
      ['master-a', 'master-b', 'master-c'].forEach((name, i) => (x.spec.hosts[i]!.name = name));
    });
    const cfg = allFiles(gen(p)).find((f) => f.path === '/etc/haproxy/haproxy.cfg')!.content;
    expect(cfg).toContain('server master-a 10.77.0.11:6443 check verify none');
    expect(cfg).toContain('server master-c 10.77.0.13:6443 check verify none');
    expect(cfg).not.toMatch(/server cp\d/);
  });
});

describe("each host's route is in the plan and in its export", () => {
  test('node-local-bastion: every host behind the bastion says so, the bastion is direct', async () => {
    const parsed = parseProject(
      readFileSync(join(__dirname, '../../../resources/templates/node-local-bastion.keelson.yaml'), 'utf8'),
    );
    if (!parsed.ok) throw new Error('template does not parse');
    const plan = gen(parsed.project);
    const bastion = parsed.project.spec.hosts.find((h) => h.roles.includes('bastion'))!;
    for (const host of plan.hosts) {
      const expected = host.name === bastion.name ? [] : [bastion.name];
      expect(host.route, host.name).toEqual(expected);
    }
    const folder = join(work, 'bastion-plan');
    await exportPlan(plan, folder, { overwrite: false });
    const readme = readFileSync(join(folder, 'README.md'), 'utf8');
    expect(readme).toContain('## Hosts and how Keelson reaches them');
    expect(readme).toMatch(
      new RegExp(`\\| cp1 \\| [0-9.]+ \\| control-plane \\| debian \\| .* \\| via ${bastion.name} \\|`),
    );
    expect(readme).toMatch(new RegExp(`\\| ${bastion.name} \\| [0-9.]+ \\| bastion \\| .* \\| direct \\|`));
    expect(JSON.parse(readFileSync(join(folder, 'plan.json'), 'utf8')).hosts).toEqual(plan.hosts);
  });

  test('a chain of bastions is listed first hop first', () => {
    const p = edit({ pattern: 'kube-vip' }, (x) => {
      const bastion = (name: string, address: string, via?: string) => ({
        ...structuredClone(x.spec.hosts[0]!),
        name,
        address,
        roles: ['bastion' as const],
        ssh: { ...structuredClone(x.spec.hosts[0]!.ssh), ...(via ? { via } : {}) },
      });
      x.spec.hosts.push(bastion('outer', '10.77.0.2'), bastion('inner', '10.77.0.3', 'outer'));
      x.spec.hosts[0]!.ssh.via = 'inner';
    });
    expect(gen(p).hosts.find((h) => h.name === 'cp1')!.route).toEqual(['outer', 'inner']);
  });
});
