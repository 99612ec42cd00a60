import { createHash } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  isFinished,
  type DeployEvent,
  type HostState,
  type RunStatus,
  type StepStatus,
} from '../../../shared/deploy/events';
import { PHASE_GUESS_MS, remainingPath } from '../../../shared/deploy/graph';
import { diagnosticsFor, diagnosticsScript } from '../../../shared/deploy/diagnostics';
import { hintFor } from '../../../shared/deploy/hints';
import { blockedSteps, reduceRun, type RunView } from '../../../shared/deploy/state';
import type { ClusterProject } from '../../../shared/model/cluster';
import { RUN_ID_VALUE, RUN_STARTED_VALUE, type Plan, type PlanStep } from '../../../shared/plan/types';
import type { SshEngine } from '../ssh/engine';
import { SshError } from '../ssh/errors';
import { JournalWriter, readJournal, type JournalRecord, type JournalState } from './journal';
import { logFileName, StepLog } from './logs';
import { StepOutput } from './output';
import { fillAll, MissingPlaceholders } from './placeholders';
import {
  collectOutputsCommand,
  HostSession,
  isConnectionFailure,
  mkdirCommand,
  parseOutputs,
  TIMED_OUT,
} from './remote';
import { NO_SERVICES, type RunServices } from './run-services';
import { generateOwnedSecret, type SecretsProvider } from './secrets';
import {
  acquireLock,
  journalPath,
  latestRun,
  measuredDurations,
  newRunId,
  readValues,
  runDir,
  writeValues,
} from './state-dir';
import { sshSecretNames, targetOf } from './targets';

export interface DeployOptions {
  plan: Plan;
  /** The design the plan came from: hosts' SSH settings, and a snapshot kept with the run. */
  project: ClusterProject;
  ssh: SshEngine;
  secrets: SecretsProvider;
  /** The cluster's deploy folder (stateDirFor(projectFile)). */
  stateDir: string;
  keelsonVersion: string;
  /** Steps running at once over all hosts. Default 16. */
  maxParallel?: number;
  /** Steps running at once on one host. Default 1: two apt installs on one host collide on dpkg's lock. */
  perHost?: number;
  services?: RunServices;
}

export interface SessionRequest {
  /** Resume a run (default: the latest) instead of starting a new one. */
  resume?: boolean | string;
  /** On resume, retry only these failed steps (default: every step not finished). */
  retryOnly?: string[];
  /** On resume, skip these steps first (the note goes to the journal). */
  skip?: { stepId: string; note: string }[];
  /** Deploying although the host check was red: why (the user's words) and what was red, journaled. */
  override?: { reason: string; red: string[] };
}

export class MissingSecretsError extends Error {
  constructor(readonly names: string[]) {
    super(
      `enter ${names.length === 1 ? 'this secret' : 'these secrets'} before deploying: ${names.join(', ')}`,
    );
  }
}

export class ResumeError extends Error {}

export const planHash = (plan: Plan): string =>
  createHash('sha256').update(JSON.stringify(plan.phases)).digest('hex').slice(0, 16);

/** Attempt of one step, as the engine ends it. */
interface Outcome {
  status: StepStatus;
  exitCode?: number | null;
  error?: string;
  outputs?: string[];
  unreachable?: boolean;
}

class StepFailure extends Error {}

/** Registers a secret and, for multi-line values (PEM keys, kubeconfigs), each long line of it. */
function maskValue(ssh: SshEngine, value: string): void {
  ssh.redactor.register(value);
  for (const line of value.split('\n')) {
    const t = line.trim();
    if (t.length >= 16 && !/^-----(BEGIN|END) /.test(t)) ssh.redactor.register(t);
  }
}

/**
 * One session of a deploy run: executes the plan's steps over SSH in dependency order, with
 * each phase's serial/parallel rule, bounded parallelism per host and overall, the check before
 * each step, timeouts, atomic uploads, sudo, run-time outputs and secrets. Emits one typed event
 * stream; journals every step so a killed run resumes where it was.
 */
