// The deploy engine against four Debian lab hosts over real SSH: h1–h3 control planes (h3 logs
// in as the sudo user `deploy` with a password), h4 a worker (also `deploy`). The plan is the
// generator's preflight, os-prep and keepalived + haproxy phases, unchanged, plus one
// purpose-made step per control plane that starts `apiserver-standin` (test/support — NOT a
// Kubernetes API server) where the apiserver would run, so haproxy's health checks pass.
import { readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DeployEvent } from '../../shared/deploy/events';
import { generatePlan } from '../../shared/plan';
import type { Plan } from '../../shared/plan/types';
import { readJournal } from '../../main/services/deploy/journal';
import type { DeployOptions } from '../../main/services/deploy/engine';
import { logFileName } from '../../main/services/deploy/logs';
import { journalPath } from '../../main/services/deploy/state-dir';
import type { SshEngine } from '../../main/services/ssh/engine';
import {
  labProject,
  labSsh,
  offlineRepository,
  onlyPhases,
  openRun,
  stageApiserverStandin,
  standinStep,
  STANDIN_UNIT,
  tempWork,
  testSecrets,
  testStep,
  withSteps,
} from './deploy-fixtures';
import { startLab, type Lab } from './lab';
import { httpsGet, standinCertificate } from './plan-runner';

const CPS = ['h1', 'h2', 'h3'];
const LB_PORT = 8443;

/** Every file under a folder, recursively. */
function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((d) =>
    d.isDirectory() ? filesUnder(join(dir, d.name)) : [join(dir, d.name)],
  );
}

