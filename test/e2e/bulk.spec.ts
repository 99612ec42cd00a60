import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from '@playwright/test';
import { parse } from 'yaml';
import { expect, test } from './fixtures';

// The services run as a child of this process (fixtures.ts): a fresh workspace for this file.
const home = mkdtempSync(join(tmpdir(), 'keelson-bulk-'));
test.beforeAll(() => {
  process.env.KEELSON_HOME = home;
});
const workspace = join(home, 'workspace');
const TEMPLATE = 'keepalived-haproxy';

interface SavedHost {
  name: string;
  address: string;
  roles: string[];
  ssh?: { user?: string; port?: number; auth?: { type: string; keyFile?: string } };
  labels?: Record<string, string>;
}

async function createFrom(app: Page, name: string, template: string, viaMenu = false) {
  const form = viaMenu ? app.getByRole('dialog', { name: 'Clusters' }) : app.getByTestId('start-screen');
  if (viaMenu) await app.getByTestId('clusters-menu').click();
  await form.getByLabel('Cluster name').fill(name);
  await form.getByLabel('Start from').selectOption(template);
  await form.getByRole('button', { name: 'Create cluster' }).click();
  await expect(app.getByTestId('cluster-name')).toHaveText(name);
}

function fileHosts(id: string): SavedHost[] {
  return parse(readFileSync(join(workspace, `${id}.keelson.yaml`), 'utf8')).spec.hosts as SavedHost[];
}

/** The hosts as the saved file holds them, once autosave has written what `done` waits for. */
async function savedHosts(
  app: Page,
  id: string,
  done: (hosts: SavedHost[]) => boolean,
): Promise<SavedHost[]> {
  await expect.poll(() => done(fileHosts(id)), { timeout: 10_000 }).toBe(true);
  await expect(app.getByTestId('save-status')).toHaveAttribute('data-state', 'saved');
  return fileHosts(id);
}

const props = (app: Page) => app.getByLabel('Properties');

/** The template's hosts and VIP, read from the file the app copies, so no address is assumed here. */
function templateAddresses(): string[] {
  const t = parse(readFileSync(`resources/templates/${TEMPLATE}.keelson.yaml`, 'utf8'));
  return [...t.spec.hosts.map((h: { address: string }) => h.address), t.spec.apiEndpoint.vip];
}

test('a pasted inventory is previewed with per-line errors, then its valid hosts land on the canvas and in the file', async ({
  app,
}) => {
  await createFrom(app, 'Paste', TEMPLATE);
  const before = fileHosts('paste').map((h) => h.name);
  await app.getByTestId('add-hosts-open').click();
  const dialog = app.getByTestId('add-hosts');
  await dialog
    .getByTestId('add-hosts-text')
    .fill(
      [
        'worker7 10.77.0.27 worker',
        'cp4 10.77.0.14 control-plane',
        '10.77.0.40-10.77.0.42',
        'bad 10.77.0.300',
        `${before[0]} 10.77.0.50`,
        '10.77.1.0-10.77.3.0',
      ].join('\n'),
    );
  const preview = dialog.getByTestId('add-hosts-preview');
  await expect(preview).toContainText('5 hosts to add');
  await expect(preview.locator('tbody tr')).toHaveText([
    /^1worker710\.77\.0\.27worker$/,
    /^2cp410\.77\.0\.14control-plane$/,
    /^3worker\d+10\.77\.0\.40worker$/,
    /^3worker\d+10\.77\.0\.41worker$/,
    /^3worker\d+10\.77\.0\.42worker$/,
  ]);
  const problems = dialog.getByTestId('add-hosts-problems');
  await expect(problems.locator('li[data-line="4"]')).toContainText(
    '"10.77.0.300" is not an IPv4 or IPv6 address',
  );
  await expect(problems.locator('li[data-line="5"]')).toContainText(
    `"${before[0]}" already exists in the design`,
  );
  await expect(problems.locator('li[data-line="6"]')).toContainText('at most 256');
  // Nothing is added while lines are wrong, unless asked for the valid ones only.
  await expect(dialog.getByTestId('add-hosts-submit')).toBeDisabled();
  await dialog.getByTestId('add-hosts-valid-only').click();

  // The wrong lines stay in the box to be fixed; nothing the user pasted is lost.
  await expect(dialog.getByTestId('add-hosts-text')).toHaveValue(
    ['bad 10.77.0.300', `${before[0]} 10.77.0.50`, '10.77.1.0-10.77.3.0'].join('\n'),
  );
  await dialog.getByTestId('add-hosts-text').fill('edge1 10.77.0.60 worker,etcd');
  await expect(dialog.getByTestId('add-hosts-problems')).toHaveCount(0);
  await dialog.getByTestId('add-hosts-submit').click();
  await expect(dialog).toHaveCount(0);

  const hosts = await savedHosts(app, 'paste', (h) => h.length === before.length + 6);
  const added = hosts.filter((h) => !before.includes(h.name));
  expect(added.map((h) => [h.address, h.roles])).toEqual([
    ['10.77.0.27', ['worker']],
    ['10.77.0.14', ['control-plane']],
    ['10.77.0.40', ['worker']],
    ['10.77.0.41', ['worker']],
    ['10.77.0.42', ['worker']],
    ['10.77.0.60', ['worker', 'etcd']],
  ]);
  expect(new Set(hosts.map((h) => h.name)).size).toBe(hosts.length);
  // On the canvas, each new node clear of every other one.
  for (const h of hosts) await expect(app.getByTestId(`node-${h.name}`)).toContainText(h.address);
  // All boxes in one frame: measured one by one, a view still fitting itself in between would
  // compare boxes taken at two different zooms.
  const boxes = await app.evaluate(
    (names) => {
      return names.map((name) => {
        const r = document.querySelector(`.react-flow__node[data-id="${name}"]`)!.getBoundingClientRect();
        return { name, box: { x: r.x, y: r.y, width: r.width, height: r.height } };
      });
    },
    hosts.map((h) => h.name),
  );
  for (const [i, a] of boxes.entries())
    for (const b of boxes.slice(i + 1)) {
      const apart =
        a.box.x + a.box.width <= b.box.x ||
        b.box.x + b.box.width <= a.box.x ||
        a.box.y + a.box.height <= b.box.y ||
        b.box.y + b.box.height <= a.box.y;
      expect(apart, `${a.name} and ${b.name} overlap`).toBe(true);
    }
});

