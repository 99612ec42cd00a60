import type { ClusterProject } from '../model/cluster';
import { defineCodes, fieldTarget } from './define';
import type { Finding } from './finding';

const { codes, finding } = defineCodes({
  CONTAINERD_1_UNSUPPORTED: {
    severity: 'error',
    summary: 'containerd 1.x is end of life; Keelson installs and configures containerd 2.x only',
  },
  CGROUP_V1_ALLOWED: {
    severity: 'warning',
    summary: 'The kubelet is allowed to run on cgroup v1, which is deprecated and will be removed',
  },
});
export const runtimeCodes = codes;

export function checkRuntime(project: ClusterProject): Finding[] {
  const findings: Finding[] = [];
  // Files written before 1.x was dropped still say major: '1'; they load, and this says what to do.
  if (project.spec.containerd.major !== '2')
    findings.push(
      finding(
        'CONTAINERD_1_UNSUPPORTED',
        fieldTarget('spec.containerd.major'),
        `containerd ${project.spec.containerd.major}.x is end of life and the kubelet is dropping support for it; Keelson configures containerd 2.x (config version 3).`,
        "Set spec.containerd.major to '2' (or remove it: 2 is the default).",
      ),
    );
  if (project.spec.kubelet?.allowCgroupV1)
    findings.push(
      finding(
        'CGROUP_V1_ALLOWED',
        fieldTarget('spec.kubelet.allowCgroupV1'),
        'cgroup v1 is deprecated: since Kubernetes 1.35 the kubelet refuses it unless told otherwise, its support ' +
          'is going away in a later release, and systemd 258 and newer cannot run on it at all. With this option ' +
          "Keelson writes failCgroupV1: false for the kubelet and skips kubeadm's SystemVerification preflight " +
          'check, which also skips its kernel and OS checks.',
        'Move the hosts to cgroup v2 (boot with systemd.unified_cgroup_hierarchy=1) and turn the option off.',
      ),
    );
  return findings;
}
