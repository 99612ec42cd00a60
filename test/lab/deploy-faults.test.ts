// Faults a deploy must survive, on five Debian lab hosts over real SSH:
// - `kill -9` of the Keelson process (the built CLI, `keelson apply`) mid-run, then
//   `keelson apply --resume` finishes, and the journal proves no finished step ran again;
// - a cable pull on one host during a step fails that host's step clearly while the other hosts
//   carry on, and Resume after plugging it back completes;
// - Cancel stops a running step on its host and leaves a resumable run.
// The project is resources/templates/keepalived-haproxy bound to the lab (`npm run lab -- project`),
// run with --only preflight,os-prep,load-balancer: the phases whose packages the lab holds today.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseProject, serializeProject } from '../../shared/model/parse';
import type { Plan } from '../../shared/plan/types';
import {
  JournalError,
  parseJournal,
  readJournal,
  type JournalRecord,
} from '../../main/services/deploy/journal';
import type { DeployOptions } from '../../main/services/deploy/engine';
import { journalPath, listRuns, stateDirFor } from '../../main/services/deploy/state-dir';
import type { SshEngine } from '../../main/services/ssh/engine';
import { ensureBuilt } from '../unit/foundation/build-output';
import { labProject, labSsh, openRun, tempWork, testSecrets, testStep } from './deploy-fixtures';
import { startLab, type Lab } from './lab';
import { bindTemplate } from './project';
import { sleep } from './plan-runner';

const ONLY = 'preflight,os-prep,load-balancer';

/**
 * Runs the built CLI; resolves with its exit code and output. A CLI still running after
 * `deadlineMs` is killed and resolves with code null and its output so far, so a hang fails the
 * test with what the CLI said instead of a bare test timeout.
 */
