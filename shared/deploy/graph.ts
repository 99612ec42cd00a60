import type { PhaseId } from '../plan/types';

/** The part of a step the scheduling maths needs. */
export interface GraphStep {
  id: string;
  dependsOn: string[];
}

/**
 * Longest chain through the dependency graph, weighting each step by `weight(id)`: for measured
 * durations that is the critical path (no scheduler can beat it); for estimates it is the ETA of
 * a run that starts now. Steps must be in an order where dependencies come first (plan order).
 */
export function longestPath(
  steps: readonly GraphStep[],
  weight: (id: string) => number,
): { total: number; chain: string[] } {
  const best = new Map<string, { total: number; prev?: string }>();
  for (const s of steps) {
    let start = 0;
    let prev: string | undefined;
    for (const d of s.dependsOn) {
      const b = best.get(d);
      if (b && b.total > start) {
        start = b.total;
        prev = d;
      }
    }
    best.set(s.id, { total: start + weight(s.id), prev });
  }
  let end: string | undefined;
  let total = 0;
  for (const [id, b] of best) {
    if (b.total >= total) {
      total = b.total;
      end = id;
    }
  }
  const chain: string[] = [];
  for (let id = end; id !== undefined; id = best.get(id)?.prev) chain.unshift(id);
  return { total, chain };
}

/**
 * Per step: the longest chain from its start to the end of the run (its own weight included).
 * The scheduler starts the step with the most work behind it first.
 */
export function remainingPath(
  steps: readonly GraphStep[],
  weight: (id: string) => number,
): Map<string, number> {
  const dependents = new Map<string, string[]>();
  for (const s of steps) {
    for (const d of s.dependsOn) dependents.set(d, [...(dependents.get(d) ?? []), s.id]);
  }
  const out = new Map<string, number>();
  for (let i = steps.length - 1; i >= 0; i--) {
    const s = steps[i]!;
    let after = 0;
    for (const n of dependents.get(s.id) ?? []) after = Math.max(after, out.get(n) ?? 0);
    out.set(s.id, weight(s.id) + after);
  }
  return out;
}

/** Rough first guesses per phase, in ms, until a run of this cluster has measured real ones. */
export const PHASE_GUESS_MS: Record<PhaseId, number> = {
  preflight: 3_000,
  'os-prep': 8_000,
  'container-runtime': 60_000,
  'kubernetes-packages': 60_000,
  'external-etcd': 15_000,
  'load-balancer': 20_000,
  'control-plane-init': 40_000,
  cni: 60_000,
  'control-plane-join': 60_000,
  'worker-join': 45_000,
  'post-install': 5_000,
  verify: 20_000,
  'node-state': 2_000,
  'quorum-check': 5_000,
  drain: 60_000,
  'load-balancer-update': 5_000,
  'remove-node': 30_000,
};
