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
  /** The steps to run, in the plan's phases; a dependency on a left-out step becomes one on the kept steps behind it. */
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
  // A step left out still orders what it stood between: a kept step waits for the kept steps it
  // reached through left-out ones (a control plane's join waits for the token step behind the
  // joins before it), and for whatever produces a value it uses.
  const byId = new Map(all.map((s) => [s.id, s]));
  const reach = new Map<string, Set<string>>();
  const keptBehind = (id: string): Set<string> => {
    const known = reach.get(id);
    if (known) return known;
    const out = new Set<string>();
    reach.set(id, out);
    for (const d of byId.get(id)?.dependsOn ?? []) {
      if (keep.has(d)) out.add(d);
      else for (const k of keptBehind(d)) out.add(k);
    }
    return out;
  };
  const dependsOn = (s: PlanStep): string[] => {
    const deps = new Set(keptBehind(s.id));
    for (const name of consumed(s)) {
      const p = producer.get(name);
      if (p && p.id !== s.id && keep.has(p.id)) deps.add(p.id);
    }
    return [...deps];
  };
  const phases = plan.phases
    .map((p) => ({
      ...p,
      steps: p.steps.filter((s) => keep.has(s.id)).map((s) => ({ ...s, dependsOn: dependsOn(s) })),
    }))
    .filter((p) => p.steps.length > 0);
  return {
    plan: { ...plan, phases },
    applied: all.filter((s) => !keep.has(s.id)).map((s) => s.id),
    rerunForOutputs: [...forOutputs],
  };
}
