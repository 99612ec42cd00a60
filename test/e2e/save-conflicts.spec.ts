/**
 * No lost edits, in Chromium against the built browser-mode server: two tabs on one cluster
 * cannot silently overwrite each other (the second save is refused; the tab shows what differs
 * and offers Reload or Keep mine), and a full disk says so and keeps the work as a draft.
 */
import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from '@playwright/test';
import { parse } from 'yaml';
import { canMountTinyDisk, mountTinyDisk, type TinyDisk } from '../unit/support/tiny-disk';
import { createFromTemplate, expect, SCREENSHOT_DIR, test } from './fixtures';

const address = (app: Page) => app.getByLabel('Properties').getByLabel('Address', { exact: true });

async function setAddress(app: Page, node: string, value: string) {
  await app.getByTestId(`node-${node}`).click();
  await address(app).fill(value);
}

test.describe('two tabs on one cluster', () => {
  // Only a path here: Playwright also loads this file in its runner process.
  const home = join(tmpdir(), `keelson-e2e-conflicts-${randomBytes(4).toString('hex')}`);
  test.use({ serverEnv: { KEELSON_HOME: home } });
  test.afterAll(() => rmSync(home, { recursive: true, force: true }));
  const file = join(home, 'workspace', 'shared.keelson.yaml');
  const hostsOnDisk = () =>
    Object.fromEntries(
      (parse(readFileSync(file, 'utf8')).spec.hosts as { name: string; address: string }[]).map((h) => [
        h.name,
        h.address,
      ]),
    );

  test('a save based on an old version is refused; the tab shows what differs and offers Reload or Keep mine', async ({
    app: tabA,
    server,
  }) => {
    await createFromTemplate(tabA, 'Shared', 'keepalived + haproxy on 3 control planes');
    const original = hostsOnDisk();

    // The second tab reopens the last cluster used, as a new window would.
    const tabB = await tabA.context().newPage();
    await tabB.goto(server.url);
    await expect(tabB.getByTestId('cluster-name')).toHaveText('Shared');

    await setAddress(tabA, 'worker2', '10.77.0.91');
    await expect(tabA.getByTestId('save-status')).toHaveAttribute('data-state', 'saved');
    expect(hostsOnDisk().worker2).toBe('10.77.0.91');

    // Tab B still has the version before that edit: its save must not wipe tab A's.
    await setAddress(tabB, 'worker1', '10.77.0.92');
    const prompt = tabB.getByRole('alertdialog', { name: 'Changed elsewhere' });
    await expect(prompt).toBeVisible();
    await expect(tabB.getByTestId('save-status')).toHaveAttribute('data-state', 'conflict');
    expect(hostsOnDisk()).toEqual({ ...original, worker2: '10.77.0.91' }); // nothing written
    const rows = prompt.getByTestId('save-conflict-differences').locator('tbody tr');
    // The two addresses (and the layout, when the tabs placed the nodes differently).
    await expect(rows.filter({ hasText: 'address' })).toHaveCount(2);
    await expect(rows.filter({ hasText: 'host worker1: address' })).toContainText(
      `${original.worker1}10.77.0.92`,
    );
    await expect(rows.filter({ hasText: 'host worker2: address' })).toContainText(
      `10.77.0.91${original.worker2}`,
    );
    await prompt.screenshot({ path: `${SCREENSHOT_DIR}/save-conflict.png` });

    // Keep mine: tab B's version is written; tab A's is kept as a backup generation.
    await prompt.getByRole('button', { name: 'Keep mine' }).click();
    await expect(prompt).toHaveCount(0);
    await expect(tabB.getByTestId('save-status')).toHaveAttribute('data-state', 'saved');
    expect(hostsOnDisk()).toEqual({ ...original, worker1: '10.77.0.92' });
    const history = join(home, 'workspace', '.history', 'shared');
    const kept = readdirSync(history).map((n) => parse(readFileSync(join(history, n), 'utf8')));
    expect(kept.some((p) => p.spec.hosts.some((h: { address: string }) => h.address === '10.77.0.91'))).toBe(
      true,
    );

    // Tab A's next edit conflicts in turn; Reload takes the file's version and drops the edit.
    await setAddress(tabA, 'cp1', '10.77.0.93');
    const promptA = tabA.getByRole('alertdialog', { name: 'Changed elsewhere' });
    await expect(promptA).toBeVisible();
    await promptA.getByRole('button', { name: 'Reload theirs' }).click();
    await expect(promptA).toHaveCount(0);
    await expect(tabA.getByTestId('node-worker1')).toContainText('10.77.0.92');
    await expect(tabA.getByTestId('node-cp1')).toContainText(original.cp1!);
    expect(hostsOnDisk()).toEqual({ ...original, worker1: '10.77.0.92' });

    // From here on tab A saves on the version it reloaded.
    await setAddress(tabA, 'worker2', '10.77.0.94');
    await expect(tabA.getByTestId('save-status')).toHaveAttribute('data-state', 'saved');
    expect(hostsOnDisk()).toEqual({ ...original, worker1: '10.77.0.92', worker2: '10.77.0.94' });
    await tabB.close();
  });
});

test.describe('a full disk', () => {
  test.skip(!canMountTinyDisk(), 'mounting a tmpfs (a disk that really fills up) needs root');
  const home = join(tmpdir(), `keelson-e2e-fulldisk-${randomBytes(4).toString('hex')}`);
  test.use({ serverEnv: { KEELSON_HOME: home } });
  let disk: TinyDisk;
  test.beforeAll(() => {
    disk = mountTinyDisk(512, home);
  });
  test.afterAll(() => disk.unmount());

  test('says the disk is full (with the path), keeps the draft, and saves once there is room', async ({
    app,
  }) => {
    const start = app.getByTestId('start-screen');
    await start.getByLabel('Cluster name').fill('Full');
    await start.getByRole('button', { name: 'Create cluster' }).click();
    await app.getByTestId('palette-worker').click();
    await address(app).fill('10.9.0.2');
    const status = app.getByTestId('save-status');
    await expect(status).toHaveAttribute('data-state', 'saved');
    const file = join(home, 'workspace', 'full.keelson.yaml');
    const before = readFileSync(file, 'utf8');

    disk.fill();
    await address(app).fill('10.9.0.3');
    await expect(status).toHaveAttribute('data-state', 'failed');
    await expect(status).toContainText(`the disk is full (writing ${file})`);
    await expect(status).not.toContainText('Internal server error');
    expect(readFileSync(file, 'utf8')).toBe(before);

    // The edit survives a reload as a draft.
    await app.reload();
    await expect(app.getByTestId('notice')).toContainText('Restored changes');
    await expect(app.getByTestId('node-worker1')).toContainText('10.9.0.3');

    disk.free();
    await app.getByTestId('node-worker1').click();
    await address(app).fill('10.9.0.4');
    await expect(status).toHaveAttribute('data-state', 'saved');
    expect(parse(readFileSync(file, 'utf8')).spec.hosts[0].address).toBe('10.9.0.4');
  });
});
