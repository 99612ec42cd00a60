import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createRouterClient } from '@orpc/server';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { newServiceContext } from '../../../main/services/context';
import { acquireLock } from '../../../main/services/deploy/state-dir';
import { clusterSecretsFile } from '../../../main/services/deploy/secrets';
import { router } from '../../../main/services/router';
import { clusterIdFor, clusterNameProblem } from '../../../shared/model/cluster-name';
import { failure } from '../support/orpc-failure';
import { tempHome } from './temp-home';

const ws = createRouterClient(router, { context: newServiceContext('in-process', 'cli') }).workspace;

const temp = tempHome('keelson-names-');

const file = (id: string) => join(temp.folder, `${id}.keelson.yaml`);
const nameIn = async (id: string) =>
  (parse(await readFile(file(id), 'utf8')) as { metadata: { name: string } }).metadata.name;
const ls = async (dir: string) => (await readdir(dir)).sort();

/** A state dir as a finished deploy leaves it, plus kept secrets and an exported kubeconfig. */
async function deployed(id: string) {
  const state = join(temp.folder, `${id}.deploy`);
  await mkdir(join(state, 'runs', '20261130-010203-ab12'), { recursive: true });
  await writeFile(join(state, 'deployed.json'), '{"hosts":[]}');
  await writeFile(join(state, 'runs', '20261130-010203-ab12', 'journal.jsonl'), '{}\n');
  await mkdir(join(temp.home, 'secrets'), { recursive: true });
  await writeFile(clusterSecretsFile(file(id), { KEELSON_HOME: temp.home }), '{"vrrp":"x"}');
  await mkdir(join(temp.home, 'kubeconfig'), { recursive: true });
  await writeFile(join(temp.home, 'kubeconfig', `${id}.yaml`), 'apiVersion: v1\n');
  return state;
}

describe('cluster names', () => {
  it('says what is wrong with a name, and gives the file name it maps to', () => {
    expect(clusterNameProblem('Prod East')).toBeUndefined();
    expect(clusterIdFor('Prod East')).toBe('prod-east');
    expect(clusterIdFor('lab_2.eu')).toBe('lab-2-eu');
    expect(clusterNameProblem('')).toBe('a cluster name is required');
    expect(clusterNameProblem(' lab')).toMatch(/starts or ends with a space/);
    expect(clusterNameProblem('lab/../x')).toMatch(/"\/" is not allowed/);
    expect(clusterNameProblem('Zürich')).toMatch(/"ü" is not allowed/);
    expect(clusterNameProblem('-lab')).toMatch(/start with a letter or a digit/);
    expect(clusterNameProblem('x'.repeat(61))).toMatch(/61 characters long; at most 60/);
  });

  it('main refuses an invalid name on create and rename with the reason, and writes nothing', async () => {
    const bad = await failure(ws.create({ name: 'a/b' }));
    expect(bad.code).toBe('BAD_REQUEST');
    expect(JSON.stringify(bad.data)).toContain('is not allowed in a cluster name');
    await ws.create({ name: 'Lab' });
    const badRename = await failure(ws.rename({ id: 'lab', name: '  ' }));
    expect(JSON.stringify(badRename.data)).toContain('a cluster name is required');
    expect(await ls(temp.folder)).toEqual(['lab.keelson.yaml']);
  });

  it('creating names the file after the cluster; a name whose file exists is refused', async () => {
    const created = await ws.create({ name: 'Prod East', templateId: 'keepalived-haproxy' });
    expect(created.id).toBe('prod-east');
    expect(await nameIn('prod-east')).toBe('Prod East');
    const taken = await failure(ws.create({ name: 'prod east' }));
    expect(taken.code).toBe('CONFLICT');
    expect(taken.message).toMatch(/a cluster named "prod east" exists already \(prod-east\.keelson\.yaml\)/);
  });
});

