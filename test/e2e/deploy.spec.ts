/**
 * Deploy from the canvas, in Chromium, against four Debian lab hosts over real SSH: the Deploy
 * button says why it is disabled until the host keys are trusted, asks for the sudo password
 * the design names, then node states change on the canvas, the phases × hosts grid fills in and
 * the log streams — in this tab and in a second tab opened mid-run. The run is the generated
 * preflight, os-prep and keepalived + haproxy phases (the phases whose packages the lab's
 * offline repository holds today; the Kubernetes phases need the lab's kubelet hosts).
 */
import { copyFileSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { API_VERSION } from '../../shared/model/cluster';
import { startLab, type Lab } from '../lab/lab';
import { labHostsOnCgroupV1 } from '../lab/project';
import { labProject, labSsh, openRun, testSecrets, testStep } from '../lab/deploy-fixtures';
import { readJournal } from '../../main/services/deploy/journal';
import { expect, SCREENSHOT_DIR, startBuiltServer, test } from './fixtures';

const root = join(tmpdir(), `keelson-e2e-deploy-${randomBytes(4).toString('hex')}`);
const serverEnv = {
  KEELSON_HOME: join(root, 'keelson'),
  HOME: join(root, 'home'),
  KEELSON_KNOWN_HOSTS: join(root, 'known_hosts'),
};
test.use({ serverEnv });

let lab: Lab;

test.beforeAll(async () => {
  test.setTimeout(300_000);
  mkdirSync(serverEnv.HOME, { recursive: true });
  mkdirSync(join(serverEnv.KEELSON_HOME, 'workspace'), { recursive: true });
  writeFileSync(serverEnv.KEELSON_KNOWN_HOSTS, '');
  lab = await startLab({ hosts: 4 });
  await Promise.all(lab.hosts.map((h) => lab.useOfflineRepository(h.name)));
  const names = ['cp1', 'cp2', 'cp3', 'worker1'];
  const project = {
    apiVersion: API_VERSION,
    kind: 'Cluster',
    metadata: { name: 'lab ha' },
    spec: {
      kubernetesVersion: '1.37',
      hosts: lab.hosts.map((h, i) => ({
        name: names[i],
        address: h.address,
        roles: [i < 3 ? 'control-plane' : 'worker'],
        // worker1 logs in as the sudo user: the Deploy button asks for its sudo password.
        ssh:
          i < 3
            ? { port: h.sshPort, user: 'root', auth: { type: 'key', keyFile: lab.keyPath } }
            : {
                port: h.sshPort,
                user: h.user,
                auth: { type: 'key', keyFile: lab.keyPath },
                sudoPasswordRef: 'lab-sudo',
              },
      })),
      // The lab's hosts share this machine's cgroups (v1 here); the phases run here start no kubelet.
      kubelet: { allowCgroupV1: labHostsOnCgroupV1() },
      apiEndpoint: {
        pattern: 'keepalived-haproxy',
        vip: `10.77.${lab.slot}.10`,
        port: 8443,
        vrrp: { routerId: 71, interface: 'eth0' },
      },
    },
  };
  writeFileSync(join(serverEnv.KEELSON_HOME, 'workspace', 'lab-ha.keelson.yaml'), JSON.stringify(project));
});

test.afterAll(async () => {
  await lab?.stop();
  rmSync(root, { recursive: true, force: true });
});

test('Deploy from the canvas: node states, the grid and a streaming log, live in a second tab too', async ({
  app,
  server,
  context,
}) => {
  test.setTimeout(600_000);
  // Every contract response either tab receives, to scan for secrets at the end.
  const frames: string[] = [];
  const record = (page: typeof app) =>
    page.on('websocket', (ws) => ws.on('framereceived', (f) => frames.push(String(f.payload))));
  record(app);
  await app.reload();
  await app
    .getByTestId('start-screen')
    .getByTestId('cluster-lab-ha')
    .getByRole('button', { name: /lab ha/ })
    .first()
    .click();
  const button = app.getByTestId('deploy-button');
  // Host keys not trusted yet: disabled, and it says why.
  await expect(button).toBeDisabled();
  await expect(app.getByTestId('deploy-reason')).toContainText('not accepted yet');
  await expect(app.getByTestId('deploy-reason')).toContainText('cp1');
  // The user checks and accepts the keys (here: the lab's own known_hosts, as Test connection would write them).
  copyFileSync(lab.knownHostsPath, serverEnv.KEELSON_KNOWN_HOSTS);
  await expect(button).toBeEnabled({ timeout: 15_000 });

  await app.getByTestId('tab-deploy').click();
  for (const phase of [
    'container-runtime',
    'kubernetes-packages',
    'control-plane-init',
    'cni',
    'control-plane-join',
    'worker-join',
    'post-install',
    'verify',
  ])
    await app.getByTestId(`phase-${phase}`).uncheck();
  await button.click();
  // The sudo password the design names is asked for before anything runs.
  const prompt = app.getByTestId('deploy-secrets');
  await expect(prompt).toBeVisible();
  await prompt.getByTestId('secret-lab-sudo').fill(lab.host('h4').password);
  await prompt.getByTestId('secrets-submit').click();

  await expect(app.getByTestId('deploy-state')).toHaveAttribute('data-state', 'running');
  await expect(app.getByTestId('node-deploy-cp1')).toContainText(/running|done/);
  await expect(app.getByTestId('deploy-grid')).toBeVisible();
  await expect(app.getByTestId('cell-cp1-preflight')).toHaveAttribute('data-status', 'done', {
    timeout: 60_000,
  });

  // A second tab sees the same run live.
  const second = await context.newPage();
  record(second);
  await second.goto(server.url);
  // The new tab reopens the last cluster used, as a person's second window would.
  await expect(second.getByTestId('cluster-name')).toHaveText('lab ha');
  await second.getByTestId('tab-deploy').click();
  await expect(second.getByTestId('deploy-state')).toHaveAttribute('data-state', 'running', {
    timeout: 15_000,
  });
  await expect(second.getByTestId('deploy-grid')).toBeVisible();

  // The log of a load-balancer step streams while it runs.
  await expect(app.getByTestId('cell-cp1-load-balancer')).toHaveAttribute('data-status', /running|done/, {
    timeout: 120_000,
  });
  await app.getByTestId('cell-cp1-load-balancer').click();
  const log = app.getByTestId('deploy-log');
  await expect(log).toContainText('load-balancer/', { timeout: 30_000 });
  await expect
    .poll(async () => Number(await log.getAttribute('data-lines')), { timeout: 60_000 })
    .toBeGreaterThan(5);
  await expect(app.getByTestId('node-deploy-cp2')).toContainText(/running|waiting|done/);
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  await app.screenshot({ path: join(SCREENSHOT_DIR, 'deploy-running.png') });

  await expect(app.getByTestId('deploy-state')).toHaveAttribute('data-state', 'succeeded', {
    timeout: 420_000,
  });
  for (const n of ['cp1', 'cp2', 'cp3', 'worker1'])
    await expect(app.getByTestId(`node-deploy-${n}`)).toHaveText('done');
  await expect(second.getByTestId('deploy-state')).toHaveAttribute('data-state', 'succeeded', {
    timeout: 15_000,
  });
  await expect(app.getByTestId('cell-worker1-load-balancer')).toHaveCount(0);
  await app.screenshot({ path: join(SCREENSHOT_DIR, 'deploy-done.png') });
  await second.close();

  // No secret value in any contract response, log, journal or run file: neither the sudo
  // password typed in, nor the VRRP password Keelson generated and kept (0600, outside the project).
  const secretsDir = join(serverEnv.KEELSON_HOME, 'secrets');
  const kept = readdirSync(secretsDir).flatMap((f) => {
    const text = readFileSync(join(secretsDir, f), 'utf8');
    return Object.values(
      (JSON.parse(text.slice(text.indexOf('\n') + 1)) as { secrets: Record<string, string> }).secrets,
    );
  });
  const values = [lab.host('h4').password, ...kept];
  expect(kept.length).toBeGreaterThan(0);
  const walk = (dir: string): string[] =>
    readdirSync(dir, { withFileTypes: true }).flatMap((d) =>
      d.isDirectory() ? walk(join(dir, d.name)) : [readFileSync(join(dir, d.name), 'utf8')],
    );
  const texts = [...frames, ...walk(join(serverEnv.KEELSON_HOME, 'workspace', 'lab-ha.deploy'))];
  expect(frames.length).toBeGreaterThan(100);
  for (const v of values) expect(texts.filter((t) => t.includes(v))).toEqual([]);
});

test('kill -9 of Keelson mid-run: reopening the cluster shows the interrupted run, and Resume finishes it', async ({
  browser,
}) => {
  test.setTimeout(600_000);
  // A server of our own, so it can be killed like a crash (the fixture's server shuts down politely).
  const first = await startBuiltServer(serverEnv);
  const page = await browser.newPage();
  await page.goto(first.url);
  await page
    .getByTestId('start-screen')
    .getByTestId('cluster-lab-ha')
    .getByRole('button', { name: /lab ha/ })
    .first()
    .click();
  await page.getByTestId('tab-deploy').click();
  await expect(page.getByTestId('deploy-button')).toBeEnabled({ timeout: 15_000 });
  for (const phase of [
    'container-runtime',
    'kubernetes-packages',
    'control-plane-init',
    'cni',
    'control-plane-join',
    'worker-join',
    'post-install',
    'verify',
  ])
    await page.getByTestId(`phase-${phase}`).uncheck();
  // os-prep without its check would be too quick to catch: its hosts were prepared by the
  // first test. Reset one marker so os-prep on cp1 has work to do again.
  await lab.sh(
    'h1',
    'rm -f /etc/sysctl.d/99-keelson-kubernetes.conf /etc/modules-load.d/keelson-kubernetes.conf',
  );
  await page.getByTestId('deploy-button').click();
  await page.getByTestId('deploy-secrets').getByTestId('secret-lab-sudo').fill(lab.host('h4').password);
  await page.getByTestId('secrets-submit').click();
  // The panel switches from the first test's run to this one.
  await expect(page.getByTestId('deploy-state')).toHaveAttribute('data-state', 'running', {
    timeout: 30_000,
  });
  await expect(page.getByTestId('cell-cp1-preflight')).toHaveAttribute('data-status', 'done', {
    timeout: 120_000,
  });
  await first.kill9();
  await page.close();

  const second = await startBuiltServer(serverEnv);
  try {
    const again = await browser.newPage();
    await again.goto(second.url);
    await again
      .getByTestId('start-screen')
      .getByTestId('cluster-lab-ha')
      .getByRole('button', { name: /lab ha/ })
      .first()
      .click();
    await again.getByTestId('tab-deploy').click();
    await expect(again.getByTestId('deploy-state')).toHaveAttribute('data-state', 'interrupted', {
      timeout: 15_000,
    });
    await expect(again.getByTestId('deploy-button')).toHaveText('Resume deploy');
    await again.getByTestId('deploy-resume').click();
    await again.getByTestId('deploy-secrets').getByTestId('secret-lab-sudo').fill(lab.host('h4').password);
    await again.getByTestId('secrets-submit').click();
    await expect(again.getByTestId('deploy-state')).toHaveAttribute('data-state', 'succeeded', {
      timeout: 420_000,
    });
    await again.close();
  } finally {
    await second.close();
  }
  // The journal proves no step that finished before the kill ran again after it.
  const runs = join(serverEnv.KEELSON_HOME, 'workspace', 'lab-ha.deploy', 'runs');
  const latest = readdirSync(runs).sort().at(-1)!;
  const journal = await readJournal(join(runs, latest, 'journal.jsonl'));
  expect(journal.sessions).toBe(2);
  const sessionOf = new Map<string, number[]>();
  let session = 0;
  for (const r of journal.records) {
    if (r.t === 'session') session = r.n;
    if (r.t === 'attempt') sessionOf.set(r.step, [...(sessionOf.get(r.step) ?? []), session]);
  }
  const finishedInFirst = journal.records.filter(
    (r, i) =>
      r.t === 'step' &&
      (r.status === 'done' || r.status === 'already-done') &&
      journal.records.slice(0, i).filter((x) => x.t === 'session').length === 1,
  );
  expect(finishedInFirst.length).toBeGreaterThan(0);
  for (const r of finishedInFirst) if (r.t === 'step') expect(sessionOf.get(r.step), r.step).toEqual([1]);
});

test('a million-line step log stays usable: only the rows in view exist, any line is one scroll away', async ({
  app,
}) => {
  test.setTimeout(300_000);
  // A real run through the deploy engine, on a lab host, of a purpose-made step printing 1 M lines.
  const workspace = join(serverEnv.KEELSON_HOME, 'workspace');
  const project = labProject(lab, {
    roles: { h1: ['control-plane'] },
    apiEndpoint: { pattern: 'node-local', port: 6443 },
  });
  writeFileSync(
    join(workspace, 'big-log.keelson.yaml'),
    JSON.stringify({ ...project, metadata: { name: 'big log' } }),
  );
  const work = join(root, 'big-log-work');
  mkdirSync(work, { recursive: true });
  const ssh = labSsh(lab, work);
  const step = testStep({
    id: 'bench/million-lines/h1',
    host: 'h1',
    phase: 'preflight',
    script: "set -euo pipefail\nseq -f 'line %.0f' 1 1000000",
    timeoutSeconds: 300,
  });
  const { run } = await openRun({
    plan: {
      cluster: 'big log',
      kubernetesVersion: '1.37',
      generatedBy: 'deploy.spec.ts',
      hosts: [],
      phases: [{ id: 'preflight', title: 'one million lines', parallel: true, steps: [step] }],
    },
    project,
    ssh,
    secrets: testSecrets(ssh, work).provider,
    stateDir: join(workspace, 'big-log.deploy'),
    keelsonVersion: 'e2e',
  });
  expect(await run.done).toBe('succeeded');
  ssh.closeAll();

  await app.reload();
  await app.getByTestId('clusters-menu').click();
  await app
    .getByTestId('cluster-big-log')
    .getByRole('button', { name: /big log/ })
    .first()
    .click();
  await app.getByTestId('tab-deploy').click();
  await app.getByTestId('cell-h1-preflight').click();
  const log = app.getByTestId('deploy-log');
  // 1 M lines of output plus Keelson's own header and footer lines.
  await expect(log).toHaveAttribute('data-lines', '1000002', { timeout: 30_000 });
  await expect(log).toContainText('── done');
  const rows = await log.locator('.log-line').count();
  expect(rows).toBeLessThan(100);
  // Jump to the middle: the lines there are read from the file and shown.
  await log.evaluate((el) => (el.scrollTop = 500_000 * 16));
  await expect(log.locator('[data-line="500000"]')).toContainText('line 500000', { timeout: 15_000 });
  expect(await log.locator('.log-line').count()).toBeLessThan(100);
  // Figures, not a pass/fail: the renderer's heap after reading both ends and the middle.
  const cdp = await app.context().newCDPSession(app);
  await cdp.send('HeapProfiler.collectGarbage');
  const { usedSize } = (await cdp.send('Runtime.getHeapUsage')) as { usedSize: number };
  console.log(
    `million-line log: ${rows} rows in the DOM, renderer JS heap ${(usedSize / 1048576).toFixed(1)} MB`,
  );
});
