import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { DeployWatchEvent, Readiness } from '../../../shared/contract/deploy';
import type { DeployEvent } from '../../../shared/deploy/events';
import type { ClusterProject } from '../../../shared/model/cluster';
import { ADMIN_KUBECONFIG_SECRET } from '../../../shared/plan/post-install';
import { validateCluster } from '../../../shared/validation';
import { KEELSON_VERSION } from '../../../shared/version';
import type { SshEngine } from '../ssh/engine';
import type { CheckReport } from '../../../shared/check/report';
import { readLastCheck, writeLastCheck, type KeptCheck } from '../check/last-check';
import { checkHosts } from '../check/service';
import type { SecretStore } from '../ssh/secret-store';
import { kubeconfigPathFor, PROJECT_SUFFIX, workspaceFolder } from '../workspace/folder';
import { WorkspaceStore } from '../workspace/store';
import { planHash, type DeployRun } from './engine';
import type { LiveState } from '../../../shared/live/nodes';
import { LiveClusters } from '../live/registry';
import { diagnoseEndpoint } from '../live/diagnose';
import type { RunStatus } from '../../../shared/deploy/events';
import type { NodePlanView } from '../../../shared/contract/deploy';
import { OperationRefused, type NodeOperation } from '../../../shared/plan/day2/operations';
import { day2StateDir, openNodeOperation, planOperation, type OpenedOperation } from '../day2/operation';
import { readDeployed } from './deployed';
import { viewFromJournal } from './history';
import { contextNameFor, renamedAdminConfig, saveKubeconfig } from './kubeconfig';
import { LogReader, logFileName } from './logs';
import { generateOwnedSecret, type SecretCodec } from './secrets';
import {
  clusterSecretsFile,
  deployPlan,
  filterPhases,
  NotDeployableError,
  openDeploy,
  phasesOfRun,
  planToRun,
  type OpenedDeploy,
} from './service';
import { FileSecretStore } from './secrets';
import { isRunId, latestRun, runDir, stateDirFor } from './state-dir';
import { sshSecretNames } from './targets';

/** Output lines a slow watcher may have pending before the oldest are dropped (it can read them back with `log`). */
const MAX_PENDING_LINES = 20_000;

interface Active {
  /** A deploy, or a day-2 node operation: both are runs of the one engine, watched the same way. */
  kind: 'deploy' | 'node';
  opened: { run: DeployRun; settled: Promise<RunStatus> };
  project: ClusterProject;
  /** This run's own secret scope (entered values); cleared when the run ends. */
  scope: SecretStore;
  watchers: Set<(e: DeployEvent) => void>;
}

export class ClusterNotFound extends Error {}

/**
 * The app's deploy runs, one per workspace cluster at most: started from the UI, watched by
 * every window and tab, steered (cancel, retry, skip) by any of them. A run lives in main, so
 * closing the window that started it does not stop it.
 */
export class DeployRuns {
  private readonly active = new Map<string, Active>();
  private readonly checks = new Map<string, KeptCheck>();
  private readonly logs = new LogReader();
  private liveClusters: LiveClusters | undefined;

  constructor(
    private readonly ssh: SshEngine,
    private readonly env: NodeJS.ProcessEnv = process.env,
    /** How kept secrets are stored: plain 0600 file, or encrypted by the OS keychain in Electron. */
    private readonly codec?: SecretCodec,
  ) {}

  private kept(id: string): FileSecretStore {
    return new FileSecretStore(clusterSecretsFile(this.projectFile(id), this.env), this.codec);
  }

  projectFile(id: string): string {
    return join(workspaceFolder(this.env), `${id}${PROJECT_SUFFIX}`);
  }

  private async project(id: string): Promise<ClusterProject> {
    const opened = await new WorkspaceStore(workspaceFolder(this.env)).open(id).catch((e: Error) => {
      throw new ClusterNotFound(e.message);
    });
    if ('error' in opened) throw new NotDeployableError(`cluster "${id}" cannot be read: ${opened.error}`);
    return opened.project;
  }

