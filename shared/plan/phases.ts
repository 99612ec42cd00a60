/**
 * The one phase registry: every phase a deploy runs, in order, with its title, what it does and
 * whether its steps may run on several hosts at once. The generators, the contract schema, the
 * Plan view, the plan export, the CLI help and the deploy engine all read this list (kubeadm's
 * phase workflow is the model), so a phase is added, renamed or reordered here and nowhere else.
 */
export interface PhaseInfo {
  id: string;
  title: string;
  /** One line for help texts (`keelson plan --help`, later `--skip-phases`). */
  description: string;
  /** True when the phase's steps may run on several hosts at once; false = one step at a time, in order. */
  parallel: boolean;
}

export const PHASES = [
  {
    id: 'preflight',
    title: 'Preflight checks',
    description: 'check each host before anything changes: OS, resources, ports, cgroup v2, unique identity',
    parallel: true,
  },
  {
    id: 'os-prep',
    title: 'OS preparation',
    description: 'swap off, kernel modules, sysctls, SELinux (RHEL)',
    parallel: true,
  },
  {
    id: 'container-runtime',
    title: 'Container runtime (containerd)',
    description: 'install and configure containerd 2.x for kubeadm',
    parallel: true,
  },
  {
    id: 'kubernetes-packages',
    title: 'Kubernetes packages',
    description: 'kubelet, kubeadm, kubectl and cri-tools from pkgs.k8s.io (or the mirror)',
    parallel: true,
  },
  {
    id: 'external-etcd',
    title: 'External etcd',
    description: 'CA, member certificates and etcd on the etcd hosts',
    parallel: true,
  },
  {
    id: 'load-balancer',
    title: 'API endpoint / load balancer',
    description: 'keepalived, haproxy, nginx or kube-vip in front of the apiservers',
    parallel: true,
  },
  {
    id: 'control-plane-init',
    title: 'First control plane (kubeadm init)',
    description: 'kubeadm init on the first control plane',
    parallel: false,
  },
  {
    id: 'cni',
    title: 'Pod network (CNI)',
    description: 'install Calico or Flannel before any other node joins',
    parallel: false,
  },
  {
    id: 'control-plane-join',
    title: 'Other control planes (one at a time)',
    description: 'join the other control planes, one at a time (etcd membership changes are serial)',
    parallel: false,
  },
  {
    id: 'worker-join',
    title: 'Workers (in parallel)',
    description: 'join the workers',
    parallel: true,
  },
  {
    id: 'post-install',
    title: 'Post-install',
    description: 'record the topology in the cluster and export the admin kubeconfig',
    parallel: false,
  },
  {
    id: 'verify',
    title: 'Verify',
    description: 'every node Ready, the API answering through the endpoint',
    parallel: true,
  },
] as const satisfies readonly PhaseInfo[];

/**
 * Phases only day-2 operations (shared/plan/day2) use, in run order; their plans also reuse the
 * deploy's load-balancer, post-install and verify phases. One engine runs both kinds of plan.
 */
export const DAY2_PHASES = [
  {
    id: 'node-state',
    title: 'Node scheduling',
    description: 'cordon or uncordon a node',
    parallel: false,
  },
  {
    id: 'quorum-check',
    title: 'etcd quorum check',
    description: 'list the etcd members and their health; refuse a removal that would lose quorum',
    parallel: false,
  },
  {
    id: 'drain',
    title: 'Drain',
    description: 'evict the pods of a node through the eviction API, honouring PodDisruptionBudgets',
    parallel: false,
  },
  {
    id: 'load-balancer-update',
    title: 'Load balancers and proxies',
    description: 'write the new upstream lists and keepalived peers, reload without dropping connections',
    parallel: true,
  },
  {
    id: 'remove-node',
    title: 'Remove the node',
    description: 'kubeadm reset and clean-up on the node, its etcd member and Node object removed',
    parallel: false,
  },
] as const satisfies readonly PhaseInfo[];

export type DeployPhaseId = (typeof PHASES)[number]['id'];
export type Day2PhaseId = (typeof DAY2_PHASES)[number]['id'];
export type PhaseId = DeployPhaseId | Day2PhaseId;

/** A deploy's phase ids in run order (`--only`, `--skip-phases`, the Plan view). */
export const PHASE_IDS = PHASES.map((p) => p.id) as [DeployPhaseId, ...DeployPhaseId[]];
/** Every phase id a plan may carry (the contract's schema). */
export const ALL_PHASE_IDS = [...PHASE_IDS, ...DAY2_PHASES.map((p) => p.id)] as [PhaseId, ...PhaseId[]];

export function phaseInfo(id: PhaseId): PhaseInfo {
  return [...PHASES, ...DAY2_PHASES].find((p) => p.id === id)!;
}
