import { describe, expect, it } from 'vitest';
import type { ClusterProject } from '../../../shared/model/cluster';
import { FINDING_CODES, validateCluster } from '../../../shared/validation';
import { baseProject, cps, etcds, host, variant, workers } from './build';

type Change = (p: ClusterProject) => void;

/** The day these cases are judged on, so end-of-life findings do not change with the clock. */
const TODAY = '2026-11-30';

/**
 * Every finding code with a design that triggers it and a near-miss that must not.
 * The near-misses are the interesting half: they pin down where each rule's edge is.
 */
const CASES: Record<string, { trigger: Change[]; clean: Change[]; today?: string }> = {
  NO_HOSTS: { trigger: [(p) => (p.spec.hosts = [])], clean: [() => {}] },
  CP_COUNT_ZERO: { trigger: [(p) => (p.spec.hosts = workers(2))], clean: [(p) => (p.spec.hosts = [])] },
  CP_COUNT_SINGLE: { trigger: [(p) => (p.spec.hosts = [...cps(1), ...workers(1)])], clean: [() => {}] },
  CP_COUNT_TWO: {
    trigger: [(p) => (p.spec.hosts = [...cps(2), ...workers(1)])],
    // apiservers are stateless: with external etcd, two control planes are fine.
    clean: [
      (p) => {
        p.spec.hosts = [...cps(2), ...etcds(3), ...workers(1)];
        p.spec.etcd.mode = 'external';
      },
    ],
  },
  CP_COUNT_EVEN: {
    trigger: [(p) => (p.spec.hosts = [...cps(4), ...workers(1)])],
    clean: [(p) => (p.spec.hosts = [...cps(5), ...workers(1)])],
  },
  CP_COUNT_LARGE: {
    trigger: [(p) => (p.spec.hosts = [...cps(7), ...workers(1)])],
    clean: [(p) => (p.spec.hosts = [...cps(5), ...workers(1)])],
  },
  ETCD_COUNT_ZERO: {
    trigger: [(p) => (p.spec.etcd.mode = 'external')],
    clean: [
      (p) => {
        p.spec.etcd.mode = 'external';
        p.spec.hosts.push(...etcds(3));
      },
    ],
  },
  ...Object.fromEntries(
    (
      [
        ['ETCD_COUNT_SINGLE', 1, 3],
        ['ETCD_COUNT_TWO', 2, 3],
        ['ETCD_COUNT_EVEN', 4, 5],
        ['ETCD_COUNT_LARGE', 7, 5],
      ] as const
    ).map(([code, bad, good]) => [
      code,
      {
        trigger: [
          (p: ClusterProject) => {
            p.spec.etcd.mode = 'external';
            p.spec.hosts.push(...etcds(bad));
          },
        ],
        clean: [
          (p: ClusterProject) => {
            p.spec.etcd.mode = 'external';
            p.spec.hosts.push(...etcds(good));
          },
        ],
      },
    ]),
  ),
  ROLE_DUPLICATE: { trigger: [(p) => (p.spec.hosts[3]!.roles = ['worker', 'worker'])], clean: [() => {}] },
  ROLE_BASTION_MIXED: {
    trigger: [(p) => p.spec.hosts.push(host('jump', '10.77.0.2', ['bastion', 'worker']))],
    clean: [(p) => p.spec.hosts.push(host('jump', '10.77.0.2', ['bastion']))],
  },
  ROLE_LB_UNUSED: {
    trigger: [(p) => p.spec.hosts.push(host('lb1', '10.77.0.5', ['lb']))],
    clean: [
      (p) => {
        p.spec.hosts.push(host('lb1', '10.77.0.5', ['lb']), host('lb2', '10.77.0.6', ['lb']));
        p.spec.apiEndpoint.pattern = 'dedicated-lb';
      },
    ],
  },
  ROLE_ETCD_STACKED: {
    trigger: [(p) => p.spec.hosts.push(...etcds(3))],
    clean: [
      (p) => {
        p.spec.hosts.push(...etcds(3));
        p.spec.etcd.mode = 'external';
      },
    ],
  },
  ROLE_ETCD_ON_CONTROL_PLANE: {
    trigger: [
      (p) => {
        p.spec.etcd.mode = 'external';
        p.spec.hosts.slice(0, 3).forEach((h) => h.roles.push('etcd'));
      },
    ],
    clean: [
      (p) => {
        p.spec.etcd.mode = 'external';
        p.spec.hosts.push(...etcds(3));
      },
    ],
  },
  NO_WORKERS: {
    trigger: [(p) => (p.spec.hosts = cps(3))],
    clean: [(p) => (p.spec.hosts = cps(3).map((h) => ({ ...h, roles: ['control-plane', 'worker'] })))],
  },
  PACKAGES_MIRROR_URL_MISSING: {
    trigger: [(p) => (p.spec.packages.source = 'mirror')],
    clean: [(p) => (p.spec.packages = { source: 'mirror', mirrorUrl: 'http://10.77.0.3/repo' })],
  },
  HOST_NAME_INVALID: {
    trigger: ['CP1', 'cp_1', '-cp', 'cp-', 'a..b', 'x'.repeat(64)].map((name) => (p: ClusterProject) => {
      p.spec.hosts[0]!.name = name;
    }),
    clean: ['cp-1', 'cp1.lab.example', '1cp', 'x'.repeat(63)].map((name) => (p: ClusterProject) => {
      p.spec.hosts[0]!.name = name;
    }),
  },
  HOST_NAME_DUPLICATE: { trigger: [(p) => (p.spec.hosts[1]!.name = 'cp1')], clean: [() => {}] },
  HOST_ADDRESS_INVALID: {
    trigger: ['10.77.0', '10.77.0.256', 'cp1.lab', '10.77.0.1/24', '0x0a.0.0.1', 'fe80::1%eth0'].map(
      (a) => (p: ClusterProject) => {
        p.spec.hosts[0]!.address = a;
      },
    ),
    clean: ['10.77.0.99', 'fd00::11'].map((a) => (p: ClusterProject) => {
      p.spec.hosts[0]!.address = a;
    }),
  },
  HOST_ADDRESS_DUPLICATE: {
    trigger: [
      (p) => (p.spec.hosts[1]!.address = '10.77.0.11'),
      (p) => {
        // Same IPv6 address written two ways.
        p.spec.hosts[0]!.address = 'fd00::11';
        p.spec.hosts[1]!.address = 'fd00:0:0:0::11';
      },
    ],
    clean: [() => {}],
  },
  HOST_ADDRESS_UNUSABLE: {
    trigger: ['127.0.0.1', '0.0.0.0', '224.0.0.18', '255.255.255.255', '::1'].map(
      (a) => (p: ClusterProject) => {
        p.spec.hosts[3]!.address = a;
      },
    ),
    clean: [(p) => (p.spec.hosts[3]!.address = '192.168.1.10')],
  },
  HOST_ADDRESS_NOT_HOST: {
    trigger: [
      (p) => Object.assign(p.spec.hosts[3]!, { address: '10.77.0.255', prefixLength: 24 }),
      (p) => Object.assign(p.spec.hosts[3]!, { address: '10.77.0.0', prefixLength: 24 }),
    ],
    // Inside a /16, 10.77.0.255 is an ordinary host address.
    clean: [(p) => Object.assign(p.spec.hosts[3]!, { address: '10.77.0.255', prefixLength: 16 })],
  },
  HOST_PREFIX_INVALID: {
    trigger: [(p) => (p.spec.hosts[0]!.prefixLength = 33), (p) => (p.spec.networking.hostPrefix = 64)],
    clean: [(p) => (p.spec.hosts[3]!.prefixLength = 32), (p) => (p.spec.networking.hostPrefix = 16)],
  },
  VIP_MISSING: {
    trigger: [
      (p) => delete p.spec.apiEndpoint.vip,
      (p) => Object.assign(p.spec.apiEndpoint, { pattern: 'kube-vip', vip: undefined }),
      (p) => {
        p.spec.hosts.push(host('lb1', '10.77.0.5', ['lb']), host('lb2', '10.77.0.6', ['lb']));
        Object.assign(p.spec.apiEndpoint, { pattern: 'dedicated-lb', vip: undefined, lbKeepalived: true });
      },
    ],
    clean: [
      (p) => Object.assign(p.spec.apiEndpoint, { pattern: 'node-local', vip: undefined, port: 6443 }),
      (p) => {
        p.spec.hosts.push(host('lb1', '10.77.0.5', ['lb']));
        Object.assign(p.spec.apiEndpoint, { pattern: 'dedicated-lb', vip: undefined, lbKeepalived: false });
      },
    ],
  },
  VIP_INVALID: {
    trigger: [(p) => (p.spec.apiEndpoint.vip = 'api.lab'), (p) => (p.spec.apiEndpoint.vip = '10.77.0.300')],
    clean: [() => {}],
  },
  VIP_IGNORED: {
    trigger: [(p) => Object.assign(p.spec.apiEndpoint, { pattern: 'node-local', port: 6443 })],
    clean: [
      (p) => Object.assign(p.spec.apiEndpoint, { pattern: 'node-local', port: 6443, vip: undefined }),
      (p) => Object.assign(p.spec.apiEndpoint, { pattern: 'external', port: 6443 }),
    ],
  },
  VIP_IS_HOST_ADDRESS: { trigger: [(p) => (p.spec.apiEndpoint.vip = '10.77.0.12')], clean: [() => {}] },
  VIP_OUTSIDE_SUBNET: {
    trigger: [
      (p) => (p.spec.apiEndpoint.vip = '10.78.0.10'),
      (p) => (p.spec.apiEndpoint.vip = '10.77.5.10'),
      // Only one control plane sits on another subnet: still outside for that one.
      (p) => Object.assign(p.spec.hosts[2]!, { address: '10.77.1.13' }),
    ],
    clean: [
      // A /16 host network holds 10.77.5.10.
      (p) => {
        p.spec.apiEndpoint.vip = '10.77.5.10';
        p.spec.networking.hostPrefix = 16;
      },
      (p) => {
        p.spec.apiEndpoint.vip = '10.77.5.10';
        p.spec.hosts.slice(0, 3).forEach((h) => (h.prefixLength = 20));
      },
      // Workers on another subnet do not matter: they do not carry the VIP.
      (p) => (p.spec.hosts[4]!.address = '10.77.9.22'),
    ],
  },
  VIP_NETWORK_OR_BROADCAST: {
    trigger: [(p) => (p.spec.apiEndpoint.vip = '10.77.0.255'), (p) => (p.spec.apiEndpoint.vip = '10.77.0.0')],
    clean: [
      (p) => {
        p.spec.apiEndpoint.vip = '10.77.0.255';
        p.spec.networking.hostPrefix = 16;
      },
    ],
  },
  ENDPOINT_EXTERNAL_MISSING: {
    trigger: [(p) => Object.assign(p.spec.apiEndpoint, { pattern: 'external', vip: undefined, port: 6443 })],
    clean: [
      (p) =>
        Object.assign(p.spec.apiEndpoint, {
          pattern: 'external',
          vip: undefined,
          dnsName: 'api.lab.example',
        }),
      (p) => Object.assign(p.spec.apiEndpoint, { pattern: 'external', vip: '10.77.0.200' }),
    ],
  },
  ENDPOINT_DNS_INVALID: {
    trigger: ['', 'api..lab', 'api_lab.example', '-api.lab'].map((d) => (p: ClusterProject) => {
      p.spec.apiEndpoint.dnsName = d;
    }),
    clean: ['api.lab.example', 'API.Lab.example.'].map((d) => (p: ClusterProject) => {
      p.spec.apiEndpoint.dnsName = d;
    }),
  },
  LB_PORT_CLASH: {
    trigger: [
      (p) => (p.spec.apiEndpoint.port = 6443),
      (p) => Object.assign(p.spec.apiEndpoint, { pattern: 'keepalived-nginx', port: 6443 }),
      (p) => {
        p.spec.hosts[0]!.roles.push('lb');
        p.spec.hosts.push(host('lb2', '10.77.0.6', ['lb']));
        Object.assign(p.spec.apiEndpoint, { pattern: 'dedicated-lb', port: 6443 });
      },
    ],
    clean: [
      (p) => Object.assign(p.spec.apiEndpoint, { pattern: 'keepalived-nginx', port: 16443 }),
      (p) => {
        p.spec.hosts.push(host('lb1', '10.77.0.5', ['lb']), host('lb2', '10.77.0.6', ['lb']));
        Object.assign(p.spec.apiEndpoint, { pattern: 'dedicated-lb', port: 6443 });
      },
    ],
  },
  NODE_LOCAL_PORT: {
    trigger: [
      (p) => Object.assign(p.spec.apiEndpoint, { pattern: 'node-local', vip: undefined, port: 8443 }),
    ],
    clean: [(p) => Object.assign(p.spec.apiEndpoint, { pattern: 'node-local', vip: undefined, port: 6443 })],
  },
  LB_HOSTS_MISSING: {
    trigger: [(p) => Object.assign(p.spec.apiEndpoint, { pattern: 'dedicated-lb', port: 6443 })],
    clean: [
      (p) => {
        p.spec.hosts.push(host('lb1', '10.77.0.5', ['lb']), host('lb2', '10.77.0.6', ['lb']));
        Object.assign(p.spec.apiEndpoint, { pattern: 'dedicated-lb', port: 6443 });
      },
    ],
  },
  LB_SINGLE_HOST: {
    trigger: [
      (p) => {
        p.spec.hosts.push(host('lb1', '10.77.0.5', ['lb']));
        Object.assign(p.spec.apiEndpoint, { pattern: 'dedicated-lb', port: 6443 });
      },
    ],
    clean: [
      (p) => {
        p.spec.hosts.push(host('lb1', '10.77.0.5', ['lb']), host('lb2', '10.77.0.6', ['lb']));
        Object.assign(p.spec.apiEndpoint, { pattern: 'dedicated-lb', port: 6443 });
      },
    ],
  },
  LB_NO_SHARED_ADDRESS: {
    trigger: [
      (p) => {
        p.spec.hosts.push(host('lb1', '10.77.0.5', ['lb']), host('lb2', '10.77.0.6', ['lb']));
        Object.assign(p.spec.apiEndpoint, {
          pattern: 'dedicated-lb',
          port: 6443,
          vip: undefined,
          lbKeepalived: false,
        });
      },
    ],
    clean: [
      (p) => {
        p.spec.hosts.push(host('lb1', '10.77.0.5', ['lb']), host('lb2', '10.77.0.6', ['lb']));
        Object.assign(p.spec.apiEndpoint, {
          pattern: 'dedicated-lb',
          port: 6443,
          vip: undefined,
          lbKeepalived: false,
          dnsName: 'api.lab.example',
        });
      },
    ],
  },
  LB_ON_CONTROL_PLANE: {
    trigger: [
      (p) => {
        p.spec.hosts[0]!.roles.push('lb');
        p.spec.hosts.push(host('lb2', '10.77.0.6', ['lb']));
        Object.assign(p.spec.apiEndpoint, { pattern: 'dedicated-lb', port: 8443 });
      },
    ],
    clean: [
      (p) => {
        p.spec.hosts.push(host('lb1', '10.77.0.5', ['lb']), host('lb2', '10.77.0.6', ['lb']));
        Object.assign(p.spec.apiEndpoint, { pattern: 'dedicated-lb', port: 6443 });
      },
    ],
  },
  VRRP_ROUTER_ID_INVALID: {
    // The schema rejects these in files; the validator still guards models built in memory.
    trigger: [(p) => (p.spec.apiEndpoint.vrrp.routerId = 0), (p) => (p.spec.apiEndpoint.vrrp.routerId = 256)],
    clean: [(p) => (p.spec.apiEndpoint.vrrp.routerId = 255)],
  },
  VRRP_ROUTER_ID_UNIQUE: {
    trigger: [() => {}],
    clean: [(p) => Object.assign(p.spec.apiEndpoint, { pattern: 'kube-vip' })],
  },
  POD_CIDR_INVALID: {
    trigger: ['10.244.0.0', '10.244.0.0/33', '10.244.1.0/16', 'pods'].map((c) => (p: ClusterProject) => {
      p.spec.networking.podCidr = c;
    }),
    clean: [(p) => (p.spec.networking.podCidr = '10.200.0.0/16')],
  },
  SERVICE_CIDR_INVALID: {
    trigger: ['10.96.0.0', '10.96.0.1/12'].map((c) => (p: ClusterProject) => {
      p.spec.networking.serviceCidr = c;
    }),
    clean: [(p) => (p.spec.networking.serviceCidr = '10.96.0.0/16')],
  },
  POD_SERVICE_OVERLAP: {
    trigger: [
      (p) => (p.spec.networking.podCidr = '10.96.0.0/16'),
      (p) => (p.spec.networking.podCidr = '10.0.0.0/8'),
      // Inside the service range without sharing its first address.
      (p) => (p.spec.networking.podCidr = '10.100.0.0/16'),
    ],
    clean: [(p) => (p.spec.networking.podCidr = '10.112.0.0/16')],
  },
  POD_HOST_OVERLAP: {
    trigger: [
      (p) => (p.spec.networking.podCidr = '10.77.0.0/16'),
      (p) => {
        p.spec.networking.hostPrefix = 16;
        p.spec.networking.podCidr = '10.77.128.0/20';
      },
    ],
    // The host /24 ends at 10.77.0.255: 10.77.1.0/24 is next to it, not on it.
    clean: [(p) => (p.spec.networking.podCidr = '10.77.128.0/17')],
  },
  SERVICE_HOST_OVERLAP: {
    trigger: [
      (p) => (p.spec.networking.serviceCidr = '10.77.0.0/16'),
      (p) => (p.spec.networking.serviceCidr = '10.77.0.128/25'),
    ],
    clean: [(p) => (p.spec.networking.serviceCidr = '10.78.0.0/16')],
  },
  VIP_IN_CLUSTER_NETWORK: {
    trigger: [
      (p) => Object.assign(p.spec.apiEndpoint, { pattern: 'external', vip: '10.96.0.5', port: 6443 }),
    ],
    clean: [
      (p) => Object.assign(p.spec.apiEndpoint, { pattern: 'external', vip: '10.77.0.200', port: 6443 }),
    ],
  },
  IP_FAMILY_MISMATCH: {
    trigger: [
      (p) => (p.spec.networking.podCidr = 'fd00:10:244::/56'),
      (p) => (p.spec.networking.serviceCidr = 'fd00:10:96::/112'),
      (p) => (p.spec.hosts[4]!.address = 'fd77::22'),
    ],
    clean: [
      // All IPv6: nodes, VIP, pod and service ranges.
      (p) => {
        p.spec.hosts.forEach((h, i) => (h.address = `fd77::${11 + i}`));
        p.spec.apiEndpoint.vip = 'fd77::10';
        Object.assign(p.spec.networking, { podCidr: 'fd00:10:244::/56', serviceCidr: 'fd00:10:96::/112' });
      },
      // An IPv6 bastion or etcd host is not a node: only nodes must agree.
      (p) => p.spec.hosts.push(host('jump', 'fd77::2', ['bastion'])),
    ],
  },
  SERVICE_CIDR_TOO_LARGE: {
    trigger: [(p) => (p.spec.networking.serviceCidr = '10.64.0.0/11')],
    clean: [(p) => (p.spec.networking.serviceCidr = '10.96.0.0/12')],
  },
  POD_CIDR_NODE_ROOM: {
    trigger: [
      (p) => Object.assign(p.spec.networking, { cni: 'flannel', podCidr: '10.244.0.0/25' }),
      // 5 nodes, but a /23 holds only two /24 blocks.
      (p) => Object.assign(p.spec.networking, { cni: 'flannel', podCidr: '10.244.0.0/23' }),
      (p) => Object.assign(p.spec.networking, { cni: 'calico', podCidr: '10.244.0.0/27' }),
    ],
    clean: [
      (p) => Object.assign(p.spec.networking, { cni: 'flannel', podCidr: '10.244.0.0/21' }),
      // Calico hands out /26 blocks on demand, not a /24 per node.
      (p) => Object.assign(p.spec.networking, { cni: 'calico', podCidr: '10.244.0.0/25' }),
    ],
  },
  FLANNEL_POD_CIDR_CUSTOM: {
    trigger: [(p) => Object.assign(p.spec.networking, { cni: 'flannel', podCidr: '10.200.0.0/16' })],
    clean: [
      (p) => Object.assign(p.spec.networking, { cni: 'flannel', podCidr: '10.244.0.0/16' }),
      (p) => Object.assign(p.spec.networking, { cni: 'calico', podCidr: '10.200.0.0/16' }),
    ],
  },
  DNS_DOMAIN_INVALID: {
    trigger: ['Cluster.Local', 'cluster..local', ''].map((d) => (p: ClusterProject) => {
      p.spec.networking.dnsDomain = d;
    }),
    clean: [(p) => (p.spec.networking.dnsDomain = 'k8s.internal')],
  },
  PROXY_IPVS_DEPRECATED: {
    trigger: [(p) => (p.spec.networking.kubeProxyMode = 'ipvs')],
    clean: ['nftables', 'iptables'].map((mode) => (p: ClusterProject) => {
      p.spec.networking.kubeProxyMode = mode as 'nftables';
    }),
  },
  KUBE_VIP_PORT: {
    trigger: [
      (p) => Object.assign(p.spec.apiEndpoint, { pattern: 'kube-vip', port: 8443 }),
      (p) => Object.assign(p.spec.apiEndpoint, { pattern: 'kube-vip', port: 16443 }),
    ],
    clean: [
      (p) => Object.assign(p.spec.apiEndpoint, { pattern: 'kube-vip', port: 6443 }),
      (p) => Object.assign(p.spec.apiEndpoint, { pattern: 'external', port: 8443, dnsName: 'api.example' }),
    ],
  },
  SSH_VIA_UNKNOWN: {
    trigger: [(p) => (p.spec.hosts[0]!.ssh.via = 'jump')],
    clean: [
      (p) => {
        p.spec.hosts.push(host('jump', '10.77.0.2', ['bastion']));
        p.spec.hosts[0]!.ssh.via = 'jump';
      },
    ],
  },
  SSH_VIA_NOT_BASTION: { trigger: [(p) => (p.spec.hosts[3]!.ssh.via = 'cp1')], clean: [() => {}] },
  SSH_VIA_CYCLE: {
    trigger: [
      (p) => {
        p.spec.hosts.push(
          host('jump1', '10.77.0.2', ['bastion'], {
            ssh: { port: 22, user: 'root', auth: { type: 'agent' }, via: 'jump2' },
          }),
          host('jump2', '10.77.0.3', ['bastion'], {
            ssh: { port: 22, user: 'root', auth: { type: 'agent' }, via: 'jump1' },
          }),
        );
        p.spec.hosts[0]!.ssh.via = 'jump1';
      },
      (p) => {
        p.spec.hosts.push(
          host('jump', '10.77.0.2', ['bastion'], {
            ssh: { port: 22, user: 'root', auth: { type: 'agent' }, via: 'jump' },
          }),
        );
      },
    ],
    clean: [
      // A chain (jump2 reached through jump1) is fine.
      (p) => {
        p.spec.hosts.push(
          host('jump1', '10.77.0.2', ['bastion']),
          host('jump2', '10.77.0.3', ['bastion'], {
            ssh: { port: 22, user: 'root', auth: { type: 'agent' }, via: 'jump1' },
          }),
        );
        p.spec.hosts[0]!.ssh.via = 'jump2';
      },
    ],
  },
  BASTION_UNUSED: {
    trigger: [(p) => p.spec.hosts.push(host('jump', '10.77.0.2', ['bastion']))],
    clean: [
      (p) => {
        p.spec.hosts.push(host('jump', '10.77.0.2', ['bastion']));
        p.spec.hosts[0]!.ssh.via = 'jump';
      },
    ],
  },
  K8S_VERSION_INVALID: {
    trigger: ['v1.37', 'latest', '1.37.2-rc.0'].map((v) => (p: ClusterProject) => {
      p.spec.kubernetesVersion = v;
    }),
    clean: [(p) => (p.spec.kubernetesVersion = '1.37.2')],
  },
  K8S_VERSION_UNSUPPORTED: {
    // 1.34 ended on 2026-10-27; 1.30 long before; 1.38 does not exist yet.
    trigger: ['1.34', '1.34.3', '1.30', '1.38.0', '2.0'].map((v) => (p: ClusterProject) => {
      p.spec.kubernetesVersion = v;
    }),
    clean: ['1.35', '1.36.3', '1.37'].map((v) => (p: ClusterProject) => {
      p.spec.kubernetesVersion = v;
    }),
  },
  CGROUP_V1_ALLOWED: {
    trigger: [(p) => (p.spec.kubelet.allowCgroupV1 = true)],
    clean: [(p) => (p.spec.kubelet.allowCgroupV1 = false)],
  },
  CONTAINERD_1_UNSUPPORTED: {
    trigger: [(p) => (p.spec.containerd.major = '1')],
    clean: [(p) => (p.spec.containerd.major = '2')],
  },
  K8S_VERSION_END_OF_LIFE: {
    // The day after 1.35's last day of support.
    today: '2027-03-01',
    trigger: ['1.35', '1.35.4'].map((v) => (p: ClusterProject) => {
      p.spec.kubernetesVersion = v;
    }),
    clean: [(p) => (p.spec.kubernetesVersion = '1.36'), (p) => (p.spec.kubernetesVersion = '1.37.2')],
  },
  SSH_USER_INVALID: {
    trigger: ['', 'ro ot', 'root;id', '-root', "o'brien", 'x'.repeat(65)].map(
      (user) => (p: ClusterProject) => {
        p.spec.hosts[0]!.ssh.user = user;
      },
    ),
    clean: ['root', 'deploy', 'first.last', 'admin@corp.example', '_svc-1'].map(
      (user) => (p: ClusterProject) => {
        p.spec.hosts[0]!.ssh.user = user;
      },
    ),
  },
  LABEL_INVALID: {
    // kubelet refuses these at join time; the canvas says so now.
    trigger: (<Record<string, string>[]>[
      { 'zone=a': 'x' },
      { zone: 'rack 1' },
      { zone: 'x'.repeat(64) },
      { 'Example.com/zone': 'a' },
      { '/zone': 'a' },
      { 'example.com/': 'a' },
      { zone: '-a' },
      { 'a/b/c': 'x' },
    ]).map((labels) => (p: ClusterProject) => {
      p.spec.hosts[3]!.labels = labels;
    }),
    clean: (<Record<string, string>[]>[
      { zone: 'rack-1' },
      { 'topology.kubernetes.io/zone': 'eu-1a' },
      { 'example.com/gpu': '' },
      { a: 'x'.repeat(63) },
      { 'A_b.c-D': 'Z.9_x' },
    ]).map((labels) => (p: ClusterProject) => {
      p.spec.hosts[3]!.labels = labels;
    }),
  },
  TAINT_INVALID: {
    trigger: [
      { key: 'dedicated gpu', effect: 'NoSchedule' as const },
      { key: 'dedicated', value: 'a:b', effect: 'NoSchedule' as const },
      { key: 'x/y/z', effect: 'NoExecute' as const },
    ].map((taint) => (p: ClusterProject) => {
      p.spec.hosts[3]!.taints = [taint];
    }),
    clean: [
      { key: 'dedicated', value: 'gpu', effect: 'NoSchedule' as const },
      { key: 'example.com/maintenance', effect: 'NoExecute' as const },
    ].map((taint) => (p: ClusterProject) => {
      p.spec.hosts[3]!.taints = [taint];
    }),
  },
  VRRP_INTERFACE_INVALID: {
    trigger: ['', 'eth0 ', 'eth0:1', 'a/b', '.', '..', 'x'.repeat(16), 'e"th0', 'eth$0', 'ethé'].map(
      (name) => (p: ClusterProject) => {
        p.spec.apiEndpoint.vrrp.interface = name;
      },
    ),
    // Linux allows these; keepalived.conf gets them quoted (see the escaper tests).
    clean: ['eth0', 'ens192', 'bond0.100', 'br-ex', 'x'.repeat(15), 'we{ird}#1'].map(
      (name) => (p: ClusterProject) => {
        p.spec.apiEndpoint.vrrp.interface = name;
      },
    ),
  },
  PACKAGES_MIRROR_URL_INVALID: {
    trigger: [
      'mirror.example/repo',
      'ftp://mirror.example/repo',
      'http://user:pw@mirror.example/repo',
      'http://mirror.example/repo?x=1',
      'http://mirror.example/repo#top',
      'http://mirror.example/my repo',
      'http://mirror.example/$releasever',
      'http://mirror.example:99999/',
      'http://-bad.example/',
      'http://300.1.1.1/',
    ].map((mirrorUrl) => (p: ClusterProject) => {
      p.spec.packages = { source: 'mirror', mirrorUrl };
    }),
    clean: [
      'http://10.77.0.3/repo',
      'https://mirror.example:8443/keelson/',
      'http://[fd77::3]:8080/repo',
      'http://mirror.example/a%20b/~user',
    ].map((mirrorUrl) => (p: ClusterProject) => {
      p.spec.packages = { source: 'mirror', mirrorUrl };
    }),
  },
  IMAGE_REPOSITORY_INVALID: {
    trigger: [
      'registry.example/K8s',
      'registry.example//k8s',
      'registry.example/k8s/',
      'registry.example/k8s:v1',
      'registry.example/k8s@sha256',
      'https://registry.example/k8s',
      'reg istry',
      'registry.example:0/k8s',
    ].map((imageRepository) => (p: ClusterProject) => {
      p.spec.packages = { source: 'online', imageRepository };
    }),
    clean: ['registry.k8s.io', 'registry.example:5000/k8s', '10.77.0.3:5000', 'r.example/a__b/c-d.e'].map(
      (imageRepository) => (p: ClusterProject) => {
        p.spec.packages = { source: 'online', imageRepository };
      },
    ),
  },
  REGISTRY_MIRROR_INVALID: {
    trigger: ['mirror.example', 'https://mirror.example/"x', 'https://mirror.example/a b'].map(
      (url) => (p: ClusterProject) => {
        p.spec.containerd.registryMirrors = [url];
      },
    ),
    clean: ['https://mirror.example', 'http://10.77.0.3:5000'].map((url) => (p: ClusterProject) => {
      p.spec.containerd.registryMirrors = [url];
    }),
  },
  VALIDATOR_INTERNAL: {
    // A model no schema would let through (roles missing): the validator reports, never throws.
    trigger: [(p) => ((p.spec.hosts[0] as { roles?: unknown }).roles = undefined)],
    clean: [() => {}],
  },
};