describe('deploy engine on lab hosts over SSH', () => {
  let lab: Lab;
  let work: string;
  let ssh: SshEngine;
  let plan: Plan;
  let options: DeployOptions;
  let cert: ReturnType<typeof standinCertificate>;
  let sudoPassword: string;
  let secrets: ReturnType<typeof testSecrets>;
  const sshLogs: string[] = [];
  const allEvents: DeployEvent[] = [];

  beforeAll(async () => {
    lab = await startLab({ hosts: 4, log: (l) => console.log(`lab: ${l}`) });
    work = tempWork();
    cert = standinCertificate();
    sudoPassword = lab.host('h3').password;
    ssh = labSsh(lab, work, sshLogs);
    const vip = `10.77.${lab.slot}.10`;
    const project = labProject(lab, {
      roles: { h1: ['control-plane'], h2: ['control-plane'], h3: ['control-plane'], h4: ['worker'] },
      deployUser: ['h3', 'h4'],
      apiEndpoint: {
        pattern: 'keepalived-haproxy',
        vip,
        port: LB_PORT,
        vrrp: { routerId: 61, interface: 'eth0' },
      },
    });
    await Promise.all(CPS.map((h) => stageApiserverStandin(lab, h, cert.dir)));
    const generated = onlyPhases(generatePlan(project, { keelsonVersion: 'lab-test' }), [
      'preflight',
      'os-prep',
      'load-balancer',
    ]);
    plan = withSteps(
      generated,
      'load-balancer',
      CPS.map((h) => standinStep(h, [`os-prep/${h}`])),
      (s) => (s.id.startsWith('load-balancer/haproxy/') ? [`load-balancer/apiserver-standin/${s.host}`] : []),
    );
    secrets = testSecrets(ssh, work, { 'lab-sudo': sudoPassword });
    options = {
      plan,
      project,
      ssh,
      secrets: secrets.provider,
      stateDir: join(work, 'lab-deploy.deploy'),
      keelsonVersion: 'lab-test',
      services: offlineRepository(lab),
    };
  }, 300_000);

  afterAll(async () => {
    ssh?.closeAll();
    await lab?.stop();
    cert?.dispose();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it('runs preflight, os-prep and keepalived + haproxy in dependency order, in parallel across hosts, one step per host', async () => {
    const { run, events } = await openRun(options);
    const status = await run.done;
    allEvents.push(...events);
    const ended = events.filter((e) => e.type === 'step-ended');
    if (status !== 'succeeded') console.log(ended.filter((e) => e.status === 'failed'));
    expect(status).toBe('succeeded');
    const steps = plan.phases.flatMap((p) => p.steps);
    expect(ended.map((e) => e.stepId).sort()).toEqual(steps.map((s) => s.id).sort());
    expect(ended.every((e) => e.status === 'done')).toBe(true);

    // Dependency order: each step started after every step it depends on had ended.
    const endIndex = new Map(
      events.flatMap((e, i) => (e.type === 'step-ended' ? [[e.stepId, i] as const] : [])),
    );
    events.forEach((e, i) => {
      if (e.type !== 'step-started') return;
      for (const d of steps.find((s) => s.id === e.stepId)!.dependsOn) {
        expect(endIndex.get(d)!, `${d} ended before ${e.stepId} started`).toBeLessThan(i);
      }
    });
    // At most one step at a time per host, and several hosts at once.
    const runningOn = new Map<string, number>();
    let maxHostsAtOnce = 0;
    for (const e of events) {
      if (e.type === 'step-started') runningOn.set(e.host, (runningOn.get(e.host) ?? 0) + 1);
      if (e.type === 'step-ended') runningOn.set(e.host, runningOn.get(e.host)! - 1);
      expect(Math.max(...runningOn.values(), 0)).toBeLessThanOrEqual(1);
      maxHostsAtOnce = Math.max(maxHostsAtOnce, [...runningOn.values()].filter((n) => n > 0).length);
    }
    expect(maxHostsAtOnce).toBe(4);
    // Every host's connection was made once and carried every step, upload and check.
    expect(Object.values(ssh.handshakeCounts())).toEqual([1, 1, 1, 1]);
    expect(run.view().hosts.map((h) => h.state)).toEqual(['done', 'done', 'done', 'done']);

    // The VIP answers through haproxy, as the generated steps promise.
    const vip = `10.77.${lab.slot}.10`;
    expect(await httpsGet(`https://${vip}:${LB_PORT}/healthz`, 3_000)).toEqual({ status: 200, body: 'ok' });
    // Files were installed as root on the sudo host (h3 logs in as deploy).
    expect((await lab.sh('h3', 'stat -c %U:%a /etc/haproxy/haproxy.cfg')).trim()).toBe('root:644');
    expect((await lab.sh('h3', 'stat -c %U /etc/keepalived/keepalived.conf')).trim()).toBe('root');

    // The journal names outputs, never their values; the generated VRRP password was kept 0600.
    const journal = await readJournal(journalPath(options.stateDir, run.runId));
    expect(journal.ended?.status).toBe('succeeded');
    expect(journal.steps.get('preflight/h1')?.outputs).toEqual([
      'hostname.h1',
      'machine-id.h1',
      'product-uuid.h1',
      'mac.h1',
    ]);
    const vrrp = await secrets.file.get('vrrp-auth-pass');
    expect(vrrp).toMatch(/^[A-Za-z0-9]{8}$/);
    expect(statSync(secrets.file.file).mode & 0o777).toBe(0o600);
    expect(await lab.sh('h1', 'cat /etc/keepalived/keepalived.conf')).toContain(`auth_pass ${vrrp}`);
    // Outputs were handed over once: nothing is left in the hosts' output folders.
    for (const h of lab.hosts)
      expect((await lab.sh(h.name, 'ls -A /run/keelson/outputs 2>/dev/null || true')).trim()).toBe('');
  }, 600_000);

  it('a step that fails for a real reason (port 6443 taken) shows the hint; Retry after fixing it succeeds', async () => {
    // The stand-ins now hold :6443 on h1–h3: a new run's preflight finds the port taken by a
    // process that is not Kubernetes, as it would on a host with leftovers.
    const { run, events } = await openRun(options);
    expect(await run.done).toBe('failed');
    allEvents.push(...events);
    const failed = events.filter((e) => e.type === 'step-ended' && e.status === 'failed');
    expect(failed.map((e) => e.type === 'step-ended' && e.stepId).sort()).toEqual(
      CPS.map((h) => `preflight/${h}`),
    );
    const h1 = failed.find((e) => e.type === 'step-ended' && e.host === 'h1');
    if (h1?.type !== 'step-ended') throw new Error('no failure on h1');
    expect(h1.error).toMatch(/^h1: TCP port 6443 is in use/);
    expect(h1.hint).toMatch(/already listens on port 6443/);
    expect(h1.tail?.join('\n')).toContain('TCP port 6443 is in use');
    const ended = events.find((e) => e.type === 'run-ended');
    expect(ended?.type === 'run-ended' && ended.blocked).toContain('os-prep/h4');
    expect(run.view().hosts.find((h) => h.name === 'h1')?.state).toBe('failed');

    // Fix it, then Retry the failed step: the run carries on and finds the rest already done.
    await Promise.all(CPS.map((h) => lab.sh(h, `systemctl stop ${STANDIN_UNIT}`)));
    const retry = await openRun(options, {
      resume: run.runId,
      retryOnly: ['preflight/h1', 'preflight/h2', 'preflight/h3'],
    });
    expect(await retry.run.done).toBe('succeeded');
    allEvents.push(...retry.events);
    const statuses = new Map(
      retry.events.flatMap((e) => (e.type === 'step-ended' ? [[e.stepId, e.status] as const] : [])),
    );
    expect(statuses.get('preflight/h1')).toBe('done');
    // Preflight of h4 finished in the first session: not run again.
    expect(statuses.has('preflight/h4')).toBe(false);
    expect(statuses.get('os-prep/h1')).toBe('already-done');
    expect(statuses.get('load-balancer/haproxy/h2')).toBe('already-done');
    // The stand-in was stopped, so its check says "not done" and it starts again.
    expect(statuses.get('load-balancer/apiserver-standin/h3')).toBe('done');
    const journal = await readJournal(journalPath(options.stateDir, run.runId));
    expect(journal.sessions).toBe(2);
    expect(journal.ended?.status).toBe('succeeded');
  }, 600_000);

  it('a failed load-balancer step brings its services’ state and journal into its log', async () => {
    // haproxy and keepalived run on the control planes now; h3 logs in as `deploy` (sudo with a
    // password), so gathering as root goes through the same sudo as the steps.
    const broken = (host: string) =>
      testStep({
        id: `load-balancer/broken/${host}`,
        host,
        script: 'echo "keelson: the balancer did not come up" >&2; exit 1',
      });
    const { run, events } = await openRun({
      ...options,
      plan: {
        ...plan,
        phases: [
          { ...plan.phases.find((p) => p.id === 'load-balancer')!, steps: [broken('h1'), broken('h3')] },
        ],
      },
      stateDir: join(work, 'diagnostics.deploy'),
    });
    expect(await run.done).toBe('failed');
    allEvents.push(...events);
    for (const host of ['h1', 'h3']) {
      const stepId = `load-balancer/broken/${host}`;
      const ended = events.find((e) => e.type === 'step-ended' && e.stepId === stepId);
      if (ended?.type !== 'step-ended') throw new Error(`no end for ${stepId}`);
      // The error and the tail are the step's own, not the diagnostics that follow them.
      expect(ended.error).toBe(`${host}: the balancer did not come up (exit 1)`);
      expect(ended.tail?.at(-1)).toMatch(/── failed: .* after/);
      const lines = events.flatMap((e) => (e.type === 'step-output' && e.stepId === stepId ? e.lines : []));
      const text = lines.join('\n');
      expect(text).toContain(`── diagnostics from ${host}, gathered because the step failed`);
      expect(text).toMatch(/── systemctl status haproxy\n[^]*Active: active \(running\)/);
      expect(text).toMatch(/── journalctl -u keepalived \(last 40 lines\)\n[^]*Keepalived/);
      // Only services the host has: the lab's hosts run no kubelet and have no crictl.
      expect(text).not.toContain('systemctl status kubelet');
      expect(text).not.toContain('crictl ps -a');
      const nginx = await lab.sh(host, 'systemctl cat nginx.service >/dev/null 2>&1 && echo yes || echo no');
      expect(text.includes('── systemctl status nginx'), `nginx installed: ${nginx.trim()}`).toBe(
        nginx.trim() === 'yes',
      );
      // The same lines are in the step's log file in the run folder.
      const log = readFileSync(
        join(work, 'diagnostics.deploy', 'runs', run.runId, logFileName(stepId)),
        'utf8',
      );
      expect(log).toContain('── systemctl status haproxy');
    }
  }, 300_000);

  it('no secret value appears in any event, log, journal or run file', () => {
    // The kept-secrets file: a codec line, then the JSON (plain codec here, as outside Electron).
    const file = readFileSync(secrets.file.file, 'utf8');
    expect(file.startsWith('keelson-secrets plain\n')).toBe(true);
    const kept = Object.values(
      (JSON.parse(file.slice(file.indexOf('\n') + 1)) as { secrets: Record<string, string> }).secrets,
    );
    const values = [sudoPassword, ...kept];
    expect(values.length).toBeGreaterThanOrEqual(2);
    const texts = [
      JSON.stringify(allEvents),
      ...filesUnder(options.stateDir).map((f) => readFileSync(f, 'utf8')),
      sshLogs.join('\n'),
    ];
    for (const v of values) for (const t of texts) expect(t.includes(v)).toBe(false);
  });
});
