import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { Plan as PlanSchema } from '../../../shared/contract/plan';
import { ClusterProject } from '../../../shared/model/cluster';
import { PlanError } from '../../../shared/plan/errors';
import { generatePlan } from '../../../shared/plan/generate';
import { validateCluster } from '../../../shared/validation';
import { designArb } from './designs';

/** Enough designs that every pattern × etcd mode × OS gets clean ones, in a few seconds. */
const RUNS = 1000;

describe('one set of rules: what validates plans, what does not is refused with the same findings', () => {
  test(`${RUNS} generated designs, every pattern × etcd mode × OS family`, () => {
    let tried = 0;
    let clean = 0;
    const cleanBy = new Map<string, number>();
    const refusedBy = new Map<string, number>();
    fc.assert(
      fc.property(designArb, ({ pattern, etcd, os, input }) => {
        tried++;
        const project = ClusterProject.parse(input);
        const errors = validateCluster(project).filter((f) => f.severity === 'error');
        const options = { keelsonVersion: 'property', osFamily: os };
        if (errors.length > 0) {
          for (const f of errors) refusedBy.set(f.code, (refusedBy.get(f.code) ?? 0) + 1);
          // Refused for exactly the validator's reasons, never for one of the planner's own.
          let refusal: unknown;
          try {
            generatePlan(project, options);
          } catch (error) {
            refusal = error;
          }
          expect(refusal).toBeInstanceOf(PlanError);
          expect((refusal as PlanError).findings).toEqual(errors);
          return;
        }
        clean++;
        const key = `${pattern} × ${etcd} × ${os}`;
        cleanBy.set(key, (cleanBy.get(key) ?? 0) + 1);
        const plan = generatePlan(project, options);
        // The plan is one the contract accepts, and every step runs on a host the plan lists.
        expect(PlanSchema.safeParse(plan).success).toBe(true);
        const hosts = new Set(plan.hosts.map((h) => h.name));
        const ids = new Set(plan.phases.flatMap((p) => p.steps.map((s) => s.id)));
        for (const step of plan.phases.flatMap((p) => p.steps)) {
          expect(hosts.has(step.host), step.id).toBe(true);
          for (const dep of step.dependsOn) expect(ids.has(dep), `${step.id} after ${dep}`).toBe(true);
        }
        expect(plan.phases.length).toBeGreaterThan(0);
      }),
      { numRuns: RUNS },
    );
    const top = [...refusedBy].sort((a, b) => b[1] - a[1]).slice(0, 8);
    console.log(
      `validate-then-plan: tried ${tried} designs, ${clean} clean (0 errors) and all of them planned; ` +
        `${tried - clean} refused with the validator's findings (most often: ${top.map(([c, n]) => `${c} ${n}`).join(', ')})`,
    );
    console.log(
      `clean designs per pattern × etcd × OS: ${[...cleanBy]
        .sort()
        .map(([k, n]) => `${k}: ${n}`)
        .join('; ')}`,
    );
    expect(tried).toBe(RUNS);
    // Every combination produced clean designs that planned: 6 patterns × 2 etcd modes × 2 OS families.
    expect(cleanBy.size).toBe(24);
    // "Mostly valid": a generator that rarely yields clean designs would prove little.
    expect(clean / tried).toBeGreaterThan(0.3);
  });
});