  /** The cluster's live nodes from its API (one watch shared by every window), for the canvas. */
  live(id: string, signal?: AbortSignal): AsyncGenerator<LiveState> {
    this.liveClusters ??= new LiveClusters({
      kubeconfigPath: (cid) => kubeconfigPathFor(cid, this.env),
      project: (cid) => this.project(cid),
      deployedNodes: async (cid) =>
        (await readDeployed(stateDirFor(this.projectFile(cid))))?.hosts.map((h) => h.name),
      diagnose: async (cid) => {
        const project = await this.project(cid);
        const kept = this.kept(cid);
        const values = new Map<string, string>();
        for (const n of sshSecretNames(project)) {
          const v = await kept.get(n);
          if (v !== undefined) values.set(n, v);
        }
        return diagnoseEndpoint(project, this.ssh, (n) => values.get(n));
      },
    });
    return this.liveClusters.watch(id, signal);
  }

  isRunning(id: string): boolean {
    return this.active.has(id);
  }

  async readiness(id: string, entered: SecretStore): Promise<Readiness> {
    const project = await this.project(id);
    const stateDir = stateDirFor(this.projectFile(id));
    const blockers: string[] = [];
    const errors = validateCluster(project).filter((f) => f.severity === 'error');
    if (errors.length) {
      blockers.push(`the design has ${errors.length} error${errors.length === 1 ? '' : 's'}: see Problems`);
    }
    let hash: string | undefined;
    let plan;
    if (!errors.length) {
      try {
        plan = deployPlan(project, { keelsonVersion: KEELSON_VERSION });
        hash = planHash(plan);
      } catch (e) {
        blockers.push((e as Error).message);
      }
    }
    const planned = plan
      ? new Set(plan.phases.flatMap((p) => p.steps.map((s) => s.host)))
      : new Set<string>();
    const untrustedHosts: string[] = [];
    for (const h of project.spec.hosts) {
      const used =
        planned.has(h.name) || project.spec.hosts.some((x) => planned.has(x.name) && x.ssh.via === h.name);
      if (!used || !h.address) continue;
      if ((await this.ssh.knownHosts.knownKeyTypes(h.address, h.ssh.port)).length === 0)
        untrustedHosts.push(h.name);
    }
    if (untrustedHosts.length) {
      blockers.push(
        `host key${untrustedHosts.length === 1 ? '' : 's'} of ${untrustedHosts.join(', ')} not accepted yet: Test connection on ${untrustedHosts.length === 1 ? 'it' : 'each'} first`,
      );
    }
    const kept = this.kept(id);
    const missing: string[] = [];
    if (plan) {
      const steps = plan.phases.flatMap((p) => p.steps);
      const produced = new Set(steps.flatMap((s) => (s.outputs ?? []).map((o) => o.name)));
      const names = new Set([
        ...steps
          .flatMap((s) => s.secrets)
          .filter((n) => !produced.has(n) && generateOwnedSecret(n) === undefined),
        ...sshSecretNames(project, [...planned]),
      ]);
      for (const n of names) if (!entered.has(n) && (await kept.get(n)) === undefined) missing.push(n);
    }
    const active = this.active.get(id);
    let lastRun: Readiness['lastRun'] = null;
    if (active) {
      const v = active.opened.run.view();
      lastRun = { runId: v.runId, state: 'running', at: v.startedAt, failed: [], planChanged: false };
    } else {
      const last = await latestRun(stateDir);
      if (last) {
        const ran = await phasesOfRun(stateDir, last.runId);
        // What a resume would run: on a deployed cluster, the delta (as openDeploy computes it).
        const next = plan
          ? (await planToRun(stateDir, project, KEELSON_VERSION, {}).catch(() => undefined))?.plan
          : undefined;
        const sameHash =
          next && ran
            ? planHash(filterPhases(next, { only: ran.filter((p) => next.phases.some((x) => x.id === p)) }))
            : hash;
        lastRun = {
          runId: last.runId,
          state: last.journal.ended?.status ?? 'interrupted',
          at: last.journal.ended?.at ?? last.journal.header.at,
          failed: last.journal.ended?.failed ?? last.journal.interrupted,
          planChanged: sameHash !== undefined && last.journal.header.planHash !== sameHash,
        };
      }
    }
    const kubeconfig = kubeconfigPathFor(id, this.env);
    return {
      phases: plan ? plan.phases.map((p) => p.id) : [],
      blockers,
      missingSecrets: missing.sort(),
      untrustedHosts,
      deployed: (await readDeployed(stateDir)) ?? null,
      lastRun,
      kubeconfig: existsSync(kubeconfig) ? kubeconfig : null,
    };
  }

