import type { ClusterProject } from '../model/cluster';
import {
  imageRepositoryProblem,
  interfaceNameProblem,
  labelKeyProblem,
  labelValueProblem,
  mirrorUrlProblem,
  sshUserProblem,
  visible,
} from '../model/formats';
import { defineCodes, fieldTarget } from './define';
import type { Finding } from './finding';

const { codes, finding } = defineCodes({
  SSH_USER_INVALID: {
    severity: 'error',
    summary: 'SSH user is not a user name (letters, digits, _ . @ -)',
  },
  LABEL_INVALID: {
    severity: 'error',
    summary: 'A node label key or value breaks Kubernetes’ rules (qualified name / label value)',
  },
  TAINT_INVALID: {
    severity: 'error',
    summary: 'A taint key or value breaks Kubernetes’ rules (qualified name / label value)',
  },
  VRRP_INTERFACE_INVALID: {
    severity: 'error',
    summary: 'The VRRP/kube-vip interface is not a Linux interface name',
  },
  PACKAGES_MIRROR_URL_INVALID: {
    severity: 'error',
    summary: 'The package mirror URL is not a plain http(s) URL (no credentials, query or fragment)',
  },
  IMAGE_REPOSITORY_INVALID: {
    severity: 'error',
    summary: 'The image repository is not a registry host[:port][/path] (OCI reference grammar)',
  },
  REGISTRY_MIRROR_INVALID: {
    severity: 'error',
    summary: 'A containerd registry mirror is not a plain http(s) URL',
  },
});
export const formatCodes = codes;

/** Quotes a user value for a message: JSON escapes, shortened, so a finding is one clean line. */
export function shown(value: string): string {
  return visible(value.length > 80 ? `${value.slice(0, 77)}...` : value);
}

/**
 * Field formats (shared/model/formats.ts) that the schema leaves to the validator, so a design in
 * progress still saves. Each failure names the field's path; a project with any of them is not
 * planned.
 */
export function checkFormats(project: ClusterProject): Finding[] {
  const findings: Finding[] = [];
  const spec = project.spec;
  spec.hosts.forEach((host, i) => {
    const at = `spec.hosts[${i}]`;
    const user = host.ssh?.user;
    const userProblem = user === undefined ? undefined : sshUserProblem(user);
    if (userProblem)
      findings.push(
        finding(
          'SSH_USER_INVALID',
          fieldTarget(`${at}.ssh.user`),
          `Host ${host.name}: SSH user ${shown(user!)} is not valid: ${userProblem}.`,
          'Use the login name, e.g. root or deploy.',
        ),
      );
    for (const [key, value] of Object.entries(host.labels ?? {})) {
      const problem = labelKeyProblem(key) ?? labelValueProblem(value);
      if (problem)
        findings.push(
          finding(
            'LABEL_INVALID',
            fieldTarget(`${at}.labels`),
            `Host ${host.name}: label ${shown(`${key}=${value}`)} is not valid: ${problem}.`,
            'Labels look like example.com/zone=rack-1 (kubectl label’s rules).',
          ),
        );
    }
    (host.taints ?? []).forEach((taint, t) => {
      const problem = labelKeyProblem(taint.key) ?? labelValueProblem(taint.value ?? '');
      if (problem)
        findings.push(
          finding(
            'TAINT_INVALID',
            fieldTarget(`${at}.taints[${t}]`),
            `Host ${host.name}: taint ${shown(`${taint.key}${taint.value !== undefined ? `=${taint.value}` : ''}:${taint.effect}`)} is not valid: ${problem}.`,
            'Taints look like dedicated=gpu:NoSchedule (kubectl taint’s rules).',
          ),
        );
    });
  });
  const iface = spec.apiEndpoint?.vrrp?.interface;
  const ifaceProblem = iface === undefined ? undefined : interfaceNameProblem(iface);
  if (ifaceProblem)
    findings.push(
      finding(
        'VRRP_INTERFACE_INVALID',
        fieldTarget('spec.apiEndpoint.vrrp.interface'),
        `The VIP interface ${shown(iface!)} is not a Linux interface name: ${ifaceProblem}.`,
        'Use the name `ip link` shows on the hosts that carry the VIP, e.g. eth0 or ens192.',
      ),
    );
  const mirror = spec.packages?.mirrorUrl;
  const mirrorProblem = mirror === undefined ? undefined : mirrorUrlProblem(mirror);
  if (mirrorProblem)
    findings.push(
      finding(
        'PACKAGES_MIRROR_URL_INVALID',
        fieldTarget('spec.packages.mirrorUrl'),
        `The package mirror URL ${shown(mirror!)} is not valid: ${mirrorProblem}.`,
        'Use the mirror’s base URL, e.g. http://10.0.0.5:8080/keelson.',
      ),
    );
  const repository = spec.packages?.imageRepository;
  const repositoryProblem = repository === undefined ? undefined : imageRepositoryProblem(repository);
  if (repositoryProblem)
    findings.push(
      finding(
        'IMAGE_REPOSITORY_INVALID',
        fieldTarget('spec.packages.imageRepository'),
        `The image repository ${shown(repository!)} is not valid: ${repositoryProblem}.`,
        'Use a registry and path without tag, e.g. registry.example:5000/k8s.',
      ),
    );
  (spec.containerd?.registryMirrors ?? []).forEach((url, i) => {
    const problem = mirrorUrlProblem(url);
    if (problem)
      findings.push(
        finding(
          'REGISTRY_MIRROR_INVALID',
          fieldTarget(`spec.containerd.registryMirrors[${i}]`),
          `Registry mirror ${shown(url)} is not valid: ${problem}.`,
          'Use the mirror’s URL, e.g. https://mirror.example:5000.',
        ),
      );
  });
  return findings;
}
