import { hostsWithRole, type ClusterProject, type Host } from '../model/cluster';
import { defineCodes, fieldTarget, hostTarget, listNames } from './define';
import type { Finding } from './finding';
import { broadcastOf, hostSubnet, networkOf, parseAddress, sameAddress, type Cidr } from './ip';

const { codes, finding } = defineCodes({
  VIP_MISSING: { severity: 'error', summary: 'The endpoint pattern needs a virtual IP and none is set' },
  VIP_INVALID: { severity: 'error', summary: 'The VIP is not an IP address' },
  VIP_IGNORED: { severity: 'info', summary: 'A VIP is set but the endpoint pattern does not use one' },
  VIP_IS_HOST_ADDRESS: { severity: 'error', summary: "The VIP is also a host's own address" },
  VIP_OUTSIDE_SUBNET: {
    severity: 'error',
    summary: 'The VIP is outside the subnet of the hosts that carry it',
  },
  VIP_NETWORK_OR_BROADCAST: {
    severity: 'error',
    summary: "The VIP is its subnet's network or broadcast address",
  },
  ENDPOINT_EXTERNAL_MISSING: {
    severity: 'error',
    summary: 'External load balancer without an address or DNS name',
  },
  ENDPOINT_DNS_INVALID: { severity: 'error', summary: 'The endpoint DNS name is not a valid DNS name' },
  LB_PORT_CLASH: {
    severity: 'error',
    summary: 'Load balancer on a control-plane node listens on 6443, the API server port',
  },
  NODE_LOCAL_PORT: { severity: 'error', summary: 'Node-local proxies must use port 6443' },
  KUBE_VIP_PORT: {
    severity: 'error',
    summary: 'kube-vip only moves the VIP: the endpoint port must be the apiserver port 6443',
  },
  LB_HOSTS_MISSING: {
    severity: 'error',
    summary: 'Dedicated load balancer chosen but no host has the lb role',
  },
  LB_SINGLE_HOST: {
    severity: 'warning',
    summary: 'One dedicated load balancer host is a single point of failure',
  },
  LB_NO_SHARED_ADDRESS: {
    severity: 'warning',
    summary: 'Several LB hosts without keepalived or a DNS name: clients can use only one',
  },
  LB_ON_CONTROL_PLANE: { severity: 'warning', summary: 'A dedicated LB host is also a control plane' },
  VRRP_ROUTER_ID_INVALID: { severity: 'error', summary: 'VRRP virtual_router_id outside 1–255' },
  VRRP_ROUTER_ID_UNIQUE: {
    severity: 'info',
    summary: 'The VRRP router id must be unique on the network segment',
  },
});
export const endpointCodes = codes;

const VIP = fieldTarget('spec.apiEndpoint.vip');
const PORT = fieldTarget('spec.apiEndpoint.port');
const DNS_LABEL = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/i;

/** Hosts that hold the VIP for this pattern, or undefined when the pattern has no VIP. */
export function vipCarriers(project: ClusterProject): { hosts: Host[]; what: string } | undefined {
  const endpoint = project.spec.apiEndpoint;
  switch (endpoint.pattern) {
    case 'keepalived-haproxy':
    case 'keepalived-nginx':
      return { hosts: hostsWithRole(project, 'control-plane'), what: 'keepalived' };
    case 'kube-vip':
      return { hosts: hostsWithRole(project, 'control-plane'), what: 'kube-vip' };
    case 'dedicated-lb':
      return endpoint.lbKeepalived ? { hosts: hostsWithRole(project, 'lb'), what: 'keepalived' } : undefined;
    default:
      return undefined;
  }
}

/** keepalived runs (and so VRRP matters) for these patterns. */
export function usesKeepalived(project: ClusterProject): boolean {
  const { pattern, lbKeepalived } = project.spec.apiEndpoint;
  return (
    pattern === 'keepalived-haproxy' ||
    pattern === 'keepalived-nginx' ||
    (pattern === 'dedicated-lb' && lbKeepalived)
  );
}

function validDnsName(name: string): boolean {
  const bare = name.endsWith('.') ? name.slice(0, -1) : name;
  return bare.length > 0 && bare.length <= 253 && bare.split('.').every((l) => DNS_LABEL.test(l));
}

