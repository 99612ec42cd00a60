import { SUPPORTED_KUBERNETES_MINORS } from '../validation/version';
import { PlanError } from './errors';

/** The validator's list is the one source: a version it accepts is one the generators know. */
const minorOf = (text: string): number => Number(text.split('.')[1]);
export const OLDEST_SUPPORTED_MINOR = minorOf(SUPPORTED_KUBERNETES_MINORS[0]);
export const NEWEST_SUPPORTED_MINOR = minorOf(SUPPORTED_KUBERNETES_MINORS.at(-1)!);

export interface KubeVersion {
  minor: number;
  /** Set when the project pins a patch release (1.33.2); otherwise the newest of the minor. */
  patch?: number;
}

export function parseKubeVersion(text: string): KubeVersion {
  const match = /^1\.(\d+)(?:\.(\d+))?$/.exec(text);
  if (!match) throw new PlanError(`"${text}" is not a Kubernetes 1.x version`, 'spec.kubernetesVersion');
  const minor = Number(match[1]);
  if (minor < OLDEST_SUPPORTED_MINOR || minor > NEWEST_SUPPORTED_MINOR) {
    throw new PlanError(
      `1.${minor} is outside the supported range 1.${OLDEST_SUPPORTED_MINOR}–1.${NEWEST_SUPPORTED_MINOR}`,
      'spec.kubernetesVersion',
    );
  }
  return match[2] === undefined ? { minor } : { minor, patch: Number(match[2]) };
}

/** `v1.33`: the pkgs.k8s.io repository channel (one repository per minor). */
export const minorChannel = (v: KubeVersion): string => `v1.${v.minor}`;

/** v1beta4 from 1.31 (v1beta3 is removed in 1.37); v1beta3 is the only choice below. */
export const kubeadmApiVersion = (v: KubeVersion): string =>
  v.minor >= 31 ? 'kubeadm.k8s.io/v1beta4' : 'kubeadm.k8s.io/v1beta3';

export const usesV1beta4 = (v: KubeVersion): boolean => v.minor >= 31;

/** kubeadm's constants.PauseVersion per minor: containerd's sandbox image must be the same. */
export function pauseVersion(v: KubeVersion): string {
  if (v.minor >= 34) return '3.10.1';
  if (v.minor >= 31) return '3.10';
  return '3.9';
}

export const DEFAULT_IMAGE_REPOSITORY = 'registry.k8s.io';

/** etcd release for external members: the line kubeadm itself uses for the minor (3.6 from 1.34). */
export const externalEtcdVersion = (v: KubeVersion): string => (v.minor >= 34 ? 'v3.6.5' : 'v3.5.21');

export const CALICO_VERSION = 'v3.30.3';
export const FLANNEL_VERSION = 'v0.27.4';
export const KUBE_VIP_VERSION = 'v0.9.2';
