import type { Plan, PlanPhase, PlanStep } from '../../../shared/plan/types';

/** One row group of the tree: a kind of step (e.g. "haproxy") with the hosts it runs on. */
export interface StepGroup {
  key: string;
  label: string;
  steps: PlanStep[];
}

/**
 * Step ids look like `phase/what/host`; the part between phase and host names what the step
 * does, so steps doing the same thing on several hosts are shown as one node with a host each.
 */
export function stepKind(step: PlanStep): string {
  let rest = step.id;
  if (rest.startsWith(`${step.phase}/`)) rest = rest.slice(step.phase.length + 1);
  if (rest.endsWith(`/${step.host}`)) rest = rest.slice(0, -(step.host.length + 1));
  else if (rest === step.host) rest = '';
  return rest || step.phase;
}

export function groupPhaseSteps(phase: PlanPhase): StepGroup[] {
  const groups = new Map<string, StepGroup>();
  for (const step of phase.steps) {
    const kind = stepKind(step);
    const group = groups.get(kind) ?? { key: `${phase.id}/${kind}`, label: kind, steps: [] };
    group.steps.push(step);
    groups.set(kind, group);
  }
  return [...groups.values()];
}

export interface HostGroup {
  host: string;
  phases: { phase: PlanPhase; steps: PlanStep[] }[];
}

/** The same plan seen from each host: what runs there, phase by phase, in plan order. */
export function groupByHost(plan: Plan): HostGroup[] {
  const hosts = new Map<string, HostGroup>();
  for (const phase of plan.phases) {
    for (const step of phase.steps) {
      const group = hosts.get(step.host) ?? { host: step.host, phases: [] };
      let entry = group.phases.find((p) => p.phase.id === phase.id);
      if (!entry) {
        entry = { phase, steps: [] };
        group.phases.push(entry);
      }
      entry.steps.push(step);
      hosts.set(step.host, group);
    }
  }
  return [...hosts.values()];
}

export function findStep(plan: Plan, id: string | undefined): PlanStep | undefined {
  if (!id) return undefined;
  for (const phase of plan.phases) for (const step of phase.steps) if (step.id === id) return step;
  return undefined;
}
