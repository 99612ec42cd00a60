import { ClusterProject, EndpointPattern } from '../../../shared/model/cluster';

/** Every pattern the schema knows, so a new one is planned and tool-checked automatically. */
export const PATTERNS: readonly EndpointPattern[] = EndpointPattern.options;

export interface FixtureOptions {
  pattern: EndpointPattern;
  etcd?: 'stacked' | 'external';
  version?: string;
  lbSoftware?: 'haproxy' | 'nginx';
  controlPlanes?: number;
  workers?: number;
  unicast?: boolean;
  kubeProxyMode?: 'iptables' | 'nftables' | 'ipvs';
  cni?: 'calico' | 'flannel';
  mirror?: boolean;
  /** IPv6 single stack: hosts in fd77::/64, IPv6 VIP, pod and service ranges. */
  ipv6?: boolean;
}

/** A project as a user would write it (validated by the real schema), 10.77.0.0/24 (or fd77::/64) lab-style addresses. */
export function project(o: FixtureOptions): ClusterProject {
  const cps = o.controlPlanes ?? 3;
  // Host N of the lab: 10.77.0.N, or fd77::N (hex digits read the same below 100).
  const addr = (n: number) => (o.ipv6 ? `fd77::${n}` : `10.77.0.${n}`);
  const workers = o.workers ?? 2;
  const hosts: unknown[] = [];
  for (let i = 1; i <= cps; i++)
    hosts.push({ name: `cp${i}`, address: addr(10 + i), roles: ['control-plane'] });
  for (let i = 1; i <= workers; i++) hosts.push({ name: `w${i}`, address: addr(20 + i), roles: ['worker'] });
  if (o.pattern === 'dedicated-lb') {
    hosts.push(
      { name: 'lb1', address: addr(31), roles: ['lb'] },
      { name: 'lb2', address: addr(32), roles: ['lb'] },
    );
  }
  if (o.etcd === 'external') {
    for (let i = 1; i <= 3; i++) hosts.push({ name: `etcd${i}`, address: addr(40 + i), roles: ['etcd'] });
  }
  const onCps = o.pattern === 'keepalived-haproxy' || o.pattern === 'keepalived-nginx';
  return ClusterProject.parse({
    apiVersion: 'keelson.dev/v1alpha1',
    kind: 'Cluster',
    metadata: { name: 'lab' },
    spec: {
      kubernetesVersion: o.version ?? '1.35',
      hosts,
      apiEndpoint: {
        pattern: o.pattern,
        ...(o.pattern === 'node-local'
          ? {}
          : o.pattern === 'external'
            ? { dnsName: 'api.lab.example' }
            : { vip: addr(100) }),
        port: onCps ? 8443 : 6443,
        lbSoftware: o.lbSoftware ?? 'haproxy',
        vrrp: { routerId: 51, interface: 'eth0', unicast: o.unicast ?? false, authPassRef: 'lab-vrrp' },
      },
      etcd: { mode: o.etcd ?? 'stacked' },
      networking: {
        podCidr: o.ipv6 ? 'fd00:10:244::/56' : '10.244.0.0/16',
        serviceCidr: o.ipv6 ? 'fd00:10:96::/112' : '10.96.0.0/12',
        cni: o.cni ?? 'calico',
        kubeProxyMode: o.kubeProxyMode ?? 'iptables',
      },
      packages: o.mirror
        ? { source: 'mirror', mirrorUrl: 'http://10.77.0.1:8080/mirror' }
        : { source: 'online' },
      containerd: { major: '2' },
    },
  });
}
