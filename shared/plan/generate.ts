import type { ClusterProject } from '../model/cluster';
import { checkProject, type ValidDesign } from '../validation';
import { buildContext, type PlanContext, type PlanOptions } from './context';
import { cniSteps } from './cni';
import { containerdSteps } from './containerd';
import { findingPath, PlanError } from './errors';
import { controlPlaneInitSteps, controlPlaneJoinSteps, workerJoinSteps } from './control-plane';
import { externalEtcdSteps } from './etcd';
import { loadBalancerSteps } from './load-balancer';
import { osPrepSteps } from './os-prep';
import { kubernetesPackagesSteps } from './packages';
import { postInstallSteps, verifySteps } from './post-install';
import { preflightSteps } from './preflight';
import { PHASES } from './phases';
import type { DeployPhaseId } from './phases';
import type { Plan, PlanHost, PlanPhase, PlanStep } from './types';

const ids = (steps: PlanStep[]): string[] => steps.map((s) => s.id);

/**
 * Turns a project into the plan a deploy would run. Pure: same project and options, same plan,
 * byte for byte. The validator decides what is plannable: a project with error findings throws
 * PlanError carrying them (the first one's field in `path`); one with no hosts plans to nothing.
 */
export function generatePlan(project: ClusterProject, options: PlanOptions): Plan {
  const { findings, design } = checkProject(project);
  const errors = findings.filter((f) => f.severity === 'error');
  if (errors.length > 0) {
    const first = errors[0]!;
    const more = errors.length > 1 ? ` (and ${errors.length - 1} more)` : '';
    throw new PlanError(`${first.message}${more}`, findingPath(first, project.spec.hosts), errors);
  }
  if (!design) return { ...planHeader(project, options), hosts: [], phases: [] };
  return planDesign(design, options);
}

function planHeader(project: ClusterProject, options: PlanOptions) {
  return {
    cluster: project.metadata.name,
    kubernetesVersion: project.spec.kubernetesVersion,
    generatedBy: `keelson ${options.keelsonVersion}`,
  };
}

/** The plan of a design the validator has normalized (checkProject), with no further checks. */
export function planDesign(design: ValidDesign, options: PlanOptions): Plan {
  const ctx = buildContext(design, options);
  const project = design.project;
  const preflight = preflightSteps(ctx);
  const osPrep = osPrepSteps(ctx);
  const runtime = containerdSteps(ctx);
  const packages = kubernetesPackagesSteps(ctx);
  const etcd = project.spec.etcd.mode === 'external' ? externalEtcdSteps(ctx) : [];
  const lb = loadBalancerSteps(ctx);
  const init = controlPlaneInitSteps(ctx, lb, etcd);
  const cni = cniSteps(ctx, ids(init));
  const cpJoins = controlPlaneJoinSteps(ctx, ids(cni));
  const lastCp = cpJoins.length ? [cpJoins[cpJoins.length - 1]!.id] : ids(cni);
  const workers = workerJoinSteps(ctx, lastCp, lb);
  const post = postInstallSteps(ctx, [...lastCp, ...ids(workers)]);
  const verify = verifySteps(ctx, ids(post));

  const byPhase: Record<DeployPhaseId, PlanStep[]> = {
    preflight,
    'os-prep': osPrep,
    'container-runtime': runtime,
    'kubernetes-packages': packages,
    'external-etcd': etcd,
    'load-balancer': lb,
    'control-plane-init': init,
    cni,
    'control-plane-join': cpJoins,
    'worker-join': workers,
    'post-install': post,
    verify,
  };
  // Order, titles and the parallel rule come from the registry, never from here.
  const phases: PlanPhase[] = PHASES.filter(({ id }) => byPhase[id].length > 0).map(
    ({ id, title, parallel }) => ({ id, title, parallel, steps: byPhase[id] }),
  );
  return { ...planHeader(project, options), hosts: planHosts(ctx), phases };
}

/** Every host of the design, how Keelson reaches it (the bastions, first hop first) and its OS. */
export function planHosts(ctx: PlanContext): PlanHost[] {
  return ctx.project.spec.hosts.map((h) => ({
    name: h.name,
    address: h.address,
    roles: [...h.roles],
    os: ctx.os(h),
    ssh: { user: h.ssh.user, port: h.ssh.port },
    route: ctx.routes[h.name] ?? [],
  }));
}
