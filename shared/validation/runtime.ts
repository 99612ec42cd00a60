import type { ClusterProject } from '../model/cluster';
import { defineCodes, fieldTarget } from './define';
import type { Finding } from './finding';

const { codes, finding } = defineCodes({
  CONTAINERD_1_UNSUPPORTED: {
    severity: 'error',
    summary: 'containerd 1.x is end of life; Keelson installs and configures containerd 2.x only',
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
  return findings;
}
