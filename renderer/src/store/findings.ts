import type { ClusterProject } from '../../../shared/model/cluster';
import { validateCluster } from '../../../shared/validation';
import type { Finding } from '../../../shared/validation/finding';
import { ENDPOINT_ID, hasEndpointNode } from './edits';

const cache = new WeakMap<ClusterProject, Finding[]>();

/** Live findings of a project; computed once per project version (projects are immutable). */
export function findingsOf(project: ClusterProject): Finding[] {
  let findings = cache.get(project);
  if (!findings) {
    findings = validateCluster(project);
    cache.set(project, findings);
  }
  return findings;
}

/**
 * Which canvas node a finding belongs to: its host, the VIP node for endpoint fields, or
 * null for cluster-wide settings (shown when nothing is selected).
 */
export function ownerOf(finding: Finding, project: ClusterProject): string | null {
  const target = finding.target;
  if (target.kind === 'host')
    return project.spec.hosts.some((h) => h.name === target.name) ? target.name : null;
  const hostIndex = /^spec\.hosts\[(\d+)\]/.exec(target.path);
  if (hostIndex) return project.spec.hosts[Number(hostIndex[1])]?.name ?? null;
  if (target.path.startsWith('spec.apiEndpoint') && hasEndpointNode(project)) return ENDPOINT_ID;
  return null;
}

export interface BadgeCounts {
  errors: number;
  warnings: number;
}

const badgeCache = new WeakMap<ClusterProject, Map<string, BadgeCounts>>();

/** Error and warning counts per canvas node, for the badges. */
export function badgesOf(project: ClusterProject): Map<string, BadgeCounts> {
  let badges = badgeCache.get(project);
  if (badges) return badges;
  badges = new Map();
  for (const finding of findingsOf(project)) {
    const owner = ownerOf(finding, project);
    if (owner === null || finding.severity === 'info') continue;
    const counts = badges.get(owner) ?? { errors: 0, warnings: 0 };
    if (finding.severity === 'error') counts.errors++;
    else counts.warnings++;
    badges.set(owner, counts);
  }
  badgeCache.set(project, badges);
  return badges;
}
