import ipaddr from 'ipaddr.js';
import { DEFAULT_HOST_PREFIX, hostsWithRole, type ClusterProject, type Host } from '../model/cluster';
import { PlanError } from './errors';
import { parseKubeVersion, type KubeVersion } from './versions';

export type OsFamily = 'debian' | 'rhel';

export interface PlanOptions {
  /** Recorded in the plan and in the cluster's topology ConfigMap. */
  keelsonVersion: string;
  /** One family for every host, or a per-host map; a host's own `os` fills gaps. Default debian. */
  osFamily?: OsFamily | Record<string, OsFamily>;
}

/** Name node-local clusters use as their endpoint: /etc/hosts maps it per node (see node-local). */
export const NODE_LOCAL_ENDPOINT_NAME = 'kube-apiserver.keelson.internal';

export const APISERVER_PORT = 6443;
export const CRI_SOCKET = 'unix:///var/run/containerd/containerd.sock';
export const KEELSON_DIR = '/etc/kubernetes/keelson';

/** Everything the generators derive once from the project. */
export interface PlanContext {
  project: ClusterProject;
  version: KubeVersion;
  keelsonVersion: string;
  controlPlanes: Host[];
  firstControlPlane: Host;
  /** Workers that are not also control planes. */
  workers: Host[];
  /** Hosts that become Kubernetes nodes: control planes then workers. */
  nodes: Host[];
  lbHosts: Host[];
  etcdHosts: Host[];
  /** What `controlPlaneEndpoint` says: host (IP or DNS name) and port. */
  endpoint: { host: string; port: number };
  /** Hosts that run keepalived (empty when no keepalived VIP is managed). */
  keepalivedHosts: Host[];
  /** Hosts that run the apiserver proxy (haproxy or nginx) and the port it listens on. */
  proxy: { software: 'haproxy' | 'nginx'; hosts: Host[]; port: number; listen: 'any' | 'loopback' } | null;
  /** True when a virtual IP is carried by Kubernetes nodes (kube-proxy ipvs must leave it alone). */
  vipOnNodes: boolean;
  os(host: Host): OsFamily;
  /** Prefix length of the host's subnet (for the keepalived VIP). */
  prefixLength(host: Host): number;
}

const SAFE_NAME = /^[a-zA-Z0-9]([a-zA-Z0-9._-]{0,62})$/;

export function hostPort(host: string, port: number): string {
  return ipaddr.IPv6.isValid(host) && !ipaddr.IPv4.isValid(host) ? `[${host}]:${port}` : `${host}:${port}`;
}

export function isIPv6(address: string): boolean {
  return ipaddr.IPv6.isValid(address) && !ipaddr.IPv4.isValid(address);
}

/**
 * Whether the apiserver proxy must accept IPv6 clients: its VIP, one of its hosts or a backend is
 * IPv6. Only then do configs listen on [::] — a host booted with ipv6.disable=1 cannot bind it.
 */
export function proxyServesIPv6(ctx: PlanContext): boolean {
  const vip = ctx.project.spec.apiEndpoint.vip;
  return (
    (vip !== undefined && isIPv6(vip)) ||
    [...(ctx.proxy?.hosts ?? []), ...ctx.controlPlanes].some((h) => isIPv6(h.address))
  );
}

function checkHosts(project: ClusterProject): void {
  project.spec.hosts.forEach((h, i) => {
    if (!SAFE_NAME.test(h.name)) {
      throw new PlanError(
        `host name "${h.name}" must be letters, digits, . _ - (it names files and steps)`,
        `spec.hosts[${i}].name`,
      );
    }
    if (!ipaddr.isValid(h.address)) {
      throw new PlanError(`"${h.address}" is not an IP address`, `spec.hosts[${i}].address`);
    }
  });
}

