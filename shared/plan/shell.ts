import { OUTPUT_DIR } from './types';

/**
 * Quotes one value for bash. Every value that comes from the project (names, addresses, paths,
 * versions) goes through here, so a hostname or label can never inject a command.
 */
export function shq(value: string | number): string {
  return `'${String(value).replace(/'/g, `'\\''`)}'`;
}

/** A step script: strict mode first, then the body. */
export function bashScript(...lines: (string | string[] | false | undefined)[]): string {
  const body = lines.flat().filter((l): l is string => typeof l === 'string');
  return ['set -euo pipefail', ...body].join('\n') + '\n';
}

/** Lines that hand a run-time value to the executor without printing it (see PlanStep.outputs). */
export function writeOutput(name: string, valueExpression: string): string[] {
  return [
    `install -d -m 0700 ${shq(OUTPUT_DIR)}`,
    `( umask 077; printf '%s' ${valueExpression} > ${shq(`${OUTPUT_DIR}/${name}`)} )`,
  ];
}

/** `fail MESSAGE`: stop the step with a message that says what went wrong. */
export const FAIL_FUNCTION = `fail() { echo "keelson: $*" >&2; exit 1; }`;
