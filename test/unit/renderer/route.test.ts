import { describe, expect, it } from 'vitest';
import { type Box, routeAround } from '../../../renderer/src/canvas/route';

const box = (id: string, left: number, top: number): Box => ({
  id,
  left,
  top,
  right: left + 170,
  bottom: top + 64,
});

/** Whether any of the route's segments passes through the inside of `b`. */
function hits(points: { x: number; y: number }[], b: Box): boolean {
  for (let i = 1; i < points.length; i++) {
    const a = points[i - 1]!;
    const c = points[i]!;
    if (
      Math.max(a.x, c.x) > b.left &&
      Math.min(a.x, c.x) < b.right &&
      Math.max(a.y, c.y) > b.top &&
      Math.min(a.y, c.y) < b.bottom
    )
      return true;
  }
  return false;
}

describe('SSH route around nodes', () => {
  // A bastion on the left, three control planes in a row level with it: the straight line to
  // cp3 would run through cp1 and cp2.
  const bastion = box('bastion', -600, 0);
  const cps = [box('cp1', -285, 0), box('cp2', -85, 0), box('cp3', 115, 0)];
  const boxes = [bastion, ...cps];

  it('goes straight when nothing is in the way', () => {
    const r = routeAround({ x: -430, y: 32 }, { x: -285, y: 32 }, boxes, 'bastion', 'cp1')!;
    expect(r.points.every((p) => p.y === 32)).toBe(true);
  });

  it('leaves the row and comes back beside the target, crossing no other node', () => {
    const r = routeAround({ x: -430, y: 32 }, { x: 115, y: 32 }, boxes, 'bastion', 'cp3')!;
    expect(r).toBeDefined();
    for (const b of [cps[0]!, cps[1]!]) expect(hits(r.points, b)).toBe(false);
    expect(r.points.at(-1)).toEqual({ x: 115, y: 32 });
  });
});

describe('SSH route labels', () => {
  // A bastion left of a 3 × 3 grid of hosts: routes to hosts in one column share the gap before
  // it, and routes to hosts in one row share the channels between rows.
  const bastion = box('bastion', -600, 0);
  const grid: Box[] = [];
  for (let col = 0; col < 3; col++)
    for (let row = 0; row < 3; row++) grid.push(box(`h${col}${row}`, -285 + col * 200, row * 120));
  const boxes = [bastion, ...grid];
  const routes = grid.map((h) => ({
    host: h,
    route: routeAround({ x: bastion.right, y: 32 }, { x: h.left, y: h.top + 32 }, boxes, 'bastion', h.id)!,
  }));

  it('never stack: each label has its own place', () => {
    // A label is about 24 × 20 px.
    for (const [i, a] of routes.entries())
      for (const b of routes.slice(i + 1)) {
        const apart =
          Math.abs(a.route.label.x - b.route.label.x) >= 24 ||
          Math.abs(a.route.label.y - b.route.label.y) >= 20;
        expect(apart, `labels of ${a.host.id} and ${b.host.id}`).toBe(true);
      }
  });

  it('sit on their own route, beside the host it enters, on no node', () => {
    for (const { host, route } of routes) {
      const on = route.points.some((p, i) => {
        const q = route.points[i + 1];
        if (!q) return false;
        const { x, y } = route.label;
        return (
          x >= Math.min(p.x, q.x) &&
          x <= Math.max(p.x, q.x) &&
          y >= Math.min(p.y, q.y) &&
          y <= Math.max(p.y, q.y)
        );
      });
      expect(on, host.id).toBe(true);
      expect(host.left - route.label.x).toBeLessThanOrEqual(20);
      for (const b of boxes)
        expect(hits([route.label, route.label], b), `${host.id} label on ${b.id}`).toBe(false);
    }
  });
});
