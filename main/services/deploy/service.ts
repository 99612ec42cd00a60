import type { ClusterProject } from '../../../shared/model/cluster';
import { generatePlan, PlanError, type PlanOptions } from '../../../shared/plan';
import type { Plan } from '../../../shared/plan/types';
import type { Finding } from '../../../shared/validation/finding';
import { validateCluster } from '../../../shared/validation';
import type { SshEngine } from '../ssh/engine';
import { DeployRun, type SessionRequest } from './engine';
import type { DeployEvent, RunStatus } from '../../../shared/deploy/events';
import { deployedRecord, readDeployed, writeDeployed } from './deployed';
import type { RunServices } from './run-services';
import { clusterSecretsFile, FileSecretStore, LayeredSecrets, type SecretCodec } from './secrets';

// Where it always was; it lives in secrets.ts so the workspace can move it on rename without the engine.
export { clusterSecretsFile };
import { latestRun, readRunPlan, stateDirFor } from './state-dir';
import { readApplied, recordApplied, stepHash } from './applied';
import { BundleMissingError, bundleServicesFor } from './bundle-services';
import { deltaPlan } from '../../../shared/deploy/delta';

/** Why a project cannot be deployed as it is: its errors, or what the planner refuses. */
export class NotDeployableError extends Error {
  constructor(
    message: string,
    readonly errors: Finding[] = [],
  ) {
    super(message);
  }
}

/** The plan a deploy runs: only for a project without error findings (as `keelson plan`). */
export function deployPlan(project: ClusterProject, options: PlanOptions): Plan {
  const errors = validateCluster(project).filter((f) => f.severity === 'error');
  if (errors.length) {
    throw new NotDeployableError(
      `the design has ${errors.length} error${errors.length === 1 ? '' : 's'} (${errors
        .slice(0, 3)
        .map((f) => f.code)
        .join(
          ', ',
        )}${errors.length > 3 ? ', …' : ''}): fix ${errors.length === 1 ? 'it' : 'them'} before deploying`,
      errors,
    );
  }
  try {
    return generatePlan(project, options);
  } catch (e) {
    if (e instanceof PlanError) throw new NotDeployableError(e.message);
    throw e;
  }
}

/** `--only` / `--skip-phases`: a run of some phases (dependencies on the others count as met). */
export interface PhaseFilter {
  only?: string[];
  skip?: string[];
}

/** The plan with only the chosen phases; unknown phase names are refused with the list of real ones. */
export function filterPhases(plan: Plan, filter: PhaseFilter | undefined): Plan {
  if (!filter?.only?.length && !filter?.skip?.length) return plan;
  const known = plan.phases.map((p) => p.id as string);
  for (const name of [...(filter.only ?? []), ...(filter.skip ?? [])]) {
    if (!known.includes(name)) {
      throw new NotDeployableError(`this plan has no phase "${name}" (its phases: ${known.join(', ')})`);
    }
  }
  return {
    ...plan,
    phases: plan.phases.filter(
      (p) => (!filter.only?.length || filter.only.includes(p.id)) && !filter.skip?.includes(p.id),
    ),
  };
}

/** What every run of a project file needs, a deploy or a day-2 operation. */
export interface RunRequest {
  projectFile: string;
  project: ClusterProject;
  ssh: SshEngine;
  keelsonVersion: string;
  /** Values the user entered for this run (passwords, passphrases): memory only. */
  entered?: Record<string, string>;
  codec?: SecretCodec;
  services?: RunServices;
  listener?: (e: DeployEvent) => void;
  /** Where KEELSON_HOME (the kept secrets' folder) is read from; the process's by default. */
  env?: NodeJS.ProcessEnv;
}

export interface DeployRequest extends SessionRequest, RunRequest {
  maxParallel?: number;
  phases?: PhaseFilter;
  /** Run every step of the design, not only those not yet applied (each step's check still decides). */
  full?: boolean;
  /** packages.source bundle: the bundle's folder (else KEELSON_BUNDLE of `env`). */
  bundleDir?: string;
}

