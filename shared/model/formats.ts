/**
 * The strict formats of the project file's string fields, as pure functions. Each returns why a
 * value is not of its format (a phrase that completes "… is not valid: ___"), or undefined when
 * it is. The schema (cluster.ts) applies `textProblem` to every string, so no value anywhere
 * carries a control character; the validator (shared/validation/formats.ts) applies the
 * field-specific formats and reports each failure with the field's path.
 *
 * Why formats, when every generator also escapes what it writes: a value that is not an
 * interface name, a URL or a label cannot become one by escaping, and kubeadm, kubelet or
 * apt would reject it later on a server, mid-deploy. Escapers are the second wall.
 */

/**
 * Characters no value may hold: C0 and C1 controls (newline, NUL, ESC…), DEL, Unicode line and
 * paragraph separators, bidirectional overrides and isolates (they make text read differently
 * from what it is) and the byte-order mark.
 */
const FORBIDDEN = /[\p{Cc}\u2028\u2029\u202A-\u202E\u2066-\u2069\uFEFF]/u;

function codePoint(ch: string): string {
  return `U+${ch.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`;
}

/**
 * A value as a one-line JSON string with every forbidden character escaped (JSON leaves DEL,
 * U+2028 and friends as they are): safe to put in a message, a path or a terminal.
 */
export function visible(value: string): string {
  return JSON.stringify(value).replace(
    new RegExp(FORBIDDEN.source, 'gu'),
    (ch) => `\\u${ch.codePointAt(0)!.toString(16).padStart(4, '0')}`,
  );
}

/** The generic rule for every string in a project: no control characters, no placeholders. */
export function textProblem(value: string): string | undefined {
  const bad = FORBIDDEN.exec(value);
  if (bad) return `it contains a control character (${codePoint(bad[0])}) at position ${bad.index + 1}`;
  // `{{secret:NAME}}` is the plan's placeholder syntax: the executor fills it with a secret at
  // run time, so a value holding one could copy a secret into a label or a ConfigMap.
  if (value.includes('{{') || value.includes('}}'))
    return 'it contains "{{" or "}}" (reserved for Keelson\'s secret placeholders)';
  return undefined;
}

const DNS_LABEL = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;

/** RFC 1123 subdomain, lowercase, as Kubernetes checks node names and certificate SANs. */
export function dnsSubdomainProblem(name: string): string | undefined {
  if (name.length === 0) return 'it is empty';
  if (name.length > 253) return 'it is longer than 253 characters';
  if (name !== name.toLowerCase()) return 'it has capital letters (use lowercase)';
  const bad = name.split('.').find((label) => !DNS_LABEL.test(label));
  if (bad !== undefined)
    return bad === ''
      ? 'it has an empty label (two dots in a row, or a dot at an end)'
      : `"${bad}" must be 1–63 letters, digits or -, starting and ending with a letter or digit`;
  return undefined;
}

/**
 * A Linux network interface name as the kernel accepts it (dev_valid_name): 1–15 bytes, not
 * "." or "..", no "/", ":" or whitespace. On top of the kernel's rule: printable ASCII, and no
 * `"` or `$` — keepalived reads `$NAME` as a variable even inside quotes and has no escape for
 * a quote, so such a name could not be written into keepalived.conf faithfully.
 */
export function interfaceNameProblem(name: string): string | undefined {
  if (name.length === 0) return 'it is empty';
  if (!/^[\x21-\x7e]+$/.test(name)) return 'it must be printable ASCII without spaces';
  if (name.length > 15) return 'it is longer than 15 characters (the kernel’s limit)';
  if (name === '.' || name === '..') return 'it cannot be "." or ".."';
  if (name === '{' || name === '}') return 'a lone brace cannot be written into keepalived.conf';
  const bad = /[/:"$]/.exec(name);
  if (bad) return `it contains "${bad[0]}"`;
  return undefined;
}

/** Kubernetes' qualified name: [prefix/]name, name ≤ 63 of [A-Za-z0-9_.-], alphanumeric at both ends. */
const QUALIFIED_NAME = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;

/** A label key or taint key, by Kubernetes' rules (IsQualifiedName). */
export function labelKeyProblem(key: string): string | undefined {
  if (key.length === 0) return 'the key is empty';
  const slash = key.lastIndexOf('/');
  const prefix = slash >= 0 ? key.slice(0, slash) : undefined;
  const name = slash >= 0 ? key.slice(slash + 1) : key;
  if (prefix !== undefined) {
    if (prefix.length === 0) return 'the prefix before "/" is empty';
    const problem = dnsSubdomainProblem(prefix);
    if (problem) return `the prefix "${prefix}" is not a DNS subdomain: ${problem}`;
  }
  if (name.length === 0) return 'the name after the prefix is empty';
  if (name.length > 63) return 'the name part is longer than 63 characters';
  if (!QUALIFIED_NAME.test(name))
    return 'the name part must be letters, digits, -, _ or ., starting and ending with a letter or digit';
  return undefined;
}

/** A label value (or taint value), by Kubernetes' rules (IsValidLabelValue): may be empty. */
export function labelValueProblem(value: string): string | undefined {
  if (value.length > 63) return 'the value is longer than 63 characters';
  if (value !== '' && !QUALIFIED_NAME.test(value))
    return 'the value must be empty or letters, digits, -, _ or ., starting and ending with a letter or digit';
  return undefined;
}

const HOST_PORT = /^(?<host>\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.-]+)(?::(?<port>\d{1,5}))?$/;

