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
import type { PhaseId, Plan, PlanPhase, PlanStep } from './types';

const TITLES: Record<PhaseId, string> = {
  preflight: 'Preflight checks',
  'os-prep': 'OS preparation',
  'container-runtime': 'Container runtime (containerd)',
  'kubernetes-packages': 'Kubernetes packages',
  'external-etcd': 'External etcd',
  'load-balancer': 'API endpoint / load balancer',
  'control-plane-init': 'First control plane (kubeadm init)',
  cni: 'Pod network (CNI)',
  'control-plane-join': 'Other control planes (one at a time)',
  'worker-join': 'Workers (in parallel)',
  'post-install': 'Post-install',
  verify: 'Verify',
};

const SERIAL: PhaseId[] = ['control-plane-init', 'cni', 'control-plane-join', 'post-install'];

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

  const byPhase: [PhaseId, PlanStep[]][] = [
    ['preflight', preflight],
    ['os-prep', osPrep],
    ['container-runtime', runtime],
    ['kubernetes-packages', packages],
    ['external-etcd', etcd],
    ['load-balancer', lb],
    ['control-plane-init', init],
    ['cni', cni],
    ['control-plane-join', cpJoins],
    ['worker-join', workers],
    ['post-install', post],
    ['verify', verify],
  ];
  const phases: PlanPhase[] = byPhase
    .filter(([, steps]) => steps.length > 0)
    .map(([id, steps]) => ({ id, title: TITLES[id], parallel: !SERIAL.includes(id), steps }));
  return {
    cluster: project.metadata.name,
    kubernetesVersion: project.spec.kubernetesVersion,
    generatedBy: `keelson ${options.keelsonVersion}`,
    phases,
  };
}
