import { eventIterator, oc } from '@orpc/contract';
import { z } from 'zod';
import type { DeployEvent as DeployEventType } from '../deploy/events';
import type { RunView as RunViewType } from '../deploy/state';
import { PhaseId } from './plan';
import { SecretValues } from './ssh';

/**
 * Deploy area: start, watch, steer and finish a deploy of a workspace cluster. The run is one
 * event stream (shared/deploy/events.ts); `watch` sends the run's state first, so a second
 * window or browser tab that opens later sees it live from where it is. Secret values only ever
 * travel renderer → main (`start`'s `secrets`); no response carries one.
 */
const ClusterId = z.string().regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'lowercase letters, digits and -');
const StepId = z.string().min(1).max(300);
const RunId = z.string().regex(/^\d{8}-\d{6}-[0-9a-f]{4}$/, 'a run id');

export const StepStatus = z.enum([
  'pending',
  'running',
  'done',
  'already-done',
  'failed',
  'skipped',
  'cancelled',
]);
export const HostState = z.enum(['waiting', 'running', 'done', 'failed', 'unreachable']);
export const RunStatus = z.enum(['succeeded', 'failed', 'cancelled']);

const RunStepInfo = z.object({
  id: z.string(),
  phase: PhaseId,
  host: z.string(),
  description: z.string(),
  dependsOn: z.array(z.string()),
  timeoutSeconds: z.number(),
  estimateMs: z.number(),
});
const RunPhaseInfo = z.object({ id: PhaseId, title: z.string(), parallel: z.boolean() });

export const DeployEvent = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('run-started'),
    runId: z.string(),
    cluster: z.string(),
    planHash: z.string(),
    session: z.number(),
    mode: z.enum(['start', 'resume']),
    at: z.number(),
    phases: z.array(RunPhaseInfo),
    hosts: z.array(z.string()),
    steps: z.array(RunStepInfo),
    previous: z.array(z.object({ stepId: z.string(), status: StepStatus })),
  }),
  z.object({
    type: z.literal('step-started'),
    stepId: z.string(),
    host: z.string(),
    attempt: z.number(),
    at: z.number(),
  }),
  z.object({
    type: z.literal('step-output'),
    stepId: z.string(),
    host: z.string(),
    stream: z.enum(['stdout', 'stderr', 'keelson']),
    first: z.number(),
    lines: z.array(z.string()),
  }),
  z.object({
    type: z.literal('step-ended'),
    stepId: z.string(),
    host: z.string(),
    status: StepStatus,
    at: z.number(),
    durationMs: z.number(),
    exitCode: z.number().nullable().optional(),
    error: z.string().optional(),
    hint: z.string().optional(),
    tail: z.array(z.string()).optional(),
    outputs: z.array(z.string()).optional(),
  }),
  z.object({
    type: z.literal('host-state'),
    host: z.string(),
    state: HostState,
    stepId: z.string().optional(),
    at: z.number(),
    detail: z.string().optional(),
  }),
  z.object({
    type: z.literal('run-note'),
    at: z.number(),
    message: z.string(),
    stepId: z.string().optional(),
  }),
  z.object({
    type: z.literal('run-ended'),
    runId: z.string(),
    status: RunStatus,
    at: z.number(),
    failed: z.array(z.string()),
    blocked: z.array(z.string()),
  }),
]);

const StepView = RunStepInfo.extend({
  status: StepStatus,
  attempt: z.number(),
  startedAt: z.number().optional(),
  endedAt: z.number().optional(),
  durationMs: z.number().optional(),
  exitCode: z.number().nullable().optional(),
  error: z.string().optional(),
  hint: z.string().optional(),
  lineCount: z.number(),
  tail: z.array(z.string()),
  outputs: z.array(z.string()).optional(),
});

export const RunView = z.object({
  runId: z.string(),
  cluster: z.string(),
  planHash: z.string(),
  session: z.number(),
  startedAt: z.number(),
  phases: z.array(RunPhaseInfo),
  hosts: z.array(
    z.object({
      name: z.string(),
      state: HostState,
      stepId: z.string().optional(),
      detail: z.string().optional(),
    }),
  ),
  steps: z.array(StepView),
  status: RunStatus.optional(),
  endedAt: z.number().optional(),
  notes: z.array(z.object({ at: z.number(), message: z.string(), stepId: z.string().optional() })),
});

