// A cluster template bound to a running lab: the template's hosts take the lab hosts' addresses,
// SSH ports and bastions in order (cp1 → h1, cp2 → h2, …), log in with the lab's key, and the VIP
// moves into the lab's subnet. Used by `npm run lab -- project TEMPLATE` and by the deploy tests,
// so what a person tries by hand is what the tests run.
import { statfsSync } from 'node:fs';
import type { ClusterProject } from '../../shared/model/cluster';

/** statfs(2) type of /sys/fs/cgroup on a unified-hierarchy (cgroup v2) host. */
const CGROUP2_SUPER_MAGIC = 0x63677270;

/**
 * Lab hosts share this machine's kernel and cgroup mounts, so on a cgroup v1 machine they are
 * cgroup v1 too, and the kubelet (1.35+) would refuse them: lab projects then allow it, as a
 * user with such hosts would (spec.kubelet.allowCgroupV1, deprecated, with its warning).
 */
export const labHostsOnCgroupV1 = (): boolean => statfsSync('/sys/fs/cgroup').type !== CGROUP2_SUPER_MAGIC;

/** What binding needs from a lab (a Lab, or the state.json `npm run lab -- up` leaves). */
export interface LabBinding {
  slot: number;
  keyPath: string;
  hosts: { name: string; address: string; sshPort: number; bastion?: string }[];
}

export interface BindOptions {
  /** Log in as root (default) or as the lab's sudo user `deploy`, whose sudo password is the secret `sudoPasswordRef`. */
  user?: 'root' | 'deploy';
  sudoPasswordRef?: string;
}

export function bindTemplate(
  template: ClusterProject,
  lab: LabBinding,
  options: BindOptions = {},
): ClusterProject {
  const hosts = template.spec.hosts;
  if (hosts.length > lab.hosts.length) {
    throw new Error(
      `the template has ${hosts.length} hosts and the lab ${lab.hosts.length}: start it with --hosts ${hosts.length}`,
    );
  }
  const nameOfLabHost = new Map(lab.hosts.map((h, i) => [h.name, hosts[i]?.name]));
  const user = options.user ?? 'root';
  const bound = hosts.map((h, i) => {
    const l = lab.hosts[i]!;
    const via = l.bastion ? nameOfLabHost.get(l.bastion) : h.ssh.via;
    return {
      ...h,
      address: l.address,
      ssh: {
        port: l.sshPort,
        user,
        auth: { type: 'key' as const, keyFile: lab.keyPath },
        ...(via ? { via } : {}),
        ...(user === 'deploy' ? { sudoPasswordRef: options.sudoPasswordRef ?? 'lab-deploy-sudo' } : {}),
      },
    };
  });
  const inLab = (address: string | undefined) =>
    address && /^10\.77\.\d+\.\d+$/.test(address)
      ? address.replace(/^10\.77\.\d+\./, `10.77.${lab.slot}.`)
      : address;
  const ep = template.spec.apiEndpoint;
  return {
    ...template,
    spec: {
      ...template.spec,
      hosts: bound,
      apiEndpoint: { ...ep, ...(ep.vip ? { vip: inLab(ep.vip) } : {}) },
      kubelet: {
        ...template.spec.kubelet,
        allowCgroupV1: template.spec.kubelet.allowCgroupV1 || labHostsOnCgroupV1(),
      },
    },
  };
}
