import { mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, SCREENSHOT_DIR, test } from './fixtures';

// The frame at the smallest and a large screen, light and dark, with nothing covering a node.
// `KEELSON_DOCS_SCREENSHOTS=1 npx playwright test test/e2e/screenshots.spec.ts` writes them to
// docs/ (the README shows them); otherwise to test-results/, so a test run leaves docs/ alone.
// A workspace per screen size: two clusters from one template would flag each other's VIP.
test.beforeEach(() => {
  process.env.KEELSON_HOME = mkdtempSync(join(tmpdir(), 'keelson-screens-'));
});
const out = process.env.KEELSON_DOCS_SCREENSHOTS ? 'docs' : SCREENSHOT_DIR;

for (const size of [
  { width: 1024, height: 700 },
  { width: 1920, height: 1080 },
])
  test(`the canvas and the Plan at ${size.width}×${size.height}, light and dark`, async ({ app }) => {
    mkdirSync(out, { recursive: true });
    await app.setViewportSize(size);
    const start = app.getByTestId('start-screen');
    await start.getByLabel('Cluster name').fill(`prod-${size.width}`);
    await start.getByLabel('Start from').selectOption({ label: 'LB pair + external etcd' });
    await start.getByRole('button', { name: 'Create cluster' }).click();
    await expect(app.locator('.react-flow__node')).toHaveCount(11);
    await app.getByTestId('node-cp2').click();
    for (const scheme of ['light', 'dark'] as const) {
      await app.emulateMedia({ colorScheme: scheme });
      await expect(app.locator('html')).toHaveAttribute('data-theme', scheme);
      await app.getByTestId('zoom-to-fit').click();
      await app.waitForTimeout(400); // the fit animates for 200 ms
      await app.screenshot({ path: `${out}/canvas-${size.width}x${size.height}-${scheme}.png` });
    }
    await app.getByTestId('open-plan').click();
    await app.getByTestId('plan-step-control-plane-join/kubeadm-join/cp2').click();
    await expect(app.getByTestId('plan-step-details')).toBeVisible();
    for (const scheme of ['light', 'dark'] as const) {
      await app.emulateMedia({ colorScheme: scheme });
      await expect(app.locator('html')).toHaveAttribute('data-theme', scheme);
      await app.screenshot({ path: `${out}/plan-${size.width}x${size.height}-${scheme}.png` });
    }
  });

// The README's first picture and its Plan view: the most common design (3 masters, keepalived +
// haproxy), the cluster's own properties beside it, and the haproxy.cfg the Plan writes for cp1.
test('the README pictures: a 3-master keepalived + haproxy cluster and its Plan', async ({ app }) => {
  mkdirSync(out, { recursive: true });
  await app.setViewportSize({ width: 1400, height: 900 });
  await app.emulateMedia({ colorScheme: 'light' });
  const start = app.getByTestId('start-screen');
  await start.getByLabel('Cluster name').fill('lab');
  await start.getByLabel('Start from').selectOption({ label: 'keepalived + haproxy on 3 control planes' });
  await start.getByRole('button', { name: 'Create cluster' }).click();
  await expect(app.locator('.react-flow__node')).toHaveCount(6);
  await expect(app.getByTestId('cluster-properties')).toBeVisible();
  await app.getByTestId('zoom-to-fit').click();
  await app.waitForTimeout(400); // the fit animates for 200 ms
  await app.screenshot({ path: `${out}/screenshot.png` });
  await app.getByTestId('open-plan').click();
  await app.getByTestId('plan-step-load-balancer/haproxy/cp1').click();
  await expect(app.getByTestId('plan-step-details')).toContainText('haproxy.cfg');
  await app.screenshot({ path: `${out}/plan-view.png` });
});
