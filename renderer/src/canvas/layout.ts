import type { ClusterProject, Host } from '../../../shared/model/cluster';
import { ENDPOINT_ID, hasEndpointNode, type XY } from '../store/edits';

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

/** cp2 before cp10: names compared with their numbers as numbers. */
export const byName = (a: string, b: string): number =>
  a.localeCompare(b, 'en', { numeric: true, sensitivity: 'base' });

/**
 * Auto-layout in tiers, each read left to right in name order (cp1 cp2 cp3, worker1 … worker10),
 * which is how people look for a host; every edge runs between tiers, so the order adds no
 * crossings a crossing-minimiser would have saved. Bastions sit in a column on the left, apart
 * from the traffic path they are not on.
 */
export function layoutTiers(project: ClusterProject): Record<string, XY> {
  const tiers: string[][] = [[], [], [], []];
  if (hasEndpointNode(project)) tiers[0]!.push(ENDPOINT_ID);
  const bastions: string[] = [];
  for (const host of project.spec.hosts) {
    if (host.roles.length === 1 && host.roles[0] === 'bastion') bastions.push(host.name);
    else tiers[tierOf(host)]!.push(host.name);
  }

  const positions: Record<string, XY> = {};
  let y = 0;
  for (const ids of tiers) {
    if (ids.length === 0) continue;
    // Wrapped into rows and centred on x = 0.
    const ordered = [...ids].sort(byName);
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
  [...bastions].sort(byName).forEach((id, i) => (positions[id] = { x: left, y: i * ROW }));
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