export class DeployRun {
  readonly done: Promise<RunStatus>;
  private resolveDone!: (s: RunStatus) => void;
  private readonly listeners = new Set<(e: DeployEvent) => void>();
  private state: RunView | undefined;
  private readonly steps: PlanStep[];
  private readonly byId: Map<string, PlanStep>;
  private readonly phaseOf = new Map<string, { parallel: boolean; order: string[] }>();
  private readonly status = new Map<string, StepStatus>();
  private readonly attempts = new Map<string, number>();
  private readonly running = new Map<string, AbortController>();
  private readonly sessions = new Map<string, HostSession>();
  private readonly prepared = new Map<string, Promise<void>>();
  private readonly unreachable = new Set<string>();
  private priority = new Map<string, number>();
  /** Values every step may use: this run's id and start (RUN_ID_VALUE, RUN_STARTED_VALUE). */
  private readonly builtins = new Map<string, string>();
  private cancelling = false;
  private ended = false;
  private readonly perHost: number;
  private readonly maxParallel: number;
  private readonly services: RunServices;

  private constructor(
    private readonly options: DeployOptions,
    readonly runId: string,
    readonly dir: string,
    private readonly journal: JournalWriter,
    private readonly releaseLock: () => Promise<void>,
    /** Secret values by name (entered, generated, produced): the only place they live in memory. */
    private readonly known: Map<string, string>,
    /** Non-secret outputs by name. */
    private readonly values: Map<string, string>,
  ) {
    this.done = new Promise((r) => (this.resolveDone = r));
    this.steps = options.plan.phases.flatMap((p) => p.steps);
    this.byId = new Map(this.steps.map((s) => [s.id, s]));
    for (const p of options.plan.phases) {
      const info = { parallel: p.parallel, order: p.steps.map((s) => s.id) };
      for (const s of p.steps) this.phaseOf.set(s.id, info);
    }
    this.perHost = Math.max(1, options.perHost ?? 1);
    this.maxParallel = Math.max(1, options.maxParallel ?? 16);
    this.services = options.services ?? NO_SERVICES;
  }

  // ---- opening a session --------------------------------------------------------------------

  /**
   * Starts a new run, or resumes one. Everything that can be refused is refused here, before any
   * host is touched: missing secrets, a run already going, a plan that changed since the run.
   */
  static async open(
    options: DeployOptions,
    request: SessionRequest = {},
    /** Receives every event from the first (run-started) on; later listeners use subscribe + view. */
    listener?: (e: DeployEvent) => void,
  ): Promise<DeployRun> {
    const hash = planHash(options.plan);
    let previous: { runId: string; journal: JournalState } | undefined;
    if (request.resume) {
      previous =
        typeof request.resume === 'string'
          ? {
              runId: request.resume,
              journal: await readJournal(journalPath(options.stateDir, request.resume)),
            }
          : await latestRun(options.stateDir);
      if (!previous) throw new ResumeError('there is no run of this cluster to resume');
      if (previous.journal.header.planHash !== hash) {
        throw new ResumeError(
          `the design changed since run ${previous.runId} (plan ${previous.journal.header.planHash}, now ${hash}): ` +
            'start a new run instead — steps already done are found by their checks',
        );
      }
    }
    const known = await resolveSecrets(options);
    const release = await acquireLock(options.stateDir);
    try {
      const runId = previous?.runId ?? newRunId();
      const dir = runDir(options.stateDir, runId);
      await mkdir(join(dir, 'logs'), { recursive: true });
      const values = previous ? await readValues(dir) : new Map<string, string>();
      const journal = await JournalWriter.open(journalPath(options.stateDir, runId));
      const run = new DeployRun(options, runId, dir, journal, release, known, values);
      if (listener) run.listeners.add(listener);
      await run.begin(hash, previous?.journal, request);
      return run;
    } catch (e) {
      await release();
      throw e;
    }
  }

