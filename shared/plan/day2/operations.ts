/**
 * Day-2 operations on a deployed cluster as plans (design note one-engine.md): pure functions of
 * the design and the operation, giving phases of named, idempotent steps with checks that the
 * deploy engine runs like any deploy. They reuse the deploy's generators — the load-balancer
 * configs of the remaining control planes, the topology record, the verify phase — so a config
 * after a removal is byte for byte the one a fresh deploy of the new design would write.
 *
 * Adding a node is not here: it is a deploy of the design with the node in it, of which only the
 * steps not yet applied run (deploy/delta.ts).
 */
import type { ClusterProject, Host } from '../../model/cluster';
import { checkProject } from '../../validation';
import type { ValidDesign } from '../../validation/design';
import { buildContext, type PlanContext, type PlanOptions } from '../context';
import { planHosts } from '../generate';
import { loadBalancerSteps } from '../load-balancer';
import { phaseInfo } from '../phases';
import { postInstallSteps, verifySteps } from '../post-install';
import type { PhaseId, Plan, PlanStep } from '../types';
import { cordonStep, deleteNodeObjectStep, drainStep, type DrainOptions } from './kubectl-steps';
import {
  endpointServicesOn,
  etcdMemberRemoveStep,
  quorumCheckStep,
  reloadStepOf,
  resetStep,
  stopEndpointServicesStep,
} from './node-steps';
import { etcdRemovalVerdict } from './quorum';

export type NodeAction = 'cordon' | 'uncordon' | 'drain' | 'delete';

export interface NodeOperation extends DrainOptions {
  action: NodeAction;
  node: string;
  /** delete: the host is gone (no SSH, NotReady); nothing runs on it, the rest is cleaned up around it. */
  dead?: boolean;
}

/** An operation that must not run, with the reason an admin can act on. */
export class OperationRefused extends Error {
  constructor(
    message: string,
    /** What kind of refusal, for the UI and tests: the quorum guard is the one people meet. */
    readonly kind: 'quorum' | 'design' | 'role' | 'no-host',
  ) {
    super(message);
  }
}

export interface OperationPlan {
  plan: Plan;
  /** The design once the operation succeeded (the node gone for a delete; unchanged otherwise). */
  after: ClusterProject;
  /** Things to know before running it (an even etcd member count, an LB Keelson does not manage). */
  warnings: string[];
  /** One line per phase saying what it will do, for the confirm dialog and the CLI. */
  explanation: string[];
  /**
   * Deploy steps of the new design this operation makes true by other means (a load balancer
   * reloaded with the new upstream list): recorded as applied after it, so a later deploy does
   * not reinstall what is already in place.
   */
  supersedes: PlanStep[];
}

function validDesign(project: ClusterProject, what: string): ValidDesign {
  const { findings, design } = checkProject(project);
  const errors = findings.filter((f) => f.severity === 'error');
  if (errors.length || !design)
    throw new OperationRefused(
      `${what} has errors (${
        errors
          .map((f) => f.message)
          .slice(0, 3)
          .join('; ') || 'no hosts'
      }): fix the design first`,
      'design',
    );
  return design;
}

/** The project without `node`: its host, its canvas position and its bastion routes. */
export function projectWithout(project: ClusterProject, node: string): ClusterProject {
  const after = structuredClone(project);
  after.spec.hosts = after.spec.hosts.filter((h) => h.name !== node);
  if (after.canvas?.positions) delete after.canvas.positions[node];
  return after;
}

/** Day-2 order: scheduling, quorum, drain, load balancers, removal, then the record and verify. */
const DAY2_ORDER: PhaseId[] = [
  'node-state',
  'quorum-check',
  'drain',
  'load-balancer-update',
  'remove-node',
  'post-install',
  'verify',
];

function assemble(ctx: PlanContext, steps: PlanStep[]): Plan {
  const phases = DAY2_ORDER.filter((id) => steps.some((s) => s.phase === id)).map((id) => {
    const info = phaseInfo(id);
    return { id, title: info.title, parallel: info.parallel, steps: steps.filter((s) => s.phase === id) };
  });
  return {
    cluster: ctx.project.metadata.name,
    kubernetesVersion: ctx.project.spec.kubernetesVersion,
    generatedBy: `keelson ${ctx.keelsonVersion}`,
    hosts: planHosts(ctx),
    phases,
  };
}

function findNode(design: ValidDesign, node: string): Host {
  const host = design.project.spec.hosts.find((h) => h.name === node);
  if (!host) throw new OperationRefused(`there is no host "${node}" in the design`, 'no-host');
  if (!design.nodes.some((h) => h.name === node))
    throw new OperationRefused(
      `${node} is not a Kubernetes node (roles: ${host.roles.join(', ')}): only control planes and workers are drained or removed here; ` +
        'change load balancer, etcd and bastion hosts in the design and deploy',
      'role',
    );
  return host;
}

