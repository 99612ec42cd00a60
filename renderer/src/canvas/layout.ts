import dagre from '@dagrejs/dagre';
import type { ClusterProject, Host } from '../../../shared/model/cluster';
import { ENDPOINT_ID, hasEndpointNode, type XY } from '../store/edits';
import { deriveEdges } from './graph';

export const NODE_WIDTH = 170;
export const NODE_HEIGHT = 64;
/** Tiers wider than this wrap into rows, so 400 workers make a block, not a 70 000 px line. */
const MAX_PER_ROW = 10;
const COLUMN = NODE_WIDTH + 30;
const ROW = NODE_HEIGHT + 40;

/** Top to bottom: clients' entry (VIP) → load balancers → control planes → workers and etcd. */
function tierOf(host: Host): number {
  if (host.roles.includes('lb')) return 1;
  if (host.roles.includes('control-plane')) return 2;
  return 3;
}

/**
 * Auto-layout in tiers. dagre orders the nodes within each tier that edges join, to limit
 * crossings; tiers are pinned by chaining invisible anchor nodes. Nodes no edge touches (most
 * workers) follow in file order: dagre has nothing to order them by, and giving it 500 of
 * them cost over a second of a big cluster's first render. Bastions sit in a column on the
 * left, apart from the traffic path they are not on.
 */
export function layoutTiers(project: ClusterProject): Record<string, XY> {
  const tiers: string[][] = [[], [], [], []];
  if (hasEndpointNode(project)) tiers[0]!.push(ENDPOINT_ID);
  const bastions: string[] = [];
  for (const host of project.spec.hosts) {
    if (host.roles.length === 1 && host.roles[0] === 'bastion') bastions.push(host.name);
    else tiers[tierOf(host)]!.push(host.name);
  }
  const placed = new Set(tiers.flat());
  const edges = deriveEdges(project).filter(
    (e) => placed.has(e.source) && placed.has(e.target) && e.className !== 'edge-local',
  );
  const joined = new Set(edges.flatMap((e) => [e.source, e.target]));

  const g = new dagre.graphlib.Graph({ multigraph: false });
  g.setGraph({ rankdir: 'TB', nodesep: 30, ranksep: 70 });
  g.setDefaultEdgeLabel(() => ({}));
  tiers.forEach((ids, t) => {
    g.setNode(`:tier${t}`, { width: 1, height: 1 });
    if (t > 0) g.setEdge(`:tier${t - 1}`, `:tier${t}`);
    for (const id of ids.filter((i) => joined.has(i))) {
      g.setNode(id, { width: NODE_WIDTH, height: NODE_HEIGHT });
      g.setEdge(`:tier${t}`, id, { weight: 0 });
    }
  });
  for (const e of edges) g.setEdge(e.source, e.target);
  dagre.layout(g);

  const positions: Record<string, XY> = {};
  let y = 0;
  for (const ids of tiers) {
    if (ids.length === 0) continue;
    // dagre's x order within the tier (the rest after it), wrapped into rows centred on x = 0.
    const ordered = [
      ...ids.filter((i) => joined.has(i)).sort((a, b) => (g.node(a).x ?? 0) - (g.node(b).x ?? 0)),
      ...ids.filter((i) => !joined.has(i)),
    ];
    const perRow = Math.min(MAX_PER_ROW, ordered.length);
    ordered.forEach((id, i) => {
      const row = Math.floor(i / perRow);
      const inRow = Math.min(perRow, ordered.length - row * perRow);
      const col = i % perRow;
      positions[id] = { x: (col - (inRow - 1) / 2) * COLUMN - NODE_WIDTH / 2, y: y + row * ROW };
    });
    y += Math.ceil(ordered.length / perRow) * ROW + 50;
  }
  const widest = Math.min(MAX_PER_ROW, Math.max(1, ...tiers.map((t) => t.length)));
  const left = -(widest / 2) * COLUMN - NODE_WIDTH - 80;
  bastions.forEach((id, i) => (positions[id] = { x: left, y: i * ROW }));
  return positions;
}

/** Positions for nodes that have none (a template, a hand-written file), leaving placed nodes alone. */
export function fillMissingPositions(project: ClusterProject): ClusterProject {
  const have = project.canvas?.positions ?? {};
  const ids = project.spec.hosts.map((h) => h.name);
  if (hasEndpointNode(project)) ids.push(ENDPOINT_ID);
  if (ids.every((id) => have[id])) return project;
  const laid = layoutTiers(project);
  const positions = { ...have };
  for (const id of ids) positions[id] ??= laid[id]!;
  return { ...project, canvas: { ...project.canvas, positions } };
}
