import ipaddr from 'ipaddr.js';
import {
  parseKubernetesVersion,
  releaseOf,
  type KubernetesRelease,
  type KubernetesVersion,
} from '../kubernetes/releases';
import { DEFAULT_HOST_PREFIX, hostsWithRole, type ClusterProject, type Host } from '../model/cluster';
import { vipCarriers } from './endpoint';

/** Name node-local clusters use as their endpoint: /etc/hosts maps it per node (see node-local). */
export const NODE_LOCAL_ENDPOINT_NAME = 'kube-apiserver.keelson.internal';
export const APISERVER_PORT = 6443;

/** A version the validator accepted: its parts and its row of the release table. */
export interface PlannedVersion extends KubernetesVersion {
  release: KubernetesRelease;
}

/**
 * The validator's normalized reading of a project with no error findings: everything the plan
 * generators need, decided once, here. The generators take it as it is and never check the
 * project again, so a design the validator passes is a design that plans.
 */
export interface ValidDesign {
  project: ClusterProject;
  version: PlannedVersion;
  /** kubeadm's clusterName: the free-text cluster name made a DNS label (it names kubeconfig entries). */
  clusterName: string;
  controlPlanes: Host[];
  firstControlPlane: Host;
  /** Workers that are not also control planes. */
  workers: Host[];
  /** Hosts that become Kubernetes nodes: control planes then workers. */
  nodes: Host[];
  lbHosts: Host[];
  /** External etcd members (empty with stacked etcd). */
  etcdHosts: Host[];
  /** The endpoint's DNS name, lowercase and without a trailing dot (as kubeadm's certSANs need). */
  dnsName?: string;
  /** What `controlPlaneEndpoint` says: host (IP or DNS name) and port. */
  endpoint: { host: string; port: number };
  /** Hosts that run keepalived (empty when no keepalived VIP is managed). */
  keepalivedHosts: Host[];
  /** Hosts that run the apiserver proxy (haproxy or nginx) and the port it listens on. */
  proxy: { software: 'haproxy' | 'nginx'; hosts: Host[]; port: number; listen: 'any' | 'loopback' } | null;
  /** True when a virtual IP is carried by Kubernetes nodes (kube-proxy ipvs must leave it alone). */
  vipOnNodes: boolean;
  /**
   * Base URL (no trailing slash) hosts fetch packages, files and images from when not online:
   * the mirror's, or the bundle Keelson tunnels to every host's own 127.0.0.1; null when online.
   */
  mirror: string | null;
  /** Per host: the bastions Keelson's SSH goes through, first hop first (empty: reached directly). */
  routes: Record<string, string[]>;
  /** Prefix length of the host's subnet. */
  prefixLength(host: Host): number;
}

export function isIPv6(address: string): boolean {
  return ipaddr.IPv6.isValid(address) && !ipaddr.IPv4.isValid(address);
}

/** `HA demo (Prod)` → `ha-demo-prod`: lowercase letters, digits and -, at most 63, never empty. */
export function clusterNameOf(name: string): string {
  const slug = name
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .slice(0, 63)
    .replace(/^-+|-+$/g, '');
  return slug || 'kubernetes';
}

/** Bastions from the workstation to `host`, first hop first; the validator has ruled out loops. */
function routeOf(host: Host, byName: Map<string, Host>): string[] {
  const route: string[] = [];
  for (let via = host.ssh.via; via; via = byName.get(via)?.ssh.via) route.unshift(via);
  return route;
}

/**
 * Reads a project that has no error findings (validateCluster) into a ValidDesign. Called only
 * by the validator's checkProject; it relies on what the checks guarantee (a control plane, a
 * known release, a VIP where the pattern needs one) and throws if that does not hold.
 */
