import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from '@playwright/test';
import { parse } from 'yaml';
import { expect, test } from './fixtures';

// The server (a child of this test process) inherits the environment: a fresh workspace folder.
const home = mkdtempSync(join(tmpdir(), 'keelson-workspace-'));
// Set per file before its tests: every test's server is a fresh child that inherits it.
test.beforeAll(() => {
  process.env.KEELSON_HOME = home;
});
const workspace = join(home, 'workspace');
mkdirSync(workspace, { recursive: true });
const file = (id: string) => join(workspace, `${id}.keelson.yaml`);

async function createFrom(app: Page, name: string, template: string) {
  const start = app.getByTestId('start-screen');
  await start.getByLabel('Cluster name').fill(name);
  await start.getByLabel('Start from').selectOption({ label: template });
  await start.getByRole('button', { name: 'Create cluster' }).click();
  await expect(app.getByTestId('cluster-name')).toHaveText(name);
}

test('a cluster from a template opens laid out in tiers and autosaves edits', async ({ app }) => {
  await createFrom(app, 'Edge site', 'keepalived + haproxy on 3 control planes');
  expect(existsSync(file('edge-site'))).toBe(true);
  for (const id of ['cp1', 'cp2', 'cp3', 'worker1', 'worker2', 'vip'])
    await expect(app.getByTestId(`node-${id}`)).toBeVisible();
  // Tiers: VIP above the control planes, workers below them.
  const y = async (id: string) => (await app.getByTestId(`node-${id}`).boundingBox())!.y;
  expect(await y('vip')).toBeLessThan(await y('cp1'));
  expect(await y('cp1')).toBeLessThan(await y('worker1'));
  await expect(app.locator('.react-flow__edge.edge-api')).toHaveCount(3);

  // An edit is written ~500 ms later without pressing anything.
  await app.getByTestId('node-worker2').click();
  await app.getByLabel('Properties').getByLabel('Address', { exact: true }).fill('10.77.0.99');
  await expect(app.getByTestId('save-status')).toHaveAttribute('data-state', 'saved');
  const saved = parse(readFileSync(file('edge-site'), 'utf8'));
  expect(saved.spec.hosts.find((h: { name: string }) => h.name === 'worker2').address).toBe('10.77.0.99');
  expect(saved.canvas.positions.worker2).toEqual({ x: expect.any(Number), y: expect.any(Number) });
});

test('a broken file shows its error and is never overwritten', async ({ app }) => {
  const text =
    'apiVersion: keelson.dev/v1alpha1\nkind: Cluster\nmetadata:\n  name: broken\nspec:\n  kubernetesVersion: 1.37\n  hosts: [\n';
  writeFileSync(file('broken'), text);
  await app.reload();
  const row = app.getByTestId('start-screen').getByTestId('cluster-broken');
  await expect(row).toContainText('⚠');
  await row
    .getByRole('button', { name: /broken/ })
    .first()
    .click();
  const error = app.getByTestId('open-error');
  await expect(error).toContainText('broken.keelson.yaml cannot be opened');
  await expect(error).toContainText(/broken\.keelson\.yaml:\d+:\d+/); // file:line:column
  await expect(error).toContainText('left the file untouched');
  // Nothing was loaded, so there is nothing to autosave over it.
  await expect(app.getByTestId('cluster-name')).toHaveText('No cluster open');
  await app.waitForTimeout(1000);
  expect(readFileSync(file('broken'), 'utf8')).toBe(text);
});

