/**
 * Undo history of whole-project snapshots. Projects are immutable, so a snapshot is just a
 * reference. Edits carrying the same coalesce key within COALESCE_MS (typing in one field)
 * become one undo step; a drag is committed once, on drop, so it is one step by itself.
 */
export const COALESCE_MS = 1200;
const LIMIT = 200;

export interface History<T> {
  past: T[];
  present: T;
  future: T[];
  lastKey?: string;
  lastAt: number;
}

export function startHistory<T>(present: T): History<T> {
  return { past: [], present, future: [], lastAt: 0 };
}

export function record<T>(h: History<T>, next: T, key?: string, now = Date.now()): History<T> {
  if (next === h.present) return h;
  const coalesce = key !== undefined && key === h.lastKey && now - h.lastAt < COALESCE_MS;
  const past = coalesce ? h.past : [...h.past, h.present].slice(-LIMIT);
  return { past, present: next, future: [], lastKey: key, lastAt: now };
}

export function undo<T>(h: History<T>): History<T> {
  const previous = h.past[h.past.length - 1];
  if (previous === undefined) return h;
  return { past: h.past.slice(0, -1), present: previous, future: [h.present, ...h.future], lastAt: 0 };
}

export function redo<T>(h: History<T>): History<T> {
  const [next, ...future] = h.future;
  if (next === undefined) return h;
  return { past: [...h.past, h.present], present: next, future, lastAt: 0 };
}

/**
 * The same history with a new present and every other snapshot passed through `change`: for a
 * change made outside the design (a rename), so that undo never brings the old value back.
 */
export function rewrite<T>(h: History<T>, present: T, change: (snapshot: T) => T): History<T> {
  return { ...h, past: h.past.map(change), present, future: h.future.map(change) };
}
