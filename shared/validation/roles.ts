import { hostsWithRole, type ClusterProject } from '../model/cluster';
import { defineCodes, fieldTarget, hostTarget } from './define';
import type { Finding } from './finding';

const { codes, finding } = defineCodes({
  ROLE_DUPLICATE: { severity: 'info', summary: 'A role is listed twice on one host' },
  ROLE_BASTION_MIXED: { severity: 'warning', summary: 'A bastion host also has cluster roles' },
  ROLE_LB_UNUSED: {
    severity: 'warning',
    summary: 'A host has the lb role but the endpoint pattern uses no lb hosts',
  },
  ROLE_ETCD_STACKED: { severity: 'warning', summary: 'A host has the etcd role but etcd is stacked' },
  ROLE_ETCD_ON_CONTROL_PLANE: {
    severity: 'warning',
    summary: 'An external etcd member is also a control plane',
  },
  NO_WORKERS: {
    severity: 'info',
    summary: 'No worker nodes: workloads will not schedule on tainted control planes',
  },
  PACKAGES_MIRROR_URL_MISSING: {
    severity: 'error',
    summary: 'Mirror package source chosen without a mirror URL',
  },
});
export const roleCodes = codes;

export function checkRoles(project: ClusterProject): Finding[] {
  const findings: Finding[] = [];
  const { pattern } = project.spec.apiEndpoint;
  const external = project.spec.etcd?.mode === 'external';
  for (const host of project.spec.hosts) {
    const roles = host.roles;
    const target = hostTarget(host.name);
    if (new Set(roles).size !== roles.length)
      findings.push(
        finding('ROLE_DUPLICATE', target, `${host.name} lists a role more than once.`, 'Remove the repeat.'),
      );
    if (roles.includes('bastion') && roles.some((r) => r !== 'bastion'))
      findings.push(
        finding(
          'ROLE_BASTION_MIXED',
          target,
          `${host.name} is a bastion and also ${roles.filter((r) => r !== 'bastion').join(', ')}; a jump host is safer kept outside the cluster.`,
          'Use a separate host as the bastion.',
        ),
      );
    if (roles.includes('lb') && pattern !== 'dedicated-lb')
      findings.push(
        finding(
          'ROLE_LB_UNUSED',
          target,
          `${host.name} has the lb role, but the ${pattern} endpoint does not run load balancers on lb hosts.`,
          'Switch the endpoint to dedicated-lb, or remove the lb role.',
        ),
      );
    if (roles.includes('etcd') && !external)
      findings.push(
        finding(
          'ROLE_ETCD_STACKED',
          target,
          `${host.name} has the etcd role, but etcd is stacked on the control planes; the role does nothing.`,
          'Switch etcd to external, or remove the etcd role.',
        ),
      );
    if (roles.includes('etcd') && external && roles.includes('control-plane'))
      findings.push(
        finding(
          'ROLE_ETCD_ON_CONTROL_PLANE',
          target,
          `${host.name} is an external etcd member and a control plane; losing it loses both.`,
          'Keep external etcd members on their own hosts, or use stacked etcd.',
        ),
      );
  }
  const controlPlanes = hostsWithRole(project, 'control-plane').length;
  if (controlPlanes > 0 && hostsWithRole(project, 'worker').length === 0)
    findings.push(
      finding(
        'NO_WORKERS',
        fieldTarget('spec.hosts'),
        'No host has the worker role: control planes keep their NoSchedule taint, so ordinary workloads stay Pending.',
        'Add workers, or give control planes the worker role too.',
      ),
    );
  const packages = project.spec.packages;
  if (packages?.source === 'mirror' && !packages.mirrorUrl)
    findings.push(
      finding(
        'PACKAGES_MIRROR_URL_MISSING',
        fieldTarget('spec.packages.mirrorUrl'),
        'Packages come from a mirror, but no mirror URL is set.',
        'Set the mirror’s base URL, or switch the source to online.',
      ),
    );
  return findings;
}
