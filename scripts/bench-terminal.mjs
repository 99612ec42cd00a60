#!/usr/bin/env node
// Terminal benchmark, against a lab host (a real sshd in a systemd-nspawn Debian host):
//  1. Throughput: a text file of --mb MB printed by `cat` in a Keelson terminal into the page
//     (from Enter until xterm has drawn the line after the file), versus `ssh host cat FILE`
//     with the OpenSSH client into a pipe (from its first byte to its last: a terminal's
//     connection is up before anyone types, so neither figure counts a login), as a ratio of
//     throughputs (target ≥ 0.5); `ssh -tt` (through a pty, as a terminal is) for reference.
//     Also printed: the terminal stream over browser mode's WebSocket into the same client
//     library the page uses, without a page (host → SSH engine → main → WebSocket, acknowledged
//     as the page does), xterm.js alone fed the same bytes in the same Chromium, and Chromium's
//     own WebSocket receiving them in a blank page (binary frames, and base64 in JSON as Keelson
//     sends them; nothing drawn): the ceiling for any page terminal fed over a WebSocket.
//  2. Memory: `yes` runs for --seconds in the terminal; the browser-mode server's RSS (the main
//     process: SSH engine, terminal service, WebSocket) and the page's JS heap, every second.
// Figures to read, not a pass/fail test. Needs root (the lab) and a build (`npm run build`).
//   node scripts/bench-terminal.mjs [--mb 100] [--seconds 30]
import { spawn } from 'node:child_process';
import { createServer } from 'node:http';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { createORPCClient } from '@orpc/client';
import { RPCLink } from '@orpc/client/websocket';
import { chromium } from 'playwright-core';
import WebSocket, { WebSocketServer } from 'ws';
import { runnerImport } from 'vite';

const { values } = parseArgs({
  options: { mb: { type: 'string', default: '100' }, seconds: { type: 'string', default: '30' } },
});
const BYTES = Number(values.mb) * 1000 * 1000;
const SECONDS = Number(values.seconds);
const root = new URL('..', import.meta.url).pathname;
if (!existsSync(join(root, 'out/main/serve.js'))) {
  console.error('Run `npm run build` first: the benchmark drives the built browser mode.');
  process.exit(2);
}
const load = async (path) => (await runnerImport(join(root, path))).module;
const { startLab } = await load('test/lab/lab.ts');
const { emptyProject, serializeProject } = await load('shared/model/parse.ts');

const f = (n, digits = 1) => n.toFixed(digits);
const mb = (bytes) => bytes / 1024 / 1024;

/** Seconds of CPU (user + system) a process and all its descendants have used, from /proc. */
function cpuOfTree(rootPid) {
  const tick = 100; // USER_HZ on Linux
  const stats = new Map();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const text = readFileSync(`/proc/${name}/stat`, 'utf8');
      const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
      stats.set(Number(name), {
        ppid: Number(fields[1]),
        cpu: (Number(fields[11]) + Number(fields[12])) / tick,
      });
    } catch {
      /* gone */
    }
  }
  let total = 0;
  const walk = (pid) => {
    total += stats.get(pid)?.cpu ?? 0;
    for (const [child, s] of stats) if (s.ppid === pid) walk(child);
  };
  walk(rootPid);
  return total;
}

/** CPU seconds of the browser Playwright started (a child of this process) and its helpers. */
function browserCpu() {
  let total = 0;
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const text = readFileSync(`/proc/${name}/stat`, 'utf8');
      const ppid = Number(text.slice(text.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === process.pid && readFileSync(`/proc/${name}/cmdline`, 'utf8').includes('chromium'))
        total += cpuOfTree(Number(name));
    } catch {
      /* gone */
    }
  }
  return total;
}

/**
 * Runs the OpenSSH client into a pipe this process drains and counts. Resolves with { bytes, ms,
 * loginMs, cpu }: ms from the first byte to the end (the connection is up by then, as a
 * terminal's is before anyone types `cat`), loginMs from start to the first byte, cpu the
 * client's own CPU seconds (bash's `times` for its children).
 */
