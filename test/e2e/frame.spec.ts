import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Locator, Page } from '@playwright/test';
import { expect, test, createFromTemplate } from './fixtures';

// Issue 15 item 2: panels that make room, sizes remembered, and a Plan that covers the canvas.
const home = mkdtempSync(join(tmpdir(), 'keelson-frame-'));
test.beforeAll(() => {
  process.env.KEELSON_HOME = home;
});

const mod = process.platform === 'darwin' ? 'Meta' : 'Control';

async function box(locator: Locator) {
  const b = await locator.boundingBox();
  if (!b) throw new Error('not on screen');
  return b;
}

/** Drags a splitter by (dx, dy) with the mouse, as a user would. */
async function dragSplitter(app: Page, name: string, dx: number, dy: number) {
  const b = await box(app.getByRole('separator', { name }));
  const x = b.x + b.width / 2;
  const y = b.y + b.height / 2;
  await app.mouse.move(x, y);
  await app.mouse.down();
  await app.mouse.move(x + dx / 2, y + dy / 2);
  await app.mouse.move(x + dx, y + dy);
  await app.mouse.up();
}

/** The layout the library saved for a group (percentages by panel id), once it has saved one. */
async function savedLayout(app: Page, group: string): Promise<Record<string, number>> {
  const text = await app.evaluate((key) => localStorage.getItem(key), `react-resizable-panels:${group}`);
  return text ? (JSON.parse(text) as Record<string, number>) : {};
}

test('the bottom and side panels resize, fold, and open as they were left after a reload', async ({
  app,
}) => {
  await createFromTemplate(app, 'Roomy', 'keepalived + haproxy on 3 control planes');
  const bottom = app.getByLabel('Bottom panel', { exact: true });
  const canvas = app.getByLabel('Topology canvas');
  const before = await box(bottom);
  expect(before.height).toBeGreaterThan(200);
  expect(before.height).toBeLessThan(240);

  // Drag the divider up: the bottom panel grows by what the canvas gives up.
  const canvasBefore = await box(canvas);
  await dragSplitter(app, 'Resize bottom panel', 0, -150);
  const taller = await box(bottom);
  expect(taller.height).toBeGreaterThan(before.height + 130);
  expect((await box(canvas)).height).toBeLessThan(canvasBefore.height - 130);

  // The properties divider answers the keyboard too (WAI-ARIA window splitter).
  const propsBefore = await box(app.getByLabel('Properties', { exact: true }));
  await app.getByRole('separator', { name: 'Resize properties' }).focus();
  for (let i = 0; i < 5; i++) await app.keyboard.press('ArrowLeft');
  const propsWider = await box(app.getByLabel('Properties', { exact: true }));
  expect(propsWider.width).toBeGreaterThan(propsBefore.width + 20);

  // Fold the palette: a rail stays to bring it back, and the canvas takes the room.
  const wideBefore = (await box(canvas)).width;
  await app.getByTestId('collapse-palette').click();
  await expect(app.getByLabel('Palette', { exact: true })).toHaveCount(0);
  await expect(app.getByTestId('expand-palette')).toBeVisible();
  expect((await box(canvas)).width).toBeGreaterThan(wideBefore + 100);

  // Everything comes back as it was left (the library saves a moment after the last change).
  await expect.poll(async () => (await savedLayout(app, 'keelson.frame.columns')).palette).toBeLessThan(4);
  await expect.poll(async () => (await savedLayout(app, 'keelson.frame.rows')).bottom).toBeGreaterThan(40);
  await app.reload();
  await expect(app.getByTestId('expand-palette')).toBeVisible();
  const reloaded = await box(app.getByLabel('Bottom panel', { exact: true }));
  expect(Math.abs(reloaded.height - taller.height)).toBeLessThan(4);
  // The last cluster used opens by itself.
  await expect(app.getByTestId('node-cp1')).toBeVisible();
  expect(
    Math.abs((await box(app.getByLabel('Properties', { exact: true }))).width - propsWider.width),
  ).toBeLessThan(4);

  await app.getByTestId('expand-palette').click();
  await expect(app.getByLabel('Palette', { exact: true })).toBeVisible();

  // Fold the bottom panel to its tab strip; asking for a tab unfolds it.
  await app.getByTestId('toggle-bottom').click();
  await expect(app.getByTestId('panel-problems')).toBeHidden();
  const folded = await box(app.getByLabel('Bottom panel', { exact: true }));
  expect(folded.height).toBeLessThan(40);
  await expect(app.getByTestId('tab-terminals')).toBeVisible();
  await expect.poll(async () => (await savedLayout(app, 'keelson.frame.rows')).bottom).toBeLessThan(10);
  await app.reload();
  await expect(app.getByTestId('toggle-bottom')).toHaveAttribute('aria-expanded', 'false');
  await app.getByTestId('tab-deploy').click();
  await expect(app.getByTestId('panel-deploy')).toBeVisible();
  expect((await box(app.getByLabel('Bottom panel', { exact: true }))).height).toBeGreaterThan(300);
});

test('the Plan is a full-width view in which the canvas cannot be edited', async ({ app }) => {
  await createFromTemplate(app, 'Planned', 'keepalived + haproxy on 3 control planes');
  await app.getByTestId('node-cp1').click();
  await app.keyboard.press(`${mod}+a`);
  await expect(app.getByLabel('Properties', { exact: true })).toContainText('nodes selected');

  await app.getByTestId('open-plan').click();
  const plan = app.getByTestId('plan-view');
  await expect(plan).toBeVisible();
  // Neither side panel is there, so nothing in them can act; the plan has the full width.
  await expect(app.getByLabel('Properties', { exact: true })).toHaveCount(0);
  await expect(app.getByLabel('Palette', { exact: true })).toHaveCount(0);
  await expect(app.getByRole('button', { name: /Delete \d+ nodes/ })).toHaveCount(0);
  const viewport = app.viewportSize()!;
  expect((await box(plan)).width).toBeGreaterThan(viewport.width - 4);

  // Keys that edit the canvas do nothing while it is covered.
  await app.locator('body').click({ position: { x: 5, y: viewport.height - 5 } });
  await app.keyboard.press('Delete');
  await app.keyboard.press(`${mod}+v`);
  await app.getByTestId('plan-back').click();
  for (const id of ['cp1', 'cp2', 'cp3', 'worker1', 'worker2', 'vip'])
    await expect(app.getByTestId(`node-${id}`)).toBeVisible();
  await expect(app.getByLabel('Properties', { exact: true })).toContainText('6 nodes selected');
});
