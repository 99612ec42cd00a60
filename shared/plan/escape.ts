import { textProblem } from '../model/formats';
import { PlanError } from './errors';

/**
 * One escaper per format the plan writes user values into, besides bash (shell.ts's `shq`) and
 * YAML (the `yaml` package's stringify). Each returns the value as a literal its format's own
 * parser reads back unchanged, or throws a PlanError naming the field when the format cannot hold
 * the value at all. Validation refuses such values long before (shared/model/formats.ts): these
 * are the second wall, so a rule missed there can never turn into a config directive here.
 *
 * `field` is the project path the value came from, for the error.
 */

function refuse(field: string, format: string, why: string): never {
  throw new PlanError(`cannot be written into ${format}: ${why}`, field);
}

/** Common to every config format: no control characters or placeholders (newlines above all). */
function plain(value: string, field: string, format: string): void {
  const problem = textProblem(value);
  if (problem) refuse(field, format, problem);
  if (value.length === 0) refuse(field, format, 'it is empty');
}

/** A TOML basic string ("…"), escaped as TOML 1.0 says: \\ \" and \uXXXX for controls. */
export function tomlString(value: string): string {
  // eslint-disable-next-line no-control-regex -- escaping control characters is the point
  const escaped = value.replace(/[\\"\u0000-\u001f\u007f]/g, (c) => {
    if (c === '\\') return '\\\\';
    if (c === '"') return '\\"';
    return `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`;
  });
  return `"${escaped}"`;
}

/**
 * A keepalived.conf word. keepalived splits on whitespace and reads `#`/`!` as comments and
 * `{`/`}` as blocks outside double quotes; it has no escape for `"` and expands `$NAME` even inside
 * quotes (checked with keepalived -t), so those two cannot be written at all.
 */
export function keepalivedWord(value: string, field: string): string {
  plain(value, field, 'keepalived.conf');
  if (/["$]/.test(value)) refuse(field, 'keepalived.conf', 'keepalived has no way to write " or $ literally');
  // keepalived takes a lone brace as a block delimiter even when quoted (seen with keepalived -t).
  if (value === '{' || value === '}') refuse(field, 'keepalived.conf', 'a lone brace is a block delimiter');
  return /^[A-Za-z0-9_.:/@+-]+$/.test(value) ? value : `"${value}"`;
}

/**
 * An haproxy.cfg word. Single quotes make haproxy read everything literally (no `$VAR`, no
 * backslash escapes); a value holding a single quote cannot be written that way and is refused.
 */
export function haproxyWord(value: string, field: string): string {
  plain(value, field, 'haproxy.cfg');
  if (/^[A-Za-z0-9_.:/@+[\]-]+$/.test(value)) return value;
  if (value.includes("'")) refuse(field, 'haproxy.cfg', "it contains '");
  return `'${value}'`;
}

/** A comment line's text in configs where `#` starts a comment (haproxy, nginx, keepalived, ini). */
export function commentText(value: string, field: string): string {
  plain(value, field, 'a config comment');
  return value;
}

/**
 * An nginx.conf word. nginx expands `$variables` in many directives even inside quotes, and
 * `;`, `{`, `}`, quotes and spaces end or open a token: only plain words are written.
 */
export function nginxWord(value: string, field: string): string {
  plain(value, field, 'nginx.conf');
  if (!/^[A-Za-z0-9_.:/@+[\]-]+$/.test(value))
    refuse(field, 'nginx.conf', 'only letters, digits and _ . : / @ + [ ] - can be written as an nginx word');
  return value;
}

/**
 * A URI in apt's one-line sources format: fields are split on whitespace, `[` opens options and
 * `#` starts a comment, and apt has no quoting — so the URI must be one plain token.
 */
export function aptUri(value: string, field: string): string {
  plain(value, field, 'an apt sources line');
  if (!/^[A-Za-z0-9._~:/?&=%+@!,;*()[\]-]+$/.test(value) || value.startsWith('['))
    refuse(field, 'an apt sources line', 'an apt URI cannot hold spaces, quotes, # or $');
  if (value.includes('#')) refuse(field, 'an apt sources line', 'apt reads # as the start of a comment');
  return value;
}

/**
 * A URL in a dnf/yum .repo file (ini): one line, no `$` — dnf expands `$releasever`-style
 * variables in every value and has no escape for a literal dollar — and no whitespace or comma,
 * which split baseurl and gpgkey into several URLs (seen with dnf's own reader).
 */
export function dnfUrl(value: string, field: string): string {
  plain(value, field, 'a dnf .repo file');
  if (value.includes('$')) refuse(field, 'a dnf .repo file', 'dnf expands $ as a variable');
  if (/[\s,]/.test(value)) refuse(field, 'a dnf .repo file', 'dnf splits URLs on spaces and commas');
  return value;
}

/** One field of an /etc/hosts line: whitespace separates fields and `#` starts a comment. */
export function hostsFileField(value: string, field: string): string {
  plain(value, field, '/etc/hosts');
  if (/[\s#]/.test(value)) refuse(field, '/etc/hosts', 'it contains a space or #');
  return value;
}

/**
 * A value in an OpenSSL config file (extensions): `$` and `${}` are variables, `#` a comment,
 * `,` separates subjectAltName entries and `\` escapes.
 */
export function opensslValue(value: string, field: string): string {
  plain(value, field, 'an OpenSSL config');
  if (!/^[A-Za-z0-9_.:-]+$/.test(value))
    refuse(field, 'an OpenSSL config', 'only letters, digits and _ . : - can be written there');
  return value;
}

/**
 * A word in a systemd unit (ExecStart arguments, Description): `%` starts a specifier and `$` a
 * variable, spaces split arguments, `\` escapes and `;` separates commands — plain words only.
 */
export function systemdWord(value: string, field: string): string {
  plain(value, field, 'a systemd unit');
  if (!/^[A-Za-z0-9_.:/=,@+[\]-]+$/.test(value))
    refuse(field, 'a systemd unit', 'only letters, digits and _ . : / = , @ + [ ] - can be written there');
  return value;
}

/** A JSON string literal (also valid inside YAML and TOML basic strings' character rules). */
export function jsonString(value: string): string {
  return JSON.stringify(value);
}