/** The plan of one node operation on the deployed cluster `project` describes. */
export function nodeOperationPlan(
  project: ClusterProject,
  op: NodeOperation,
  options: PlanOptions,
): OperationPlan {
  const design = validDesign(project, 'the design');
  const host = findNode(design, op.node);
  const ctx = buildContext(design, options);
  const otherCp = design.controlPlanes.find((h) => h.name !== op.node);
  if (op.action !== 'delete') {
    const via = (otherCp ?? host).name;
    const steps =
      op.action === 'drain'
        ? [drainStep(via, op.node, op)]
        : [cordonStep(via, op.node, op.action === 'uncordon')];
    return {
      plan: assemble(ctx, steps),
      after: project,
      warnings: [],
      explanation: [steps[0]!.description],
      supersedes: [],
    };
  }
  return removalPlan(design, ctx, host, op, options);
}

function removalPlan(
  design: ValidDesign,
  ctx: PlanContext,
  host: Host,
  op: NodeOperation,
  options: PlanOptions,
): OperationPlan {
  const node = host.name;
  const isCp = design.controlPlanes.some((h) => h.name === node);
  const stacked = design.project.spec.etcd.mode === 'stacked';
  const warnings: string[] = [];
  if (isCp && design.controlPlanes.length === 1)
    throw new OperationRefused(
      `${node} is the only control plane: removing it removes the cluster`,
      'quorum',
    );
  if (isCp && stacked) {
    const verdict = etcdRemovalVerdict(design.controlPlanes.length);
    if (verdict.refused)
      throw new OperationRefused(`removing ${node} is refused: ${verdict.refused}`, 'quorum');
    if (verdict.warning) warnings.push(verdict.warning);
  }
  const after = projectWithout(design.project, node);
  const afterDesign = validDesign(after, `the design without ${node}`);
  const next = buildContext(afterDesign, options);
  const via = next.firstControlPlane.name;
  const alive = !op.dead;
  const pattern = design.project.spec.apiEndpoint.pattern;
  if (isCp && pattern === 'external')
    warnings.push(
      `the external load balancer is not managed by Keelson: take ${host.address}:6443 out of its backends yourself`,
    );

  const steps: PlanStep[] = [];
  const last = () => (steps.length ? [steps[steps.length - 1]!.id] : []);
  if (isCp && stacked) steps.push(quorumCheckStep(via, node));
  if (alive) steps.push(drainStep(via, node, op, last()));
  const afterDrain = last();
  // Traffic leaves the control plane before it goes: every remaining LB host and node-local proxy
  // gets the new upstream list (and keepalived its new peers and priorities) first.
  const lbSteps = isCp ? loadBalancerSteps(next).filter((s) => s.host !== node) : [];
  const reloadable = lbSteps.filter((s) => reloadStepOf(s, []) !== undefined);
  const reloads = reloadable.map((s) => reloadStepOf(s, afterDrain)!);
  steps.push(...reloads);
  let removalDeps = reloads.length ? reloads.map((s) => s.id) : afterDrain;
  const services = endpointServicesOn(ctx, host);
  if (alive && services.length) {
    const stop = stopEndpointServicesStep(node, services, removalDeps);
    steps.push(stop);
    removalDeps = [stop.id];
  }
  if (alive) {
    const reset = resetStep(node, isCp, removalDeps);
    steps.push(reset);
    removalDeps = [reset.id];
  }
  if (isCp && stacked) {
    const member = etcdMemberRemoveStep(via, node, removalDeps);
    steps.push(member);
    removalDeps = [member.id];
  }
  const deleteNode = deleteNodeObjectStep(via, node, removalDeps);
  steps.push(deleteNode);
  const post = postInstallSteps(next, [deleteNode.id]);
  steps.push(
    ...post,
    ...verifySteps(
      next,
      post.map((s) => s.id),
    ),
  );

  const explanation = [
    ...(isCp && stacked ? [`check on ${via} that etcd keeps quorum without ${node}`] : []),
    alive
      ? `drain ${node} (PodDisruptionBudgets hold; DaemonSet pods stay)`
      : `${node} is gone: nothing runs on it; its pods are removed with its Node object`,
    ...(reloads.length
      ? [
          `write the new upstream list on ${[...new Set(reloads.map((s) => s.host))].join(', ')} and reload (connections kept)`,
        ]
      : []),
    ...(alive && services.length ? [`stop ${services.join(' and ')} on ${node}`] : []),
    ...(alive ? [`kubeadm reset on ${node} and clean what it leaves`] : []),
    ...(isCp && stacked ? [`remove ${node}'s etcd member through ${via} if still listed`] : []),
    `delete the Node ${node}, record the new topology, verify the cluster`,
  ];
  return { plan: assemble(ctx, steps), after, warnings, explanation, supersedes: reloadable };
}