function checkVip(project: ClusterProject): Finding[] {
  const { pattern, vip } = project.spec.apiEndpoint;
  const carriers = vipCarriers(project);
  const findings: Finding[] = [];
  if (vip === undefined || vip === '') {
    if (carriers)
      findings.push(
        finding(
          'VIP_MISSING',
          VIP,
          `The ${pattern} endpoint needs a virtual IP that ${carriers.what} moves between hosts.`,
          'Set a free address in the hosts’ subnet as the VIP.',
        ),
      );
    return findings;
  }
  const address = parseAddress(vip);
  if (!address) {
    return [
      finding('VIP_INVALID', VIP, `VIP "${vip}" is not an IP address.`, 'Enter an IPv4 or IPv6 address.'),
    ];
  }
  if (!carriers) {
    if (pattern !== 'external')
      findings.push(
        finding(
          'VIP_IGNORED',
          VIP,
          `The VIP ${vip} is not used by the ${pattern} endpoint${pattern === 'dedicated-lb' ? ' without keepalived' : ''}.`,
          pattern === 'dedicated-lb'
            ? 'Turn keepalived on for the LB hosts, or clear the VIP.'
            : 'Clear the VIP.',
        ),
      );
    return findings;
  }
  const owners = project.spec.hosts.filter((h) => {
    const a = parseAddress(h.address);
    return a !== undefined && sameAddress(a, address);
  });
  if (owners.length > 0)
    findings.push(
      finding(
        'VIP_IS_HOST_ADDRESS',
        VIP,
        `The VIP ${vip} is the address of ${listNames(owners.map((h) => h.name))}; a VIP must be a free address.`,
        'Pick an unused address in the same subnet.',
      ),
    );
  const subnets = carriers.hosts
    .map((h) => ({ host: h, subnet: hostSubnet(project, h) }))
    .filter((e): e is { host: Host; subnet: Cidr } => e.subnet !== undefined);
  const outside = subnets.filter(
    (e) => e.subnet.address.kind() !== address.kind() || !address.match(e.subnet.address, e.subnet.prefix),
  );
  if (outside.length > 0)
    findings.push(
      finding(
        'VIP_OUTSIDE_SUBNET',
        VIP,
        `The VIP ${vip} is not in the subnet of ${listNames(outside.map((e) => `${e.host.name} (${e.subnet.text})`))}; ` +
          `${carriers.what} can only hold an address on the hosts’ own network.`,
        'Pick a free address in the hosts’ subnet, or set the subnet prefix length (prefixLength / hostPrefix) if it is not /24.',
      ),
    );
  const reserved = subnets.find(({ subnet }) => {
    if (subnet.address.kind() !== address.kind() || !address.match(subnet.address, subnet.prefix))
      return false;
    if (sameAddress(address, networkOf(subnet.address, subnet.prefix))) return true;
    return (
      address.kind() === 'ipv4' &&
      subnet.prefix <= 30 &&
      sameAddress(address, broadcastOf(subnet.address, subnet.prefix))
    );
  });
  if (reserved)
    findings.push(
      finding(
        'VIP_NETWORK_OR_BROADCAST',
        VIP,
        `The VIP ${vip} is the network or broadcast address of ${reserved.subnet.text}.`,
        'Pick a host address inside the subnet.',
      ),
    );
  return findings;
}