function ssh(args) {
  return new Promise((resolve, reject) => {
    const t0 = process.hrtime.bigint();
    let first;
    let bytes = 0;
    const quoted = args.map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(' ');
    const p = spawn('bash', ['-c', `ssh ${quoted}; code=$?; times >&2; exit $code`], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let err = '';
    p.stdout.on('data', (c) => {
      first ??= process.hrtime.bigint();
      bytes += c.length;
    });
    p.stderr.on('data', (c) => (err += c));
    p.on('error', reject);
    p.on('close', (code) => {
      const end = process.hrtime.bigint();
      const lines = err.trim().split('\n');
      const [user, sys] = (lines.at(-1) ?? '').split(' ').map((t) => {
        const m = /^(\d+)m([\d.]+)s$/.exec(t);
        return m ? Number(m[1]) * 60 + Number(m[2]) : NaN;
      });
      const ms = first ? Number(end - first) / 1e6 : 0;
      const loginMs = Number((first ?? end) - t0) / 1e6;
      if (code === 0) resolve({ bytes, ms, loginMs, cpu: user + sys });
      else reject(new Error(`ssh exited ${code}: ${err}`));
    });
  });
}

function startServer(env) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(root, 'out/main/serve.js')], {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.on('data', (c) => {
      out += c.toString();
      const m = /Open: (\S+)\n/.exec(out);
      if (m) resolve({ child, url: m[1] });
    });
    child.once('exit', (code) => reject(new Error(`serve exited with ${code}: ${out}`)));
  });
}

/** The server process's resident memory (MiB), from /proc. */
function rssOf(pid) {
  const m = /^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return Number(m[1]) / 1024;
}

/**
 * The terminal stream without a page: the renderer's client library over a real WebSocket,
 * acknowledging every ackEveryBytes as the page does once xterm has written them.
 */
async function streamWithoutPage(url, target, command) {
  const { port } = new URL(url);
  const token = new URL(url).hash.replace('#token=', '');
  const socket = new WebSocket(`ws://127.0.0.1:${port}/rpc?token=${token}`, {
    origin: `http://127.0.0.1:${port}`,
  });
  const client = createORPCClient(new RPCLink({ websocket: socket }));
  const stream = await client.terminal.open({ kind: 'ssh', ...target, cols: 120, rows: 30 });
  let id;
  let bytes = 0;
  let unacked = 0;
  let tail = '';
  let t0;
  let result;
  for await (const ev of stream) {
    if (ev.type === 'ready') {
      id = ev.id;
      await new Promise((r) => setTimeout(r, 1500)); // the login banner and prompt first
      t0 = process.hrtime.bigint();
      await client.terminal.write({ id, data: `${command}\n` });
    } else if (ev.type === 'data') {
      const chunk = Buffer.from(ev.data, 'base64');
      bytes += chunk.length;
      unacked += chunk.length;
      if (unacked >= 64 * 1024) {
        void client.terminal.ack({ id, bytes: unacked });
        unacked = 0;
      }
      tail = (tail + chunk.subarray(-64).toString('latin1')).slice(-64);
      if (t0 && tail.includes('BENCH-42-END')) {
        result = { bytes, ms: Number(process.hrtime.bigint() - t0) / 1e6 };
        break;
      }
    } else break;
  }
  await client.terminal.close({ id }).catch(() => undefined);
  socket.close();
  if (!result) throw new Error('the terminal ended before the file was through');
  return result;
}

