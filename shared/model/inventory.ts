import { hostNameProblem } from '../validation/addresses';
import { parseAddress, type Address } from '../validation/ip';
import { HostRole, type ClusterProject } from './cluster';
import { fromBigInt, takenAddresses, toBigInt } from './next-address';

/**
 * A pasted inventory: one host per line as `name address [roles]`, or an address (or a range
 * `10.0.0.21-10.0.0.40`) with optional roles, named with the next free names of the role.
 * `#` starts a comment. Roles are comma-separated (`control-plane,etcd`); worker when omitted.
 */

export interface InventoryHost {
  name: string;
  address: string;
  roles: HostRole[];
  /** 1-based line of the paste it came from. */
  line: number;
}

export interface InventoryProblem {
  line: number;
  /** The line as pasted (trimmed, cut to 120 characters), so the message can quote it. */
  text: string;
  message: string;
}

export interface Inventory {
  hosts: InventoryHost[];
  problems: InventoryProblem[];
}

/** Name prefixes of generated host names, per role (the palette uses the same). */
export const ROLE_PREFIX: Readonly<Record<HostRole, string>> = {
  'control-plane': 'cp',
  worker: 'worker',
  etcd: 'etcd',
  lb: 'lb',
  bastion: 'bastion',
};

/** The role whose prefix names a host that has several (same order as the canvas). */
const NAMING_ORDER: readonly HostRole[] = ['control-plane', 'lb', 'etcd', 'bastion', 'worker'];

const ROLE_ALIASES: Readonly<Record<string, HostRole>> = { cp: 'control-plane', master: 'control-plane' };

/** One range is at most a /24's worth; a paste at most this many hosts, lines and characters. */
export const MAX_RANGE = 256;
export const MAX_HOSTS = 1_000;
const MAX_LINES = 5_000;
const MAX_CHARS = 500_000;

function uniqueName(prefix: string, taken: ReadonlySet<string>): string {
  for (let n = 1; ; n++) if (!taken.has(`${prefix}${n}`)) return `${prefix}${n}`;
}

function parseRoles(token: string | undefined): HostRole[] | string {
  if (token === undefined) return ['worker'];
  const roles: HostRole[] = [];
  for (const raw of token.toLowerCase().split(',')) {
    const role = ROLE_ALIASES[raw] ?? (HostRole.safeParse(raw).success ? (raw as HostRole) : undefined);
    if (!role) return `"${raw}" is not a role (use ${HostRole.options.join(', ')})`;
    if (!roles.includes(role)) roles.push(role);
  }
  return roles;
}

function addressProblem(text: string): string | Address {
  const address = parseAddress(text);
  if (!address) return `"${text}" is not an IPv4 or IPv6 address`;
  const range = address.range();
  if (['loopback', 'unspecified', 'multicast', 'broadcast'].includes(range))
    return `${text} is a ${range} address; other nodes cannot reach it`;
  return address;
}

/**
 * Whether a line starts with an address or range rather than a name: digits and dots (a bad
 * IPv4 address included, so it is reported as one), or anything with a colon (node names have none).
 */
function looksLikeAddress(token: string): boolean {
  return /^[\d.]+(-[\d.]+)?$/.test(token) || (token.includes(':') && /^[\da-f:.-]+$/i.test(token));
}

/** The addresses of `a-b`, or why there are none. */
function expandRange(token: string): Address[] | string {
  const parts = token.split('-');
  if (parts.length !== 2) return `"${token}" is not a range: write first-last, e.g. 10.0.0.21-10.0.0.40`;
  const [fromText, toText] = parts;
  const from = addressProblem(fromText!);
  if (typeof from === 'string') return `range start: ${from}`;
  const to = addressProblem(toText!);
  if (typeof to === 'string') return `range end: ${to}`;
  if (from.kind() !== to.kind()) return 'the range mixes IPv4 and IPv6';
  const [start, end] = [toBigInt(from), toBigInt(to)];
  if (end < start) return `the range runs backwards (${toText} is before ${fromText})`;
  if (end - start + 1n > BigInt(MAX_RANGE))
    return `the range holds ${end - start + 1n} addresses; at most ${MAX_RANGE} at once`;
  const addresses: Address[] = [];
  for (let n = start; n <= end; n++) addresses.push(fromBigInt(n, from.kind()));
  return addresses;
}

