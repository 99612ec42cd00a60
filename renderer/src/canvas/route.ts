import type { XY } from '../store/edits';

export interface Box {
  id: string;
  left: number;
  top: number;
  right: number;
  bottom: number;
}

/** How far a route runs straight out of a side handle before it turns: half the layout's column gap. */
const STUB = 15;
/** How far from a node's top or bottom a route runs along the gap between rows. */
const CHANNEL = 16;
/** A line closer to a node than this counts as touching it. */
const CLEAR = 4;
/** Each turn costs as much as this many pixels of length: fewer turns read better. */
const TURN = 40;

function crosses(a: XY, b: XY, box: Box): boolean {
  return (
    Math.max(a.x, b.x) > box.left - CLEAR &&
    Math.min(a.x, b.x) < box.right + CLEAR &&
    Math.max(a.y, b.y) > box.top - CLEAR &&
    Math.min(a.y, b.y) < box.bottom + CLEAR
  );
}

/** Whether the polyline misses every box; its first and last segments may touch the nodes they leave and enter. */
function clear(points: XY[], boxes: Box[], source: string, target: string): boolean {
  const last = points.length - 2;
  for (let i = 0; i <= last; i++)
    for (const box of boxes) {
      if ((i === 0 && box.id === source) || (i === last && box.id === target)) continue;
      if (crosses(points[i]!, points[i + 1]!, box)) return false;
    }
  return true;
}

function cost(points: XY[]): number {
  let length = 0;
  for (let i = 1; i < points.length; i++)
    length += Math.abs(points[i]!.x - points[i - 1]!.x) + Math.abs(points[i]!.y - points[i - 1]!.y);
  return length + (points.length - 2) * TURN;
}

/**
 * A right-angled route from a right-side handle `s` to a left-side handle `t` that crosses no
 * node box: either one vertical run in some gap between columns, or out to a gap between rows,
 * along it, and down beside the target. The cheapest clear one, or undefined if none is.
 */
export function routeAround(
  s: XY,
  t: XY,
  boxes: Box[],
  source: string,
  target: string,
): { path: string; label: XY; points: XY[] } | undefined {
  const x1 = s.x + STUB;
  const x2 = t.x - STUB;
  const candidates: XY[][] = [];
  if (x2 >= x1) {
    const xs = new Set([x1, x2, (x1 + x2) / 2]);
    for (const b of boxes) xs.add(b.left - STUB).add(b.right + STUB);
    for (const x of xs) if (x >= x1 && x <= x2) candidates.push([s, { x, y: s.y }, { x, y: t.y }, t]);
  }
  const ys = new Set<number>();
  for (const b of boxes) ys.add(b.top - CHANNEL).add(b.bottom + CHANNEL);
  for (const y of ys)
    candidates.push([s, { x: x1, y: s.y }, { x: x1, y }, { x: x2, y }, { x: x2, y: t.y }, t]);

  const ranked = candidates.map((points) => ({ points, cost: cost(points) })).sort((a, b) => a.cost - b.cost);
  const found = ranked.find((c) => clear(c.points, boxes, source, target))?.points;
  if (!found) return undefined;
  // The label sits where the route enters its host, on the last straight bit before the handle:
  // every host has one route, so two labels never stack (routes from one bastion share runs,
  // and a label in the middle of a shared run could sit on another's), and it reads as the way in.
  const label = { x: t.x - STUB, y: t.y };
  const path = found.map((p, i) => `${i === 0 ? 'M' : 'L'} ${p.x} ${p.y}`).join(' ');
  return { path, label, points: found };
}