export function resolveDesign(project: ClusterProject): ValidDesign {
  const spec = project.spec;
  const parsed = parseKubernetesVersion(spec.kubernetesVersion);
  const release = parsed && releaseOf(parsed);
  const controlPlanes = hostsWithRole(project, 'control-plane');
  const firstControlPlane = controlPlanes[0];
  if (!parsed || !release || !firstControlPlane)
    throw new Error('resolveDesign needs a project the validator passed (a known release, a control plane)');
  const workers = hostsWithRole(project, 'worker').filter((h) => !h.roles.includes('control-plane'));
  const lbHosts = hostsWithRole(project, 'lb');
  const etcdHosts = spec.etcd.mode === 'external' ? hostsWithRole(project, 'etcd') : [];
  const ep = spec.apiEndpoint;
  const dnsName = ep.dnsName ? ep.dnsName.replace(/\.$/, '').toLowerCase() : undefined;
  const vip = ep.vip || undefined;
  // The same hosts the validator checked the VIP against (subnet, family): they carry it.
  const carriers = vipCarriers(project);

  let endpoint: ValidDesign['endpoint'];
  let keepalivedHosts: Host[] = [];
  let proxy: ValidDesign['proxy'] = null;
  switch (ep.pattern) {
    case 'keepalived-haproxy':
    case 'keepalived-nginx':
      endpoint = { host: dnsName ?? vip!, port: ep.port };
      keepalivedHosts = controlPlanes;
      proxy = {
        software: ep.pattern === 'keepalived-haproxy' ? 'haproxy' : 'nginx',
        hosts: controlPlanes,
        port: ep.port,
        listen: 'any',
      };
      break;
    case 'dedicated-lb':
      // With keepalived on, even a single lb host holds the VIP (a second can join it later);
      // without it a VIP is ignored (VIP_IGNORED) and the first lb host is the endpoint.
      keepalivedHosts = ep.lbKeepalived ? lbHosts : [];
      endpoint = { host: dnsName ?? (ep.lbKeepalived ? vip! : lbHosts[0]!.address), port: ep.port };
      proxy = { software: ep.lbSoftware, hosts: lbHosts, port: ep.port, listen: 'any' };
      break;
    case 'node-local':
      endpoint = { host: dnsName ?? NODE_LOCAL_ENDPOINT_NAME, port: APISERVER_PORT };
      proxy = { software: 'nginx', hosts: workers, port: APISERVER_PORT, listen: 'loopback' };
      break;
    case 'external':
      endpoint = { host: dnsName ?? vip!, port: ep.port };
      break;
    case 'kube-vip':
      endpoint = { host: dnsName ?? vip!, port: ep.port };
      break;
  }
  const nodeNames = new Set([...controlPlanes, ...workers].map((h) => h.name));
  const vipOnNodes = !!vip && !!carriers && carriers.hosts.some((h) => nodeNames.has(h.name));
  const byName = new Map(spec.hosts.map((h) => [h.name, h]));
  const prefixLength = (host: Host): number =>
    host.prefixLength ??
    spec.networking.hostPrefix ??
    (isIPv6(host.address) ? DEFAULT_HOST_PREFIX.ipv6 : DEFAULT_HOST_PREFIX.ipv4);

  return {
    project,
    version: { ...parsed, release },
    clusterName: clusterNameOf(project.metadata.name),
    controlPlanes,
    firstControlPlane,
    workers,
    nodes: [...controlPlanes, ...workers],
    lbHosts,
    etcdHosts,
    ...(dnsName ? { dnsName } : {}),
    endpoint,
    keepalivedHosts,
    proxy,
    vipOnNodes,
    mirror: offlineSource(spec.packages),
    routes: Object.fromEntries(spec.hosts.map((h) => [h.name, routeOf(h, byName)])),
    prefixLength,
  };
}

/** Port on every host's own 127.0.0.1 where the bundle Keelson serves during a deploy is tunnelled. */
export const DEFAULT_BUNDLE_PORT = 18473;

function offlineSource(packages: ClusterProject['spec']['packages']): string | null {
  if (packages.source === 'bundle') return `http://127.0.0.1:${packages.bundlePort ?? DEFAULT_BUNDLE_PORT}`;
  if (packages.source === 'mirror') return packages.mirrorUrl!.replace(/\/+$/, '');
  return null;
}
