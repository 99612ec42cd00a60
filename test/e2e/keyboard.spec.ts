import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from '@playwright/test';
import { parse } from 'yaml';
import { expect, test, createFromTemplate } from './fixtures';

// Issue 15 items 6 and 12: the canvas and its menus work from the keyboard; SSH routes are edges
// you can act on. (The Plan tree's keys are in plan-tree.spec.ts.)
const home = mkdtempSync(join(tmpdir(), 'keelson-keyboard-'));
test.beforeAll(() => {
  process.env.KEELSON_HOME = home;
});
const file = (id: string) => join(home, 'workspace', `${id}.keelson.yaml`);
const BASTION = 'node-local nginx behind a bastion';

const nodeWrapper = (app: Page, id: string) => app.locator(`.react-flow__node[data-id="${id}"]`);

/** What the user sees around the focused node: its box's ring, and whether the browser shows focus. */
const focusLook = (app: Page) =>
  app.evaluate(() => {
    const el = document.activeElement as HTMLElement;
    const box = el.querySelector('.topo-node');
    return {
      id: el.dataset.id,
      visible: el.matches(':focus-visible'),
      shadow: box ? getComputedStyle(box).boxShadow : 'none',
    };
  });

/** Puts keyboard focus on a node as Tab does: focus the one before it, then press Tab. */
async function tabToNode(app: Page, before: string) {
  await nodeWrapper(app, before).focus();
  await app.keyboard.press('Tab');
}

async function setTheme(app: Page, theme: 'light' | 'dark') {
  for (let i = 0; i < 3; i++) {
    if ((await app.evaluate(() => document.documentElement.dataset.theme)) === theme) return;
    await app.getByTestId('theme-toggle').click();
  }
  expect(await app.evaluate(() => document.documentElement.dataset.theme)).toBe(theme);
}

test('a node or SSH route with keyboard focus shows a ring, in the light and the dark theme', async ({
  app,
}) => {
  await createFromTemplate(app, 'Rings', BASTION);
  for (const theme of ['light', 'dark'] as const) {
    await setTheme(app, theme);
    const unfocused = await nodeWrapper(app, 'cp3')
      .locator('.topo-node')
      .evaluate((el) => getComputedStyle(el).boxShadow);
    await tabToNode(app, 'cp1');
    const look = await focusLook(app);
    expect(look.id).toBe('cp2');
    expect(look.visible).toBe(true);
    // A ring the others do not have, in a colour that is not the canvas's background.
    expect(look.shadow).not.toBe(unfocused);
    const background = await app.evaluate(() => getComputedStyle(document.body).backgroundColor);
    const ring = /rgb[a]?\([^)]*\)(?!.*rgb)/.exec(look.shadow)?.[0];
    expect(ring, `ring colour in ${look.shadow}`).toBeDefined();
    expect(ring).not.toBe(background);

    // Focus moving on (from a keyboard-focused node) to an SSH route draws it thick in the ring colour.
    const route = app.getByRole('group', { name: 'SSH route bastion → worker1' });
    const other = app.getByRole('group', { name: 'SSH route bastion → worker2' });
    await route.focus();
    const width = (edge: typeof route) =>
      edge.locator('.react-flow__edge-path').evaluate((p) => parseFloat(getComputedStyle(p).strokeWidth));
    expect(await width(route)).toBeGreaterThanOrEqual((await width(other)) + 2);
    const stroke = (edge: typeof route) =>
      edge.locator('.react-flow__edge-path').evaluate((p) => getComputedStyle(p).stroke);
    expect(await stroke(route)).toBe(ring);
  }
});

test('only SSH routes are Tab stops among the edges', async ({ app }) => {
  await createFromTemplate(app, 'Stops', BASTION);
  // Node-local edges (worker → control plane) cannot be acted on; the six SSH routes can.
  const routes = await app.locator('.react-flow__edge.edge-ssh').count();
  expect(routes).toBe(6);
  expect(await app.locator('.react-flow__edge.edge-local').count()).toBeGreaterThan(0);
  await expect(app.locator('.react-flow__edge[tabindex="0"]')).toHaveCount(routes);
  await expect(app.locator('.react-flow__edge.edge-ssh[tabindex="0"]')).toHaveCount(routes);
});

