/**
 * The live state of a deployed cluster's nodes as the canvas shows it, derived from the Node
 * objects the API serves (pure: main feeds it what its watch holds). Names only on one side —
 * a node in the cluster the design lacks, a deployed host the cluster lacks — are flagged.
 */
export interface LiveNode {
  name: string;
  /** The Ready condition: True, False, or Unknown (the node stopped reporting). */
  ready: 'True' | 'False' | 'Unknown';
  /** Why it is not Ready, when it says (KubeletNotReady, NodeStatusUnknown…). */
  reason?: string;
  cordoned: boolean;
  kubeletVersion: string;
  roles: string[];
  /** Pods bound to it that are not finished. */
  pods: number;
  /** Conditions that are True and should not be: DiskPressure, MemoryPressure, PIDPressure, NetworkUnavailable. */
  problems: string[];
}

export interface LiveState {
  at: number;
  /** False while the API cannot be reached: `error` says what failed, `diagnosis` what SSH found. */
  reachable: boolean;
  /** False until the first list of nodes arrived (nothing is known yet, nothing is flagged). */
  synced: boolean;
  error?: string;
  diagnosis?: string[];
  nodes: LiveNode[];
  /** Nodes in the cluster that the design does not have. */
  notInDesign: string[];
  /** Deployed nodes of the design the cluster does not have (removed by hand, or never joined). */
  notInCluster: string[];
}

/** The parts of a Node object this reads (as the API's JSON has them). */
export interface NodeObject {
  metadata?: { name?: string; labels?: Record<string, string> };
  spec?: { unschedulable?: boolean };
  status?: {
    nodeInfo?: { kubeletVersion?: string };
    conditions?: { type?: string; status?: string; reason?: string }[];
  };
}

const PROBLEMS = ['DiskPressure', 'MemoryPressure', 'PIDPressure', 'NetworkUnavailable'];
const ROLE_LABEL = 'node-role.kubernetes.io/';

export function liveNode(node: NodeObject, pods: number): LiveNode {
  const conditions = node.status?.conditions ?? [];
  const ready = conditions.find((c) => c.type === 'Ready');
  const status = ready?.status === 'True' || ready?.status === 'False' ? ready.status : 'Unknown';
  return {
    name: node.metadata?.name ?? '',
    ready: status,
    ...(status !== 'True' && ready?.reason ? { reason: ready.reason } : {}),
    cordoned: node.spec?.unschedulable === true,
    kubeletVersion: node.status?.nodeInfo?.kubeletVersion ?? '',
    roles: Object.keys(node.metadata?.labels ?? {})
      .filter((l) => l.startsWith(ROLE_LABEL))
      .map((l) => l.slice(ROLE_LABEL.length))
      .sort(),
    pods,
    problems: conditions
      .filter((c) => c.type && PROBLEMS.includes(c.type) && c.status === 'True')
      .map((c) => c.type!),
  };
}

/** The whole picture, against the design's node names and the ones deployed.json says are in the cluster. */
export function liveState(
  nodes: NodeObject[],
  podsPerNode: Map<string, number>,
  design: { nodes: string[]; deployed: string[] },
  at = Date.now(),
): LiveState {
  const live = nodes
    .map((n) => liveNode(n, podsPerNode.get(n.metadata?.name ?? '') ?? 0))
    .sort((a, b) => a.name.localeCompare(b.name));
  const names = new Set(live.map((n) => n.name));
  return {
    at,
    reachable: true,
    synced: true,
    nodes: live,
    notInDesign: live.map((n) => n.name).filter((n) => !design.nodes.includes(n)),
    notInCluster: design.deployed.filter((n) => design.nodes.includes(n) && !names.has(n)),
  };
}

/** One line for a node's badge on the canvas: "Ready · v1.37.2 · 5 pods", "NotReady (KubeletNotReady)". */
export function liveSummary(n: LiveNode): string {
  const state = n.ready === 'True' ? 'Ready' : n.ready === 'False' ? 'NotReady' : 'Unknown';
  return [
    n.reason ? `${state} (${n.reason})` : state,
    ...(n.cordoned ? ['cordoned'] : []),
    ...n.problems,
    n.kubeletVersion,
    `${n.pods} pod${n.pods === 1 ? '' : 's'}`,
  ]
    .filter(Boolean)
    .join(' · ');
}
