import { create } from 'zustand';
import type { ClusterProject } from '../../../shared/model/cluster';
import { validateCluster } from '../../../shared/validation';
import type { Finding } from '../../../shared/validation/finding';
import { checkWorkspace, type WorkspaceMember } from '../../../shared/validation/workspace';
import { ENDPOINT_ID, hasEndpointNode } from './edits';

/**
 * The open cluster's id and the workspace's clusters as last listed, for the checks across
 * clusters (same VIP, same VRRP router id). The workspace store keeps it current.
 */
export const useWorkspaceMembers = create<{ selfId: string | null; members: readonly WorkspaceMember[] }>(
  () => ({ selfId: null, members: [] }),
);

interface Cached {
  members: readonly WorkspaceMember[];
  selfId: string | null;
  findings: Finding[];
}
const cache = new WeakMap<ClusterProject, Cached>();

/**
 * Live findings of a project, the workspace's warnings included; computed once per project
 * version (projects are immutable) and workspace list.
 */
export function findingsOf(project: ClusterProject): Finding[] {
  const { selfId, members } = useWorkspaceMembers.getState();
  const cached = cache.get(project);
  if (cached && cached.members === members && cached.selfId === selfId) return cached.findings;
  const own = cached?.findings.filter((f) => !f.code.startsWith('WORKSPACE_')) ?? validateCluster(project);
  const across = selfId === null ? [] : checkWorkspace(project, selfId, members);
  const findings = across.length ? [...own, ...across].sort(bySeverity) : own;
  cache.set(project, { members, selfId, findings });
  return findings;
}

const SEVERITY_ORDER = { error: 0, warning: 1, info: 2 } as const;
const bySeverity = (a: Finding, b: Finding) => SEVERITY_ORDER[a.severity] - SEVERITY_ORDER[b.severity];

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

/** Every canvas node a finding is about: each host it names (a shared address: all of them), else its owner. */
export function ownersOf(finding: Finding, project: ClusterProject): string[] {
  const names = new Set(project.spec.hosts.map((h) => h.name));
  const hosts = (finding.hosts ?? []).filter((h) => names.has(h));
  if (hosts.length) return hosts;
  const owner = ownerOf(finding, project);
  return owner === null ? [] : [owner];
}

export interface BadgeCounts {
  errors: number;
  warnings: number;
  /** The findings' messages, errors first: the badge's tooltip. */
  messages: string[];
}

const badgeCache = new WeakMap<Finding[], Map<string, BadgeCounts>>();

/** Error and warning counts per canvas node, with their messages, for the badges. */
export function badgesOf(project: ClusterProject): Map<string, BadgeCounts> {
  const all = findingsOf(project);
  let badges = badgeCache.get(all);
  if (badges) return badges;
  badges = new Map();
  const findings = all.filter((f) => f.severity !== 'info');
  const ordered = [
    ...findings.filter((f) => f.severity === 'error'),
    ...findings.filter((f) => f.severity !== 'error'),
  ];
  for (const finding of ordered) {
    for (const owner of ownersOf(finding, project)) {
      const counts = badges.get(owner) ?? { errors: 0, warnings: 0, messages: [] };
      if (finding.severity === 'error') counts.errors++;
      else counts.warnings++;
      counts.messages.push(finding.message);
      badges.set(owner, counts);
    }
  }
  badgeCache.set(all, badges);
  return badges;
}

/** The first error about a host's address (invalid, shared, unusable…): shown at the Address field. */
export function addressErrorOf(project: ClusterProject, host: string): string | undefined {
  return findingsOf(project).find(
    (f) =>
      f.severity === 'error' &&
      f.code.startsWith('HOST_ADDRESS_') &&
      (f.hosts?.includes(host) ?? (f.target.kind === 'host' && f.target.name === host)),
  )?.message;
}

/** The first error about a field of the project (e.g. spec.apiEndpoint.vip): shown at that field. */
export function fieldErrorOf(project: ClusterProject, path: string): string | undefined {
  return findingsOf(project).find(
    (f) => f.severity === 'error' && f.target.kind === 'field' && f.target.path === path,
  )?.message;
}