function keelson(
  args: string[],
  env: Record<string, string>,
  deadlineMs = 180_000,
): { child: ChildProcess; result: Promise<{ code: number | null; out: string }> } {
  const child = spawn(process.execPath, ['out/main/cli.js', ...args], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr!.on('data', (c: Buffer) => (out += c.toString()));
  const deadline = setTimeout(() => {
    out += `\n[test] keelson ${args.join(' ')} still running after ${deadlineMs / 1000} s: killed\n`;
    child.kill('SIGKILL');
  }, deadlineMs);
  const result = new Promise<{ code: number | null; out: string }>((r) =>
    child.once('exit', (code) => {
      clearTimeout(deadline);
      r({ code, out });
    }),
  );
  return { child, result };
}

/**
 * The first run's journal as written so far, or undefined before it is readable: the CLI creates
 * the file before it writes the run record, and a poll can land in between.
 */
async function journalSoFar(stateDir: string) {
  const [runId] = await listRuns(stateDir);
  if (!runId || !existsSync(journalPath(stateDir, runId))) return undefined;
  try {
    return parseJournal(readFileSync(journalPath(stateDir, runId), 'utf8'), 'journal');
  } catch (e) {
    if (e instanceof JournalError) return undefined;
    throw e;
  }
}

/** Records of one session (1-based) of a journal. */
function sessionRecords(records: JournalRecord[], n: number): JournalRecord[] {
  const out: JournalRecord[] = [];
  let current = 0;
  for (const r of records) {
    if (r.t === 'session') current = r.n;
    else if (current === n) out.push(r);
  }
  return out;
}

describe('deploy faults on lab hosts', () => {
  let lab: Lab;
  let work: string;
  let ssh: SshEngine;

  beforeAll(async () => {
    ensureBuilt();
    lab = await startLab({ hosts: 5, log: (l) => console.log(`lab: ${l}`) });
    work = tempWork();
    ssh = labSsh(lab, work);
    // The lab's offline repository is the hosts' only package source (an air-gapped site).
    await Promise.all(lab.hosts.map((h) => lab.useOfflineRepository(h.name)));
  }, 300_000);

  afterAll(async () => {
    ssh?.closeAll();
    await lab?.stop();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it('kill -9 of keelson apply mid-run, then --resume finishes; no finished step runs again', async () => {
    const template = parseProject(
      readFileSync('resources/templates/keepalived-haproxy.keelson.yaml', 'utf8'),
    );
    if (!template.ok) throw new Error('template does not parse');
    const file = join(work, 'lab-ha.keelson.yaml');
    writeFileSync(file, serializeProject(bindTemplate(template.project, { ...lab, hosts: lab.hosts })));
    const env = { KEELSON_HOME: join(work, 'home'), KEELSON_KNOWN_HOSTS: join(work, 'cli_known_hosts') };
    const args = ['apply', file, '--yes', '--only', ONLY, '--known-hosts', lab.knownHostsPath, '--plain'];
    const first = keelson(args, env, 300_000); // the loop below waits up to 300 s for keepalived

    // Kill it while a keepalived step runs: preflight, os-prep and haproxy are done by then.
    const stateDir = stateDirFor(file);
    let killedDuring: string | undefined;
    for (let i = 0; i < 3000 && !killedDuring; i++) {
      await sleep(100);
      const j = await journalSoFar(stateDir);
      if (!j) continue;
      const open = j.records.filter((r) => r.t === 'attempt' && !j.steps.has(r.step));
      const lb = open.find((r) => r.t === 'attempt' && r.step.startsWith('load-balancer/keepalived/'));
      if (lb?.t === 'attempt') {
        await sleep(1500); // well inside its apt install
        first.child.kill('SIGKILL');
        killedDuring = lb.step;
      }
    }
    const killed = await first.result;
    expect(killedDuring, `never saw a keepalived step running:\n${killed.out}`).toBeDefined();
    expect(killed.code).toBeNull();
    const [runId] = await listRuns(stateDir);
    const before = await readJournal(journalPath(stateDir, runId!));
    expect(before.ended).toBeUndefined();
    expect(before.interrupted).toContain(killedDuring);
    const finishedBefore = [...before.steps.values()].filter((r) => r.status === 'done').map((r) => r.step);
    expect(finishedBefore.length).toBeGreaterThanOrEqual(11);

    const resumed = keelson([...args, '--resume'], env);
    const done = await resumed.result;
    expect(done.code, done.out).toBe(0);
    const after = await readJournal(journalPath(stateDir, runId!));
    expect(after.sessions).toBe(2);
    expect(after.ended?.status).toBe('succeeded');
    const attempted = sessionRecords(after.records, 2).flatMap((r) => (r.t === 'attempt' ? [r.step] : []));
    // The journal proves it: nothing that finished before the kill was attempted again.
    expect(attempted.filter((s) => finishedBefore.includes(s))).toEqual([]);
    expect(attempted).toContain(killedDuring);
    expect(done.out).toContain('resuming run');

    // The VRRP password Keelson generated in the killed session was kept and reused: every
    // keepalived has the same one (a new one would split the VRRP group).
    const passes = await Promise.all(
      ['h1', 'h2', 'h3'].map((h) =>
        lab.sh(h, "awk '/auth_pass/ {print $2}' /etc/keepalived/keepalived.conf"),
      ),
    );
    expect(new Set(passes).size).toBe(1);
    expect(passes[0]!.trim()).toMatch(/^[A-Za-z0-9]{8}$/);
    // Secrets are in the 0600 store, never in the journal or logs.
    for (const f of [journalPath(stateDir, runId!)])
      expect(readFileSync(f, 'utf8')).not.toContain(passes[0]!.trim());
  }, 900_000);

  describe('purpose-made steps', () => {
    let options: DeployOptions;
    let plan: Plan;

    beforeAll(() => {
      const project = labProject(lab, {
        roles: { h1: ['control-plane'], h2: ['worker'], h3: ['worker'], h4: ['worker'] },
        apiEndpoint: { pattern: 'node-local', port: 6443 },
      });
      const hosts = ['h1', 'h2', 'h3', 'h4'];
      // Each host: a step that takes a while (and is "done" once its marker exists), then a quick one.
      const slow = hosts.map((h) =>
        testStep({
          id: `fault/work/${h}`,
          host: h,
          phase: 'preflight',
          script:
            'set -euo pipefail\necho "working on $(hostname)"\nsleep 8\ntouch /root/fault-work-done\necho finished',
          check: 'test -e /root/fault-work-done',
        }),
      );
      const after = hosts.map((h) =>
        testStep({
          id: `fault/after/${h}`,
          host: h,
          phase: 'os-prep',
          script: 'echo after',
          dependsOn: [`fault/work/${h}`],
        }),
      );
      plan = {
        cluster: 'lab-faults',
        kubernetesVersion: '1.35',
        generatedBy: 'deploy-faults.test.ts',
        hosts: [],
        phases: [
          { id: 'preflight', title: 'work', parallel: true, steps: slow },
          { id: 'os-prep', title: 'after', parallel: true, steps: after },
        ],
      };
      options = {
        plan,
        project,
        ssh,
        secrets: testSecrets(ssh, tempWork()).provider,
        stateDir: join(tempWork(), 'faults.deploy'),
        keelsonVersion: 'lab-test',
      };
    });

    it("a cable pull fails that host's step clearly while the others carry on; Resume after replug completes", async () => {
      await Promise.all(['h1', 'h2', 'h3', 'h4'].map((h) => lab.sh(h, 'rm -f /root/fault-work-done')));
      const { run, events } = await openRun(options);
      // Pull h4's cable once its script is running there.
      const working = () =>
        events.some(
          (e) =>
            e.type === 'step-output' && e.host === 'h4' && e.lines.some((l) => l.startsWith('working on')),
        );
      for (let i = 0; i < 300 && !working(); i++) await sleep(100);
      expect(working()).toBe(true);
      const pulledAt = Date.now();
      await lab.cablePull('h4');
      let status;
      try {
        status = await run.done;
      } finally {
        await lab.cablePlug('h4');
      }
      expect(status).toBe('failed');
      const ended = new Map(events.flatMap((e) => (e.type === 'step-ended' ? [[e.stepId, e] as const] : [])));
      const h4 = ended.get('fault/work/h4');
      expect(h4?.status).toBe('failed');
      expect(h4?.error).toMatch(/^h4 unreachable: /);
      expect(h4?.hint).toMatch(/lost the connection to this host/);
      console.log(
        `cable pull: h4's step failed ${((h4!.at - pulledAt) / 1000).toFixed(1)} s after the pull: ${h4?.error}`,
      );
      for (const h of ['h1', 'h2', 'h3']) {
        expect(ended.get(`fault/work/${h}`)?.status).toBe('done');
        expect(ended.get(`fault/after/${h}`)?.status).toBe('done');
      }
      expect(run.view().hosts.find((h) => h.name === 'h4')?.state).toBe('unreachable');

      const resumed = await openRun(options, { resume: true });
      expect(await resumed.run.done).toBe('succeeded');
      const again = resumed.events.flatMap((e) =>
        e.type === 'step-ended' ? [`${e.stepId} ${e.status}`] : [],
      );
      // The step kept running on h4 while its cable was out (its output went to a file there), so
      // its check finds it done; nothing on h1–h3 runs again.
      expect(again.sort()).toEqual(['fault/after/h4 done', 'fault/work/h4 already-done']);
    }, 300_000);

    it('Cancel stops the running steps on their hosts; the run resumes afterwards', async () => {
      await Promise.all(['h1', 'h2', 'h3', 'h4'].map((h) => lab.sh(h, 'rm -f /root/fault-work-done')));
      const stateDir = join(tempWork(), 'cancel.deploy');
      const { run, events } = await openRun({ ...options, stateDir });
      const working = () =>
        events.filter((e) => e.type === 'step-output' && e.lines.some((l) => l.startsWith('working on')))
          .length;
      for (let i = 0; i < 300 && working() < 4; i++) await sleep(100);
      expect(working()).toBe(4);
      run.cancel();
      expect(await run.done).toBe('cancelled');
      const ended = events.flatMap((e) =>
        e.type === 'step-ended' ? [`${e.stepId} ${e.status} ${e.error ?? ''}`] : [],
      );
      expect(ended.sort()).toEqual(
        ['h1', 'h2', 'h3', 'h4'].map((h) => `fault/work/${h} cancelled ${h}: cancelled`),
      );
      // Stopped on the hosts, not only here: the marker the script writes after its sleep never appears.
      await sleep(9000);
      for (const h of ['h1', 'h2', 'h3', 'h4']) {
        expect((await lab.exec(h, 'test -e /root/fault-work-done')).code, h).not.toBe(0);
        expect((await lab.sh(h, 'pgrep -x sleep || true')).trim(), h).toBe('');
      }
      const resumed = await openRun({ ...options, stateDir }, { resume: true });
      expect(await resumed.run.done).toBe('succeeded');
    }, 300_000);

    it('Skip of a failed step (with its reason) lets its dependents run; the journal notes it', async () => {
      const failing = testStep({
        id: 'fault/broken/h1',
        host: 'h1',
        phase: 'preflight',
        script: 'echo "keelson: this step is broken on purpose" >&2; exit 3',
      });
      const after = testStep({
        id: 'fault/needs-broken/h1',
        host: 'h1',
        phase: 'os-prep',
        script: 'echo ran',
        dependsOn: [failing.id],
      });
      const stateDir = join(tempWork(), 'skip.deploy');
      const skipPlan: Plan = {
        ...plan,
        phases: [
          { id: 'preflight', title: 'broken', parallel: true, steps: [failing] },
          { id: 'os-prep', title: 'after', parallel: true, steps: [after] },
        ],
      };
      const first = await openRun({ ...options, plan: skipPlan, stateDir });
      expect(await first.run.done).toBe('failed');
      const failed = first.events.find((e) => e.type === 'step-ended' && e.stepId === failing.id);
      expect(failed?.type === 'step-ended' && failed.error).toBe(
        'h1: this step is broken on purpose (exit 3)',
      );
      const skipped = await openRun(
        { ...options, plan: skipPlan, stateDir },
        { resume: true, skip: [{ stepId: failing.id, note: 'checked by hand' }] },
      );
      expect(await skipped.run.done).toBe('succeeded');
      const j = await readJournal(journalPath(stateDir, skipped.run.runId));
      expect(j.steps.get(failing.id)?.status).toBe('skipped');
      expect(j.records).toContainEqual(
        expect.objectContaining({ t: 'skip', step: failing.id, note: 'checked by hand' }),
      );
      expect(j.steps.get(after.id)?.status).toBe('done');
    }, 120_000);
  });

  it('Ctrl-C cancels keelson apply cleanly (exit 1, a resumable journal); --resume finishes', async () => {
    const template = parseProject(
      readFileSync('resources/templates/keepalived-haproxy.keelson.yaml', 'utf8'),
    );
    if (!template.ok) throw new Error('template does not parse');
    const file = join(work, 'ctrl-c.keelson.yaml');
    writeFileSync(file, serializeProject(bindTemplate(template.project, { ...lab, hosts: lab.hosts })));
    const env = {
      KEELSON_HOME: join(work, 'home-ctrl-c'),
      KEELSON_KNOWN_HOSTS: join(work, 'cli_known_hosts'),
    };
    const args = [
      'apply',
      file,
      '--yes',
      '--only',
      'preflight',
      '--known-hosts',
      lab.knownHostsPath,
      '--plain',
    ];
    const cli = keelson(args, env);
    const stateDir = stateDirFor(file);
    // Interrupt once every preflight has started (they take a few seconds each).
    for (let i = 0; i < 600; i++) {
      await sleep(100);
      const j = await journalSoFar(stateDir);
      if (!j) continue;
      if (j.records.filter((r) => r.t === 'attempt').length === 5) break;
    }
    cli.child.kill('SIGINT');
    const interrupted = await cli.result;
    expect(interrupted.code, interrupted.out).toBe(1);
    expect(interrupted.out).toContain('cancelling');
    expect(interrupted.out).toContain(`resume with: keelson apply ${file} --resume`);
    const [runId] = await listRuns(stateDir);
    const j = await readJournal(journalPath(stateDir, runId!));
    expect(j.ended?.status).toBe('cancelled');
    expect(existsSync(join(stateDir, 'lock'))).toBe(false);

    const resumed = await keelson([...args, '--resume'], env).result;
    expect(resumed.code, resumed.out).toBe(0);
  }, 420_000);
});
