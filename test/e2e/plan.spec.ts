import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { promisify } from 'node:util';
import { expect, SCREENSHOT_DIR, test } from './fixtures';

// The services run inside this test process (fixtures.ts): point the workspace at a fresh folder.
const home = mkdtempSync(join(tmpdir(), 'keelson-plan-e2e-'));
// Set per file before its tests: every test's server is a fresh child that inherits it.
test.beforeAll(() => {
  process.env.KEELSON_HOME = home;
});
const workspace = join(home, 'workspace');

/** Every file under `dir`, as sorted paths relative to it. */
function tree(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const name of readdirSync(d)) {
      const path = join(d, name);
      if (statSync(path).isDirectory()) walk(path);
      else out.push(relative(dir, path));
    }
  };
  walk(dir);
  return out.sort();
}

const find = (paths: string[], suffix: string): string => {
  const found = paths.find((p) => p.endsWith(suffix));
  if (!found) throw new Error(`no exported file ends with ${suffix}`);
  return found;
};

test('the Plan view shows the generated haproxy config, exports it, and matches keelson plan', async ({
  app,
}) => {
  // A keepalived + haproxy cluster from its template, through the start screen.
  await expect(app.getByTestId('start-screen')).toBeVisible();
  await app.getByTestId('start-screen').getByLabel('Cluster name').fill('ha-demo');
  await app.getByTestId('start-screen').getByLabel('Start from').selectOption('keepalived-haproxy');
  await app.getByTestId('start-screen').getByRole('button', { name: 'Create cluster' }).click();
  await expect(app.getByTestId('cluster-name')).toHaveText('ha-demo');

  await app.getByTestId('open-plan').click();
  const view = app.getByTestId('plan-view');
  await expect(view).toBeVisible();
  await expect(view).toContainText('Plan · ha-demo · Kubernetes 1.37');
  await expect(app.getByTestId('plan-phase-load-balancer')).toBeVisible();

  // The load-balancer step of the first LB host (haproxy runs on the control planes here).
  await app.getByTestId('plan-step-load-balancer/haproxy/cp1').click();
  const details = app.getByTestId('plan-step-details');
  await expect(details).toHaveAttribute('data-step', 'load-balancer/haproxy/cp1');
  await expect(app.getByTestId('plan-step-host')).toHaveText('cp1');
  await expect(app.getByTestId('plan-step-description')).toContainText('haproxy on cp1');
  await app.getByTestId('plan-file-/etc/haproxy/haproxy.cfg').click();
  const content = app.getByTestId('plan-file-content');
  await expect(content).toHaveAttribute('data-language', 'haproxy');
  const cfg = (await content.textContent())!;
  expect(cfg).toContain('    mode tcp');
  expect(cfg).toContain('    option httpchk');
  expect(cfg).toContain('    http-check send meth GET uri /healthz');
  expect(cfg).toContain('    bind *:8443');
  // One server line per control plane of the template, to its apiserver port.
  const servers = cfg.split('\n').filter((l) => l.trim().startsWith('server '));
  expect(servers).toEqual([
    '    server cp1 10.77.0.11:6443 check verify none',
    '    server cp2 10.77.0.12:6443 check verify none',
    '    server cp3 10.77.0.13:6443 check verify none',
  ]);
  // Highlighted, not plain text: the section keywords are marked up.
  await expect(content.locator('.hljs-section').first()).toHaveText('global');
  // The script that installs and checks it is there too.
  await expect(app.getByTestId('plan-step-script')).toContainText('haproxy -c -q -f');
  // Bring the backend lines into the picture (the detail pane scrolls).
  await content.evaluate((el) => el.scrollIntoView({ block: 'end' }));
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  await app.screenshot({ path: `${SCREENSHOT_DIR}/plan-haproxy.png` });

  await app.emulateMedia({ colorScheme: 'dark' });
  await expect(app.locator('html')).toHaveAttribute('data-theme', 'dark');
  await app.screenshot({ path: `${SCREENSHOT_DIR}/plan-haproxy-dark.png` });
  await app.emulateMedia({ colorScheme: 'light' });

  // Secrets stay placeholders: keepalived's auth_pass is a marked {{secret:…}}, never a value.
  await app.getByTestId('plan-step-load-balancer/keepalived/cp1').click();
  await app.getByTestId('plan-file-/etc/keepalived/keepalived.conf').click();
  await expect(content.locator('.secret-placeholder')).toHaveText('{{secret:vrrp-auth-pass}}');

  // The same plan seen host by host.
  await app.getByTestId('plan-group-by-host').click();
  await expect(app.getByTestId('plan-host-cp2')).toBeVisible();
  await expect(app.getByTestId('plan-tree')).toHaveAttribute('aria-label', 'Plan by host');

  // Export through the UI to a folder that does not exist yet.
  const exported = join(mkdtempSync(join(tmpdir(), 'keelson-plan-out-')), 'ha-demo-plan');
  await app.getByTestId('plan-export-folder').fill(exported);
  await app.getByTestId('plan-export-button').click();
  await expect(app.getByTestId('plan-export-result')).toContainText(`files to ${exported}`);
  const uiFiles = tree(exported);
  const haproxyPath = find(uiFiles, 'haproxy-cp1/files/etc/haproxy/haproxy.cfg');
  expect(readFileSync(join(exported, haproxyPath), 'utf8')).toBe(cfg);

  // Exporting again into the now non-empty folder is refused, and says why.
  await app.getByTestId('plan-export-button').click();
  await expect(app.getByTestId('plan-export-result')).toContainText('is not empty');

  // The CLI writes the same plan from the project file the app saved.
  const projectFile = join(
    workspace,
    readdirSync(workspace).find((f) => f.startsWith('ha-demo') && f.endsWith('.keelson.yaml'))!,
  );
  const cliOut = join(mkdtempSync(join(tmpdir(), 'keelson-plan-cli-')), 'plan');
  const { stdout } = await promisify(execFile)('node', [
    'bin/keelson.mjs',
    'plan',
    projectFile,
    '--out',
    cliOut,
  ]);
  expect(stdout).toContain(cliOut);
  expect(tree(cliOut)).toEqual(uiFiles);
  // Same build, same version: the whole plan.json and README.md match too, not just a few files.
  for (const suffix of [
    'plan.json',
    'README.md',
    'haproxy-cp1/files/etc/haproxy/haproxy.cfg',
    'haproxy-cp3/files/etc/haproxy/haproxy.cfg',
    'keepalived-cp1/files/etc/keepalived/keepalived.conf',
    'haproxy-cp1/script.sh',
    'haproxy-cp1/step.json',
  ]) {
    const path = find(uiFiles, suffix);
    expect(readFileSync(join(cliOut, path)), path).toEqual(readFileSync(join(exported, path)));
  }

  await app.getByTestId('plan-back').click();
  await expect(app.getByTestId('canvas')).toBeVisible();
});

test('a cluster that cannot be planned yet says what to fix instead of showing a plan', async ({ app }) => {
  await app.getByTestId('start-screen').getByLabel('Cluster name').fill('bare');
  await app.getByTestId('start-screen').getByRole('button', { name: 'Create cluster' }).click();
  await expect(app.getByTestId('cluster-name')).toHaveText('bare');
  await app.getByTestId('open-plan').click();
  await expect(app.getByTestId('plan-error')).toContainText('The plan could not be generated: spec.hosts:');
  await expect(app.getByTestId('plan-tree')).toHaveCount(0);
  await app.getByTestId('plan-back').click();
  await expect(app.getByTestId('canvas')).toBeVisible();
});
