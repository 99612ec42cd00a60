/**
 * Known failures → what to do, in plain language (deploy-ux.md, "Known errors"). Matched against
 * the failing command's last lines and the step's error. Pure and ordered: the first match wins,
 * so specific patterns come before general ones.
 */
export interface Hint {
  /** Stable id, for tests and for the docs. */
  id: string;
  pattern: RegExp;
  /** `$1`… refer to the pattern's groups (a port, a host). */
  text: string;
}

export const HINTS: readonly Hint[] = [
  {
    id: 'port-in-use',
    pattern: /(?:TCP )?port (\d+) is in use|bind: address already in use.*?:(\d+)|\[ERROR Port-(\d+)\]/i,
    text:
      'Something already listens on port $1 on this host — often leftovers of a failed run. Find it with ' +
      '`ss -tlnp "( sport = :$1 )"`; stop it (for a half-built node: `kubeadm reset -f` and clean up), then Retry.',
  },
  {
    id: 'haproxy-bind',
    pattern: /cannot bind socket.*:(6443)/i,
    text: 'A load balancer beside an apiserver cannot use 6443: give the endpoint another port (8443 or 16443).',
  },
  {
    id: 'swap',
    pattern: /\[ERROR Swap\]|running with swap on is not supported/i,
    text: 'Swap is on: `swapoff -a` and remove swap from /etc/fstab, or it returns at reboot (os-prep does both).',
  },
  {
    id: 'bridge-nf',
    pattern: /bridge-nf-call-iptables (?:does not exist|contents are not set to 1)|ip_forward.*not set to 1/i,
    text: 'Load br_netfilter and set net.bridge.bridge-nf-call-iptables=1 and net.ipv4.ip_forward=1, persisted in /etc/sysctl.d (os-prep does this).',
  },
  {
    id: 'cri-disabled',
    pattern: /unknown service runtime\.v1\.RuntimeService/i,
    text: 'containerd runs with the CRI plugin disabled: regenerate its config with `containerd config default`, set SystemdCgroup = true, restart containerd.',
  },
  {
    id: 'cgroup-v1',
    pattern: /cgroup v1|cgroupv1|failCgroupV1/i,
    text: 'This host runs cgroup v1: Kubernetes 1.35+ refuses it unless failCgroupV1 is false. Boot with systemd.unified_cgroup_hierarchy=1 (cgroup v2).',
  },
  {
    id: 'kubelet-not-running',
    pattern: /kubelet is not running|timed out waiting for the condition|wait-control-plane/i,
    text:
      'The kubelet or the control plane did not come up — most often a cgroup driver mismatch (containerd SystemdCgroup = true ' +
      "vs the kubelet's cgroupDriver: systemd). On the node: `journalctl -u kubelet -n 100` and `crictl ps -a`.",
  },
  {
    id: 'token-expired',
    pattern: /token id .* is invalid for this cluster or it has expired/i,
    text: 'The bootstrap token expired (they last 24 h): Retry from the credentials step, which creates a fresh one.',
  },
  {
    id: 'certificate-key',
    pattern: /Secret "kubeadm-certs" was not found|certificate key.*expired/i,
    text: 'The certificate key lasts 2 hours: Retry the upload-certs step just before this join (it uploads a fresh key).',
  },
  {
    id: 'etcd-member',
    pattern: /etcd cluster is not healthy|Peer URLs already exists|member .* already exists/i,
    text: 'A stale etcd member from a failed join: `etcdctl member list` / `member remove ID` on a healthy control plane, `kubeadm reset -f` here, then Retry.',
  },
  {
    id: 'x509-san',
    pattern: /x509: certificate is valid for .*, not (\S+)/i,
    text: 'The apiserver certificate does not list $1: the VIP/DNS name must be in controlPlaneEndpoint and certSANs before kubeadm init.',
  },
  {
    id: 'discovery-refused',
    pattern: /\[discovery\].*(?:connection refused|i\/o timeout)|Failed to request cluster-info/i,
    text: "The join could not reach the endpoint: check the firewall (6443, 2379-2380, 10250) and that the VIP is up; the load balancer's health checks may still be catching up — Retry in a minute.",
  },
  {
    id: 'apt-lock',
    pattern: /Could not get lock \/var\/lib\/dpkg\/lock|dpkg frontend lock|Unable to acquire the dpkg/i,
    text: 'Another apt/dpkg (often unattended-upgrades) holds the package lock: wait for it to finish, then Retry.',
  },
  {
    id: 'apt-repo',
    pattern: /NO_PUBKEY|kubernetes-xenial|Release.*404|Version '.*' for '.*' was not found/i,
    text: 'The package repository is wrong or frozen: Kubernetes packages come only from pkgs.k8s.io (one repository per minor, versions like 1.37.2-1.1).',
  },
  {
    id: 'image-pull',
    pattern: /ErrImagePull|ImagePullBackOff|failed to pull image|pull access denied|manifest unknown/i,
    text: 'An image could not be pulled: check the registry is reachable from the node (or the offline registry serves the image), and imageRepository.',
  },
  {
    // Before 'unreachable' and 'image-pull': the text of a pod's log printed by a failed CNI step.
    id: 'service-network-unreachable',
    pattern:
      /dial tcp (\d+\.\d+\.\d+\.\d+):443: connect: network is unreachable|no route to the Service network \(([^)\s]+)\)/i,
    text:
      'Pods and kube-proxy cannot reach the kubernetes Service at $1: the host has no route for it. Give every node a default route ' +
      '(an air-gapped site can point it at its own router) or a route covering the Service CIDR, then Retry.',
  },
  {
    id: 'cni-not-ready',
    pattern: /cni plugin not initialized|NetworkPluginNotReady/i,
    text: "Normal until the CNI phase has run. If it stays: the pod CIDR differs from the CNI's range.",
  },
  {
    id: 'vrrp',
    pattern: /VIP .* (?:never came up|not on any)|VRRP/i,
    text: 'The VIP did not come up: VRRP multicast may be blocked — use unicast peers and allow IP protocol 112 between the hosts.',
  },
  {
    id: 'unreachable',
    pattern:
      /CONNECTION_LOST|CONNECT_TIMEOUT|HOST_UNREACHABLE|connection (?:closed|lost|timed out)|No route to host|ECONNREFUSED|keepalive/i,
    text: 'Keelson lost the connection to this host (down, rebooting, network or firewall). Other hosts carried on; when it is back, Resume: finished steps are not run again.',
  },
  {
    id: 'timeout',
    pattern: /did not finish within|timed out after \d+ s/i,
    text: 'The step ran past its time limit. Look at its last lines for what it was waiting on; Retry once the cause is fixed.',
  },
  {
    id: 'sudo',
    pattern: /SUDO_REFUSED|cannot run commands as root|sudo refused/i,
    text: "This SSH user cannot become root: give it sudo rights, or enter its sudo password in the host's SSH settings.",
  },
  {
    id: 'host-key',
    pattern: /host key not known yet|HOST KEY CHANGED/i,
    text: 'The host key is not trusted yet: Test connection on the host in the app (compare the fingerprint, accept), or add it to ~/.ssh/known_hosts.',
  },
];

/** The hint for these lines, or undefined. `$N` are filled from the first group that matched. */
export function hintFor(lines: readonly string[], error?: string): string | undefined {
  const text = [...lines, error ?? ''].join('\n');
  for (const h of HINTS) {
    const m = h.pattern.exec(text);
    if (!m) continue;
    const group = m.slice(1).find((g) => g !== undefined) ?? '';
    return h.text.replace(/\$1/g, group);
  }
  return undefined;
}
