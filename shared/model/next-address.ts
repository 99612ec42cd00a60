import ipaddr from 'ipaddr.js';
import { broadcastOf, hostSubnet, networkOf, parseAddress, type Address } from '../validation/ip';
import { DEFAULT_HOST_PREFIX, type ClusterProject } from './cluster';

/** Addresses as numbers, so "the next one" and ranges are plain arithmetic for v4 and v6 alike. */
export function toBigInt(address: Address): bigint {
  return address.toByteArray().reduce((n, byte) => (n << 8n) | BigInt(byte), 0n);
}

export function fromBigInt(value: bigint, kind: 'ipv4' | 'ipv6'): Address {
  const bytes: number[] = [];
  let rest = value;
  for (let i = 0; i < (kind === 'ipv4' ? 4 : 16); i++) {
    bytes.unshift(Number(rest & 0xffn));
    rest >>= 8n;
  }
  return ipaddr.fromByteArray(bytes);
}

/** Every address a new host must not take: the hosts' and the API endpoint's VIP, normalized. */
export function takenAddresses(project: ClusterProject): Set<string> {
  const taken = new Set<string>();
  for (const text of [...project.spec.hosts.map((h) => h.address), project.spec.apiEndpoint.vip ?? '']) {
    const address = parseAddress(text);
    if (address) taken.add(address.toNormalizedString());
  }
  return taken;
}

/** Past this many addresses tried the subnet is treated as full, so a sparse /8 never stalls an edit. */
const MAX_TRIES = 65_536;

/**
 * The address a new host is offered: the first free one after the highest address in the
 * subnet the design already uses (the last host with an address, else the VIP), wrapping to the
 * subnet's start. Never a host's address, the VIP, or the subnet's network or broadcast address.
 * Undefined when nothing implies a subnet yet, or the subnet is full.
 */
export function nextFreeAddress(project: ClusterProject): string | undefined {
  const withAddress = project.spec.hosts.filter((h) => parseAddress(h.address));
  const last = withAddress[withAddress.length - 1];
  let subnet = last ? hostSubnet(project, last) : undefined;
  if (!subnet) {
    const vip = parseAddress(project.spec.apiEndpoint.vip ?? '');
    if (!vip) return undefined;
    const prefix = project.spec.networking?.hostPrefix ?? DEFAULT_HOST_PREFIX[vip.kind()];
    subnet = { address: networkOf(vip, prefix), prefix, text: '' };
  }
  const kind = subnet.address.kind();
  const first = toBigInt(subnet.address) + 1n;
  // IPv4 keeps its broadcast address off limits; an IPv6 subnet has none.
  const end = toBigInt(broadcastOf(subnet.address, subnet.prefix)) - (kind === 'ipv4' ? 1n : 0n);
  if (end < first) return undefined;
  const taken = takenAddresses(project);
  const inSubnet = [...taken]
    .map((text) => parseAddress(text)!)
    .filter((a) => a.kind() === kind && a.match(subnet.address, subnet.prefix))
    .map(toBigInt);
  const highest = inSubnet.reduce((max, n) => (n > max ? n : max), first - 1n);
  let candidate = highest + 1n;
  const size = end - first + 1n;
  const limit = size < BigInt(MAX_TRIES) ? Number(size) : MAX_TRIES;
  for (let tries = 0; tries < limit; tries++, candidate++) {
    if (candidate > end) candidate = first;
    const text = fromBigInt(candidate, kind);
    if (!taken.has(text.toNormalizedString())) return text.toString();
  }
  return undefined;
}
