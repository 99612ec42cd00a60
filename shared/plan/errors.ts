import type { Finding } from '../validation/finding';

/**
 * A project the generators will not plan: it has error findings (all of them in `findings`,
 * the first one's field in `path`). The planner has no rules of its own, so this is the
 * validator speaking.
 */
export class PlanError extends Error {
  constructor(
    message: string,
    readonly path: string,
    readonly findings: Finding[] = [],
  ) {
    super(`${path}: ${message}`);
    this.name = 'PlanError';
  }
}

/** Where a finding points, as a field path (`spec.hosts[2]` for a host). */
export function findingPath(finding: Finding, hosts: readonly { name: string }[]): string {
  if (finding.target.kind === 'field') return finding.target.path;
  const name = finding.target.name;
  const index = hosts.findIndex((h) => h.name === name);
  return index >= 0 ? `spec.hosts[${index}]` : 'spec.hosts';
}
