import { create } from 'zustand';
import type { NodePlanView, Readiness } from '../../../shared/contract/deploy';
import type { NodeOperation } from '../../../shared/plan/day2/operations';
import { reduceRun, type RunView } from '../../../shared/deploy/state';
import { useBottomTab } from '../panels/bottom-tab';
import { getClient } from '../transport/client';
import { useLive } from './live-store';
import { describeError, useWorkspace } from '../workspace/workspace-store';

/** How often an open cluster's readiness is asked again (it also notices a run another window started). */
const READINESS_EVERY_MS = 3_000;

interface DeployState {
  clusterId: string | null;
  readiness: Readiness | null;
  /** The run the panel shows: live while `running`, else the last run of the cluster. */
  view: RunView | null;
  running: boolean;
  /** Bumped on every step-output event, so the log view re-reads without copying lines here. */
  outputTick: number;
  selectedStep: string | null;
  /** Last failure of a command (start, retry…), shown in the panel. */
  error: string | null;
  /** Secret names the user is asked for, and what to do with the values. */
  prompt: {
    names: string[];
    action: 'start' | 'resume' | { retry: string } | { node: NodeOperation };
  } | null;
  /** The node operation being confirmed: what it would do (or why it is refused), from main. */
  nodeAction: { op: NodeOperation; plan: NodePlanView | null; error: string | null } | null;
  notice: string | null;
  /** Phases the next new run leaves out (kubeadm's --skip-phases). */
  skipPhases: string[];

  open(id: string | null): void;
  toggleSkip(phase: string): void;
  refresh(): Promise<void>;
  deploy(resume: boolean, secrets?: Record<string, string>, override?: string): Promise<void>;
  retry(stepId: string, secrets?: Record<string, string>): Promise<void>;
  skip(stepId: string, note: string): Promise<void>;
  cancel(): Promise<void>;
  select(stepId: string | null): void;
  askSecrets(action: NonNullable<DeployState['prompt']>['action']): void;
  closePrompt(): void;
  /** Opens the confirm dialog of a node operation and asks main what it would do. */
  askNodeAction(op: NodeOperation): Promise<void>;
  closeNodeAction(): void;
  runNodeAction(op: NodeOperation, secrets?: Record<string, string>): Promise<void>;
  saveKubeconfig(path: string): Promise<void>;
  mergeKubeconfig(): Promise<void>;
}

let watching: { id: string; abort: AbortController } | undefined;
/** An override reason given before the secrets prompt: used when the prompt's Deploy starts the run. */
let pendingOverride: string | undefined;
let poller: ReturnType<typeof setInterval> | undefined;
/** The node operation whose run is being watched: a successful delete changed the project file. */
let nodeRun: { runId: string; op: NodeOperation } | undefined;
/** Listeners for live output lines, keyed by step id: the log view appends them to its pages. */
export const outputListeners = new Set<(stepId: string, first: number, lines: string[]) => void>();