export function buildContext(project: ClusterProject, options: PlanOptions): PlanContext {
  checkHosts(project);
  const spec = project.spec;
  const version = parseKubeVersion(spec.kubernetesVersion);
  const controlPlanes = hostsWithRole(project, 'control-plane');
  const firstControlPlane = controlPlanes[0];
  if (!firstControlPlane) throw new PlanError('a cluster needs at least one control plane', 'spec.hosts');
  const workers = hostsWithRole(project, 'worker').filter((h) => !h.roles.includes('control-plane'));
  const lbHosts = hostsWithRole(project, 'lb');
  const etcdHosts = spec.etcd.mode === 'external' ? hostsWithRole(project, 'etcd') : [];
  if (spec.etcd.mode === 'external' && etcdHosts.length === 0) {
    throw new PlanError('external etcd needs hosts with role etcd', 'spec.etcd.mode');
  }
  const ep = spec.apiEndpoint;
  const pattern = ep.pattern;
  const needVip =
    pattern === 'keepalived-haproxy' ||
    pattern === 'keepalived-nginx' ||
    pattern === 'kube-vip' ||
    (pattern === 'dedicated-lb' && ep.lbKeepalived && lbHosts.length > 1);
  if (needVip && !ep.vip)
    throw new PlanError(`pattern ${pattern} needs a virtual IP`, 'spec.apiEndpoint.vip');
  if (ep.vip && !ipaddr.isValid(ep.vip))
    throw new PlanError(`"${ep.vip}" is not an IP address`, 'spec.apiEndpoint.vip');
  if (ep.dnsName && !/^[a-zA-Z0-9]([a-zA-Z0-9.-]{0,252})$/.test(ep.dnsName)) {
    throw new PlanError(`"${ep.dnsName}" is not a DNS name`, 'spec.apiEndpoint.dnsName');
  }

  let endpoint: { host: string; port: number };
  let keepalivedHosts: Host[] = [];
  let proxy: PlanContext['proxy'] = null;
  switch (pattern) {
    case 'keepalived-haproxy':
    case 'keepalived-nginx':
      if (ep.port === APISERVER_PORT) {
        throw new PlanError(
          'the proxy on the control planes cannot listen on 6443 (the apiserver does): use e.g. 8443 or 16443',
          'spec.apiEndpoint.port',
        );
      }
      endpoint = { host: ep.dnsName ?? ep.vip!, port: ep.port };
      keepalivedHosts = controlPlanes;
      proxy = {
        software: pattern === 'keepalived-haproxy' ? 'haproxy' : 'nginx',
        hosts: controlPlanes,
        port: ep.port,
        listen: 'any',
      };
      break;
    case 'dedicated-lb': {
      const firstLb = lbHosts[0];
      if (!firstLb) throw new PlanError('dedicated-lb needs hosts with role lb', 'spec.apiEndpoint.pattern');
      const lbOnCp = lbHosts.some((h) => h.roles.includes('control-plane'));
      if (lbOnCp && ep.port === APISERVER_PORT) {
        throw new PlanError(
          'an lb host that is also a control plane cannot listen on 6443',
          'spec.apiEndpoint.port',
        );
      }
      const useVip = ep.lbKeepalived && lbHosts.length > 1;
      keepalivedHosts = useVip ? lbHosts : [];
      endpoint = { host: ep.dnsName ?? (useVip ? ep.vip! : (ep.vip ?? firstLb.address)), port: ep.port };
      proxy = { software: ep.lbSoftware, hosts: lbHosts, port: ep.port, listen: 'any' };
      break;
    }
    case 'node-local':
      endpoint = { host: ep.dnsName ?? NODE_LOCAL_ENDPOINT_NAME, port: APISERVER_PORT };
      proxy = { software: 'nginx', hosts: workers, port: APISERVER_PORT, listen: 'loopback' };
      break;
    case 'external': {
      const host = ep.dnsName ?? ep.vip;
      if (!host) throw new PlanError('an external load balancer needs a vip or dnsName', 'spec.apiEndpoint');
      endpoint = { host, port: ep.port };
      break;
    }
    case 'kube-vip':
      endpoint = { host: ep.dnsName ?? ep.vip!, port: ep.port };
      break;
  }
  const nodeNames = new Set([...controlPlanes, ...workers].map((h) => h.name));
  const vipOnNodes =
    !!ep.vip &&
    (pattern === 'kube-vip' ||
      (keepalivedHosts.length > 0 && keepalivedHosts.some((h) => nodeNames.has(h.name))));

  const osOption = options.osFamily;
  const os = (host: Host): OsFamily => {
    if (typeof osOption === 'object' && osOption[host.name]) return osOption[host.name]!;
    if (host.os) return host.os;
    return typeof osOption === 'string' ? osOption : 'debian';
  };
  const prefixLength = (host: Host): number =>
    host.prefixLength ??
    spec.networking.hostPrefix ??
    (isIPv6(host.address) ? DEFAULT_HOST_PREFIX.ipv6 : DEFAULT_HOST_PREFIX.ipv4);

  return {
    project,
    version,
    keelsonVersion: options.keelsonVersion,
    controlPlanes,
    firstControlPlane,
    workers,
    nodes: [...controlPlanes, ...workers],
    lbHosts,
    etcdHosts,
    endpoint,
    keepalivedHosts,
    proxy,
    vipOnNodes,
    os,
    prefixLength,
  };
}

/** Every name and address clients may use for the apiserver: the certificate must list them all. */
export function certSans(ctx: PlanContext): string[] {
  const ep = ctx.project.spec.apiEndpoint;
  const sans = [ctx.endpoint.host];
  if (ep.vip) sans.push(ep.vip);
  if (ep.dnsName) sans.push(ep.dnsName);
  if (ep.pattern === 'node-local') sans.push(NODE_LOCAL_ENDPOINT_NAME, '127.0.0.1', 'localhost');
  if (ep.pattern === 'dedicated-lb') ctx.lbHosts.forEach((h) => sans.push(h.address));
  ctx.controlPlanes.forEach((h) => sans.push(h.address, h.name));
  return [...new Set(sans)];
}
