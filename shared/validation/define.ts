import type { Finding, FindingTarget, Severity } from './finding';

/** One documented finding code: how serious it is and what it means, in a line. */
export interface CodeInfo {
  severity: Severity;
  summary: string;
}

/**
 * A topic's codes and the one way to raise them: the severity comes from the table, so a
 * code can never be reported at two different severities.
 */
export function defineCodes<C extends string>(codes: Record<C, CodeInfo>) {
  return {
    codes,
    finding(
      code: C,
      target: FindingTarget,
      message: string,
      fix?: string,
      hosts?: readonly string[],
    ): Finding {
      return {
        code,
        severity: codes[code].severity,
        message,
        target,
        ...(fix ? { fix } : {}),
        ...(hosts?.length ? { hosts: [...hosts] } : {}),
      };
    },
  };
}

export const hostTarget = (name: string): FindingTarget => ({ kind: 'host', name });
export const fieldTarget = (path: string): FindingTarget => ({ kind: 'field', path });

/** "1 host" / "2 hosts". */
export function count(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}

/** `a, b and c`. */
export function listNames(names: readonly string[]): string {
  if (names.length <= 1) return names.join('');
  return `${names.slice(0, -1).join(', ')} and ${names[names.length - 1]}`;
}
