import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from '@playwright/test';
import { expect, test } from './fixtures';

// Issue 15 items 11 and 14: nodes land where they can be seen and read, routes do not cut
// through hosts, and nothing on the canvas or in Properties is cut off or covered.
const home = mkdtempSync(join(tmpdir(), 'keelson-placement-'));
test.beforeAll(() => {
  process.env.KEELSON_HOME = home;
});
const mod = process.platform === 'darwin' ? 'Meta' : 'Control';

interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
}

const overlap = (a: Box, b: Box) =>
  a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;
const inside = (a: Box, b: Box) =>
  a.x >= b.x && a.y >= b.y && a.x + a.width <= b.x + b.width && a.y + a.height <= b.y + b.height;

async function newCluster(app: Page, name: string, template?: string) {
  const start = app.getByTestId('start-screen');
  await start.getByLabel('Cluster name').fill(name);
  if (template) await start.getByLabel('Start from').selectOption({ label: template });
  await start.getByRole('button', { name: 'Create cluster' }).click();
  await expect(app.getByTestId('cluster-name')).toHaveText(name);
  await expect(app.getByTestId('canvas')).toBeVisible();
}

async function drop(app: Page, kind: string, x: number, y: number) {
  await app.dragAndDrop(`[data-testid="palette-${kind}"]`, '[data-testid="canvas"]', {
    targetPosition: { x, y },
  });
}

const box = async (app: Page, id: string) => (await app.getByTestId(`node-${id}`).boundingBox())!;

test('a node dropped onto another, or at the canvas’s edge, lands free and in view', async ({ app }) => {
  await newCluster(app, 'drops');
  const canvas = (await app.getByTestId('canvas').boundingBox())!;
  await drop(app, 'control-plane', 300, 250);
  await drop(app, 'control-plane', 300, 250);
  await drop(app, 'control-plane', 310, 240);
  const boxes = [await box(app, 'cp1'), await box(app, 'cp2'), await box(app, 'cp3')];
  for (let i = 0; i < boxes.length; i++)
    for (let j = i + 1; j < boxes.length; j++)
      expect(overlap(boxes[i]!, boxes[j]!), `cp${i + 1} and cp${j + 1} overlap`).toBe(false);
  // Still near where it was dropped: the nearest free spot, not somewhere far off.
  const centre = (b: Box) => ({ x: b.x + b.width / 2 - canvas.x, y: b.y + b.height / 2 - canvas.y });
  expect(Math.hypot(centre(boxes[1]!).x - 300, centre(boxes[1]!).y - 250)).toBeLessThan(250);

  // Dropped in the canvas's bottom-right corner: the whole node is inside the canvas.
  await drop(app, 'worker', canvas.width - 4, canvas.height - 4);
  expect(inside(await box(app, 'worker1'), canvas)).toBe(true);
  // Clicked in the palette with the middle of the view taken: free, and in view.
  await app.getByTestId('zoom-to-fit').click();
  await app.getByTestId('palette-worker').click();
  const added = await box(app, 'worker2');
  expect(inside(added, canvas)).toBe(true);
  for (const id of ['cp1', 'cp2', 'cp3', 'worker1']) expect(overlap(added, await box(app, id))).toBe(false);
});

test('pasted copies are offset from the originals and from each other', async ({ app }) => {
  await newCluster(app, 'pastes');
  await drop(app, 'control-plane', 300, 250);
  await app.getByTestId('node-cp1').click();
  await app.keyboard.press(`${mod}+c`);
  await app.keyboard.press(`${mod}+v`);
  await expect(app.getByTestId('node-cp2')).toBeVisible();
  await app.keyboard.press(`${mod}+v`);
  await expect(app.getByTestId('node-cp3')).toBeVisible();
  const boxes = [await box(app, 'cp1'), await box(app, 'cp2'), await box(app, 'cp3')];
  for (let i = 0; i < boxes.length; i++)
    for (let j = i + 1; j < boxes.length; j++) {
      const dx = Math.abs(boxes[i]!.x - boxes[j]!.x);
      const dy = Math.abs(boxes[i]!.y - boxes[j]!.y);
      expect(Math.min(dx, dy), `cp${i + 1} and cp${j + 1} are apart`).toBeGreaterThanOrEqual(20);
    }
});