function hostProblem(host: string, port: string | undefined): string | undefined {
  if (port !== undefined && (Number(port) < 1 || Number(port) > 65535)) return `port ${port} is out of range`;
  if (host.startsWith('['))
    return URL.canParse(`http://${host}/`) ? undefined : `"${host}" is not an address`;
  if (/^[0-9.]+$/.test(host))
    return /^(25[0-5]|2[0-4]\d|1?\d?\d)(\.(25[0-5]|2[0-4]\d|1?\d?\d)){3}$/.test(host)
      ? undefined
      : `"${host}" is not an IPv4 address`;
  const problem = dnsSubdomainProblem(host.toLowerCase());
  return problem ? `the host "${host}" is not a DNS name: ${problem}` : undefined;
}

/**
 * An http(s) URL of a package mirror or registry mirror, in the form every consumer reads
 * alike: scheme, host (DNS name, IPv4 or [IPv6]), optional port and path — no user or password
 * (secrets never live in the project), no query, no fragment, and a path of plain characters
 * (letters, digits, - . _ ~ / and %XX): apt's one-line format, dnf's `$variables` and TOML all
 * read such a URL literally.
 */
export function mirrorUrlProblem(url: string): string | undefined {
  const match = /^(?<scheme>[A-Za-z][A-Za-z0-9+.-]*):\/\/(?<authority>[^/]*)(?<path>\/.*)?$/.exec(url);
  if (!match?.groups) return 'it is not a URL like http://mirror.example:8080/path';
  const {
    scheme,
    authority,
    path = '',
  } = match.groups as { scheme: string; authority: string; path?: string };
  if (scheme !== 'http' && scheme !== 'https') return `the scheme must be http or https, not "${scheme}"`;
  if (authority.includes('@'))
    return 'it must not hold a user or password (secrets are never stored in the project)';
  const hp = HOST_PORT.exec(authority);
  if (!hp?.groups) return `"${authority}" is not a host with an optional port`;
  const host = hostProblem(hp.groups.host!, hp.groups.port);
  if (host) return host;
  if (!/^(\/([A-Za-z0-9._~-]|%[0-9A-Fa-f]{2})*)*$/.test(path))
    return 'the path may hold only letters, digits, - . _ ~ / and %XX escapes (no spaces, quotes, $, ?, #)';
  if (!URL.canParse(url)) return 'it is not a URL';
  return undefined;
}

/**
 * An image repository prefix as kubeadm's imageRepository takes it (OCI distribution's
 * reference grammar, without tag or digest): `host[:port][/path]`, path components lowercase
 * alphanumerics joined by `.`, `_`, `__` or `-`.
 */
export function imageRepositoryProblem(repository: string): string | undefined {
  if (repository.length === 0) return 'it is empty';
  if (repository.length > 255) return 'it is longer than 255 characters';
  const [domain, ...path] = repository.split('/');
  const hp = HOST_PORT.exec(domain!);
  if (!hp?.groups) return `"${domain}" is not a registry host with an optional port`;
  const host = hostProblem(hp.groups.host!, hp.groups.port);
  if (host) return host;
  const component = /^[a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*$/;
  const bad = path.find((c) => !component.test(c));
  if (bad !== undefined)
    return bad === ''
      ? 'it has an empty path component (// or a trailing /)'
      : `the path component "${bad}" must be lowercase letters and digits joined by . _ __ or -`;
  return undefined;
}

/**
 * The SSH user name: what Linux and directory services (user@domain, first.last) use; no
 * spaces or shell characters, at most 64 characters.
 */
export function sshUserProblem(user: string): string | undefined {
  if (user.length === 0) return 'it is empty';
  if (user.length > 64) return 'it is longer than 64 characters';
  if (!/^[A-Za-z0-9_][A-Za-z0-9_.@-]*$/.test(user))
    return 'it must be letters, digits, _ . @ or -, starting with a letter, digit or _';
  return undefined;
}
