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

/**
 * The steps of a phase as the tree lists them. A parallel phase gathers each kind of step from
 * all hosts into one node (they run side by side). A serial phase runs its steps one after
 * another, so only neighbours of the same kind share a node and the tree reads in the order
 * they run: upload-certs cp2, join cp2, upload-certs cp3, join cp3 — not both joins together.
 */
export function groupPhaseSteps(phase: PlanPhase): StepGroup[] {
  if (!phase.parallel) {
    const runs: StepGroup[] = [];
    const seen = new Map<string, number>();
    for (const step of phase.steps) {
      const kind = stepKind(step);
      const last = runs[runs.length - 1];
      if (last?.label === kind) {
        last.steps.push(step);
        continue;
      }
      const n = (seen.get(kind) ?? 0) + 1;
      seen.set(kind, n);
      runs.push({ key: `${phase.id}/${kind}${n > 1 ? `#${n}` : ''}`, label: kind, steps: [step] });
    }
    return runs;
  }
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
