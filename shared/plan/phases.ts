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

export type PhaseId = (typeof PHASES)[number]['id'];

/** Phase ids in run order (e.g. for z.enum and `--skip-phases`). */
export const PHASE_IDS = PHASES.map((p) => p.id) as [PhaseId, ...PhaseId[]];

export function phaseInfo(id: PhaseId): PhaseInfo {
  return PHASES.find((p) => p.id === id)!;
}
