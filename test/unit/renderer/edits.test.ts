import { describe, expect, it } from 'vitest';
import { API_VERSION, ClusterProject } from '../../../shared/model/cluster';
import {
  addEndpoint,
  addHost,
  copyNodes,
  deleteNodes,
  ENDPOINT_ID,
  freeSpot,
  hasEndpointNode,
  hostNameProblem,
  pasteNodes,
  renameHost,
  updateHost,
} from '../../../renderer/src/store/edits';
import { record, redo, startHistory, undo } from '../../../renderer/src/store/history';
import { parseLabels, parseTaints, taintsToText } from '../../../renderer/src/store/labels-text';

function project(
  pattern: ClusterProject['spec']['apiEndpoint']['pattern'] = 'keepalived-haproxy',
): ClusterProject {
  return ClusterProject.parse({
    apiVersion: API_VERSION,
    kind: 'Cluster',
    metadata: { name: 't' },
    spec: { kubernetesVersion: '1.37', apiEndpoint: { pattern } },
  });
}

describe('canvas edits', () => {
  it('names new hosts cp1, cp2 … reusing the smallest free number, with no address', () => {
    let p = project();
    for (let i = 0; i < 3; i++) p = addHost(p, 'control-plane', { x: i, y: 0 }).project;
    p = deleteNodes(p, ['cp2']);
    const { project: next, name } = addHost(p, 'control-plane', { x: 9, y: 9 });
    expect(name).toBe('cp2');
    expect(next.spec.hosts.map((h) => [h.name, h.address])).toEqual([
      ['cp1', ''],
      ['cp3', ''],
      ['cp2', ''],
    ]);
    expect(next.canvas?.positions.cp2).toEqual({ x: 9, y: 9 });
    expect(p.canvas?.positions.cp2).toBeUndefined();
  });

  it('dropping a VIP on a pattern without one switches to keepalived-haproxy and says so', () => {
    const { project: p, note } = addEndpoint(project('node-local'), { x: 0, y: 0 });
    expect(p.spec.apiEndpoint.pattern).toBe('keepalived-haproxy');
    expect(hasEndpointNode(p)).toBe(true);
    expect(note).toMatch(/node-local.*keepalived-haproxy/);
    const kept = addEndpoint(project('kube-vip'), { x: 0, y: 0 });
    expect(kept.project.spec.apiEndpoint.pattern).toBe('kube-vip');
    expect(kept.note).toBeUndefined();
    expect(hasEndpointNode(deleteNodes(p, [ENDPOINT_ID]))).toBe(false);
  });

  it('deleting a bastion clears ssh.via of the hosts routed through it', () => {
    let p = addHost(project(), 'bastion', { x: 0, y: 0 }).project;
    p = addHost(p, 'worker', { x: 0, y: 0 }).project;
    p = updateHost(p, 'worker1', (h) => ({ ...h, ssh: { ...h.ssh, via: 'bastion1' } }));
    const after = deleteNodes(p, ['bastion1']);
    expect(after.spec.hosts.map((h) => h.name)).toEqual(['worker1']);
    expect('via' in after.spec.hosts[0]!.ssh).toBe(false);
    // Still a valid project for the schema the file is saved with.
    expect(
      ClusterProject.safeParse({
        ...after,
        spec: { ...after.spec, hosts: [{ ...after.spec.hosts[0]!, address: '10.0.0.1' }] },
      }).success,
    ).toBe(true);
  });

  it('renaming a host renames its position and the links of hosts behind it', () => {
    let p = addHost(project(), 'bastion', { x: 1, y: 2 }).project;
    p = addHost(p, 'worker', { x: 0, y: 0 }).project;
    p = updateHost(p, 'worker1', (h) => ({ ...h, ssh: { ...h.ssh, via: 'bastion1' } }));
    const r = renameHost(p, 'bastion1', 'jump');
    expect(r.spec.hosts.map((h) => h.name)).toEqual(['jump', 'worker1']);
    expect(r.spec.hosts[1]!.ssh.via).toBe('jump');
    expect(r.canvas?.positions.jump).toEqual({ x: 1, y: 2 });
    expect(hostNameProblem(r, 'worker1', 'jump')).toMatch(/already exists/);
    expect(hostNameProblem(r, 'worker1', 'Bad Name')).toMatch(/lowercase/);
    expect(hostNameProblem(r, 'worker1', 'node-7.rack2')).toBeUndefined();
  });

  it('pasted hosts get fresh names, no address, offset positions, and keep their settings', () => {
    let p = addHost(project(), 'control-plane', { x: 10, y: 10 }).project;
    p = updateHost(p, 'cp1', (h) => ({
      ...h,
      address: '10.0.0.1',
      labels: { zone: 'a' },
      ssh: { ...h.ssh, port: 2222 },
    }));
    const clip = copyNodes(p, ['cp1']);
    const first = pasteNodes(p, clip, { x: 40, y: 40 });
    const second = pasteNodes(first.project, clip, { x: 40, y: 40 });
    expect(first.names).toEqual(['cp2']);
    expect(second.names).toEqual(['cp3']);
    const cp2 = first.project.spec.hosts.find((h) => h.name === 'cp2')!;
    expect(cp2.address).toBe('');
    expect(cp2.labels).toEqual({ zone: 'a' });
    expect(cp2.ssh.port).toBe(2222);
    expect(first.project.canvas?.positions.cp2).toEqual({ x: 50, y: 50 });
    // The clipboard is a copy: editing the original afterwards does not change what is pasted.
    const edited = updateHost(p, 'cp1', (h) => ({ ...h, labels: { zone: 'b' } }));
    expect(pasteNodes(edited, clip, { x: 0, y: 0 }).project.spec.hosts[1]!.labels).toEqual({ zone: 'a' });
  });
});

