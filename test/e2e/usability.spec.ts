import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from '@playwright/test';
import { parse, stringify } from 'yaml';
import { expect, test, createFromTemplate } from './fixtures';

// Issue 15 items 7 and 9: no page text selected by box selection or Ctrl+A; the Kubernetes
// version is a choice of maintained releases.
const home = mkdtempSync(join(tmpdir(), 'keelson-usability-'));
test.beforeAll(() => {
  process.env.KEELSON_HOME = home;
});
const file = (id: string) => join(home, 'workspace', `${id}.keelson.yaml`);
const mod = process.platform === 'darwin' ? 'Meta' : 'Control';

const selectedText = (app: Page) => app.evaluate(() => window.getSelection()?.toString() ?? '');

test('box selection and Ctrl+A select nodes, never the page’s text', async ({ app }) => {
  await createFromTemplate(app, 'Boxy', 'keepalived + haproxy on 3 control planes');
  // Shift-drag a box from an empty corner of the canvas out over the palette and header.
  const canvas = (await app.getByTestId('canvas').boundingBox())!;
  await app.keyboard.down('Shift');
  await app.mouse.move(canvas.x + canvas.width - 20, canvas.y + canvas.height - 20);
  await app.mouse.down();
  await app.mouse.move(canvas.x + canvas.width / 2, canvas.y + canvas.height / 2, { steps: 5 });
  await app.mouse.move(5, 5, { steps: 5 });
  await app.mouse.up();
  await app.keyboard.up('Shift');
  expect(await selectedText(app)).toBe('');

  await app.getByTestId('node-cp1').click();
  await app.keyboard.press(`${mod}+a`);
  await expect(app.getByLabel('Properties', { exact: true })).toContainText('6 nodes selected');
  expect(await selectedText(app)).toBe('');

  // In the Plan too (before, every button and the tree turned blue).
  await app.getByTestId('open-plan').click();
  await expect(app.getByTestId('plan-tree')).toBeVisible();
  await app.getByTestId('plan-view').click({ position: { x: 600, y: 10 } });
  await app.keyboard.press(`${mod}+a`);
  expect(await selectedText(app)).toBe('');
});

test('the Kubernetes version is chosen from the maintained releases, with their end-of-life dates', async ({
  app,
}) => {
  await createFromTemplate(app, 'Versions', 'keepalived + haproxy on 3 control planes');
  const props = app.getByLabel('Properties', { exact: true });
  const version = props.getByLabel('Kubernetes version');
  const labels = await version.locator('option').allTextContents();
  expect(labels).toEqual(['1.37 — until 2027-10-28', '1.36 — until 2027-06-28', '1.35 — until 2027-02-28']);
  await expect(props).toContainText('the newest release');

  // At the narrowest Properties panel every choice still shows whole in the closed field.
  await app.getByRole('separator', { name: 'Resize properties' }).focus();
  // Step by step: one step past the smallest width folds the panel away.
  for (let i = 0; i < 40 && (await props.boundingBox())!.width > 230; i++)
    await app.keyboard.press('ArrowRight');
  const fits = await version.evaluate((select: HTMLSelectElement) => {
    const style = getComputedStyle(select);
    const context = document.createElement('canvas').getContext('2d')!;
    context.font = `${style.fontSize} ${style.fontFamily}`;
    // Room for the text: the field less its padding and the drop-down arrow (about 20 px).
    const room = select.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight) - 20;
    return { room, widest: Math.max(...[...select.options].map((o) => context.measureText(o.text).width)) };
  });
  expect((await props.boundingBox())!.width).toBeLessThan(240);
  expect(fits.widest).toBeLessThan(fits.room);
  await version.selectOption('1.36');
  await expect(app.getByTestId('save-status')).toHaveAttribute('data-state', 'saved');
  expect(parse(readFileSync(file('versions'), 'utf8')).spec.kubernetesVersion).toBe('1.36');
  await expect(props).toContainText('Kubernetes 1.36 (released 2026-04-22, maintained until 2027-06-28)');

  // A file naming a release past end of life shows it as such, and a maintained one is a click away.
  const project = parse(readFileSync(file('versions'), 'utf8'));
  project.spec.kubernetesVersion = '1.34';
  writeFileSync(file('versions'), stringify(project));
  await app.reload();
  await expect(app.getByTestId('node-cp1')).toBeVisible();
  await expect(version.locator('option:checked')).toHaveText('1.34 — ended 2026-10-27');
  await expect(props).toContainText(
    'Kubernetes 1.34 reached its end of life on 2026-10-27: choose a maintained release.',
  );
  await version.selectOption('1.37');
  await expect(app.getByTestId('save-status')).toHaveAttribute('data-state', 'saved');
  expect(parse(readFileSync(file('versions'), 'utf8')).spec.kubernetesVersion).toBe('1.37');
});

test('the OS family is chosen in the UI, for the whole cluster or one host, and the Plan follows it', async ({
  app,
}) => {
  await createFromTemplate(app, 'Rocky', 'keepalived + haproxy on 3 control planes');
  const props = app.getByLabel('Properties', { exact: true });
  await props.getByLabel('OS family of the hosts').selectOption({ label: 'RHEL / Rocky / Alma' });
  await expect
    .poll(() =>
      (parse(readFileSync(file('rocky'), 'utf8')) as { spec: { hosts: { os?: string }[] } }).spec.hosts.every(
        (h) => h.os === 'rhel',
      ),
    )
    .toBe(true);

  // One host back to Debian: the cluster says "mixed", the Plan installs with apt there and dnf elsewhere.
  await app.getByTestId('node-worker1').click();
  await props.getByLabel('OS family').selectOption({ label: 'Debian / Ubuntu' });
  await app.getByTestId('canvas').click({ position: { x: 5, y: 5 } });
  await expect(props.getByLabel('OS family of the hosts')).toHaveValue('mixed');
  await app.getByTestId('open-plan').click();
  await app.getByTestId('plan-step-kubernetes-packages/cp1').click();
  await expect(app.getByTestId('plan-step-script')).toContainText('dnf install');
  await app.getByTestId('plan-step-kubernetes-packages/worker1').click();
  await expect(app.getByTestId('plan-step-script')).toContainText('apt-get install');
});
