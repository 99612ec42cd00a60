import type { Edge, Node } from '@xyflow/react';
import type { ApiEndpoint, ClusterProject, Host } from '../../../shared/model/cluster';
import { ENDPOINT_ID, hasEndpointNode, positionsOf, sshEdgeId, type XY } from '../store/edits';
import type { BadgeCounts } from '../store/findings';
import { primaryRole } from '../store/node-kinds';

export type HostNodeData = { host: Host; errors: number; warnings: number; messages: string[] };
export type EndpointNodeData = {
  endpoint: ApiEndpoint;
  errors: number;
  warnings: number;
  messages: string[];
};
export type HostNode = Node<HostNodeData, 'host'>;
export type EndpointNode = Node<EndpointNodeData, 'endpoint'>;
export type CanvasNode = HostNode | EndpointNode;

export interface Size {
  width: number;
  height: number;
}

const NO_BADGE: BadgeCounts = { errors: 0, warnings: 0, messages: [] };

/**
 * badgesOf hands out the same object while the project is unchanged (every frame of a drag):
 * only after an edit are counts and messages compared.
 */
function sameBadge(a: BadgeCounts, b: BadgeCounts): boolean {
  return (
    a === b ||
    (a.errors === b.errors &&
      a.warnings === b.warnings &&
      a.messages.length === b.messages.length &&
      a.messages.every((m, i) => m === b.messages[i]))
  );
}

/** Where a node without a saved position goes until auto-layout places it. */
function fallbackPosition(index: number): XY {
  return { x: (index % 8) * 200, y: 400 + Math.floor(index / 8) * 120 };
}

interface Cached {
  node: CanvasNode;
  source: unknown;
  position: XY;
  selected: boolean;
  badge: BadgeCounts;
  measured: Size | undefined;
}

/**
 * Turns the model into React Flow nodes, reusing the previous node object whenever nothing
 * it shows changed: during a drag only the dragged nodes are new objects, so React Flow
 * and the memoized node components skip the other 499.
 */
export function createNodeDeriver() {
  let cache = new Map<string, Cached>();
  return function derive(
    project: ClusterProject,
    dragging: Record<string, XY> | null,
    selection: readonly string[],
    badges: Map<string, BadgeCounts>,
    measured: Record<string, Size>,
  ): CanvasNode[] {
    const positions = positionsOf(project);
    const selected = new Set(selection);
    const next = new Map<string, Cached>();
    const nodes: CanvasNode[] = [];
    const emit = (
      id: string,
      source: unknown,
      index: number,
      make: (c: Omit<Cached, 'node' | 'source'>) => CanvasNode,
    ) => {
      const position = dragging?.[id] ?? positions[id] ?? fallbackPosition(index);
      const inputs = {
        position,
        selected: selected.has(id),
        badge: badges.get(id) ?? NO_BADGE,
        measured: measured[id],
      };
      const old = cache.get(id);
      const same =
        old &&
        old.source === source &&
        old.position.x === position.x &&
        old.position.y === position.y &&
        old.selected === inputs.selected &&
        sameBadge(old.badge, inputs.badge) &&
        old.measured === inputs.measured;
      // Moved, selected or measured but showing the same: the same data object, so the
      // memoized node component skips it (the first measuring pass touches all 500 nodes).
      const sameData = old && old.source === source && sameBadge(old.badge, inputs.badge);
      const fresh = () => {
        const node = make(inputs);
        if (sameData) node.data = old.node.data as typeof node.data;
        return { ...inputs, source, node };
      };
      const entry = same ? old : fresh();
      next.set(id, entry);
      nodes.push(entry.node);
    };

    if (hasEndpointNode(project)) {
      const endpoint = project.spec.apiEndpoint;
      emit(ENDPOINT_ID, endpoint, 0, (c) => ({
        id: ENDPOINT_ID,
        type: 'endpoint',
        position: c.position,
        selected: c.selected,
        measured: c.measured,
        data: { endpoint, errors: c.badge.errors, warnings: c.badge.warnings, messages: c.badge.messages },
      }));
    }
    project.spec.hosts.forEach((host, index) => {
      emit(host.name, host, index, (c) => ({
        id: host.name,
        type: 'host',
        position: c.position,
        selected: c.selected,
        measured: c.measured,
        data: { host, errors: c.badge.errors, warnings: c.badge.warnings, messages: c.badge.messages },
      }));
    });
    cache = next;
    return nodes;
  };
}

