#!/usr/bin/env node
// `node scripts/bench-deploy.mjs [--hosts N] [--phases preflight,os-prep,load-balancer]` (root):
// deploys the generated plan's phases on fresh lab hosts through the deploy engine, twice — one
// control plane alone, then 3 control planes + the rest of the lab as workers — and prints, from
// each run's own measured step durations:
//   wall time / critical path (the longest dependency chain; target ≤ 1.15),
//   wall time / host-serial bound (the busiest host's steps back to back: one step per host),
//   SSH handshakes per host (target 1).
// Figures, not assertions. Which phases run is what the lab can install today (see README).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');

function options(argv) {
  const o = { hosts: 6, phases: ['preflight', 'os-prep', 'load-balancer'] };
  for (let i = 0; i < argv.length; i += 2) {
    if (argv[i] === '--hosts') o.hosts = Number(argv[i + 1]);
    else if (argv[i] === '--phases') o.phases = argv[i + 1].split(',');
    else {
      console.error('usage: node scripts/bench-deploy.mjs [--hosts N (≥ 4)] [--phases P1,P2,…]');
      process.exit(2);
    }
  }
  if (!Number.isInteger(o.hosts) || o.hosts < 4) {
    console.error('bench-deploy: --hosts wants 4 or more (3 control planes + at least one worker)');
    process.exit(2);
  }
  return o;
}

async function load(path) {
  const { runnerImport } = await import('vite');
  return (await runnerImport(join(ROOT, path))).module;
}

async function scenario(name, hostCount, roles, phases, mods) {
  const { startLab } = mods.lab;
  const { labProject, labSsh, offlineRepository, onlyPhases, testSecrets } = mods.fixtures;
  const lab = await startLab({ hosts: hostCount, kind: 'bench' });
  const work = mkdtempSync(join(tmpdir(), 'keelson-bench-deploy-'));
  try {
    const ssh = labSsh(lab, work);
    const project = labProject(lab, {
      roles: Object.fromEntries(lab.hosts.map((h, i) => [h.name, [roles(i)]])),
      apiEndpoint: {
        pattern: 'keepalived-haproxy',
        vip: `10.77.${lab.slot}.10`,
        port: 8443,
        vrrp: { routerId: 81, interface: 'eth0' },
      },
    });
    const plan = onlyPhases(mods.plan.generatePlan(project, { keelsonVersion: 'bench' }), phases);
    const { run, events } = await mods.fixtures.openRun({
      plan,
      project,
      ssh,
      secrets: testSecrets(ssh, work).provider,
      stateDir: join(work, 'bench.deploy'),
      keelsonVersion: 'bench',
      services: offlineRepository(lab),
    });
    const status = await run.done;
    const started = events.find((e) => e.type === 'run-started').at;
    const ended = events.find((e) => e.type === 'run-ended').at;
    const durations = new Map(
      events.filter((e) => e.type === 'step-ended').map((e) => [e.stepId, e.durationMs]),
    );
    const steps = plan.phases.flatMap((p) => p.steps);
    const critical = mods.graph.longestPath(steps, (id) => durations.get(id) ?? 0);
    const perHost = new Map();
    for (const s of steps) perHost.set(s.host, (perHost.get(s.host) ?? 0) + (durations.get(s.id) ?? 0));
    const busiest = Math.max(...perHost.values());
    const wall = ended - started;
    const handshakes = Object.values(ssh.handshakeCounts());
    ssh.closeAll();
    return {
      name,
      status,
      steps: steps.length,
      hosts: perHost.size,
      wall,
      critical: critical.total,
      chain: critical.chain,
      busiest,
      handshakes,
    };
  } finally {
    await lab.stop();
    rmSync(work, { recursive: true, force: true });
  }
}

const s = (ms) => `${(ms / 1000).toFixed(1)} s`;

async function main() {
  if (process.getuid?.() !== 0) {
    console.error('bench-deploy: needs root (the lab)');
    process.exit(1);
  }
  const o = options(process.argv.slice(2));
  const mods = {
    lab: await load('test/lab/lab.ts'),
    fixtures: await load('test/lab/deploy-fixtures.ts'),
    plan: await load('shared/plan/index.ts'),
    graph: await load('shared/deploy/graph.ts'),
  };
  console.log(
    `phases: ${o.phases.join(', ')} (generated steps, run by the deploy engine over SSH on lab hosts)`,
  );
  const results = [
    await scenario('1 control plane', 1, () => 'control-plane', o.phases, mods),
    await scenario(
      `3 control planes + ${o.hosts - 3} workers`,
      o.hosts,
      (i) => (i < 3 ? 'control-plane' : 'worker'),
      o.phases,
      mods,
    ),
  ];
  for (const r of results) {
    console.log(`\n${r.name}: ${r.status}, ${r.steps} steps on ${r.hosts} hosts`);
    console.log(`  wall time                 ${s(r.wall)}`);
    console.log(`  critical path             ${s(r.critical)}  (${r.chain.join(' → ')})`);
    console.log(`  wall / critical path      ${(r.wall / r.critical).toFixed(3)}   (target ≤ 1.15)`);
    console.log(
      `  busiest host's steps      ${s(r.busiest)}  → wall / host-serial bound ${(r.wall / Math.max(r.busiest, r.critical)).toFixed(3)}`,
    );
    console.log(`  SSH handshakes per host   ${r.handshakes.join(' ')}   (target 1)`);
  }
}

await main();