  /** Check hosts: every host of the cluster at once, read-only (the service `keelson check` uses). */
  async check(id: string, parent: SecretStore, secrets: Record<string, string> = {}): Promise<CheckReport> {
    const project = await this.project(id);
    const scope = parent.child(secrets);
    const kept = this.kept(id);
    const values = new Map<string, string>();
    for (const n of sshSecretNames(project)) {
      const v = scope.get(n) ?? (await kept.get(n));
      if (v !== undefined) values.set(n, v);
    }
    try {
      const report = await checkHosts({
        project,
        ssh: this.ssh,
        keelsonVersion: KEELSON_VERSION,
        secret: (n) => values.get(n),
      });
      const kept: KeptCheck = {
        report,
        planHash: planHash(deployPlan(project, { keelsonVersion: KEELSON_VERSION })),
      };
      this.checks.set(id, kept);
      await writeLastCheck(stateDirFor(this.projectFile(id)), kept);
      return report;
    } finally {
      scope.clear();
    }
  }

  /** The latest check of this cluster's current design (null: none, or the design changed since). */
  async lastCheck(id: string): Promise<CheckReport | null> {
    const project = await this.project(id);
    const kept = this.checks.get(id) ?? (await readLastCheck(stateDirFor(this.projectFile(id))));
    if (!kept) return null;
    try {
      return planHash(deployPlan(project, { keelsonVersion: KEELSON_VERSION })) === kept.planHash
        ? kept.report
        : null;
    } catch {
      return null;
    }
  }

  /** Starts (or resumes) the cluster's run; resolves once it is going. */
  async start(
    id: string,
    parent: SecretStore,
    request: {
      secrets?: Record<string, string>;
      resume?: boolean;
      retryOnly?: string[];
      skip?: { stepId: string; note: string }[];
      skipPhases?: string[];
      /** Deploy although the latest host check found red: the reason goes into the journal. */
      override?: string;
    },
  ): Promise<string> {
    if (this.active.has(id)) throw new RunBusy(id);
    const project = await this.project(id);
    const check = request.resume ? null : await this.lastCheck(id);
    const red = check?.results.filter((r) => r.status === 'red').map((r) => `${r.host} ${r.check}`) ?? [];
    if (check?.reach?.vip?.status === 'red') red.push(`VIP ${check.reach.vip.address}`);
    if (red.length && !request.override?.trim()) {
      throw new ChecksRed(
        `the host check found ${red.length} red item${red.length === 1 ? '' : 's'} (${red.slice(0, 4).join(', ')}${red.length > 4 ? ', …' : ''}): fix them and check again, or deploy anyway with a reason`,
        red,
      );
    }
    const scope = parent.child(request.secrets ?? {});
    const watchers = new Set<(e: DeployEvent) => void>();
    let opened: OpenedDeploy;
    try {
      opened = await openDeploy({
        projectFile: this.projectFile(id),
        project,
        ssh: this.ssh,
        keelsonVersion: KEELSON_VERSION,
        entered: Object.fromEntries(scope.names().map((n) => [n, scope.get(n)!])),
        resume: request.resume ?? false,
        ...(request.retryOnly ? { retryOnly: request.retryOnly } : {}),
        ...(request.skip ? { skip: request.skip } : {}),
        ...(request.skipPhases?.length ? { phases: { skip: request.skipPhases } } : {}),
        ...(red.length && request.override ? { override: { reason: request.override.trim(), red } } : {}),
        ...(this.codec ? { codec: this.codec } : {}),
        listener: (e) => {
          for (const w of watchers) w(e);
        },
      });
    } catch (e) {
      scope.clear();
      throw e;
    }
    const active: Active = { kind: 'deploy', opened, project, scope, watchers };
    this.active.set(id, active);
    void opened.settled
      .then(async (status) => {
        if (status === 'succeeded') await this.exportKubeconfig(id, active.project).catch(() => undefined);
      })
      .finally(() => {
        scope.clear();
        this.active.delete(id);
      });
    return opened.run.runId;
  }

