import ipaddr from 'ipaddr.js';
import { DEFAULT_HOST_PREFIX, type ClusterProject, type Host } from '../model/cluster';

/** All address math goes through ipaddr.js; these only add the strictness a project file needs. */
export type Address = ipaddr.IPv4 | ipaddr.IPv6;

export interface Cidr {
  address: Address;
  prefix: number;
  /** Canonical text, e.g. `10.77.0.0/24`. */
  text: string;
}

/**
 * An IPv4 address in dotted-quad form only (ipaddr.js also accepts `10.1` or hex forms, which
 * no one means in a cluster file), or any valid IPv6 address.
 */
export function parseAddress(text: string): Address | undefined {
  if (typeof text !== 'string') return undefined;
  if (ipaddr.IPv4.isValidFourPartDecimal(text)) return ipaddr.IPv4.parse(text);
  // A zone id (fe80::1%eth0) only means something on one machine, never in a cluster file.
  if (ipaddr.IPv6.isValid(text) && !text.includes('%')) return ipaddr.IPv6.parse(text);
  return undefined;
}

export function parseCidr(text: string): Cidr | undefined {
  if (typeof text !== 'string') return undefined;
  let parsed: [Address, number];
  if (ipaddr.IPv4.isValidCIDRFourPartDecimal(text)) parsed = ipaddr.IPv4.parseCIDR(text);
  else if (ipaddr.IPv6.isValidCIDR(text)) parsed = ipaddr.IPv6.parseCIDR(text);
  else return undefined;
  return { address: parsed[0], prefix: parsed[1], text: `${networkOf(parsed[0], parsed[1])}/${parsed[1]}` };
}

export function maxPrefix(address: Address): number {
  return address.kind() === 'ipv4' ? 32 : 128;
}

export function networkOf(address: Address, prefix: number): Address {
  const cidr = `${address.toString()}/${prefix}`;
  return address.kind() === 'ipv4'
    ? ipaddr.IPv4.networkAddressFromCIDR(cidr)
    : ipaddr.IPv6.networkAddressFromCIDR(cidr);
}

export function broadcastOf(address: Address, prefix: number): Address {
  const cidr = `${address.toString()}/${prefix}`;
  return address.kind() === 'ipv4'
    ? ipaddr.IPv4.broadcastAddressFromCIDR(cidr)
    : ipaddr.IPv6.broadcastAddressFromCIDR(cidr);
}

export function sameAddress(a: Address, b: Address): boolean {
  return a.kind() === b.kind() && a.toNormalizedString() === b.toNormalizedString();
}

export function contains(range: Cidr, address: Address): boolean {
  return range.address.kind() === address.kind() && address.match(range.address, range.prefix);
}

export function overlaps(a: Cidr, b: Cidr): boolean {
  return contains(a, b.address) || contains(b, a.address);
}

/** True when `text` has bits set past its prefix, e.g. `10.244.1.0/16`. */
export function hasHostBits(text: string): boolean {
  const cidr = parseCidr(text);
  if (!cidr) return false;
  return !sameAddress(cidr.address, networkOf(cidr.address, cidr.prefix));
}

/** A host's own subnet: its address with its prefix length (host, then project, then default). */
export function hostSubnet(project: ClusterProject, host: Host): Cidr | undefined {
  const address = parseAddress(host.address);
  if (!address) return undefined;
  const prefix =
    host.prefixLength ?? project.spec.networking?.hostPrefix ?? DEFAULT_HOST_PREFIX[address.kind()];
  if (!Number.isInteger(prefix) || prefix < 0 || prefix > maxPrefix(address)) return undefined;
  const network = networkOf(address, prefix);
  return { address: network, prefix, text: `${network.toString()}/${prefix}` };
}

/** The first address after the network's (10.96.0.0/12 → 10.96.0.1): the kubernetes Service's. */
export function firstAddressOf(cidrText: string): string | undefined {
  const cidr = parseCidr(cidrText);
  if (!cidr) return undefined;
  const bytes = networkOf(cidr.address, cidr.prefix).toByteArray();
  for (let i = bytes.length - 1; i >= 0; i--) {
    bytes[i] = (bytes[i]! + 1) & 0xff;
    if (bytes[i] !== 0) break;
  }
  return ipaddr.fromByteArray(bytes).toString();
}
