import type { HostRole } from '../../../shared/model/cluster';
import { ROLE_PREFIX } from '../../../shared/model/inventory';

/** What the palette offers: one kind per host role, plus the API endpoint (VIP) singleton. */
export type NodeKind = HostRole | 'vip';

export interface KindInfo {
  kind: NodeKind;
  label: string;
  /** Prefix of generated host names: cp1, worker1, … */
  prefix: string;
  /** Short glyph shown in the node and palette: text, so it needs no icon font or image. */
  glyph: string;
  /** CSS class carrying the role colour (styles.css). */
  className: string;
}

export const KINDS: readonly KindInfo[] = [
  {
    kind: 'control-plane',
    label: 'Control plane',
    prefix: ROLE_PREFIX['control-plane'],
    glyph: 'CP',
    className: 'kind-cp',
  },
  { kind: 'worker', label: 'Worker', prefix: ROLE_PREFIX['worker'], glyph: 'W', className: 'kind-worker' },
  { kind: 'etcd', label: 'etcd', prefix: ROLE_PREFIX['etcd'], glyph: 'E', className: 'kind-etcd' },
  { kind: 'lb', label: 'Load balancer', prefix: ROLE_PREFIX['lb'], glyph: 'LB', className: 'kind-lb' },
  { kind: 'vip', label: 'VIP / API endpoint', prefix: 'vip', glyph: 'VIP', className: 'kind-vip' },
  {
    kind: 'bastion',
    label: 'Bastion',
    prefix: ROLE_PREFIX['bastion'],
    glyph: 'B',
    className: 'kind-bastion',
  },
];

export function kindInfo(kind: NodeKind): KindInfo {
  return KINDS.find((k) => k.kind === kind)!;
}

/** The role that decides a host's look and name prefix when it has several. */
export function primaryRole(roles: readonly HostRole[]): HostRole {
  const order: HostRole[] = ['control-plane', 'lb', 'etcd', 'bastion', 'worker'];
  return order.find((r) => roles.includes(r)) ?? roles[0] ?? 'worker';
}

/** MIME type of palette drags; anything else dropped on the canvas is ignored. */
export const DRAG_MIME = 'application/x-keelson-kind';

export function isNodeKind(value: string): value is NodeKind {
  return KINDS.some((k) => k.kind === value);
}
