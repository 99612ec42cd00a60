// A multi-host lab on one machine: N systemd-nspawn Debian hosts with their own IPs, systemd and
// real OpenSSH, on a bridge the root namespace (the operator's workstation) reaches at 10.77.K.1.
//
//   const lab = await startLab({ hosts: 3, sshPorts: { h2: 2222 }, behindBastion: { h3: 'h1' } });
//   try { … ssh root@lab.host('h1').address … } finally { await lab.stop(); }
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import type { Server } from 'node:http';
import { join } from 'node:path';
import { APT_PORT, serveDirectory } from './apt-server';
import {
  bootHost,
  containerInit,
  hostCgroupDirs,
  waitForBanner,
  waitForLoginsAllowed,
  whyNoBanner,
} from './boot';
import { ensureBase, ensureRepo, KUBELET_BASE_PACKAGES, KUBELET_REPO_PACKAGES } from './images';
import {
  controllerCgroupDirs,
  KUBELET_HOST_VFS_WRITABLE,
  kubeletHostNspawnArgs,
  prepareKubeletHostRoot,
  setMachineSysctls,
} from './kubelet-host';
import {
  createSwitch,
  deadEndGateway,
  plugHost,
  restrictSshToBastion,
  setCable,
  setPacketLoss,
  switchNetns,
  labPrefix,
} from './network';
import { hashPassword, mountOverlay, personalize } from './rootfs';
import { must, run, type RunResult } from './run';
import { claimSlot, slotDir, startTime, teardownSlot, teardownSlotSync, TeardownList } from './state';

export interface LabOptions {
  /** How many hosts (named h1…hN), or their names. Default 3. */
  hosts?: number | string[];
  /** SSH port per host name; the others listen on 22. */
  sshPorts?: Record<string, number>;
  /** host name → bastion host name: the host accepts SSH only from its bastion. */
  behindBastion?: Record<string, string>;
  /** Extra Debian packages baked into the host image (a separate cached base). */
  imagePackages?: string[];
  /** Extra Debian packages for the offline apt repository (on top of DEFAULT_REPO_PACKAGES). */
  repoPackages?: string[];
  /** Seconds to wait for every sshd. Default 300: 120 was seen too little at load 25–45 on 2 shared cores. */
  bootTimeoutSeconds?: number;
  /** Marks the slot for `slots.sh cleanup --kind` (the CLI uses "cli"). Default "test". */
  kind?: string;
  /**
   * Hosts that can run containerd and a kubelet (LAB-ONLY settings in kubelet-host.ts: their own
   * cgroups in every controller, /var/lib/containerd and /var/lib/kubelet off the overlay,
   * /dev/kmsg, keyrings, kernel-wide sysctls the kubelet insists on). Default false.
   */
  kubelet?: boolean;
  /** Progress lines (never contain secrets). Default: silent. */
  log?: (line: string) => void;
}

export interface LabHost {
  name: string;
  address: string;
  sshPort: number;
  /** Network namespace (under /run/netns) the host lives in. */
  netns: string;
  /** Private key root (and deploy) accept. */
  rootKeyPath: string;
  /** The non-root sudo user; sudo asks for `password`. */
  user: string;
  password: string;
  /** The host's ed25519 public host key ("ssh-ed25519 AAAA… root@NAME"). */
  hostKey: string;
  /** Name of the bastion this host only accepts SSH from, if any. */
  bastion?: string;
  /** The container's PID 1 (in the root PID namespace). */
  pid: number;
}

export interface LabFigures {
  baseBuildSeconds: number;
  baseBuiltNow: boolean;
  repoBuildSeconds: number;
  repoBuiltNow: boolean;
  /** From the first nspawn started until every sshd sent its banner. */
  bootSeconds: number;
  /** From startLab() call to return. */
  startSeconds: number;
}