test('auto-layout reads left to right in name order, worker10 after worker9', async ({ app }) => {
  await newCluster(app, 'order', 'keepalived + haproxy on 3 control planes');
  // Renamed so that creation order and plain text order both differ from name order.
  const rename = async (from: string, to: string) => {
    await app.getByTestId(`node-${from}`).click();
    const name = app.getByLabel('Properties').getByLabel('Name', { exact: true });
    await name.fill(to);
    await name.press('Enter');
    await expect(app.getByTestId(`node-${to}`)).toBeVisible();
  };
  await rename('worker1', 'worker10');
  await rename('cp1', 'cp4');
  await app.getByTestId('auto-layout').click();
  const leftToRight = async (ids: string[]) => {
    const xs = await Promise.all(ids.map(async (id) => (await box(app, id)).x));
    return ids
      .map((id, i) => ({ id, x: xs[i]! }))
      .sort((a, b) => a.x - b.x)
      .map((e) => e.id);
  };
  expect(await leftToRight(['worker10', 'worker2'])).toEqual(['worker2', 'worker10']);
  expect(await leftToRight(['cp4', 'cp3', 'cp2'])).toEqual(['cp2', 'cp3', 'cp4']);
  // One row per tier.
  expect((await box(app, 'cp2')).y).toBe((await box(app, 'cp4')).y);
});

test('SSH routes from the bastion cross no other node', async ({ app }) => {
  await newCluster(app, 'routes', 'node-local nginx behind a bastion');
  for (const layout of ['opened', 'auto-layout']) {
    if (layout === 'auto-layout') await app.getByTestId('auto-layout').click();
    await expect(app.locator('.react-flow__edge.edge-ssh')).toHaveCount(6);
    const crossings = await app.evaluate(() => {
      const nodes = [...document.querySelectorAll<HTMLElement>('.react-flow__node')].map((n) => ({
        id: n.dataset.id!,
        r: n.getBoundingClientRect(),
      }));
      const found: string[] = [];
      for (const edge of document.querySelectorAll<SVGGElement>('.react-flow__edge.edge-ssh')) {
        const [, from, to] = /SSH route (\S+) → (\S+)/.exec(edge.getAttribute('aria-label') ?? '')!;
        const path = edge.querySelector<SVGPathElement>('path.react-flow__edge-path')!;
        const matrix = path.getScreenCTM()!;
        const length = path.getTotalLength();
        for (let at = 0; at <= length; at += 3) {
          const p = new DOMPoint(path.getPointAtLength(at).x, path.getPointAtLength(at).y).matrixTransform(
            matrix,
          );
          for (const { id, r } of nodes)
            if (id !== from && id !== to && p.x > r.left && p.x < r.right && p.y > r.top && p.y < r.bottom)
              found.push(`${from}→${to} crosses ${id}`);
        }
      }
      return [...new Set(found)];
    });
    expect(crossings, `after ${layout}`).toEqual([]);
  }
});

test('the VIP’s error badge does not cover its address', async ({ app }) => {
  await newCluster(app, 'badge', 'keepalived + haproxy on 3 control planes');
  await app.getByTestId('node-vip').click();
  // A typo in the VIP: an error badge, and the longest address text the node shows.
  await app.getByLabel('Properties').getByLabel('VIP', { exact: true }).fill('10.7.0.1000');
  const vip = app.getByTestId('node-vip');
  await expect(vip.getByTestId('badge-errors')).toBeVisible();
  await expect(vip.locator('.node-address')).toHaveText('10.7.0.1000:8443');
  const text = await vip.locator('.node-address').evaluate((el) => {
    const range = document.createRange();
    range.selectNodeContents(el);
    return [...range.getClientRects()].map((r) => ({ x: r.x, y: r.y, width: r.width, height: r.height }));
  });
  const badge = (await vip.getByTestId('badge-errors').boundingBox())!;
  const node = (await vip.boundingBox())!;
  for (const line of text) {
    expect(overlap(line, badge), `address line ${JSON.stringify(line)} under the badge`).toBe(false);
    expect(inside(line, node)).toBe(true);
  }
  // The address wraps between address and port, never inside a number: read it line by line.
  const lines = await vip.locator('.node-address').evaluate((el) => {
    const byTop = new Map<number, string>();
    const walker = document.createTreeWalker(el, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode())
      for (let i = 0; i < node.textContent!.length; i++) {
        const range = document.createRange();
        range.setStart(node, i);
        range.setEnd(node, i + 1);
        const top = Math.round(range.getBoundingClientRect().top);
        byTop.set(top, (byTop.get(top) ?? '') + node.textContent![i]);
      }
    return [...byTop.entries()].sort((a, b) => a[0] - b[0]).map(([, text]) => text);
  });
  expect(lines).toEqual(['10.7.0.1000', ':8443']);
  await app.getByLabel('Properties').getByLabel('VIP', { exact: true }).fill('fd00::10');
  await expect(vip.locator('.node-address')).toHaveText('[fd00::10]:8443');
});

