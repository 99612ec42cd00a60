import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
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

test('rename and delete from the clusters menu', async ({ app }) => {
  await createFrom(app, 'Old name', 'Empty cluster');
  await app.getByTestId('palette-worker').click();
  await app.getByLabel('Properties').getByLabel('Address', { exact: true }).fill('10.9.0.2');
  await expect(app.getByTestId('save-status')).toHaveAttribute('data-state', 'saved');
  await app.getByTestId('clusters-menu').click();
  const menu = app.getByRole('dialog', { name: 'Clusters' });
  await menu.getByRole('button', { name: 'Rename old-name' }).click();
  await menu.getByLabel('New file name').fill('new-name');
  await menu.getByRole('button', { name: 'Save name' }).click();
  await expect(menu.getByTestId('cluster-new-name')).toBeVisible();
  expect(existsSync(file('new-name'))).toBe(true);
  expect(existsSync(file('old-name'))).toBe(false);

  // The renamed cluster is still the open one, and what reopens after a reload.
  await app.reload();
  await expect(app.getByTestId('cluster-name')).toHaveText('Old name');
  await expect(app.getByTestId('node-worker1')).toContainText('10.9.0.2');

  await app.getByTestId('clusters-menu').click();
  await menu.getByRole('button', { name: 'Delete new-name' }).click();
  await menu.getByRole('button', { name: 'Delete for good' }).click();
  await expect(app.getByTestId('start-screen')).toBeVisible();
  await expect(app.getByTestId('cluster-name')).toHaveText('No cluster open');
  expect(existsSync(file('new-name'))).toBe(false);
});