// If shared/deploy changes, these lines stop compiling until the schemas follow.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const eventsMatch: Same<z.infer<typeof DeployEvent>, DeployEventType> = true;
const viewMatches: Same<z.infer<typeof RunView>, RunViewType> = true;
void eventsMatch;
void viewMatches;

/** What `watch` streams: the run as it is now (none yet: null), then its events as they happen. */
export const DeployWatchEvent = z.union([
  z.object({ snapshot: RunView.nullable(), running: z.boolean() }),
  z.object({ event: DeployEvent }),
]);
export type DeployWatchEvent = z.infer<typeof DeployWatchEvent>;

export const DeployedRecord = z.object({
  cluster: z.string(),
  runId: z.string(),
  at: z.string(),
  kubernetesVersion: z.string(),
  planHash: z.string(),
  keelsonVersion: z.string(),
  hosts: z.array(z.object({ name: z.string(), address: z.string(), roles: z.array(z.string()) })),
});
export type DeployedRecord = z.infer<typeof DeployedRecord>;

export const Readiness = z.object({
  /** The plan's phases, in order (a run may leave some out). */
  phases: z.array(PhaseId),
  /** Why Deploy is disabled, one sentence each (design errors, untrusted host keys); empty: it may run. */
  blockers: z.array(z.string()),
  /** Secret names to ask for before the run (SSH passwords, passphrases, sudo passwords, a chosen VRRP password). */
  missingSecrets: z.array(z.string()),
  /** Hosts whose key is not on record yet: Test connection shows the fingerprint to accept. */
  untrustedHosts: z.array(z.string()),
  deployed: DeployedRecord.nullable(),
  /** The latest run: still going, interrupted (Keelson stopped during it), failed or cancelled → Resume. */
  lastRun: z
    .object({
      runId: z.string(),
      state: z.enum(['running', 'interrupted', 'succeeded', 'failed', 'cancelled']),
      at: z.number(),
      failed: z.array(z.string()),
      planChanged: z.boolean(),
    })
    .nullable(),
  /** Where the exported admin kubeconfig is once a deploy finished (null before). */
  kubeconfig: z.string().nullable(),
});
export type Readiness = z.infer<typeof Readiness>;

/** A day-2 node operation (shared/plan/day2/operations.ts), as the UI asks for it. */
export const NodeOperationInput = z.strictObject({
  action: z.enum(['cordon', 'uncordon', 'drain', 'delete']),
  node: z.string().min(1).max(63),
  /** delete: the host is gone; nothing runs on it. */
  dead: z.boolean().optional(),
  /** drain/delete: also evict pods with emptyDir volumes (their data is lost), after a confirm. */
  deleteEmptyDirData: z.boolean().optional(),
  timeoutSeconds: z.int().min(10).max(86_400).optional(),
});

export const NodePlanView = z.object({
  /** What it will do, one line per part, for the confirm dialog. */
  explanation: z.array(z.string()),
  warnings: z.array(z.string()),
  /** Why it must not run (the etcd quorum guard, a host that is not a node…); null: it may. */
  refused: z.string().nullable(),
  steps: z.array(z.object({ id: z.string(), host: z.string(), description: z.string() })),
});
export type NodePlanView = z.infer<typeof NodePlanView>;

/** A deployed cluster's nodes from its API (shared/live/nodes.ts). */
export const LiveState = z.object({
  at: z.number(),
  reachable: z.boolean(),
  synced: z.boolean(),
  error: z.string().optional(),
  diagnosis: z.array(z.string()).optional(),
  nodes: z.array(
    z.object({
      name: z.string(),
      ready: z.enum(['True', 'False', 'Unknown']),
      reason: z.string().optional(),
      cordoned: z.boolean(),
      kubeletVersion: z.string(),
      roles: z.array(z.string()),
      pods: z.int(),
      problems: z.array(z.string()),
    }),
  ),
  notInDesign: z.array(z.string()),
  notInCluster: z.array(z.string()),
});
export type LiveState = z.infer<typeof LiveState>;