test('a design the file cannot take yet is kept, restored after a reload, and saved once complete', async ({
  app,
}) => {
  await createFrom(app, 'Draft', 'Empty cluster');
  await app.getByTestId('palette-worker').click();
  const status = app.getByTestId('save-status');
  // A host without an address is a design in progress: it is saved, and validation flags it.
  await expect(status).toHaveAttribute('data-state', 'saved');
  const hostsOnDisk = () =>
    parse(readFileSync(file('draft'), 'utf8')).spec.hosts as {
      name: string;
      address: string;
      ssh?: { user?: string };
    }[];
  expect(hostsOnDisk().map((h) => [h.name, h.address])).toEqual([['worker1', '']]);
  await expect(app.getByTestId('panel-problems')).toContainText('HOST_ADDRESS_INVALID');

  // An empty SSH user is something the file cannot hold: nothing is written, the header says why.
  await app.getByTestId('node-worker1').click();
  await app.getByLabel('Properties').getByLabel('SSH user', { exact: true }).fill('');
  await expect(status).toHaveAttribute('data-state', 'failed');
  await expect(status).toContainText('host worker1: ssh.user');
  expect(hostsOnDisk()[0]?.ssh?.user ?? 'root').toBe('root');

  await app.reload();
  await expect(app.getByTestId('node-worker1')).toBeVisible();
  await expect(app.getByTestId('notice')).toContainText('Restored changes');
  await app.getByTestId('node-worker1').click();
  await expect(app.getByLabel('Properties').getByLabel('SSH user', { exact: true })).toHaveValue('');
  await app.getByLabel('Properties').getByLabel('SSH user', { exact: true }).fill('admin');
  await expect(status).toHaveAttribute('data-state', 'saved');
  expect(hostsOnDisk().map((h) => [h.name, h.ssh?.user])).toEqual([['worker1', 'admin']]);
});

test('rename changes the one name everywhere; a bad or taken name is refused at the field', async ({
  app,
}) => {
  await createFrom(app, 'Old name', 'Empty cluster');
  await app.getByTestId('palette-worker').click();
  await app.getByLabel('Properties').getByLabel('Address', { exact: true }).fill('10.9.0.2');
  await expect(app.getByTestId('save-status')).toHaveAttribute('data-state', 'saved');
  await app.getByTestId('clusters-menu').click();
  const menu = app.getByRole('dialog', { name: 'Clusters' });
  await menu.getByLabel('Cluster name').fill('Taken');
  await menu.getByRole('button', { name: 'Create cluster' }).click();
  await expect(app.getByTestId('cluster-name')).toHaveText('Taken');
  // The menu closes only after the list is re-read: a click before that would toggle it shut.
  await expect(menu).toBeHidden();
  await app.getByTestId('clusters-menu').click();
  await menu.getByTestId('cluster-old-name').getByRole('button', { name: 'Old name', exact: true }).click();
  await expect(app.getByTestId('cluster-name')).toHaveText('Old name');
  // An edit made before the rename stays undoable after it.
  await app.getByTestId('palette-worker').click();
  await expect(app.getByTestId('node-worker2')).toBeVisible();
  await expect(app.getByTestId('save-status')).toHaveAttribute('data-state', 'saved');

  await app.getByTestId('clusters-menu').click();
  const row = menu.getByTestId('cluster-old-name');
  await row.getByRole('button', { name: 'Rename Old name' }).click();
  const field = row.getByLabel('New name');
  await field.fill('lab/2');
  await expect(row.getByTestId('cluster-name-error')).toHaveText(
    '"/" is not allowed in a cluster name: use letters, digits, spaces and - _ .',
  );
  await expect(row.getByRole('button', { name: 'Save name' })).toBeDisabled();
  await field.fill('TAKEN');
  await row.getByRole('button', { name: 'Save name' }).click();
  await expect(row.getByTestId('cluster-name-error')).toHaveText(
    'a cluster named "TAKEN" exists already (taken.keelson.yaml): choose another name',
  );

  await field.fill('New name');
  await expect(row.getByText('File: new-name.keelson.yaml')).toBeVisible();
  await row.getByRole('button', { name: 'Save name' }).click();
  const renamed = menu.getByTestId('cluster-new-name');
  await expect(renamed.getByRole('button', { name: 'New name', exact: true })).toBeVisible(); // one name, no file name beside it
  await expect(app.getByTestId('cluster-name')).toHaveText('New name');
  expect(existsSync(file('old-name'))).toBe(false);
  expect(parse(readFileSync(file('new-name'), 'utf8')).metadata.name).toBe('New name');
  await app.keyboard.press('Escape');
  await app.getByTestId('node-worker1').click();
  await app.keyboard.press('ControlOrMeta+z');
  await expect(app.getByTestId('node-worker2')).toHaveCount(0);
  await expect(app.getByTestId('cluster-name')).toHaveText('New name'); // undo never brings the old name back
  await expect
    .poll(() => parse(readFileSync(file('new-name'), 'utf8')).spec.hosts.length, { timeout: 10_000 })
    .toBe(1);
  expect(parse(readFileSync(file('new-name'), 'utf8')).metadata.name).toBe('New name');

  // The renamed cluster is still the open one, and what reopens after a reload, edits and all.
  await app.reload();
  await expect(app.getByTestId('cluster-name')).toHaveText('New name');
  await expect(app.getByTestId('node-worker1')).toContainText('10.9.0.2');
  await app.getByTestId('palette-worker').click();
  await expect(app.getByTestId('save-status')).toHaveAttribute('data-state', 'saved');
  expect(parse(readFileSync(file('new-name'), 'utf8')).spec.hosts).toHaveLength(2);
});

