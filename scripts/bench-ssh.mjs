#!/usr/bin/env node
// SSH benchmark: Keelson's engine vs the OpenSSH client against the same lab host (a real
// sshd in a systemd-nspawn host). Exec latency (N sequential `true`) and throughput
// (`head -c SIZE /dev/zero` streamed back). OpenSSH runs twice: with ControlMaster (one
// multiplexed connection, the fair comparison) and without (a new handshake per command).
// Figures to read, not a pass/fail test. Needs root (the lab).
//   node scripts/bench-ssh.mjs [--commands 50] [--mb 100]
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { runnerImport } from 'vite';

const { values } = parseArgs({
  options: { commands: { type: 'string', default: '50' }, mb: { type: 'string', default: '100' } },
});
const COMMANDS = Number(values.commands);
const BYTES = Number(values.mb) * 1024 * 1024;
const root = new URL('..', import.meta.url).pathname;
const load = async (path) => (await runnerImport(join(root, path))).module;

const { startLab } = await load('test/lab/lab.ts');
const { SshEngine } = await load('main/services/ssh/engine.ts');
const { SshConfigFile } = await load('main/services/ssh/ssh-config.ts');

/** Runs ssh, counts stdout bytes without keeping them, resolves with the exit code. */
function ssh(args) {
  return new Promise((resolve, reject) => {
    const p = spawn('ssh', args, { stdio: ['ignore', 'pipe', 'inherit'] });
    let bytes = 0;
    p.stdout.on('data', (c) => (bytes += c.length));
    p.on('error', reject);
    p.on('close', (code) => (code === 0 ? resolve(bytes) : reject(new Error(`ssh exited ${code}`))));
  });
}

async function timed(fn) {
  const t0 = process.hrtime.bigint();
  const r = await fn();
  return { ms: Number(process.hrtime.bigint() - t0) / 1e6, r };
}

const work = mkdtempSync(join(tmpdir(), 'keelson-bench-ssh-'));
const lab = await startLab({ hosts: 1, kind: 'bench' });
const engines = [];
try {
  const h = lab.host('h1');
  const base = [
    '-i',
    lab.keyPath,
    '-o',
    'BatchMode=yes',
    '-o',
    'StrictHostKeyChecking=yes',
    '-o',
    `UserKnownHostsFile=${lab.knownHostsPath}`,
    '-o',
    'LogLevel=ERROR',
    '-p',
    String(h.sshPort),
  ];
  const dest = `root@${h.address}`;
  const mux = [
    '-o',
    'ControlMaster=auto',
    '-o',
    `ControlPath=${join(work, 'cm')}`,
    '-o',
    'ControlPersist=120',
  ];

  const engine = new SshEngine({
    knownHostsFile: join(work, 'known_hosts'),
    readOnlyKnownHosts: [lab.knownHostsPath],
    sshConfig: SshConfigFile.empty(),
  });
  engines.push(engine);
  const target = {
    host: h.address,
    port: h.sshPort,
    user: 'root',
    auth: { type: 'key', keyFile: lab.keyPath },
  };

  // Warm up: each contender has its connection (or master) before timing starts.
  await engine.exec(target, 'true');
  await ssh([...base, ...mux, dest, 'true']);

  const results = {};
  results.engine = await timed(async () => {
    for (let i = 0; i < COMMANDS; i++) await engine.exec(target, 'true');
  });
  results.controlMaster = await timed(async () => {
    for (let i = 0; i < COMMANDS; i++) await ssh([...base, ...mux, dest, 'true']);
  });
  results.plainSsh = await timed(async () => {
    for (let i = 0; i < COMMANDS; i++) await ssh([...base, dest, 'true']);
  });

  const stream = `head -c ${BYTES} /dev/zero`;
  let engineBytes = 0;
  const tEngine = await timed(() =>
    engine.exec(target, stream, { onStdout: (c) => (engineBytes += c.length) }),
  );
  const tMux = await timed(() => ssh([...base, ...mux, dest, stream]));
  const tPlain = await timed(() => ssh([...base, dest, stream]));
  if (engineBytes !== BYTES || tMux.r !== BYTES || tPlain.r !== BYTES)
    throw new Error('byte counts differ from the size asked for');

  const per = (t) => t.ms / COMMANDS;
  const mbps = (t) => BYTES / 1024 / 1024 / (t.ms / 1000);
  const f = (n) => n.toFixed(1);
  console.log(`exec latency, ${COMMANDS} sequential \`true\` (ms per command, lower is better)`);
  console.log(`  keelson engine (one connection)  ${f(per(results.engine))}`);
  console.log(
    `  ssh + ControlMaster              ${f(per(results.controlMaster))}   engine is ${f(per(results.controlMaster) / per(results.engine))}x faster`,
  );
  console.log(
    `  ssh, new connection each         ${f(per(results.plainSsh))}   engine is ${f(per(results.plainSsh) / per(results.engine))}x faster`,
  );
  console.log(`throughput, ${values.mb} MB from head -c (MB/s, higher is better)`);
  console.log(`  keelson engine                   ${f(mbps(tEngine))}`);
  console.log(
    `  ssh + ControlMaster              ${f(mbps(tMux))}   engine/ssh = ${(mbps(tEngine) / mbps(tMux)).toFixed(2)}`,
  );
  console.log(
    `  ssh, new connection              ${f(mbps(tPlain))}   engine/ssh = ${(mbps(tEngine) / mbps(tPlain)).toFixed(2)}`,
  );
  console.log(`handshakes by the engine: ${JSON.stringify(engine.handshakeCounts())}`);
  await ssh([...base, ...mux, '-O', 'exit', dest]).catch(() => undefined);
} finally {
  for (const e of engines) e.closeAll();
  await lab.stop();
  rmSync(work, { recursive: true, force: true });
}
