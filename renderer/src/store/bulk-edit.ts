import type { ClusterProject, Host } from '../../../shared/model/cluster';
import { sshUserProblem, textProblem } from '../../../shared/model/formats';

/**
 * Edits of several hosts at once (the Properties panel with a multi-selection). A field shows
 * the value every selected host shares, or MIXED; labels and taints are edited as the set all
 * hosts share, so what only some of them carry is never touched.
 */

export const MIXED = Symbol('mixed');
export type Common<T> = T | typeof MIXED;

export function common<T>(values: readonly T[]): Common<T> {
  const [first, ...rest] = values;
  return values.length > 0 && rest.every((v) => v === first) ? first! : MIXED;
}

type Taint = Host['taints'][number];
const taintId = (t: Taint) => `${t.key}:${t.effect}`;

/** Labels with the same value on every host. */
export function sharedLabels(hosts: readonly Host[]): Record<string, string> {
  const [first, ...rest] = hosts;
  if (!first) return {};
  return Object.fromEntries(
    Object.entries(first.labels).filter(([k, v]) => rest.every((h) => h.labels[k] === v)),
  );
}

/** Label keys only some hosts have, or that differ in value: left alone by a shared edit. */
export function mixedLabelKeys(hosts: readonly Host[]): string[] {
  const shared = sharedLabels(hosts);
  return [...new Set(hosts.flatMap((h) => Object.keys(h.labels)))].filter((k) => !(k in shared)).sort();
}

/** Taints (key, value and effect alike) every host has. */
export function sharedTaints(hosts: readonly Host[]): Taint[] {
  const [first, ...rest] = hosts;
  if (!first) return [];
  return first.taints.filter((t) =>
    rest.every((h) => h.taints.some((o) => taintId(o) === taintId(t) && o.value === t.value)),
  );
}

export function mixedTaints(hosts: readonly Host[]): string[] {
  const shared = new Set(sharedTaints(hosts).map(taintId));
  return [...new Set(hosts.flatMap((h) => h.taints.map(taintId)))].filter((id) => !shared.has(id)).sort();
}

/** A host's labels after the shared set went from `before` to `after`: removed keys go, the rest are set. */
export function editLabels(
  labels: Record<string, string>,
  before: Record<string, string>,
  after: Record<string, string>,
): Record<string, string> {
  const next = { ...labels };
  for (const key of Object.keys(before)) if (!(key in after)) delete next[key];
  return { ...next, ...after };
}

export function editTaints(
  taints: readonly Taint[],
  before: readonly Taint[],
  after: readonly Taint[],
): Taint[] {
  const gone = new Set([...before, ...after].map(taintId));
  return [...taints.filter((t) => !gone.has(taintId(t))), ...after.map((t) => ({ ...t }))];
}

export function updateHosts(
  project: ClusterProject,
  names: readonly string[],
  change: (host: Host) => Host,
): ClusterProject {
  const wanted = new Set(names);
  return {
    ...project,
    spec: { ...project.spec, hosts: project.spec.hosts.map((h) => (wanted.has(h.name) ? change(h) : h)) },
  };
}

type Parsed<T> = { ok: true; value: T } | { ok: false; error: string };

export function parsePort(text: string): Parsed<number> {
  const n = Number(text.trim());
  return text.trim() !== '' && Number.isInteger(n) && n >= 1 && n <= 65535
    ? { ok: true, value: n }
    : { ok: false, error: `SSH port "${text.trim()}" must be a whole number from 1 to 65535.` };
}

export function parseUser(text: string): Parsed<string> {
  const user = text.trim();
  const problem = sshUserProblem(user);
  return problem
    ? { ok: false, error: `SSH user "${user}" is not valid: ${problem}.` }
    : { ok: true, value: user };
}

export function parseKeyFile(text: string): Parsed<string> {
  const path = text.trim();
  const problem =
    path === ''
      ? 'it is empty'
      : path.length > 4096
        ? 'it is longer than 4096 characters'
        : textProblem(path);
  return problem
    ? { ok: false, error: `Key file path is not valid: ${problem}.` }
    : { ok: true, value: path };
}
