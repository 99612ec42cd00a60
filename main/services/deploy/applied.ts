import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { isFinished } from '../../../shared/deploy/events';
import { stepContent } from '../../../shared/deploy/delta';
import type { PlanStep } from '../../../shared/plan/types';
import { writeFileAtomic } from '../workspace/atomic-write';
import { readDeployed } from './deployed';
import { readJournal } from './journal';
import { journalPath, readRunPlan } from './state-dir';

/**
 * Which steps are applied on the cluster, exactly as they are (NAME.deploy/applied.json): every
 * step that finished in a successful deploy or day-2 run, by id, with a hash of its content
 * (script, files, host, check). A later deploy of a changed design runs only the steps whose
 * content is not recorded here (shared/deploy/delta.ts); a removed node's steps leave the record
 * with it, so a host added back under the same name is deployed from scratch.
 */
export interface AppliedRecord {
  v: 1;
  steps: Record<string, { hash: string; runId: string }>;
}

export const stepHash = (s: PlanStep): string =>
  createHash('sha256').update(stepContent(s)).digest('hex').slice(0, 32);

const file = (stateDir: string) => join(stateDir, 'applied.json');

/**
 * The record, or for a cluster deployed before it existed, the steps that finished in the run
 * deployed.json names. Undefined when nothing was ever deployed.
 */
export async function readApplied(stateDir: string): Promise<AppliedRecord | undefined> {
  try {
    const parsed = JSON.parse(await readFile(file(stateDir), 'utf8')) as AppliedRecord;
    if (parsed.v === 1 && typeof parsed.steps === 'object') return parsed;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
  }
  const deployed = await readDeployed(stateDir);
  if (!deployed) return undefined;
  return { v: 1, steps: await finishedSteps(stateDir, deployed.runId).catch(() => ({})) };
}

/** Steps that finished in run `runId` (not skipped by the user: their work may never have happened). */
async function finishedSteps(stateDir: string, runId: string): Promise<AppliedRecord['steps']> {
  const plan = await readRunPlan(stateDir, runId);
  if (!plan) return {};
  const journal = await readJournal(journalPath(stateDir, runId));
  const out: AppliedRecord['steps'] = {};
  for (const s of plan.phases.flatMap((p) => p.steps)) {
    const ended = journal.steps.get(s.id);
    if (ended && isFinished(ended.status) && ended.status !== 'skipped')
      out[s.id] = { hash: stepHash(s), runId };
  }
  return out;
}

/**
 * After a successful run: its finished steps join the record; `forget` drops the steps of hosts
 * that left the cluster (a removed node), and `supersede` replaces deploy steps a day-2 run made
 * true by other means (a load balancer reloaded with the new config is that config applied).
 */
export async function recordApplied(
  stateDir: string,
  /** The run; `stateDir` is where its folder is when not the cluster's own (a day-2 run). */
  run: { runId: string; stateDir?: string },
  options: { forgetHosts?: string[]; supersede?: PlanStep[] } = {},
): Promise<void> {
  const record = (await readApplied(stateDir)) ?? { v: 1, steps: {} };
  const steps = { ...record.steps, ...(await finishedSteps(run.stateDir ?? stateDir, run.runId)) };
  const gone = new Set(options.forgetHosts ?? []);
  // Every step id ends with the host it is about (`os-prep/w2`, `control-plane-join/upload-certs/cp3`).
  for (const id of Object.keys(steps)) if (gone.has(id.split('/').at(-1)!)) delete steps[id];
  for (const s of options.supersede ?? []) steps[s.id] = { hash: stepHash(s), runId: run.runId };
  await writeFileAtomic(
    file(stateDir),
    `${JSON.stringify({ v: 1, steps } satisfies AppliedRecord, null, 2)}\n`,
  );
}
