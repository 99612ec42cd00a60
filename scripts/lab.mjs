#!/usr/bin/env node
// `npm run lab -- up [--hosts N] [--ssh-port h2=2222] [--bastion h3=h1]`: starts a lab of
// systemd-nspawn hosts that stays up in the background, prints how to reach it, and returns.
// `npm run lab -- down`: tears down the labs `up` started. `npm run lab -- status`: lists labs.
// The lab itself is test/lab/lab.ts (one implementation for tests and people), loaded through
// Vite's module runner so no separate TypeScript build is needed.
import { spawn, spawnSync } from 'node:child_process';
import {
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const HERE = dirname(fileURLToPath(import.meta.url));
const LAB_DIR = join(HERE, '..', 'test', 'lab');
const RUN_DIR = '/run/keelson-lab';

function usage(message) {
  if (message) console.error(`lab: ${message}`);
  console.error(
    'usage: npm run lab -- up [--hosts N] [--ssh-port HOST=PORT]... [--bastion HOST=BASTION]...\n' +
      '       npm run lab -- down [--force]   (--force: also a cluster still being deployed)\n' +
      '       npm run lab -- status\n' +
      '       npm run lab -- project TEMPLATE [--user root|deploy]   (the template bound to the running lab)\n' +
      '       npm run lab -- bench [--hosts N]   (prints boot time and memory)\n' +
      '       npm run lab -- kube-build [--version 1.37.2]   (real Kubernetes from Go modules, cached)\n' +
      '       npm run lab -- bundle [--version 1.37.2]       (the offline bundle from that build)\n' +
      '       npm run lab -- cluster --template NAME [--version 1.37.2]   (a real cluster, deployed by Keelson)',
  );
  process.exit(2);
}

function parseUp(args) {
  const options = { hosts: 3, sshPorts: {}, behindBastion: {}, kind: 'cli' };
  for (let i = 0; i < args.length; i++) {
    const flag = args[i];
    const value = args[i + 1];
    if (value === undefined) usage(`${flag} needs a value`);
    i++;
    if (flag === '--hosts') {
      options.hosts = Number(value);
      if (!Number.isInteger(options.hosts) || options.hosts < 1)
        usage(`--hosts wants a positive whole number, got "${value}"`);
    } else if (flag === '--ssh-port' || flag === '--bastion') {
      const [host, target] = value.split('=');
      if (!host || !target) usage(`${flag} wants HOST=VALUE, got "${value}"`);
      if (flag === '--ssh-port') options.sshPorts[host] = Number(target);
      else options.behindBastion[host] = target;
    } else {
      usage(`unknown option "${flag}"`);
    }
  }
  return options;
}

function root() {
  if (process.getuid?.() !== 0) {
    console.error('lab: needs root (network namespaces, mounts, systemd-nspawn)');
    process.exit(1);
  }
}

async function loadLab(file = 'lab.ts') {
  const { runnerImport } = await import('vite');
  const { module } = await runnerImport(join(LAB_DIR, file));
  return module;
}

function versionOption(args) {
  let version;
  for (let i = 0; i < args.length; i++) {
    if (args[i] === '--version' && args[i + 1]) version = args[++i];
    else usage(`unknown option "${args[i]}"`);
  }
  return version;
}

/** Builds Kubernetes and its runtime from Go modules into the cache and prints what it did. */
async function kubeBuild(args) {
  const { kubeBuild: build, describeBuild } = await loadLab('kube/build.ts');
  const result = await build(versionOption(args), (line) => console.log(line));
  console.log(describeBuild(result));
}

/** Makes (or finds cached) the offline bundle for a version; prints its path last. */
async function bundle(args) {
  const { buildBundle } = await loadLab('kube/bundle.ts');
  console.log(await buildBundle(versionOption(args), (line) => console.log(line)));
}

/**
 * The detached process that owns the lab: it serves the apt repository (and, for a cluster, the
 * bundle) and tears down on SIGTERM.
 */
async function serve(readyFile, optionsJson) {
  const options = JSON.parse(optionsJson);
  try {
    if (options.template) {
      const { startLabCluster } = await loadLab('kube/cluster.ts');
      const cluster = await startLabCluster({ ...options, log: (l) => console.log(l) });
      writeFileSync(
        readyFile,
        JSON.stringify({
          ok: true,
          state: join(cluster.lab.stateDir, 'state.json'),
          kubeconfig: cluster.kubeconfig,
        }),
      );
      return;
    }
    const { startLab } = await loadLab();
    const lab = await startLab({ ...options, log: (l) => console.log(l) });
    writeFileSync(
      readyFile,
      JSON.stringify({ ok: true, state: join(lab.stateDir, 'state.json'), figures: lab.figures }),
    );
  } catch (err) {
    writeFileSync(readyFile, JSON.stringify({ ok: false, error: String(err?.message ?? err) }));
    process.exit(1);
  }
}

/**
 * Starts the detached owner process with `options` and waits until it says it is ready, echoing
 * its progress lines meanwhile (a cluster takes minutes). Exits 1 with its last words if it fails.
 */
async function startDaemon(options, timeoutMs) {
  const temp = mkdtempSync(join(tmpdir(), 'keelson-lab-up-'));
  const readyFile = join(temp, 'ready.json');
  const logFile = join(temp, 'daemon.log');
  const out = (await import('node:fs')).openSync(logFile, 'a');
  const child = spawn(
    process.execPath,
    [fileURLToPath(import.meta.url), '__serve', readyFile, JSON.stringify(options)],
    {
      detached: true,
      stdio: ['ignore', out, out],
    },
  );
  child.unref();
  const deadline = Date.now() + timeoutMs;
  let shown = 0;
  const echo = () => {
    const text = readFileSync(logFile, 'utf8');
    if (text.length > shown) process.stdout.write(text.slice(shown));
    shown = text.length;
  };
  while (!existsSync(readyFile)) {
    if (child.exitCode !== null || Date.now() > deadline) break;
    if (options.template) echo();
    await new Promise((r) => setTimeout(r, 200));
  }
  const ready = existsSync(readyFile)
    ? JSON.parse(readFileSync(readyFile, 'utf8'))
    : { ok: false, error: 'the lab process exited' };
  if (!ready.ok) {
    console.error(
      `lab: could not start: ${ready.error}\n${readFileSync(logFile, 'utf8').slice(shown).slice(-2000)}`,
    );
    rmSync(temp, { recursive: true, force: true });
    process.exit(1);
  }
  if (options.template) echo();
  rmSync(temp, { recursive: true, force: true });
  return { ready, pid: child.pid };
}

async function up(args) {
  root();
  const { ready, pid } = await startDaemon(parseUp(args), 600_000);
  const state = JSON.parse(readFileSync(ready.state, 'utf8'));
  console.log(describe(state, pid, ready.figures));
}

/** A real cluster of a template, deployed by Keelson on kubelet lab hosts; its kubeconfig path last. */
async function cluster(args) {
  root();
  let template;
  let version;
  for (let i = 0; i < args.length; i++) {
    if (args[i] === '--template' && args[i + 1]) template = args[++i];
    else if (args[i] === '--version' && args[i + 1]) version = args[++i];
    else usage(`unknown option "${args[i]}"`);
  }
  if (!template) usage('cluster needs --template NAME (a file of resources/templates without .keelson.yaml)');
  const { ready, pid } = await startDaemon({ template, version, lab: { kind: 'cli-cluster' } }, 90 * 60_000);
  const state = JSON.parse(readFileSync(ready.state, 'utf8'));
  console.log(`\n${describe(state, pid)}\n\nkubectl --kubeconfig ${ready.kubeconfig} get nodes`);
  console.log(ready.kubeconfig);
}

function describe(state, pid, figures, teardown = 'npm run lab -- down') {
  const lines = [
    `Lab ${state.slot} is up (owner PID ${pid}; subnet ${state.subnet}; this machine is ${state.rootAddress}).`,
    figures ? `Hosts answered SSH ${figures.bootSeconds.toFixed(1)} s after boot started.` : '',
    '',
    'host      address        ssh port  reach',
  ];
  for (const h of state.hosts) {
    lines.push(
      `${h.name.padEnd(9)} ${h.address.padEnd(14)} ${String(h.sshPort).padEnd(9)} ${h.bastion ? `only through ${h.bastion}` : 'direct'}`,
    );
  }
  lines.push('', 'SSH (root, key):');
  for (const h of state.hosts) {
    if (h.bastion) {
      const b = state.hosts.find((x) => x.name === h.bastion);
      lines.push(
        `  ssh -i ${state.keyPath} -o ProxyCommand="ssh -i ${state.keyPath} -p ${b.sshPort} -W %h:%p root@${b.address}" -p ${h.sshPort} root@${h.address}`,
      );
    } else {
      lines.push(`  ssh -i ${state.keyPath} -p ${h.sshPort} root@${h.address}`);
    }
  }
  // Through a jump host: the bastion-only host if there is one, otherwise any two hosts.
  const target = state.hosts.find((h) => h.bastion) ?? state.hosts[1];
  const jump = target && state.hosts.find((x) => x.name === (target.bastion ?? state.hosts[0].name));
  lines.push(
    '',
    `Or by name with the lab's ssh config (host keys pinned in ${state.knownHostsPath}):`,
    `  ssh -F ${state.sshConfigPath} ${state.hosts[0].name}`,
  );
  if (target && jump) {
    lines.push(
      `  ssh -F ${state.sshConfigPath} -J root@${jump.address}:${jump.sshPort} -p ${target.sshPort} root@${target.address}   # through ${jump.name}`,
    );
  }
  lines.push(
    '',
    `Non-root user: deploy (same key, or password; sudo asks for the password).`,
    `The deploy password is in ${state.passwordFile} (mode 0600): cat it when you need it.`,
    `Offline apt repository for the hosts: deb [trusted=yes] http://${state.rootAddress}:8080/ ./`,
    '',
    `Tear down: ${teardown}`,
  );
  return lines.join('\n');
}

function startTime(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
  } catch {
    return undefined;
  }
}