export const useDeploy = create<DeployState>((set, get) => {
  /** Follows the cluster's run: a snapshot first, then its events, until it ends. */
  async function watch(id: string): Promise<void> {
    if (watching?.id === id) return;
    watching?.abort.abort();
    const abort = new AbortController();
    watching = { id, abort };
    try {
      const stream = await getClient().deploy.watch({ id }, { signal: abort.signal });
      for await (const msg of stream) {
        if (get().clusterId !== id) break;
        if ('snapshot' in msg) {
          set({ view: msg.snapshot, running: msg.running });
          continue;
        }
        const e = msg.event;
        set((s) => ({ view: reduceRun(s.view ?? undefined, e) ?? null }));
        if (e.type === 'step-output') {
          for (const l of outputListeners) l(e.stepId, e.first, e.lines);
          set((s) => ({ outputTick: s.outputTick + 1 }));
        }
        if (e.type === 'step-started' && (!get().selectedStep || isFinishedSelection(get())))
          set({ selectedStep: e.stepId });
        if (e.type === 'step-ended' && e.status === 'failed') set({ selectedStep: e.stepId });
        if (e.type === 'run-ended') {
          set({ running: false });
          if (nodeRun?.runId === e.runId && nodeRun.op.action === 'delete' && e.status === 'succeeded')
            void useWorkspace
              .getState()
              .resync(`${nodeRun.op.node} was removed from the cluster, and from this design.`);
        }
      }
    } catch (error) {
      if (!abort.signal.aborted) set({ error: describeError(error) });
    } finally {
      if (watching?.abort === abort) watching = undefined;
      if (get().clusterId === id) set({ running: false });
    }
  }

  function isFinishedSelection(s: DeployState): boolean {
    const step = s.view?.steps.find((x) => x.id === s.selectedStep);
    return !step || step.status !== 'running';
  }

  async function afterStart(id: string, runId: string): Promise<void> {
    useBottomTab.getState().show('deploy');
    // The previous run's cells must not show under "Deploying" until the new run's snapshot
    // arrives: a user (or a test) would take its done steps for this run's.
    set((s) => ({
      running: true,
      error: null,
      prompt: null,
      view: s.view?.runId === runId ? s.view : null,
    }));
    watching?.abort.abort();
    watching = undefined;
    void watch(id);
    await get().refresh();
  }

  /** SECRETS_MISSING from the service: ask for exactly those names. */
  function handle(error: unknown, action: NonNullable<DeployState['prompt']>['action']): void {
    const e = error as { code?: string; data?: { names?: string[] } };
    if (e?.code === 'SECRETS_MISSING' && e.data?.names) set({ prompt: { names: e.data.names, action } });
    else set({ error: describeError(error) });
  }

  return {
    clusterId: null,
    readiness: null,
    view: null,
    running: false,
    outputTick: 0,
    selectedStep: null,
    error: null,
    prompt: null,
    nodeAction: null,
    notice: null,
    skipPhases: [],

    toggleSkip(phase) {
      const skip = get().skipPhases;
      set({ skipPhases: skip.includes(phase) ? skip.filter((p) => p !== phase) : [...skip, phase] });
    },

    open(id) {
      if (get().clusterId === id) return;
      watching?.abort.abort();
      watching = undefined;
      if (poller) clearInterval(poller);
      poller = undefined;
      set({
        clusterId: id,
        readiness: null,
        view: null,
        running: false,
        selectedStep: null,
        error: null,
        prompt: null,
        notice: null,
        skipPhases: [],
      });
      useLive.getState().follow(null);
      if (!id) return;
      void get().refresh();
      void watch(id);
      poller = setInterval(() => void get().refresh(), READINESS_EVERY_MS);
    },

    async refresh() {
      const id = get().clusterId;
      if (!id) return;
      try {
        const readiness = await getClient().deploy.readiness({ id });
        if (get().clusterId !== id) return;
        set({ readiness });
        useLive.getState().follow(readiness.deployed && readiness.kubeconfig ? id : null);
        // A run another window or tab started: follow it here too.
        if (readiness.lastRun?.state === 'running' && watching?.id !== id) {
          set({ running: true });
          void watch(id);
        }
      } catch (error) {
        if (get().clusterId === id) set({ error: describeError(error) });
      }
    },

    async deploy(resume, secrets, override) {
      const id = get().clusterId;
      if (!id) return;
      if (override !== undefined) pendingOverride = override;
      const missing = get().readiness?.missingSecrets ?? [];
      if (!secrets && missing.length) return get().askSecrets(resume ? 'resume' : 'start');
      const reason = resume ? undefined : pendingOverride;
      try {
        const skipPhases = resume ? [] : get().skipPhases;
        const { runId } = await getClient().deploy.start({
          id,
          resume,
          ...(secrets ? { secrets } : {}),
          ...(skipPhases.length ? { skipPhases: skipPhases as never } : {}),
          ...(reason ? { override: reason } : {}),
        });
        pendingOverride = undefined;
        await afterStart(id, runId);
      } catch (error) {
        handle(error, resume ? 'resume' : 'start');
      }
    },

    async retry(stepId, secrets) {
      const id = get().clusterId;
      if (!id) return;
      try {
        const { runId } = await getClient().deploy.retry({ id, stepId, ...(secrets ? { secrets } : {}) });
        if (!get().running) await afterStart(id, runId);
        else set({ error: null, prompt: null });
      } catch (error) {
        handle(error, { retry: stepId });
      }
    },

    async skip(stepId, note) {
      const id = get().clusterId;
      if (!id) return;
      try {
        const { runId } = await getClient().deploy.skip({ id, stepId, note });
        if (!get().running) await afterStart(id, runId);
      } catch (error) {
        set({ error: describeError(error) });
      }
    },

    async cancel() {
      const id = get().clusterId;
      if (!id) return;
      try {
        await getClient().deploy.cancel({ id });
      } catch (error) {
        set({ error: describeError(error) });
      }
    },

    select(stepId) {
      set({ selectedStep: stepId });
    },

    askSecrets(action) {
      set({ prompt: { names: get().readiness?.missingSecrets ?? [], action } });
    },

    closePrompt() {
      set({ prompt: null });
    },

    async askNodeAction(op) {
      const id = get().clusterId;
      if (!id) return;
      set({ nodeAction: { op, plan: null, error: null } });
      try {
        const plan = await getClient().deploy.nodePlan({ id, op });
        if (get().nodeAction?.op === op) set({ nodeAction: { op, plan, error: null } });
      } catch (error) {
        if (get().nodeAction?.op === op) set({ nodeAction: { op, plan: null, error: describeError(error) } });
      }
    },

    closeNodeAction() {
      set({ nodeAction: null });
    },

    async runNodeAction(op, secrets) {
      const id = get().clusterId;
      if (!id) return;
      const missing = get().readiness?.missingSecrets ?? [];
      set({ nodeAction: null });
      if (!secrets && missing.length) {
        set({ prompt: { names: missing, action: { node: op } } });
        return;
      }
      try {
        const { runId } = await getClient().deploy.nodeStart({ id, op, ...(secrets ? { secrets } : {}) });
        nodeRun = { runId, op };
        await afterStart(id, runId);
      } catch (error) {
        handle(error, { node: op });
      }
    },

    async saveKubeconfig(path) {
      const id = get().clusterId;
      if (!id) return;
      try {
        const r = await getClient().deploy.kubeconfig.save({ id, path });
        set({ notice: `kubeconfig saved to ${r.path} (mode 0600)`, error: null });
      } catch (error) {
        set({ error: describeError(error) });
      }
    },

    async mergeKubeconfig() {
      const id = get().clusterId;
      if (!id) return;
      try {
        const r = await getClient().deploy.kubeconfig.merge({ id });
        set({
          notice: `merged into ${r.path} as context ${r.context}${r.backup ? ` (backup ${r.backup})` : ''}`,
          error: null,
        });
      } catch (error) {
        set({ error: describeError(error) });
      }
    },
  };
});
