// Booting one lab host and knowing when it is ready: nspawn started, its init found, sshd
// answering, logins allowed — and, when it never answers, a message that says why.
import { spawn } from 'node:child_process';
import { closeSync, existsSync, openSync, readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import type { LabHost } from './lab';
import { run } from './run';

/**
 * PAM refuses every user but root while /run/nologin exists (until systemd-user-sessions has
 * run), even though sshd already answers: a host is handed out only once it is gone.
 */
export async function waitForLoginsAllowed(name: string, pid: number, deadline: number): Promise<void> {
  while (existsSync(`/proc/${pid}/root/run/nologin`)) {
    if (Date.now() > deadline)
      throw new Error(
        `lab: ${name} still has /run/nologin (boot did not finish) when the boot timeout ran out; ` +
          `its systemd said:\n${await bootState(pid)}`,
      );
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** What a host's systemd is still doing (or what failed) — the reason a boot did not finish. */
async function bootState(pid: number): Promise<string> {
  const inHost = (command: string) =>
    run('nsenter', ['-t', String(pid), '-m', '-u', '-i', '-n', '-p', 'sh', '-c', command], {
      timeoutMs: 10_000,
    }).then(
      (r) => `${r.stdout}${r.stderr}`.trim(),
      (e: Error) => e.message,
    );
  return inHost(
    'systemctl is-system-running; systemctl --no-pager list-jobs | head -20; ' +
      'systemctl --no-pager --failed | head -10; ' +
      'systemctl --no-pager status systemd-user-sessions.service | head -15; ' +
      'journalctl -b --no-pager -u systemd-user-sessions.service | tail -8',
  );
}

/** Waits for "SSH-" from addr:port, probed from `fromNetns` (undefined = root namespace). */
export async function waitForBanner(
  address: string,
  port: number,
  fromNetns: string | undefined,
  deadline: number,
) {
  while (Date.now() < deadline) {
    const ok = fromNetns
      ? (
          await run(
            'ip',
            [
              'netns',
              'exec',
              fromNetns,
              'bash',
              '-c',
              `exec 3<>/dev/tcp/${address}/${port} && head -c 4 <&3`,
            ],
            { timeoutMs: 2000 },
          )
        ).stdout.startsWith('SSH-')
      : await bannerFromRoot(address, port);
    if (ok) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`lab: sshd on ${address}:${port} did not answer in time`);
}

/** What a person needs to see when a host never answered: is it still there, what did it say. */
export function whyNoBanner(host: LabHost, hostDir: string, bootStarted: number): string {
  const seconds = ((Date.now() - bootStarted) / 1000).toFixed(1);
  const alive = existsSync(`/proc/${host.pid}`) ? 'its init is running' : 'its init is gone';
  const netns = existsSync(`/run/netns/${host.netns}`) ? '' : `, its namespace ${host.netns} was deleted`;
  let said = '';
  try {
    said = readFileSync(join(hostDir, 'nspawn.log'), 'utf8').trim().split('\n').slice(-5).join(' | ');
  } catch {
    // no log yet
  }
  return `${host.name} after ${seconds} s: ${alive}${netns}${said ? `; nspawn said: ${said}` : ''}`;
}

function bannerFromRoot(address: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: address, port, timeout: 1000 });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.once('data', (d: Buffer) => done(d.toString().startsWith('SSH-')));
    socket.once('error', () => done(false));
    socket.once('timeout', () => done(false));
  });
}

/** nspawn's child whose NSpid ends in 1 is the container's init (it outlives nspawn if killed). */
export async function containerInit(nspawnPid: number, deadline: number): Promise<number> {
  while (Date.now() < deadline) {
    let children: string[];
    try {
      children = readFileSync(`/proc/${nspawnPid}/task/${nspawnPid}/children`, 'utf8').trim().split(/\s+/);
    } catch {
      throw new Error(`lab: systemd-nspawn (PID ${nspawnPid}) exited during boot`);
    }
    for (const child of children.filter(Boolean)) {
      try {
        const nspid = /^NSpid:\s+(.*)$/m.exec(readFileSync(`/proc/${child}/status`, 'utf8'))?.[1];
        if (nspid?.trim().split(/\s+/).at(-1) === '1') return Number(child);
      } catch {
        // The child exited between listing and reading; look again.
      }
    }
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`lab: the container of nspawn PID ${nspawnPid} never started its init`);
}

/**
 * The cgroup directories a host of its own gets, one per hierarchy systemd uses, below this
 * process's own cgroup. Without them every nspawn started from one process shares one
 * `payload` subtree: the hosts' systemds then manage the same unit cgroups, and under load a
 * unit fails to start with 219/CGROUP (seen: systemd-user-sessions, leaving /run/nologin).
 */
export function hostCgroupDirs(leaf: string): string[] {
  const dirs: string[] = [];
  for (const line of readFileSync('/proc/self/cgroup', 'utf8').trim().split('\n')) {
    const m = /^\d+:([^:]*):(.*)$/.exec(line);
    if (!m) continue;
    const [, controllers, path] = m;
    const mount =
      controllers === 'name=systemd'
        ? '/sys/fs/cgroup/systemd'
        : controllers === '' && existsSync('/sys/fs/cgroup/unified/cgroup.procs')
          ? '/sys/fs/cgroup/unified'
          : controllers === '' && existsSync('/sys/fs/cgroup/cgroup.procs')
            ? '/sys/fs/cgroup'
            : undefined;
    if (mount && existsSync(mount)) dirs.push(join(mount, path!, leaf));
  }
  return dirs;
}

/**
 * Boots a host in the cgroups `cgroupDirs` (see hostCgroupDirs): a small shell moves itself
 * there and then becomes systemd-nspawn, so nspawn's payload and supervisor cgroups are the
 * host's own. Returns nspawn's PID.
 */
export function bootHost(
  root: string,
  name: string,
  netns: string,
  logPath: string,
  cgroupDirs: string[],
  extra: { args: string[]; vfsWritable: string } = { args: [], vfsWritable: 'network' },
): number {
  const log = openSync(logPath, 'a');
  const enterCgroups =
    'IFS=$(printf "\\n."); IFS=${IFS%.}; ' +
    'for d in $KEELSON_CGROUPS; do ' +
    'mkdir -p "$d" && echo $$ > "$d/cgroup.procs" || { echo "lab: cannot enter cgroup $d" >&2; exit 97; }; ' +
    'done; exec "$@"';
  const child = spawn(
    'sh',
    [
      '-c',
      enterCgroups,
      'sh',
      'systemd-nspawn',
      '--boot',
      '--keep-unit',
      '--register=no',
      '--quiet',
      `--directory=${root}`,
      `--machine=${name}`,
      `--network-namespace-path=/run/netns/${netns}`,
      '--resolv-conf=off',
      '--timezone=off',
      '--link-journal=no',
      '--console=passive',
      '--capability=CAP_NET_ADMIN,CAP_NET_RAW',
      ...extra.args,
    ],
    {
      detached: true,
      stdio: ['ignore', log, log],
      env: {
        ...process.env,
        SYSTEMD_NSPAWN_API_VFS_WRITABLE: extra.vfsWritable,
        KEELSON_CGROUPS: cgroupDirs.join('\n'),
      },
    },
  );
  closeSync(log);
  child.unref();
  if (child.pid === undefined) throw new Error(`lab: could not start systemd-nspawn for ${name}`);
  return child.pid;
}
