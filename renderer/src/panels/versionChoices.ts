import {
  describeKubernetesVersion,
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
 * is, so the field never shows something other than the file says. Labels are short enough for
 * the narrowest Properties panel; versionHint says the rest under the field.
 */
export function versionChoices(current: string, today: string): VersionChoice[] {
  const choices: VersionChoice[] = KUBERNETES_RELEASES.map((r) => ({
    value: r.minor,
    label: `${r.minor} — ${isPastEndOfLife(r, today) ? 'ended' : 'until'} ${r.endOfLife}`,
  }));
  if (choices.some((c) => c.value === current)) return choices;
  const parsed = parseKubernetesVersion(current);
  const release = parsed && releaseOf(parsed);
  const ended = endedRelease(current);
  const label = release
    ? `${current} — patch of ${release.minor}`
    : ended
      ? `${current} — ended ${ended.endOfLife}`
      : `${current || '(none)'} — unknown`;
  return [{ value: current, label }, ...choices];
}

/** What the chosen version is, in a sentence under the field. */
export function versionHint(current: string, today: string): string {
  const parsed = parseKubernetesVersion(current);
  const release = parsed && releaseOf(parsed);
  if (release) {
    const newest = release === NEWEST_RELEASE ? ', the newest release' : '';
    const pinned = current !== release.minor ? ` — pinned to this patch of ${release.minor}` : '';
    return `${describeKubernetesVersion(current, today)}${newest}${pinned}.`;
  }
  const ended = endedRelease(current);
  if (ended)
    return `Kubernetes ${current} reached its end of life on ${ended.endOfLife}: choose a maintained release.`;
  return `"${current}" is not a Kubernetes release Keelson knows: choose one of the maintained releases.`;
}

function endedRelease(current: string) {
  const parsed = parseKubernetesVersion(current);
  return ENDED_RELEASES.find((r) => parsed && r.minor === `${parsed.major}.${parsed.minor}`);
}