/** Past this many worker→control-plane pairs the node-local edges become clutter: a note says it instead. */
export const NODE_LOCAL_EDGE_LIMIT = 300;

const edgeCache = new WeakMap<ClusterProject, Edge[]>();

/**
 * Edges that mean something: who reaches whom over SSH, which balancer fronts which
 * control planes (by endpoint pattern), and control planes to external etcd.
 * Derived from the model only, so moving a node never rebuilds them.
 */
export function deriveEdges(project: ClusterProject): Edge[] {
  const cached = edgeCache.get(project);
  if (cached) return cached;
  const hosts = project.spec.hosts;
  const names = new Set(hosts.map((h) => h.name));
  const has = (role: Host['roles'][number]) => hosts.filter((h) => h.roles.includes(role));
  const cps = has('control-plane');
  const edges: Edge[] = [];
  const link = (source: string, target: string, className: string, extra: Partial<Edge> = {}) =>
    edges.push({
      id: `${className}:${source}->${target}`,
      source,
      target,
      className,
      selectable: false,
      deletable: false,
      // Only an edge that can be acted on is a Tab stop.
      focusable: false,
      ...extra,
    });

  // SSH routes can be acted on: selected (click, or Tab then Enter) and removed (Delete).
  for (const host of hosts) {
    const via = host.ssh.via;
    if (via && names.has(via) && via !== host.name)
      link(via, host.name, 'edge-ssh', {
        id: sshEdgeId(host.name),
        type: 'ssh',
        sourceHandle: 'side',
        targetHandle: 'ssh',
        label: 'ssh',
        selectable: true,
        focusable: true,
        ariaLabel: `SSH route ${via} → ${host.name}`,
      });
  }

  const endpoint = project.spec.apiEndpoint;
  const vipNode = hasEndpointNode(project);
  switch (endpoint.pattern) {
    case 'keepalived-haproxy':
    case 'keepalived-nginx':
    case 'kube-vip':
    case 'external':
      if (vipNode) for (const cp of cps) link(ENDPOINT_ID, cp.name, 'edge-api');
      break;
    case 'dedicated-lb': {
      const lbs = has('lb');
      if (vipNode) for (const lb of lbs) link(ENDPOINT_ID, lb.name, 'edge-api');
      for (const lb of lbs) for (const cp of cps) if (lb.name !== cp.name) link(lb.name, cp.name, 'edge-api');
      break;
    }
    case 'node-local': {
      const workers = has('worker').filter((w) => !w.roles.includes('control-plane'));
      if (workers.length * cps.length <= NODE_LOCAL_EDGE_LIMIT)
        for (const w of workers)
          for (const cp of cps)
            link(w.name, cp.name, 'edge-local', { sourceHandle: 'up', targetHandle: 'below' });
      break;
    }
  }

  if (project.spec.etcd.mode === 'external')
    for (const cp of cps)
      for (const etcd of has('etcd')) if (cp.name !== etcd.name) link(cp.name, etcd.name, 'edge-etcd');

  edgeCache.set(project, edges);
  return edges;
}

const handleCache = new WeakMap<ClusterProject, Map<string, Set<string>>>();

/**
 * The named handles (`side`, `up`, `below`, …) that each node's edges leave from or arrive at,
 * from the edges themselves: a node renders these and no other optional handle, so the rules
 * of which edges exist live in deriveEdges alone.
 */
export function handlesInUse(project: ClusterProject): Map<string, Set<string>> {
  const cached = handleCache.get(project);
  if (cached) return cached;
  const used = new Map<string, Set<string>>();
  const add = (node: string, handle: string | null | undefined) => {
    if (!handle) return;
    let set = used.get(node);
    if (!set) used.set(node, (set = new Set()));
    set.add(handle);
  };
  for (const edge of deriveEdges(project)) {
    add(edge.source, edge.sourceHandle);
    add(edge.target, edge.targetHandle);
  }
  handleCache.set(project, used);
  return used;
}

export function kindOfHost(host: Host) {
  return primaryRole(host.roles);
}
