import { z } from 'zod';
import type { ClusterProject } from '../model/cluster';
import { defineCodes, fieldTarget, listNames } from './define';
import { usesKeepalived } from './endpoint';
import type { Finding } from './finding';
import { parseAddress } from './ip';

/**
 * Checks across the clusters of one workspace. Two clusters on the same network with the same
 * VIP take each other's API traffic; two keepalived clusters with the same VRRP router id on one
 * segment fight over each other's VIP (VRRP tells groups apart by router id only). Kept apart from
 * validateCluster, which sees one project: these need the workspace list.
 */
const { codes, finding } = defineCodes({
  WORKSPACE_VIP_SHARED: {
    severity: 'warning',
    summary: 'Another cluster of the workspace uses the same API endpoint VIP',
  },
  WORKSPACE_VRRP_ROUTER_ID_SHARED: {
    severity: 'warning',
    summary: 'Another keepalived cluster of the workspace uses the same VRRP router id',
  },
});
export const workspaceCodes = codes;

/** What the cross-cluster checks need of a cluster: its VIP (normalized) and its VRRP router id when keepalived runs. */
export const EndpointIdentity = z.object({
  vip: z.string().optional(),
  routerId: z.int().optional(),
});
export type EndpointIdentity = z.infer<typeof EndpointIdentity>;

export function endpointIdentity(project: ClusterProject): EndpointIdentity {
  const endpoint = project.spec.apiEndpoint;
  const vip = endpoint.pattern === 'node-local' ? undefined : parseAddress(endpoint.vip ?? '');
  return {
    ...(vip ? { vip: vip.toNormalizedString() } : {}),
    ...(usesKeepalived(project) ? { routerId: endpoint.vrrp.routerId } : {}),
  };
}

export interface WorkspaceMember {
  id: string;
  name: string;
  endpoint?: EndpointIdentity;
}

/** Warnings for `project` (the cluster `selfId`) about the other clusters of its workspace. */
export function checkWorkspace(
  project: ClusterProject,
  selfId: string,
  members: readonly WorkspaceMember[],
): Finding[] {
  const mine = endpointIdentity(project);
  const others = members.filter((m) => m.id !== selfId && m.endpoint);
  const named = (list: WorkspaceMember[]) => listNames(list.map((m) => `"${m.name}" (${m.id})`));
  const findings: Finding[] = [];
  const sameVip = others.filter((m) => mine.vip !== undefined && m.endpoint!.vip === mine.vip);
  if (sameVip.length > 0)
    findings.push(
      finding(
        'WORKSPACE_VIP_SHARED',
        fieldTarget('spec.apiEndpoint.vip'),
        `The VIP ${project.spec.apiEndpoint.vip} is also the API endpoint of ${named(sameVip)}; on one network both clusters would answer on it.`,
        'Give each cluster its own VIP.',
      ),
    );
  const sameRouter = others.filter(
    (m) => mine.routerId !== undefined && m.endpoint!.routerId === mine.routerId,
  );
  if (sameRouter.length > 0)
    findings.push(
      finding(
        'WORKSPACE_VRRP_ROUTER_ID_SHARED',
        fieldTarget('spec.apiEndpoint.vrrp.routerId'),
        `VRRP router id ${mine.routerId} is also used by ${named(sameRouter)}; on one network segment their keepalived instances would fight over each other's VIP.`,
        'Give each keepalived cluster its own router id (1–255).',
      ),
    );
  return findings;
}