export interface Lab {
  slot: number;
  /** The root namespace's address on the lab subnet (where the apt repository is served). */
  rootAddress: string;
  subnet: string;
  hosts: LabHost[];
  /** Private key for root@ and deploy@ every host (OpenSSH format). */
  keyPath: string;
  /** known_hosts lines for every host (address and [address]:port forms). */
  knownHostsPath: string;
  /** OpenSSH client config with a Host entry per lab host (bastion hosts get ProxyJump): `ssh -F it h1`. */
  sshConfigPath: string;
  /** The deploy user's password, in a 0600 file (same for every host in this lab). */
  passwordFile: string;
  stateDir: string;
  figures: LabFigures;
  host(name: string): LabHost;
  /** Runs `sh -c command` as root inside the host (nsenter into its PID 1's namespaces). */
  exec(host: string, command: string, options?: { input?: string; timeoutMs?: number }): Promise<RunResult>;
  /** Like exec, but throws unless it exits 0; returns stdout. */
  sh(host: string, command: string): Promise<string>;
  /** Sets the host's switch-side veth down: the host drops off the network, as if unplugged. */
  cablePull(host: string): Promise<void>;
  cablePlug(host: string): Promise<void>;
  /** Randomly drops `percent` of the host's packets both ways (0 stops it). */
  dropPackets(host: string, percent: number): Promise<void>;
  /** `deb [trusted=yes] http://10.77.K.1:8080/ ./` */
  aptSourceLine(): string;
  /** Makes the lab repository the host's apt source (its only one), as an air-gapped host has. */
  useOfflineRepository(host: string): Promise<void>;
  /** Points the host at the lab repository and apt-get installs the packages. */
  installPackages(host: string, names: string[]): Promise<void>;
  /** OpenSSH client arguments (key, port, no host-key prompts, jump through the bastion if any). */
  sshArgs(host: string, user?: string): string[];
  /** Idempotent: kills only recorded PIDs, unmounts, deletes namespaces, links and route. */
  stop(): Promise<void>;
}

const SAFE_NAME = /^[a-z][a-z0-9-]{0,14}$/;

function hostNames(hosts: LabOptions['hosts']): string[] {
  const names = typeof hosts === 'number' || hosts === undefined ? range(hosts ?? 3) : hosts;
  if (names.length < 1 || names.length > 200) throw new Error(`lab: 1–200 hosts, got ${names.length}`);
  for (const n of names) {
    if (!SAFE_NAME.test(n)) throw new Error(`lab: host name "${n}" must match ${SAFE_NAME}`);
  }
  if (new Set(names).size !== names.length) throw new Error('lab: host names must be unique');
  return names;
}
function range(n: number): string[] {
  return Array.from({ length: n }, (_, i) => `h${i + 1}`);
}

function writeAtomic(path: string, text: string, mode = 0o644): void {
  writeFileSync(`${path}.tmp`, text, { mode });
  renameSync(`${path}.tmp`, path);
}

function sshConfig(hosts: LabHost[], keyPath: string, knownHostsPath: string): string {
  const entries = hosts.map((h) => {
    const jump = h.bastion ? hosts.find((b) => b.name === h.bastion) : undefined;
    return [
      `Host ${h.name}`,
      `  HostName ${h.address}`,
      `  Port ${h.sshPort}`,
      ...(jump ? [`  ProxyJump root@${jump.address}:${jump.sshPort}`] : []),
      '',
    ].join('\n');
  });
  const defaults = [
    'Host *',
    '  User root',
    `  IdentityFile ${keyPath}`,
    '  IdentitiesOnly yes',
    `  UserKnownHostsFile ${knownHostsPath}`,
    '  StrictHostKeyChecking yes',
    '  BatchMode yes',
    '',
  ].join('\n');
  // First match wins in ssh_config: per-host entries before the defaults.
  return `${entries.join('\n')}\n${defaults}`;
}

const liveLabs = new Set<number>();
let handlersInstalled = false;