describe('undo history', () => {
  it('undoes and redoes whole snapshots; a new edit drops the redo branch', () => {
    let h = startHistory('a');
    h = record(h, 'b', undefined, 1000);
    h = record(h, 'c', undefined, 1001);
    h = undo(h);
    expect(h.present).toBe('b');
    h = redo(h);
    expect(h.present).toBe('c');
    h = undo(undo(h));
    expect(h.present).toBe('a');
    expect(undo(h)).toBe(h);
    h = record(h, 'x', undefined, 2000);
    expect(h.future).toEqual([]);
    expect(redo(h)).toBe(h);
  });

  it('coalesces edits of one field typed in quick succession into one step', () => {
    let h = startHistory('');
    h = record(h, '1', 'cp1:address', 1000);
    h = record(h, '10', 'cp1:address', 1200);
    h = record(h, '10.', 'cp1:address', 1400);
    h = record(h, '10.0', 'cp1:port', 1500);
    expect(undo(h).present).toBe('10.');
    expect(undo(undo(h)).present).toBe('');
    // After a pause the same field starts a new step.
    const later = record(h, '10.0.1', 'cp1:port', 1500 + 5000);
    expect(undo(later).present).toBe('10.0');
  });
});

describe('labels and taints as text', () => {
  it('reads key=value lines and refuses malformed ones with the line number', () => {
    expect(parseLabels('zone=a\n\n rack = r1 ')).toEqual({ ok: true, value: { zone: 'a', rack: 'r1' } });
    expect(parseLabels('zone=a\nbroken')).toEqual({ ok: false, error: expect.stringMatching(/^Line 2/) });
    expect(parseLabels('a=1\na=2')).toEqual({ ok: false, error: expect.stringMatching(/twice/) });
  });

  it('reads taints in kubectl notation and writes them back the same way', () => {
    const parsed = parseTaints('dedicated=infra:NoSchedule\ngpu:NoExecute');
    expect(parsed).toEqual({
      ok: true,
      value: [
        { key: 'dedicated', value: 'infra', effect: 'NoSchedule' },
        { key: 'gpu', effect: 'NoExecute' },
      ],
    });
    if (parsed.ok) expect(taintsToText(parsed.value)).toBe('dedicated=infra:NoSchedule\ngpu:NoExecute');
    expect(parseTaints('x=y:Sometimes')).toEqual({
      ok: false,
      error: expect.stringMatching(/Effect one of/),
    });
  });
});

describe('free spot for a new node', () => {
  const size = { width: 170, height: 64 };
  const overlaps = (a: { x: number; y: number }, b: { x: number; y: number }) =>
    Math.abs(a.x - b.x) < size.width && Math.abs(a.y - b.y) < size.height;

  it('is the wanted spot when free, and the nearest free one when taken', () => {
    let p = project();
    expect(freeSpot(p, { x: 100, y: 100 }, size)).toEqual({ x: 100, y: 100 });
    p = addHost(p, 'control-plane', { x: 100, y: 100 }).project;
    const spot = freeSpot(p, { x: 110, y: 95 }, size);
    expect(overlaps(spot, { x: 100, y: 100 })).toBe(false);
    expect(Math.hypot(spot.x - 110, spot.y - 95)).toBeLessThan(200);
  });

  it('stays inside the visible rectangle, even for a drop at its edge', () => {
    let p = project();
    p = addHost(p, 'control-plane', { x: 0, y: 0 }).project;
    const view = { x: -50, y: -50, width: 600, height: 400 };
    for (const want of [
      { x: 0, y: 0 },
      { x: 540, y: 340 },
      { x: -200, y: 500 },
    ]) {
      const spot = freeSpot(p, want, size, view);
      expect(spot.x).toBeGreaterThanOrEqual(view.x);
      expect(spot.y).toBeGreaterThanOrEqual(view.y);
      expect(spot.x + size.width).toBeLessThanOrEqual(view.x + view.width);
      expect(spot.y + size.height).toBeLessThanOrEqual(view.y + view.height);
      expect(overlaps(spot, { x: 0, y: 0 })).toBe(false);
    }
  });
});