  /** The admin kubeconfig to kubeconfigPathFor(id), where the app's terminals find it. */
  private async exportKubeconfig(id: string, project: ClusterProject): Promise<void> {
    const admin = await this.kept(id).get(ADMIN_KUBECONFIG_SECRET);
    if (!admin) return;
    await saveKubeconfig(
      kubeconfigPathFor(id, this.env),
      renamedAdminConfig(admin, contextNameFor(project.metadata.name)),
    );
  }

  /** What a node operation would do (or why it is refused), before anything runs. */
  async planNode(id: string, op: NodeOperation): Promise<NodePlanView> {
    const project = await this.project(id);
    try {
      const planned = await planOperation(this.projectFile(id), project, op, KEELSON_VERSION);
      return {
        explanation: planned.explanation,
        warnings: planned.warnings,
        refused: null,
        steps: planned.plan.phases.flatMap((p) =>
          p.steps.map((s) => ({ id: s.id, host: s.host, description: s.description })),
        ),
      };
    } catch (e) {
      if (e instanceof OperationRefused)
        return { explanation: [], warnings: [], refused: e.message, steps: [] };
      throw e;
    }
  }

  /** Starts a node operation as this cluster's run: the Deploy panel watches it like a deploy. */
  async startNode(
    id: string,
    parent: SecretStore,
    request: { op: NodeOperation; secrets?: Record<string, string> },
  ): Promise<string> {
    if (this.active.has(id)) throw new RunBusy(id);
    const project = await this.project(id);
    const scope = parent.child(request.secrets ?? {});
    const watchers = new Set<(e: DeployEvent) => void>();
    let opened: OpenedOperation;
    try {
      opened = await openNodeOperation({
        projectFile: this.projectFile(id),
        project,
        op: request.op,
        ssh: this.ssh,
        keelsonVersion: KEELSON_VERSION,
        entered: Object.fromEntries(scope.names().map((n) => [n, scope.get(n)!])),
        env: this.env,
        ...(this.codec ? { codec: this.codec } : {}),
        listener: (e) => {
          for (const w of watchers) w(e);
        },
      });
    } catch (e) {
      scope.clear();
      if (e instanceof OperationRefused) throw new NotDeployableError(e.message);
      throw e;
    }
    const active: Active = { kind: 'node', opened, project, scope, watchers };
    this.active.set(id, active);
    void opened.settled
      .then(async (status) => {
        // A removed node leaves the design: the kubeconfig follows when its server was that node.
        if (status === 'succeeded') await this.exportKubeconfig(id, opened.after).catch(() => undefined);
      })
      .finally(() => {
        scope.clear();
        this.active.delete(id);
      });
    return opened.run.runId;
  }

