import type { z } from 'zod';
import { ClusterProject, type ClusterProjectInput } from '../../../shared/model/cluster';

/**
 * Every string field of the project schema, as a way to put a value there and the path an error
 * about it must name. `schemaStringPaths` walks the zod schema itself, so a string field added
 * later without an entry here fails the coverage test instead of escaping the hostile-value tests.
 */
export interface StringField {
  /** Pattern as `schemaStringPaths` prints it: `[]` any array item, `{}` any record key, `{*}` any record value. */
  pattern: string;
  /** Puts `value` into a copy of `base` at this field. */
  set(project: ClusterProjectInput, value: string): void;
  /** The path a schema error or finding about this field names (a prefix is enough for record keys). */
  path: string;
}

type P = ClusterProjectInput & { spec: Required<ClusterProjectInput['spec']> };
const spec = (p: ClusterProjectInput) => (p as P).spec;
const host0 = (p: ClusterProjectInput) =>
  spec(p).hosts![0]! as Record<string, unknown> & {
    ssh?: Record<string, unknown>;
  };
const ssh0 = (p: ClusterProjectInput) => (host0(p).ssh ??= {});

export const STRING_FIELDS: StringField[] = [
  { pattern: 'metadata.name', path: 'metadata.name', set: (p, v) => (p.metadata.name = v) },
  {
    pattern: 'metadata.description',
    path: 'metadata.description',
    set: (p, v) => (p.metadata.description = v),
  },
  {
    pattern: 'spec.kubernetesVersion',
    path: 'spec.kubernetesVersion',
    set: (p, v) => (spec(p).kubernetesVersion = v),
  },
  { pattern: 'spec.hosts[].name', path: 'spec.hosts[0].name', set: (p, v) => (host0(p).name = v) },
  { pattern: 'spec.hosts[].address', path: 'spec.hosts[0].address', set: (p, v) => (host0(p).address = v) },
  { pattern: 'spec.hosts[].ssh.user', path: 'spec.hosts[0].ssh.user', set: (p, v) => (ssh0(p).user = v) },
  {
    pattern: 'spec.hosts[].ssh.auth.keyFile',
    path: 'spec.hosts[0].ssh.auth.keyFile',
    set: (p, v) => (ssh0(p).auth = { type: 'key', keyFile: v }),
  },
  {
    pattern: 'spec.hosts[].ssh.auth.passphraseRef',
    path: 'spec.hosts[0].ssh.auth.passphraseRef',
    set: (p, v) => (ssh0(p).auth = { type: 'key', keyFile: '~/.ssh/id_ed25519', passphraseRef: v }),
  },
  {
    pattern: 'spec.hosts[].ssh.auth.passwordRef',
    path: 'spec.hosts[0].ssh.auth.passwordRef',
    set: (p, v) => (ssh0(p).auth = { type: 'password', passwordRef: v }),
  },
  { pattern: 'spec.hosts[].ssh.via', path: 'spec.hosts[0].ssh.via', set: (p, v) => (ssh0(p).via = v) },
  {
    pattern: 'spec.hosts[].ssh.sudoPasswordRef',
    path: 'spec.hosts[0].ssh.sudoPasswordRef',
    set: (p, v) => (ssh0(p).sudoPasswordRef = v),
  },
  {
    pattern: 'spec.hosts[].labels{}',
    path: 'spec.hosts[0].labels',
    set: (p, v) => (host0(p).labels = { [v]: 'x' }),
  },
  {
    pattern: 'spec.hosts[].labels{*}',
    path: 'spec.hosts[0].labels',
    set: (p, v) => (host0(p).labels = { 'example.com/zone': v }),
  },
  {
    pattern: 'spec.hosts[].taints[].key',
    path: 'spec.hosts[0].taints[0]',
    set: (p, v) => (host0(p).taints = [{ key: v, value: 'infra', effect: 'PreferNoSchedule' }]),
  },
  {
    pattern: 'spec.hosts[].taints[].value',
    path: 'spec.hosts[0].taints[0]',
    set: (p, v) => (host0(p).taints = [{ key: 'dedicated', value: v, effect: 'PreferNoSchedule' }]),
  },
  {
    pattern: 'spec.apiEndpoint.vip',
    path: 'spec.apiEndpoint.vip',
    set: (p, v) => (spec(p).apiEndpoint.vip = v),
  },
  {
    pattern: 'spec.apiEndpoint.dnsName',
    path: 'spec.apiEndpoint.dnsName',
    set: (p, v) => (spec(p).apiEndpoint.dnsName = v),
  },
  {
    pattern: 'spec.apiEndpoint.vrrp.interface',
    path: 'spec.apiEndpoint.vrrp.interface',
    set: (p, v) => (spec(p).apiEndpoint.vrrp = { ...spec(p).apiEndpoint.vrrp, interface: v }),
  },
  {
    pattern: 'spec.apiEndpoint.vrrp.authPassRef',
    path: 'spec.apiEndpoint.vrrp.authPassRef',
    set: (p, v) => (spec(p).apiEndpoint.vrrp = { ...spec(p).apiEndpoint.vrrp, authPassRef: v }),
  },
  {
    pattern: 'spec.networking.podCidr',
    path: 'spec.networking.podCidr',
    set: (p, v) => (spec(p).networking = { ...spec(p).networking, podCidr: v }),
  },
  {
    pattern: 'spec.networking.serviceCidr',
    path: 'spec.networking.serviceCidr',
    set: (p, v) => (spec(p).networking = { ...spec(p).networking, serviceCidr: v }),
  },
  {
    pattern: 'spec.networking.dnsDomain',
    path: 'spec.networking.dnsDomain',
    set: (p, v) => (spec(p).networking = { ...spec(p).networking, dnsDomain: v }),
  },
  {
    pattern: 'spec.packages.mirrorUrl',
    path: 'spec.packages.mirrorUrl',
    set: (p, v) => (spec(p).packages = { ...spec(p).packages, source: 'mirror', mirrorUrl: v }),
  },
  {
    pattern: 'spec.packages.imageRepository',
    path: 'spec.packages.imageRepository',
    set: (p, v) => (spec(p).packages = { ...spec(p).packages, imageRepository: v }),
  },
  {
    pattern: 'spec.containerd.registryMirrors[]',
    path: 'spec.containerd.registryMirrors[0]',
    set: (p, v) => (spec(p).containerd = { ...spec(p).containerd, registryMirrors: [v] }),
  },
  {
    pattern: 'canvas.positions{}',
    path: 'canvas.positions',
    set: (p, v) => (p.canvas = { positions: { [v]: { x: 1, y: 2 } } }),
  },
];

