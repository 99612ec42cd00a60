import { z } from 'zod';
import { textProblem } from './formats';

/**
 * The cluster project file (`NAME.keelson.yaml`), version keelson.dev/v1alpha1.
 * Every object is strict: an unknown field is an error, so a typo never silently
 * changes what gets deployed. Secrets are never stored here — only names of secrets
 * (`*Ref`) that the app resolves at run time from its secret store.
 */
export const API_VERSION = 'keelson.dev/v1alpha1';

/**
 * Every string in a project: at most `max` characters, no control characters, no `{{`/`}}`
 * (formats.ts says why). Field-specific formats — interface names, URLs, labels — are checked by
 * the validator, so a half-typed value still saves and shows up in Problems with its path.
 */
export function text(max = 1024, min = 0) {
  return z
    .string()
    .min(min, min === 1 ? 'must not be empty' : `at least ${min} characters`)
    .max(max, `at most ${max} characters`)
    .superRefine((value, ctx) => {
      const problem = textProblem(value);
      if (problem) ctx.addIssue({ code: 'custom', message: problem });
    });
}

/** The cluster's display name (free text; kubeadm's clusterName is derived from it). */
export const DisplayName = text(200, 1);

/** A name a secret is kept under in Keelson's secret store; never the secret itself. */
export const SecretRef = z
  .string()
  .regex(/^[a-zA-Z0-9][a-zA-Z0-9._-]{0,62}$/, 'a secret name: letters, digits, . _ -');

export const HostRole = z.enum(['control-plane', 'worker', 'etcd', 'lb', 'bastion']);
export type HostRole = z.infer<typeof HostRole>;

export const SshAuth = z.discriminatedUnion('type', [
  z.strictObject({
    type: z.literal('key'),
    /** Path on the workstation, `~` allowed. */
    keyFile: text(4096, 1),
    passphraseRef: SecretRef.optional(),
  }),
  z.strictObject({ type: z.literal('agent') }),
  z.strictObject({ type: z.literal('password'), passwordRef: SecretRef }),
]);
export type SshAuth = z.infer<typeof SshAuth>;

export const SshSettings = z.strictObject({
  port: z.int().min(1).max(65535).default(22),
  user: text(64, 1).default('root'),
  auth: SshAuth.default({ type: 'agent' }),
  /** Name of the bastion host (a host with role bastion) this host is reached through. */
  via: text().optional(),
  /** Password for sudo when `user` is not root and sudo asks for one. */
  sudoPasswordRef: SecretRef.optional(),
});
export type SshSettings = z.infer<typeof SshSettings>;

export const Taint = z.strictObject({
  key: text(1024, 1),
  value: text().optional(),
  effect: z.enum(['NoSchedule', 'PreferNoSchedule', 'NoExecute']),
});

export const Host = z.strictObject({
  name: text(1024, 1),
  /**
   * IPv4 or IPv6 address Keelson connects to and the node advertises. Empty while a design
   * is in progress (a host just dropped on the canvas): the file still saves, and validation
   * reports HOST_ADDRESS_INVALID until it is filled in.
   */
  address: text(),
  ssh: SshSettings.default({ port: 22, user: 'root', auth: { type: 'agent' } }),
  roles: z.array(HostRole).min(1),
  labels: z.record(text(), text()).default({}),
  taints: z.array(Taint).default([]),
  /** OS family, when known (filled by "Test connection"); drives package commands. */
  os: z.enum(['debian', 'rhel']).optional(),
  /**
   * Prefix length of the host's subnet (e.g. 24 for 10.77.0.5/24). Overrides
   * `spec.networking.hostPrefix`; used to check a VIP sits in the subnet of the hosts that carry it.
   */
  prefixLength: z.int().min(1).max(128).optional(),
});
export type Host = z.infer<typeof Host>;

export const EndpointPattern = z.enum([
  'keepalived-haproxy', // keepalived VIP + haproxy on the control planes
  'keepalived-nginx', // keepalived VIP + nginx stream on the control planes
  'dedicated-lb', // haproxy or nginx on hosts with role lb, optionally a keepalived pair
  'node-local', // nginx on 127.0.0.1:6443 of every node → all control planes
  'external', // a load balancer Keelson does not manage
  'kube-vip', // kube-vip static pods on the control planes
]);
export type EndpointPattern = z.infer<typeof EndpointPattern>;