test('a deleted cluster comes back from Recently deleted with its deploy state, never over one of its name', async ({
  app,
}) => {
  await createFrom(app, 'Keep me', 'keepalived + haproxy on 3 control planes');
  const state = join(workspace, 'keep-me.deploy');
  mkdirSync(state);
  writeFileSync(join(state, 'deployed.json'), '{"hosts":[]}');
  await app.getByTestId('clusters-menu').click();
  const menu = app.getByRole('dialog', { name: 'Clusters' });
  await menu.getByRole('button', { name: 'Delete Keep me' }).click();
  await menu.getByRole('button', { name: 'Move to trash' }).click();
  await expect(app.getByTestId('cluster-name')).toHaveText('No cluster open');
  expect(existsSync(file('keep-me'))).toBe(false);
  expect(existsSync(state)).toBe(false);

  const start = app.getByTestId('start-screen');
  const trash = start.getByTestId('trash');
  await expect(trash.getByTestId('trash-keep-me')).toContainText('with its deploy state');
  await trash.getByRole('button', { name: 'Restore Keep me' }).click();
  await expect(start.getByTestId('trash-keep-me')).toHaveCount(0);
  expect(readFileSync(join(state, 'deployed.json'), 'utf8')).toBe('{"hosts":[]}');
  await start.getByTestId('cluster-keep-me').getByRole('button', { name: 'Keep me', exact: true }).click();
  await expect(app.getByTestId('cluster-name')).toHaveText('Keep me');
  await expect(app.getByTestId('node-cp3')).toBeVisible();

  // Deleted again, and a new cluster takes the name: restoring would replace it, so it is refused.
  await app.getByTestId('clusters-menu').click();
  await menu.getByRole('button', { name: 'Delete Keep me' }).click();
  await menu.getByRole('button', { name: 'Move to trash' }).click();
  await app.keyboard.press('Escape');
  await createFrom(app, 'keep me', 'Empty cluster');
  await app.getByTestId('clusters-menu').click();
  await menu.getByRole('button', { name: 'Restore Keep me' }).click();
  await expect(menu.getByRole('alert')).toHaveText(
    'Could not restore: cannot restore "keep-me": a cluster with this name (keep-me.keelson.yaml) exists now. Rename or delete it first, then restore.',
  );
  expect(parse(readFileSync(file('keep-me'), 'utf8')).metadata.name).toBe('keep me');
  await expect(menu.getByTestId('trash-keep-me')).toBeVisible();
});

