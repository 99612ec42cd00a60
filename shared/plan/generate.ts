import type { ClusterProject } from '../model/cluster';
import { buildContext, type PlanOptions } from './context';
import { cniSteps } from './cni';
import { containerdSteps } from './containerd';
import { controlPlaneInitSteps, controlPlaneJoinSteps, workerJoinSteps } from './control-plane';
import { externalEtcdSteps } from './etcd';
import { loadBalancerSteps } from './load-balancer';
import { osPrepSteps } from './os-prep';
import { kubernetesPackagesSteps } from './packages';
import { postInstallSteps, verifySteps } from './post-install';
import { preflightSteps } from './preflight';
import { PHASES } from './phases';
import type { PhaseId, Plan, PlanPhase, PlanStep } from './types';

const ids = (steps: PlanStep[]): string[] => steps.map((s) => s.id);

/**
 * Turns a validated project into the plan a deploy would run. Pure: same project and options,
 * same plan, byte for byte. Throws PlanError (with the field path) for what it cannot plan.
 */
export function generatePlan(project: ClusterProject, options: PlanOptions): Plan {
  const ctx = buildContext(project, options);
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

  const byPhase: Record<PhaseId, PlanStep[]> = {
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
  return {
    cluster: project.metadata.name,
    kubernetesVersion: project.spec.kubernetesVersion,
    generatedBy: `keelson ${options.keelsonVersion}`,
    phases,
  };
}
