import { parseAllDocuments } from 'yaml';
import { describe, expect, test } from 'vitest';
import { generatePlan } from '../../../shared/plan/generate';
import type { Plan } from '../../../shared/plan/types';
import { PATTERNS, project, type FixtureOptions } from './fixtures';
import { allFiles, allSteps } from './helpers';

type Doc = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- parsed YAML, checked field by field

function docs(plan: Plan, pathPart: string): Doc[] {
  const f = allFiles(plan).find((x) => x.path.includes(pathPart));
  if (!f) throw new Error(`no ${pathPart} in plan`);
  return parseAllDocuments(f.content).map((d) => d.toJS() as Doc);
}
const kind = (list: Doc[], k: string): Doc => {
  const d = list.find((x) => x.kind === k);
  if (!d) throw new Error(`no ${k}`);
  return d;
};

const CP_IPS = ['10.77.0.11', '10.77.0.12', '10.77.0.13'];
const CRI = 'unix:///var/run/containerd/containerd.sock';

/** What the reference says controlPlaneEndpoint must be for each pattern in the fixtures. */
const EXPECTED_ENDPOINT: Record<string, string | RegExp> = {
  'keepalived-haproxy': '10.77.0.100:8443', // LB on the CPs: port ≠ 6443, endpoint VIP:8443
  'keepalived-nginx': '10.77.0.100:8443',
  'dedicated-lb': '10.77.0.100:6443', // keepalived pair on the LB hosts
  external: 'api.lab.example:6443',
  'kube-vip': '10.77.0.100:6443',
  'node-local': /^[a-z][a-z0-9.-]+:6443$/, // a name each node resolves to its own proxy/apiserver
};

describe('kubeadm configuration (kubeadm-ha.md "Config API")', () => {
  for (const pattern of PATTERNS)
    for (const etcd of ['stacked', 'external'] as const)
      for (const version of ['1.35', '1.37'])
        test(`${pattern}, ${etcd} etcd, ${version}`, () => {
          const options: FixtureOptions = { pattern, etcd, version };
          const plan = generatePlan(project(options), { keelsonVersion: 't' });
          const init = docs(plan, 'kubeadm-init.yaml');
          // v1beta4 for every maintained release: v1beta3 was removed in 1.36.
          const api = 'kubeadm.k8s.io/v1beta4';
          const initCfg = kind(init, 'InitConfiguration');
          const cluster = kind(init, 'ClusterConfiguration');
          expect(initCfg.apiVersion).toBe(api);
          expect(cluster.apiVersion).toBe(api);
          const expected = EXPECTED_ENDPOINT[pattern]!;
          if (typeof expected === 'string') expect(cluster.controlPlaneEndpoint).toBe(expected);
          else expect(cluster.controlPlaneEndpoint).toMatch(expected);
          const sans: string[] = cluster.apiServer.certSANs;
          for (const ip of CP_IPS) expect(sans).toContain(ip);
          if (pattern !== 'node-local' && pattern !== 'external') expect(sans).toContain('10.77.0.100');
          if (pattern === 'external') expect(sans).toContain('api.lab.example');
          if (pattern === 'node-local') {
            expect(sans).toEqual(
              expect.arrayContaining(['127.0.0.1', 'localhost', cluster.controlPlaneEndpoint.split(':')[0]]),
            );
          }
          expect(initCfg.nodeRegistration.criSocket).toBe(CRI);
          expect(initCfg.localAPIEndpoint).toEqual({ advertiseAddress: '10.77.0.11', bindPort: 6443 });
          expect(initCfg.bootstrapTokens[0].token).toBe('{{secret:bootstrap-token}}');
          expect(kind(init, 'KubeletConfiguration').cgroupDriver).toBe('systemd');
          const proxy = kind(init, 'KubeProxyConfiguration');
          expect(proxy.apiVersion).toBe('kubeproxy.config.k8s.io/v1alpha1');
          expect(proxy.mode).toBe('iptables');
          expect(initCfg.nodeRegistration.kubeletExtraArgs).toEqual([
            { name: 'node-ip', value: '10.77.0.11' },
          ]);
          expect(initCfg.timeouts).toBeDefined();
          if (etcd === 'external') {
            expect(cluster.etcd.external.endpoints).toEqual([
              'https://10.77.0.41:2379',
              'https://10.77.0.42:2379',
              'https://10.77.0.43:2379',
            ]);
          } else {
            expect(cluster.etcd).toBeUndefined();
          }
          // Every join goes through the endpoint, never through a node's own address.
          const joins = allSteps(plan).filter((s) => s.id.includes('kubeadm-join'));
          expect(joins).toHaveLength(4);
          for (const s of joins) {
            const join = kind(
              docs(
                { ...plan, phases: [{ id: s.phase, title: '', parallel: false, steps: [s] }] },
                'kubeadm-join.yaml',
              ),
              'JoinConfiguration',
            );
            expect(join.apiVersion).toBe(api);
            expect(join.discovery.bootstrapToken.apiServerEndpoint).toBe(cluster.controlPlaneEndpoint);
            expect(join.discovery.bootstrapToken.token).toBe('{{secret:bootstrap-token}}');
            expect(join.nodeRegistration.criSocket).toBe(CRI);
            expect(Array.isArray(join.nodeRegistration.kubeletExtraArgs)).toBe(true);
            if (s.phase === 'control-plane-join') {
              expect(join.controlPlane.certificateKey).toBe(`{{secret:certificate-key-${s.host}}}`);
            } else expect(join.controlPlane).toBeUndefined();
          }
          // No `--config` mixed with flags kubeadm refuses next to it.
          const init_ = allSteps(plan).find((s) => s.id.includes('kubeadm-init'))!;
          expect(init_.script).toMatch(/kubeadm init --config "\$config" --upload-certs/);
          expect(init_.script).not.toMatch(
            /--token|--certificate-key|--control-plane-endpoint|--pod-network-cidr/,
          );
        });

  test('ipvs with a VIP on the nodes: strictARP and the VIP excluded', () => {
    const plan = generatePlan(project({ pattern: 'keepalived-haproxy', kubeProxyMode: 'ipvs' }), {
      keelsonVersion: 't',
    });
    const proxy = kind(docs(plan, 'kubeadm-init.yaml'), 'KubeProxyConfiguration');
    expect(proxy.mode).toBe('ipvs');
    expect(proxy.ipvs).toEqual({ strictARP: true, excludeCIDRs: ['10.77.0.100/32'] });
  });

  test('a pinned patch release becomes kubernetesVersion; an unpinned one is read from the installed kubeadm', () => {
    const pinned = kind(
      docs(
        generatePlan(project({ pattern: 'kube-vip', version: '1.37.2' }), { keelsonVersion: 't' }),
        'kubeadm-init.yaml',
      ),
      'ClusterConfiguration',
    );
    expect(pinned.kubernetesVersion).toBe('v1.37.2');
    const plan = generatePlan(project({ pattern: 'kube-vip', version: '1.37' }), { keelsonVersion: 't' });
    expect(kind(docs(plan, 'kubeadm-init.yaml'), 'ClusterConfiguration').kubernetesVersion).toBe(
      '{{value:kubernetes-version}}',
    );
    const producer = allSteps(plan).find((s) => s.outputs?.some((o) => o.name === 'kubernetes-version'));
    expect(producer?.script).toContain('kubeadm version -o short');
  });
});
