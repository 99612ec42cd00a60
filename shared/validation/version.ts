import {
  ENDED_RELEASES,
  isPastEndOfLife,
  KUBERNETES_RELEASES,
  minorOf,
  NEWEST_RELEASE,
  OLDEST_RELEASE,
  parseKubernetesVersion,
  releaseOf,
  compareMinors,
} from '../kubernetes/releases';
import type { ClusterProject } from '../model/cluster';
import { defineCodes, fieldTarget } from './define';
import type { Finding } from './finding';

/** The minors Keelson generates configs for, oldest first (from the one release table). */
export const SUPPORTED_KUBERNETES_MINORS: readonly string[] = KUBERNETES_RELEASES.map(
  (r) => r.minor,
).reverse();

const range = `${OLDEST_RELEASE.minor}–${NEWEST_RELEASE.minor}`;

const { codes, finding } = defineCodes({
  K8S_VERSION_INVALID: {
    severity: 'error',
    summary: 'kubernetesVersion is not a version like 1.37 or 1.37.2',
  },
  K8S_VERSION_UNSUPPORTED: {
    severity: 'error',
    summary: `Kubernetes minor outside the maintained ${range} (end of life, or newer than Keelson knows)`,
  },
  K8S_VERSION_END_OF_LIFE: {
    severity: 'warning',
    summary: 'The Kubernetes release has passed its end-of-life date: no more security fixes',
  },
});
export const versionCodes = codes;

export interface VersionCheckOptions {
  /** YYYY-MM-DD; end of life is judged against this day. */
  today: string;
}

export function checkVersion(project: ClusterProject, { today }: VersionCheckOptions): Finding[] {
  const version = project.spec.kubernetesVersion;
  const target = fieldTarget('spec.kubernetesVersion');
  const parsed = parseKubernetesVersion(version);
  if (!parsed) {
    return [
      finding(
        'K8S_VERSION_INVALID',
        target,
        `Kubernetes version "${version}" is not a version like 1.37 or 1.37.2.`,
        `Write the minor version in quotes, e.g. "${NEWEST_RELEASE.minor}".`,
      ),
    ];
  }
  const release = releaseOf(parsed);
  const fix = `Pick ${SUPPORTED_KUBERNETES_MINORS.join(', ')} (newest: ${NEWEST_RELEASE.minor}).`;
  if (!release) {
    const minor = minorOf(parsed);
    const ended = ENDED_RELEASES.find((r) => r.minor === minor);
    const why = ended
      ? `reached end of life on ${ended.endOfLife}`
      : compareMinors(minor, OLDEST_RELEASE.minor) < 0
        ? `is past end of life (${ENDED_RELEASES[0]?.minor ?? OLDEST_RELEASE.minor} and older are)`
        : `is newer than any release Keelson knows`;
    return [
      finding(
        'K8S_VERSION_UNSUPPORTED',
        target,
        `Kubernetes ${minor} ${why}; Keelson generates configs for the maintained ${range}.`,
        fix,
      ),
    ];
  }
  if (isPastEndOfLife(release, today)) {
    return [
      finding(
        'K8S_VERSION_END_OF_LIFE',
        target,
        `Kubernetes ${release.minor} reached end of life on ${release.endOfLife}: it gets no more security fixes.`,
        release === NEWEST_RELEASE
          ? 'Keelson knows no newer release yet; update Keelson.'
          : `Use ${NEWEST_RELEASE.minor}.`,
      ),
    ];
  }
  return [];
}
