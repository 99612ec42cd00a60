import { mkdtemp, readdir, readFile, rm, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRouterClient } from '@orpc/server';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { newServiceContext } from '../../../main/services/context';
import { router } from '../../../main/services/router';
import { failure } from '../support/orpc-failure';
import { writeFileAtomic } from '../../../main/services/workspace/atomic-write';
import type { ClusterProject } from '../../../shared/model/cluster';

let home: string;
let folder: string;
const client = createRouterClient(router, { context: newServiceContext('in-process', 'cli') });
const ws = client.workspace;

beforeEach(async () => {
  home = await mkdtemp(join(tmpdir(), 'keelson-ws-'));
  folder = join(home, 'workspace');
  process.env.KEELSON_HOME = home;
});
afterEach(async () => {
  delete process.env.KEELSON_HOME;
  await rm(home, { recursive: true, force: true });
});

const file = (id: string) => join(folder, `${id}.keelson.yaml`);
const filesIn = async (dir = folder) => (await readdir(dir)).sort();

describe('workspace service', () => {
  it('keeps projects under $KEELSON_HOME/workspace and lists them', async () => {
    await ws.create({ id: 'lab', name: 'Lab cluster' });
    const listed = await ws.list();
    expect(listed.folder).toBe(folder);
    expect(listed.clusters).toEqual([{ id: 'lab', name: 'Lab cluster', modifiedAt: expect.any(String) }]);
  });

  it('creates from a template with the name given, and offers every shipped template', async () => {
    const templates = await ws.templates();
    expect(templates.map((t) => t.id)).toEqual([
      'empty',
      'keepalived-haproxy',
      'keepalived-nginx',
      'nginx-lb-two-masters',
      'node-local-bastion',
      'dedicated-lb-external-etcd',
    ]);
    for (const t of templates) expect(t.description.length).toBeGreaterThan(20);
    const { project } = await ws.create({ id: 'prod', name: 'Production', templateId: 'keepalived-haproxy' });
    const p = project as ClusterProject;
    expect(p.metadata.name).toBe('Production');
    expect(p.spec.apiEndpoint).toMatchObject({
      pattern: 'keepalived-haproxy',
      vip: '10.77.0.10',
      port: 8443,
    });
    const opened = await ws.open({ id: 'prod' });
    expect(opened.project).toEqual(project);
  });

  it('refuses to create over an existing cluster or from an unknown template', async () => {
    await ws.create({ id: 'lab', name: 'Lab' });
    const before = await readFile(file('lab'), 'utf8');
    expect(await failure(ws.create({ id: 'lab', name: 'Other' }))).toMatchObject({
      code: 'CONFLICT',
      data: { id: 'lab' },
    });
    expect(await readFile(file('lab'), 'utf8')).toBe(before);
    expect((await failure(ws.create({ id: 'x', name: 'X', templateId: 'nope' }))).code).toBe('NOT_FOUND');
  });

  it('saves atomically: previous version kept as .bak, no temp files left, findings returned', async () => {
    const { project } = await ws.create({ id: 'lab', name: 'Lab', templateId: 'keepalived-haproxy' });
    const first = await readFile(file('lab'), 'utf8');
    const p = structuredClone(project) as ClusterProject;
    p.spec.hosts = p.spec.hosts.filter((h) => h.name !== 'cp3');
    const saved = await ws.save({ id: 'lab', project: p });
    expect(saved.findings.map((f) => f.code)).toContain('CP_COUNT_TWO');
    expect(await filesIn()).toEqual(['lab.keelson.yaml', 'lab.keelson.yaml.bak']);
    expect(await readFile(`${file('lab')}.bak`, 'utf8')).toBe(first);
    expect(await readFile(file('lab'), 'utf8')).not.toContain('cp3');
    // A second save rotates: .bak now holds the first save.
    const second = await readFile(file('lab'), 'utf8');
    p.metadata.description = 'two masters';
    await ws.save({ id: 'lab', project: p });
    expect(await readFile(`${file('lab')}.bak`, 'utf8')).toBe(second);
    expect((await ws.open({ id: 'lab' })).project).toMatchObject({
      metadata: { description: 'two masters' },
    });
  });

  it('rejects a project that breaks the schema with a typed error naming the field, and writes nothing', async () => {
    const { project } = await ws.create({ id: 'lab', name: 'Lab' });
    const before = await readFile(file('lab'), 'utf8');
    const bad = structuredClone(project) as ClusterProject & { spec: { colour?: string } };
    bad.spec.colour = 'red';
    (bad.spec.apiEndpoint as { port: unknown }).port = 'eighty';
    const error = await failure(ws.save({ id: 'lab', project: bad }));
    expect(error.code).toBe('INVALID_PROJECT');
    const paths = (error.data as { errors: { path: string }[] }).errors.map((e) => e.path).sort();
    expect(paths).toEqual(['spec.apiEndpoint.port', 'spec.colour']);
    expect(error.message).toMatch(/not saved: spec\./);
    expect(await readFile(file('lab'), 'utf8')).toBe(before);
    expect(await filesIn()).toEqual(['lab.keelson.yaml']);
  });

  it('opens a hand-broken file as an error with its line, never as a project, and lists it as broken', async () => {
    await mkdir(folder, { recursive: true });
    await writeFile(
      file('broken'),
      'apiVersion: keelson.dev/v1alpha1\nkind: Cluster\nmetadata:\n  name: [oops\n',
    );
    const opened = await ws.open({ id: 'broken' });
    expect(opened.project).toBeUndefined();
    expect(opened.error).toMatch(/^broken\.keelson\.yaml:\d+:\d+: not valid YAML/);
    const listed = await ws.list();
    expect(listed.clusters[0]).toMatchObject({
      id: 'broken',
      name: 'broken',
      error: expect.stringMatching(/not valid YAML/),
    });

    await writeFile(
      file('typo'),
      'apiVersion: keelson.dev/v1alpha1\nkind: Cluster\nmetadata:\n  name: t\n  nmae: u\n',
    );
    expect((await ws.open({ id: 'typo' })).error).toMatch(
      /typo\.keelson\.yaml:5:3: metadata\.nmae: unknown field/,
    );
  });

  it('never overwrites a file someone broke by hand; saves again once it is fixed', async () => {
    const { project } = await ws.create({ id: 'lab', name: 'Lab', templateId: 'keepalived-nginx' });
    await ws.open({ id: 'lab' });
    const handBroken = (await readFile(file('lab'), 'utf8')).replace(
      'pattern: keepalived-nginx',
      'pattern: [keepalived',
    );
    await writeFile(file('lab'), handBroken);

    const error = await failure(ws.save({ id: 'lab', project }));
    expect(error.code).toBe('FILE_BROKEN_ON_DISK');
    expect(error.message).toMatch(/changed outside Keelson.*lab\.keelson\.yaml:\d+:\d+/);
    expect(await readFile(file('lab'), 'utf8')).toBe(handBroken);
    expect(await filesIn()).toEqual(['lab.keelson.yaml']);

    await writeFile(file('lab'), handBroken.replace('pattern: [keepalived', 'pattern: keepalived-nginx'));
    await expect(ws.save({ id: 'lab', project })).resolves.toMatchObject({ savedAt: expect.any(String) });
  });

  it('overwrites a valid hand edit, keeping it in .bak', async () => {
    const { project } = await ws.create({ id: 'lab', name: 'Lab' });
    const handEdited = (await readFile(file('lab'), 'utf8')).replace('name: Lab', 'name: Edited by hand');
    await writeFile(file('lab'), handEdited);
    await ws.save({ id: 'lab', project });
    expect(await readFile(`${file('lab')}.bak`, 'utf8')).toBe(handEdited);
  });

  it('renames a cluster with its .bak, and refuses to rename onto another one', async () => {
    const { project } = await ws.create({ id: 'a', name: 'A' });
    await ws.save({ id: 'a', project });
    await ws.create({ id: 'b', name: 'B' });
    const b = await readFile(file('b'), 'utf8');

    expect(await failure(ws.rename({ id: 'a', newId: 'b' }))).toMatchObject({
      code: 'CONFLICT',
      data: { id: 'b' },
    });
    expect(await readFile(file('b'), 'utf8')).toBe(b);

    await expect(ws.rename({ id: 'a', newId: 'c' })).resolves.toEqual({ id: 'c' });
    expect(await filesIn()).toEqual(['b.keelson.yaml', 'c.keelson.yaml', 'c.keelson.yaml.bak']);
    expect((await ws.open({ id: 'c' })).project).toMatchObject({ metadata: { name: 'A' } });
    expect((await failure(ws.rename({ id: 'zzz', newId: 'y' }))).code).toBe('NOT_FOUND');
    expect((await failure(ws.open({ id: 'a' }))).code).toBe('NOT_FOUND');
  });

  it('deletes into .trash rather than erasing', async () => {
    const { project } = await ws.create({ id: 'lab', name: 'Lab' });
    await ws.save({ id: 'lab', project });
    await expect(ws.delete({ id: 'lab' })).resolves.toEqual({ deleted: true });
    expect((await ws.list()).clusters).toEqual([]);
    const trashed = await filesIn(join(folder, '.trash'));
    expect(trashed).toEqual([
      expect.stringMatching(/^lab\..*\.keelson\.yaml$/),
      expect.stringMatching(/^lab\..*\.keelson\.yaml\.bak$/),
    ]);
    await expect(ws.delete({ id: 'lab' })).resolves.toEqual({ deleted: false });
  });

  it('rejects ids that could escape the folder before touching the disk', async () => {
    const error = await failure(ws.open({ id: '../etc/passwd' }));
    expect(error.code).toBe('BAD_REQUEST');
  });
});

describe('writeFileAtomic', () => {
  it('leaves the old file and no temp file behind when the final rename fails', async () => {
    await mkdir(folder, { recursive: true });
    // A non-empty folder where the file should go: rename onto it fails.
    const target = join(folder, 'x.keelson.yaml');
    await mkdir(join(target, 'inside'), { recursive: true });
    await expect(writeFileAtomic(target, 'new')).rejects.toThrow();
    expect(await filesIn()).toEqual(['x.keelson.yaml']);
    expect(await readdir(target)).toEqual(['inside']);
  });
});
