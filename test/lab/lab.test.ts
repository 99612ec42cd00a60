// The lab itself, checked the way its users (the SSH engine, the deploy tests, a person) use it:
// through the real OpenSSH client against the hosts' real sshd. Talks only to lab addresses.
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hostCgroupDirs } from './boot';
import { startLab, type Lab } from './lab';
import { run } from './run';

const NO_PROMPTS = [
  '-o',
  'BatchMode=yes',
  '-o',
  'StrictHostKeyChecking=no',
  '-o',
  'UserKnownHostsFile=/dev/null',
  '-o',
  'LogLevel=ERROR',
  '-o',
  'ConnectTimeout=3',
];

describe('a lab of three hosts (h2 on port 2222, h3 only through h1)', () => {
  let lab: Lab;
  const ssh = (host: string, command: string, user = 'root', input?: string) =>
    run('ssh', ['-o', 'ConnectTimeout=3', ...lab.sshArgs(host, user), command], { input, timeoutMs: 20_000 });
  const sshDirect = (address: string, port: number, command: string) =>
    run('ssh', ['-i', lab.keyPath, ...NO_PROMPTS, '-p', String(port), `root@${address}`, command], {
      timeoutMs: 20_000,
    });

  beforeAll(async () => {
    lab = await startLab({ hosts: 3, sshPorts: { h2: 2222 }, behindBastion: { h3: 'h1' } });
    const f = lab.figures;
    console.log(
      `lab figures: base image ${f.baseBuiltNow ? `built in ${f.baseBuildSeconds} s` : 'cached'}, ` +
        `3 hosts answered SSH ${f.bootSeconds.toFixed(2)} s after boot started, startLab() took ${f.startSeconds.toFixed(2)} s`,
    );
  });
  afterAll(() => lab?.stop());

  it('every host answers SSH as itself, with its own machine-id and address', async () => {
    const seen = await Promise.all(
      lab.hosts.map(async (h) => {
        const r = await ssh(h.name, 'hostname; cat /etc/machine-id; ip -4 -o addr show dev eth0');
        expect(r.code, r.stderr).toBe(0);
        const [hostname, machineId, addr] = r.stdout.split('\n');
        expect(hostname).toBe(h.name);
        expect(addr).toContain(` ${h.address}/24 `);
        return machineId;
      }),
    );
    expect(seen.every((id) => /^[0-9a-f]{32}$/.test(id ?? ''))).toBe(true);
    expect(new Set(seen).size).toBe(3);
  });

  it('hosts present exactly the host keys the lab pinned in its ssh config', async () => {
    const r = await run('ssh', ['-F', lab.sshConfigPath, 'h2', 'cat /etc/ssh/ssh_host_ed25519_key.pub'], {
      timeoutMs: 20_000,
    });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.trim()).toBe(lab.host('h2').hostKey);
  });

  it('the bastion-only host refuses direct SSH but answers through ssh -J', async () => {
    const h3 = lab.host('h3');
    const direct = await sshDirect(h3.address, h3.sshPort, 'hostname');
    expect(direct.code).toBe(255);
    expect(direct.stderr).toMatch(/timed out/i);

    const h1 = lab.host('h1');
    const jumped = await run(
      'ssh',
      ['-F', lab.sshConfigPath, '-J', `root@${h1.address}`, `root@${h3.address}`, 'hostname'],
      { timeoutMs: 20_000 },
    );
    expect(jumped.code, jumped.stderr).toBe(0);
    expect(jumped.stdout.trim()).toBe('h3');
  });

  it('the custom-port host answers on its port and refuses 22', async () => {
    const h2 = lab.host('h2');
    const onPort = await sshDirect(h2.address, 2222, 'hostname');
    expect(onPort.code, onPort.stderr).toBe(0);
    expect(onPort.stdout.trim()).toBe('h2');
    const on22 = await sshDirect(h2.address, 22, 'hostname');
    expect(on22.code).toBe(255);
    expect(on22.stderr).toMatch(/refused/i);
  });

  it('deploy logs in, and sudo runs only with the right password', async () => {
    const h = lab.host('h1');
    const noPassword = await ssh('h1', 'sudo -n true', 'deploy');
    expect(noPassword.code).not.toBe(0);
    expect(noPassword.stderr).toMatch(/password is required/);

    const right = await ssh('h1', "sudo -S -p '' id -un", 'deploy', `${h.password}\n`);
    expect(right.code, right.stderr).toBe(0);
    expect(right.stdout.trim()).toBe('root');

    const wrong = await ssh('h1', "sudo -S -p '' id -un", 'deploy', `not-${h.password}\n`);
    expect(wrong.code).not.toBe(0);
    expect(readFileSync(lab.passwordFile, 'utf8').trim()).toBe(h.password);
    expect(statSync(lab.passwordFile).mode & 0o777).toBe(0o600);
  });

  it('a pulled cable makes the host unreachable and plugging it back restores it', async () => {
    await lab.cablePull('h2');
    const cut = await ssh('h2', 'hostname');
    expect(cut.code).toBe(255);
    await lab.cablePlug('h2');
    const back = await ssh('h2', 'hostname');
    expect(back.code, back.stderr).toBe(0);
    expect(back.stdout.trim()).toBe('h2');
  });

  it('total packet loss cuts the host off, partial loss is random, and 0% restores it', async () => {
    await lab.dropPackets('h1', 100);
    expect((await ssh('h1', 'true')).code).toBe(255);
    await lab.dropPackets('h1', 50);
    // 30 TCP handshakes from the host to the lab's apt server (each within 0.6 s, before the
    // first SYN retransmission at 1 s): SYN out and SYN-ACK in each survive half the time, so
    // ~1 in 4 succeed. (0.2 s was less than starting bash takes on a loaded machine, and then
    // every try failed.)
    const tries = await lab.exec(
      'h1',
      `for i in $(seq 30); do timeout 0.6 bash -c 'exec 3<>/dev/tcp/${lab.rootAddress}/8080' 2>/dev/null && echo ok; done`,
    );
    const answered = tries.stdout.split('\n').filter((l) => l === 'ok').length;
    expect(answered).toBeGreaterThan(0);
    expect(answered).toBeLessThan(30);
    await lab.dropPackets('h1', 0);
    expect((await ssh('h1', 'true')).code).toBe(0);
  }, 60_000); // up to 30 tries of 0.6 s, besides the two SSH logins

  it('exec runs inside the right host', async () => {
    expect((await lab.sh('h2', 'hostname')).trim()).toBe('h2');
    const failed = await lab.exec('h1', 'exit 3');
    expect(failed.code).toBe(3);
  });

  it('installs packages from the offline repository on one host only', async () => {
    await lab.installPackages('h1', ['haproxy']);
    const r = await ssh('h1', 'haproxy -v');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^HAProxy version 2\.6/);
    // Hosts share a base image but not their writes.
    expect((await ssh('h2', 'command -v haproxy')).code).not.toBe(0);
  }, 180_000);
});

