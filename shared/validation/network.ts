import type { ClusterProject } from '../model/cluster';
import { defineCodes, fieldTarget, hostTarget, listNames } from './define';
import type { Finding } from './finding';
import { contains, hasHostBits, hostSubnet, overlaps, parseAddress, parseCidr, type Cidr } from './ip';

const { codes, finding } = defineCodes({
  POD_CIDR_INVALID: { severity: 'error', summary: 'The pod CIDR is not a network in CIDR form' },
  SERVICE_CIDR_INVALID: { severity: 'error', summary: 'The service CIDR is not a network in CIDR form' },
  POD_SERVICE_OVERLAP: { severity: 'error', summary: 'Pod and service CIDRs overlap' },
  POD_HOST_OVERLAP: { severity: 'error', summary: 'The pod CIDR overlaps the hosts’ network' },
  SERVICE_HOST_OVERLAP: { severity: 'error', summary: 'The service CIDR overlaps the hosts’ network' },
  VIP_IN_CLUSTER_NETWORK: {
    severity: 'error',
    summary: 'The endpoint address lies inside the pod or service CIDR',
  },
  SERVICE_CIDR_TOO_LARGE: {
    severity: 'error',
    summary: 'Service CIDR larger than the API server accepts (/12 for IPv4, /108 for IPv6)',
  },
  POD_CIDR_NODE_ROOM: {
    severity: 'error',
    summary: 'The pod CIDR leaves no room for a per-node block for every node',
  },
  FLANNEL_POD_CIDR_CUSTOM: {
    severity: 'info',
    summary: 'flannel with a pod CIDR other than its manifest default 10.244.0.0/16',
  },
  IP_FAMILY_MISMATCH: {
    severity: 'error',
    summary: 'Nodes, pod and service CIDRs are not all IPv4 or all IPv6 (single stack)',
  },
  DNS_DOMAIN_INVALID: { severity: 'error', summary: 'The cluster DNS domain is not a valid DNS name' },
  PROXY_IPVS_DEPRECATED: {
    severity: 'warning',
    summary: 'kube-proxy ipvs mode is deprecated from Kubernetes 1.35',
  },
});
export const networkCodes = codes;

const POD = fieldTarget('spec.networking.podCidr');
const SERVICE = fieldTarget('spec.networking.serviceCidr');
/** kube-controller-manager's default --node-cidr-mask-size: one block per node. */
const NODE_BLOCK = { ipv4: 24, ipv6: 64 } as const;
/** Calico IPAM hands out /26 blocks; a pool smaller than one block cannot work. */
const CALICO_BLOCK = { ipv4: 26, ipv6: 122 } as const;

function cidr(text: string, code: 'POD_CIDR_INVALID' | 'SERVICE_CIDR_INVALID', findings: Finding[]) {
  const target = code === 'POD_CIDR_INVALID' ? POD : SERVICE;
  const what = code === 'POD_CIDR_INVALID' ? 'pod' : 'service';
  const parsed = parseCidr(text);
  if (!parsed) {
    findings.push(finding(code, target, `The ${what} CIDR "${text}" is not a network like 10.96.0.0/12.`));
    return undefined;
  }
  if (hasHostBits(text)) {
    findings.push(
      finding(
        code,
        target,
        `The ${what} CIDR ${text} has bits set after the prefix.`,
        `Write it as ${parsed.text}.`,
      ),
    );
    return undefined;
  }
  return parsed;
}

/** Every distinct host subnet, with the hosts on it. */
function hostSubnets(project: ClusterProject): { subnet: Cidr; hosts: string[] }[] {
  const bySubnet = new Map<string, { subnet: Cidr; hosts: string[] }>();
  for (const host of project.spec.hosts) {
    const subnet = hostSubnet(project, host);
    if (!subnet) continue;
    const entry = bySubnet.get(subnet.text) ?? { subnet, hosts: [] };
    entry.hosts.push(host.name);
    bySubnet.set(subnet.text, entry);
  }
  return [...bySubnet.values()];
}

