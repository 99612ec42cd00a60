/**
 * Day-2 node actions in the app, in Chromium against the real renderer and services: which nodes
 * offer them, and the confirm dialog with main's explanation, the even-member warning and the
 * etcd quorum refusal. No host is contacted here — a node operation's plan never connects, and
 * Run is not pressed; the runs themselves are proven on a real cluster in the lab
 * (test/lab/kube/day2-suite.ts). The cluster's deployed.json is written by this test, standing in
 * for the record a successful deploy leaves.
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { API_VERSION } from '../../shared/model/cluster';
import { expect, test } from './fixtures';

const root = join(tmpdir(), `keelson-e2e-day2-${randomBytes(4).toString('hex')}`);
const serverEnv = { KEELSON_HOME: join(root, 'keelson'), HOME: join(root, 'home') };
test.use({ serverEnv });

const workspace = join(serverEnv.KEELSON_HOME, 'workspace');

/** A keepalived + haproxy cluster of `cps` control planes and worker1, deployed; worker2 drawn but not deployed. */
function writeCluster(id: string, cps: number): void {
  const hosts = [
    ...Array.from({ length: cps }, (_, i) => ({
      name: `cp${i + 1}`,
      address: `10.77.250.${11 + i}`,
      roles: ['control-plane'],
    })),
    { name: 'worker1', address: '10.77.250.21', roles: ['worker'] },
  ];
  const project = {
    apiVersion: API_VERSION,
    kind: 'Cluster',
    metadata: { name: id },
    spec: {
      kubernetesVersion: '1.37',
      hosts: [...hosts, { name: 'worker2', address: '10.77.250.22', roles: ['worker'] }],
      apiEndpoint: {
        pattern: 'keepalived-haproxy',
        vip: '10.77.250.100',
        port: 8443,
        vrrp: { routerId: 61 },
      },
    },
  };
  writeFileSync(join(workspace, `${id}.keelson.yaml`), JSON.stringify(project));
  mkdirSync(join(workspace, `${id}.deploy`), { recursive: true });
  writeFileSync(
    join(workspace, `${id}.deploy`, 'deployed.json'),
    JSON.stringify({
      cluster: id,
      runId: '20261130-100000-abcd',
      at: '2026-11-30T10:00:00.000Z',
      kubernetesVersion: '1.37.2',
      planHash: 'written-by-the-test',
      keelsonVersion: 'test',
      hosts,
    }),
  );
}

test.beforeAll(() => {
  mkdirSync(serverEnv.HOME, { recursive: true });
  mkdirSync(workspace, { recursive: true });
  writeCluster('three', 3);
  writeCluster('two', 2);
});

test.afterAll(() => rmSync(root, { recursive: true, force: true }));

async function open(app: import('@playwright/test').Page, id: string) {
  await app.reload();
  await app
    .getByTestId('start-screen')
    .getByTestId(`cluster-${id}`)
    .getByRole('button', { name: id })
    .first()
    .click();
  await expect(app.getByTestId('node-cp1')).toBeVisible();
}

test('a deployed node offers cordon, drain and delete; deleting a control plane explains itself first', async ({
  app,
}) => {
  await open(app, 'three');
  const menu = app.getByTestId('node-menu');
  // worker2 is only drawn: nothing to cordon or delete on the cluster yet.
  await app.getByTestId('node-worker2').click({ button: 'right' });
  await expect(menu.getByRole('menuitem')).toHaveText(['Open terminal']);
  await app.keyboard.press('Escape');

  await app.getByTestId('node-cp3').click({ button: 'right' });
  await expect(menu.getByRole('menuitem')).toHaveText([
    'Open terminal',
    'Cordon',
    'Uncordon',
    'Drain…',
    'Delete node…',
  ]);
  await menu.getByRole('menuitem', { name: 'Delete node…' }).click();
  const dialog = app.getByTestId('node-action');
  await expect(dialog.getByRole('heading')).toHaveText('Delete node cp3');
  const steps = dialog.getByTestId('node-action-explanation').getByRole('listitem');
  await expect(steps.first()).toHaveText('check on cp1 that etcd keeps quorum without cp3');
  await expect(dialog.getByTestId('node-action-explanation')).toContainText(
    'write the new upstream list on cp1, cp2 and reload (connections kept)',
  );
  await expect(dialog.getByTestId('node-action-explanation')).toContainText(
    'stop keepalived and haproxy on cp3',
  );
  await expect(dialog.getByTestId('node-action-warning')).toContainText('etcd will have 2 members');
  await expect(dialog.getByTestId('node-action-run')).toBeEnabled();

  // A host that is gone: nothing would run on it.
  await dialog.getByTestId('node-action-dead').check();
  await expect(dialog.getByTestId('node-action-explanation')).toContainText(
    'cp3 is gone: nothing runs on it',
  );
  await expect(dialog.getByTestId('node-action-explanation')).not.toContainText('kubeadm reset');
  await dialog.getByRole('button', { name: 'Cancel' }).click();
  await expect(dialog).toHaveCount(0);

  // The same actions from Properties.
  await app.getByTestId('node-worker1').click();
  await app.getByTestId('host-node-actions').getByRole('button', { name: 'Drain…' }).click();
  await expect(dialog.getByTestId('node-action-explanation')).toContainText('Drain worker1 (run on cp1)');
  await expect(dialog.getByTestId('node-action-explanation')).toContainText(
    'a pod with emptyDir data stops the drain until that loss is confirmed',
  );
  await dialog.getByTestId('node-action-emptydir').check();
  await expect(dialog.getByTestId('node-action-explanation')).toContainText('that data is lost (confirmed)');
});

test('removing a control plane of two is refused with the quorum reason, and cannot be run', async ({
  app,
}) => {
  await open(app, 'two');
  await app.getByTestId('node-cp2').click({ button: 'right' });
  await app.getByTestId('node-menu').getByRole('menuitem', { name: 'Delete node…' }).click();
  const dialog = app.getByTestId('node-action');
  await expect(dialog.getByTestId('node-action-refused')).toContainText(
    'removing cp2 is refused: etcd has 2 members: removing one needs both to agree (quorum of 2 is 2)',
  );
  await expect(dialog.getByTestId('node-action-run')).toBeDisabled();
});
