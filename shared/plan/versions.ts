import { etcdReleaseTag } from '../kubernetes/releases';
import type { PlannedVersion } from '../validation/design';

export { DEFAULT_IMAGE_REPOSITORY, KUBEADM_API_VERSION } from '../kubernetes/releases';

/** The project's version as the validator resolved it: its parts and its release row. */
export type KubeVersion = PlannedVersion;

/** `v1.37`: the pkgs.k8s.io repository channel (one repository per minor). */
export const minorChannel = (v: KubeVersion): string => `v${v.release.minor}`;

/** kubeadm's pause image tag for the release: containerd's sandbox image must be the same. */
export const pauseVersion = (v: KubeVersion): string => v.release.images.pause;

/** etcd release for external members: the one kubeadm itself runs for the release (3.7 from 1.37). */
export const externalEtcdVersion = (v: KubeVersion): string => etcdReleaseTag(v.release);

export const CALICO_VERSION = 'v3.30.3';
export const FLANNEL_VERSION = 'v0.28.10';
export const KUBE_VIP_VERSION = 'v0.9.2';