export const ApiEndpoint = z.strictObject({
  pattern: EndpointPattern,
  /** Virtual IP (keepalived / kube-vip), or the external LB's address. */
  vip: text().optional(),
  /** DNS name clients use for the endpoint, when there is one. */
  dnsName: text().optional(),
  /** Port clients connect to: 6443 for dedicated/external LBs, e.g. 8443 or 16443 on control planes. */
  port: z.int().min(1).max(65535).default(6443),
  /** dedicated-lb only: which proxy runs on the LB hosts. */
  lbSoftware: z.enum(['haproxy', 'nginx']).default('haproxy'),
  /** dedicated-lb only: run a keepalived VIP across the LB hosts. */
  lbKeepalived: z.boolean().default(true),
  vrrp: z
    .strictObject({
      routerId: z.int().min(1).max(255).default(51),
      interface: text(1024, 1).default('eth0'),
      /** Unicast peers instead of multicast, for networks that block VRRP multicast. */
      unicast: z.boolean().default(false),
      authPassRef: SecretRef.optional(),
    })
    .default({ routerId: 51, interface: 'eth0', unicast: false }),
});
export type ApiEndpoint = z.infer<typeof ApiEndpoint>;

export const Networking = z.strictObject({
  podCidr: text().default('10.244.0.0/16'),
  serviceCidr: text().default('10.96.0.0/12'),
  dnsDomain: text().default('cluster.local'),
  cni: z.enum(['calico', 'flannel']).default('calico'),
  kubeProxyMode: z.enum(['iptables', 'nftables', 'ipvs']).default('iptables'),
  /**
   * Prefix length of the hosts' own subnet when a host does not set `prefixLength`.
   * Unset means /24 for IPv4 and /64 for IPv6 (DEFAULT_HOST_PREFIX).
   */
  hostPrefix: z.int().min(1).max(128).optional(),
});
export type Networking = z.infer<typeof Networking>;

export const Packages = z.strictObject({
  /**
   * online: upstream repositories and registries. mirror: a mirror at mirrorUrl (e.g. a bundle
   * served by `keelson bundle serve` on a host of the site's choosing). bundle: Keelson serves an
   * offline bundle during the deploy and every host reaches it through its SSH connection.
   */
  source: z.enum(['online', 'mirror', 'bundle']).default('online'),
  /** Base URL of an offline mirror (apt/dnf repository, files and an OCI registry) when source is mirror. */
  mirrorUrl: text(2048).optional(),
  /** bundle: the port on each host's 127.0.0.1 where the bundle is tunnelled (default 18473). */
  bundlePort: z.int().min(1024).max(65535).optional(),
  /** Registry for Kubernetes images; kubeadm's default when unset. */
  imageRepository: text().optional(),
});

export const Containerd = z.strictObject({
  /**
   * Major version line. Only 2.x is installed (config version 3); '1' still parses so an older
   * file opens, and validation says to change it (CONTAINERD_1_UNSUPPORTED).
   */
  major: z.enum(['1', '2']).default('2'),
  registryMirrors: z.array(text(2048)).max(32).default([]),
});

export const Kubelet = z.strictObject({
  /**
   * Let the kubelet run on cgroup v1 hosts (deprecated; RHEL 8-era systems): writes
   * `failCgroupV1: false` and skips kubeadm's SystemVerification preflight check. Off by default,
   * as the kubelet itself is since 1.35; validation warns while it is on (CGROUP_V1_ALLOWED).
   */
  allowCgroupV1: z.boolean().default(false),
});

export const ClusterSpec = z.strictObject({
  kubernetesVersion: z.string().regex(/^\d+\.\d+(\.\d+)?$/, 'a version like 1.33 or 1.33.2'),
  hosts: z.array(Host).default([]),
  apiEndpoint: ApiEndpoint,
  etcd: z
    .strictObject({ mode: z.enum(['stacked', 'external']).default('stacked') })
    .default({ mode: 'stacked' }),
  networking: Networking.default({
    podCidr: '10.244.0.0/16',
    serviceCidr: '10.96.0.0/12',
    dnsDomain: 'cluster.local',
    cni: 'calico',
    kubeProxyMode: 'iptables',
  }),
  packages: Packages.default({ source: 'online' }),
  containerd: Containerd.default({ major: '2', registryMirrors: [] }),
  kubelet: Kubelet.default({ allowCgroupV1: false }),
});
export type ClusterSpec = z.infer<typeof ClusterSpec>;

/** Where things sit on the canvas; not part of the cluster's meaning. */
export const CanvasLayout = z.strictObject({
  positions: z.record(text(), z.strictObject({ x: z.number(), y: z.number() })).default({}),
});

export const ClusterProject = z.strictObject({
  apiVersion: z.literal(API_VERSION),
  kind: z.literal('Cluster'),
  metadata: z.strictObject({
    name: DisplayName,
    description: text(2000).optional(),
  }),
  spec: ClusterSpec,
  canvas: CanvasLayout.optional(),
});
export type ClusterProject = z.infer<typeof ClusterProject>;
/** What a file may contain before defaults are applied. */
export type ClusterProjectInput = z.input<typeof ClusterProject>;

/** Host subnet prefix lengths assumed when neither the host nor the project says. */
export const DEFAULT_HOST_PREFIX = { ipv4: 24, ipv6: 64 } as const;

/** Convenience for callers that only need hosts of one role. */
export function hostsWithRole(project: ClusterProject, role: HostRole): Host[] {
  return project.spec.hosts.filter((h) => h.roles.includes(role));
}