/** Zombies count as gone: whoever adopted the daemon reaps it in its own time. */
function running(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return false;
  }
}

function labSlots() {
  if (!existsSync(RUN_DIR)) return [];
  return readdirSync(RUN_DIR)
    .filter((n) => /^slot-\d+$/.test(n))
    .map((n) => {
      const dir = join(RUN_DIR, n);
      const read = (f) => (existsSync(join(dir, f)) ? readFileSync(join(dir, f), 'utf8') : '');
      const [, pid, start] = read('teardown').match(/^owner (\d+) (\d+)$/m) ?? [];
      return {
        dir,
        kind: read('kind').trim(),
        pid: Number(pid),
        alive: pid !== undefined && startTime(pid) === start,
        state: read('state.json'),
      };
    });
}

/**
 * Tears down every lab `up` and `cluster` started. A cluster still being deployed (no kubeconfig
 * yet) is left alone unless --force: its bring-up takes many minutes, and a `down` typed for
 * another lab must not throw it away.
 */
async function down(args) {
  root();
  const force = args.includes('--force');
  const inProgress = (s) =>
    s.kind === 'cli-cluster' && !existsSync(join(s.dir, 'cluster', 'admin.kubeconfig'));
  const ours = labSlots().filter((s) => s.kind === 'cli' || s.kind === 'cli-cluster');
  const kept = ours.filter((s) => s.alive && inProgress(s) && !force);
  const mine = ours.filter((s) => !kept.includes(s));
  for (const s of kept)
    console.log(`${s.dir}: a cluster is still being deployed there — left alone (down --force stops it).`);
  for (const s of mine) if (s.alive) process.kill(s.pid, 'SIGTERM');
  const deadline = Date.now() + 15_000;
  while (mine.some((s) => s.alive && running(s.pid)) && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 100));
  }
  // Belt and braces: whatever the owner did not tear down (it crashed, or ignored the signal).
  let status = 0;
  for (const kind of kept.length ? ['cli'] : ['cli', 'cli-cluster']) {
    const result = spawnSync('bash', [join(LAB_DIR, 'slots.sh'), 'cleanup', '--kind', kind], {
      stdio: 'inherit',
    });
    status ||= result.status ?? 1;
  }
  console.log(
    mine.length
      ? `Tore down ${mine.length} lab(s) started by \`npm run lab -- up\` or \`cluster\`.`
      : 'No other lab started by `npm run lab -- up` or `cluster` was running.',
  );
  process.exit(status);
}