export const deployErrors = {
  NOT_FOUND: { status: 404, data: z.object({ id: z.string() }) },
  /** Design errors or a plan the generators refuse: the message says which. */
  NOT_DEPLOYABLE: { status: 422, data: z.object({ codes: z.array(z.string()) }) },
  /** Secrets to enter first (their names only). */
  SECRETS_MISSING: { status: 400, data: z.object({ names: z.array(z.string()) }) },
  /** Another run of this cluster is going (this or another Keelson process). */
  BUSY: { status: 409, data: z.object({ id: z.string() }) },
  /** Resume/retry/skip that cannot apply (no run, the design changed, an unknown step). */
  CANNOT_RESUME: { status: 409, data: z.object({ id: z.string() }) },
  /** The latest host check (Check hosts) is red: what was red; start again with an override reason. */
  CHECKS_RED: { status: 409, data: z.object({ red: z.array(z.string()) }) },
  /** The kubeconfig could not be saved or merged (no deploy yet, a bad path, a broken ~/.kube/config). */
  KUBECONFIG_FAILED: { status: 400, data: z.object({ path: z.string() }) },
};

const procedure = oc.errors(deployErrors);
const ById = z.strictObject({ id: ClusterId });

export const deployContract = {
  /** Whether Deploy may run now, and what to ask the user first. Never connects to a host. */
  readiness: procedure.input(ById).output(Readiness),
  /** Starts a run, or resumes the latest one; resolves once it is going (watch for progress). */
  start: procedure
    .input(
      z.strictObject({
        id: ClusterId,
        /** Values for missingSecrets: kept in main's memory for this run only. */
        secrets: SecretValues.optional(),
        resume: z.boolean().default(false),
        /** With resume: retry only these failed steps. */
        retryOnly: z.array(StepId).max(10_000).optional(),
        /** Phases to leave out of a new run (kubeadm's --skip-phases); a resume runs the phases its run had. */
        skipPhases: z.array(PhaseId).max(20).optional(),
        /** Deploy although the latest host check is red: the user's reason, kept in the run's journal. */
        override: z.string().trim().min(3).max(500).optional(),
      }),
    )
    .output(z.object({ runId: z.string() })),
  /** The current run's state, then its events live; ends when the run ends. */
  watch: procedure.input(ById).output(eventIterator(DeployWatchEvent)),
  cancel: procedure.input(ById).output(z.object({ cancelled: z.boolean() })),
  /** Runs a failed step again (in the run going now, or by resuming the ended one). */
  retry: procedure
    .input(z.strictObject({ id: ClusterId, stepId: StepId, secrets: SecretValues.optional() }))
    .output(z.object({ runId: z.string() })),
  /** Skips a failed or waiting step after the user confirmed; the journal notes it. */
  skip: procedure
    .input(
      z.strictObject({
        id: ClusterId,
        stepId: StepId,
        note: z.string().min(1).max(500),
        secrets: SecretValues.optional(),
      }),
    )
    .output(z.object({ runId: z.string() })),
  /** Lines [from, from+count) of a step's log in a run (all attempts), and how many there are. */
  log: procedure
    .input(
      z.strictObject({
        id: ClusterId,
        runId: RunId,
        stepId: StepId,
        from: z.int().min(0),
        count: z.int().min(1).max(5_000),
      }),
    )
    .output(z.object({ lines: z.array(z.string()), total: z.int() })),
  /** The deployed cluster's nodes, live from its API: the state now, then every change. */
  live: procedure.input(ById).output(eventIterator(LiveState)),
  /** Day 2: what a node operation would do on the deployed cluster, or why it is refused. Never connects. */
  nodePlan: procedure.input(z.strictObject({ id: ClusterId, op: NodeOperationInput })).output(NodePlanView),
  /** Day 2: runs it as the cluster's run (watch shows it like a deploy); a delete updates the design. */
  nodeStart: procedure
    .input(z.strictObject({ id: ClusterId, op: NodeOperationInput, secrets: SecretValues.optional() }))
    .output(z.object({ runId: z.string() })),
  kubeconfig: {
    /** Saves the admin kubeconfig (server = the endpoint) where the user says, mode 0600. */
    save: procedure
      .input(z.strictObject({ id: ClusterId, path: z.string().min(1).max(4_096) }))
      .output(z.object({ path: z.string() })),
    /** Merges it into $KUBECONFIG / ~/.kube/config as context keelson-NAME; backup first. */
    merge: procedure
      .input(ById)
      .output(z.object({ path: z.string(), context: z.string(), backup: z.string().optional() })),
  },
};