function checkLoadBalancer(project: ClusterProject): Finding[] {
  const endpoint = project.spec.apiEndpoint;
  const findings: Finding[] = [];
  if (endpoint.pattern === 'external' && !endpoint.vip && !endpoint.dnsName)
    findings.push(
      finding(
        'ENDPOINT_EXTERNAL_MISSING',
        fieldTarget('spec.apiEndpoint'),
        'The external load balancer has neither an address (vip) nor a DNS name; nodes would not know where the API is.',
        'Set the load balancer’s address as vip, or its DNS name.',
      ),
    );
  // An empty name is not "no name": the planner would write an empty endpoint.
  if (endpoint.dnsName !== undefined && !validDnsName(endpoint.dnsName))
    findings.push(
      finding(
        'ENDPOINT_DNS_INVALID',
        fieldTarget('spec.apiEndpoint.dnsName'),
        `"${endpoint.dnsName}" is not a valid DNS name.`,
        'Use a name like api.cluster.example.',
      ),
    );
  const lbHosts = hostsWithRole(project, 'lb');
  const lbOnControlPlane = lbHosts.filter((h) => h.roles.includes('control-plane'));
  const onControlPlanes =
    endpoint.pattern === 'keepalived-haproxy' ||
    endpoint.pattern === 'keepalived-nginx' ||
    (endpoint.pattern === 'dedicated-lb' && lbOnControlPlane.length > 0);
  if (onControlPlanes && endpoint.port === 6443)
    findings.push(
      finding(
        'LB_PORT_CLASH',
        PORT,
        'The load balancer runs on control-plane nodes, where the API server already listens on 6443.',
        'Use another port for the load balancer, e.g. 8443 or 16443.',
      ),
    );
  if (endpoint.pattern === 'node-local' && endpoint.port !== 6443)
    findings.push(
      finding(
        'NODE_LOCAL_PORT',
        PORT,
        `Node-local proxies listen on 127.0.0.1:6443 so that https://127.0.0.1:6443 reaches the API on every node ` +
          `(control planes answer it themselves); port ${endpoint.port} breaks that.`,
        'Set the port to 6443.',
      ),
    );
  if (endpoint.pattern === 'kube-vip' && endpoint.port !== 6443)
    findings.push(
      finding(
        'KUBE_VIP_PORT',
        PORT,
        `kube-vip moves the VIP to the leading control plane without forwarding ports, so clients reach its ` +
          `apiserver on 6443 directly; port ${endpoint.port} would find nothing listening.`,
        'Set the port to 6443.',
      ),
    );
  if (endpoint.pattern === 'dedicated-lb') {
    if (lbHosts.length === 0)
      findings.push(
        finding(
          'LB_HOSTS_MISSING',
          fieldTarget('spec.hosts'),
          'The dedicated load balancer pattern needs hosts with the lb role; none has it.',
          endpoint.lbKeepalived
            ? 'Give 2 hosts the lb role (a keepalived pair).'
            : 'Give a host the lb role.',
        ),
      );
    else if (lbHosts.length === 1)
      findings.push(
        finding(
          'LB_SINGLE_HOST',
          hostTarget(lbHosts[0]!.name),
          endpoint.lbKeepalived
            ? `${lbHosts[0]!.name} is the only lb host: keepalived has no second host to move the VIP to.`
            : `${lbHosts[0]!.name} is the only load balancer: if it goes down, the API is unreachable.`,
          endpoint.lbKeepalived
            ? 'Add a second lb host.'
            : 'Add a second lb host and turn keepalived on so they share a VIP.',
        ),
      );
    else if (!endpoint.lbKeepalived && !endpoint.dnsName)
      findings.push(
        finding(
          'LB_NO_SHARED_ADDRESS',
          fieldTarget('spec.apiEndpoint.lbKeepalived'),
          `${lbHosts.length} lb hosts but no VIP or DNS name: the cluster endpoint can name only one of them.`,
          'Turn keepalived on (VIP) or set a DNS name that resolves to all lb hosts.',
        ),
      );
    for (const host of lbOnControlPlane)
      findings.push(
        finding(
          'LB_ON_CONTROL_PLANE',
          hostTarget(host.name),
          `${host.name} is both an lb host and a control plane.`,
          'Use the keepalived-haproxy or keepalived-nginx pattern for LBs on control planes, or a separate lb host.',
        ),
      );
  }
  return findings;
}

function checkVrrp(project: ClusterProject): Finding[] {
  if (!usesKeepalived(project)) return [];
  const routerId = project.spec.apiEndpoint.vrrp?.routerId;
  const target = fieldTarget('spec.apiEndpoint.vrrp.routerId');
  if (!Number.isInteger(routerId) || routerId < 1 || routerId > 255)
    return [
      finding(
        'VRRP_ROUTER_ID_INVALID',
        target,
        `VRRP router id ${routerId} is outside 1–255.`,
        'Pick 1–255.',
      ),
    ];
  return [
    finding(
      'VRRP_ROUTER_ID_UNIQUE',
      target,
      `keepalived uses virtual_router_id ${routerId}; another keepalived pair on the same network segment with the same id causes split brain.`,
      'Check no other VRRP group on this segment uses it.',
    ),
  ];
}

export function checkEndpoint(project: ClusterProject): Finding[] {
  return [...checkVip(project), ...checkLoadBalancer(project), ...checkVrrp(project)];
}
