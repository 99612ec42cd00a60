import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test } from '@playwright/test';

// The README's first hour on a machine where Electron's binary cannot be had: `npm start` must
// still give a working Keelson, in browser mode. Electron's download is pointed at a closed
// loopback port (ELECTRON_MIRROR), so it fails here and never touches the network.
const binaryPresent = existsSync('node_modules/electron/dist');

test('npm start without Electron serves the app in browser mode, and the page loads', async ({ page }) => {
  test.setTimeout(180_000); // a first start may build the app
  let url = '';
  const home = mkdtempSync(join(tmpdir(), 'keelson-first-run-'));
  const env: Record<string, string | undefined> = {
    ...process.env,
    KEELSON_HOME: home,
    ELECTRON_MIRROR: 'http://127.0.0.1:9/',
    electron_config_cache: join(home, 'electron-cache'),
  };
  // No desktop: nothing may try to open a browser window from a test.
  delete env.DISPLAY;
  delete env.WAYLAND_DISPLAY;
  // Where the binary exists, --browser stands in for "Electron cannot start here".
  const child: ChildProcess = spawn('npm', ['start', ...(binaryPresent ? ['--', '--browser'] : [])], {
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
    // Its own process group, as a terminal gives it: Ctrl-C below reaches npm and all it started.
    detached: true,
  });
  let stdout = '';
  let stderr = '';
  child.stderr!.on('data', (c: Buffer) => (stderr += c.toString()));
  try {
    url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no URL after 120 s; stderr: ${stderr}`)), 120_000);
      child.once('exit', (code) => reject(new Error(`npm start exited with ${code}; stderr: ${stderr}`)));
      child.stdout!.on('data', (c: Buffer) => {
        stdout += c.toString();
        const match = /^Open: (http:\/\/127\.0\.0\.1:\d+\/#token=\S+)$/m.exec(stdout);
        if (match) {
          clearTimeout(timer);
          resolve(match[1]!);
        }
      });
    });
    expect(stderr).toMatch(
      binaryPresent
        ? /browser mode asked for \(--browser\): starting browser mode instead/
        : /Electron's binary is not installed and the download failed: starting browser mode instead/,
    );
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(url);
    // The app itself, talking to its services: a cluster made from a template opens on the canvas.
    const start = page.getByTestId('start-screen');
    await start.getByLabel('Cluster name').fill('First hour');
    await start.getByLabel('Start from').selectOption({ label: 'keepalived + haproxy on 3 control planes' });
    await start.getByRole('button', { name: 'Create cluster' }).click();
    await expect(page.getByTestId('cluster-name')).toHaveText('First hour');
    await expect(page.getByTestId('node-cp1')).toBeVisible();
    expect(errors).toEqual([]);
  } finally {
    const exited = new Promise((done) => child.once('exit', done));
    process.kill(-child.pid!, 'SIGINT'); // Ctrl-C
    await exited;
    rmSync(home, { recursive: true, force: true });
  }
  // Ctrl-C stops the server npm start started: nothing is left listening.
  await expect
    .poll(
      () =>
        fetch(url).then(
          () => 'listening',
          () => 'stopped',
        ),
      { timeout: 10_000 },
    )
    .toBe('stopped');
});