/**
 * Reads a pasted inventory against the design it is added to. Every line that cannot be added
 * becomes a problem naming the line and what is wrong; the hosts of the other lines are still
 * returned, named and checked against the design and each other (names and addresses unique).
 */
export function parseInventory(text: string, project: ClusterProject): Inventory {
  const problems: InventoryProblem[] = [];
  const hosts: InventoryHost[] = [];
  if (text.length > MAX_CHARS)
    return {
      hosts,
      problems: [
        { line: 1, text: '', message: `the paste is ${text.length} characters; at most ${MAX_CHARS}` },
      ],
    };
  const lines = text.split(/\r\n|\n|\r/);
  if (lines.length > MAX_LINES)
    return {
      hosts,
      problems: [{ line: 1, text: '', message: `the paste has ${lines.length} lines; at most ${MAX_LINES}` }],
    };
  const names = new Map<string, number>(project.spec.hosts.map((h) => [h.name, 0]));
  const addresses = new Map<string, number>([...takenAddresses(project)].map((a) => [a, 0]));
  const where = (line: number) => (line === 0 ? 'in the design' : `on line ${line}`);

  lines.forEach((raw, i) => {
    const line = i + 1;
    const content = raw.replace(/#.*/, '').trim();
    if (content === '') return;
    const quoted = content.length > 120 ? `${content.slice(0, 117)}…` : content;
    const fail = (message: string) => problems.push({ line, text: quoted, message });
    const tokens = content.split(/\s+/);
    const explicit = !looksLikeAddress(tokens[0]!);
    const first = explicit ? tokens[1] : tokens[0];
    const rolesToken = explicit ? tokens[2] : tokens[1];
    if (tokens.length > (explicit ? 3 : 2) || first === undefined)
      return fail('write "name address [role]" or "address[-address] [role]"');
    const roles = parseRoles(rolesToken);
    if (typeof roles === 'string') return fail(roles);

    let found: Address[];
    if (!explicit && first.includes('-')) {
      const range = expandRange(first);
      if (typeof range === 'string') return fail(range);
      found = range;
    } else {
      const address = addressProblem(first);
      if (typeof address === 'string') return fail(address);
      found = [address];
    }
    if (hosts.length + found.length > MAX_HOSTS)
      return fail(`this would add more than ${MAX_HOSTS} hosts at once; paste the rest separately`);

    const dup = found.find((a) => addresses.has(a.toNormalizedString()));
    if (dup)
      return fail(`${dup.toString()} is already used ${where(addresses.get(dup.toNormalizedString())!)}`);
    let hostNames: string[];
    if (explicit) {
      const name = tokens[0]!;
      const problem = hostNameProblem(name);
      if (problem) return fail(`host name "${name}" is not valid: ${problem}`);
      if (names.has(name)) return fail(`a host named "${name}" already exists ${where(names.get(name)!)}`);
      hostNames = [name];
    } else {
      const prefix = ROLE_PREFIX[NAMING_ORDER.find((r) => roles.includes(r)) ?? 'worker'];
      const taken = new Set(names.keys());
      hostNames = found.map(() => {
        const name = uniqueName(prefix, taken);
        taken.add(name);
        return name;
      });
    }
    found.forEach((address, k) => {
      const name = hostNames[k]!;
      names.set(name, line);
      addresses.set(address.toNormalizedString(), line);
      hosts.push({ name, address: address.toString(), roles: [...roles], line });
    });
  });
  return { hosts, problems };
}
