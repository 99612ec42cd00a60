// The live view's reading of Node objects (as the API serves them): what a node's badge says and
// which names are flagged on one side only.
import { expect, test } from 'vitest';
import { liveState, liveSummary, type NodeObject } from '../../../shared/live/nodes';

const node = (name: string, ready: string, extra: Partial<NodeObject> = {}, reason?: string): NodeObject => ({
  metadata: { name, labels: { 'node-role.kubernetes.io/control-plane': '', 'kubernetes.io/os': 'linux' } },
  status: {
    nodeInfo: { kubeletVersion: 'v1.37.2' },
    conditions: [
      { type: 'MemoryPressure', status: 'False' },
      { type: 'DiskPressure', status: name === 'w1' ? 'True' : 'False' },
      { type: 'Ready', status: ready, ...(reason ? { reason } : {}) },
    ],
  },
  ...extra,
});

test('a badge says Ready or why not, cordoned, pressure, version and pods', () => {
  const s = liveState(
    [
      node('cp1', 'True'),
      node('w1', 'True', { spec: { unschedulable: true } }),
      node('w2', 'Unknown', {}, 'NodeStatusUnknown'),
    ],
    new Map([
      ['cp1', 7],
      ['w1', 1],
    ]),
    { nodes: ['cp1', 'w1', 'w2'], deployed: ['cp1', 'w1', 'w2'] },
  );
  expect(s.nodes.map(liveSummary)).toEqual([
    'Ready · v1.37.2 · 7 pods',
    'Ready · cordoned · DiskPressure · v1.37.2 · 1 pod',
    'Unknown (NodeStatusUnknown) · v1.37.2 · 0 pods',
  ]);
  expect(s.nodes[0]!.roles).toEqual(['control-plane']);
});

test('a node only in the cluster, and a deployed node missing from it, are flagged; one only drawn is not', () => {
  const s = liveState([node('cp1', 'True'), node('stray', 'True')], new Map(), {
    nodes: ['cp1', 'w1', 'w9'],
    deployed: ['cp1', 'w1'],
  });
  expect(s.notInDesign).toEqual(['stray']);
  expect(s.notInCluster).toEqual(['w1']);
});