test('Recently deleted: Delete forever asks first and erases one entry; Empty trash erases them all', async ({
  app,
}) => {
  await createFrom(app, 'Purge me', 'Empty cluster');
  mkdirSync(join(workspace, 'purge-me.deploy'));
  writeFileSync(join(workspace, 'purge-me.deploy', 'deployed.json'), '{"hosts":[]}');
  mkdirSync(join(home, 'kubeconfig'), { recursive: true });
  writeFileSync(join(home, 'kubeconfig', 'purge-me.yaml'), 'apiVersion: v1\n');
  await app.getByTestId('clusters-menu').click();
  const menu = app.getByRole('dialog', { name: 'Clusters' });
  await menu.getByLabel('Cluster name').fill('Bring back');
  await menu.getByRole('button', { name: 'Create cluster' }).click();
  await expect(app.getByTestId('cluster-name')).toHaveText('Bring back');
  await expect(menu).toBeHidden(); // closed after the list is re-read; a click before would shut it
  await app.getByTestId('clusters-menu').click();
  for (const name of ['Bring back', 'Purge me']) {
    await menu.getByRole('button', { name: `Delete ${name}` }).click();
    await menu.getByRole('button', { name: 'Move to trash' }).click();
    await expect(menu.getByTestId('trash').getByRole('button', { name: `Restore ${name}` })).toBeVisible();
  }
  await app.keyboard.press('Escape');
  const trashDir = join(workspace, '.trash');
  const trashId = readdirSync(trashDir)
    .find((n) => n.startsWith('purge-me.') && n.endsWith('.keelson.yaml'))!
    .replace(/\.keelson\.yaml$/, '');
  const pieces = [
    join(trashDir, `${trashId}.keelson.yaml`),
    join(trashDir, `${trashId}.deploy`, 'deployed.json'),
    join(home, 'kubeconfig', `purge-me.yaml.deleted-${trashId}`),
  ];
  for (const piece of pieces) expect(existsSync(piece), piece).toBe(true);

  // Asked first, with focus on the safe answer; keeping it puts focus back on the button.
  const start = app.getByTestId('start-screen');
  const row = start.getByTestId('trash-purge-me');
  await row.getByRole('button', { name: 'Delete forever Purge me' }).click();
  const confirm = row.getByTestId('purge-confirm');
  await expect(confirm).toContainText('Delete forever Purge me? This cannot be undone.');
  await expect(confirm.getByRole('button', { name: 'Keep it' })).toBeFocused();
  await app.keyboard.press('Enter');
  await expect(confirm).toHaveCount(0);
  const forever = row.getByRole('button', { name: 'Delete forever Purge me' });
  await expect(forever).toBeFocused();
  expect(await forever.evaluate((el) => el.matches(':focus-visible'))).toBe(true);
  for (const piece of pieces) expect(existsSync(piece), piece).toBe(true);

  // The keyboard alone: ask again, step back from Keep it to Delete forever, confirm.
  await app.keyboard.press('Enter');
  await expect(confirm.getByRole('button', { name: 'Keep it' })).toBeFocused();
  await app.keyboard.press('Shift+Tab');
  await expect(confirm.getByRole('button', { name: 'Delete forever', exact: true })).toBeFocused();
  await app.keyboard.press('Enter');
  await expect(row).toHaveCount(0);
  // Focus moves to the row that took its place, not to the page.
  await expect(
    start
      .getByTestId('trash')
      .getByRole('button', { name: /^Delete forever / })
      .first(),
  ).toBeFocused();
  for (const piece of pieces) expect(existsSync(piece), piece).toBe(false);
  expect(existsSync(join(trashDir, `${trashId}.deploy`))).toBe(false);

  // The other entry is untouched and still comes back.
  await start.getByRole('button', { name: 'Restore Bring back' }).click();
  await expect(start.getByTestId('cluster-bring-back')).toBeVisible();
  expect(existsSync(file('bring-back'))).toBe(true);

  // Empty trash takes every entry (this one and any earlier test left), after asking.
  await start.getByRole('button', { name: 'Delete Bring back' }).click();
  await start.getByRole('button', { name: 'Move to trash' }).click();
  const trash = start.getByTestId('trash');
  await trash.getByRole('button', { name: 'Empty trash' }).click();
  const emptying = trash.getByTestId('empty-trash-confirm');
  await expect(emptying).toContainText(
    /^Delete forever (the deleted cluster|all \d+ deleted clusters)\? This cannot be undone\./,
  );
  await emptying.getByRole('button', { name: 'Empty trash' }).click();
  await expect(trash).toHaveCount(0);
  await expect(start).toBeFocused(); // the list is gone: focus stays in the screen that held it
  await expect(start.getByRole('heading', { name: 'Recently deleted' })).toHaveCount(0);
  expect(readdirSync(trashDir)).toEqual([]);
  expect(readdirSync(join(home, 'kubeconfig')).filter((n) => n.includes('.deleted-'))).toEqual([]);
});
