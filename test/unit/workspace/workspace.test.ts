import { mkdir, readdir, readFile, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createRouterClient } from '@orpc/server';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { newServiceContext } from '../../../main/services/context';
import { router } from '../../../main/services/router';
import { failure } from '../support/orpc-failure';
import { tempHome } from './temp-home';
import { canMountTinyDisk, mountTinyDisk, type TinyDisk } from '../support/tiny-disk';
import { writeFileAtomic } from '../../../main/services/workspace/atomic-write';
import { WorkspaceStore } from '../../../main/services/workspace/store';
import type { ClusterProject } from '../../../shared/model/cluster';

const client = createRouterClient(router, { context: newServiceContext('in-process', 'cli') });
const ws = client.workspace;

const temp = tempHome('keelson-ws-');

const file = (id: string) => join(temp.folder, `${id}.keelson.yaml`);
const filesIn = async (dir = temp.folder) => (await readdir(dir)).sort();

describe('workspace service', () => {
  it('keeps projects under $KEELSON_HOME/workspace and lists them', async () => {
    await ws.create({ name: 'Lab cluster' });
    const listed = await ws.list();
    expect(listed.folder).toBe(temp.folder);
    // An empty design has no VIP yet and a node-local endpoint (no keepalived): nothing to compare.
    expect(listed.clusters).toEqual([
      { id: 'lab-cluster', name: 'Lab cluster', modifiedAt: expect.any(String), endpoint: {} },
    ]);
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
    const { project } = await ws.create({ name: 'Production', templateId: 'keepalived-haproxy' });
    const p = project as ClusterProject;
    expect(p.metadata.name).toBe('Production');
    expect(p.spec.apiEndpoint).toMatchObject({
      pattern: 'keepalived-haproxy',
      vip: '10.77.0.10',
      port: 8443,
    });
    const opened = await ws.open({ id: 'production' });
    expect(opened.project).toEqual(project);
  });

  it('refuses to create over an existing cluster or from an unknown template', async () => {
    await ws.create({ name: 'lab' });
    const before = await readFile(file('lab'), 'utf8');
    expect(await failure(ws.create({ name: 'lab' }))).toMatchObject({
      code: 'CONFLICT',
      data: { id: 'lab' },
    });
    expect(await readFile(file('lab'), 'utf8')).toBe(before);
    expect((await failure(ws.create({ name: 'x', templateId: 'nope' }))).code).toBe('NOT_FOUND');
  });

  it('saves atomically: the replaced version kept as a backup generation, no temp files left, findings returned', async () => {
    const created = await ws.create({ name: 'lab', templateId: 'keepalived-haproxy' });
    const first = await readFile(file('lab'), 'utf8');
    const p = structuredClone(created.project) as ClusterProject;
    p.spec.hosts = p.spec.hosts.filter((h) => h.name !== 'cp3');
    const saved = await ws.save({ id: 'lab', project: p, baseVersion: created.version });
    expect(saved.findings.map((f) => f.code)).toContain('CP_COUNT_TWO');
    expect(saved.version).toMatch(/^[0-9a-f]{64}$/);
    expect(await filesIn()).toEqual(['.history', 'lab.keelson.yaml']);
    const generations = await filesIn(join(temp.folder, '.history', 'lab'));
    expect(generations).toEqual([expect.stringMatching(/^\d{4}-\d\d-\d\dT[\d-]+Z\.keelson\.yaml$/)]);
    expect(await readFile(join(temp.folder, '.history', 'lab', generations[0]!), 'utf8')).toBe(first);
    expect(await readFile(file('lab'), 'utf8')).not.toContain('cp3');
    // The next save names the version the last one returned.
    p.metadata.description = 'two masters';
    const again = await ws.save({ id: 'lab', project: p, baseVersion: saved.version });
    expect(await ws.open({ id: 'lab' })).toMatchObject({
      project: { metadata: { description: 'two masters' } },
      version: again.version,
    });
  });

  it('rejects a project that breaks the schema with a typed error naming the field, and writes nothing', async () => {
    const { project, version } = await ws.create({ name: 'lab' });
    const before = await readFile(file('lab'), 'utf8');
    const bad = structuredClone(project) as ClusterProject & { spec: { colour?: string } };
    bad.spec.colour = 'red';
    (bad.spec.apiEndpoint as { port: unknown }).port = 'eighty';
    const error = await failure(ws.save({ id: 'lab', project: bad, baseVersion: version }));
    expect(error.code).toBe('INVALID_PROJECT');
    const paths = (error.data as { errors: { path: string }[] }).errors.map((e) => e.path).sort();
    expect(paths).toEqual(['spec.apiEndpoint.port', 'spec.colour']);
    expect(error.message).toMatch(/not saved: spec\./);
    expect(await readFile(file('lab'), 'utf8')).toBe(before);
    expect(await filesIn()).toEqual(['lab.keelson.yaml']);
  });

  it('opens a hand-broken file as an error with its line, never as a project, and lists it as broken', async () => {
    await mkdir(temp.folder, { recursive: true });
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

  it('never overwrites a file someone broke by hand; saves again once it is fixed ', async () => {
    const { project, version } = await ws.create({ name: 'lab', templateId: 'keepalived-nginx' });
    const handBroken = (await readFile(file('lab'), 'utf8')).replace(
      'pattern: keepalived-nginx',
      'pattern: [keepalived',
    );
    await writeFile(file('lab'), handBroken);

    const error = await failure(ws.save({ id: 'lab', project, baseVersion: version }));
    expect(error.code).toBe('FILE_BROKEN_ON_DISK');
    expect(error.message).toMatch(/changed outside Keelson.*lab\.keelson\.yaml:\d+:\d+/);
    expect(await readFile(file('lab'), 'utf8')).toBe(handBroken);
    expect(await filesIn()).toEqual(['lab.keelson.yaml']);

    // Fixed back to what this window loaded: the save goes through.
    await writeFile(file('lab'), handBroken.replace('pattern: [keepalived', 'pattern: keepalived-nginx'));
    await expect(ws.save({ id: 'lab', project, baseVersion: version })).resolves.toMatchObject({
      savedAt: expect.any(String),
    });
  });

  it('a hand edit made while the app has the file open is not overwritten: CONFLICT with what the file holds', async () => {
    const { project, version } = await ws.create({ name: 'Lab' });
    const handEdited = (await readFile(file('lab'), 'utf8')).replace('name: Lab', 'name: Edited by hand');
    await writeFile(file('lab'), handEdited);

    const mine = structuredClone(project) as ClusterProject;
    mine.metadata.description = 'typed in the app';
    const error = await failure(ws.save({ id: 'lab', project: mine, baseVersion: version }));
    expect(error.code).toBe('CONFLICT');
    expect(error.message).toMatch(/lab\.keelson\.yaml was changed since this window loaded it/);
    const data = error.data as { id: string; version: string; project: ClusterProject };
    expect(data.id).toBe('lab');
    expect(data.project.metadata.name).toBe('Edited by hand');
    expect(await readFile(file('lab'), 'utf8')).toBe(handEdited); // nothing written

    // Keep mine: save again based on the file's version; the hand edit is kept as a generation.
    await ws.save({ id: 'lab', project: mine, baseVersion: data.version });
    expect((await ws.open({ id: 'lab' })).project).toMatchObject({
      metadata: { name: 'Lab', description: 'typed in the app' },
    });
    const [kept] = await filesIn(join(temp.folder, '.history', 'lab'));
    expect(await readFile(join(temp.folder, '.history', 'lab', kept!), 'utf8')).toBe(handEdited);
  });

  it('two windows: a save based on a version the other window replaced is refused, nothing lost', async () => {
    const windowA = createRouterClient(router, { context: newServiceContext('in-process', 'cli') }).workspace;
    const windowB = createRouterClient(router, { context: newServiceContext('in-process', 'cli') }).workspace;
    const { version } = await windowA.create({ name: 'lab' });
    const b = await windowB.open({ id: 'lab' });
    const a = (await windowA.open({ id: 'lab' })).project as ClusterProject;
    a.metadata.description = 'from A';
    const savedA = await windowA.save({ id: 'lab', project: a, baseVersion: version });
    const fromB = structuredClone(b.project) as ClusterProject;
    fromB.metadata.description = 'from B';
    const error = await failure(windowB.save({ id: 'lab', project: fromB, baseVersion: b.version! }));
    expect(error.code).toBe('CONFLICT');
    expect(error.data).toMatchObject({
      version: savedA.version,
      project: { metadata: { description: 'from A' } },
    });
    expect((await windowA.open({ id: 'lab' })).project).toMatchObject({
      metadata: { description: 'from A' },
    });
  });

  it('saves sent at once on the same version are checked and written one at a time: one wins, the rest conflict', async () => {
    const { project, version } = await ws.create({ name: 'lab' });
    const results = await Promise.allSettled(
      Array.from({ length: 6 }, (_, i) => {
        const p = structuredClone(project) as ClusterProject;
        p.metadata.description = `save ${i}`;
        return ws.save({ id: 'lab', project: p, baseVersion: version });
      }),
    );
    const won = results.flatMap((r, i) => (r.status === 'fulfilled' ? [i] : []));
    expect(won).toHaveLength(1);
    for (const r of results)
      if (r.status === 'rejected') expect((r.reason as { code: string }).code).toBe('CONFLICT');
    expect((await ws.open({ id: 'lab' })).project).toMatchObject({
      metadata: { description: `save ${won[0]}` },
    });
  });

  it('a cluster deleted by another window is not silently re-created; Keep mine (base null) does', async () => {
    const { project, version } = await ws.create({ name: 'lab' });
    await ws.delete({ id: 'lab' });
    const error = await failure(ws.save({ id: 'lab', project, baseVersion: version }));
    expect(error.code).toBe('CONFLICT');
    expect(error.data).toEqual({ id: 'lab', version: null });
    expect(error.message).toMatch(/was deleted/);
    await ws.save({ id: 'lab', project, baseVersion: null });
    expect((await ws.open({ id: 'lab' })).project).toEqual(project);
    // And base null never replaces a file that exists.
    expect((await failure(ws.save({ id: 'lab', project, baseVersion: null }))).code).toBe('CONFLICT');
  });

  it('renames a cluster with its backup generations, and refuses to rename onto another one', async () => {
    const a = await ws.create({ name: 'a' });
    const p = structuredClone(a.project) as ClusterProject;
    p.metadata.description = 'changed';
    await ws.save({ id: 'a', project: p, baseVersion: a.version });
    await ws.create({ name: 'b' });
    const b = await readFile(file('b'), 'utf8');

    expect(await failure(ws.rename({ id: 'a', name: 'B' }))).toMatchObject({
      code: 'CONFLICT',
      data: { id: 'b' },
    });
    expect(await readFile(file('b'), 'utf8')).toBe(b);

    await expect(ws.rename({ id: 'a', name: 'c' })).resolves.toMatchObject({ id: 'c', name: 'c' });
    expect(await filesIn()).toEqual(['.history', 'b.keelson.yaml', 'c.keelson.yaml']);
    expect(await filesIn(join(temp.folder, '.history'))).toEqual(['c']);
    // The saved version and the one with the old name.
    expect(await filesIn(join(temp.folder, '.history', 'c'))).toHaveLength(2);
    expect((await ws.open({ id: 'c' })).project).toMatchObject({
      metadata: { name: 'c', description: 'changed' },
    });
    expect((await failure(ws.rename({ id: 'zzz', name: 'y' }))).code).toBe('NOT_FOUND');
    expect((await failure(ws.open({ id: 'a' }))).code).toBe('NOT_FOUND');
  });

  it('deletes into .trash (with its generations) rather than erasing', async () => {
    const { project, version } = await ws.create({ name: 'lab' });
    const p = structuredClone(project) as ClusterProject;
    p.metadata.description = 'changed';
    await ws.save({ id: 'lab', project: p, baseVersion: version });
    await expect(ws.delete({ id: 'lab' })).resolves.toEqual({ deleted: true });
    expect((await ws.list()).clusters).toEqual([]);
    const trashed = await filesIn(join(temp.folder, '.trash'));
    expect(trashed).toEqual([
      expect.stringMatching(/^lab\..*\.history\..*\.keelson\.yaml$/),
      expect.stringMatching(/^lab\..*\.keelson\.yaml$/),
    ]);
    await expect(ws.delete({ id: 'lab' })).resolves.toEqual({ deleted: false });
  });

  it('rejects ids that could escape the folder before touching the disk', async () => {
    const error = await failure(ws.open({ id: '../etc/passwd' }));
    expect(error.code).toBe('BAD_REQUEST');
  });
});

describe('backup generations', () => {
  it('keeps a hand edit always, its own autosaves at most once a minute, and the newest ten', async () => {
    let now = Date.parse('2026-11-30T10:00:00.000Z');
    const store = new WorkspaceStore(temp.folder, { now: () => now });
    const me = {};
    let { project, version } = await store.create('lab');
    const edit = async (description: string) => {
      const p = structuredClone(project);
      p.metadata.description = description;
      ({ version } = await store.save('lab', p, version, me));
      project = p;
    };
    const generations = () => store.history.list('lab');
    await edit('1'); // replaces the created file: never written by this window's saves → kept
    expect(await generations()).toHaveLength(1);
    for (let i = 2; i <= 20; i++) {
      now += 500; // autosave while typing
      await edit(String(i));
    }
    expect(await generations()).toHaveLength(1); // 10 s of typing is not 20 generations

    // A hand edit in between is kept even within the minute.
    now += 500;
    const handEdited = (await readFile(file('lab'), 'utf8')).replace(
      'description: "20"',
      'description: by hand',
    );
    await writeFile(file('lab'), handEdited);
    const conflict = await store
      .save('lab', project, version, me)
      .catch((e: { failure: { version: string } }) => e);
    version = (conflict as { failure: { version: string } }).failure.version;
    await edit('keep mine');
    const names = await generations();
    expect(names).toHaveLength(2);
    expect(await readFile(join(temp.folder, '.history', 'lab', names[0]!), 'utf8')).toBe(handEdited);

    // Another window's save is kept too: it was not this window's own.
    now += 500;
    const other = {};
    const p = structuredClone(project);
    p.metadata.description = 'other window';
    ({ version } = await store.save('lab', p, version, other));
    project = p;
    expect(await generations()).toHaveLength(3);

    // A minute later own autosaves make generations again; only the newest ten stay.
    for (let i = 0; i < 15; i++) {
      now += 61_000;
      await edit(`minute ${i}`);
    }
    const kept = await generations();
    expect(kept).toHaveLength(10);
    expect(kept).toEqual([...kept].sort().reverse()); // newest first
    expect(await readFile(join(temp.folder, '.history', 'lab', kept[0]!), 'utf8')).toContain('minute 13');
  });
});

describe('files left behind', () => {
  it('list() removes temporary files a killed writer left (older than an hour), never a fresh one', async () => {
    await ws.create({ name: 'lab' });
    const stale = join(temp.folder, '.lab.keelson.yaml.0b6a57f4-6d1e-4b8e-9a52-4a4c8e0f6f01.tmp');
    const fresh = join(temp.folder, '.lab.keelson.yaml.5c1f0c1e-2f44-4d55-8c1b-1e2a3b4c5d6e.tmp');
    const notOurs = join(temp.folder, '.notes.tmp');
    for (const f of [stale, fresh, notOurs]) await writeFile(f, 'half a file');
    const twoHoursAgo = new Date(Date.now() - 2 * 3600_000);
    await utimes(stale, twoHoursAgo, twoHoursAgo);
    await utimes(notOurs, twoHoursAgo, twoHoursAgo);
    await ws.list();
    expect(await filesIn()).toEqual([
      '.lab.keelson.yaml.5c1f0c1e-2f44-4d55-8c1b-1e2a3b4c5d6e.tmp',
      '.notes.tmp',
      'lab.keelson.yaml',
    ]);
  });
});

describe.skipIf(!canMountTinyDisk())('a full disk', () => {
  let disk: TinyDisk;
  beforeEach(() => {
    disk = mountTinyDisk();
    process.env.KEELSON_HOME = disk.dir;
  });
  afterEach(() => disk.unmount());

  it('says "the disk is full" with the path, changes nothing on disk and leaves no temporary file', async () => {
    const wsFolder = join(disk.dir, 'workspace');
    const { project, version } = await ws.create({ name: 'lab', templateId: 'keepalived-haproxy' });
    const before = await readFile(join(wsFolder, 'lab.keelson.yaml'), 'utf8');
    disk.fill();
    const p = structuredClone(project) as ClusterProject;
    p.metadata.description = 'written to a full disk'; // a new file needs a page the disk no longer has
    const error = await failure(ws.save({ id: 'lab', project: p, baseVersion: version }));
    expect(error.code).toBe('FILE_SYSTEM');
    expect(error.message).toMatch(/^the disk is full \(writing \/.*\); nothing on disk changed$/);
    expect(error.message).toContain(wsFolder);
    expect(error.data).toMatchObject({ code: 'ENOSPC', path: expect.stringContaining(wsFolder) });
    expect(await readFile(join(wsFolder, 'lab.keelson.yaml'), 'utf8')).toBe(before);
    expect((await readdir(wsFolder)).filter((n) => n.endsWith('.tmp'))).toEqual([]);

    // Space again: the same save goes through.
    disk.free();
    await expect(ws.save({ id: 'lab', project: p, baseVersion: version })).resolves.toMatchObject({
      version: expect.any(String),
    });
  });
});

describe('writeFileAtomic', () => {
  it('leaves the old file and no temp file behind when the final rename fails', async () => {
    await mkdir(temp.folder, { recursive: true });
    // A non-empty folder where the file should go: rename onto it fails.
    const target = join(temp.folder, 'x.keelson.yaml');
    await mkdir(join(target, 'inside'), { recursive: true });
    await expect(writeFileAtomic(target, 'new')).rejects.toThrow();
    expect(await filesIn()).toEqual(['x.keelson.yaml']);
    expect(await readdir(target)).toEqual(['inside']);
  });

  it.skipIf(!canMountTinyDisk())('leaves no partial temp file when the disk fills up mid-write', async () => {
    const disk = mountTinyDisk();
    try {
      const target = join(disk.dir, 'x.yaml');
      await writeFile(target, 'old');
      disk.fill();
      await expect(writeFileAtomic(target, 'y'.repeat(100_000))).rejects.toMatchObject({ code: 'ENOSPC' });
      expect((await readdir(disk.dir)).sort()).toEqual(['filler', 'x.yaml']);
      expect(await readFile(target, 'utf8')).toBe('old');
    } finally {
      disk.unmount();
    }
  });
});