describe('rename', () => {
  it('rewrites metadata.name and moves the file, its deploy state, secrets and kubeconfig', async () => {
    await ws.create({ name: 'Two masters' });
    const state = await deployed('two-masters');
    const renamed = await ws.rename({ id: 'two-masters', name: 'Lab 2m' });
    expect(renamed).toMatchObject({ id: 'lab-2m', name: 'Lab 2m', version: expect.any(String) });
    expect(await nameIn('lab-2m')).toBe('Lab 2m');
    expect(await ls(temp.folder)).toEqual(['.history', 'lab-2m.deploy', 'lab-2m.keelson.yaml']);
    expect(await ls(join(temp.folder, 'lab-2m.deploy'))).toEqual(['deployed.json', 'runs']); // no lock left behind
    expect(await readFile(join(temp.folder, 'lab-2m.deploy', 'deployed.json'), 'utf8')).toBe('{"hosts":[]}');
    expect(await ls(join(temp.home, 'kubeconfig'))).toEqual(['lab-2m.yaml']);
    expect(await readFile(clusterSecretsFile(file('lab-2m'), { KEELSON_HOME: temp.home }), 'utf8')).toBe(
      '{"vrrp":"x"}',
    );
    // The version under the old name is kept as a generation.
    const [kept] = await ls(join(temp.folder, '.history', 'lab-2m'));
    expect(await readFile(join(temp.folder, '.history', 'lab-2m', kept!), 'utf8')).toContain(
      'name: Two masters',
    );
    expect(state).not.toBe(join(temp.folder, 'lab-2m.deploy'));
    // What a later deploy takes is free: the lock can be taken again.
    const release = await acquireLock(join(temp.folder, 'lab-2m.deploy'));
    await release();
  });

  it('a new spelling of the same file name rewrites the name in place', async () => {
    const { version } = await ws.create({ name: 'lab' });
    const renamed = await ws.rename({ id: 'lab', name: 'LAB' });
    expect(renamed.id).toBe('lab');
    expect(renamed.version).not.toBe(version);
    expect(await nameIn('lab')).toBe('LAB');
    expect(await ls(temp.folder)).toEqual(['.history', 'lab.keelson.yaml']); // no empty lab.deploy/ made
  });

  it('is refused while a deploy holds the lock, and when the target or its deploy state exists', async () => {
    await ws.create({ name: 'a' });
    await ws.create({ name: 'b' });
    const release = await acquireLock(join(temp.folder, 'a.deploy'));
    const busy = await failure(ws.rename({ id: 'a', name: 'c' }));
    expect(busy.code).toBe('BUSY');
    expect(busy.message).toMatch(/"a" is being deployed or changed by a day-2 operation/);
    expect((await failure(ws.delete({ id: 'a' }))).code).toBe('BUSY');
    await release();
    expect(await ls(temp.folder)).toEqual(['a.deploy', 'a.keelson.yaml', 'b.keelson.yaml']);

    expect((await failure(ws.rename({ id: 'a', name: 'B' }))).code).toBe('CONFLICT');
    await mkdir(join(temp.folder, 'c.deploy'));
    const orphan = await failure(ws.rename({ id: 'a', name: 'c' }));
    expect(orphan.code).toBe('CONFLICT');
    expect(orphan.message).toMatch(/c\.deploy\/ .* is in the workspace folder/);
    expect(await nameIn('a')).toBe('a');
  });

  it('moves a file someone broke by hand without touching its text', async () => {
    await mkdir(temp.folder, { recursive: true });
    await writeFile(file('broken'), 'metadata: [\n');
    await expect(ws.rename({ id: 'broken', name: 'fixed later' })).resolves.toMatchObject({
      id: 'fixed-later',
    });
    expect(await readFile(file('fixed-later'), 'utf8')).toBe('metadata: [\n');
  });

  it('lists a file whose name and file name disagree (made before they had to) by both', async () => {
    await ws.create({ name: 'lab-2m' });
    const text = (await readFile(file('lab-2m'), 'utf8')).replace('name: lab-2m', 'name: two-masters');
    await writeFile(file('lab-2m'), text);
    expect((await ws.list()).clusters).toMatchObject([{ id: 'lab-2m', name: 'two-masters' }]);
    expect((await ws.open({ id: 'lab-2m' })).project).toMatchObject({ metadata: { name: 'two-masters' } });
    await ws.rename({ id: 'lab-2m', name: 'two-masters' });
    expect((await ws.list()).clusters).toMatchObject([{ id: 'two-masters', name: 'two-masters' }]);
  });
});

describe('trash', () => {
  it('delete moves the deploy state too; restore brings back the cluster, its state and generations', async () => {
    const { project, version } = await ws.create({ name: 'Lab' });
    await ws.save({
      id: 'lab',
      project: { ...(project as object), metadata: { name: 'Lab', description: 'v2' } },
      baseVersion: version,
    });
    await deployed('lab');
    await ws.delete({ id: 'lab' });
    expect(await ls(temp.folder)).toEqual(['.history', '.trash']);
    // A new cluster taking the name must not find the deleted one's admin credentials.
    expect(existsSync(join(temp.home, 'kubeconfig', 'lab.yaml'))).toBe(false);
    expect(
      existsSync(clusterSecretsFile(join(temp.folder, 'lab.keelson.yaml'), { KEELSON_HOME: temp.home })),
    ).toBe(false);
    const [entry] = await ws.trash();
    expect(entry).toMatchObject({
      id: 'lab',
      name: 'Lab',
      hasDeployState: true,
      deletedAt: expect.any(String),
    });
    expect(Date.now() - Date.parse(entry!.deletedAt)).toBeLessThan(60_000);

    await expect(ws.restore({ trashId: entry!.trashId })).resolves.toEqual({ id: 'lab' });
    expect(await ls(temp.folder)).toEqual(['.history', '.trash', 'lab.deploy', 'lab.keelson.yaml']);
    expect((await ws.open({ id: 'lab' })).project).toMatchObject({ metadata: { description: 'v2' } });
    expect(await readFile(join(temp.folder, 'lab.deploy', 'deployed.json'), 'utf8')).toBe('{"hosts":[]}');
    expect(await ls(join(temp.folder, '.history', 'lab'))).toHaveLength(1);
    expect(await ls(join(temp.folder, '.trash'))).toEqual([]);
    expect(await ws.trash()).toEqual([]);
    expect(await ls(join(temp.home, 'kubeconfig'))).toEqual(['lab.yaml']);
    expect(
      existsSync(clusterSecretsFile(join(temp.folder, 'lab.keelson.yaml'), { KEELSON_HOME: temp.home })),
    ).toBe(true);
  });

  it('restore is refused, with the reason, when a cluster of that name exists now', async () => {
    await ws.create({ name: 'Lab' });
    await ws.delete({ id: 'lab' });
    await ws.create({ name: 'lab' });
    const [entry] = await ws.trash();
    const refused = await failure(ws.restore({ trashId: entry!.trashId }));
    expect(refused.code).toBe('CONFLICT');
    expect(refused.message).toBe(
      'cannot restore "lab": a cluster with this name (lab.keelson.yaml) exists now. Rename or delete it first, then restore.',
    );
    expect(await nameIn('lab')).toBe('lab');
    expect(await ws.trash()).toHaveLength(1);
    expect((await failure(ws.restore({ trashId: 'lab.2020-01-01T00-00-00-000Z' }))).code).toBe('NOT_FOUND');
    expect((await failure(ws.restore({ trashId: '../x' }))).code).toBe('BAD_REQUEST');
  });
});