/** xterm.js alone in a blank page of the same browser: how fast it parses this text. */
async function xtermAlone(browser, bytes) {
  const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  const css = readFileSync(join(root, 'node_modules/@xterm/xterm/css/xterm.css'), 'utf8');
  await page.setContent(`<style>${css}</style><div id="t" style="width:1300px;height:150px"></div>`);
  await page.addScriptTag({
    content: readFileSync(join(root, 'node_modules/@xterm/xterm/lib/xterm.js'), 'utf8'),
  });
  const ms = await page.evaluate(async (total) => {
    const term = new globalThis.Terminal({ scrollback: 5000 });
    term.open(globalThis.document.getElementById('t'));
    const line = 'QUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFB\r\n';
    const chunk = new TextEncoder().encode(line.repeat(Math.floor(32768 / line.length)));
    const n = Math.ceil(total / chunk.length);
    const t0 = performance.now();
    // With flow control of its own (a callback every 1 MiB): xterm drops writes beyond 50 MB.
    for (let i = 0; i < n; i++) {
      if (i % 32 === 31 || i === n - 1) await new Promise((resolve) => term.write(chunk, resolve));
      else term.write(chunk);
    }
    return performance.now() - t0;
  }, bytes);
  await page.close();
  return ms;
}

/**
 * Chromium's own WebSocket into a blank page, no Keelson and nothing drawn: the most any page
 * terminal fed over a WebSocket could receive here. `bytes` in 64 KiB messages, as raw binary
 * frames and as the base64-in-JSON text frames Keelson's contract sends; milliseconds for each.
 */
async function webSocketAlone(browser, bytes) {
  const chunk = Buffer.alloc(64 * 1024, 'A');
  const n = Math.ceil(bytes / chunk.length);
  const json = JSON.stringify({
    i: '1',
    t: 3,
    p: { e: 'message', d: { json: { type: 'data', data: chunk.toString('base64') } } },
  });
  const http = createServer((_, res) => res.end('<!doctype html><title>ws</title>'));
  await new Promise((resolve) => http.listen(0, '127.0.0.1', resolve));
  const wss = new WebSocketServer({ server: http });
  wss.on('connection', (ws) =>
    ws.once('message', async (mode) => {
      const binary = String(mode) === 'binary';
      for (let i = 0; i < n; i++)
        await new Promise((resolve) => ws.send(binary ? chunk : json, { binary }, resolve));
    }),
  );
  const page = await browser.newPage();
  await page.goto(`http://127.0.0.1:${http.address().port}/`);
  const result = {};
  for (const mode of ['binary', 'json']) {
    result[mode] = await page.evaluate(
      async ({ mode, n }) => {
        const ws = new globalThis.WebSocket(globalThis.location.href.replace('http', 'ws'));
        ws.binaryType = 'arraybuffer';
        await new Promise((resolve) => (ws.onopen = resolve));
        const t0 = performance.now();
        let got = 0;
        await new Promise((resolve) => {
          ws.onmessage = (e) => {
            // Decoded as the page decodes terminal output (Uint8Array.fromBase64), not drawn.
            if (mode === 'json') Uint8Array.fromBase64(JSON.parse(e.data).p.d.json.data);
            if (++got === n) resolve();
          };
          ws.send(mode);
        });
        ws.close();
        return performance.now() - t0;
      },
      { mode, n },
    );
  }
  await page.close();
  wss.close();
  http.close();
  return { binaryMs: result.binary, jsonMs: result.json, bytes: n * chunk.length };
}

