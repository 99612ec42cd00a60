import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from '@playwright/test';
import { expect, test } from './fixtures';

// Issue 15 items 3 and 6: the Plan tree lists serial phases in the order they run, and is one
// keyboard-operable WAI-ARIA tree rather than dozens of Tab stops.
const home = mkdtempSync(join(tmpdir(), 'keelson-plan-tree-'));
test.beforeAll(() => {
  process.env.KEELSON_HOME = home;
});

async function openPlan(app: Page, name: string) {
  const start = app.getByTestId('start-screen');
  await start.getByLabel('Cluster name').fill(name);
  await start.getByLabel('Start from').selectOption({ label: 'keepalived + haproxy on 3 control planes' });
  await start.getByRole('button', { name: 'Create cluster' }).click();
  await expect(app.getByTestId('node-cp1')).toBeVisible();
  await app.getByTestId('open-plan').click();
  await expect(app.getByTestId('plan-tree')).toBeVisible();
}

/** data-key of the element that has focus. */
const focused = (app: Page) =>
  app.evaluate(() => (document.activeElement as HTMLElement | null)?.dataset.key);

test('the other control planes are listed in the order they join: upload, join, upload, join', async ({
  app,
}) => {
  await openPlan(app, 'Serial');
  const phase = app.locator('[data-key="plan-phase-control-plane-join"]');
  const steps = await phase
    .locator('.tree-leaf')
    .evaluateAll((els) => els.map((el) => (el as HTMLElement).dataset.key!.slice('plan-step-'.length)));
  expect(steps).toEqual([
    'control-plane-join/upload-certs/cp2',
    'control-plane-join/kubeadm-join/cp2',
    'control-plane-join/upload-certs/cp3',
    'control-plane-join/kubeadm-join/cp3',
  ]);
  // Each is shown with the host it runs on: the certificates are uploaded from cp1.
  await expect(phase.locator('.tree-leaf').nth(0)).toHaveText('cp1');
  await expect(phase.locator('.tree-leaf').nth(1)).toHaveText('cp2');
  await expect(phase.locator('.tree-leaf').nth(2)).toHaveText('cp1');
});

test('the plan tree is one Tab stop and is walked with the arrow keys', async ({ app }) => {
  await openPlan(app, 'Keys');
  const tree = app.getByTestId('plan-tree');
  await expect(tree.locator('[tabindex="0"]')).toHaveCount(1);
  expect(await tree.locator('[role="treeitem"]').count()).toBeGreaterThan(40);

  // Tab from the last control before the tree lands on its first row; one more Tab leaves the tree.
  await app.getByTestId('plan-download').focus();
  await app.keyboard.press('Tab');
  expect(await focused(app)).toBe('plan-phase-preflight');

  await app.keyboard.press('ArrowDown');
  expect(await focused(app)).toBe('plan-group-preflight/preflight');
  await app.keyboard.press('ArrowDown');
  const firstStep = await focused(app);
  expect(firstStep).toMatch(/^plan-step-preflight\//);
  // Enter shows the step.
  await app.keyboard.press('Enter');
  await expect(app.getByTestId('plan-step-details')).toBeVisible();
  await expect(app.locator(`[data-key="${firstStep}"]`)).toHaveAttribute('aria-selected', 'true');

  // ← on a step goes to its group; ← again closes the group; → opens it; → enters it.
  await app.keyboard.press('ArrowLeft');
  expect(await focused(app)).toBe('plan-group-preflight/preflight');
  await app.keyboard.press('ArrowLeft');
  await expect(app.locator('[data-key="plan-group-preflight/preflight"]')).toHaveAttribute(
    'aria-expanded',
    'false',
  );
  await app.keyboard.press('ArrowDown');
  expect(await focused(app)).toBe('plan-phase-os-prep');
  await app.keyboard.press('ArrowUp');
  await app.keyboard.press('ArrowRight');
  await expect(app.locator('[data-key="plan-group-preflight/preflight"]')).toHaveAttribute(
    'aria-expanded',
    'true',
  );
  await app.keyboard.press('ArrowRight');
  expect(await focused(app)).toBe(firstStep);

  // End and Home jump; Tab leaves the tree in one step.
  await app.keyboard.press('End');
  expect(await focused(app)).toMatch(/^plan-step-verify\//);
  await app.keyboard.press('Home');
  expect(await focused(app)).toBe('plan-phase-preflight');
  await app.keyboard.press('Tab');
  expect(await app.evaluate(() => document.activeElement?.closest('[role="tree"]') === null)).toBe(true);
});