function checkRanges(project: ClusterProject, findings: Finding[]): void {
  const net = project.spec.networking;
  const pod = cidr(net.podCidr, 'POD_CIDR_INVALID', findings);
  const service = cidr(net.serviceCidr, 'SERVICE_CIDR_INVALID', findings);
  if (pod && service && overlaps(pod, service))
    findings.push(
      finding(
        'POD_SERVICE_OVERLAP',
        POD,
        `The pod CIDR ${pod.text} and the service CIDR ${service.text} overlap; traffic to one would be routed as the other.`,
        'Use separate ranges, e.g. pods 10.244.0.0/16 and services 10.96.0.0/12.',
      ),
    );
  for (const { subnet, hosts } of hostSubnets(project)) {
    if (pod && overlaps(pod, subnet))
      findings.push(
        finding(
          'POD_HOST_OVERLAP',
          POD,
          `The pod CIDR ${pod.text} overlaps ${subnet.text}, the network of ${listNames(hosts)}.`,
          'Pick a pod range the hosts do not use.',
        ),
      );
    if (service && overlaps(service, subnet))
      findings.push(
        finding(
          'SERVICE_HOST_OVERLAP',
          SERVICE,
          `The service CIDR ${service.text} overlaps ${subnet.text}, the network of ${listNames(hosts)}.`,
          'Pick a service range the hosts do not use.',
        ),
      );
  }
  const vip = project.spec.apiEndpoint.vip ? parseAddress(project.spec.apiEndpoint.vip) : undefined;
  const inside = vip && [pod, service].find((range) => range && contains(range, vip));
  if (vip && inside)
    findings.push(
      finding(
        'VIP_IN_CLUSTER_NETWORK',
        fieldTarget('spec.apiEndpoint.vip'),
        `The endpoint address ${project.spec.apiEndpoint.vip} lies inside ${inside.text}, which the cluster routes internally.`,
        'Use an address from the hosts’ network.',
      ),
    );
  if (service) {
    const limit = service.address.kind() === 'ipv4' ? 12 : 108;
    if (service.prefix < limit)
      findings.push(
        finding(
          'SERVICE_CIDR_TOO_LARGE',
          SERVICE,
          `The service CIDR /${service.prefix} is larger than kube-apiserver accepts (at most /${limit}).`,
          `Use /${limit} or longer, e.g. 10.96.0.0/12.`,
        ),
      );
  }
  if (pod) checkPodRoom(project, pod, findings);
}

function checkPodRoom(project: ClusterProject, pod: Cidr, findings: Finding[]): void {
  const kind = pod.address.kind();
  const nodes = project.spec.hosts.filter(
    (h) => h.roles.includes('control-plane') || h.roles.includes('worker'),
  ).length;
  const cni = project.spec.networking.cni;
  if (cni === 'flannel') {
    const block = NODE_BLOCK[kind];
    const blocks = pod.prefix > block ? 0 : 2 ** Math.min(block - pod.prefix, 30);
    if (blocks < Math.max(nodes, 1))
      findings.push(
        finding(
          'POD_CIDR_NODE_ROOM',
          POD,
          `flannel gives every node a /${block} out of the pod CIDR; ${pod.text} holds ${blocks} such block(s) for ${nodes} node(s).`,
          kind === 'ipv4' ? 'Use a /16 like 10.244.0.0/16 (256 nodes).' : 'Use a /48 or larger.',
        ),
      );
    if (pod.text !== '10.244.0.0/16')
      findings.push(
        finding(
          'FLANNEL_POD_CIDR_CUSTOM',
          POD,
          `flannel’s manifest defaults to 10.244.0.0/16; its net-conf.json "Network" must be ${pod.text}.`,
        ),
      );
  } else if (pod.prefix > CALICO_BLOCK[kind]) {
    findings.push(
      finding(
        'POD_CIDR_NODE_ROOM',
        POD,
        `Calico allocates pod addresses in /${CALICO_BLOCK[kind]} blocks; ${pod.text} is smaller than one block.`,
        kind === 'ipv4' ? 'Use a /16 like 10.244.0.0/16.' : 'Use a /48 or larger.',
      ),
    );
  }
}

