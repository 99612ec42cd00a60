import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { mkdir, open, readdir, readFile, rm, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type { Plan } from '../../../shared/plan/types';
import { writeFileAtomic } from '../workspace/atomic-write';
import { readJournal, type JournalState } from './journal';

/**
 * A cluster's deploy state lives beside its project file: `NAME.keelson.yaml` → `NAME.deploy/`
 * holding `runs/RUN-ID/` (journal.jsonl, logs/, values.json, plan.json, the design as run), a
 * `lock` while a run is going and `deployed.json` once one succeeded. Secrets never go here.
 */
export function stateDirFor(projectFile: string): string {
  const name = basename(projectFile)
    .replace(/\.keelson\.ya?ml$/, '')
    .replace(/\.ya?ml$/, '');
  return join(dirname(projectFile), `${name}.deploy`);
}

export const runDir = (stateDir: string, runId: string): string => join(stateDir, 'runs', runId);
export const journalPath = (stateDir: string, runId: string): string =>
  join(runDir(stateDir, runId), 'journal.jsonl');

const RUN_ID = /^\d{8}-\d{6}-[0-9a-f]{4}$/;

export function isRunId(id: string): boolean {
  return RUN_ID.test(id);
}

/** Sortable by time: 20261130-001234-ab12. */
export function newRunId(now = new Date()): string {
  const p = (n: number, w = 2) => String(n).padStart(w, '0');
  const stamp =
    `${now.getUTCFullYear()}${p(now.getUTCMonth() + 1)}${p(now.getUTCDate())}-` +
    `${p(now.getUTCHours())}${p(now.getUTCMinutes())}${p(now.getUTCSeconds())}`;
  return `${stamp}-${randomBytes(2).toString('hex')}`;
}

/** Run ids, oldest first. */
export async function listRuns(stateDir: string): Promise<string[]> {
  try {
    return (await readdir(join(stateDir, 'runs'))).filter(isRunId).sort();
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw e;
  }
}

export async function latestRun(
  stateDir: string,
): Promise<{ runId: string; journal: JournalState } | undefined> {
  const runs = await listRuns(stateDir);
  for (const runId of runs.reverse()) {
    try {
      return { runId, journal: await readJournal(journalPath(stateDir, runId)) };
    } catch {
      // a run folder without a readable journal (killed before its first record): skip it
    }
  }
  return undefined;
}

/**
 * Durations of steps that ran to completion in this cluster's earlier runs (the latest wins):
 * the ETA starts from what this cluster's hosts actually took.
 */
export async function measuredDurations(stateDir: string): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  for (const runId of await listRuns(stateDir)) {
    try {
      const j = await readJournal(journalPath(stateDir, runId));
      for (const [id, r] of j.steps) if (r.status === 'done') out.set(id, r.end - r.start);
    } catch {
      /* unreadable run: no figures from it */
    }
  }
  return out;
}

/** The plan a run ran (its plan.json, written when it started); undefined when missing or damaged. */
export async function readRunPlan(stateDir: string, runId: string): Promise<Plan | undefined> {
  try {
    return JSON.parse(await readFile(join(runDir(stateDir, runId), 'plan.json'), 'utf8')) as Plan;
  } catch {
    return undefined;
  }
}

/** Non-secret outputs of a run (CA hash, hostnames…): needed again when the run resumes. */
export async function readValues(dir: string): Promise<Map<string, string>> {
  try {
    return new Map(
      Object.entries(JSON.parse(await readFile(join(dir, 'values.json'), 'utf8')) as Record<string, string>),
    );
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return new Map();
    throw e;
  }
}

export async function writeValues(dir: string, values: Map<string, string>): Promise<void> {
  await writeFileAtomic(join(dir, 'values.json'), `${JSON.stringify(Object.fromEntries(values), null, 2)}\n`);
}

export class RunLockedError extends Error {
  constructor(
    readonly holderPid: number,
    readonly lockFile: string,
  ) {
    super(`another Keelson process (PID ${holderPid}) is running a deploy of this cluster (${lockFile})`);
  }
}

function processStart(pid: number): string | undefined {
  try {
    // Field 22 of /proc/PID/stat: a reused PID has another start time.
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return text.slice(text.lastIndexOf(')') + 2).split(' ')[19];
  } catch {
    return undefined;
  }
}

function alive(pid: number, start: string | undefined): boolean {
  try {
    process.kill(pid, 0);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ESRCH') return false;
  }
  const now = processStart(pid);
  return start === undefined || now === undefined || now === start;
}

/**
 * One deploy per cluster at a time (Kuboard-Spray's lesson: a stale lock must not block
 * forever): the lock names its process, and a lock whose process is gone (kill -9) is taken over.
 * The release takes the folder the lock is in now when the holder moved the state dir (a rename
 * holds the lock while it moves NAME.deploy/ to its new name).
 */
export async function acquireLock(stateDir: string): Promise<(movedTo?: string) => Promise<void>> {
  await mkdir(stateDir, { recursive: true });
  const file = join(stateDir, 'lock');
  const mine = JSON.stringify({ pid: process.pid, start: processStart(process.pid) });
  for (let i = 0; i < 3; i++) {
    try {
      const h = await open(file, 'wx', 0o644);
      await h.writeFile(mine);
      await h.close();
      return async (movedTo = stateDir) => {
        const held = join(movedTo, 'lock');
        const now = await readFile(held, 'utf8').catch(() => '');
        if (now === mine) await rm(held, { force: true });
      };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
    let holder: { pid?: number; start?: string } = {};
    try {
      holder = JSON.parse(await readFile(file, 'utf8')) as typeof holder;
    } catch {
      // empty or torn: the holder died while writing it
    }
    if (holder.pid && holder.pid !== process.pid && alive(holder.pid, holder.start)) {
      throw new RunLockedError(holder.pid, file);
    }
    if (holder.pid === process.pid) throw new RunLockedError(process.pid, file);
    await rm(file, { force: true });
  }
  throw new Error(`cannot take the deploy lock ${file}`);
}

export async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}
