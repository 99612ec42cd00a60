import type { Plan, PlanStep } from '../plan/types';

const PLACEHOLDER = /\{\{(?:secret|value):([a-zA-Z0-9._-]+)\}\}/g;

function consumed(s: PlanStep): Set<string> {
  const names = new Set<string>();
  for (const text of [s.script, s.check ?? '', ...s.files.map((f) => f.content)])
    for (const m of text.matchAll(PLACEHOLDER)) names.add(m[1]!);
  return names;
}

/**
 * What a step does on its host, as text: two steps with the same content have the same effect.
 * Scheduling (dependsOn, timeout) and prose (description) are left out: a worker added to the
 * design makes every os-prep wait for its preflight too, which changes nothing already done.
 */
export function stepContent(s: PlanStep): string {
  return JSON.stringify([s.id, s.host, s.script, s.files, s.check ?? null, s.outputs ?? []]);
}

export interface Delta {
  /** The steps to run, in the plan's phases; dependencies on steps left out are dropped (they are done). */
  plan: Plan;
  /** Steps left out because exactly this step (script, files, host) was applied before. */
  applied: string[];
  /** Steps that were applied but run again because a step that runs needs what they produce (a fresh token). */
  rerunForOutputs: string[];
}

/**
 * What a deploy of a changed design runs on a deployed cluster: every step not applied exactly as
 * it is now (a new host's steps, a load-balancer config that now lists one more control plane),
 * plus the applied steps whose run-time outputs those need — the bootstrap token, the CA hash, a
 * certificate key are produced afresh for each join, never kept. A step whose content changed in
 * any way counts as not applied, so nothing is skipped on a guess.
 */
export function deltaPlan(plan: Plan, isApplied: (s: PlanStep) => boolean): Delta {
  const all = plan.phases.flatMap((p) => p.steps);
  const producer = new Map<string, PlanStep>();
  for (const s of all) for (const o of s.outputs ?? []) producer.set(o.name, s);
  const keep = new Set(all.filter((s) => !isApplied(s)).map((s) => s.id));
  const forOutputs = new Set<string>();
  const queue = all.filter((s) => keep.has(s.id));
  while (queue.length) {
    const s = queue.pop()!;
    for (const name of consumed(s)) {
      const p = producer.get(name);
      if (!p || keep.has(p.id)) continue;
      keep.add(p.id);
      forOutputs.add(p.id);
      queue.push(p);
    }
  }
  const phases = plan.phases
    .map((p) => ({
      ...p,
      steps: p.steps
        .filter((s) => keep.has(s.id))
        .map((s) => ({ ...s, dependsOn: s.dependsOn.filter((d) => keep.has(d)) })),
    }))
    .filter((p) => p.steps.length > 0);
  return {
    plan: { ...plan, phases },
    applied: all.filter((s) => !keep.has(s.id)).map((s) => s.id),
    rerunForOutputs: [...forOutputs],
  };
}
