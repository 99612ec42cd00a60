import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { CheckReport } from '../../../shared/check/report';
import { writeFileAtomic } from '../workspace/atomic-write';

/** The latest host check of a cluster, for the plan it checked (a changed design makes it stale). */
export interface KeptCheck {
  report: CheckReport;
  planHash: string;
}

/**
 * Kept beside the deploy state (NAME.deploy/last-check.json) so that a restarted app still shows
 * the report and the Deploy button still refuses red without a reason. It holds what the report
 * shows the user (hosts, checks, details, fixes) — no secret reaches a report.
 */
const FILE = 'last-check.json';

export async function writeLastCheck(stateDir: string, kept: KeptCheck): Promise<void> {
  await mkdir(stateDir, { recursive: true });
  await writeFileAtomic(join(stateDir, FILE), `${JSON.stringify(kept, null, 2)}\n`);
}

/** undefined when there is none, or it cannot be read (a damaged file is as good as none: check again). */
export async function readLastCheck(stateDir: string): Promise<KeptCheck | undefined> {
  try {
    const kept = JSON.parse(await readFile(join(stateDir, FILE), 'utf8')) as Partial<KeptCheck>;
    return typeof kept.planHash === 'string' && Array.isArray(kept.report?.results)
      ? (kept as KeptCheck)
      : undefined;
  } catch {
    return undefined;
  }
}
