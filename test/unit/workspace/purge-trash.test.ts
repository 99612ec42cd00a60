import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { createRouterClient } from '@orpc/server';
import { describe, expect, it } from 'vitest';
import { newServiceContext } from '../../../main/services/context';
import { clusterSecretsFile } from '../../../main/services/deploy/secrets';
import { router } from '../../../main/services/router';
import { WorkspaceStore } from '../../../main/services/workspace/store';
import { failure } from '../support/orpc-failure';
import { tempHome } from './temp-home';

const ws = createRouterClient(router, { context: newServiceContext('in-process', 'cli') }).workspace;

const temp = tempHome('keelson-purge-');

const file = (id: string) => join(temp.folder, `${id}.keelson.yaml`);
const secrets = (id: string) =>
  relative(temp.home, clusterSecretsFile(file(id), { KEELSON_HOME: temp.home }));

/** Every file under Keelson's home (workspace, secrets, kubeconfigs), relative to it, sorted. */
async function filesIn(dir = temp.home): Promise<string[]> {
  const found: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) found.push(...(await filesIn(path)));
    else found.push(relative(temp.home, path));
  }
  return found.sort();
}

/**
 * Cluster "Lab" with everything a delete sets aside: a backup generation (saved twice), deploy
 * state, the legacy .bak, kept secrets and an exported kubeconfig. `mark` tells the copies apart.
 */
async function fullLab(mark: string): Promise<void> {
  const { project, version } = await ws.create({ name: 'Lab' });
  await ws.save({
    id: 'lab',
    project: { ...(project as object), metadata: { name: 'Lab', description: mark } },
    baseVersion: version,
  });
  await mkdir(join(temp.folder, 'lab.deploy', 'runs'), { recursive: true });
  await writeFile(join(temp.folder, 'lab.deploy', 'deployed.json'), mark);
  await writeFile(`${file('lab')}.bak`, mark);
  await mkdir(join(temp.home, 'secrets'), { recursive: true });
  await writeFile(join(temp.home, secrets('lab')), mark);
  await mkdir(join(temp.home, 'kubeconfig'), { recursive: true });
  await writeFile(join(temp.home, 'kubeconfig', 'lab.yaml'), mark);
}

/** Deletes "Lab" and returns its trash id. */
async function deleteLab(): Promise<string> {
  const before = new Set((await ws.trash()).map((t) => t.trashId));
  await ws.delete({ id: 'lab' });
  // Delete names entries by the millisecond: two in one would be one entry.
  await new Promise((resolve) => setTimeout(resolve, 5));
  return (await ws.trash()).find((t) => !before.has(t.trashId))!.trashId;
}

describe('purge', () => {
  it('deletes exactly one entry for good: not the other deleted Lab, not the live one', async () => {
    await fullLab('first');
    const [generation] = await readdir(join(temp.folder, '.history', 'lab'));
    const first = await deleteLab();
    await fullLab('second');
    const second = await deleteLab();
    await fullLab('live');
    const before = await filesIn();

    await expect(ws.purge({ trashId: first })).resolves.toEqual({ purged: true });

    const after = await filesIn();
    const gone = before.filter((f) => !after.includes(f));
    expect(after.filter((f) => !before.includes(f))).toEqual([]); // nothing made
    expect(gone.sort()).toEqual(
      [
        `workspace/.trash/${first}.keelson.yaml`,
        `workspace/.trash/${first}.keelson.yaml.bak`,
        `workspace/.trash/${first}.deploy/deployed.json`,
        `workspace/.trash/${first}.history.${generation}`,
        `${secrets('lab')}.deleted-${first}`,
        `kubeconfig/lab.yaml.deleted-${first}`,
      ].sort(),
    );
    expect(after).not.toContain(`workspace/.trash/${first}.deploy`); // the state dir went with its files
    expect((await ws.trash()).map((t) => t.trashId)).toEqual([second]);
    expect(await readFile(join(temp.folder, '.trash', `${second}.deploy`, 'deployed.json'), 'utf8')).toBe(
      'second',
    );
    expect(await readFile(join(temp.home, 'kubeconfig', 'lab.yaml'), 'utf8')).toBe('live');

    // The other entry still comes back whole once the name is free.
    await ws.delete({ id: 'lab' });
    await ws.restore({ trashId: second });
    expect((await ws.open({ id: 'lab' })).project).toMatchObject({ metadata: { description: 'second' } });
    expect(await readFile(join(temp.home, secrets('lab')), 'utf8')).toBe('second');
  });

  it('says which entry is not in the trash, and refuses a trash id that is no trash id', async () => {
    await fullLab('only');
    const trashId = await deleteLab();
    await ws.purge({ trashId });
    const again = await failure(ws.purge({ trashId }));
    expect(again.code).toBe('NOT_FOUND');
    expect(again.message).toBe(`"${trashId}" is not in the trash (restored or deleted for good already)`);
    expect(again.data).toEqual({ id: trashId });
    expect((await failure(ws.purge({ trashId: 'lab.2020-01-01T00-00-00-000Z' }))).code).toBe('NOT_FOUND');
    expect((await failure(ws.purge({ trashId: '../x' }))).code).toBe('BAD_REQUEST');
    expect((await failure(ws.purge({ trashId: 'lab.2020-01-01T00-00-00-000Z/../../x' }))).code).toBe(
      'BAD_REQUEST',
    );
  });

  it('a restore and a purge of one entry take turns: one wins whole, the other is NOT_FOUND', async () => {
    for (const purgeFirst of [false, true]) {
      await fullLab('raced');
      const trashId = await deleteLab();
      const restore = () => ws.restore({ trashId });
      const purge = () => ws.purge({ trashId });
      const [restored, purged] = purgeFirst
        ? (await Promise.allSettled([purge(), restore()])).reverse()
        : await Promise.allSettled([restore(), purge()]);
      const [winner, loser] = restored!.status === 'fulfilled' ? [restored, purged] : [purged, restored];
      expect(winner).toMatchObject({ status: 'fulfilled' });
      expect(loser).toMatchObject({ status: 'rejected', reason: { code: 'NOT_FOUND' } });
      expect(await ws.trash()).toEqual([]);
      if (winner === restored) {
        expect(await readFile(join(temp.folder, 'lab.deploy', 'deployed.json'), 'utf8')).toBe('raced');
        expect(await readFile(join(temp.home, 'kubeconfig', 'lab.yaml'), 'utf8')).toBe('raced');
        await ws.purge({ trashId: await deleteLab() });
      }
      expect(await filesIn()).toEqual([]);
    }
  });
});

