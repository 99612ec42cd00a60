/**
 * Check hosts from the header, in Chromium, against three Debian lab hosts over real SSH: the
 * report shows hosts × checks; with port 6443 taken on cp1 the cell is red with its fix, and
 * Deploy then refuses to start unless the user types a reason — which the run's journal keeps.
 */
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { API_VERSION } from '../../shared/model/cluster';
import { startLab, type Lab } from '../lab/lab';
import { labHostsOnCgroupV1 } from '../lab/project';
import { expect, test } from './fixtures';

const root = join(tmpdir(), `keelson-e2e-check-${randomBytes(4).toString('hex')}`);
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
  lab = await startLab({ hosts: 3 });
  copyFileSync(lab.knownHostsPath, serverEnv.KEELSON_KNOWN_HOSTS);
  const names = ['cp1', 'worker1', 'worker2'];
  const project = {
    apiVersion: API_VERSION,
    kind: 'Cluster',
    metadata: { name: 'lab check' },
    spec: {
      kubernetesVersion: '1.37',
      hosts: lab.hosts.map((h, i) => ({
        name: names[i],
        address: h.address,
        roles: [i === 0 ? 'control-plane' : 'worker'],
        ssh: { port: h.sshPort, user: 'root', auth: { type: 'key', keyFile: lab.keyPath } },
      })),
      kubelet: { allowCgroupV1: labHostsOnCgroupV1() },
      apiEndpoint: { pattern: 'node-local', port: 6443 },
    },
  };
  writeFileSync(join(serverEnv.KEELSON_HOME, 'workspace', 'lab-check.keelson.yaml'), JSON.stringify(project));
});

test.afterAll(async () => {
  await lab?.stop();
  rmSync(root, { recursive: true, force: true });
});

test('Check hosts: the report, a red port with its fix, and Deploy refusing red without a reason', async ({
  app,
}) => {
  test.setTimeout(300_000);
  await app.reload();
  await app
    .getByTestId('start-screen')
    .getByTestId('cluster-lab-check')
    .getByRole('button', { name: /lab check/ })
    .first()
    .click();
  await expect(app.getByTestId('deploy-button')).toBeEnabled({ timeout: 15_000 });

  await app.getByTestId('check-button').click();
  await expect(app.getByTestId('check-verdict')).toBeVisible({ timeout: 120_000 });
  for (const h of ['cp1', 'worker1', 'worker2']) {
    await expect(app.getByTestId(`check-cell-${h}-ssh`)).toHaveAttribute('data-status', 'green');
    await expect(app.getByTestId(`check-cell-${h}-reach`)).toHaveAttribute('data-status', 'green');
  }
  await expect(app.getByTestId('check-cell-cp1-ports')).toHaveAttribute('data-status', 'green');

  // A stranger takes 6443 on cp1: Check again, the cell is red and says how to fix it.
  const taken = await lab.exec(
    'h1',
    'setsid timeout 300 systemd-socket-activate -l 0.0.0.0:6443 -a --inetd cat </dev/null >/dev/null 2>&1 & echo $! > /root/fault.pid; sleep 1',
  );
  expect(taken.code).toBe(0);
  await app.getByTestId('check-button').click();
  await expect(app.getByTestId('check-cell-cp1-ports')).toHaveAttribute('data-status', 'red', {
    timeout: 120_000,
  });
  await expect(app.getByTestId('check-problems')).toContainText('TCP port 6443 is in use');
  await expect(app.getByTestId('check-problems')).toContainText('stop the process that holds it');

  // Deploy refuses red: cancelling the reason prompt starts nothing.
  app.once('dialog', (d) => void d.dismiss());
  await app.getByTestId('deploy-button').click();
  await app.waitForTimeout(1000);
  // No run folder: nothing started. The report itself is kept beside the deploy state.
  const state = join(serverEnv.KEELSON_HOME, 'workspace', 'lab-check.deploy');
  expect(existsSync(join(state, 'runs'))).toBe(false);
  expect(JSON.parse(readFileSync(join(state, 'last-check.json'), 'utf8')).report.verdict).toBe('red');
  // With a reason, the run starts (its preflight then fails on the same port) and the journal keeps the reason.
  app.once('dialog', (d) => void d.accept('testing the override on purpose'));
  await app.getByTestId('deploy-button').click();
  await expect(app.getByTestId('tab-deploy')).toHaveAttribute('aria-selected', 'true', { timeout: 15_000 });
  const runs = join(serverEnv.KEELSON_HOME, 'workspace', 'lab-check.deploy', 'runs');
  await expect
    .poll(() => readdirSync(runs, { withFileTypes: true }).length, { timeout: 15_000 })
    .toBeGreaterThan(0);
  const journal = readFileSync(join(runs, readdirSync(runs)[0]!, 'journal.jsonl'), 'utf8');
  const override = journal
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as { t: string; reason?: string; red?: string[] })
    .find((r) => r.t === 'override');
  expect(override?.reason).toBe('testing the override on purpose');
  expect(override?.red).toContain('cp1 ports');
  await lab.exec('h1', 'kill "$(cat /root/fault.pid)"');
});
