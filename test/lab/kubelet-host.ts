// LAB-ONLY: what lets a lab host (a systemd-nspawn container on a shared kernel) run containerd
// and a kubelet. None of this is needed, or done, on a real server: every setting here stands in
// for something a real machine simply has (its own kernel, its own cgroups, its own /dev/kmsg).
// This file is the one place these settings live.
import { existsSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { must, run } from './run';

/** Extra systemd-nspawn arguments for a host that runs a kubelet (each with its reason). */
export function kubeletHostNspawnArgs(containerdDir: string, kubeletDir: string): string[] {
  return [
    // /dev/kmsg: the kubelet's OOM watcher reads it; opening it needs CAP_SYSLOG.
    '--capability=CAP_SYSLOG',
    '--bind=/dev/kmsg',
    // runc creates session keyrings for containers; nspawn's default filter blocks them.
    '--system-call-filter=@keyring',
    // containerd's overlay snapshots cannot sit on the host's overlay root (not an upperdir fs).
    `--bind=${containerdDir}:/var/lib/containerd`,
    // Pod volumes and the kubelet's own state on a real filesystem, as kind does with /var.
    `--bind=${kubeletDir}:/var/lib/kubelet`,
  ];
}

/**
 * nspawn's environment for such a host: only /proc/sys/net writable, as for every lab host. With
 * `yes` (KUBELET-NOTES item 8) nspawn mounts the machine's own sysfs, so /sys/class/net showed the
 * machine's interfaces (every host then reported the machine's MAC to the preflight). The kernel-
 * wide values the kubelet wants are set on the machine instead (MACHINE_SYSCTLS), so it only reads.
 */
export const KUBELET_HOST_VFS_WRITABLE = 'network';

/** cgroup v1 controllers mounted on this machine, one hierarchy each (KUBELET-NOTES item 2). */
export function cgroupV1Controllers(): { name: string; mount: string; path: string }[] {
  const out: { name: string; mount: string; path: string }[] = [];
  for (const line of readFileSync('/proc/self/cgroup', 'utf8').trim().split('\n')) {
    const m = /^\d+:([^:]+):(.*)$/.exec(line);
    if (!m || m[1]!.startsWith('name=')) continue;
    const name = m[1]!;
    const mount = join('/sys/fs/cgroup', name);
    if (existsSync(join(mount, 'cgroup.procs'))) out.push({ name, mount, path: m[2]! });
  }
  return out;
}

/**
 * Directories below this process's cgroup in every v1 controller hierarchy for `leaf`
 * (keelson-lab-K/HOST): without them containers of different hosts would share /kubepods at the
 * machine's top level, and each kubelet would delete the others' pod cgroups as orphans.
 * cpuset needs its cpus and mems copied down level by level before any process can enter.
 */
export function controllerCgroupDirs(leaf: string): string[] {
  const dirs: string[] = [];
  for (const c of cgroupV1Controllers()) {
    let dir = join(c.mount, c.path);
    for (const part of leaf.split('/')) {
      const parent = dir;
      dir = join(dir, part);
      if (!existsSync(dir)) mkdirSync(dir);
      if (c.name === 'cpuset') {
        for (const f of ['cpuset.cpus', 'cpuset.mems']) {
          if (readFileSync(join(dir, f), 'utf8').trim() === '') {
            writeFileSync(join(dir, f), readFileSync(join(parent, f), 'utf8'));
          }
        }
      }
    }
    dirs.push(dir);
  }
  return dirs;
}

/** Writes into the host's root what its own boot must do before containerd and the kubelet start. */
export function prepareKubeletHostRoot(root: string): void {
  const unitDir = join(root, 'etc/systemd/system');
  // nspawn mounts the v1 controllers read-only without a user namespace (KUBELET-NOTES item 1);
  // runc and the kubelet write them. And / shared, so the kubelet's pod mounts propagate.
  writeFileSync(
    join(unitDir, 'keelson-lab-kubelet-host.service'),
    [
      '[Unit]',
      'Description=LAB-ONLY: writable cgroup controllers and a shared root for the kubelet',
      'DefaultDependencies=no',
      'Before=sysinit.target containerd.service kubelet.service',
      '',
      '[Service]',
      'Type=oneshot',
      'RemainAfterExit=yes',
      'ExecStart=/bin/sh -c \'for c in /sys/fs/cgroup/*; do case $c in */systemd|*/unified) ;; *) mount -o remount,bind,rw "$c" ;; esac; done; mount --make-rshared /\'',
      '',
      '[Install]',
      'WantedBy=sysinit.target',
      '',
    ].join('\n'),
  );
  mkdirSync(join(unitDir, 'sysinit.target.wants'), { recursive: true });
  symlinkSync(
    '../keelson-lab-kubelet-host.service',
    join(unitDir, 'sysinit.target.wants/keelson-lab-kubelet-host.service'),
  );
  // They would write kernel-wide settings the host cannot change (and boot it degraded).
  for (const unit of ['procps.service', 'systemd-binfmt.service']) {
    const path = join(unitDir, unit);
    if (!existsSync(path)) symlinkSync('/dev/null', path);
  }
  // containerd: CAP_SYS_RESOURCE is outside this machine's bounding set, so no pod sandbox may
  // lower its oom_score_adj (item 5). containerd 2.x reads drop-ins from conf.d.
  mkdirSync(join(root, 'etc/containerd/conf.d'), { recursive: true });
  writeFileSync(
    join(root, 'etc/containerd/conf.d/99-keelson-lab-only.toml'),
    [
      '# LAB-ONLY (Keelson lab host): this machine cannot grant CAP_SYS_RESOURCE to a container,',
      '# so pods may not lower oom_score_adj. A real server never needs this file.',
      'version = 3',
      "[plugins.'io.containerd.cri.v1.runtime']",
      '  restrict_oom_score_adj = true',
      '',
    ].join('\n'),
  );
}

/**
 * Kernel-wide values the kubelet insists on (it refuses to start otherwise) and kube-proxy reads
 * (it writes nf_conntrack_max only when lower, and cannot from a host's namespace). They belong
 * to the one shared kernel: set on the machine for the lab's lifetime, restored by `restore`.
 */
export const MACHINE_SYSCTLS: Record<string, string> = {
  'vm.overcommit_memory': '1',
  'kernel.panic': '10',
  'kernel.panic_on_oops': '1',
};

/**
 * Kernel-wide limits a kubelet lab needs at least (raised, never lowered; a key this kernel lacks,
 * such as nf_conntrack_max before the module loads, is left alone). Every host's systemd,
 * containerd and kubelet take inotify instances from one per-user limit (128 by default): with a
 * kubelet lab up, other labs' hosts failed to boot with "Failed to create control group inotify
 * object: Too many open files".
 */
export const MACHINE_SYSCTL_MINIMUMS: Record<string, number> = {
  'fs.inotify.max_user_instances': 8192,
  'fs.inotify.max_user_watches': 524288,
  'net.netfilter.nf_conntrack_max': 131072,
};

/** The machine's own values before the first kubelet lab changed them; slots.sh restores them. */
export const MACHINE_SYSCTLS_FILE = '/run/keelson-lab/machine-sysctls';

export async function setMachineSysctls(): Promise<void> {
  const previous: Record<string, string> = {};
  for (const [key, value] of Object.entries(MACHINE_SYSCTLS)) {
    previous[key] = (await must('sysctl', ['-n', key])).trim();
    if (previous[key] !== value) await must('sysctl', ['-q', '-w', `${key}=${value}`]);
  }
  for (const [key, least] of Object.entries(MACHINE_SYSCTL_MINIMUMS)) {
    const now = await run('sysctl', ['-n', key]);
    if (now.code !== 0 || Number(now.stdout.trim()) >= least) continue;
    previous[key] = now.stdout.trim();
    await must('sysctl', ['-q', '-w', `${key}=${least}`]);
  }
  // Only the first lab records: a second one would record the first one's values.
  if (!existsSync(MACHINE_SYSCTLS_FILE)) {
    writeFileSync(
      MACHINE_SYSCTLS_FILE,
      Object.entries(previous)
        .map(([k, v]) => `${k}=${v}\n`)
        .join(''),
    );
  }
}
