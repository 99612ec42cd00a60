/**
 * Fills `{{secret:NAME}}` and `{{value:NAME}}` in a step's script, check and files at run time
 * (shared/plan/types.ts). A placeholder without a value is an error that lists every missing
 * name — a step never runs with a hole in it.
 */
const PLACEHOLDER = /\{\{(secret|value):([A-Za-z0-9._-]+)\}\}/g;

export interface PlaceholderValues {
  secret(name: string): string | undefined;
  value(name: string): string | undefined;
}

export class MissingPlaceholders extends Error {
  constructor(readonly missing: { kind: 'secret' | 'value'; name: string }[]) {
    super(
      `no value yet for ${missing.map((m) => `${m.kind} "${m.name}"`).join(', ')}` +
        ' (a secret to enter before the run, or an output of a step that has not run)',
    );
  }
}

/** Every placeholder in the texts, by kind. */
export function placeholdersIn(texts: readonly string[]): { secrets: Set<string>; values: Set<string> } {
  const secrets = new Set<string>();
  const values = new Set<string>();
  for (const t of texts) {
    for (const m of t.matchAll(PLACEHOLDER)) (m[1] === 'secret' ? secrets : values).add(m[2]!);
  }
  return { secrets, values };
}

/** The texts with every placeholder filled, in order; throws MissingPlaceholders otherwise. */
export function fillAll(texts: readonly string[], values: PlaceholderValues): string[] {
  const missing = new Map<string, { kind: 'secret' | 'value'; name: string }>();
  const filled = texts.map((t) =>
    t.replace(PLACEHOLDER, (whole, kind: 'secret' | 'value', name: string) => {
      const v = kind === 'secret' ? values.secret(name) : values.value(name);
      if (v === undefined) {
        missing.set(`${kind}:${name}`, { kind, name });
        return whole;
      }
      return v;
    }),
  );
  if (missing.size) throw new MissingPlaceholders([...missing.values()]);
  return filled;
}