const codesOf = (project: ClusterProject, today = TODAY) =>
  validateCluster(project, { today }).map((f) => f.code);

describe('validation codes', () => {
  it('has a trigger and a near-miss case for every documented code', () => {
    expect(Object.keys(CASES).sort()).toEqual(Object.keys(FINDING_CODES).sort());
  });

  it('the base design used by these cases is clean apart from the VRRP reminder', () => {
    expect(codesOf(baseProject())).toEqual(['VRRP_ROUTER_ID_UNIQUE']);
  });

  for (const [code, { trigger, clean, today = TODAY }] of Object.entries(CASES)) {
    describe(code, () => {
      trigger.forEach((change, i) => {
        it(`is reported (case ${i + 1})`, () => {
          const found = validateCluster(variant(change), { today }).filter((f) => f.code === code);
          expect(found.length).toBeGreaterThan(0);
          for (const f of found) {
            expect(f.severity).toBe(FINDING_CODES[code]!.severity);
            expect(f.message.length).toBeGreaterThan(10);
          }
        });
      });
      clean.forEach((change, i) => {
        it(`is not reported for the near-miss (case ${i + 1})`, () => {
          expect(codesOf(variant(change), today)).not.toContain(code);
        });
      });
    });
  }
});

describe('findings that speak about several hosts, and new hosts', () => {
  const about = (change: Change, code: string) =>
    validateCluster(variant(change), { today: TODAY }).filter((f) => f.code === code);

  it('a new host without an address is told so, not that "" is not an IP address', () => {
    const [f] = about((p) => (p.spec.hosts[0]!.address = ''), 'HOST_ADDRESS_INVALID');
    expect(f!.message).toBe('Host cp1 has no address yet.');
    const [g] = about((p) => (p.spec.hosts[0]!.address = '10.77.0'), 'HOST_ADDRESS_INVALID');
    expect(g!.message).toContain('"10.77.0" is not an IP address');
  });

  it('a shared address names every host that has it; an even count names every member', () => {
    const [dup] = about(
      (p) => (p.spec.hosts[1]!.address = p.spec.hosts[0]!.address),
      'HOST_ADDRESS_DUPLICATE',
    );
    expect(dup!.hosts).toEqual(['cp1', 'cp2']);
    const [even] = about(
      (p) => p.spec.hosts.push(host('cp4', '10.77.0.14', ['control-plane'])),
      'CP_COUNT_EVEN',
    );
    expect(even!.hosts).toEqual(['cp1', 'cp2', 'cp3', 'cp4']);
  });
});
