import type { ClusterProject } from './cluster';

/** One place two versions of a project differ, as a person reads it. */
export interface Difference {
  /** `metadata.name`, `host cp1: address`, `host worker3` (added or removed), `canvas layout`. */
  what: string;
  /** The value in the file on disk; absent when only "mine" has it. */
  theirs?: string;
  /** The value in this window; absent when only the file has it. */
  mine?: string;
}

const MAX_SHOWN = 60;

function show(value: unknown): string | undefined {
  if (value === undefined) return undefined;
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  return text.length > MAX_SHOWN ? `${text.slice(0, MAX_SHOWN - 1)}…` : text;
}

function same(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function walk(theirs: unknown, mine: unknown, what: string, out: Difference[]): void {
  if (same(theirs, mine)) return;
  if (isRecord(theirs) && isRecord(mine)) {
    for (const key of [...new Set([...Object.keys(theirs), ...Object.keys(mine)])])
      walk(theirs[key], mine[key], what ? `${what}.${key}` : key, out);
    return;
  }
  out.push({ what, theirs: show(theirs), mine: show(mine) });
}

/**
 * What differs between the file's version of a project and this window's, for the "changed
 * elsewhere" prompt: hosts by name (so a reordered list is not a change of every host), a
 * moved node as one "canvas layout" line, everything else by its field path. At most `limit`.
 */
export function projectDifferences(theirs: ClusterProject, mine: ClusterProject, limit = 40): Difference[] {
  const out: Difference[] = [];
  const { spec: theirSpec, canvas: theirCanvas, ...theirRest } = theirs;
  const { spec: mySpec, canvas: myCanvas, ...myRest } = mine;
  walk(theirRest, myRest, '', out);

  const { hosts: theirHosts, ...theirSpecRest } = theirSpec;
  const { hosts: myHosts, ...mySpecRest } = mySpec;
  const byName = (hosts: typeof theirHosts) => new Map(hosts.map((h) => [h.name, h]));
  const t = byName(theirHosts);
  const m = byName(myHosts);
  for (const name of [...new Set([...t.keys(), ...m.keys()])]) {
    const a = t.get(name);
    const b = m.get(name);
    if (!a || !b)
      out.push({
        what: `host ${name}`,
        theirs: a && (a.address || '(no address)'),
        mine: b && (b.address || '(no address)'),
      });
    else {
      const { name: _a, ...aRest } = a;
      const { name: _b, ...bRest } = b;
      walk(aRest, bRest, `host ${name}:`, out);
    }
  }
  walk(theirSpecRest, mySpecRest, 'spec', out);
  if (!same(theirCanvas, myCanvas))
    out.push({ what: 'canvas layout', theirs: 'as in the file', mine: 'moved here' });
  for (const d of out) d.what = d.what.replace(/^host (\S+):\./, 'host $1: ');
  return out.slice(0, limit);
}
