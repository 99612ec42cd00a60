import { mkdirSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from '@playwright/test';
import { parse } from 'yaml';
import { createFromTemplate, expect, SCREENSHOT_DIR, test } from './fixtures';

// The services run inside this test process (fixtures.ts): point the workspace at a fresh folder.
const home = mkdtempSync(join(tmpdir(), 'keelson-canvas-'));
// Set per file before its tests: every test's server is a fresh child that inherits it.
test.beforeAll(() => {
  process.env.KEELSON_HOME = home;
});
const workspace = join(home, 'workspace');

const mod = process.platform === 'darwin' ? 'Meta' : 'Control';

async function newCluster(app: Page, name: string) {
  await expect(app.getByTestId('start-screen')).toBeVisible();
  await app.getByTestId('start-screen').getByLabel('Cluster name').fill(name);
  await app.getByTestId('start-screen').getByRole('button', { name: 'Create cluster' }).click();
  await expect(app.getByTestId('cluster-name')).toHaveText(name);
  await expect(app.getByTestId('canvas')).toBeVisible();
}

/** A real HTML5 drag from the palette to a point of the canvas (Chromium dispatches dragstart/drop). */
async function drop(app: Page, kind: string, x: number, y: number) {
  await app.dragAndDrop(`[data-testid="palette-${kind}"]`, '[data-testid="canvas"]', {
    targetPosition: { x, y },
  });
}

async function select(app: Page, id: string, modifiers: ('Shift' | 'Control')[] = []) {
  await app.getByTestId(`node-${id}`).click({ modifiers });
}

async function setField(app: Page, label: string, value: string) {
  const input = app.getByLabel('Properties').getByLabel(label, { exact: true });
  await input.fill(value);
}

/** The node's position in flow coordinates, as React Flow places it (independent of zoom and pan). */
async function flowPosition(app: Page, id: string): Promise<string> {
  return app
    .locator(`.react-flow__node[data-id="${id}"]`)
    .evaluate((el) => (el as HTMLElement).style.transform);
}

/** Codes listed in the Problems tab, sorted. */
async function codes(app: Page): Promise<string[]> {
  const ids = await app
    .getByTestId('panel-problems')
    .locator('[data-testid^="problem-"]')
    .evaluateAll((els) => els.map((el) => el.getAttribute('data-testid')!.slice('problem-'.length)));
  return ids.sort();
}

function problem(app: Page, code: string) {
  return app.getByTestId('panel-problems').getByTestId(`problem-${code}`);
}

test('design a 3-CP cluster by drag and drop, fix every problem, and get it back after a reload', async ({
  app,
}) => {
  await newCluster(app, 'lab');
  // An empty design has nothing to deploy.
  await expect(problem(app, 'NO_HOSTS')).toBeVisible();

  await drop(app, 'control-plane', 200, 160);
  await drop(app, 'control-plane', 420, 160);
  await drop(app, 'control-plane', 640, 160);
  await drop(app, 'worker', 300, 330);
  await drop(app, 'worker', 540, 330);
  await drop(app, 'vip', 420, 40);
  // The empty cluster's endpoint is node-local (no VIP): the drop switched it, and says so.
  await expect(app.getByTestId('notice')).toContainText('switched to keepalived-haproxy');
  await app.getByTestId('notice').getByRole('button', { name: 'Dismiss' }).click();
  for (const id of ['cp1', 'cp2', 'cp3', 'worker1', 'worker2', 'vip'])
    await expect(app.getByTestId(`node-${id}`)).toBeVisible();
  // Dropped where the pointer let go: cp1 left of cp2, workers below the control planes.
  const cp1 = (await app.getByTestId('node-cp1').boundingBox())!;
  const cp2 = (await app.getByTestId('node-cp2').boundingBox())!;
  const w1 = (await app.getByTestId('node-worker1').boundingBox())!;
  expect(cp1.x).toBeLessThan(cp2.x);
  expect(w1.y).toBeGreaterThan(cp1.y);

  // Hosts without addresses and a VIP without an address are errors, badged on their nodes.
  await expect
    .poll(() => codes(app))
    .toEqual([...Array(5).fill('HOST_ADDRESS_INVALID'), 'VIP_MISSING', 'VRRP_ROUTER_ID_UNIQUE']);
  await expect(app.getByTestId('node-cp1').getByTestId('badge-errors')).toHaveText('1');
  await expect(app.getByTestId('node-vip').getByTestId('badge-errors')).toHaveText('1');
  await expect(app.getByTestId('problems-count')).toHaveText('6');

  const addresses: Record<string, string> = {
    cp1: '10.77.0.11',
    cp2: '10.77.0.12',
    cp3: '10.77.0.13',
    worker1: '10.77.0.21',
    worker2: '10.77.0.22',
  };
  for (const [id, address] of Object.entries(addresses)) {
    await select(app, id);
    await expect(app.getByTestId('host-properties').getByLabel('Name', { exact: true })).toHaveValue(id);
    await setField(app, 'Address', address);
    await expect(app.getByTestId(`node-${id}`)).toContainText(address);
    await expect(app.getByTestId(`node-${id}`).getByTestId('badge-errors')).toHaveCount(0);
  }
  await expect(problem(app, 'HOST_ADDRESS_INVALID')).toHaveCount(0);
  await expect(problem(app, 'VIP_MISSING')).toHaveCount(1);

  await select(app, 'vip');
  await expect(app.getByTestId('endpoint-properties')).toBeVisible();
  await setField(app, 'VIP', '10.77.0.10');
  // No errors or warnings left: only the standing keepalived reminder (an info) remains.
  await expect.poll(() => codes(app)).toEqual(['VRRP_ROUTER_ID_UNIQUE']);
  await expect(app.getByTestId('problems-count')).toHaveCount(0);

  // Autosave writes the file; Ctrl+S saves at once.
  await app.keyboard.press(`${mod}+s`);
  await expect(app.getByTestId('save-status')).toHaveAttribute('data-state', 'saved');
  const saved = parse(readFileSync(join(workspace, 'lab.keelson.yaml'), 'utf8'));
  expect(saved.spec.hosts.map((h: { name: string; address: string }) => [h.name, h.address])).toEqual(
    Object.entries(addresses),
  );
  expect(saved.spec.apiEndpoint.vip).toBe('10.77.0.10');

  const before: Record<string, string> = {};
  for (const id of ['cp1', 'cp2', 'cp3', 'worker1', 'worker2', ':endpoint'])
    before[id] = await flowPosition(app, id);

  await app.reload();
  await expect(app.getByTestId('cluster-name')).toHaveText('lab');
  for (const [id, address] of Object.entries(addresses))
    await expect(app.getByTestId(`node-${id}`)).toContainText(address);
  await expect(app.getByTestId('node-vip')).toContainText('10.77.0.10');
  for (const [id, transform] of Object.entries(before)) expect(await flowPosition(app, id)).toBe(transform);
  await expect.poll(() => codes(app)).toEqual(['VRRP_ROUTER_ID_UNIQUE']);

  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  await app.screenshot({ path: `${SCREENSHOT_DIR}/canvas.png` });
  await app.emulateMedia({ colorScheme: 'dark' });
  await expect(app.locator('html')).toHaveAttribute('data-theme', 'dark');
  await app.screenshot({ path: `${SCREENSHOT_DIR}/canvas-dark.png` });
});

test('undo and redo: adding nodes and editing an address', async ({ app }) => {
  await newCluster(app, 'undo');
  // Click-to-add (the keyboard path) puts nodes in view.
  await app.getByTestId('palette-control-plane').click();
  await app.getByTestId('palette-control-plane').click();
  await expect(app.getByTestId('node-cp2')).toBeVisible();

  await select(app, 'cp1');
  await setField(app, 'Address', '10.0.0.1');
  await expect(app.getByTestId('node-cp1')).toContainText('10.0.0.1');

  await app.getByTestId('node-cp1').click();
  await app.keyboard.press(`${mod}+z`); // the address edit
  await expect(app.getByTestId('node-cp1')).toContainText('no address');
  await app.keyboard.press(`${mod}+z`); // cp2
  await expect(app.getByTestId('node-cp2')).toHaveCount(0);
  await app.keyboard.press(`${mod}+Shift+z`);
  await expect(app.getByTestId('node-cp2')).toBeVisible();
  await app.keyboard.press(`${mod}+y`);
  await expect(app.getByTestId('node-cp1')).toContainText('10.0.0.1');
  // Nothing left to redo: a further redo changes nothing.
  await app.keyboard.press(`${mod}+y`);
  await expect(app.getByTestId('node-cp1')).toContainText('10.0.0.1');

  // A drag is one undo step, however many frames it took.
  const node = app.getByTestId('node-cp2');
  const start = await flowPosition(app, 'cp2');
  const box = (await node.boundingBox())!;
  await app.mouse.move(box.x + 20, box.y + 20);
  await app.mouse.down();
  for (let i = 1; i <= 10; i++) await app.mouse.move(box.x + 20 + i * 12, box.y + 20 + i * 6);
  await app.mouse.up();
  const moved = await flowPosition(app, 'cp2');
  expect(moved).not.toBe(start);
  await app.keyboard.press(`${mod}+z`);
  expect(await flowPosition(app, 'cp2')).toBe(start);
});

test('copy and paste: pasted hosts get new names and no address', async ({ app }) => {
  await newCluster(app, 'paste');
  await drop(app, 'control-plane', 200, 150);
  await drop(app, 'worker', 400, 300);
  await select(app, 'cp1');
  await setField(app, 'Address', '10.0.0.1');
  await select(app, 'worker1');
  await setField(app, 'Address', '10.0.0.2');

  await select(app, 'cp1');
  await select(app, 'worker1', ['Shift']);
  await expect(app.getByLabel('Properties')).toContainText('2 nodes selected');
  await app.keyboard.press(`${mod}+c`);
  await app.keyboard.press(`${mod}+v`);
  await expect(app.getByTestId('node-cp2')).toContainText('no address');
  await expect(app.getByTestId('node-worker2')).toContainText('no address');
  await expect(app.getByTestId('node-cp1')).toContainText('10.0.0.1');
  // The pasted copies are the new selection.
  await expect(app.getByLabel('Properties')).toContainText('cp2, worker2');
  await app.keyboard.press(`${mod}+v`);
  await expect(app.getByTestId('node-cp3')).toBeVisible();
  await expect(app.getByTestId('node-worker3')).toBeVisible();
});

test('an SSH route is an edge you can act on: click or Tab to it, Delete removes it; only bastions draw one', async ({
  app,
}) => {
  await newCluster(app, 'routes');
  await drop(app, 'bastion', 100, 150);
  await drop(app, 'control-plane', 400, 150);
  await drop(app, 'worker', 400, 350);
  for (const id of ['cp1', 'worker1']) {
    await select(app, id);
    await app.getByLabel('Properties').getByLabel('Bastion (jump host)').selectOption('bastion1');
  }
  await expect(app.locator('.react-flow__edge.edge-ssh')).toHaveCount(2);
  // The handle that draws a route is on the bastion only.
  await expect(app.getByTestId('node-bastion1').getByTestId('ssh-handle')).toHaveCount(1);
  await expect(app.getByTestId('node-cp1').locator('.react-flow__handle-right')).toHaveCount(0);
  await expect(app.getByTestId('node-bastion1').locator('.react-flow__handle-right')).not.toHaveClass(
    /handle-hidden/,
  );

  // A click on the route to cp1 (its "ssh" label) selects it, says what it is, and Delete removes only it.
  await app
    .getByRole('group', { name: 'SSH route bastion1 → cp1' })
    .locator('.react-flow__edge-textwrapper')
    .click();
  await expect(app.getByTestId('ssh-route-properties')).toContainText('through the bastion bastion1');
  await app.keyboard.press('Delete');
  await expect(app.locator('.react-flow__edge.edge-ssh')).toHaveCount(1);
  await expect(app.getByTestId('node-cp1')).toBeVisible();
  await expect(app.getByTestId('node-bastion1')).toBeVisible();
  await select(app, 'cp1');
  await expect(app.getByLabel('Properties').getByLabel('Bastion (jump host)')).toHaveValue('');

  // Undo brings the route back; the other route stays a Tab stop, and Enter selects it.
  await app.keyboard.press(`${mod}+z`);
  await expect(app.locator('.react-flow__edge.edge-ssh')).toHaveCount(2);
  const toWorker = app.getByRole('group', { name: 'SSH route bastion1 → worker1' });
  await toWorker.focus();
  await app.keyboard.press('Enter');
  await expect(app.getByTestId('ssh-route-properties')).toContainText('worker1');
  await app.getByRole('button', { name: /Remove this route/ }).click();
  await expect(app.locator('.react-flow__edge.edge-ssh')).toHaveCount(1);
  // Edges nobody can act on are not Tab stops.
  await expect(app.locator('.react-flow__edge[tabindex="0"]')).toHaveCount(1);
});

test('every SSH route says "ssh" beside the host it enters, and no two of those labels stack', async ({
  app,
}) => {
  await createFromTemplate(app, 'labels', 'node-local nginx behind a bastion');
  const hosts = ['cp1', 'cp2', 'cp3', 'worker1', 'worker2', 'worker3'];
  const placed = [];
  for (const host of hosts) {
    const label = app
      .getByRole('group', { name: `SSH route bastion → ${host}` })
      .locator('.react-flow__edge-textwrapper');
    await expect(label).toHaveText('ssh');
    const l = (await label.boundingBox())!;
    const h = (await app.getByTestId(`node-${host}`).boundingBox())!;
    // Just left of its host, level with it: which host a label belongs to is plain to see.
    expect(h.x - (l.x + l.width), host).toBeGreaterThanOrEqual(0);
    expect(h.x - (l.x + l.width), host).toBeLessThan(12);
    expect(l.y, host).toBeGreaterThan(h.y);
    expect(l.y + l.height, host).toBeLessThan(h.y + h.height);
    placed.push({ host, ...l });
  }
  for (const [i, a] of placed.entries())
    for (const b of placed.slice(i + 1)) {
      const overlap =
        a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;
      expect(overlap, `labels of ${a.host} and ${b.host}`).toBe(false);
    }
});

test('every template draws all of its edges: each edge finds the handles it needs', async ({ app }) => {
  // React Flow drops an edge whose handle a node does not render, and says so on the console.
  const warnings: string[] = [];
  app.on('console', (m) => {
    if (m.text().includes('React Flow')) warnings.push(m.text());
  });
  const start = app.getByTestId('start-screen');
  await expect(start.getByLabel('Start from')).toContainText('LB pair + external etcd'); // the list has loaded
  const templates = (await start.getByLabel('Start from').locator('option').allTextContents()).filter(
    (t) => t !== 'Empty cluster',
  );
  expect(templates.length).toBeGreaterThanOrEqual(5);
  for (const [i, template] of templates.entries()) {
    if (i > 0) {
      await app.getByTestId('clusters-menu').click();
      await app.getByRole('dialog', { name: 'Clusters' }).getByLabel('Cluster name').fill(`edges ${i}`);
      await app
        .getByRole('dialog', { name: 'Clusters' })
        .getByLabel('Start from')
        .selectOption({ label: template });
      await app
        .getByRole('dialog', { name: 'Clusters' })
        .getByRole('button', { name: 'Create cluster' })
        .click();
    } else {
      await start.getByLabel('Cluster name').fill(`edges ${i}`);
      await start.getByLabel('Start from').selectOption({ label: template });
      await start.getByRole('button', { name: 'Create cluster' }).click();
    }
    await expect(app.getByTestId('cluster-name')).toHaveText(`edges ${i}`);
    const file = parse(readFileSync(join(workspace, `edges-${i}.keelson.yaml`), 'utf8'));
    const routes = file.spec.hosts.filter((h: { ssh?: { via?: string } }) => h.ssh?.via).length;
    await expect(app.locator('.react-flow__edge.edge-ssh'), template).toHaveCount(routes);
    // Every pattern but node-local draws the balancer → control plane path; node-local its own.
    const path = file.spec.apiEndpoint.pattern === 'node-local' ? 'edge-local' : 'edge-api';
    expect(await app.locator(`.react-flow__edge.${path}`).count(), template).toBeGreaterThan(0);
  }
  expect(warnings).toEqual([]);
});

test('delete: one node, a box selection, and a bastion its hosts were routed through', async ({ app }) => {
  await newCluster(app, 'delete');
  await drop(app, 'bastion', 100, 150);
  await drop(app, 'control-plane', 350, 150);
  await drop(app, 'worker', 350, 350);
  await drop(app, 'worker', 600, 350);

  await select(app, 'cp1');
  await app.getByLabel('Properties').getByLabel('Bastion (jump host)').selectOption('bastion1');
  await expect(app.locator('.react-flow__edge.edge-ssh')).toHaveCount(1);

  await select(app, 'bastion1');
  await app.keyboard.press('Delete');
  await expect(app.getByTestId('node-bastion1')).toHaveCount(0);
  await expect(app.locator('.react-flow__edge.edge-ssh')).toHaveCount(0);
  await select(app, 'cp1');
  await expect(app.getByLabel('Properties').getByLabel('Bastion (jump host)')).toHaveValue('');

  // Shift-drag draws a selection box around both workers.
  const w1 = (await app.getByTestId('node-worker1').boundingBox())!;
  const w2 = (await app.getByTestId('node-worker2').boundingBox())!;
  await app.keyboard.down('Shift');
  await app.mouse.move(w1.x - 20, w1.y - 20);
  await app.mouse.down();
  await app.mouse.move((w1.x + w2.x) / 2, w2.y + w2.height / 2, { steps: 5 });
  await app.mouse.move(w2.x + w2.width + 20, w2.y + w2.height + 20, { steps: 5 });
  await app.mouse.up();
  await app.keyboard.up('Shift');
  await expect(app.getByLabel('Properties')).toContainText('2 nodes selected');
  await app.keyboard.press('Backspace');
  await expect(app.getByTestId('node-worker1')).toHaveCount(0);
  await expect(app.getByTestId('node-worker2')).toHaveCount(0);
  await expect(app.getByTestId('node-cp1')).toBeVisible();
});

test('clicking a problem selects and centres the node it is about', async ({ app }) => {
  await newCluster(app, 'problems');
  for (let i = 0; i < 3; i++) await app.getByTestId('palette-control-plane').click();
  await app.getByTestId('palette-worker').click();
  for (const [id, address] of [
    ['cp1', '10.1.0.1'],
    ['cp2', '10.1.0.2'],
    ['worker1', '10.1.0.3'],
  ]) {
    await select(app, id!);
    await setField(app, 'Address', address!);
  }
  await app
    .getByTestId('canvas')
    .locator('.react-flow__pane')
    .click({ position: { x: 5, y: 5 } });
  await expect(app.getByTestId('cluster-properties')).toBeVisible();

  // cp3 is the only host still without an address.
  const entry = problem(app, 'HOST_ADDRESS_INVALID');
  await expect(entry).toHaveCount(1);
  await expect(entry).toHaveAttribute('data-target', 'cp3');
  await entry.click();
  await expect(app.getByTestId('host-properties').getByLabel('Name', { exact: true })).toHaveValue('cp3');
  await expect(app.getByTestId('node-cp3')).toHaveClass(/is-selected/);
  // Centred: the node's middle is near the middle of the canvas.
  await expect
    .poll(async () => {
      const canvas = (await app.getByTestId('canvas').boundingBox())!;
      const node = (await app.getByTestId('node-cp3').boundingBox())!;
      return Math.abs(node.x + node.width / 2 - (canvas.x + canvas.width / 2));
    })
    .toBeLessThan(5);

  // Choosing a VIP pattern puts the VIP node on the canvas; its finding selects that node.
  await app
    .getByTestId('canvas')
    .locator('.react-flow__pane')
    .click({ position: { x: 5, y: 5 } });
  await app.getByTestId('cluster-properties').getByLabel('Pattern').selectOption('keepalived-haproxy');
  await expect(app.getByTestId('node-vip')).toBeVisible();
  await problem(app, 'VIP_MISSING').click();
  await expect(app.getByTestId('node-vip')).toHaveClass(/is-selected/);
  await expect(app.getByTestId('endpoint-properties').getByLabel('VIP', { exact: true })).toHaveValue('');

  // A cluster-wide field's finding clears the selection, which shows the cluster settings.
  await app
    .getByTestId('canvas')
    .locator('.react-flow__pane')
    .click({ position: { x: 5, y: 5 } });
  await app.getByTestId('cluster-properties').getByLabel('Package source').selectOption('mirror');
  await select(app, 'cp1');
  await expect(app.getByTestId('cluster-properties')).toHaveCount(0);
  await problem(app, 'PACKAGES_MIRROR_URL_MISSING').click();
  await expect(app.getByTestId('cluster-properties').getByLabel('Mirror URL')).toBeVisible();
  await expect(app.getByTestId('node-cp1')).not.toHaveClass(/is-selected/);
});

test('a finding about several hosts badges each of them, lists itself on hover, and a click selects them all', async ({
  app,
}) => {
  await newCluster(app, 'several');
  for (let i = 0; i < 4; i++) await app.getByTestId('palette-control-plane').click();
  await app.getByTestId('palette-worker').click();
  for (const [id, address] of [
    ['cp1', '10.2.0.1'],
    ['cp2', '10.2.0.2'],
    ['cp3', '10.2.0.3'],
    ['cp4', '10.2.0.9'],
    ['worker1', '10.2.0.9'],
  ]) {
    await select(app, id!);
    await setField(app, 'Address', address!);
  }
  // One address on two hosts: both carry the error, not only the first.
  for (const id of ['cp4', 'worker1']) {
    const badge = app.getByTestId(`node-${id}`).getByTestId('badge-errors');
    await expect(badge).toHaveText('1');
    await expect(badge).toHaveAttribute('title', /cp4 and worker1 share the address 10\.2\.0\.9/);
  }
  await expect(app.getByTestId('node-cp1').getByTestId('badge-errors')).toHaveCount(0);
  // "4 control planes": the even-count warning is about all four; a click selects them.
  await expect(app.getByTestId('node-cp2').getByTestId('badge-warnings')).toHaveAttribute(
    'title',
    /4 control planes with stacked etcd tolerate 1 failure/,
  );
  await problem(app, 'CP_COUNT_EVEN').click();
  for (const id of ['cp1', 'cp2', 'cp3', 'cp4'])
    await expect(app.getByTestId(`node-${id}`)).toHaveClass(/is-selected/);
  await expect(app.getByTestId('node-worker1')).not.toHaveClass(/is-selected/);
  await problem(app, 'HOST_ADDRESS_DUPLICATE').click();
  for (const id of ['cp4', 'worker1']) await expect(app.getByTestId(`node-${id}`)).toHaveClass(/is-selected/);
  await expect(app.getByTestId('node-cp1')).not.toHaveClass(/is-selected/);
  // The error is also at the field, as a name error is.
  await app
    .getByTestId('canvas')
    .locator('.react-flow__pane')
    .click({ position: { x: 5, y: 5 } });
  await select(app, 'worker1');
  await expect(app.getByLabel('Properties').getByLabel('Address', { exact: true })).toHaveAttribute(
    'aria-invalid',
    'true',
  );
  await expect(app.getByTestId('host-properties').getByRole('alert')).toHaveText(
    /cp4 and worker1 share the address 10\.2\.0\.9/,
  );
  // A new host is offered the next free address (after 10.2.0.9); emptied, it is told it has none.
  await app.getByTestId('palette-worker').click();
  await select(app, 'worker2');
  const address = app.getByLabel('Properties').getByLabel('Address', { exact: true });
  await expect(address).toHaveValue('10.2.0.10');
  await address.fill('');
  await expect(app.getByTestId('host-properties').getByRole('alert')).toHaveText(
    'Host worker2 has no address yet.',
  );
});