test('a host dropped from the palette is offered the next free address of the subnet', async ({ app }) => {
  await createFrom(app, 'Drop', TEMPLATE);
  const used = templateAddresses();
  const last = Math.max(...used.map((a) => Number(a.split('.')[3])));
  const subnet = used[0]!.split('.').slice(0, 3).join('.');
  const count = fileHosts('drop').length;

  await app.dragAndDrop('[data-testid="palette-worker"]', '[data-testid="canvas"]', {
    targetPosition: { x: 200, y: 500 },
  });
  const address = props(app).getByLabel('Address', { exact: true });
  await expect(address).toHaveValue(`${subnet}.${last + 1}`);
  await app.dragAndDrop('[data-testid="palette-worker"]', '[data-testid="canvas"]', {
    targetPosition: { x: 500, y: 500 },
  });
  await expect(address).toHaveValue(`${subnet}.${last + 2}`);
  const addresses = (await savedHosts(app, 'drop', (h) => h.length === count + 2)).map((h) => h.address);
  expect(new Set(addresses).size).toBe(addresses.length);
  expect(addresses).not.toContain(used[used.length - 1]); // never the VIP
});

test('several selected hosts get SSH user, port, key file and labels at once', async ({ app }) => {
  await createFrom(app, 'Multi', TEMPLATE);
  const [a, b, c, untouched] = fileHosts('multi').map((h) => h.name);
  // One host on another port first: the shared field then reads "mixed".
  await app.getByTestId(`node-${a}`).click();
  await props(app).getByLabel('SSH port', { exact: true }).fill('2222');
  await app.getByTestId(`node-${b}`).click({ modifiers: ['Shift'] });
  await app.getByTestId(`node-${c}`).click({ modifiers: ['Shift'] });
  const multi = app.getByTestId('multi-host-properties');
  await expect(multi).toContainText('All 3 selected hosts');
  const port = multi.getByLabel('SSH port', { exact: true });
  await expect(port).toHaveValue('');
  await expect(port).toHaveAttribute('placeholder', 'mixed');
  await expect(multi.getByLabel('SSH user', { exact: true })).toHaveValue('root');

  // A bad value says what is wrong and changes nothing.
  await port.fill('70000');
  await port.press('Enter');
  await expect(multi.getByRole('alert')).toContainText(
    'SSH port "70000" must be a whole number from 1 to 65535',
  );

  await port.fill('2200');
  await port.press('Enter');
  await multi.getByLabel('SSH user', { exact: true }).fill('admin');
  await multi.getByLabel('SSH user', { exact: true }).press('Enter');
  await multi.getByLabel('Key file', { exact: true }).fill('~/.ssh/lab_key');
  await multi.getByLabel('Key file', { exact: true }).press('Enter');
  // A textarea's name includes what it holds once filled: find it by position (Labels, then Taints).
  const labels = multi.locator('textarea').first();
  await expect(labels).toHaveAttribute('placeholder', 'zone=a');
  await labels.fill('zone=east');
  await labels.blur();
  await expect(port).toHaveValue('2200');

  const hosts = await savedHosts(
    app,
    'multi',
    (h) => h.filter((x) => x.labels?.zone === 'east').length === 3,
  );
  const got = (name: string) => hosts.find((h) => h.name === name)!;
  for (const name of [a!, b!, c!]) {
    expect(got(name).ssh).toMatchObject({
      user: 'admin',
      port: 2200,
      auth: { type: 'key', keyFile: '~/.ssh/lab_key' },
    });
    expect(got(name).labels).toEqual({ zone: 'east' });
  }
  expect(got(untouched!).ssh?.user ?? 'root').toBe('root');
  expect(got(untouched!).labels ?? {}).toEqual({});
});