  private async begin(hash: string, previous: JournalState | undefined, request: SessionRequest) {
    const o = this.options;
    const session = (previous?.sessions ?? 0) + 1;
    if (!previous) {
      await this.journal.append({
        t: 'run',
        v: 1,
        runId: this.runId,
        cluster: o.plan.cluster,
        planHash: hash,
        keelsonVersion: o.keelsonVersion,
        at: Date.now(),
        steps: this.steps.length,
      });
      // The plan as run (placeholders, never values) and the design: the run's history folder.
      await writeFile(join(this.dir, 'plan.json'), `${JSON.stringify(o.plan, null, 2)}\n`);
      await writeFile(join(this.dir, 'project.json'), `${JSON.stringify(o.project, null, 2)}\n`);
    }
    this.builtins.set(RUN_ID_VALUE, this.runId);
    this.builtins.set(RUN_STARTED_VALUE, new Date(previous?.header.at ?? Date.now()).toISOString());
    await this.journal.append({
      t: 'session',
      n: session,
      mode: previous ? 'resume' : 'start',
      at: Date.now(),
      pid: process.pid,
    });

    const notes: string[] = [];
    if (request.override) {
      await this.journal.append({ t: 'override', at: Date.now(), ...request.override });
      notes.push(
        `deploying although the host check was red (${request.override.red.join(', ')}): ${request.override.reason}`,
      );
    }
    for (const s of this.steps) this.status.set(s.id, 'pending');
    if (previous) {
      for (const [id, n] of previous.attempts) this.attempts.set(id, n);
      for (const [id, r] of previous.steps) {
        if (!this.byId.has(id)) continue;
        if (isFinished(r.status)) this.status.set(id, r.status);
        else if (r.status === 'failed' && request.retryOnly && !request.retryOnly.includes(id)) {
          this.status.set(id, 'failed');
        }
      }
      for (const id of previous.interrupted) {
        notes.push(
          `${id} was interrupted (Keelson stopped during it): its check decides whether it runs again`,
        );
      }
      await this.restoreOutputs(notes);
    }
    for (const { stepId, note } of request.skip ?? []) await this.recordSkip(stepId, note);
    for (const h of this.hosts()) {
      const host = o.project.spec.hosts.find((x) => x.name === h)!;
      this.sessions.set(
        h,
        new HostSession(
          o.ssh,
          targetOf(o.project, host, (n) => this.known.get(n)),
          h,
        ),
      );
    }
    const measured = await measuredDurations(o.stateDir);
    const estimate = (id: string) => measured.get(id) ?? PHASE_GUESS_MS[this.byId.get(id)!.phase];
    this.priority = remainingPath(this.steps, estimate);

    this.emit({
      type: 'run-started',
      runId: this.runId,
      cluster: o.plan.cluster,
      planHash: hash,
      session,
      mode: previous ? 'resume' : 'start',
      at: Date.now(),
      phases: o.plan.phases.map((p) => ({ id: p.id, title: p.title, parallel: p.parallel })),
      hosts: this.hosts(),
      steps: this.steps.map((s) => ({
        id: s.id,
        phase: s.phase,
        host: s.host,
        description: s.description,
        dependsOn: s.dependsOn,
        timeoutSeconds: s.timeoutSeconds,
        estimateMs: estimate(s.id),
      })),
      previous: [...this.status]
        .filter(([, st]) => st !== 'pending')
        .map(([stepId, st]) => ({ stepId, status: st })),
    });
    for (const message of notes) this.note(message);
    for (const h of this.hosts()) this.updateHost(h);
    queueMicrotask(() => this.pump());
  }

  /**
   * Outputs of steps finished in earlier sessions: non-secret ones from values.json, secret ones
   * from the secrets store (kept there the moment they were produced). A finished step whose
   * outputs are gone runs again, since later steps need them.
   */
  private async restoreOutputs(notes: string[]): Promise<void> {
    for (const s of this.steps) {
      if (!isFinished(this.status.get(s.id)!) || !s.outputs?.length) continue;
      let complete = true;
      for (const out of s.outputs) {
        if (!out.secret) {
          complete &&= this.values.has(out.name);
          continue;
        }
        const v = await this.options.secrets.get(out.name);
        if (v === undefined) complete = false;
        else {
          this.known.set(out.name, v);
          maskValue(this.options.ssh, v);
        }
      }
      if (!complete && this.status.get(s.id) !== 'skipped') {
        this.status.set(s.id, 'pending');
        notes.push(`${s.id} runs again: outputs later steps need are no longer available`);
      }
    }
  }

  private hosts(): string[] {
    return [...new Set(this.steps.map((s) => s.host))];
  }

  // ---- events ------------------------------------------------------------------------------