describe('empty trash', () => {
  it('purges every entry and what each set aside, and leaves the live clusters alone', async () => {
    await fullLab('first');
    await deleteLab();
    await fullLab('second');
    await deleteLab();
    await ws.create({ name: 'Other' });
    await ws.delete({ id: 'other' });
    await fullLab('live');
    const live = (await filesIn()).filter((f) => !f.includes('.trash/') && !f.includes('.deleted-'));

    const listed = (await ws.trash()).map((t) => t.trashId);
    await expect(ws.emptyTrash({ trashIds: listed })).resolves.toEqual({ purged: 3, gone: 0 });
    expect(await ws.trash()).toEqual([]);
    expect(await readdir(join(temp.folder, '.trash'))).toEqual([]);
    expect(await filesIn()).toEqual(live);
    await expect(ws.emptyTrash({ trashIds: listed })).resolves.toEqual({ purged: 0, gone: 3 });
  });

  it('erases only what the user was shown: a cluster deleted since stays, one restored since is gone', async () => {
    await fullLab('shown');
    const shownLab = await deleteLab();
    await ws.create({ name: 'Other' });
    await ws.delete({ id: 'other' });
    const shown = (await ws.trash()).map((t) => t.trashId);
    expect(shown).toHaveLength(2);
    const shownOther = shown.find((id) => id !== shownLab)!;
    // Meanwhile, in another window: Other comes back, and a new Lab is deleted.
    await ws.restore({ trashId: shownOther });
    await fullLab('deleted after the question');
    const later = await deleteLab();

    await expect(ws.emptyTrash({ trashIds: shown })).resolves.toEqual({ purged: 1, gone: 1 });
    expect((await ws.trash()).map((t) => t.trashId)).toEqual([later]);
    expect((await ws.list()).clusters.map((c) => c.id)).toEqual(['other']);
    expect(await readFile(join(temp.home, `kubeconfig/lab.yaml.deleted-${later}`), 'utf8')).toBe(
      'deleted after the question',
    );
  });

  it('refuses an id that is not a trash entry before erasing anything', async () => {
    await fullLab('kept');
    const kept = await deleteLab();
    expect(await failure(ws.emptyTrash({ trashIds: [kept, '../lab'] }))).toMatchObject({
      code: 'BAD_REQUEST',
    });
    expect((await ws.trash()).map((t) => t.trashId)).toEqual([kept]);
    // The store itself (no contract in front): a bad id after a good one still erases nothing.
    await expect(new WorkspaceStore(temp.folder).emptyTrash([kept, '../lab'])).rejects.toThrow(
      /not a trash entry/,
    );
    expect((await ws.trash()).map((t) => t.trashId)).toEqual([kept]);
  });
});
