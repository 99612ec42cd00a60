// A step with no check of its own (preflight, verify, a step that hands over a value) can only be
// known done from the run that deployed the cluster: the dry run reads deployed.json, that run's
// plan.json and its journal. A changed step, a user-skipped one or a damaged run counts as not done.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { deployedSteps, doneByJournal } from '../../../main/services/check/dry-run';
import type { JournalRecord } from '../../../main/services/deploy/journal';
import type { Plan, PlanStep } from '../../../shared/plan/types';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

const step = (id: string, script = `echo ${id}`): PlanStep =>
  ({
    id,
    phase: id.split('/')[0],
    host: 'cp1',
    description: id,
    script,
    files: [],
    dependsOn: [],
    secrets: [],
    timeoutSeconds: 60,
  }) as unknown as PlanStep;

function stateDir(steps: PlanStep[], ended: Record<string, string>, runId = '20261130-070000-ab12'): string {
  const dir = mkdtempSync(join(tmpdir(), 'keelson-dry-run-'));
  dirs.push(dir);
  const run = join(dir, 'runs', runId);
  mkdirSync(run, { recursive: true });
  const plan = { phases: [{ id: 'preflight', steps }] } as unknown as Plan;
  writeFileSync(join(run, 'plan.json'), JSON.stringify(plan));
  const records: JournalRecord[] = [
    { t: 'run', v: 1, runId, cluster: 'c', planHash: 'h', keelsonVersion: 'x', at: 1, steps: steps.length },
    { t: 'session', n: 1, mode: 'start', at: 1, pid: 1 },
    ...Object.entries(ended).map(
      ([id, status]) =>
        ({ t: 'step', step: id, host: 'cp1', status, start: 1, end: 2, log: 'x' }) as JournalRecord,
    ),
  ];
  writeFileSync(join(run, 'journal.jsonl'), records.map((r) => JSON.stringify(r)).join('\n') + '\n');
  writeFileSync(join(dir, 'deployed.json'), JSON.stringify({ runId, at: '2026-11-30T07:00:00.000Z' }));
  return dir;
}

it('steps that finished in the deploying run are known done; skipped or failed ones are not', async () => {
  const steps = [
    step('preflight/cp1'),
    step('verify/cluster'),
    step('post-install/topology'),
    step('x/failed'),
  ];
  const dir = stateDir(steps, {
    'preflight/cp1': 'done',
    'verify/cluster': 'already-done',
    'post-install/topology': 'skipped',
    'x/failed': 'failed',
  });
  const deployed = await deployedSteps(dir);
  expect([...deployed!.finished.keys()].sort()).toEqual(['preflight/cp1', 'verify/cluster']);
  expect(deployed!.finished.get('preflight/cp1')!.runId).toBe('20261130-070000-ab12');
  // The record keeps a hash of the step as it ran, so a dry run can tell a changed script from the same one.
  expect(deployed!.finished.get('preflight/cp1')!.hash).toMatch(/^[0-9a-f]{32}$/);
});

it('no deployed.json, or a run whose files are gone: nothing is known done', async () => {
  const dir = stateDir([step('preflight/cp1')], { 'preflight/cp1': 'done' });
  rmSync(join(dir, 'runs'), { recursive: true });
  expect((await deployedSteps(dir))?.finished.size ?? 0).toBe(0);
  rmSync(join(dir, 'deployed.json'));
  expect(await deployedSteps(dir)).toBeUndefined();
});

it('a step whose script changed since the cluster was deployed would run again', async () => {
  const dir = stateDir([step('preflight/cp1')], { 'preflight/cp1': 'done' });
  const deployed = await deployedSteps(dir);
  expect(doneByJournal(step('preflight/cp1'), deployed)).toMatchObject({ state: 'done' });
  expect(doneByJournal(step('preflight/cp1', 'echo changed'), deployed)).toBeUndefined();
  expect(doneByJournal(step('preflight/cp2'), deployed)).toBeUndefined();
});
