import {
  ENDED_RELEASES,
  isPastEndOfLife,
  KUBERNETES_RELEASES,
  NEWEST_RELEASE,
  parseKubernetesVersion,
  releaseOf,
} from '../../../shared/kubernetes/releases';

export interface VersionChoice {
  value: string;
  label: string;
}

/**
 * The Kubernetes versions to choose from: the maintained releases with their end-of-life dates,
 * newest first (from shared/kubernetes/releases.ts, the one table). A value the file holds that
 * is not one of them (a pinned patch, a release past end of life, a typo) is listed as what it
 * is, so the field never shows something other than the file says.
 */
export function versionChoices(current: string, today: string): VersionChoice[] {
  const choices: VersionChoice[] = KUBERNETES_RELEASES.map((r) => ({
    value: r.minor,
    label: `${r.minor}${r === NEWEST_RELEASE ? ' (newest)' : ''} — ${isPastEndOfLife(r, today) ? 'ended' : 'supported until'} ${r.endOfLife}`,
  }));
  if (choices.some((c) => c.value === current)) return choices;
  const parsed = parseKubernetesVersion(current);
  const release = parsed && releaseOf(parsed);
  const ended = ENDED_RELEASES.find((r) => parsed && r.minor === `${parsed.major}.${parsed.minor}`);
  const label = release
    ? `${current} — pinned patch of ${release.minor}`
    : ended
      ? `${current} — end of life since ${ended.endOfLife}: choose a maintained release`
      : `${current || '(none)'} — not a Kubernetes release Keelson knows: choose one`;
  return [{ value: current, label }, ...choices];
}
