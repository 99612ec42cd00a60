import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

// `npm start` with the real node_modules, where Electron's binary is absent. The download
// is pointed at loopback (ELECTRON_MIRROR) so it fails or stalls here, never on the network.
const binaryPresent = existsSync('node_modules/electron/dist');
const cache = mkdtempSync(join(tmpdir(), 'keelson-electron-cache-'));
afterAll(() => rmSync(cache, { recursive: true, force: true }));

/**
 * Runs `npm start`'s script until browser mode prints its URL (or the script exits), then stops
 * it as Ctrl-C would (SIGINT to its process group).
 */
function npmStart(
  env: Record<string, string>,
  args: string[] = [],
  /** A file to wait for (up to 15 s) before the Ctrl-C: what the script starts after the URL. */
  stopAfter?: string,
): Promise<{ code: number | null; stdout: string; stderr: string; url?: string }> {
  return new Promise((resolve, reject) => {
    const childEnv: Record<string, string | undefined> = {
      ...process.env,
      electron_config_cache: cache,
      // TMPDIR too: a download killed on timeout leaves its temp folder behind.
      TMPDIR: cache,
      KEELSON_HOME: join(cache, 'home'),
    };
    // No desktop unless a test gives one: a test must never open a real browser window.
    delete childEnv.DISPLAY;
    delete childEnv.WAYLAND_DISPLAY;
    Object.assign(childEnv, env);
    const child = spawn(process.execPath, ['scripts/start-electron.mjs', ...args], {
      env: childEnv,
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    let stdout = '';
    let stderr = '';
    let url: string | undefined;
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      if (url) return;
      url = /^Open: (http:\/\/127\.0\.0\.1:\d+\/#token=\S+)$/m.exec(stdout)?.[1];
      if (!url) return;
      // A Ctrl-C the instant the URL appears could reach the browser opener between its fork and
      // its setsid (a flake seen under load): a person presses it later, once the browser opened.
      const since = Date.now();
      const stop = () => {
        if (stopAfter && !existsSync(stopAfter) && Date.now() - since < 15_000)
          return void setTimeout(stop, 50);
        process.kill(-child.pid!, 'SIGINT');
      };
      stop();
    });
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const guard = setTimeout(() => {
      process.kill(-child.pid!, 'SIGKILL');
      reject(new Error(`npm start printed no URL within 90 s; stderr: ${stderr}`));
    }, 90_000);
    child.once('exit', (code) => {
      clearTimeout(guard);
      resolve({ code, stdout, stderr, url });
    });
  });
}

// A stale build is rebuilt first (tens of seconds on a slow machine): past vitest's 30 s default.
describe.skipIf(binaryPresent)(
  'npm start without the Electron binary falls back to browser mode',
  { timeout: 100_000 },
  () => {
    it('says in one line that the download failed and serves browser mode instead, printing its URL', async () => {
      const result = await npmStart({ ELECTRON_MIRROR: 'http://127.0.0.1:9/' });
      expect(result.stderr.split('\n')[0]).toBe(
        "Electron's binary is not installed and the download failed: starting browser mode instead (the same app, served on 127.0.0.1).",
      );
      expect(result.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/#token=/);
      // Stopped with Ctrl-C after the URL: a clean exit, not a failure.
      expect(result.code).toBe(0);
      expect(existsSync('node_modules/electron/dist')).toBe(false);
    });

    it("on a desktop, opens the printed URL in the desktop's browser (xdg-open: a recording stand-in here)", async () => {
      // This machine has no desktop, so xdg-open is a recording stand-in first on PATH.
      const bin = mkdtempSync(join(cache, 'fake-xdg-open-'));
      const opened = join(bin, 'opened');
      writeFileSync(join(bin, 'xdg-open'), `#!/bin/sh\nprintf '%s\\n' "$*" > '${opened}'\n`, { mode: 0o755 });
      const result = await npmStart(
        {
          ELECTRON_MIRROR: 'http://127.0.0.1:9/',
          DISPLAY: ':97',
          PATH: `${bin}:${process.env.PATH}`,
        },
        [],
        opened,
      );
      expect(result.url).toBeDefined();
      await expect
        .poll(() => existsSync(opened) && readFileSync(opened, 'utf8'), { timeout: 15_000 })
        .toBe(`${result.url}\n`);
    });

    it('exits non-zero, saying why, when browser mode cannot start either (its port is taken)', async () => {
      const taken: Server = createServer();
      await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
      try {
        const port = (taken.address() as AddressInfo).port;
        const result = await npmStart({ ELECTRON_MIRROR: 'http://127.0.0.1:9/' }, ['--port', String(port)]);
        expect(result.url).toBeUndefined();
        expect(result.stderr).toContain(
          `Keelson browser mode could not start: port ${port} is already in use on 127.0.0.1.`,
        );
        expect(result.stderr).toContain('npm start: browser mode could not start either (see above).');
        expect(result.code).toBe(1);
      } finally {
        taken.close();
      }
    });

    it('gives up on a download that stalls, after the timeout, with the same one line', async () => {
      // A mirror that accepts the request and never answers.
      const stalled: Server = createServer(() => {});
      await new Promise<void>((resolve) => stalled.listen(0, '127.0.0.1', resolve));
      try {
        const port = (stalled.address() as AddressInfo).port;
        const result = await npmStart({
          ELECTRON_MIRROR: `http://127.0.0.1:${port}/`,
          KEELSON_ELECTRON_DOWNLOAD_TIMEOUT_MS: '1500',
        });
        expect(result.stderr.split('\n')[0]).toBe(
          "Electron's binary is not installed and the download timed out after 1.5 s: starting browser mode instead (the same app, served on 127.0.0.1).",
        );
        expect(result.url).toBeDefined();
      } finally {
        stalled.closeAllConnections();
        stalled.close();
      }
    });
  },
);

if (binaryPresent)
  console.log('npm start missing-binary test skipped: node_modules/electron/dist exists here.');
