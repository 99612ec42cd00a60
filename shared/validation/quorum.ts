import { hostsWithRole, type ClusterProject } from '../model/cluster';
import { count, defineCodes, fieldTarget } from './define';
import type { Finding } from './finding';

/** Members an etcd cluster of `n` can lose and still write: ⌊(n−1)/2⌋. */
export function faultTolerance(members: number): number {
  return Math.max(0, Math.floor((members - 1) / 2));
}

const { codes, finding } = defineCodes({
  NO_HOSTS: { severity: 'warning', summary: 'The design has no hosts yet: nothing to deploy' },
  CP_COUNT_ZERO: { severity: 'error', summary: 'Hosts exist but none has the control-plane role' },
  CP_COUNT_SINGLE: { severity: 'warning', summary: 'One control plane: the cluster is not highly available' },
  CP_COUNT_TWO: {
    severity: 'warning',
    summary: 'Two control planes with stacked etcd: worse than one for etcd quorum',
  },
  CP_COUNT_EVEN: {
    severity: 'warning',
    summary: 'Even number of stacked-etcd control planes adds no fault tolerance',
  },
  CP_COUNT_LARGE: {
    severity: 'info',
    summary: 'More than 5 stacked-etcd control planes; 3 or 5 is the usual choice',
  },
  ETCD_COUNT_ZERO: { severity: 'error', summary: 'External etcd chosen but no host has the etcd role' },
  ETCD_COUNT_SINGLE: { severity: 'warning', summary: 'One external etcd member: no fault tolerance' },
  ETCD_COUNT_TWO: { severity: 'warning', summary: 'Two external etcd members: worse than one for quorum' },
  ETCD_COUNT_EVEN: {
    severity: 'warning',
    summary: 'Even number of external etcd members adds no fault tolerance',
  },
  ETCD_COUNT_LARGE: {
    severity: 'info',
    summary: 'More than 5 external etcd members; 3 or 5 is the usual choice',
  },
});
export const quorumCodes = codes;

const HOSTS = fieldTarget('spec.hosts');

/** Quorum findings for these etcd members (hosts), with the code prefix of where etcd runs. */
function etcdMembers(members: readonly string[], kind: 'CP' | 'ETCD', what: string): Finding[] {
  const n = members.length;
  if (n === 2) {
    return [
      finding(
        `${kind}_COUNT_TWO`,
        HOSTS,
        `2 ${what} form an etcd cluster that tolerates no failure, and either one going down stops writes: ` +
          'two members are worse than one.',
        'Use 3 (tolerates 1 failure) or 5 (tolerates 2).',
        members,
      ),
    ];
  }
  if (n >= 4 && n % 2 === 0) {
    return [
      finding(
        `${kind}_COUNT_EVEN`,
        HOSTS,
        `${n} ${what} tolerate ${faultTolerance(n)} failure(s), no more than ${n - 1} would.`,
        `Use an odd number: ${n - 1} or ${n + 1}.`,
        members,
      ),
    ];
  }
  if (n > 5) {
    return [
      finding(
        `${kind}_COUNT_LARGE`,
        HOSTS,
        `${n} ${what}: every write waits for ${Math.floor(n / 2) + 1} of them, which slows etcd.`,
        '3 or 5 members is the usual choice.',
        members,
      ),
    ];
  }
  return [];
}

export function checkQuorum(project: ClusterProject): Finding[] {
  const external = project.spec.etcd?.mode === 'external';
  const controlPlaneNames = hostsWithRole(project, 'control-plane').map((h) => h.name);
  const controlPlanes = controlPlaneNames.length;
  const findings: Finding[] = [];
  if (project.spec.hosts.length === 0) {
    // An empty canvas is a start, not a mistake: one gentle finding instead of a list of errors.
    return [
      finding(
        'NO_HOSTS',
        HOSTS,
        'The design has no hosts yet, so there is nothing to deploy.',
        'Add hosts: 3 control planes and some workers is a good start.',
      ),
    ];
  }
  if (controlPlanes === 0) {
    findings.push(
      finding(
        'CP_COUNT_ZERO',
        HOSTS,
        'No host has the control-plane role.',
        'Give 3 hosts the control-plane role.',
      ),
    );
  } else if (controlPlanes === 1) {
    findings.push(
      finding(
        'CP_COUNT_SINGLE',
        HOSTS,
        'Only 1 control plane: if it goes down, the cluster cannot be managed.',
        'Add control planes for high availability (3 is the usual number).',
      ),
    );
  } else if (!external) {
    findings.push(...etcdMembers(controlPlaneNames, 'CP', 'control planes with stacked etcd'));
  }
  if (external) {
    const memberNames = hostsWithRole(project, 'etcd').map((h) => h.name);
    const members = memberNames.length;
    if (members === 0) {
      findings.push(
        finding(
          'ETCD_COUNT_ZERO',
          HOSTS,
          'etcd mode is external, but no host has the etcd role.',
          'Give 3 hosts the etcd role, or switch etcd to stacked.',
        ),
      );
    } else if (members === 1) {
      findings.push(
        finding(
          'ETCD_COUNT_SINGLE',
          HOSTS,
          `Only ${count(1, 'external etcd member')}: losing it loses the cluster state.`,
          'Use 3 etcd hosts (tolerates 1 failure) or 5 (tolerates 2).',
        ),
      );
    } else {
      findings.push(...etcdMembers(memberNames, 'ETCD', 'external etcd members'));
    }
  }
  return findings;
}
