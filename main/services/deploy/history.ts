import type { DeployEvent } from '../../../shared/deploy/events';
import { PHASE_GUESS_MS } from '../../../shared/deploy/graph';
import { reduceRun, type RunView } from '../../../shared/deploy/state';
import { readJournal } from './journal';
import { journalPath, readRunPlan } from './state-dir';

/**
 * A run that is not going in this process (finished, or interrupted when Keelson stopped), as
 * the views show it: rebuilt from its plan.json and journal with the same reducer the live
 * stream feeds. Reopening a cluster shows its last run this way, with Resume on offer.
 */
export async function viewFromJournal(stateDir: string, runId: string): Promise<RunView | undefined> {
  const plan = await readRunPlan(stateDir, runId);
  if (!plan) return undefined;
  const journal = await readJournal(journalPath(stateDir, runId));
  const steps = plan.phases.flatMap((p) => p.steps);
  const events: DeployEvent[] = [
    {
      type: 'run-started',
      runId,
      cluster: journal.header.cluster,
      planHash: journal.header.planHash,
      session: journal.sessions,
      mode: journal.sessions > 1 ? 'resume' : 'start',
      at: journal.header.at,
      phases: plan.phases.map((p) => ({ id: p.id, title: p.title, parallel: p.parallel })),
      hosts: [...new Set(steps.map((s) => s.host))],
      steps: steps.map((s) => ({
        id: s.id,
        phase: s.phase,
        host: s.host,
        description: s.description,
        dependsOn: s.dependsOn,
        timeoutSeconds: s.timeoutSeconds,
        estimateMs: PHASE_GUESS_MS[s.phase],
      })),
      previous: [],
    },
  ];
  for (const r of journal.steps.values()) {
    events.push({
      type: 'step-ended',
      stepId: r.step,
      host: r.host,
      status: r.status,
      at: r.end,
      durationMs: r.end - r.start,
      ...(r.exitCode !== undefined ? { exitCode: r.exitCode } : {}),
      ...(r.error ? { error: r.error } : {}),
      ...(r.outputs ? { outputs: r.outputs } : {}),
    });
  }
  for (const id of journal.interrupted) {
    const s = steps.find((x) => x.id === id);
    if (s)
      events.push({
        type: 'run-note',
        at: journal.header.at,
        message: `${id} was interrupted: Keelson stopped during it`,
        stepId: id,
      });
  }
  if (journal.ended) {
    events.push({
      type: 'run-ended',
      runId,
      status: journal.ended.status,
      at: journal.ended.at,
      failed: journal.ended.failed,
      blocked: [],
    });
  }
  let view = events.reduce<RunView | undefined>(reduceRun, undefined)!;
  // Host states follow from the steps, as the engine would have reported them.
  view = {
    ...view,
    hosts: view.hosts.map((h) => {
      const mine = view.steps.filter((s) => s.host === h.name);
      const failed = mine.find((s) => s.status === 'failed' || s.status === 'cancelled');
      if (failed) return { name: h.name, state: 'failed' as const, stepId: failed.id };
      const done = mine.every((s) => ['done', 'already-done', 'skipped'].includes(s.status));
      return { name: h.name, state: done ? ('done' as const) : ('waiting' as const) };
    }),
  };
  return view;
}