function status() {
  const slots = labSlots();
  if (slots.length === 0) console.log('No lab is running.');
  for (const s of slots) {
    const state = s.state ? JSON.parse(s.state) : undefined;
    console.log(
      `${s.dir}: ${s.kind || '?'} lab, owner PID ${s.pid} ${s.alive ? 'alive' : 'gone (stale: cleaned at the next start)'}` +
        (state ? `, hosts ${state.hosts.map((h) => `${h.name}=${h.address}:${h.sshPort}`).join(' ')}` : ''),
    );
  }
}

/** Resident memory (kB) of every process in the host's PID namespace, read from /proc. */
function hostRssKb(initPid) {
  const ns = readlinkSafe(`/proc/${initPid}/ns/pid`);
  let total = 0;
  for (const pid of readdirSync('/proc').filter((n) => /^\d+$/.test(n))) {
    if (readlinkSafe(`/proc/${pid}/ns/pid`) !== ns) continue;
    try {
      total += Number(/^VmRSS:\s+(\d+)/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0);
    } catch {
      // exited meanwhile
    }
  }
  return total;
}
function readlinkSafe(path) {
  try {
    return readlinkSync(path);
  } catch {
    return undefined;
  }
}

/** Prints boot time and memory for N hosts (figures, no pass/fail). */
async function bench(args) {
  root();
  const { hosts } = parseUp(args);
  const { startLab } = await loadLab();
  const lab = await startLab({ hosts, kind: 'bench' });
  try {
    await new Promise((r) => setTimeout(r, 3000)); // let boot-time services settle before measuring
    const rss = lab.hosts.map((h) => hostRssKb(h.pid));
    const f = lab.figures;
    console.log(`hosts: ${hosts}`);
    console.log(
      `base image: ${f.baseBuiltNow ? 'built now' : 'cached'}, debootstrap took ${f.baseBuildSeconds} s when built`,
    );
    console.log(
      `offline apt repository: ${f.repoBuiltNow ? 'built now' : 'cached'}, took ${f.repoBuildSeconds} s when built`,
    );
    console.log(
      `boot → every sshd answering: ${f.bootSeconds.toFixed(2)} s; startLab() total: ${f.startSeconds.toFixed(2)} s`,
    );
    const total = rss.reduce((a, b) => a + b, 0);
    console.log(
      `RSS per idle host: ${(total / rss.length / 1024).toFixed(1)} MB (min ${(Math.min(...rss) / 1024).toFixed(1)}, max ${(Math.max(...rss) / 1024).toFixed(1)}); all hosts: ${(total / 1024).toFixed(0)} MB`,
    );
  } finally {
    const t = Date.now();
    await lab.stop();
    console.log(`teardown: ${((Date.now() - t) / 1000).toFixed(2)} s`);
  }
}