describe('npm run lab', () => {
  const npmLab = (...args: string[]) =>
    run('npm', ['run', '-s', 'lab', '--', ...args], { timeoutMs: 300_000, env: { ...process.env, CI: '1' } });
  const stateOf = (stdout: string) => {
    const slot = /^Lab (\d+) is up \(owner PID (\d+);/m.exec(stdout);
    expect(slot, stdout).not.toBeNull();
    const state = JSON.parse(readFileSync(`/run/keelson-lab/slot-${slot?.[1]}/state.json`, 'utf8')) as {
      slot: number;
      passwordFile: string;
      sshConfigPath: string;
      hosts: { name: string; pid: number; netns: string }[];
    };
    return { ...state, owner: Number(slot?.[2]) };
  };
  const running = (pid: number) => {
    try {
      return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
    } catch {
      return false;
    }
  };

  it('up survives a crash of its owner, down leaves no namespace, mount, process, cgroup or route', async () => {
    const first = await npmLab('up', '--hosts', '3');
    expect(first.code, first.stderr).toBe(0);
    const crashed = stateOf(first.stdout);
    const password = readFileSync(crashed.passwordFile, 'utf8').trim();
    expect(first.stdout).not.toContain(password);
    expect(first.stdout).toContain(
      `ssh -i /run/keelson-lab/slot-${crashed.slot}/ssh/lab_ed25519 -p 22 root@`,
    );
    const reach = await run('ssh', ['-F', crashed.sshConfigPath, 'h3', 'hostname'], { timeoutMs: 20_000 });
    expect(reach.stdout.trim()).toBe('h3');

    // A crash: the owner dies without tearing down; its containers keep running.
    process.kill(crashed.owner, 'SIGKILL');
    await new Promise((r) => setTimeout(r, 300));
    expect(crashed.hosts.every((h) => running(h.pid))).toBe(true);

    const second = await npmLab('up', '--hosts', '3');
    expect(second.code, second.stderr).toBe(0);
    const fresh = stateOf(second.stdout);
    // The stale lab was torn down before the new one took its place.
    expect(crashed.hosts.some((h) => running(h.pid))).toBe(false);
    expect(fresh.hosts.every((h) => running(h.pid))).toBe(true);
    // Every host's systemd has a cgroup tree of its own (a shared one made units fail with
    // 219/CGROUP under load).
    const cgroupOf = (pid: number) => readFileSync(`/proc/${pid}/cgroup`, 'utf8');
    expect(new Set(fresh.hosts.map((h) => cgroupOf(h.pid))).size).toBe(fresh.hosts.length);
    const slotCgroups = hostCgroupDirs(`keelson-lab-${fresh.slot}`);
    expect(slotCgroups.length).toBeGreaterThan(0);
    for (const h of fresh.hosts) expect(cgroupOf(h.pid)).toContain(`/keelson-lab-${fresh.slot}/${h.name}/`);

    const down = await npmLab('down');
    expect(down.code, down.stderr).toBe(0);
    const prefix = `kl${fresh.slot}-`;
    const netns = (await run('ip', ['netns', 'list'])).stdout;
    expect(netns).not.toContain(prefix);
    expect(readFileSync('/proc/mounts', 'utf8')).not.toContain(`/run/keelson-lab/slot-${fresh.slot}/`);
    expect([...fresh.hosts, ...crashed.hosts].some((h) => running(h.pid))).toBe(false);
    expect(running(fresh.owner)).toBe(false);
    expect(existsSync(`/run/keelson-lab/slot-${fresh.slot}`)).toBe(false);
    expect(slotCgroups.filter((dir) => existsSync(dir))).toEqual([]);
    // The blackhole route guards every lab; it goes with the last one.
    const others = readdirSync('/run/keelson-lab').filter((n) => n.startsWith('slot-'));
    const routes = (await run('ip', ['route', 'show', 'type', 'blackhole'])).stdout;
    if (others.length === 0) expect(routes).not.toContain('10.77.0.0/16');
    else expect(routes).toContain('10.77.0.0/16');
  }, 240_000);
});
