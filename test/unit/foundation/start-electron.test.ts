import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
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

function npmStart(
  env: Record<string, string>,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['scripts/start-electron.mjs'], {
      // TMPDIR too: a download killed on timeout leaves its temp folder behind.
      env: { ...process.env, electron_config_cache: cache, TMPDIR: cache, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const guard = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`npm start still running after 30 s; stderr: ${stderr}`));
    }, 30_000);
    child.once('exit', (code) => {
      clearTimeout(guard);
      resolve({ code, stdout, stderr });
    });
  });
}

describe.skipIf(binaryPresent)('npm start without the Electron binary', () => {
  it('says in one line that the download failed and points to npm run serve', async () => {
    const result = await npmStart({ ELECTRON_MIRROR: 'http://127.0.0.1:9/' });
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toBe(
      "Electron's binary is not installed and the download failed; run `npm run serve` for browser mode instead.\n",
    );
    expect(existsSync('node_modules/electron/dist')).toBe(false);
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
      expect(result.code).toBe(1);
      expect(result.stderr).toBe(
        "Electron's binary is not installed and the download timed out after 1.5 s; run `npm run serve` for browser mode instead.\n",
      );
    } finally {
      stalled.closeAllConnections();
      stalled.close();
    }
  });
});

if (binaryPresent)
  console.log('npm start missing-binary test skipped: node_modules/electron/dist exists here.');