  /** The run as it is, then its events; a cluster without a running run gets its last run's state. */
  async *watch(id: string, signal?: AbortSignal): AsyncGenerator<DeployWatchEvent> {
    const active = this.active.get(id);
    if (!active) {
      const stateDir = stateDirFor(this.projectFile(id));
      const last = await latestRun(stateDir);
      yield {
        snapshot: last ? ((await viewFromJournal(stateDir, last.runId)) ?? null) : null,
        running: false,
      };
      return;
    }
    const queue: DeployEvent[] = [];
    let pendingLines = 0;
    let wake: (() => void) | undefined;
    let ended = false;
    const push = (e: DeployEvent) => {
      if (e.type === 'step-output') {
        pendingLines += e.lines.length;
        // A watcher that cannot keep up loses the oldest pending lines, never the run's state.
        while (pendingLines > MAX_PENDING_LINES) {
          const i = queue.findIndex((q) => q.type === 'step-output');
          if (i === -1) break;
          pendingLines -= (queue[i] as Extract<DeployEvent, { type: 'step-output' }>).lines.length;
          queue.splice(i, 1);
        }
      }
      if (e.type === 'run-ended') ended = true;
      queue.push(e);
      wake?.();
    };
    active.watchers.add(push);
    const onAbort = () => wake?.();
    signal?.addEventListener('abort', onAbort);
    try {
      yield { snapshot: active.opened.run.view(), running: true };
      for (;;) {
        const e = queue.shift();
        if (e) {
          if (e.type === 'step-output') pendingLines -= e.lines.length;
          yield { event: e };
          if (e.type === 'run-ended') return;
          continue;
        }
        if (ended || signal?.aborted) return;
        await new Promise<void>((r) => (wake = r));
        wake = undefined;
      }
    } finally {
      active.watchers.delete(push);
      signal?.removeEventListener('abort', onAbort);
    }
  }

  cancel(id: string): boolean {
    const a = this.active.get(id);
    if (!a) return false;
    a.opened.run.cancel();
    return true;
  }

  /** Retry in the running run, or resume the ended one retrying only this step. */
  async retry(
    id: string,
    stepId: string,
    parent: SecretStore,
    secrets?: Record<string, string>,
  ): Promise<string> {
    const a = this.active.get(id);
    if (a) {
      if (!a.opened.run.retry(stepId)) throw new CannotResume(`${stepId} has not failed: nothing to retry`);
      return a.opened.run.runId;
    }
    return this.start(id, parent, { secrets, resume: true, retryOnly: [stepId] });
  }

  async skip(
    id: string,
    stepId: string,
    note: string,
    parent: SecretStore,
    secrets?: Record<string, string>,
  ): Promise<string> {
    const a = this.active.get(id);
    if (a) {
      if (!(await a.opened.run.skip(stepId, note)))
        throw new CannotResume(`${stepId} cannot be skipped now (it runs or finished)`);
      return a.opened.run.runId;
    }
    return this.start(id, parent, { secrets, resume: true, skip: [{ stepId, note }] });
  }

  async log(id: string, runId: string, stepId: string, from: number, count: number) {
    if (!isRunId(runId)) throw new CannotResume(`not a run id: ${runId}`);
    const stateDir = stateDirFor(this.projectFile(id));
    // A day-2 run keeps its folder under day2/: the log is wherever the run is.
    const own = runDir(stateDir, runId);
    const dir = existsSync(own) ? own : runDir(day2StateDir(stateDir), runId);
    const path = join(dir, logFileName(stepId));
    return this.logs.read(path, from, count);
  }

  /** The admin kubeconfig Keelson kept for this cluster, renamed to its own context. */
  async adminKubeconfig(id: string) {
    const project = await this.project(id);
    const admin = await this.kept(id).get(ADMIN_KUBECONFIG_SECRET);
    if (!admin) return undefined;
    return renamedAdminConfig(admin, contextNameFor(project.metadata.name));
  }
}

export class RunBusy extends Error {
  constructor(readonly id: string) {
    super(`a deploy of "${id}" is already running`);
  }
}

export class CannotResume extends Error {}

/** The latest host check is red and no override reason was given. */
export class ChecksRed extends Error {
  constructor(
    message: string,
    readonly red: string[],
  ) {
    super(message);
  }
}
