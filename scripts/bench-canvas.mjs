#!/usr/bin/env node
// Canvas benchmark: a 500-host cluster in Chromium (browser mode). Prints how long the
// app takes from navigation to every node rendered, and frame times while dragging one node.
// Figures to read, not a pass/fail test. Needs a build first: `npx electron-vite build`.
//   node scripts/bench-canvas.mjs [--hosts 500] [--frames 60] [--runs 1] [--build DIR]...
// Comparing builds: give each checkout's directory with --build (its out/ must be built); the
// runs alternate between them, so both meet the same machine load, and medians are printed.
/* global window, document, requestAnimationFrame -- page.evaluate bodies run in the browser */
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { chromium } from 'playwright-core';
import { stringify } from 'yaml';

const { values } = parseArgs({
  options: {
    hosts: { type: 'string', default: '500' },
    frames: { type: 'string', default: '60' },
    runs: { type: 'string', default: '1' },
    build: { type: 'string', multiple: true, default: ['.'] },
  },
});
const HOSTS = Number(values.hosts);
const FRAMES = Number(values.frames);
const RUNS = Number(values.runs);
const BUILDS = values.build.map((dir) => resolve(dir));
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

function startServer(build, home) {
  const child = spawn(process.execPath, [join(build, 'out/main/serve.js'), '--port', '0'], {
    cwd: build,
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

/** One cold start of `build`'s server and a fresh page: first render, then the two drags. */
async function measure(browser, build) {
  const home = mkdtempSync(join(tmpdir(), 'keelson-bench-'));
  mkdirSync(join(home, 'workspace'), { recursive: true });
  writeFileSync(join(home, 'workspace', 'bench.keelson.yaml'), stringify(project(HOSTS)));
  const { url, child } = await startServer(build, home);
  const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
  try {
    const page = await context.newPage();
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
    const render = await page.evaluate(() => performance.now());
    const nodes = await page.locator('.react-flow__node').count();
    const edges = await page.locator('.react-flow__edge').count();
    const fitted = stats(await dragFrames(page, 'worker250', FRAMES));
    // Zoomed in, as when working on a few nodes: only the visible ones are rendered.
    await page.locator('.react-flow__node[data-id="cp2"]').click();
    await page.keyboard.press('Escape');
    await page.mouse.move(700, 400);
    for (let i = 0; i < 12; i++) await page.mouse.wheel(0, -300);
    await page.waitForTimeout(300);
    const visible = await page.locator('.react-flow__node').count();
    const someNode = await page.locator('.react-flow__node').first().getAttribute('data-id');
    const zoomed = stats(await dragFrames(page, someNode, FRAMES));
    return { render, nodes, edges, fitted, zoomed, visible, errors };
  } finally {
    await context.close();
    child.kill('SIGTERM');
    rmSync(home, { recursive: true, force: true });
  }
}

const browser = await chromium.launch({
  executablePath: process.env.KEELSON_CHROMIUM ?? '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking'],
});
const results = new Map(BUILDS.map((b) => [b, []]));
try {
  for (let run = 1; run <= RUNS; run++)
    for (const build of BUILDS) {
      const r = await measure(browser, build);
      results.get(build).push(r);
      const label = BUILDS.length > 1 ? `[${build}] ` : '';
      console.log(`${label}run ${run}: hosts ${HOSTS} (+ VIP node), ${r.nodes} nodes, ${r.edges} edges`);
      console.log(`${label}  render: navigation → all nodes rendered: ${ms(r.render)}`);
      console.log(
        `${label}  drag, whole cluster in view (${r.fitted.n} frames): p50 ${ms(r.fitted.p50)}, p95 ${ms(r.fitted.p95)}, max ${ms(r.fitted.max)}`,
      );
      console.log(
        `${label}  drag, zoomed in (${r.visible} nodes rendered, ${r.zoomed.n} frames): p50 ${ms(r.zoomed.p50)}, p95 ${ms(r.zoomed.p95)}, max ${ms(r.zoomed.max)}`,
      );
      if (r.errors.length) console.log(`${label}  page errors: ${r.errors.join(' | ')}`);
    }
} finally {
  await browser.close();
}
if (RUNS > 1 || BUILDS.length > 1) {
  console.log('summary (median over runs):');
  for (const [build, list] of results) {
    const median = (pick) => stats(list.map(pick)).p50;
    console.log(
      `  ${build}: render ${ms(median((r) => r.render))} (${list.map((r) => Math.round(r.render)).join(' / ')} ms), ` +
        `drag in view p95 ${ms(median((r) => r.fitted.p95))}`,
    );
  }
}
