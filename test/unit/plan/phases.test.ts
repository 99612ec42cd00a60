import { describe, expect, test } from 'vitest';
import { runCli } from '../../../main/cli/run';
import { PhaseId as PhaseIdSchema } from '../../../shared/contract/plan';
import { generatePlan } from '../../../shared/plan/generate';
import { ALL_PHASE_IDS, PHASE_IDS, PHASES } from '../../../shared/plan/phases';
import { project } from './fixtures';

describe('the phase registry is the one source of phases', () => {
  test("a plan's phases follow the registry's order, titles and parallel rule", () => {
    const plan = generatePlan(project({ pattern: 'dedicated-lb', etcd: 'external' }), {
      keelsonVersion: 't',
    });
    // Every phase has steps in this design, so the plan lists all of them.
    expect(plan.phases.map((p) => p.id)).toEqual(PHASE_IDS);
    for (const phase of plan.phases) {
      const info = PHASES.find((p) => p.id === phase.id)!;
      expect(phase.title).toBe(info.title);
      expect(phase.parallel).toBe(info.parallel);
    }
    // etcd membership changes are serial: control planes join one at a time.
    expect(PHASES.find((p) => p.id === 'control-plane-join')!.parallel).toBe(false);
  });

  test('a phase with no steps is left out, the others keep their order', () => {
    const plan = generatePlan(project({ pattern: 'kube-vip' }), { keelsonVersion: 't' });
    const ids = plan.phases.map((p) => p.id);
    expect(ids).not.toContain('external-etcd');
    expect(ids).toEqual(PHASE_IDS.filter((id) => ids.includes(id)));
  });

  test('the contract accepts exactly the registry ids (deploy and day 2), and `keelson plan --help` lists them in order', async () => {
    expect(PhaseIdSchema.options).toEqual(ALL_PHASE_IDS);
    expect(ALL_PHASE_IDS.slice(0, PHASE_IDS.length)).toEqual(PHASE_IDS);
    let out = '';
    const code = await runCli(['plan', '--help'], { out: (t) => (out += t), err: () => {}, version: 't' });
    expect(code).toBe(0);
    const listed = [...out.matchAll(/^ {2}([a-z-]+) +\((?:hosts in parallel|one step at a time)\)/gm)].map(
      (m) => m[1],
    );
    expect(listed).toEqual(PHASE_IDS);
  });
});
