// `keelson node …` and the deploy delta on the workstation's side: what is refused before any host
// is touched, and which steps a deploy of a grown design runs once the cluster is deployed.
import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { runCli } from '../../../main/cli/run';
import { recordApplied, readApplied, stepHash } from '../../../main/services/deploy/applied';
import { deployedRecord, writeDeployed } from '../../../main/services/deploy/deployed';
import { planToRun } from '../../../main/services/deploy/service';
import { stateDirFor } from '../../../main/services/deploy/state-dir';
import type { ClusterProject } from '../../../shared/model/cluster';
import { serializeProject } from '../../../shared/model/parse';
import { generatePlan } from '../../../shared/plan/generate';
import { project } from '../plan/fixtures';

function projectFile(p: ClusterProject): string {
  const dir = mkdtempSync(join(tmpdir(), 'keelson-node-'));
  const file = join(dir, 'lab.keelson.yaml');
  writeFileSync(file, serializeProject(p));
  return file;
}

async function cli(args: string[]) {
  let out = '';
  let err = '';
  const code = await runCli(args, { out: (s) => (out += s), err: (s) => (err += s), version: 't' });
  return { code, out, err };
}

/** A deployed.json and an applied.json saying every step of `p`'s plan is applied. */
async function markDeployed(file: string, p: ClusterProject): Promise<void> {
  const stateDir = stateDirFor(file);
  mkdirSync(stateDir, { recursive: true });
  await writeDeployed(
    stateDir,
    deployedRecord(p, { runId: '20261130-100000-aaaa', planHash: 'x' }, 't', '1.37.0'),
  );
  const steps = Object.fromEntries(
    generatePlan(p, { keelsonVersion: 't' })
      .phases.flatMap((ph) => ph.steps)
      .map((s) => [s.id, { hash: stepHash(s), runId: '20261130-100000-aaaa' }]),
  );
  writeFileSync(join(stateDir, 'applied.json'), JSON.stringify({ v: 1, steps }));
}

describe('keelson node refuses before touching a host', () => {
  test('a cluster never deployed from this file', async () => {
    const file = projectFile(project({ pattern: 'keepalived-haproxy', version: '1.37' }));
    const r = await cli(['node', 'delete', file, 'w1', '--yes']);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/has not been deployed by Keelson from this project file yet/);
  });

  test('a control plane of two (stacked etcd): the quorum reason, and no run folder is made', async () => {
    const p = project({ pattern: 'keepalived-haproxy', version: '1.37', controlPlanes: 2 });
    const file = projectFile(p);
    await markDeployed(file, p);
    const r = await cli(['node', 'delete', file, 'cp2', '--yes']);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/removing cp2 is refused: etcd has 2 members.*quorum of 2 is 2/);
    expect(existsSync(join(stateDirFor(file), 'day2'))).toBe(false);
  });

  test('an unknown node, a node not deployed yet, and bad usage', async () => {
    const p = project({ pattern: 'keepalived-haproxy', version: '1.37' });
    const file = projectFile(p);
    await markDeployed(file, p);
    expect((await cli(['node', 'drain', file, 'nope', '--yes'])).err).toMatch(/there is no host "nope"/);
    expect((await cli(['node', 'drain', file, 'w1', '--timeout', 'soon'])).code).toBe(2);
    expect((await cli(['node', 'explode', file, 'w1'])).code).toBe(2);
    const grown = structuredClone(p);
    grown.spec.hosts.push({
      ...structuredClone(grown.spec.hosts.at(-1)!),
      name: 'w9',
      address: '10.77.0.29',
    });
    writeFileSync(file, serializeProject(grown));
    expect((await cli(['node', 'drain', file, 'w9', '--yes'])).err).toMatch(
      /w9 is in the design but not deployed yet/,
    );
  });
});

describe('a deploy of a deployed cluster runs the delta', () => {
  test('after a worker is added only its steps, a fresh token and the record run; --full runs all', async () => {
    const p = project({ pattern: 'keepalived-haproxy', version: '1.37' });
    const file = projectFile(p);
    await markDeployed(file, p);
    const grown = structuredClone(p);
    grown.spec.hosts.push({
      ...structuredClone(grown.spec.hosts.at(-1)!),
      name: 'w3',
      address: '10.77.0.23',
    });
    const { plan, appliedSteps, partial } = await planToRun(stateDirFor(file), grown, 't', {});
    expect(partial).toBe(false);
    const hosts = new Set(plan.phases.flatMap((ph) => ph.steps.map((s) => s.host)));
    expect([...hosts].sort()).toEqual(['cp1', 'w3']);
    expect(appliedSteps.length).toBeGreaterThan(30);
    const full = await planToRun(stateDirFor(file), grown, 't', { full: true });
    expect(full.appliedSteps).toEqual([]);
    expect(new Set(full.plan.phases.flatMap((ph) => ph.steps.map((s) => s.host))).size).toBe(6);
    // Nothing deployed.json-less is delta'd: a cluster that never deployed runs everything.
    const fresh = projectFile(grown);
    expect((await planToRun(stateDirFor(fresh), grown, 't', {})).appliedSteps).toEqual([]);
  });

  test('the applied record forgets a removed host, so adding it back deploys it from scratch', async () => {
    const p = project({ pattern: 'keepalived-haproxy', version: '1.37' });
    const file = projectFile(p);
    await markDeployed(file, p);
    const stateDir = stateDirFor(file);
    await recordApplied(stateDir, { runId: '20261130-110000-bbbb' }, { forgetHosts: ['w2'] });
    const ids = Object.keys((await readApplied(stateDir))!.steps);
    expect(ids.filter((id) => id.endsWith('/w2'))).toEqual([]);
    expect(ids).toContain('os-prep/w1');
    const { plan } = await planToRun(stateDir, p, 't', {});
    expect(
      plan.phases
        .flatMap((ph) => ph.steps)
        .filter((s) => s.host === 'w2')
        .map((s) => s.id),
    ).toContain('worker-join/kubeadm-join/w2');
  });
});
