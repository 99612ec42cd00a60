#!/usr/bin/env node
// `npm start`: build, then run the real Electron app. npm install skips Electron's binary
// download (package.json allowScripts), so it is fetched here on first start. Where Electron
// cannot run — no binary and no download, root without a sandbox, no desktop — this starts
// browser mode instead (same services and UI): builds if needed, serves on 127.0.0.1, prints the
// URL and opens it when there is a desktop. It exits non-zero only when neither can start.
//   npm start -- --browser [--port N]   browser mode even where Electron could run
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const electronDir = dirname(require.resolve('electron/package.json'));
const electronVite = join(dirname(require.resolve('electron-vite/package.json')), 'bin', 'electron-vite.js');
const hasBinary = () => existsSync(join(electronDir, 'path.txt')) && existsSync(join(electronDir, 'dist'));
// About 100 MB; a slow link gets two minutes before we give up and use browser mode.
const downloadTimeoutMs = Number(process.env.KEELSON_ELECTRON_DOWNLOAD_TIMEOUT_MS ?? 120_000);

const args = process.argv.slice(2);
const portAt = args.indexOf('--port');
const port = portAt >= 0 ? args[portAt + 1] : undefined;
const hasDesktop =
  process.platform !== 'linux' || Boolean(process.env.DISPLAY || process.env.WAYLAND_DISPLAY);

/** Why Electron cannot run here, or undefined when it can (fetching its binary if needed). */
function whyNoElectron() {
  if (args.includes('--browser')) return 'browser mode asked for (--browser)';
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
      return `Electron's binary is not installed and the download ${why}`;
    }
  }
  // Chromium will not start its sandbox as root.
  if (
    process.platform === 'linux' &&
    process.getuid?.() === 0 &&
    process.env.KEELSON_ELECTRON_NO_SANDBOX !== '1'
  )
    return 'Electron refuses to run as root with its sandbox on (KEELSON_ELECTRON_NO_SANDBOX=1 runs it unsandboxed)';
  if (!hasDesktop) return 'there is no desktop to show a window on (DISPLAY and WAYLAND_DISPLAY are unset)';
  return undefined;
}

function build() {
  const r = spawnSync(process.execPath, [electronVite, 'build'], { stdio: 'inherit', cwd: root });
  if (r.status !== 0) {
    console.error('npm start: the build failed (see above).');
    process.exit(r.status ?? 1);
  }
}

/** Newest modification time under `path` (files), skipping build output and dependencies. */
function newest(path) {
  if (!existsSync(path)) return 0;
  const info = statSync(path);
  if (!info.isDirectory()) return info.mtimeMs;
  let latest = 0;
  for (const name of readdirSync(path)) {
    if (name === 'node_modules' || name === 'out') continue;
    latest = Math.max(latest, newest(join(path, name)));
  }
  return latest;
}

/** True when out/ is missing or older than any source it is built from. */
function buildIsStale() {
  const outputs = ['out/main/serve.js', 'out/renderer/index.html'].map((p) => join(root, p));
  if (!outputs.every(existsSync)) return true;
  const built = Math.min(...outputs.map((p) => statSync(p).mtimeMs));
  const sources = ['main', 'renderer', 'shared', 'preload', 'package.json', 'electron.vite.config.ts'];
  return sources.some((s) => newest(join(root, s)) > built);
}

/** Opens the URL in the desktop's browser; a failure only means the user opens it by hand. */
function openInBrowser(url) {
  const [command, commandArgs] =
    process.platform === 'darwin'
      ? ['open', [url]]
      : process.platform === 'win32'
        ? ['cmd', ['/c', 'start', '""', url]]
        : ['xdg-open', [url]];
  try {
    const child = spawn(command, commandArgs, { stdio: 'ignore', detached: true });
    child.on('error', () => console.error(`Could not open a browser (${command}); open the URL above.`));
    child.unref();
  } catch {
    console.error(`Could not open a browser (${command}); open the URL above.`);
  }
}

function browserMode(reason) {
  console.error(`${reason}: starting browser mode instead (the same app, served on 127.0.0.1).`);
  if (buildIsStale()) build();
  const serve = spawn(
    process.execPath,
    [join(root, 'out/main/serve.js'), ...(port ? ['--port', port] : [])],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
      cwd: root,
    },
  );
  let buffered = '';
  let opened = false;
  serve.stdout.on('data', (chunk) => {
    process.stdout.write(chunk);
    buffered += chunk.toString();
    const url = /^Open: (http:\/\/127\.0\.0\.1:\d+\/\S*)$/m.exec(buffered)?.[1];
    if (url && !opened) {
      opened = true;
      if (hasDesktop) openInBrowser(url);
    }
  });
  for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => serve.kill(signal));
  serve.on('exit', (code, signal) => {
    if (!opened) console.error('npm start: browser mode could not start either (see above).');
    process.exit(code ?? (signal ? 0 : 1));
  });
}

const reason = whyNoElectron();
if (reason) browserMode(reason);
else {
  build();
  const electron = require('electron'); // resolves to the binary's path once installed
  const extraArgs = process.platform === 'linux' && process.getuid?.() === 0 ? ['--no-sandbox'] : [];
  const run = spawnSync(electron, [...extraArgs, '.'], { stdio: 'inherit', cwd: root });
  process.exit(run.status ?? 0);
}
