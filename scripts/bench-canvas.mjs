#!/usr/bin/env node
// Canvas benchmark: a 500-host cluster in Chromium (browser mode). Prints how long the
// app takes from navigation to every node rendered, and frame times while dragging one node.
// Figures to read, not a pass/fail test. Needs a build first: `npx electron-vite build`.
//   node scripts/bench-canvas.mjs [--hosts 500] [--frames 60]
/* global window, document, requestAnimationFrame -- page.evaluate bodies run in the browser */
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { chromium } from 'playwright-core';
import { stringify } from 'yaml';

const { values } = parseArgs({
  options: { hosts: { type: 'string', default: '500' }, frames: { type: 'string', default: '60' } },
});
const HOSTS = Number(values.hosts);
const FRAMES = Number(values.frames);
const CONTROL_PLANES = 3;

function project(hosts) {
  const list = [];
  for (let i = 0; i < hosts; i++) {
    const cp = i < CONTROL_PLANES;
    const n = cp ? i + 1 : i - CONTROL_PLANES + 1;
    // 10.80.0.0/16: room for 500 distinct host addresses in one subnet.
    list.push({
      name: cp ? `cp${n}` : `worker${n}`,
      address: `10.80.${Math.floor((i + 20) / 250)}.${((i + 20) % 250) + 1}`,
      roles: [cp ? 'control-plane' : 'worker'],
    });
  }
  return {
    apiVersion: 'keelson.dev/v1alpha1',
    kind: 'Cluster',
    metadata: { name: `bench-${hosts}` },
    spec: {
      kubernetesVersion: '1.37',
      hosts: list,
      apiEndpoint: { pattern: 'keepalived-haproxy', vip: '10.80.0.5', port: 8443 },
      networking: { hostPrefix: 16 },
    },
    // No canvas positions: opening it runs the tiered auto-layout, as for a hand-written file.
  };
}

function stats(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (q) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
  return { p50: at(0.5), p95: at(0.95), max: sorted[sorted.length - 1], n: sorted.length };
}
const ms = (v) => `${v.toFixed(1)} ms`;

function startServer(home) {
  const child = spawn(process.execPath, ['out/main/serve.js', '--port', '0'], {
    env: { ...process.env, KEELSON_HOME: home },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (chunk) => {
      out += chunk;
      const url = /Open: (\S+)/.exec(out)?.[1];
      if (url) resolve({ url, child });
    });
    child.once('exit', (code) => reject(new Error(`serve.js exited (${code}) before printing its URL`)));
  });
}

/** Drags a node by `frames` mouse moves, one per animation frame; returns the rAF intervals. */
async function dragFrames(page, nodeId, frames) {
  const box = await page.locator(`.react-flow__node[data-id="${nodeId}"]`).boundingBox();
  const x = box.x + box.width / 2;
  const y = box.y + box.height / 2;
  await page.evaluate(() => {
    window.__frames = [];
    const tick = (t) => {
      window.__frames.push(t);
      if (window.__recording) requestAnimationFrame(tick);
    };
    window.__recording = true;
    requestAnimationFrame(tick);
  });
  await page.mouse.move(x, y);
  await page.mouse.down();
  for (let i = 1; i <= frames; i++) {
    await page.mouse.move(x + i * 4, y + Math.sin(i / 6) * 30);
    await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => r())));
  }
  await page.mouse.up();
  const times = await page.evaluate(() => {
    window.__recording = false;
    return window.__frames;
  });
  return times.slice(1).map((t, i) => t - times[i]);
}

const home = mkdtempSync(join(tmpdir(), 'keelson-bench-'));
mkdirSync(join(home, 'workspace'), { recursive: true });
writeFileSync(join(home, 'workspace', 'bench.keelson.yaml'), stringify(project(HOSTS)));
const { url, child } = await startServer(home);
const browser = await chromium.launch({
  executablePath: process.env.KEELSON_CHROMIUM ?? '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking'],
});
try {
  const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
  // The app reopens the last cluster on start: make that the generated one.
  await page.addInitScript(() => localStorage.setItem('keelson.lastCluster', 'bench'));
  await page.goto(url);
  const expected = HOSTS + 1; // hosts + the VIP node
  await page.waitForFunction(
    (n) =>
      document.querySelectorAll('.react-flow__node').length === n &&
      [...document.querySelectorAll('.react-flow__node')].every((el) => el.style.visibility !== 'hidden'),
    expected,
    { timeout: 120_000, polling: 'raf' },
  );
  const renderMs = await page.evaluate(() => performance.now());
  const rendered = await page.locator('.react-flow__node').count();
  console.log(`hosts: ${HOSTS} (+ VIP node), edges: ${await page.locator('.react-flow__edge').count()}`);
  console.log(`render: navigation → all ${rendered} nodes rendered: ${ms(renderMs)}`);

  const fitted = stats(await dragFrames(page, 'worker250', FRAMES));
  console.log(
    `drag, whole cluster in view (${fitted.n} frames): p50 ${ms(fitted.p50)}, p95 ${ms(fitted.p95)}, max ${ms(fitted.max)}`,
  );
  // Zoomed in, as when working on a few nodes: only the visible ones are rendered.
  await page.locator('.react-flow__node[data-id="cp2"]').click();
  await page.evaluate(() => {});
  await page.keyboard.press('Escape');
  await page.mouse.move(700, 400);
  for (let i = 0; i < 12; i++) await page.mouse.wheel(0, -300);
  await page.waitForTimeout(300);
  const visible = await page.locator('.react-flow__node').count();
  const someNode = await page.locator('.react-flow__node').first().getAttribute('data-id');
  const zoomed = stats(await dragFrames(page, someNode, FRAMES));
  console.log(
    `drag, zoomed in (${visible} nodes rendered, ${zoomed.n} frames): p50 ${ms(zoomed.p50)}, p95 ${ms(zoomed.p95)}, max ${ms(zoomed.max)}`,
  );
  if (errors.length) console.log(`page errors: ${errors.join(' | ')}`);
} finally {
  await browser.close();
  child.kill('SIGTERM');
  rmSync(home, { recursive: true, force: true });
}
