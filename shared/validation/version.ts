import type { ClusterProject } from '../model/cluster';
import { defineCodes, fieldTarget } from './define';
import type { Finding } from './finding';

/**
 * Kubernetes minors Keelson generates configs for. Older ones are out of upstream support;
 * newer ones are unknown to the generators. Extend this list, nothing else, when adding one.
 */
export const SUPPORTED_KUBERNETES_MINORS = ['1.30', '1.31', '1.32', '1.33', '1.34', '1.35'] as const;

export type KubeadmApiVersion = 'kubeadm.k8s.io/v1beta3' | 'kubeadm.k8s.io/v1beta4';

/** `1.33` or `1.33.2` → `{ major: 1, minor: 33 }`; anything else → undefined. */
export function parseKubernetesVersion(version: string): { major: number; minor: number } | undefined {
  const match = typeof version === 'string' ? /^(\d+)\.(\d+)(?:\.(\d+))?$/.exec(version) : null;
  if (!match) return undefined;
  return { major: Number(match[1]), minor: Number(match[2]) };
}

/** True when `version` is at least `major.minor`. */
export function versionAtLeast(version: string, major: number, minor: number): boolean {
  const v = parseKubernetesVersion(version);
  return v !== undefined && (v.major > major || (v.major === major && v.minor >= minor));
}

/**
 * The kubeadm config API to emit: v1beta4 from 1.31 (v1beta3 is gone in 1.37), v1beta3 below,
 * where v1beta4 does not exist yet. Throws on a string that is not a version.
 */
export function kubeadmApiVersionFor(version: string): KubeadmApiVersion {
  if (!parseKubernetesVersion(version))
    throw new Error(`not a Kubernetes version: ${JSON.stringify(version)}`);
  return versionAtLeast(version, 1, 31) ? 'kubeadm.k8s.io/v1beta4' : 'kubeadm.k8s.io/v1beta3';
}

const { codes, finding } = defineCodes({
  K8S_VERSION_INVALID: {
    severity: 'error',
    summary: 'kubernetesVersion is not a version like 1.33 or 1.33.2',
  },
  K8S_VERSION_UNSUPPORTED: {
    severity: 'error',
    summary: `Kubernetes minor outside the supported ${SUPPORTED_KUBERNETES_MINORS[0]}–${SUPPORTED_KUBERNETES_MINORS.at(-1)}`,
  },
});
export const versionCodes = codes;

export function checkVersion(project: ClusterProject): Finding[] {
  const version = project.spec.kubernetesVersion;
  const target = fieldTarget('spec.kubernetesVersion');
  const parsed = parseKubernetesVersion(version);
  if (!parsed) {
    return [
      finding(
        'K8S_VERSION_INVALID',
        target,
        `Kubernetes version "${version}" is not a version like 1.33 or 1.33.2.`,
        'Write the minor version in quotes, e.g. "1.34".',
      ),
    ];
  }
  const minor = `${parsed.major}.${parsed.minor}` as (typeof SUPPORTED_KUBERNETES_MINORS)[number];
  if (!SUPPORTED_KUBERNETES_MINORS.includes(minor)) {
    return [
      finding(
        'K8S_VERSION_UNSUPPORTED',
        target,
        `Kubernetes ${version} is not supported; Keelson generates configs for ${SUPPORTED_KUBERNETES_MINORS.join(', ')}.`,
        `Pick one of ${SUPPORTED_KUBERNETES_MINORS.join(', ')}.`,
      ),
    ];
  }
  return [];
}