const FAMILY = { ipv4: 'IPv4', ipv6: 'IPv6' } as const;

/**
 * Keelson builds single-stack clusters: kubelet's node IP, podSubnet and serviceSubnet must be
 * one family, or kubeadm init fails (or nodes cannot reach pods). Dual stack is not modelled.
 */
function checkFamilies(project: ClusterProject, findings: Finding[]): void {
  const nodes = project.spec.hosts.flatMap((h) => {
    const address =
      h.roles.includes('control-plane') || h.roles.includes('worker') ? parseAddress(h.address) : undefined;
    return address ? [{ name: h.name, kind: address.kind() }] : [];
  });
  const first = nodes[0];
  if (!first) return;
  const odd = nodes.filter((n) => n.kind !== first.kind);
  if (odd.length > 0) {
    // Name the minority: they are the ones most likely mistyped.
    const [minority, majority] =
      odd.length * 2 <= nodes.length
        ? [odd, nodes.filter((n) => n.kind === first.kind)]
        : [nodes.filter((n) => n.kind === first.kind), odd];
    for (const n of minority)
      findings.push(
        finding(
          'IP_FAMILY_MISMATCH',
          hostTarget(n.name),
          `${n.name} has an ${FAMILY[n.kind]} address while ${listNames(majority.map((m) => m.name))} ${majority.length === 1 ? 'has' : 'have'} ${FAMILY[majority[0]!.kind]}; a cluster is all IPv4 or all IPv6.`,
          `Give ${n.name} its ${FAMILY[majority[0]!.kind]} address.`,
        ),
      );
    return;
  }
  const net = project.spec.networking;
  for (const [text, target, what] of [
    [net.podCidr, POD, 'pod'],
    [net.serviceCidr, SERVICE, 'service'],
  ] as const) {
    const range = parseCidr(text);
    if (range && range.address.kind() !== first.kind)
      findings.push(
        finding(
          'IP_FAMILY_MISMATCH',
          target,
          `The ${what} CIDR ${range.text} is ${FAMILY[range.address.kind()]} but the nodes are ${FAMILY[first.kind]}; kubeadm needs one family.`,
          first.kind === 'ipv4'
            ? `Use an IPv4 range, e.g. ${what === 'pod' ? '10.244.0.0/16' : '10.96.0.0/12'}.`
            : `Use an IPv6 range, e.g. ${what === 'pod' ? 'fd00:10:244::/56' : 'fd00:10:96::/112'}.`,
        ),
      );
  }
}

export function checkNetwork(project: ClusterProject): Finding[] {
  const findings: Finding[] = [];
  checkRanges(project, findings);
  checkFamilies(project, findings);
  const net = project.spec.networking;
  const domain = net.dnsDomain;
  const labels = typeof domain === 'string' ? domain.split('.') : [];
  if (
    labels.length === 0 ||
    domain.length > 253 ||
    !labels.every((l) => /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/.test(l))
  )
    findings.push(
      finding(
        'DNS_DOMAIN_INVALID',
        fieldTarget('spec.networking.dnsDomain'),
        `The cluster DNS domain "${domain}" is not a lowercase DNS name.`,
        'Keep cluster.local unless you need another.',
      ),
    );
  // Every maintained release (1.35 and newer) has ipvs deprecated; 1.37's kubeadm warns about it too.
  if (net.kubeProxyMode === 'ipvs')
    findings.push(
      finding(
        'PROXY_IPVS_DEPRECATED',
        fieldTarget('spec.networking.kubeProxyMode'),
        "kube-proxy's ipvs mode is deprecated since Kubernetes 1.35 and may be removed in a later release.",
        'Use nftables (or iptables, the default).',
      ),
    );
  return findings;
}