test.describe('plan view', () => {
  const userHome = mkdtempSync(join(tmpdir(), 'keelson-bulk-home-'));
  test.use({ serverEnv: { HOME: userHome } });

  // One cluster per test: a name is one cluster's, so a second "create" of it would be refused.
  async function openHaproxyFile(app: Page, name: string) {
    await createFrom(app, name, TEMPLATE);
    await app.getByTestId('open-plan').click();
    await app.getByTestId('plan-step-load-balancer/haproxy/cp1').click();
    await app.getByTestId('plan-file-/etc/haproxy/haproxy.cfg').click();
    await expect(app.getByTestId('plan-file-content')).toContainText('option httpchk');
  }

  test('every script and file has a Copy button that puts it on the clipboard', async ({
    app,
    context,
    server,
  }) => {
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], {
      origin: new URL(server.url).origin,
    });
    await openHaproxyFile(app, 'Plan copy');
    const file = (await app.getByTestId('plan-file-content').textContent())!;
    await app.getByTestId('plan-file-content-copy').click();
    await expect(app.getByTestId('plan-file-content-copy')).toHaveText('Copied');
    await expect.poll(() => app.evaluate(() => navigator.clipboard.readText())).toBe(file);

    const script = (await app.getByTestId('plan-step-script').textContent())!;
    await app.getByTestId('plan-step-script-copy').click();
    await expect.poll(() => app.evaluate(() => navigator.clipboard.readText())).toBe(script);
    expect(script).not.toBe(file);
  });

  test('the plan downloads as a .tar holding what the view shows, and ~ in an export folder is home', async ({
    app,
  }) => {
    await openHaproxyFile(app, 'Plan bulk');
    const shown = (await app.getByTestId('plan-file-content').textContent())!;
    const [download] = await Promise.all([
      app.waitForEvent('download'),
      app.getByTestId('plan-download').click(),
    ]);
    expect(download.suggestedFilename()).toBe('keelson-plan-plan-bulk.tar');
    const out = mkdtempSync(join(tmpdir(), 'keelson-bulk-tar-'));
    const archive = join(out, download.suggestedFilename());
    await download.saveAs(archive);
    execFileSync('tar', ['-xf', archive, '-C', out]);
    const root = join(out, 'keelson-plan-plan-bulk');
    const plan = JSON.parse(readFileSync(join(root, 'plan.json'), 'utf8'));
    expect(plan.cluster).toBe('Plan bulk');
    const listing = execFileSync('tar', ['-tf', archive], { encoding: 'utf8' }).split('\n');
    const cfg = listing.find((p) => p.endsWith('haproxy-cp1/files/etc/haproxy/haproxy.cfg'))!;
    expect(readFileSync(join(out, cfg), 'utf8')).toBe(shown);

    await app.getByTestId('plan-export-folder').fill('~/plans/bulk');
    await app.getByTestId('plan-export-button').click();
    await expect(app.getByTestId('plan-export-result')).toContainText(
      `to ${join(userHome, 'plans', 'bulk')}`,
    );
    expect(existsSync(join(userHome, 'plans', 'bulk', 'plan.json'))).toBe(true);
  });
});

test('two clusters of the workspace with the same VIP or VRRP router id are flagged', async ({ app }) => {
  await createFrom(app, 'Alpha', 'keepalived-haproxy');
  // Same VIP as Alpha (both templates use it), another router id.
  await createFrom(app, 'Beta', 'keepalived-nginx', true);
  const problems = app.getByTestId('panel-problems');
  const vip = problems.getByTestId('problem-WORKSPACE_VIP_SHARED');
  const router = problems.getByTestId('problem-WORKSPACE_VRRP_ROUTER_ID_SHARED');
  await expect(vip).toContainText('"Alpha" (alpha)');
  await expect(router).toHaveCount(0);
  await expect(app.getByTestId('node-vip').getByTestId('badge-warnings')).toBeVisible();

  await app.getByTestId('node-vip').click();
  const alphaRouterId = parse(readFileSync(join(workspace, 'alpha.keelson.yaml'), 'utf8')).spec.apiEndpoint
    .vrrp.routerId as number;
  await props(app).getByLabel('VRRP router id', { exact: true }).fill(String(alphaRouterId));
  await expect(router).toContainText(`VRRP router id ${alphaRouterId} is also used by "Alpha" (alpha)`);

  await props(app).getByLabel('VIP', { exact: true }).fill('10.77.0.99');
  await expect(vip).toHaveCount(0);
  await expect(router).toBeVisible();
});
