import type { ClusterProject } from '../../../shared/model/cluster';
import type { Plan, PlanStep } from '../../../shared/plan/types';
import { fillAll, MissingPlaceholders } from '../deploy/placeholders';
import { HostSession } from '../deploy/remote';
import { clusterSecretsFile, deployPlan, filterPhases, type PhaseFilter } from '../deploy/service';
import { FileSecretStore, type SecretCodec } from '../deploy/secrets';
import { readApplied, stepHash } from '../deploy/applied';
import { latestRun, readValues, runDir, stateDirFor } from '../deploy/state-dir';
import { targetOf } from '../deploy/targets';
import type { SshEngine } from '../ssh/engine';

export interface DryRunStep {
  id: string;
  phase: string;
  host: string;
  /** done: its check says the work is in place; run: it would run; unknown: the check could not say. */
  state: 'done' | 'run' | 'unknown';
  detail: string;
}

export interface DryRunRequest {
  projectFile: string;
  project: ClusterProject;
  ssh: SshEngine;
  keelsonVersion: string;
  /** Secrets the user entered (SSH passwords, sudo passwords…); Keelson's kept ones are read too. */
  secret: (name: string) => string | undefined;
  phases?: PhaseFilter;
  codec?: SecretCodec;
  /** Where KEELSON_HOME (the kept secrets' folder) is read from; the process's by default. */
  env?: NodeJS.ProcessEnv;
}

/**
 * `keelson apply --dry-run`: what a deploy would do, host by host, changing nothing. Each step's
 * own check runs on its host through the deploy engine's wrapper, exactly as before a real run
 * (checks only read). A step without a check of its own (read-only checks such as preflight and
 * verify, steps that hand over values) is done when this exact step finished in the run that
 * deployed the cluster — the journal is its record — and otherwise would run. A check that needs a
 * value only an earlier step produces (and no earlier run kept) cannot say: unknown.
 */
export async function dryRun(r: DryRunRequest): Promise<{ plan: Plan; steps: DryRunStep[] }> {
  const plan = filterPhases(deployPlan(r.project, { keelsonVersion: r.keelsonVersion }), r.phases);
  const kept = new FileSecretStore(clusterSecretsFile(r.projectFile, r.env), r.codec, (v) =>
    r.ssh.redactor.register(v),
  );
  const stateDir = stateDirFor(r.projectFile);
  const last = await latestRun(stateDir);
  const values = last ? await readValues(runDir(stateDir, last.runId)) : new Map<string, string>();
  const deployed = await deployedSteps(stateDir);
  const secrets = new Map<string, string>();
  const steps = plan.phases.flatMap((p) => p.steps);
  for (const name of new Set(steps.flatMap((s) => s.secrets))) {
    const v = r.secret(name) ?? (await kept.get(name));
    if (v !== undefined) {
      secrets.set(name, v);
      r.ssh.redactor.register(v);
    }
  }
  const hosts = [...new Set(steps.map((s) => s.host))];
  const results = new Map<string, DryRunStep>();
  await Promise.all(
    hosts.map(async (name) => {
      const mine = steps.filter((s) => s.host === name);
      const host = r.project.spec.hosts.find((h) => h.name === name)!;
      let session: HostSession;
      try {
        session = new HostSession(r.ssh, targetOf(r.project, host, r.secret), name);
        await session.connect();
      } catch (e) {
        const why = r.ssh.redactor.redact((e as Error).message);
        for (const s of mine) results.set(s.id, entry(s, 'unknown', `cannot reach ${name}: ${why}`));
        return;
      }
      for (const s of mine) results.set(s.id, await stepState(session, s, secrets, values, deployed));
    }),
  );
  return { plan, steps: steps.map((s) => results.get(s.id)!) };
}

const entry = (s: PlanStep, state: DryRunStep['state'], detail: string): DryRunStep => ({
  id: s.id,
  phase: s.phase,
  host: s.host,
  state,
  detail,
});

/** The steps applied on the cluster (applied.json, or the run deployed.json names), with their content hash. */
export interface DeployedSteps {
  finished: Map<string, { hash: string; runId: string }>;
}

export async function deployedSteps(stateDir: string): Promise<DeployedSteps | undefined> {
  try {
    const applied = await readApplied(stateDir);
    return applied ? { finished: new Map(Object.entries(applied.steps)) } : undefined;
  } catch {
    // The record or the run's folder is damaged: no record, so such steps would run.
    return undefined;
  }
}

/** A checkless step is done when this same step (script, files, host) finished in a successful run. */
export function doneByJournal(s: PlanStep, deployed: DeployedSteps | undefined): DryRunStep | undefined {
  const ran = deployed?.finished.get(s.id);
  if (!ran || ran.hash !== stepHash(s)) return undefined;
  return entry(
    s,
    'done',
    `finished in run ${ran.runId}, which succeeded; it has no check of its own, so the journal is its record`,
  );
}

async function stepState(
  session: HostSession,
  s: PlanStep,
  secrets: Map<string, string>,
  values: Map<string, string>,
  deployed: DeployedSteps | undefined,
): Promise<DryRunStep> {
  if (s.check === undefined) {
    const known = doneByJournal(s, deployed);
    if (known) return known;
    return entry(
      s,
      'run',
      s.phase === 'preflight'
        ? 'always runs (read-only checks, no check of its own)'
        : 'always runs (it has no check)',
    );
  }
  let check: string;
  try {
    check = fillAll([s.check], { secret: (n) => secrets.get(n), value: (n) => values.get(n) })[0]!;
  } catch (e) {
    if (!(e instanceof MissingPlaceholders)) throw e;
    return entry(
      s,
      'unknown',
      `its check needs ${e.missing.map((m) => m.name).join(', ')}, which an earlier step produces`,
    );
  }
  try {
    const code = await session.runWrapped(
      s,
      'check',
      check,
      Math.min(s.timeoutSeconds, 120),
      () => undefined,
      new AbortController().signal,
    );
    return code === 0
      ? entry(s, 'done', 'its check says the work is in place')
      : entry(s, 'run', `its check says not done (exit ${code})`);
  } catch (e) {
    return entry(s, 'unknown', session.ssh.redactor.redact((e as Error).message));
  }
}
