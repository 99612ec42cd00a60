/**
 * Terminals on real lab hosts (systemd-nspawn Debian with OpenSSH), in Chromium: h2 is reached
 * only through its bastion h1; the host keys are accepted in the tab; `hostname` answers; the
 * shell follows the panel's size; a second tab goes to h3; stopping sshd on h3 makes its tab
 * say it is disconnected (h2's tab is untouched), and Reconnect works once sshd is back.
 * Needs root (the lab); it starts and removes its own lab.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from '@playwright/test';
import { emptyProject, serializeProject } from '../../shared/model/parse';
import type { Host } from '../../shared/model/cluster';
import { startLab, type Lab } from '../lab/lab';
import { expect, SCREENSHOT_DIR, test } from './fixtures';
import { sttySize, terminalView, typeLine, viewSize, waitForLine } from './terminal-helpers';

const isRoot = process.getuid?.() === 0;
const root = join(tmpdir(), `keelson-e2e-labterm-${randomBytes(4).toString('hex')}`);
const serverEnv = {
  KEELSON_HOME: join(root, 'keelson'),
  HOME: join(root, 'home'),
  // Empty: every host key is shown in the tab and accepted there.
  KEELSON_KNOWN_HOSTS: join(root, 'known_hosts'),
};
test.use({ serverEnv });

let lab: Lab | undefined;

test.skip(!isRoot, 'skipped: the lab needs root (systemd-nspawn, network namespaces)');

test.beforeAll(async () => {
  test.setTimeout(600_000);
  lab = await startLab({ hosts: 3, behindBastion: { h2: 'h1' }, kind: 'e2e-terminal' });
  const host = (name: string, roles: Host['roles'], via?: string): Host => {
    const h = lab!.host(name);
    return {
      name,
      address: h.address,
      roles,
      labels: {},
      taints: [],
      ssh: { port: h.sshPort, user: 'root', auth: { type: 'key', keyFile: lab!.keyPath }, via },
    };
  };
  const project = emptyProject('lab');
  project.spec.hosts = [host('h1', ['bastion']), host('h2', ['control-plane'], 'h1'), host('h3', ['worker'])];
  mkdirSync(join(serverEnv.KEELSON_HOME, 'workspace'), { recursive: true });
  mkdirSync(serverEnv.HOME, { recursive: true });
  writeFileSync(join(serverEnv.KEELSON_HOME, 'workspace', 'lab.keelson.yaml'), serializeProject(project));
});

test.afterAll(async () => {
  await lab?.stop();
  rmSync(root, { recursive: true, force: true });
});

const tab = (app: Page, name: string) => app.getByTestId(`terminal-tab-${name}`);

/** Accepts each unknown host key the tab shows (the bastion's first, then the host's). */
async function acceptHostKeys(app: Page, name: string, count: number) {
  for (let i = 0; i < count; i++) {
    const prompt = terminalView(app).getByRole('alertdialog', { name: 'Unknown host key' });
    await expect(prompt).toBeVisible({ timeout: 30_000 });
    await prompt.getByRole('button', { name: 'Accept' }).click();
    await expect(prompt).toHaveCount(0);
  }
  await expect(tab(app, name)).toHaveAttribute('data-state', 'open', { timeout: 30_000 });
}

test('a terminal through a bastion, a second tab, and Reconnect after sshd comes back', async ({ app }) => {
  test.setTimeout(240_000);
  await app.getByTestId('start-screen').getByTestId('cluster-lab').getByRole('button').first().click();
  await expect(app.getByTestId('node-h2')).toBeVisible();

  // Double-click h2: a terminal through h1, after accepting both host keys.
  await app.getByTestId('node-h2').dblclick();
  await expect(app.getByTestId('tab-terminals')).toHaveAttribute('aria-selected', 'true');
  await acceptHostKeys(app, 'h2', 2);
  await expect(terminalView(app).locator('.terminal-target')).toContainText(
    `via root@${lab!.host('h1').address}`,
  );
  await typeLine(app, 'hostname');
  await waitForLine(app, /^h2$/);

  // The shell's size follows the panel.
  const before = await viewSize(app);
  expect(await sttySize(app)).toEqual(before);
  await app.setViewportSize({ width: 1000, height: 800 });
  await expect.poll(async () => (await viewSize(app)).cols).toBeLessThan(before.cols);
  expect(await sttySize(app)).toEqual(await viewSize(app));
  await app.setViewportSize({ width: 1400, height: 900 });

  // A second tab, from h3's right-click menu.
  await app.getByTestId('node-h3').click({ button: 'right' });
  await app.getByTestId('node-menu').getByRole('menuitem', { name: 'Open terminal' }).click();
  await acceptHostKeys(app, 'h3', 1);
  await typeLine(app, 'hostname');
  await waitForLine(app, /^h3$/);
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  await app.screenshot({ path: `${SCREENSHOT_DIR}/terminal-lab.png` });

  // sshd stops on h3 (the listener, and the session processes it leaves behind).
  await lab!.sh('h3', 'systemctl stop ssh.service; pkill -x sshd || true');
  await expect(tab(app, 'h3')).toHaveAttribute('data-state', 'disconnected', { timeout: 30_000 });
  const banner = terminalView(app).getByTestId('terminal-ended');
  await expect(banner).toContainText('Disconnected');
  await expect(banner).toContainText(lab!.host('h3').address);
  await app.screenshot({ path: `${SCREENSHOT_DIR}/terminal-disconnected.png` });
  // h2's terminal is another connection: still there.
  await expect(tab(app, 'h2')).toHaveAttribute('data-state', 'open');

  // While sshd is down, Reconnect says why it cannot; once it is back, Reconnect works.
  await banner.getByRole('button', { name: 'Reconnect' }).click();
  await expect(tab(app, 'h3')).toHaveAttribute('data-state', 'failed', { timeout: 30_000 });
  await expect(banner).toContainText(/refused/i);
  await lab!.sh('h3', 'systemctl start ssh.service');
  await banner.getByRole('button', { name: 'Reconnect' }).click();
  await expect(tab(app, 'h3')).toHaveAttribute('data-state', 'open', { timeout: 30_000 });
  await typeLine(app, 'echo "back-on-$(hostname)"');
  await waitForLine(app, /^back-on-h3$/);

  // And h2's shell still answers.
  await tab(app, 'h2').getByRole('tab').click();
  await typeLine(app, 'echo "still-$(hostname)"');
  await waitForLine(app, /^still-h2$/);
});
