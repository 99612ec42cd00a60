import fc from 'fast-check';
import { KUBERNETES_RELEASES } from '../../../shared/kubernetes/releases';
import { EndpointPattern, type ClusterProjectInput } from '../../../shared/model/cluster';

/**
 * Designs a person would plausibly draw: mostly sound, each with a few ways to be wrong
 * (a VIP outside the subnet, 6443 on the control planes, a stale version, a missing mirror URL…),
 * so that a good share validates clean and the rest exercises the validator's edges. Covers every
 * pattern × etcd mode × OS family.
 */
export interface Design {
  pattern: EndpointPattern;
  etcd: 'stacked' | 'external';
  os: 'debian' | 'rhel';
  input: ClusterProjectInput;
}

/** Mostly true: `often(9)` is true 9 times in 10. */
const often = (inTen: number) => fc.integer({ min: 1, max: 10 }).map((n) => n <= inTen);
const pick = <T>(...values: T[]) => fc.constantFrom(...values);

const versions = [
  ...KUBERNETES_RELEASES.map((r) => r.minor),
  ...KUBERNETES_RELEASES.map((r) => r.imagesFrom),
];

export const designArb: fc.Arbitrary<Design> = fc
  .record({
    pattern: pick(...EndpointPattern.options),
    etcd: pick('stacked' as const, 'external' as const),
    os: pick('debian' as const, 'rhel' as const),
    mixedOs: often(2),
    ipv6: often(2),
    cps: fc.oneof(
      { weight: 6, arbitrary: fc.constant(3) },
      { weight: 4, arbitrary: fc.integer({ min: 1, max: 5 }) },
    ),
    workers: fc.integer({ min: 0, max: 4 }),
    cpsAlsoWork: often(1),
    etcdMembers: fc.oneof(
      { weight: 6, arbitrary: fc.constant(3) },
      { weight: 4, arbitrary: fc.integer({ min: 0, max: 5 }) },
    ),
    lbHosts: fc.integer({ min: 1, max: 3 }),
    lbOnCp: often(1),
    strayLb: often(1),
    bastions: fc.integer({ min: 0, max: 2 }),
    chainBastions: often(3),
    vip: pick('in-subnet', 'in-subnet', 'in-subnet', 'in-subnet', 'in-subnet', 'none', 'outside', 'host'),
    port: pick(6443, 8443, 16443),
    portSane: often(8),
    dnsName: pick(
      undefined,
      undefined,
      undefined,
      undefined,
      'api.cluster.example',
      'API.Cluster.Example.',
      'api.cluster.example',
      'bad_name',
    ),
    lbSoftware: pick('haproxy' as const, 'nginx' as const),
    lbKeepalived: often(7),
    unicast: often(3),
    routerId: fc.integer({ min: 1, max: 255 }),
    version: fc.oneof(
      { weight: 19, arbitrary: pick(...versions) },
      { weight: 1, arbitrary: pick('1.34', '1.38') },
    ),
    cni: pick('calico' as const, 'flannel' as const),
    kubeProxyMode: pick('iptables' as const, 'nftables' as const, 'ipvs' as const),
    mirror: fc.oneof(
      { weight: 6, arbitrary: fc.constant('online') },
      { weight: 3, arbitrary: fc.constant('mirror') },
      { weight: 1, arbitrary: fc.constant('mirror-no-url') },
    ),
    allowCgroupV1: often(2),
    containerdOne: fc.integer({ min: 1, max: 40 }).map((n) => n === 1),
    name: pick('lab', 'HA demo (prod)', 'Ünïcode cluster', '---', 'a'.repeat(80)),
    hostPrefix: pick(undefined, undefined, undefined, 16, 28),
  })
  .map((d): Design => {
    const addr = (n: number) => (d.ipv6 ? `fd77::${n.toString(16)}` : `10.77.0.${n}`);
    type HostInput = NonNullable<ClusterProjectInput['spec']['hosts']>[number];
    const hosts: HostInput[] = [];
    const bastionNames = Array.from({ length: d.bastions }, (_, i) => `jump${i + 1}`);
    bastionNames.forEach((name, i) =>
      hosts.push({
        name,
        address: addr(2 + i),
        roles: ['bastion'],
        ...(i > 0 && d.chainBastions ? { ssh: { via: bastionNames[i - 1]! } } : {}),
      }),
    );
    const via = bastionNames.at(-1);
    const add = (name: string, n: number, roles: HostInput['roles']) =>
      hosts.push({
        name,
        address: addr(n),
        roles,
        ...(via ? { ssh: { via } } : {}),
        ...(d.mixedOs ? { os: n % 2 ? 'rhel' : 'debian' } : {}),
      });
    for (let i = 1; i <= d.cps; i++)
      add(`cp${i}`, 10 + i, d.cpsAlsoWork ? ['control-plane', 'worker'] : ['control-plane']);
    for (let i = 1; i <= d.workers; i++) add(`worker${i}`, 20 + i, ['worker']);
    if (d.etcd === 'external') for (let i = 1; i <= d.etcdMembers; i++) add(`etcd${i}`, 40 + i, ['etcd']);
    if (d.pattern === 'dedicated-lb') {
      for (let i = 1; i <= d.lbHosts; i++) add(`lb${i}`, 30 + i, ['lb']);
      if (d.lbOnCp) hosts.find((h) => h.name === 'cp1')!.roles.push('lb');
    } else if (d.strayLb) add('lb1', 31, ['lb']);

    const onCps = d.pattern === 'keepalived-haproxy' || d.pattern === 'keepalived-nginx';
    const sanePort = onCps ? (d.port === 6443 ? 8443 : d.port) : d.pattern === 'external' ? d.port : 6443;
    const vip = {
      'in-subnet': addr(100),
      none: undefined,
      outside: d.ipv6 ? 'fd99::100' : '192.168.99.100',
      host: addr(11),
    }[d.vip];
    const mirrorUrl = d.ipv6 ? 'http://[fd77::1]:8080/mirror/' : 'http://10.77.0.1:8080/mirror/';
    const input: ClusterProjectInput = {
      apiVersion: 'keelson.dev/v1alpha1',
      kind: 'Cluster',
      metadata: { name: d.name },
      spec: {
        kubernetesVersion: d.version,
        hosts,
        apiEndpoint: {
          pattern: d.pattern,
          ...(vip !== undefined && d.pattern !== 'node-local' ? { vip } : {}),
          ...(d.dnsName !== undefined ? { dnsName: d.dnsName } : {}),
          port: d.portSane ? sanePort : d.port,
          lbSoftware: d.lbSoftware,
          lbKeepalived: d.lbKeepalived,
          vrrp: { routerId: d.routerId, unicast: d.unicast },
        },
        etcd: { mode: d.etcd },
        networking: {
          podCidr: d.ipv6 ? 'fd00:10:244::/56' : '10.244.0.0/16',
          serviceCidr: d.ipv6 ? 'fd00:10:96::/112' : '10.96.0.0/12',
          cni: d.cni,
          kubeProxyMode: d.kubeProxyMode,
          ...(d.hostPrefix !== undefined && !d.ipv6 ? { hostPrefix: d.hostPrefix } : {}),
        },
        packages:
          d.mirror === 'online'
            ? { source: 'online' }
            : { source: 'mirror', ...(d.mirror === 'mirror' ? { mirrorUrl } : {}) },
        containerd: { major: d.containerdOne ? '1' : '2' },
        kubelet: { allowCgroupV1: d.allowCgroupV1 },
      },
    };
    return { pattern: d.pattern, etcd: d.etcd, os: d.os, input };
  });