const work = mkdtempSync(join(tmpdir(), 'keelson-bench-term-'));
const lab = await startLab({ hosts: 1, kind: 'bench' });
let server;
let browser;
try {
  const h = lab.host('h1');
  const dest = `root@${h.address}`;
  const base = [
    ...['-i', lab.keyPath, '-p', String(h.sshPort)],
    ...['-o', 'BatchMode=yes', '-o', 'StrictHostKeyChecking=yes'],
    ...['-o', `UserKnownHostsFile=${lab.knownHostsPath}`, '-o', 'LogLevel=ERROR'],
  ];
  // Printable text, as a terminal shows it: base64 of random bytes in 76-column lines.
  await lab.sh(
    'h1',
    `head -c ${Math.ceil((BYTES * 3) / 4)} /dev/urandom | base64 | head -c ${BYTES} > /root/bench.txt`,
  );

  // OpenSSH: warm up once, then time it.
  await ssh([...base, dest, 'true']);
  const plain = await ssh([...base, dest, 'cat /root/bench.txt']);
  const tty = await ssh([...base, '-tt', dest, 'cat /root/bench.txt']);
  if (plain.bytes !== BYTES) throw new Error(`ssh cat gave ${plain.bytes} bytes, not ${BYTES}`);

  // Keelson in browser mode, in Chromium, with one cluster holding h1.
  const home = join(work, 'keelson');
  mkdirSync(join(home, 'workspace'), { recursive: true });
  mkdirSync(join(work, 'home'));
  copyFileSync(lab.knownHostsPath, join(work, 'known_hosts'));
  const project = emptyProject('bench');
  project.spec.hosts = [
    {
      name: 'h1',
      address: h.address,
      roles: ['worker'],
      labels: {},
      taints: [],
      ssh: { port: h.sshPort, user: 'root', auth: { type: 'key', keyFile: lab.keyPath } },
    },
  ];
  writeFileSync(join(home, 'workspace', 'bench.keelson.yaml'), serializeProject(project));
  server = await startServer({
    KEELSON_HOME: home,
    HOME: join(work, 'home'),
    KEELSON_KNOWN_HOSTS: join(work, 'known_hosts'),
  });
  const target = {
    host: { address: h.address, port: h.sshPort, user: 'root', auth: { type: 'key', keyFile: lab.keyPath } },
  };
  const streamCpu0 = cpuOfTree(server.child.pid);
  const clientCpu0 = process.cpuUsage();
  const stream = await streamWithoutPage(
    server.url,
    target,
    'cat /root/bench.txt; echo; echo "BENCH-$((40+2))-END"',
  );
  {
    const client = process.cpuUsage(clientCpu0);
    stream.cpu = cpuOfTree(server.child.pid) - streamCpu0 + (client.user + client.system) / 1e6;
  }
  browser = await chromium.launch({
    executablePath: process.env.KEELSON_CHROMIUM ?? '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--enable-precise-memory-info'],
  });
  const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  if (process.env.BENCH_DEBUG) page.on('console', (m) => console.log('page:', m.text()));
  await page.goto(server.url);
  await page.getByTestId('start-screen').getByTestId('cluster-bench').getByRole('button').first().click();
  await page.getByTestId('node-h1').dblclick();
  const view = page.getByTestId('terminal-view');
  await view.and(page.locator('[data-state="open"]')).waitFor({ timeout: 30_000 });
  const size = `${await view.getAttribute('data-cols')}x${await view.getAttribute('data-rows')}`;
  const type = async (line) => {
    await view.locator('.xterm-screen').click();
    await page.keyboard.type(line);
    await page.keyboard.press('Enter');
  };
  const shows = (text) =>
    page.waitForFunction(
      (t) =>
        [...globalThis.document.querySelectorAll('[data-testid="terminal-view"] .xterm-rows > div')].some(
          (d) => d.textContent.replace(/\u00a0/g, ' ').trim() === t,
        ),
      text,
      { polling: 20, timeout: Number(process.env.BENCH_TIMEOUT ?? 600_000) },
    );

  // Throughput: from Enter to the line after the file being on the page.
  await type('echo "warm-$((1+1))"');
  await shows('warm-2');
  await view.locator('.xterm-screen').click();
  await page.keyboard.type('cat /root/bench.txt; echo; echo "BENCH-$((40+2))-END"');
  const cpuBefore = cpuOfTree(server.child.pid) + browserCpu();
  const t0 = process.hrtime.bigint();
  await page.keyboard.press('Enter');
  await shows('BENCH-42-END');
  const keelsonMs = Number(process.hrtime.bigint() - t0) / 1e6;
  const keelsonCpu = cpuOfTree(server.child.pid) + browserCpu() - cpuBefore;

  // Memory under `yes`.
  const pid = server.child.pid;
  const samples = [];
  const heap = () => page.evaluate(() => performance.memory?.usedJSHeapSize ?? 0);
  const before = { rss: rssOf(pid), heap: mb(await heap()) };
  await type('yes');
  for (let s = 1; s <= SECONDS; s++) {
    await new Promise((r) => setTimeout(r, 1000));
    samples.push({ s, rss: rssOf(pid), heap: mb(await heap()) });
  }
  await page.keyboard.press('Control+C');
  const xtermMs = await xtermAlone(browser, BYTES);
  const wsAlone = await webSocketAlone(browser, BYTES);

  const throughput = (ms) => mb(BYTES) / (ms / 1000);
  const row = (label, ms, cpu) =>
    console.log(
      `  ${label.padEnd(52)} ${f(throughput(ms)).padStart(6)} MB/s  ${f(ms / 1000, 2).padStart(6)} s  ${cpu === undefined ? '' : `${f(cpu, 2).padStart(6)} s CPU`}`,
    );
  console.log(`terminal throughput: ${values.mb} MB of text; page terminal ${size}`);
  console.log(
    `  load average while measuring: ${readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ')}`,
  );
  console.log(
    `  (OpenSSH login to first byte: ${f(plain.loginMs / 1000, 2)} s, with -tt ${f(tty.loginMs / 1000, 2)} s; not counted)`,
  );
  row('ssh host cat FILE (OpenSSH client, to a pipe)', plain.ms, plain.cpu);
  row('ssh -tt host cat FILE (OpenSSH, through a pty)', tty.ms, tty.cpu);
  row('Keelson terminal stream over the WebSocket (no page)', stream.ms, stream.cpu);
  row('Keelson terminal into the page (xterm drew it)', keelsonMs, keelsonCpu);
  row('xterm.js alone in the same Chromium (no Keelson)', xtermMs);
  const perBytes = (ms) => (ms * BYTES) / wsAlone.bytes;
  row('Chromium WebSocket alone, binary frames (not drawn)', perBytes(wsAlone.binaryMs));
  row('Chromium WebSocket alone, base64 JSON (not drawn)', perBytes(wsAlone.jsonMs));
  console.log(
    '  (CPU: the OpenSSH client; Keelson: server + client, or server + browser; the host side is the same)',
  );
  console.log(`  ratio Keelson page / ssh cat     = ${f(plain.ms / keelsonMs, 2)}  (target ≥ 0.5)`);
  console.log(`  ratio Keelson page / ssh -tt     = ${f(tty.ms / keelsonMs, 2)}`);
  console.log(`  ratio Keelson stream / ssh cat   = ${f(plain.ms / stream.ms, 2)}`);
  console.log(`  ratio Keelson page / xterm alone = ${f(xtermMs / keelsonMs, 2)}`);
  console.log(
    `  ceiling: a page can receive binary frames at ${f(plain.ms / perBytes(wsAlone.binaryMs), 2)} of ssh cat before drawing anything`,
  );
  console.log(`memory during ${SECONDS} s of \`yes\` (MiB): server RSS / page JS heap`);
  console.log(`  before: ${f(before.rss)} / ${f(before.heap)}`);
  for (const s of samples)
    if (s.s % 5 === 0 || s.s === 1) console.log(`  ${String(s.s).padStart(3)} s: ${f(s.rss)} / ${f(s.heap)}`);
  const rss = samples.map((s) => s.rss);
  const heaps = samples.map((s) => s.heap);
  console.log(
    `  server RSS min ${f(Math.min(...rss))} max ${f(Math.max(...rss))}; second half grew ${f(rss.at(-1) - rss[Math.floor(rss.length / 2)])} MiB`,
  );
  console.log(`  page heap min ${f(Math.min(...heaps))} max ${f(Math.max(...heaps))}`);
} finally {
  await browser?.close();
  if (server) {
    server.child.kill('SIGTERM');
    await new Promise((r) => server.child.once('exit', r));
  }
  await lab.stop();
  rmSync(work, { recursive: true, force: true });
}
