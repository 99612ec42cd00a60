import type { ClusterProject, Host } from '../model/cluster';
import { defineCodes, hostTarget, listNames } from './define';
import type { Finding } from './finding';

const { codes, finding } = defineCodes({
  SSH_VIA_UNKNOWN: { severity: 'error', summary: 'A host is reached through a bastion that does not exist' },
  SSH_VIA_NOT_BASTION: {
    severity: 'error',
    summary: 'A host is reached through a host without the bastion role',
  },
  SSH_VIA_CYCLE: { severity: 'error', summary: 'Bastion hops form a loop' },
  BASTION_UNUSED: { severity: 'info', summary: 'A bastion host no other host is reached through' },
});
export const reachabilityCodes = codes;

/** The hosts on a via-loop starting at `start`, or undefined when the chain ends. */
function loopFrom(start: Host, byName: Map<string, Host>): string[] | undefined {
  const path: string[] = [];
  let current: Host | undefined = start;
  while (current) {
    const at = path.indexOf(current.name);
    if (at >= 0) return path.slice(at);
    path.push(current.name);
    current = current.ssh?.via ? byName.get(current.ssh.via) : undefined;
  }
  return undefined;
}

export function checkReachability(project: ClusterProject): Finding[] {
  const hosts = project.spec.hosts;
  const byName = new Map<string, Host>();
  for (const h of hosts) if (!byName.has(h.name)) byName.set(h.name, h);
  const findings: Finding[] = [];
  const reported = new Set<string>();
  for (const host of hosts) {
    const via = host.ssh?.via;
    if (via === undefined || via === '') continue;
    const hop = byName.get(via);
    if (!hop) {
      findings.push(
        finding(
          'SSH_VIA_UNKNOWN',
          hostTarget(host.name),
          `${host.name} is reached through "${via}", but no host has that name.`,
          'Add the bastion host, or connect directly (clear "via").',
        ),
      );
      continue;
    }
    if (!hop.roles.includes('bastion'))
      findings.push(
        finding(
          'SSH_VIA_NOT_BASTION',
          hostTarget(host.name),
          `${host.name} is reached through ${via}, which does not have the bastion role.`,
          `Give ${via} the bastion role, or pick a bastion host.`,
        ),
      );
    const loop = loopFrom(host, byName);
    if (loop) {
      const key = [...loop].sort().join('\u0000');
      if (!reported.has(key)) {
        reported.add(key);
        findings.push(
          finding(
            'SSH_VIA_CYCLE',
            hostTarget(loop[0]!),
            loop.length === 1
              ? `${loop[0]} is set to be reached through itself.`
              : `${listNames(loop)} are reached through each other in a loop; none can be reached.`,
            'Connect one of them directly (clear its "via").',
          ),
        );
      }
    }
  }
  const used = new Set(hosts.map((h) => h.ssh?.via).filter((v): v is string => !!v));
  for (const host of hosts)
    if (host.roles.includes('bastion') && !used.has(host.name))
      findings.push(
        finding(
          'BASTION_UNUSED',
          hostTarget(host.name),
          `No host is reached through the bastion ${host.name}.`,
          `Set "via: ${host.name}" on the hosts behind it, or drop the bastion.`,
        ),
      );
  return findings;
}
