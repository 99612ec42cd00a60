import fc from 'fast-check';
import { EndpointPattern, type ClusterProject } from '../../../shared/model/cluster';

/** Addresses that are usually plausible, sometimes special, sometimes junk. */
export const addressArb = fc.oneof(
  fc.ipV4(),
  fc.ipV6(),
  fc.constantFrom('10.77.0.10', '10.77.0.0', '10.77.0.255', '127.0.0.1', '::1', '0.0.0.0', '10.77.0', ''),
  fc.string({ maxLength: 20 }),
);

export const cidrArb = fc.oneof(
  fc.tuple(fc.ipV4(), fc.integer({ min: 0, max: 40 })).map(([a, p]) => `${a}/${p}`),
  fc.tuple(fc.ipV6(), fc.integer({ min: 0, max: 130 })).map(([a, p]) => `${a}/${p}`),
  fc.constantFrom('10.244.0.0/16', '10.96.0.0/12', '10.77.0.0/24', '10.0.0.0/8'),
  fc.string({ maxLength: 20 }),
);

const nameArb = fc.oneof(
  fc.constantFrom('cp1', 'cp2', 'cp3', 'w1', 'bastion', 'lb1', 'etcd1'),
  fc.string({ maxLength: 12 }),
);
const optional = <T>(arb: fc.Arbitrary<T>) => fc.option(arb, { nil: undefined });

const hostArb = fc.record({
  name: nameArb,
  address: addressArb,
  roles: fc.array(fc.constantFrom('control-plane', 'worker', 'etcd', 'lb', 'bastion' as const), {
    minLength: 1,
    maxLength: 3,
  }),
  ssh: fc.record({
    port: fc.integer({ min: 1, max: 65535 }),
    user: fc.constant('root'),
    auth: fc.constant({ type: 'agent' as const }),
    via: optional(nameArb),
  }),
  labels: fc.dictionary(fc.stringMatching(/^[a-z][a-z0-9./-]{0,15}$/), fc.string({ maxLength: 10 }), {
    maxKeys: 3,
  }),
  taints: fc.constant([]),
  prefixLength: optional(fc.integer({ min: 1, max: 128 })),
});

/**
 * Models of the schema's TypeScript shape with arbitrary contents: what a canvas could hold
 * mid-edit. Some numbers step outside the schema's ranges on purpose.
 */
export const projectArb: fc.Arbitrary<ClusterProject> = fc.record({
  apiVersion: fc.constant('keelson.dev/v1alpha1' as const),
  kind: fc.constant('Cluster' as const),
  metadata: fc.record({
    name: fc.string({ minLength: 1, maxLength: 20 }),
    description: optional(fc.string()),
  }),
  spec: fc.record({
    kubernetesVersion: fc.oneof(
      fc.constantFrom('1.34', '1.35', '1.36.3', '1.37', '1.37.2', '1.38'),
      fc.string({ maxLength: 8 }),
    ),
    hosts: fc.array(hostArb, { maxLength: 12 }),
    apiEndpoint: fc.record({
      pattern: fc.constantFrom(...EndpointPattern.options),
      vip: optional(addressArb),
      dnsName: optional(fc.oneof(fc.domain(), fc.string({ maxLength: 20 }))),
      port: fc.integer({ min: 1, max: 65535 }),
      lbSoftware: fc.constantFrom('haproxy', 'nginx'),
      lbKeepalived: fc.boolean(),
      vrrp: fc.record({
        routerId: fc.integer({ min: -5, max: 300 }),
        interface: fc.constant('eth0'),
        unicast: fc.boolean(),
      }),
    }),
    etcd: fc.record({ mode: fc.constantFrom('stacked', 'external') }),
    networking: fc.record({
      podCidr: cidrArb,
      serviceCidr: cidrArb,
      dnsDomain: fc.oneof(fc.constant('cluster.local'), fc.string({ maxLength: 12 })),
      cni: fc.constantFrom('calico', 'flannel'),
      kubeProxyMode: fc.constantFrom('iptables', 'nftables', 'ipvs'),
      hostPrefix: optional(fc.integer({ min: 1, max: 128 })),
    }),
    packages: fc.record({ source: fc.constantFrom('online', 'mirror'), mirrorUrl: optional(fc.webUrl()) }),
    containerd: fc.record({ major: fc.constantFrom('1', '2'), registryMirrors: fc.constant([]) }),
  }),
}) as unknown as fc.Arbitrary<ClusterProject>;
