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

if (!hasBinary()) {
  const fetched = spawnSync(process.execPath, [join(electronDir, 'install.js')], {
    stdio: 'ignore',
    timeout: 120_000,
  });
  if (fetched.status !== 0 || !hasBinary()) {
    console.error(
      "Electron's binary is not installed and could not be downloaded here; run `npm run serve` for browser mode instead.",
    );
    process.exit(1);
  }
}
const build = spawnSync('npx', ['electron-vite', 'build'], { stdio: 'inherit' });
if (build.status !== 0) process.exit(build.status ?? 1);
const electron = require('electron'); // resolves to the binary's path once installed
const run = spawnSync(electron, ['.'], { stdio: 'inherit' });
process.exit(run.status ?? 0);
