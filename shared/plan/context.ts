import type { Host } from '../model/cluster';
import { isIPv6, NODE_LOCAL_ENDPOINT_NAME, type ValidDesign } from '../validation/design';

export type OsFamily = 'debian' | 'rhel';

export interface PlanOptions {
  /** Recorded in the plan and in the cluster's topology ConfigMap. */
  keelsonVersion: string;
  /** One family for every host, or a per-host map; a host's own `os` fills gaps. Default debian. */
  osFamily?: OsFamily | Record<string, OsFamily>;
}

export { APISERVER_PORT, isIPv6, NODE_LOCAL_ENDPOINT_NAME } from '../validation/design';
export const CRI_SOCKET = 'unix:///var/run/containerd/containerd.sock';
export const KEELSON_DIR = '/etc/kubernetes/keelson';

/**
 * Everything the generators read: the validator's normalized design (decided once, never
 * re-checked here) plus what only the plan needs (Keelson's version, each host's OS family).
 */
export interface PlanContext extends ValidDesign {
  keelsonVersion: string;
  os(host: Host): OsFamily;
}

/** The project path of one of a host's fields, for errors: `spec.hosts[2].address`. */
export function hostField(ctx: PlanContext, host: Host, field: string): string {
  return `spec.hosts[${ctx.project.spec.hosts.indexOf(host)}].${field}`;
}

export function hostPort(host: string, port: number): string {
  return isIPv6(host) ? `[${host}]:${port}` : `${host}:${port}`;
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

export function buildContext(design: ValidDesign, options: PlanOptions): PlanContext {
  const osOption = options.osFamily;
  const os = (host: Host): OsFamily => {
    if (typeof osOption === 'object' && osOption[host.name]) return osOption[host.name]!;
    if (host.os) return host.os;
    return typeof osOption === 'string' ? osOption : 'debian';
  };
  return { ...design, keelsonVersion: options.keelsonVersion, os };
}

/** Every name and address clients may use for the apiserver: the certificate must list them all. */
export function certSans(ctx: PlanContext): string[] {
  const ep = ctx.project.spec.apiEndpoint;
  const sans = [ctx.endpoint.host];
  if (ep.vip) sans.push(ep.vip);
  if (ctx.dnsName) sans.push(ctx.dnsName);
  if (ep.pattern === 'node-local') sans.push(NODE_LOCAL_ENDPOINT_NAME, '127.0.0.1', 'localhost');
  if (ep.pattern === 'dedicated-lb') ctx.lbHosts.forEach((h) => sans.push(h.address));
  ctx.controlPlanes.forEach((h) => sans.push(h.address, h.name));
  return [...new Set(sans)];
}