  /** Listens to every event from now on; returns the unsubscribe function. */
  subscribe(listener: (e: DeployEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** The run as every view shows it (the same reducer the views use). */
  view(): RunView {
    return this.state!;
  }

  get isRunning(): boolean {
    return !this.ended;
  }

  private emit(e: DeployEvent): void {
    this.state = reduceRun(this.state, e);
    for (const l of this.listeners) {
      try {
        l(e);
      } catch {
        // a broken consumer must not stop the deploy
      }
    }
  }

  private note(message: string, stepId?: string): void {
    this.emit({ type: 'run-note', at: Date.now(), message, ...(stepId ? { stepId } : {}) });
  }

  // ---- commands ----------------------------------------------------------------------------

  /** Runs a failed (or cancelled) step again in this session; false if the session has ended. */
  retry(stepId: string): boolean {
    const st = this.status.get(stepId);
    if (this.ended || this.cancelling || (st !== 'failed' && st !== 'cancelled')) return false;
    this.status.set(stepId, 'pending');
    this.updateHost(this.byId.get(stepId)!.host);
    this.pump();
    return true;
  }

  /** Marks a failed or waiting step as skipped (noted in the journal): its dependents go on. */
  async skip(stepId: string, note: string): Promise<boolean> {
    const st = this.status.get(stepId);
    if (this.ended || st === undefined || st === 'running' || isFinished(st)) return false;
    await this.recordSkip(stepId, note);
    this.pump();
    return true;
  }

  private async recordSkip(stepId: string, note: string): Promise<void> {
    const step = this.byId.get(stepId);
    if (!step) throw new ResumeError(`the plan has no step ${stepId}`);
    const at = Date.now();
    await this.journal.append({ t: 'skip', step: stepId, at, note });
    await this.journal.append({
      t: 'step',
      step: stepId,
      host: step.host,
      status: 'skipped',
      start: at,
      end: at,
      log: logFileName(stepId),
    });
    this.status.set(stepId, 'skipped');
    if (this.state) {
      this.emit({ type: 'step-ended', stepId, host: step.host, status: 'skipped', at, durationMs: 0 });
      this.note(`${stepId} skipped by the user: ${note}`, stepId);
      this.updateHost(step.host);
    }
  }

  /** Stops every running step (on the host too) and ends the session; the run stays resumable. */
  cancel(): void {
    if (this.ended || this.cancelling) return;
    this.cancelling = true;
    this.note('cancelling: stopping running steps');
    for (const [id, ctrl] of this.running) {
      const step = this.byId.get(id)!;
      ctrl.abort(new SshError('CANCELLED', step.host, 'cancelled'));
      void this.sessions.get(step.host)!.cancel(step);
    }
    this.pump();
  }

  // ---- scheduling --------------------------------------------------------------------------

  private depsDone(s: PlanStep): boolean {
    return s.dependsOn.every((d) => {
      const st = this.status.get(d);
      // A dependency outside the plan (a phase left out) counts as done.
      return st === undefined || isFinished(st);
    });
  }

  private runnable(): PlanStep[] {
    const perHost = new Map<string, number>();
    const phaseBusy = new Set<{ parallel: boolean; order: string[] }>();
    for (const id of this.running.keys()) {
      const s = this.byId.get(id)!;
      perHost.set(s.host, (perHost.get(s.host) ?? 0) + 1);
      phaseBusy.add(this.phaseOf.get(id)!);
    }
    let slots = this.maxParallel - this.running.size;
    const candidates = this.steps
      .filter((s) => this.status.get(s.id) === 'pending' && this.depsDone(s))
      .sort((a, b) => (this.priority.get(b.id) ?? 0) - (this.priority.get(a.id) ?? 0));
    const picked: PlanStep[] = [];
    for (const s of candidates) {
      if (slots <= 0) break;
      if ((perHost.get(s.host) ?? 0) >= this.perHost) continue;
      const phase = this.phaseOf.get(s.id)!;
      if (!phase.parallel) {
        // Serial phase: one step at a time, in plan order.
        if (phaseBusy.has(phase)) continue;
        const earlier = phase.order.slice(0, phase.order.indexOf(s.id));
        if (!earlier.every((id) => isFinished(this.status.get(id)!))) continue;
        phaseBusy.add(phase);
      }
      perHost.set(s.host, (perHost.get(s.host) ?? 0) + 1);
      slots--;
      picked.push(s);
    }
    return picked;
  }

  private pump(): void {
    if (this.ended) return;
    if (!this.cancelling) for (const s of this.runnable()) this.launch(s);
    if (this.running.size === 0) void this.finish();
  }

  private launch(step: PlanStep): void {
    const ctrl = new AbortController();
    this.running.set(step.id, ctrl);
    this.status.set(step.id, 'running');
    void this.runStep(step, ctrl.signal)
      .catch((e: unknown) => this.fatal(e))
      .finally(() => {
        this.running.delete(step.id);
        this.pump();
      });
  }

  /** The journal cannot be written (disk full, folder gone): nothing may run unrecorded. */
  private fatal(e: unknown): void {
    this.note(`stopping: ${(e as Error).message}`);
    this.cancel();
  }

  // ---- one step ----------------------------------------------------------------------------

  private async runStep(step: PlanStep, signal: AbortSignal): Promise<void> {
    const attempt = (this.attempts.get(step.id) ?? 0) + 1;
    this.attempts.set(step.id, attempt);
    const start = Date.now();
    await this.journal.append({ t: 'attempt', step: step.id, host: step.host, attempt, at: start });
    this.emit({ type: 'step-started', stepId: step.id, host: step.host, attempt, at: start });
    this.unreachable.delete(step.host);
    this.updateHost(step.host);
    const log = await StepLog.open(join(this.dir, logFileName(step.id)));
    const out = new StepOutput(step.id, step.host, log, this.options.ssh.redactor, (e) => this.emit(e));
    out.note(`── ${step.id} on ${step.host}, attempt ${attempt}, ${new Date(start).toISOString()}`);
    let outcome: Outcome;
    try {
      outcome = await this.attempt(step, out, signal);
    } catch (e) {
      out.flush();
      outcome = this.failure(step, e, signal);
    }
    const end = Date.now();
    out.note(
      `── ${outcome.status}${outcome.error ? `: ${outcome.error}` : ''} after ${((end - start) / 1000).toFixed(1)} s`,
    );
    const failed = outcome.status === 'failed';
    const tail = failed ? out.tail(20) : undefined;
    const hint = failed ? hintFor(out.tail(60), outcome.error) : undefined;
    if (failed && !outcome.unreachable && !this.cancelling) await this.gatherDiagnostics(step, out);
    await log.close();
    const record: JournalRecord = {
      t: 'step',
      step: step.id,
      host: step.host,
      status: outcome.status,
      start,
      end,
      log: logFileName(step.id),
      ...(outcome.exitCode !== undefined ? { exitCode: outcome.exitCode } : {}),
      ...(outcome.outputs?.length ? { outputs: outcome.outputs } : {}),
      ...(outcome.error ? { error: outcome.error } : {}),
    };
    await this.journal.append(record);
    this.status.set(step.id, outcome.status);
    if (outcome.unreachable) this.unreachable.add(step.host);
    this.emit({
      type: 'step-ended',
      stepId: step.id,
      host: step.host,
      status: outcome.status,
      at: end,
      durationMs: end - start,
      ...(outcome.exitCode !== undefined ? { exitCode: outcome.exitCode } : {}),
      ...(outcome.error ? { error: outcome.error } : {}),
      ...(hint ? { hint } : {}),
      ...(tail ? { tail } : {}),
      ...(outcome.outputs?.length ? { outputs: outcome.outputs } : {}),
    });
    this.updateHost(step.host);
  }

  private async attempt(step: PlanStep, out: StepOutput, signal: AbortSignal): Promise<Outcome> {
    const session = this.sessions.get(step.host)!;
    await this.prepareHost(step.host);
    const [script, check, ...files] = fillAll(
      [step.script, step.check ?? '', ...step.files.map((f) => f.content)],
      {
        secret: (n) => this.known.get(n),
        value: (n) => this.values.get(n) ?? this.builtins.get(n),
      },
    );
    // A check cannot bring back outputs: a step whose outputs are missing runs.
    const outputsMissing = (step.outputs ?? []).some(
      (o) => !(o.secret ? this.known.has(o.name) : this.values.has(o.name)),
    );
    if (step.check !== undefined && !outputsMissing) {
      const code = await session.runWrapped(
        step,
        'check',
        check!,
        Math.min(step.timeoutSeconds, 300),
        out.data,
        signal,
      );
      out.flush();
      if (code === 0) {
        out.note('check: already done — the script does not run');
        return { status: 'already-done', exitCode: 0 };
      }
      out.note(`check: not done yet (exit ${code}) — running the step`);
    }
    const mkdir = mkdirCommand(step);
    if (mkdir) {
      const r = await session.sh(mkdir);
      if (r.code !== 0)
        throw new StepFailure(`cannot create the folders for the step's files: ${r.stderr.trim()}`);
    }
    for (const [i, f] of step.files.entries()) {
      out.note(`upload ${f.path} (mode ${f.mode})`);
      await session.upload(f.path, files[i]!, f.mode, signal);
    }
    const code = await session.runWrapped(step, 'script', script!, step.timeoutSeconds, out.data, signal);
    out.flush();
    if (code === TIMED_OUT) {
      return {
        status: 'failed',
        exitCode: code,
        error: `${step.host}: timed out after ${step.timeoutSeconds} s (the step's limit)`,
      };
    }
    if (code !== 0) {
      const why = out.lastKeelsonMessage ?? out.tail(1)[0]?.trim() ?? 'no output';
      return { status: 'failed', exitCode: code, error: `${step.host}: ${why} (exit ${code})` };
    }
    const outputs = await this.collectOutputs(step, session);
    return { status: 'done', exitCode: 0, outputs };
  }

  /**
   * Appends to a failed step's log what its services say (state, recent journal, containers),
   * through the same redactor as the step's output. Best effort: it never changes the outcome.
   */
  private async gatherDiagnostics(step: PlanStep, out: StepOutput): Promise<void> {
    const wanted = diagnosticsFor(step.phase);
    if (!wanted) return;
    out.note(`── diagnostics from ${step.host}, gathered because the step failed (read-only)`);
    try {
      const r = await this.sessions.get(step.host)!.gather(diagnosticsScript(wanted));
      out.data('stdout', Buffer.from(r.stdout));
      out.data('stderr', Buffer.from(r.stderr));
      out.flush();
    } catch (e) {
      out.flush();
      out.note(
        `diagnostics could not be gathered: ${this.options.ssh.redactor.redact((e as Error).message)}`,
      );
    }
  }

  private failure(step: PlanStep, e: unknown, signal: AbortSignal): Outcome {
    const redact = (t: string) => this.options.ssh.redactor.redact(t);
    if (signal.aborted && this.cancelling) return { status: 'cancelled', error: `${step.host}: cancelled` };
    if (e instanceof MissingPlaceholders || e instanceof StepFailure) {
      return { status: 'failed', error: redact(`${step.host}: ${e.message}`) };
    }
    if (isConnectionFailure(e)) {
      return {
        status: 'failed',
        unreachable: true,
        error: redact(`${step.host} unreachable: ${(e as Error).message}`),
      };
    }
    if (e instanceof SshError) return { status: 'failed', error: redact(e.message) };
    return { status: 'failed', error: redact(`${step.host}: ${(e as Error).message ?? String(e)}`) };
  }

  private prepareHost(host: string): Promise<void> {
    let p = this.prepared.get(host);
    if (!p) {
      p = this.services.beforeHost(host, this.sessions.get(host)!).catch((e: unknown) => {
        this.prepared.delete(host);
        throw new StepFailure(`preparing the host for this run failed: ${(e as Error).message}`);
      });
      this.prepared.set(host, p);
    }
    return p;
  }

  /** Reads the step's outputs off the host (never logged), keeps them, checks uniqueness. */
  private async collectOutputs(step: PlanStep, session: HostSession): Promise<string[]> {
    const declared = step.outputs ?? [];
    if (declared.length === 0) return [];
    const r = await session.sh(collectOutputsCommand(declared.map((o) => o.name)));
    if (r.code !== 0) throw new StepFailure(`could not read the step's outputs (exit ${r.code})`);
    const got = parseOutputs(r.stdout);
    for (const o of declared) {
      const v = got.get(o.name);
      if (v === undefined) throw new StepFailure(`the step finished but did not write its output ${o.name}`);
      if (o.secret) {
        maskValue(this.options.ssh, v);
        this.known.set(o.name, v);
        // Kept before the journal says "done": after a kill, a done step's secrets are there.
        await this.options.secrets.keep(o.name, v);
      } else {
        if (o.uniqueAcrossHosts) this.checkUnique(step, o.uniqueAcrossHosts, v);
        this.values.set(o.name, v);
      }
    }
    await writeValues(this.dir, this.values);
    return declared.map((o) => o.name);
  }

  private checkUnique(step: PlanStep, key: string, value: string): void {
    for (const other of this.steps) {
      if (other.host === step.host) continue;
      for (const o of other.outputs ?? []) {
        if (o.uniqueAcrossHosts === key && this.values.get(o.name) === value) {
          throw new StepFailure(
            `${key} "${value}" is the same on ${other.host}: every node needs its own ${key} (kubeadm refuses duplicates)`,
          );
        }
      }
    }
  }

  private updateHost(host: string): void {
    if (!this.state) return;
    const mine = this.steps.filter((s) => s.host === host);
    const running = mine.find((s) => this.status.get(s.id) === 'running');
    const failed = mine.find((s) => ['failed', 'cancelled'].includes(this.status.get(s.id)!));
    let state: HostState;
    let stepId: string | undefined;
    if (running) [state, stepId] = ['running', running.id];
    else if (failed) [state, stepId] = [this.unreachable.has(host) ? 'unreachable' : 'failed', failed.id];
    else if (mine.every((s) => isFinished(this.status.get(s.id)!))) state = 'done';
    else state = 'waiting';
    const before = this.state.hosts.find((h) => h.name === host);
    if (before?.state === state && before.stepId === stepId) return;
    this.emit({ type: 'host-state', host, state, at: Date.now(), ...(stepId ? { stepId } : {}) });
  }

  // ---- end ---------------------------------------------------------------------------------

  private async finish(): Promise<void> {
    if (this.ended) return;
    this.ended = true;
    const all = this.steps.map((s) => ({ id: s.id, dependsOn: s.dependsOn, status: this.status.get(s.id)! }));
    const status: RunStatus = this.cancelling
      ? 'cancelled'
      : all.every((s) => isFinished(s.status))
        ? 'succeeded'
        : 'failed';
    const failed = all.filter((s) => s.status === 'failed' || s.status === 'cancelled').map((s) => s.id);
    const at = Date.now();
    try {
      await this.journal.append({ t: 'run-end', status, at, failed });
    } finally {
      await this.journal.close().catch(() => undefined);
      await this.services.dispose().catch(() => undefined);
      await this.releaseLock().catch(() => undefined);
      this.emit({ type: 'run-ended', runId: this.runId, status, at, failed, blocked: blockedSteps(all) });
      this.resolveDone(status);
    }
  }
}

/**
 * Every secret the plan and the SSH settings need, resolved before the run: entered ones, kept
 * ones, and those Keelson may generate (kept at once). Outputs of steps are not needed up front.
 */
async function resolveSecrets(o: DeployOptions): Promise<Map<string, string>> {
  const steps = o.plan.phases.flatMap((p) => p.steps);
  const produced = new Set(
    steps.flatMap((s) => (s.outputs ?? []).filter((x) => x.secret).map((x) => x.name)),
  );
  const needed = new Set([...steps.flatMap((s) => s.secrets).filter((n) => !produced.has(n))]);
  const sshNames = sshSecretNames(o.project, [...new Set(steps.map((s) => s.host))]);
  const known = new Map<string, string>();
  const missing: string[] = [];
  for (const name of [...needed, ...sshNames]) {
    let v = await o.secrets.get(name);
    if (v === undefined && needed.has(name)) {
      v = generateOwnedSecret(name);
      if (v !== undefined) await o.secrets.keep(name, v);
    }
    if (v === undefined) missing.push(name);
    else {
      known.set(name, v);
      maskValue(o.ssh, v);
    }
  }
  if (missing.length) throw new MissingSecretsError([...new Set(missing)].sort());
  return known;
}