/**
 * Prints a cluster template bound to the running lab (`up`): its hosts take the lab hosts'
 * addresses, SSH ports, key and bastions in order, the VIP moves into the lab's subnet — a
 * project anyone can deploy by hand with `keelson apply`. The binding is test/lab/project.ts,
 * the one the deploy tests use.
 */
async function project(args) {
  const [template, ...flags] = args;
  if (!template) usage('project wants a template name (resources/templates/NAME.keelson.yaml) or a file');
  let user = 'root';
  for (let i = 0; i < flags.length; i += 2) {
    if (flags[i] === '--user' && ['root', 'deploy'].includes(flags[i + 1])) user = flags[i + 1];
    else usage(`project: unknown option "${flags[i]} ${flags[i + 1] ?? ''}" (only --user root|deploy)`);
  }
  const live = labSlots().filter((s) => s.alive && s.state);
  const lab = live.find((s) => s.kind === 'cli') ?? live[0];
  if (!lab) {
    console.error('lab: no lab is running: start one with `npm run lab -- up --hosts 5`');
    process.exit(1);
  }
  const state = JSON.parse(lab.state);
  const file = existsSync(template)
    ? template
    : join(HERE, '..', 'resources', 'templates', `${template}.keelson.yaml`);
  if (!existsSync(file)) usage(`no template "${template}" (see resources/templates/)`);
  const { runnerImport } = await import('vite');
  const { module: parse } = await runnerImport(join(HERE, '..', 'shared', 'model', 'parse.ts'));
  const { module: bind } = await runnerImport(join(LAB_DIR, 'project.ts'));
  const parsed = parse.parseProject(readFileSync(file, 'utf8'), file);
  if (!parsed.ok) {
    console.error(parse.formatProjectErrors(parsed.errors, file));
    process.exit(1);
  }
  let bound;
  try {
    bound = bind.bindTemplate(parsed.project, state, { user });
  } catch (err) {
    console.error(`lab: ${err.message}`);
    process.exit(1);
  }
  const header = [
    `# ${template} bound to lab ${state.slot} (${state.subnet}) by \`npm run lab -- project\`.`,
    `# Save it as NAME.keelson.yaml, then (after npm run build):`,
    `#   npx keelson apply NAME.keelson.yaml --known-hosts ${state.knownHostsPath}`,
    ...(user === 'deploy'
      ? [
          `#   with KEELSON_SECRET_LAB_DEPLOY_SUDO="$(cat ${state.passwordFile})" for the deploy user's sudo password`,
        ]
      : []),
    '# Lab hosts have no internet: only phases whose packages the lab repository holds run today.',
    `# Point the hosts at it first: deb [trusted=yes] http://${state.rootAddress}:8080/ ./`,
  ];
  process.stdout.write(`${header.join('\n')}\n${parse.serializeProject(bound)}`);
}

const [command, ...rest] = process.argv.slice(2);
if (command === 'up') await up(rest);
else if (command === 'down') await down(rest);
else if (command === 'status') status();
else if (command === 'bench') await bench(rest);
else if (command === 'project') await project(rest);
else if (command === 'kube-build') await kubeBuild(rest);
else if (command === 'bundle') await bundle(rest);
else if (command === 'cluster') await cluster(rest);
else if (command === '__serve') await serve(rest[0], rest[1]);
else usage(command ? `unknown command "${command}"` : undefined);
