#!/usr/bin/env node
// `npm start`: build, then run the real Electron app. npm install skips Electron's
// binary download (package.json allowScripts), so fetch it here on first start and,
// where that cannot work (no network), say so in one line and point to browser mode.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const require = createRequire(import.meta.url);
const electronDir = dirname(require.resolve('electron/package.json'));
const hasBinary = () => existsSync(join(electronDir, 'path.txt')) && existsSync(join(electronDir, 'dist'));
// About 100 MB; a slow link gets two minutes before we give up and suggest browser mode.
const downloadTimeoutMs = Number(process.env.KEELSON_ELECTRON_DOWNLOAD_TIMEOUT_MS ?? 120_000);

if (!hasBinary()) {
  // Only a person at a terminal needs telling why nothing happens for a while; logs get one line.
  if (process.stderr.isTTY)
    console.error("Electron's binary is missing; downloading it once (about 100 MB)…");
  const fetched = spawnSync(process.execPath, [join(electronDir, 'install.js')], {
    stdio: 'ignore',
    timeout: downloadTimeoutMs,
    killSignal: 'SIGKILL',
  });
  if (fetched.status !== 0 || !hasBinary()) {
    const why =
      fetched.error?.code === 'ETIMEDOUT' ? `timed out after ${downloadTimeoutMs / 1000} s` : 'failed';
    console.error(
      `Electron's binary is not installed and the download ${why}; run \`npm run serve\` for browser mode instead.`,
    );
    process.exit(1);
  }
}

// Chromium will not start its sandbox as root; say so instead of letting Electron abort.
const extraArgs = [];
if (process.platform === 'linux' && process.getuid?.() === 0) {
  if (process.env.KEELSON_ELECTRON_NO_SANDBOX !== '1') {
    console.error(
      'Electron refuses to run as root with its sandbox on: start Keelson as a normal user, ' +
        'set KEELSON_ELECTRON_NO_SANDBOX=1 to run it unsandboxed anyway, or use `npm run serve`.',
    );
    process.exit(1);
  }
  extraArgs.push('--no-sandbox');
}

// electron-vite's own script through this Node: no npx, so it works the same on Windows.
const electronVite = join(dirname(require.resolve('electron-vite/package.json')), 'bin', 'electron-vite.js');
const build = spawnSync(process.execPath, [electronVite, 'build'], { stdio: 'inherit' });
if (build.status !== 0) process.exit(build.status ?? 1);
const electron = require('electron'); // resolves to the binary's path once installed
const run = spawnSync(electron, [...extraArgs, '.'], { stdio: 'inherit' });
process.exit(run.status ?? 0);
