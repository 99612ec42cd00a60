import { describe, expect, it } from 'vitest';
import { API_VERSION, ClusterProject, type HostRole } from '../../../shared/model/cluster';
import { createNodeDeriver, deriveEdges, handlesInUse } from '../../../renderer/src/canvas/graph';
import { fillMissingPositions, layoutTiers } from '../../../renderer/src/canvas/layout';
import { ENDPOINT_ID } from '../../../renderer/src/store/edits';

function cluster(
  pattern: ClusterProject['spec']['apiEndpoint']['pattern'],
  hosts: [string, HostRole[], string?][],
  extra: Partial<ClusterProject['spec']> = {},
): ClusterProject {
  return ClusterProject.parse({
    apiVersion: API_VERSION,
    kind: 'Cluster',
    metadata: { name: 't' },
    spec: {
      kubernetesVersion: '1.37',
      apiEndpoint: { pattern, vip: pattern === 'node-local' ? undefined : '10.0.0.10' },
      hosts: hosts.map(([name, roles, via], i) => ({
        name,
        address: `10.0.0.${i + 1}`,
        roles,
        ...(via ? { ssh: { via } } : {}),
      })),
      ...extra,
    },
  });
}

const pairs = (p: ClusterProject) => deriveEdges(p).map((e) => `${e.source}>${e.target}`);

describe('edges drawn from the model', () => {
  it('keepalived: VIP to every control plane; bastion to the hosts it reaches', () => {
    const p = cluster('keepalived-haproxy', [
      ['cp1', ['control-plane']],
      ['cp2', ['control-plane']],
      ['w1', ['worker'], 'b1'],
      ['b1', ['bastion']],
    ]);
    expect(pairs(p).sort()).toEqual([`${ENDPOINT_ID}>cp1`, `${ENDPOINT_ID}>cp2`, 'b1>w1'].sort());
  });

  it('dedicated-lb with external etcd: VIP → LBs → control planes → etcd', () => {
    const p = cluster(
      'dedicated-lb',
      [
        ['lb1', ['lb']],
        ['cp1', ['control-plane']],
        ['e1', ['etcd']],
      ],
      { etcd: { mode: 'external' } },
    );
    expect(pairs(p).sort()).toEqual([`${ENDPOINT_ID}>lb1`, 'cp1>e1', 'lb1>cp1'].sort());
  });

  it('node-local: every worker to every control plane, no VIP node', () => {
    const p = cluster('node-local', [
      ['cp1', ['control-plane']],
      ['cp2', ['control-plane']],
      ['w1', ['worker']],
    ]);
    expect(pairs(p).sort()).toEqual(['w1>cp1', 'w1>cp2']);
    expect(createNodeDeriver()(p, null, [], new Map(), {}).map((n) => n.id)).not.toContain(ENDPOINT_ID);
  });

  it('names the handles each node needs, from its edges: route out, route in, node-local pair', () => {
    const p = cluster('node-local', [
      ['bastion', ['bastion']],
      ['cp1', ['control-plane'], 'bastion'],
      ['w1', ['worker'], 'bastion'],
      ['w2', ['worker']],
    ]);
    const used = Object.fromEntries([...handlesInUse(p)].map(([node, set]) => [node, [...set].sort()]));
    expect(used).toEqual({ bastion: ['side'], cp1: ['below', 'ssh'], w1: ['ssh', 'up'], w2: ['up'] });
    expect(handlesInUse(p)).toBe(handlesInUse(p)); // once per project: every node's selector reads it
  });
});

describe('node derivation', () => {
  it('reuses node objects that did not change, so a drag re-renders only the dragged node', () => {
    const p = fillMissingPositions(
      cluster('kube-vip', [
        ['cp1', ['control-plane']],
        ['w1', ['worker']],
        ['w2', ['worker']],
      ]),
    );
    const derive = createNodeDeriver();
    const first = derive(p, null, [], new Map(), {});
    const during = derive(p, { w1: { x: 999, y: 1 } }, [], new Map(), {});
    const changed = during.filter((n, i) => n !== first[i]).map((n) => n.id);
    expect(changed).toEqual(['w1']);
    expect(during.find((n) => n.id === 'w1')!.position).toEqual({ x: 999, y: 1 });
    const selected = derive(
      p,
      null,
      ['cp1'],
      new Map([['w2', { errors: 1, warnings: 0, messages: ['w2 is wrong'] }]]),
      {},
    );
    expect(
      selected
        .filter((n, i) => n !== during[i])
        .map((n) => n.id)
        .sort(),
    ).toEqual(['cp1', 'w1', 'w2']);
  });
});

describe('auto-layout', () => {
  it('puts tiers top to bottom: VIP, load balancers, control planes, workers; bastions to the left', () => {
    const p = cluster('dedicated-lb', [
      ['w1', ['worker']],
      ['cp1', ['control-plane']],
      ['lb1', ['lb']],
      ['b1', ['bastion']],
      ['e1', ['etcd']],
    ]);
    const pos = layoutTiers(p);
    expect(pos[ENDPOINT_ID]!.y).toBeLessThan(pos.lb1!.y);
    expect(pos.lb1!.y).toBeLessThan(pos.cp1!.y);
    expect(pos.cp1!.y).toBeLessThan(pos.w1!.y);
    expect(pos.e1!.y).toBe(pos.w1!.y);
    const others = ['w1', 'cp1', 'lb1', 'e1', ENDPOINT_ID].map((id) => pos[id]!.x);
    expect(pos.b1!.x).toBeLessThan(Math.min(...others));
  });

  it('wraps a wide tier into rows and never stacks two nodes on one spot', () => {
    const hosts: [string, HostRole[]][] = [['cp1', ['control-plane']]];
    for (let i = 1; i <= 45; i++) hosts.push([`w${i}`, ['worker']]);
    const pos = layoutTiers(cluster('kube-vip', hosts));
    const spots = new Set(Object.values(pos).map((p) => `${p.x},${p.y}`));
    expect(spots.size).toBe(Object.keys(pos).length);
    const rows = new Set(hosts.slice(1).map(([n]) => pos[n]!.y));
    expect(rows.size).toBe(5);
  });

  it('reads each tier left to right in name order, worker10 after worker9', () => {
    const hosts: [string, HostRole[]][] = [];
    for (const n of [3, 1, 2]) hosts.push([`cp${n}`, ['control-plane']]);
    for (const n of [10, 2, 9, 1]) hosts.push([`worker${n}`, ['worker']]);
    const pos = layoutTiers(cluster('kube-vip', hosts));
    const leftToRight = (names: string[]) => [...names].sort((a, b) => pos[a]!.x - pos[b]!.x);
    expect(leftToRight(['cp3', 'cp1', 'cp2'])).toEqual(['cp1', 'cp2', 'cp3']);
    expect(leftToRight(['worker10', 'worker2', 'worker9', 'worker1'])).toEqual([
      'worker1',
      'worker2',
      'worker9',
      'worker10',
    ]);
  });

  it('fills only missing positions and keeps the ones the user placed', () => {
    const p = cluster('kube-vip', [
      ['cp1', ['control-plane']],
      ['w1', ['worker']],
    ]);
    const placed = { ...p, canvas: { positions: { cp1: { x: 5, y: 6 } } } };
    const filled = fillMissingPositions(placed);
    expect(filled.canvas!.positions.cp1).toEqual({ x: 5, y: 6 });
    expect(filled.canvas!.positions.w1).toBeDefined();
    expect(filled.canvas!.positions[ENDPOINT_ID]).toBeDefined();
    expect(fillMissingPositions(filled)).toBe(filled);
  });
});
