import type { PhaseId } from '../plan/types';

/**
 * The one event stream of a deploy run. The engine emits these; the journal, the Deploy panel,
 * the canvas, the CLI's progress display and the tests all consume the same events (the "one
 * engine, one event stream" design). No event ever carries a secret value: step output
 * is masked by the engine's redactor before it becomes an event.
 */

/** What happened to a step in one attempt (or overall, in the run's state). */
export type StepStatus =
  | 'pending'
  | 'running'
  /** Ran its script, exit 0. */
  | 'done'
  /** Its check said the effect is already in place: the script did not run. */
  | 'already-done'
  | 'failed'
  /** Skipped by the user (noted in the journal): dependents go on as if it had run. */
  | 'skipped'
  | 'cancelled';

export const FINISHED: readonly StepStatus[] = ['done', 'already-done', 'skipped'];
export const isFinished = (s: StepStatus): boolean => FINISHED.includes(s);

export type HostState = 'waiting' | 'running' | 'done' | 'failed' | 'unreachable';

export type RunStatus = 'succeeded' | 'failed' | 'cancelled';

/** A step as the run shows it: no script, no files (those stay in the plan). */
export interface RunStepInfo {
  id: string;
  phase: PhaseId;
  host: string;
  description: string;
  dependsOn: string[];
  timeoutSeconds: number;
  /** Expected duration in ms (measured in earlier runs of this cluster, else a per-phase guess). */
  estimateMs: number;
}

export interface RunPhaseInfo {
  id: PhaseId;
  title: string;
  parallel: boolean;
}

export type DeployEvent =
  | {
      type: 'run-started';
      runId: string;
      cluster: string;
      planHash: string;
      /** 1 for a fresh run; resume/retry sessions of the same run count up. */
      session: number;
      mode: 'start' | 'resume';
      at: number;
      phases: RunPhaseInfo[];
      hosts: string[];
      steps: RunStepInfo[];
      /** How steps ended in earlier sessions of this run (finished, or failed and not retried now). */
      previous: { stepId: string; status: StepStatus }[];
    }
  | { type: 'step-started'; stepId: string; host: string; attempt: number; at: number }
  | {
      /** Lines of output, masked. `first` is the index of lines[0] in the step's log. */
      type: 'step-output';
      stepId: string;
      host: string;
      stream: 'stdout' | 'stderr' | 'keelson';
      first: number;
      lines: string[];
    }
  | {
      type: 'step-ended';
      stepId: string;
      host: string;
      status: StepStatus;
      at: number;
      durationMs: number;
      exitCode?: number | null;
      /** What went wrong, in one sentence that names the host (masked). */
      error?: string;
      /** Plain-language advice for a known failure (deploy-ux.md's table). */
      hint?: string;
      /** The failing command's last lines (masked). */
      tail?: string[];
      /** Names (never values) of the outputs the step produced. */
      outputs?: string[];
    }
  | { type: 'host-state'; host: string; state: HostState; stepId?: string; at: number; detail?: string }
  | { type: 'run-note'; at: number; message: string; stepId?: string }
  | {
      type: 'run-ended';
      runId: string;
      status: RunStatus;
      at: number;
      failed: string[];
      /** Steps that never ran because something they depend on failed or was cancelled. */
      blocked: string[];
    };

export type DeployEventType = DeployEvent['type'];
