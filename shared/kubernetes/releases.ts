/**
 * The one table of Kubernetes releases Keelson knows: dates from kubernetes.io/releases, image
 * versions from kubeadm's own constants (cmd/kubeadm/app/constants/constants.go of the patch named
 * in `imagesFrom`). The validator, the plan generators, the UI and the docs all read this file;
 * adding a release means adding a row here and nothing else.
 */

export interface KubernetesRelease {
  /** `1.37`: the minor, which names the pkgs.k8s.io repository. */
  minor: string;
  /** Release and end-of-life dates, YYYY-MM-DD. */
  released: string;
  endOfLife: string;
  /** The patch release whose kubeadm the image versions below were read from. */
  imagesFrom: string;
  /** Image tags kubeadm pulls for this release (`kubeadm config images list`), besides its own. */
  images: {
    /** kubeadm's DefaultEtcdVersion: the stacked etcd image tag; external members run the same release. */
    etcd: string;
    /** CoreDNS image tag (registry.k8s.io/coredns/coredns). */
    coreDNS: string;
    /** kubeadm's PauseVersion: containerd's sandbox image must be exactly this. */
    pause: string;
  };
}

/** Maintained releases, newest first. */
export const KUBERNETES_RELEASES: readonly KubernetesRelease[] = [
  {
    minor: '1.37',
    released: '2026-08-26',
    endOfLife: '2027-10-28',
    imagesFrom: '1.37.2',
    images: { etcd: '3.7.0-0', coreDNS: 'v1.14.6', pause: '3.10.2' },
  },
  {
    minor: '1.36',
    released: '2026-04-22',
    endOfLife: '2027-06-28',
    imagesFrom: '1.36.3',
    images: { etcd: '3.6.8-0', coreDNS: 'v1.14.2', pause: '3.10.2' },
  },
  {
    minor: '1.35',
    released: '2025-12-17',
    endOfLife: '2027-02-28',
    imagesFrom: '1.35.4',
    images: { etcd: '3.6.6-0', coreDNS: 'v1.13.1', pause: '3.10.1' },
  },
];

/** Releases past end of life that Keelson no longer generates configs for, with the date they ended. */
export const ENDED_RELEASES: readonly { minor: string; endOfLife: string }[] = [
  { minor: '1.34', endOfLife: '2026-10-27' },
];

export const NEWEST_RELEASE: KubernetesRelease = KUBERNETES_RELEASES[0]!;
export const OLDEST_RELEASE: KubernetesRelease = KUBERNETES_RELEASES.at(-1)!;
/** The version new projects and templates get. */
export const DEFAULT_KUBERNETES_VERSION = NEWEST_RELEASE.minor;

/**
 * kubeadm's config API for every maintained release: v1beta3 was removed in 1.36
 * (kubernetes/kubernetes#136016) and there is no v1beta5.
 */
export const KUBEADM_API_VERSION = 'kubeadm.k8s.io/v1beta4';

export const DEFAULT_IMAGE_REPOSITORY = 'registry.k8s.io';

export interface KubernetesVersion {
  major: number;
  minor: number;
  /** Set when a patch release is pinned (1.37.2); otherwise the newest patch of the minor. */
  patch?: number;
}

/** `1.37` or `1.37.2` → its parts; anything else (`v1.37`, `latest`, `1.37.2-rc.0`) → undefined. */
export function parseKubernetesVersion(text: unknown): KubernetesVersion | undefined {
  const match = typeof text === 'string' ? /^(\d+)\.(\d+)(?:\.(\d+))?$/.exec(text) : null;
  if (!match) return undefined;
  const version: KubernetesVersion = { major: Number(match[1]), minor: Number(match[2]) };
  return match[3] === undefined ? version : { ...version, patch: Number(match[3]) };
}

export const minorOf = (v: KubernetesVersion): string => `${v.major}.${v.minor}`;

/** The table's row for a version's minor, when Keelson generates configs for it. */
export function releaseOf(v: KubernetesVersion): KubernetesRelease | undefined {
  return KUBERNETES_RELEASES.find((r) => r.minor === minorOf(v));
}

/** Numeric order of two minors (`1.9` < `1.10`). */
export function compareMinors(a: string, b: string): number {
  const [am = 0, an = 0] = a.split('.').map(Number);
  const [bm = 0, bn = 0] = b.split('.').map(Number);
  return am - bm || an - bn;
}

/** True once `today` (YYYY-MM-DD) is after the release's last day of support. */
export const isPastEndOfLife = (release: { endOfLife: string }, today: string): boolean =>
  today > release.endOfLife;

/** Today's date as YYYY-MM-DD (UTC), the default for end-of-life checks. */
export const todayIso = (): string => new Date().toISOString().slice(0, 10);

/** `v1.37.2` for a pinned patch, else the patch the image table was read from. */
export function kubeadmVersionTag(v: KubernetesVersion, release: KubernetesRelease): string {
  return v.patch === undefined ? `v${release.imagesFrom}` : `v${minorOf(v)}.${v.patch}`;
}

/**
 * The images `kubeadm config images list --kubernetes-version TAG` prints, in its order, for the
 * stacked-etcd case (external etcd drops the etcd image).
 */
export function kubeadmImages(
  tag: string,
  release: KubernetesRelease,
  repository = DEFAULT_IMAGE_REPOSITORY,
): string[] {
  // Only registry.k8s.io keeps CoreDNS under coredns/coredns; with any other imageRepository
  // kubeadm pulls REPOSITORY/coredns (its GetDNSImage), so a mirror must hold it there.
  const coreDNS =
    repository === DEFAULT_IMAGE_REPOSITORY ? `${repository}/coredns/coredns` : `${repository}/coredns`;
  return [
    `${repository}/kube-apiserver:${tag}`,
    `${repository}/kube-controller-manager:${tag}`,
    `${repository}/kube-scheduler:${tag}`,
    `${repository}/kube-proxy:${tag}`,
    `${coreDNS}:${release.images.coreDNS}`,
    `${repository}/pause:${release.images.pause}`,
    `${repository}/etcd:${release.images.etcd}`,
  ];
}

/** etcd's own release tag for external members: kubeadm's etcd image tag without its `-0` build suffix. */
export const etcdReleaseTag = (release: KubernetesRelease): string =>
  `v${release.images.etcd.replace(/-\d+$/, '')}`;

/** What a project's version means, in one line: `Kubernetes 1.37 (released …, maintained until …)`. */
export function describeKubernetesVersion(text: string, today: string): string {
  const parsed = parseKubernetesVersion(text);
  const release = parsed && releaseOf(parsed);
  if (!release) return `Kubernetes ${text}`;
  const support = isPastEndOfLife(release, today)
    ? `end of life since ${release.endOfLife}`
    : `maintained until ${release.endOfLife}`;
  return `Kubernetes ${text} (released ${release.released}, ${support})`;
}