/** Opens a deploy session of a project file: the one entry the UI, the CLI and the tests share. */
export interface OpenedDeploy {
  run: DeployRun;
  plan: Plan;
  stateDir: string;
  secrets: FileSecretStore;
  /** The run's end, after deployed.json was written for a success. */
  settled: Promise<RunStatus>;
  /** On a deployed cluster: the steps left out because they are applied as they are. */
  appliedSteps: string[];
}

/** The phases a run was made of (its plan.json): a resume runs the same ones. */
export async function phasesOfRun(stateDir: string, runId?: string): Promise<string[] | undefined> {
  const id = runId ?? (await latestRun(stateDir))?.runId;
  return id ? (await readRunPlan(stateDir, id))?.phases.map((p) => p.id) : undefined;
}

/**
 * The plan a deploy of `project` runs now: on a deployed cluster only the steps not applied exactly
 * as the design says (the delta), unless `full`; then the phase filter. `partial` when the filter
 * left phases out (such a run does not make a deployed cluster).
 */
export async function planToRun(
  stateDir: string,
  project: ClusterProject,
  keelsonVersion: string,
  options: { full?: boolean; phases?: PhaseFilter },
): Promise<{ plan: Plan; partial: boolean; appliedSteps: string[] }> {
  const whole = deployPlan(project, { keelsonVersion });
  // Before the cluster's first full success every step runs (checks decide), preflight included.
  const applied = options.full || !(await readDeployed(stateDir)) ? undefined : await readApplied(stateDir);
  const delta = applied ? deltaPlan(whole, (s) => applied.steps[s.id]?.hash === stepHash(s)) : undefined;
  const base = delta?.plan ?? whole;
  const plan = filterPhases(base, options.phases);
  return { plan, partial: plan.phases.length !== base.phases.length, appliedSteps: delta?.applied ?? [] };
}

export async function openDeploy(r: DeployRequest): Promise<OpenedDeploy> {
  const stateDir = stateDirFor(r.projectFile);
  if (r.resume && !r.phases?.only?.length && !r.phases?.skip?.length) {
    const only = await phasesOfRun(stateDir, typeof r.resume === 'string' ? r.resume : undefined);
    if (only) r = { ...r, phases: { only } };
  }
  const { plan, partial, appliedSteps } = await planToRun(stateDir, r.project, r.keelsonVersion, r);
  const kept = new FileSecretStore(clusterSecretsFile(r.projectFile, r.env), r.codec, (v) =>
    r.ssh.redactor.register(v),
  );
  const entered = r.entered ?? {};
  for (const v of Object.values(entered)) r.ssh.redactor.register(v);
  const services =
    r.services ??
    (await bundleServicesFor(
      r.project,
      stateDir,
      plan.kubernetesVersion,
      r.bundleDir ?? (r.env ?? process.env).KEELSON_BUNDLE,
    ).catch((e: unknown) => {
      throw e instanceof BundleMissingError ? new NotDeployableError(e.message) : e;
    }));
  let run: DeployRun;
  try {
    run = await DeployRun.open(
      {
        plan,
        project: r.project,
        ssh: r.ssh,
        secrets: new LayeredSecrets({ get: (n) => entered[n] }, kept),
        stateDir,
        keelsonVersion: r.keelsonVersion,
        ...(services ? { services } : {}),
        ...(r.maxParallel ? { maxParallel: r.maxParallel } : {}),
      },
      r,
      r.listener,
    );
  } catch (e) {
    // The bundle server started for this run goes with it.
    if (!r.services) await services?.dispose();
    throw e;
  }

  const settled = run.done.then(async (status) => {
    // Only a run of the whole plan makes a deployed cluster.
    if (status === 'succeeded') await recordApplied(stateDir, { runId: run.runId });
    if (status === 'succeeded' && !partial) {
      await writeDeployed(
        stateDir,
        deployedRecord(
          r.project,
          { runId: run.runId, planHash: run.view().planHash },
          r.keelsonVersion,
          plan.kubernetesVersion,
        ),
      );
    }
    return status;
  });
  return { run, plan, stateDir, secrets: kept, settled, appliedSteps };
}