test('the endpoint pattern in cluster properties shows its whole text, however narrow the panel', async ({
  app,
}) => {
  await newCluster(app, 'patterns', 'node-local nginx behind a bastion');
  const select = app.getByTestId('cluster-properties').getByRole('combobox', { name: /^Pattern/ });
  await expect(select).toBeVisible();
  // Every choice, measured in the select's own font against the room the closed select gives it.
  const cut = () =>
    select.evaluate((el: HTMLSelectElement) => {
      const style = getComputedStyle(el);
      const ctx = document.createElement('canvas').getContext('2d')!;
      ctx.font = `${style.fontWeight} ${style.fontSize} ${style.fontFamily}`;
      // The drop-down arrow takes about a line's height at the right.
      const room =
        el.clientWidth -
        parseFloat(style.paddingLeft) -
        parseFloat(style.paddingRight) -
        parseFloat(style.fontSize) * 1.5;
      return [...el.options]
        .filter((o) => ctx.measureText(o.text).width > room)
        .map((o) => `${o.text} (${Math.round(ctx.measureText(o.text).width)} > ${Math.round(room)})`);
    });
  expect(await cut()).toEqual([]);
  // The Properties panel at its narrowest: its divider moved right by the keyboard until the
  // panel folds, then one step back, which opens it at its minimum width.
  const panel = app.getByLabel('Properties', { exact: true });
  const before = (await panel.boundingBox())!.width;
  await app.getByRole('separator', { name: 'Resize properties' }).focus();
  for (let i = 0; i < 40 && (await panel.count()) > 0; i++) await app.keyboard.press('ArrowRight');
  await app.keyboard.press('ArrowLeft');
  await expect(select).toBeVisible();
  expect((await panel.boundingBox())!.width).toBeLessThan(before - 30);
  expect(await cut()).toEqual([]);
});

test('Test connection’s result scrolls into view when it arrives', async ({ app }) => {
  await app.setViewportSize({ width: 1024, height: 700 });
  await newCluster(app, 'reach');
  await drop(app, 'worker', 300, 200);
  await app.getByTestId('node-worker1').click();
  const props = app.getByLabel('Properties');
  await props.getByLabel('Address', { exact: true }).fill('127.0.0.1');
  // Port 1: nothing listens, so the answer (an error) comes at once.
  await props.getByLabel('SSH port', { exact: true }).fill('1');
  const section = app.getByTestId('test-connection');
  // The panel scrolled to its top, the button clicked where it is (no scrolling by Playwright).
  await section.evaluate((el) => {
    for (let e: Element | null = el; e; e = e.parentElement) e.scrollTop = 0;
  });
  await section
    .getByRole('button', { name: 'Test connection' })
    .evaluate((b: HTMLButtonElement) => b.click());
  const result = section.getByRole('alert');
  await expect(result).toBeVisible();
  // Within the panel's visible box once the scroll has settled.
  const scroller = await section.evaluate((el) => {
    let e: HTMLElement | null = el.parentElement;
    while (e && e.scrollHeight <= e.clientHeight) e = e.parentElement;
    const r = (e ?? document.documentElement).getBoundingClientRect();
    return { x: r.x, y: r.y, width: r.width, height: r.height };
  });
  await expect
    .poll(async () => {
      const r = (await result.boundingBox())!;
      return r.y >= scroller.y - 1 && r.y + r.height <= scroller.y + scroller.height + 1;
    })
    .toBe(true);
});
