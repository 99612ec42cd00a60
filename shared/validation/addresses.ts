import type { ClusterProject } from '../model/cluster';
import { defineCodes, fieldTarget, hostTarget, listNames } from './define';
import type { Finding } from './finding';
import { broadcastOf, maxPrefix, networkOf, parseAddress, sameAddress } from './ip';

const { codes, finding } = defineCodes({
  HOST_NAME_INVALID: {
    severity: 'error',
    summary: 'Host name is not a valid RFC 1123 name (lowercase letters, digits, -, dots between labels)',
  },
  HOST_NAME_DUPLICATE: { severity: 'error', summary: 'Two hosts share a name' },
  HOST_ADDRESS_INVALID: { severity: 'error', summary: 'Host address is not an IPv4 or IPv6 address' },
  HOST_ADDRESS_DUPLICATE: { severity: 'error', summary: 'Two hosts share an address' },
  HOST_ADDRESS_UNUSABLE: {
    severity: 'error',
    summary: 'Host address is loopback, unspecified, multicast or broadcast',
  },
  HOST_ADDRESS_NOT_HOST: {
    severity: 'error',
    summary: "Host address is its subnet's network or broadcast address",
  },
  HOST_PREFIX_INVALID: {
    severity: 'error',
    summary: 'Subnet prefix length is too long for the address family',
  },
});
export const addressCodes = codes;

const LABEL = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;

/** Why `name` is not a valid node name (RFC 1123 subdomain), or undefined when it is. */
export function hostNameProblem(name: string): string | undefined {
  if (typeof name !== 'string' || name.length === 0) return 'it is empty';
  if (name.length > 253) return 'it is longer than 253 characters';
  if (name !== name.toLowerCase()) return 'it has capital letters (Kubernetes node names are lowercase)';
  const bad = name.split('.').find((label) => !LABEL.test(label));
  if (bad !== undefined)
    return bad === ''
      ? 'it has an empty label (two dots in a row, or a dot at an end)'
      : `"${bad}" must be 1–63 letters, digits or -, starting and ending with a letter or digit`;
  return undefined;
}

function duplicates(values: readonly string[]): Map<string, number> {
  const seen = new Map<string, number>();
  for (const v of values) seen.set(v, (seen.get(v) ?? 0) + 1);
  return new Map([...seen].filter(([, n]) => n > 1));
}

export function checkAddresses(project: ClusterProject): Finding[] {
  const findings: Finding[] = [];
  const hosts = project.spec.hosts;
  const projectPrefix = project.spec.networking?.hostPrefix;

  hosts.forEach((host, i) => {
    const problem = hostNameProblem(host.name);
    if (problem)
      findings.push(
        finding(
          'HOST_NAME_INVALID',
          hostTarget(host.name),
          `Host name "${host.name}" is not valid: ${problem}.`,
          'Use a lowercase name like cp1 or worker-2.',
        ),
      );
    const address = parseAddress(host.address);
    if (!address) {
      findings.push(
        finding(
          'HOST_ADDRESS_INVALID',
          hostTarget(host.name),
          host.address.trim() === ''
            ? `Host ${host.name} has no address yet.`
            : `Host ${host.name}: "${host.address}" is not an IP address.`,
          'Enter the IPv4 (e.g. 10.77.0.11) or IPv6 address the node uses in the cluster network.',
        ),
      );
      return;
    }
    const range = address.range();
    if (['loopback', 'unspecified', 'multicast', 'broadcast'].includes(range)) {
      findings.push(
        finding(
          'HOST_ADDRESS_UNUSABLE',
          hostTarget(host.name),
          `Host ${host.name}: ${host.address} is a ${range} address; other nodes cannot reach it.`,
          'Use the address of the network interface the node shares with the others.',
        ),
      );
      return;
    }
    const prefix = host.prefixLength ?? projectPrefix;
    if (prefix !== undefined && prefix > maxPrefix(address)) {
      const path =
        host.prefixLength !== undefined ? `spec.hosts[${i}].prefixLength` : 'spec.networking.hostPrefix';
      findings.push(
        finding(
          'HOST_PREFIX_INVALID',
          host.prefixLength !== undefined ? hostTarget(host.name) : fieldTarget(path),
          `Host ${host.name}: prefix length /${prefix} is longer than an ${address.kind()} address (/${maxPrefix(address)}).`,
          address.kind() === 'ipv4' ? 'Use the subnet prefix, e.g. 24.' : 'Use the subnet prefix, e.g. 64.',
        ),
      );
      return;
    }
    if (prefix !== undefined && address.kind() === 'ipv4' && prefix <= 30) {
      const isNetwork = sameAddress(address, networkOf(address, prefix));
      const isBroadcast = sameAddress(address, broadcastOf(address, prefix));
      if (isNetwork || isBroadcast)
        findings.push(
          finding(
            'HOST_ADDRESS_NOT_HOST',
            hostTarget(host.name),
            `Host ${host.name}: ${host.address} is the ${isNetwork ? 'network' : 'broadcast'} address of its /${prefix} subnet.`,
            'Check the address and the prefix length.',
          ),
        );
    }
  });

  for (const [name, n] of duplicates(hosts.map((h) => h.name))) {
    findings.push(
      finding(
        'HOST_NAME_DUPLICATE',
        hostTarget(name),
        `${n} hosts are named "${name}"; node names must be unique.`,
        'Rename all but one.',
      ),
    );
  }
  const normalized = hosts.map((h) => parseAddress(h.address)?.toNormalizedString() ?? '');
  for (const [address, _n] of duplicates(normalized.filter((a) => a !== ''))) {
    const names = hosts.filter((_h, i) => normalized[i] === address).map((h) => h.name);
    findings.push(
      finding(
        'HOST_ADDRESS_DUPLICATE',
        hostTarget(names[0]!),
        `${listNames(names)} share the address ${hosts[normalized.indexOf(address)]!.address}.`,
        'Each host needs its own address.',
        names,
      ),
    );
  }
  return findings;
}
