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

/**
 * True (exit 0) when the file on the host holds exactly `content`: a check that notices a changed
 * config (a control plane added or removed), where "the service runs" alone would not.
 */
export function sameContent(path: string, content: string): string {
  return `printf '%s' ${shq(content)} | cmp -s - ${shq(path)}`;
}

/**
 * Applies a config the executor just wrote: a running service reloads it (haproxy and nginx hand
 * open connections to the old workers, keepalived re-reads on SIGHUP) and only a stopped one is
 * (re)started.
 */
export function reloadOrStart(service: string): string[] {
  return [
    `if systemctl is-active --quiet ${service}; then`,
    `  systemctl reload ${service}`,
    'else',
    `  systemctl enable ${service}`,
    `  systemctl restart ${service}`,
    'fi',
    `systemctl is-active --quiet ${service} || fail ${shq(`${service} is not running`)}`,
  ];
}