test('Esc closes a menu and gives focus back to what opened it', async ({ app }) => {
  await createFromTemplate(app, 'Menus', BASTION);
  const activeTestId = () =>
    app.evaluate(() => (document.activeElement as HTMLElement | null)?.dataset.testid);

  // The Clusters menu, opened from the keyboard.
  await app.getByTestId('clusters-menu').focus();
  await app.keyboard.press('Enter');
  const clusters = app.getByRole('dialog', { name: 'Clusters' });
  await expect(clusters).toBeVisible();
  await clusters.getByLabel('Cluster name').focus();
  await app.keyboard.press('Escape');
  await expect(clusters).toBeHidden();
  expect(await activeTestId()).toBe('clusters-menu');

  // A node's menu: focus starts on its first item, and Esc goes back to the node.
  await app.getByTestId('node-cp2').click({ button: 'right' });
  const menu = app.getByTestId('node-menu');
  await expect(menu).toBeVisible();
  await expect(menu.getByRole('menuitem').first()).toBeFocused();
  await app.keyboard.press('Escape');
  await expect(menu).toBeHidden();
  await expect(nodeWrapper(app, 'cp2')).toBeFocused();
  // The same menu from the keyboard alone (Shift+F10 on the focused node), next to that node.
  await app.keyboard.press('Shift+F10');
  await expect(menu).toBeVisible();
  const at = (await menu.boundingBox())!;
  const node = (await nodeWrapper(app, 'cp2').boundingBox())!;
  expect(Math.abs(at.y - (node.y + node.height))).toBeLessThan(30);
  await app.keyboard.press('Escape');
  await expect(nodeWrapper(app, 'cp2')).toBeFocused();

  // The Terminals tab's + menu.
  await app.getByTestId('tab-terminals').click();
  await app.getByTestId('new-terminal').click();
  await expect(app.getByTestId('new-terminal-local')).toBeVisible();
  await app.keyboard.press('Escape');
  await expect(app.getByTestId('new-terminal-local')).toBeHidden();
  expect(await activeTestId()).toBe('new-terminal');
});

test('arrow keys move the selected node and the view follows it', async ({ app }) => {
  await createFromTemplate(app, 'Arrows', BASTION);
  const canvas = (await app.getByTestId('canvas').boundingBox())!;
  const before = (await app.getByTestId('node-worker3').boundingBox())!;
  await app.getByTestId('node-worker3').click();
  // Shift+→ moves 20 px a press: far past the canvas's right edge.
  const presses = Math.ceil((canvas.x + canvas.width - before.x) / 20) + 20;
  for (let i = 0; i < presses; i++) await app.keyboard.press('Shift+ArrowRight');
  const after = (await app.getByTestId('node-worker3').boundingBox())!;
  expect(after.x).toBeGreaterThanOrEqual(canvas.x);
  expect(after.x + after.width).toBeLessThanOrEqual(canvas.x + canvas.width);
  expect(after.y).toBeGreaterThanOrEqual(canvas.y);
  expect(after.y + after.height).toBeLessThanOrEqual(canvas.y + canvas.height);
  // It really moved (the view panned to follow): the saved position is far to the right.
  await expect(app.getByTestId('save-status')).toHaveAttribute('data-state', 'saved');
  await expect
    .poll(() => parse(readFileSync(file('arrows'), 'utf8')).canvas.positions.worker3.x)
    .toBeGreaterThan(presses * 20 - 40);
});

test('an SSH route is selected and deleted from the keyboard, and the saved file loses it', async ({
  app,
}) => {
  await createFromTemplate(app, 'Routes', BASTION);
  // Only the bastion offers the handle a route is drawn from.
  await expect(app.locator('.react-flow__handle-right:not(.handle-hidden)')).toHaveCount(1);
  await expect(app.getByTestId('node-bastion').getByTestId('ssh-handle')).toHaveCount(1);

  await app.getByRole('group', { name: 'SSH route bastion → cp2' }).focus();
  await app.keyboard.press('Enter');
  await expect(app.getByTestId('ssh-route-properties')).toContainText('cp2');
  await app.keyboard.press('Backspace');
  await expect(app.locator('.react-flow__edge.edge-ssh')).toHaveCount(5);
  await expect(app.getByTestId('save-status')).toHaveAttribute('data-state', 'saved');
  await expect
    .poll(() => {
      const hosts = parse(readFileSync(file('routes'), 'utf8')).spec.hosts as {
        name: string;
        ssh?: { via?: string };
      }[];
      return hosts.filter((h) => h.ssh?.via).map((h) => h.name);
    })
    .toEqual(['cp1', 'cp3', 'worker1', 'worker2', 'worker3']);
});
