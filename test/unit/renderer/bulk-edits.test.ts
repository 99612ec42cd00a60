import { describe, expect, it } from 'vitest';
import { parseInventory } from '../../../shared/model/inventory';
import { addHost, addHosts, positionsOf } from '../../../renderer/src/store/edits';
import { baseProject, host, variant } from '../validation/build';

const SIZE = { width: 170, height: 64 };

describe('bulk canvas edits', () => {
  it('offers a dropped host the next free address of the design', () => {
    const { project, name } = addHost(baseProject(), 'worker', { x: 0, y: 0 });
    expect(project.spec.hosts.find((h) => h.name === name)!.address).toBe('10.77.0.23');
    const again = addHost(project, 'worker', { x: 0, y: 0 });
    expect(again.project.spec.hosts.find((h) => h.name === again.name)!.address).toBe('10.77.0.24');
  });

  it('leaves the address empty when nothing implies a subnet', () => {
    const bare = variant((p) => {
      p.spec.hosts = [host('cp1', '', ['control-plane'])];
      p.spec.apiEndpoint.vip = undefined;
    });
    const { project, name } = addHost(bare, 'worker', { x: 0, y: 0 });
    expect(project.spec.hosts.find((h) => h.name === name)!.address).toBe('');
  });

  it('places pasted hosts below every node, none overlapping another', () => {
    const start = variant((p) => {
      p.canvas = { positions: { cp1: { x: -100, y: 0 }, cp2: { x: 300, y: 500 } } };
    });
    const { hosts } = parseInventory('10.77.0.100-10.77.0.124', start);
    const next = addHosts(start, hosts, SIZE);
    expect(next.spec.hosts).toHaveLength(start.spec.hosts.length + 25);
    const all = positionsOf(next);
    const placed = hosts.map((h) => all[h.name]!);
    for (const p of placed) expect(p.y).toBeGreaterThanOrEqual(500 + SIZE.height);
    for (const [i, a] of placed.entries())
      for (const b of placed.slice(i + 1))
        expect(Math.abs(a.x - b.x) >= SIZE.width || Math.abs(a.y - b.y) >= SIZE.height).toBe(true);
    expect(start.spec.hosts).toHaveLength(5); // the input is untouched (undo keeps it)
  });
});
