import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from '@playwright/test';
import { expect, test, createFromTemplate } from './fixtures';

// Issue 15 item 1: nothing hides a node — not the minimap, not the zoom buttons, not the tools.
const home = mkdtempSync(join(tmpdir(), 'keelson-overlays-'));
test.beforeAll(() => {
  process.env.KEELSON_HOME = home;
});

/**
 * Every node that is not fully clear: outside the canvas, under an overlay, or whose centre
 * a click would not reach. Empty means every node can be seen and clicked.
 */
function hiddenNodes(app: Page): Promise<string[]> {
  return app.evaluate(() => {
    const canvas = document.querySelector('[data-testid="canvas"]')!.getBoundingClientRect();
    const overlays = [...document.querySelectorAll('.canvas-overlay')].map((el) =>
      el.getBoundingClientRect(),
    );
    const problems: string[] = [];
    for (const node of document.querySelectorAll<HTMLElement>('.react-flow__node')) {
      const r = node.getBoundingClientRect();
      const id = node.dataset.id!;
      if (r.left < canvas.left || r.right > canvas.right || r.top < canvas.top || r.bottom > canvas.bottom)
        problems.push(`${id} outside the canvas`);
      for (const o of overlays)
        if (r.left < o.right && r.right > o.left && r.top < o.bottom && r.bottom > o.top)
          problems.push(`${id} under an overlay`);
      const hit = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
      if (!hit || !node.contains(hit)) problems.push(`${id} does not take its click`);
    }
    return problems;
  });
}

for (const size of [
  { width: 1024, height: 700 },
  { width: 1920, height: 1080 },
]) {
  test(`at ${size.width}×${size.height} the opened design and Zoom to fit leave every node clear of overlays`, async ({
    app,
  }) => {
    await app.setViewportSize(size);
    await createFromTemplate(app, `Clear ${size.width}`, 'LB pair + external etcd');
    await expect(app.getByTestId('node-worker2')).toBeVisible();
    await expect(app.locator('.react-flow__node')).toHaveCount(11);
    await expect.poll(() => hiddenNodes(app)).toEqual([]);

    // With the minimap showing (at 1024×700 it starts folded), fitting still keeps every node clear.
    if ((await app.locator('.react-flow__minimap').count()) === 0)
      await app.getByTestId('toggle-minimap').click();
    await expect(app.locator('.react-flow__minimap')).toBeVisible();
    await app.getByTestId('zoom-to-fit').click();
    await expect.poll(() => hiddenNodes(app)).toEqual([]);
    await app.getByTestId('auto-layout').click();
    await expect.poll(() => hiddenNodes(app)).toEqual([]);

    // The minimap scales with the canvas: a small part of it, never a third.
    const canvas = (await app.getByTestId('canvas').boundingBox())!;
    const minimap = (await app.locator('.react-flow__minimap').boundingBox())!;
    expect((minimap.width * minimap.height) / (canvas.width * canvas.height)).toBeLessThan(0.08);
  });
}

test('the minimap starts folded where there is no room for it, and the user’s choice is remembered', async ({
  app,
}) => {
  await app.setViewportSize({ width: 1024, height: 700 });
  await createFromTemplate(app, 'Small screen', 'keepalived + haproxy on 3 control planes');
  await expect(app.getByTestId('node-cp1')).toBeVisible();
  await expect(app.locator('.react-flow__minimap')).toHaveCount(0);
  await expect(app.getByTestId('toggle-minimap')).toHaveAttribute('aria-pressed', 'false');
  await app.getByTestId('toggle-minimap').click();
  await expect(app.locator('.react-flow__minimap')).toBeVisible();
  await app.reload();
  await expect(app.getByTestId('node-cp1')).toBeVisible();
  await expect(app.locator('.react-flow__minimap')).toBeVisible();

  // Folded on a big screen, it stays folded there too.
  await app.getByTestId('toggle-minimap').click();
  await app.setViewportSize({ width: 1920, height: 1080 });
  await app.reload();
  await expect(app.getByTestId('node-cp1')).toBeVisible();
  await expect(app.locator('.react-flow__minimap')).toHaveCount(0);
});