type Def = { type: string } & Record<string, unknown>;
const defOf = (schema: unknown): Def => (schema as { _zod: { def: Def } })._zod.def;

/** Every place the schema holds a string, as patterns (see StringField.pattern). */
export function schemaStringPaths(schema: z.ZodType = ClusterProject, at = ''): string[] {
  const def = defOf(schema);
  const join = (key: string) => (at === '' ? key : `${at}.${key}`);
  switch (def.type) {
    case 'string':
      return [at];
    case 'optional':
    case 'default':
    case 'nullable':
    case 'readonly':
    case 'prefault':
      return schemaStringPaths(def.innerType as z.ZodType, at);
    case 'pipe':
      return schemaStringPaths(def.in as z.ZodType, at);
    case 'object':
      return Object.entries(def.shape as Record<string, z.ZodType>).flatMap(([key, value]) =>
        schemaStringPaths(value, join(key)),
      );
    case 'array':
      return schemaStringPaths(def.element as z.ZodType, `${at}[]`);
    case 'record':
      return [
        ...schemaStringPaths(def.keyType as z.ZodType, `${at}{}`),
        ...schemaStringPaths(def.valueType as z.ZodType, `${at}{*}`),
      ];
    case 'union':
      return [...new Set((def.options as z.ZodType[]).flatMap((o) => schemaStringPaths(o, at)))];
    default:
      return []; // numbers, booleans, enums and literals hold no free text
  }
}

/** A project every field of which is set and which validates clean: the base for hostile values. */
export function fullProject(): ClusterProjectInput {
  return {
    apiVersion: 'keelson.dev/v1alpha1',
    kind: 'Cluster',
    metadata: { name: 'lab', description: 'hostile-value base' },
    spec: {
      kubernetesVersion: '1.35',
      hosts: [
        {
          name: 'cp1',
          address: '10.77.0.11',
          roles: ['control-plane', 'worker'],
          labels: { 'example.com/zone': 'a' },
          taints: [{ key: 'dedicated', value: 'infra', effect: 'PreferNoSchedule' }],
        },
        { name: 'cp2', address: '10.77.0.12', roles: ['control-plane'] },
        { name: 'cp3', address: '10.77.0.13', roles: ['control-plane'] },
        { name: 'w1', address: '10.77.0.21', roles: ['worker'] },
      ],
      apiEndpoint: {
        pattern: 'keepalived-haproxy',
        vip: '10.77.0.100',
        dnsName: 'api.lab.example',
        port: 8443,
        vrrp: { routerId: 51, interface: 'eth0', unicast: true, authPassRef: 'lab-vrrp' },
      },
      networking: { podCidr: '10.244.0.0/16', serviceCidr: '10.96.0.0/12', dnsDomain: 'cluster.local' },
      packages: {
        source: 'mirror',
        mirrorUrl: 'http://10.77.0.1:8080/mirror',
        imageRepository: 'registry.lab.example:5000/k8s',
      },
      containerd: { major: '2', registryMirrors: ['https://mirror.lab.example:5000'] },
    },
    canvas: { positions: { cp1: { x: 0, y: 0 } } },
  };
}
