import type { Host } from '../../../shared/model/cluster';

/**
 * Labels and taints edited as text, one per line, in kubectl's own notation:
 * labels `key=value`, taints `key=value:Effect` or `key:Effect`.
 */

type Parsed<T> = { ok: true; value: T } | { ok: false; error: string };
type Taint = Host['taints'][number];
const EFFECTS = ['NoSchedule', 'PreferNoSchedule', 'NoExecute'] as const;

const lines = (text: string) =>
  text
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '');

export function labelsToText(labels: Record<string, string>): string {
  return Object.entries(labels)
    .map(([k, v]) => `${k}=${v}`)
    .join('\n');
}

export function parseLabels(text: string): Parsed<Record<string, string>> {
  const labels: Record<string, string> = {};
  for (const [i, line] of lines(text).entries()) {
    const eq = line.indexOf('=');
    const key = eq < 0 ? line : line.slice(0, eq).trim();
    if (eq < 0 || key === '') return { ok: false, error: `Line ${i + 1} "${line}": write key=value.` };
    if (key in labels) return { ok: false, error: `Line ${i + 1}: label "${key}" is given twice.` };
    labels[key] = line.slice(eq + 1).trim();
  }
  return { ok: true, value: labels };
}

export function taintsToText(taints: readonly Taint[]): string {
  return taints.map((t) => `${t.key}${t.value !== undefined ? `=${t.value}` : ''}:${t.effect}`).join('\n');
}

export function parseTaints(text: string): Parsed<Taint[]> {
  const taints: Taint[] = [];
  for (const [i, line] of lines(text).entries()) {
    const colon = line.lastIndexOf(':');
    const effect = line.slice(colon + 1).trim();
    if (colon < 0 || !(EFFECTS as readonly string[]).includes(effect))
      return {
        ok: false,
        error: `Line ${i + 1} "${line}": write key=value:Effect, Effect one of ${EFFECTS.join(', ')}.`,
      };
    const head = line.slice(0, colon);
    const eq = head.indexOf('=');
    const key = (eq < 0 ? head : head.slice(0, eq)).trim();
    if (key === '') return { ok: false, error: `Line ${i + 1} "${line}": the taint needs a key.` };
    const taint: Taint = { key, effect: effect as Taint['effect'] };
    if (eq >= 0) taint.value = head.slice(eq + 1).trim();
    taints.push(taint);
  }
  return { ok: true, value: taints };
}
