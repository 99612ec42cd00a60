import { longestPath } from './graph';
import {
  isFinished,
  type DeployEvent,
  type HostState,
  type RunPhaseInfo,
  type RunStatus,
  type RunStepInfo,
  type StepStatus,
} from './events';

/** How many of a step's last lines the view keeps (the full log stays in its file). */
export const TAIL_LINES = 40;

export interface StepView extends RunStepInfo {
  status: StepStatus;
  attempt: number;
  startedAt?: number;
  endedAt?: number;
  durationMs?: number;
  exitCode?: number | null;
  error?: string;
  hint?: string;
  /** Lines in the step's log so far (all attempts). */
  lineCount: number;
  /** Last lines of output (masked), for the failure summary and a compact view. */
  tail: string[];
  outputs?: string[];
}

export interface HostView {
  name: string;
  state: HostState;
  /** The step running (or that failed) on this host. */
  stepId?: string;
  detail?: string;
}

export interface RunView {
  runId: string;
  cluster: string;
  planHash: string;
  session: number;
  startedAt: number;
  phases: RunPhaseInfo[];
  hosts: HostView[];
  steps: StepView[];
  /** Undefined while the run is going. */
  status?: RunStatus;
  endedAt?: number;
  notes: { at: number; message: string; stepId?: string }[];
}

/**
 * Folds the event stream into what every view shows. Pure: the Deploy panel, the canvas, the
 * CLI and a second window that joins late (given a snapshot) all compute the same state.
 * Returns a new object on every change, so React and zustand see it.
 */
export function reduceRun(view: RunView | undefined, e: DeployEvent): RunView | undefined {
  if (e.type === 'run-started') {
    const finished = new Map(e.previous.map((f) => [f.stepId, f.status]));
    const previous = view?.runId === e.runId ? new Map(view.steps.map((s) => [s.id, s])) : undefined;
    return {
      runId: e.runId,
      cluster: e.cluster,
      planHash: e.planHash,
      session: e.session,
      startedAt: previous ? view!.startedAt : e.at,
      phases: e.phases,
      hosts: e.hosts.map((name) => ({ name, state: 'waiting' })),
      steps: e.steps.map((s) => {
        const before = previous?.get(s.id);
        return {
          ...s,
          status: finished.get(s.id) ?? 'pending',
          attempt: before?.attempt ?? 0,
          lineCount: before?.lineCount ?? 0,
          tail: before?.tail ?? [],
          ...(before?.durationMs !== undefined ? { durationMs: before.durationMs } : {}),
        };
      }),
      notes: [],
    };
  }
  if (!view) return view;
  const patchStep = (id: string, patch: (s: StepView) => StepView): RunView => ({
    ...view,
    steps: view.steps.map((s) => (s.id === id ? patch(s) : s)),
  });
  switch (e.type) {
    case 'step-started':
      return patchStep(e.stepId, (s) => ({
        ...s,
        status: 'running',
        attempt: e.attempt,
        startedAt: e.at,
        endedAt: undefined,
        error: undefined,
        hint: undefined,
        exitCode: undefined,
      }));
    case 'step-output':
      return patchStep(e.stepId, (s) => ({
        ...s,
        lineCount: Math.max(s.lineCount, e.first + e.lines.length),
        tail: [...s.tail, ...e.lines].slice(-TAIL_LINES),
      }));
    case 'step-ended':
      return patchStep(e.stepId, (s) => ({
        ...s,
        status: e.status,
        endedAt: e.at,
        durationMs: e.durationMs,
        exitCode: e.exitCode,
        error: e.error,
        hint: e.hint,
        ...(e.tail ? { tail: e.tail } : {}),
        ...(e.outputs ? { outputs: e.outputs } : {}),
      }));
    case 'host-state':
      return {
        ...view,
        hosts: view.hosts.map((h) =>
          h.name === e.host ? { name: h.name, state: e.state, stepId: e.stepId, detail: e.detail } : h,
        ),
      };
    case 'run-note':
      return {
        ...view,
        notes: [...view.notes, { at: e.at, message: e.message, stepId: e.stepId }].slice(-50),
      };
    case 'run-ended':
      return { ...view, status: e.status, endedAt: e.at };
  }
}

/**
 * Milliseconds still to go if everything left runs as estimated: the longest chain of
 * unfinished work, counting a running step's elapsed time against its estimate. It sharpens as
 * steps finish, because finished steps of a phase replace that phase's guess (see estimates).
 */
export function etaMs(view: RunView, now: number): number {
  const byId = new Map(view.steps.map((s) => [s.id, s]));
  const measured = measuredByPhase(view);
  return longestPath(view.steps, (id) => {
    const s = byId.get(id)!;
    if (isFinished(s.status)) return 0;
    const estimate = measured.get(s.phase) ?? s.estimateMs;
    if (s.status === 'running' && s.startedAt !== undefined)
      return Math.max(estimate - (now - s.startedAt), 1_000);
    return estimate;
  }).total;
}

/** Average measured duration of the steps of each phase that ran (not those found done). */
function measuredByPhase(view: RunView): Map<string, number> {
  const sums = new Map<string, { total: number; n: number }>();
  for (const s of view.steps) {
    if (s.status !== 'done' || s.durationMs === undefined) continue;
    const x = sums.get(s.phase) ?? { total: 0, n: 0 };
    sums.set(s.phase, { total: x.total + s.durationMs, n: x.n + 1 });
  }
  return new Map([...sums].map(([k, v]) => [k, v.total / v.n]));
}

/** Steps that cannot run because a dependency failed, was cancelled or is itself blocked. */
export function blockedSteps(
  steps: readonly { id: string; dependsOn: string[]; status: StepStatus }[],
): string[] {
  const bad = new Set<string>();
  for (const s of steps) {
    if (s.status === 'failed' || s.status === 'cancelled') bad.add(s.id);
    else if (!isFinished(s.status) && s.dependsOn.some((d) => bad.has(d))) bad.add(s.id);
  }
  return steps
    .filter((s) => bad.has(s.id) && s.status !== 'failed' && s.status !== 'cancelled')
    .map((s) => s.id);
}