/** A signal or exit must not leave namespaces, mounts or containers behind. */
function installHandlers(): void {
  if (handlersInstalled) return;
  handlersInstalled = true;
  const tearAll = () => {
    for (const slot of liveLabs) teardownSlotSync(slot);
    liveLabs.clear();
  };
  process.on('exit', tearAll);
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.once(signal, () => {
      tearAll();
      process.exit(128 + (signal === 'SIGINT' ? 2 : signal === 'SIGTERM' ? 15 : 1));
    });
  }
}

export async function startLab(options: LabOptions = {}): Promise<Lab> {
  const started = Date.now();
  const log = options.log ?? (() => undefined);
  const names = hostNames(options.hosts);
  const sshPorts = options.sshPorts ?? {};
  const behind = options.behindBastion ?? {};
  for (const [h, b] of Object.entries(behind)) {
    if (!names.includes(h) || !names.includes(b) || h === b) {
      throw new Error(`lab: behindBastion ${h} → ${b} must name two different lab hosts`);
    }
  }
  for (const [h, p] of Object.entries(sshPorts)) {
    if (!names.includes(h)) throw new Error(`lab: sshPorts names unknown host "${h}"`);
    if (!Number.isInteger(p) || p < 1 || p > 65535) throw new Error(`lab: bad SSH port ${p} for ${h}`);
  }

  const [base, repo] = await Promise.all([
    ensureBase([...(options.kubelet ? KUBELET_BASE_PACKAGES : []), ...(options.imagePackages ?? [])]),
    ensureRepo([...(options.kubelet ? KUBELET_REPO_PACKAGES : []), ...(options.repoPackages ?? [])]),
  ]);
  log(
    `base image ${base.dir} (${base.sizeMb} MB${base.builtNow ? `, built in ${base.buildSeconds} s` : ', cached'})`,
  );

  installHandlers();
  const slot = await claimSlot(options.kind ?? 'test');
  liveLabs.add(slot);
  const list = new TeardownList(slot);
  const dir = slotDir(slot);
  let server: Server | undefined;
  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    await new Promise<void>((r) => (server ? server.close(() => r()) : r()));
    await teardownSlot(slot);
    liveLabs.delete(slot);
  };

  try {
    const rootAddress = `10.77.${slot}.1`;
    const address = (i: number) => `10.77.${slot}.${11 + i}`;
    const keyDir = join(dir, 'ssh');
    mkdirSync(keyDir, { mode: 0o700, recursive: true });
    const keyPath = join(keyDir, 'lab_ed25519');
    await must('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', `keelson-lab-${slot}`, '-f', keyPath]);
    const authorizedKey = readFileSync(`${keyPath}.pub`, 'utf8');
    const password = randomBytes(12).toString('base64url');
    const passwordFile = join(dir, 'deploy-password');
    writeAtomic(passwordFile, `${password}\n`, 0o600);
    const deployPasswordHash = await hashPassword(password);

    await createSwitch(slot, rootAddress, list);
    server = await serveDirectory(join(repo.dir, 'debs'), rootAddress);

    const hostsFile = names.map((n, i) => `${address(i)} ${n}\n`).join('');
    const prepared = await Promise.all(
      names.map(async (name, i) => {
        const netns = `${labPrefix(slot)}-${name}`;
        const hostDir = join(dir, 'hosts', name);
        const sshPort = sshPorts[name] ?? 22;
        const root = await mountOverlay(join(base.dir, 'rootfs'), hostDir, list);
        const hostKey = await personalize(root, keyDir, {
          name,
          sshPort,
          hostsFile,
          authorizedKey,
          deployPasswordHash,
        });
        await plugHost(slot, 11 + i, netns, address(i), list);
        // Every real server names a nameserver (preflight refuses a node without one: CoreDNS
        // exits "no valid upstream addresses"). One that does not exist keeps the lab air-gapped.
        writeFileSync(join(root, 'etc/resolv.conf'), `nameserver ${deadEndGateway(address(i))}\n`);
        if (options.kubelet) prepareKubeletHostRoot(root);
        return { name, i, netns, hostDir, sshPort, root, hostKey };
      }),
    );
    for (const h of prepared) {
      const bastion = behind[h.name];
      if (bastion) await restrictSshToBastion(h.netns, h.sshPort, address(names.indexOf(bastion)));
    }

    const bootStarted = Date.now();
    const deadline = bootStarted + (options.bootTimeoutSeconds ?? 300) * 1000;
    const hosts: LabHost[] = [];
    const slotCgroups = hostCgroupDirs(`keelson-lab-${slot}`);
    for (const dir of slotCgroups) list.cgroup(dir);
    if (options.kubelet) {
      await setMachineSysctls();
      for (const dir of controllerCgroupDirs(`keelson-lab-${slot}`)) list.cgroup(dir);
    }
    for (const h of prepared) {
      let boot: { args: string[]; vfsWritable: string } | undefined;
      const cgroups = slotCgroups.map((dir) => join(dir, h.name));
      if (options.kubelet) {
        const containerdDir = join(h.hostDir, 'containerd');
        const kubeletDir = join(h.hostDir, 'kubelet');
        mkdirSync(containerdDir, { recursive: true });
        mkdirSync(kubeletDir, { recursive: true });
        boot = {
          args: kubeletHostNspawnArgs(containerdDir, kubeletDir),
          vfsWritable: KUBELET_HOST_VFS_WRITABLE,
        };
        cgroups.push(...controllerCgroupDirs(`keelson-lab-${slot}/${h.name}`));
      }
      const nspawnPid = bootHost(h.root, h.name, h.netns, join(h.hostDir, 'nspawn.log'), cgroups, boot);
      list.pid(nspawnPid);
      const pid = await containerInit(nspawnPid, deadline);
      list.pid(pid);
      const bastion = behind[h.name];
      hosts.push({
        name: h.name,
        address: address(h.i),
        sshPort: h.sshPort,
        netns: h.netns,
        rootKeyPath: keyPath,
        user: 'deploy',
        password,
        hostKey: h.hostKey,
        pid,
        ...(bastion ? { bastion } : {}),
      });
    }
    await Promise.all(
      hosts.map((h) =>
        waitForBanner(
          h.address,
          h.sshPort,
          h.bastion ? `${labPrefix(slot)}-${h.bastion}` : undefined,
          deadline,
        ).catch((err: Error) => {
          throw new Error(`${err.message} (${whyNoBanner(h, join(dir, 'hosts', h.name), bootStarted)})`);
        }),
      ),
    );
    // sshd answers before boot has finished; until systemd-user-sessions removes /run/nologin,
    // PAM refuses every user but root (a password login as deploy is closed mid-login). A lab
    // hands out hosts that are fully up, as a real server is when someone deploys to it.
    await Promise.all(hosts.map((h) => waitForLoginsAllowed(h.name, h.pid, deadline)));
    const bootSeconds = (Date.now() - bootStarted) / 1000;
    log(
      `${hosts.length} hosts answered SSH and allowed logins ${bootSeconds.toFixed(1)} s after boot started`,
    );

    const knownHostsPath = join(keyDir, 'known_hosts');
    writeAtomic(
      knownHostsPath,
      hosts
        .map(
          (h) =>
            `${h.address},${h.name},[${h.address}]:${h.sshPort} ${h.hostKey.split(' ').slice(0, 2).join(' ')}\n`,
        )
        .join(''),
    );

    const sshConfigPath = join(keyDir, 'config');
    writeAtomic(sshConfigPath, sshConfig(hosts, keyPath, knownHostsPath));

    const byName = (name: string): LabHost => {
      const h = hosts.find((x) => x.name === name);
      if (!h) throw new Error(`lab: no host "${name}" (hosts: ${names.join(', ')})`);
      return h;
    };
    const exec: Lab['exec'] = (name, command, opts = {}) =>
      run(
        'nsenter',
        [
          '-t',
          String(byName(name).pid),
          '-a',
          'env',
          '-i',
          'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
          'HOME=/root',
          'LANG=C.UTF-8',
          'DEBIAN_FRONTEND=noninteractive',
          '/bin/sh',
          '-c',
          command,
        ],
        { input: opts.input, timeoutMs: opts.timeoutMs ?? 120_000 },
      );
    const sh: Lab['sh'] = async (name, command) => {
      const r = await exec(name, command);
      if (r.code !== 0) {
        throw new Error(
          `lab: on ${name}, \`${command}\` exited ${r.code}:\n${(r.stderr || r.stdout).trim()}`,
        );
      }
      return r.stdout;
    };
    const aptSourceLine = () => `deb [trusted=yes] http://${rootAddress}:${APT_PORT}/ ./`;
    const useOfflineRepository = async (name: string) => {
      await sh(name, `echo '${aptSourceLine()}' > /etc/apt/sources.list.d/keelson-lab.list`);
    };
    const sshArgs = (name: string, user = 'root'): string[] => {
      const h = byName(name);
      const common = [
        '-i',
        keyPath,
        '-o',
        'BatchMode=yes',
        '-o',
        'StrictHostKeyChecking=no',
        '-o',
        'UserKnownHostsFile=/dev/null',
        '-o',
        'LogLevel=ERROR',
      ];
      const jump = h.bastion ? byName(h.bastion) : undefined;
      const proxy = jump
        ? ['-o', `ProxyCommand=ssh ${common.join(' ')} -p ${jump.sshPort} -W %h:%p root@${jump.address}`]
        : [];
      return [...common, ...proxy, '-p', String(h.sshPort), `${user}@${h.address}`];
    };

    const lab: Lab = {
      slot,
      rootAddress,
      subnet: `10.77.${slot}.0/24`,
      hosts,
      keyPath,
      knownHostsPath,
      sshConfigPath,
      passwordFile,
      stateDir: dir,
      figures: {
        baseBuildSeconds: base.buildSeconds,
        baseBuiltNow: base.builtNow,
        repoBuildSeconds: repo.buildSeconds,
        repoBuiltNow: repo.builtNow,
        bootSeconds,
        startSeconds: (Date.now() - started) / 1000,
      },
      host: byName,
      exec,
      sh,
      cablePull: (name) => setCable(slot, 11 + names.indexOf(byName(name).name), false),
      cablePlug: (name) => setCable(slot, 11 + names.indexOf(byName(name).name), true),
      dropPackets: (name, percent) => setPacketLoss(byName(name).netns, percent),
      aptSourceLine,
      useOfflineRepository,
      installPackages: async (name, packages) => {
        for (const p of packages) {
          if (!/^[a-z0-9][a-z0-9+.-]+$/.test(p)) throw new Error(`lab: "${p}" is not a Debian package name`);
        }
        await useOfflineRepository(name);
        await sh(name, 'apt-get update -q');
        await sh(name, `apt-get install -y -q --no-install-recommends ${packages.join(' ')}`);
      },
      sshArgs,
      stop,
    };
    writeAtomic(
      join(dir, 'state.json'),
      `${JSON.stringify(
        {
          slot,
          owner: { pid: process.pid, start: startTime(process.pid) },
          rootAddress,
          subnet: lab.subnet,
          keyPath,
          knownHostsPath,
          sshConfigPath,
          passwordFile,
          switchNetns: switchNetns(slot),
          hosts: hosts.map(({ password: _secret, ...h }) => h),
        },
        null,
        2,
      )}\n`,
    );
    return lab;
  } catch (err) {
    await stop().catch(() => undefined);
    throw err;
  }
}
