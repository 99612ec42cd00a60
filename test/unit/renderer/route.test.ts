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
