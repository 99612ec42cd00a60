import type { Host } from '../model/cluster';
import { APISERVER_PORT, type PlanContext } from './context';

export const isControlPlane = (h: Host): boolean => h.roles.includes('control-plane');
export const isNode = (ctx: PlanContext, h: Host): boolean => ctx.nodes.some((n) => n.name === h.name);

/** Hosts the plan touches at all (bastions are only passed through). */
export function plannedHosts(ctx: PlanContext): Host[] {
  const names = new Set<string>([
    ...ctx.nodes.map((h) => h.name),
    ...ctx.etcdHosts.map((h) => h.name),
    ...(ctx.proxy?.hosts ?? []).map((h) => h.name),
    ...ctx.keepalivedHosts.map((h) => h.name),
  ]);
  return ctx.project.spec.hosts.filter((h) => names.has(h.name));
}

/** TCP ports a host must have free before the deploy (ports-and-protocols, plus the LB front end). */
export function requiredTcpPorts(ctx: PlanContext, host: Host): number[] {
  const ports: number[] = [];
  if (isControlPlane(host)) {
    ports.push(APISERVER_PORT, 10250, 10257, 10259);
    if (ctx.project.spec.etcd.mode === 'stacked') ports.push(2379, 2380);
  } else if (isNode(ctx, host)) {
    ports.push(10250, 10256);
  }
  if (ctx.etcdHosts.some((h) => h.name === host.name)) ports.push(2379, 2380);
  if (ctx.proxy?.hosts.some((h) => h.name === host.name)) ports.push(ctx.proxy.port);
  return [...new Set(ports)].sort((a, b) => a - b);
}
