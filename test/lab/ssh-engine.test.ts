/**
 * The SSH engine against the nspawn lab: 20 Debian hosts with real OpenSSH. h1 is a bastion,
 * h2 accepts SSH only from h1 and h3 only from h2 (two hops), h4 listens on port 2222.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { SshEngine, type SshEngineOptions } from '../../main/services/ssh/engine';
import { SshError } from '../../main/services/ssh/errors';
import { SshConfigFile } from '../../main/services/ssh/ssh-config';
import type { SshTarget } from '../../main/services/ssh/types';
import { startLab, type Lab } from './lab';

let lab: Lab;
let work: string;
const logs: string[] = [];
const engines: SshEngine[] = [];

function engine(extra: Partial<SshEngineOptions> = {}): SshEngine {
  const e = new SshEngine({
    knownHostsFile: join(work, 'known_hosts'),
    // The lab's host keys play the part of the user's ~/.ssh/known_hosts (read-only).
    readOnlyKnownHosts: [lab.knownHostsPath],
    sshConfig: SshConfigFile.empty(),
    logSink: (level, line) => logs.push(`${level} ${line}`),
    ...extra,
  });
  engines.push(e);
  return e;
}

function root(name: string): SshTarget {
  const h = lab.host(name);
  return { host: h.address, port: h.sshPort, user: 'root', auth: { type: 'key', keyFile: lab.keyPath } };
}

function deploy(name: string): SshTarget {
  const h = lab.host(name);
  return { host: h.address, port: h.sshPort, user: h.user, auth: { type: 'password', password: h.password } };
}

async function failure(p: Promise<unknown>): Promise<SshError> {
  const e = await p.then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(SshError);
  return e as SshError;
}

/** When a command fails, what the host's sshd said about it is the first thing to read. */
async function printSshdJournal(error: string): Promise<void> {
  const address = /@([0-9.]+):\d+(?!.* via)|@([0-9.]+):\d+: /.exec(error);
  const host = lab.hosts.find(
    (h) => error.includes(`@${h.address}:${h.sshPort}:`) || h.address === address?.[1],
  );
  if (host)
    console.log(
      `${host.name}: ${(await lab.exec(host.name, 'journalctl -u ssh --no-pager | tail -25')).stdout}`,
    );
}

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'keelson-ssh-lab-'));
  lab = await startLab({
    hosts: 20,
    sshPorts: { h4: 2222 },
    behindBastion: { h2: 'h1', h3: 'h2' },
    bootTimeoutSeconds: 150,
  });
});

// Any failed test: what the sshd it talked to logged, and what the engine logged.
afterEach(async (context) => {
  if (context.task.result?.state !== 'fail') return;
  const error = String(context.task.result.errors?.[0]?.message ?? '');
  await printSshdJournal(error);
  console.log(`engine log (last 30):\n${logs.slice(-30).join('\n')}`);
});

afterAll(async () => {
  for (const e of engines) e.closeAll();
  await lab?.stop();
  rmSync(work, { recursive: true, force: true });
});

describe('SSH engine in the lab', () => {
  it('logs in by key, by passphrase-protected key, by password, and runs sudo with the password', async () => {
    const e = engine();
    expect((await e.run(root('h5'), 'hostname')).stdout).toBe('h5\n');

    const passphrase = 'lab-passphrase-' + Math.random().toString(36).slice(2);
    const keyFile = join(work, 'protected');
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', passphrase, '-f', keyFile]);
    await lab.sh(
      'h5',
      `cat >> /root/.ssh/authorized_keys <<'EOF'\n${readFileSync(`${keyFile}.pub`, 'utf8')}EOF`,
    );
    const withPassphrase: SshTarget = { ...root('h5'), auth: { type: 'key', keyFile, passphrase } };
    expect((await e.run(withPassphrase, 'id -un')).stdout).toBe('root\n');

    const user = lab.host('h5').user;
    expect((await e.run(deploy('h5'), 'id -un')).stdout).toBe(`${user}\n`);
    expect(await e.sudoModeOf(deploy('h5'))).toMatchObject({ mode: 'with-password' });
    const asRoot = await e.run(deploy('h5'), 'id -un; cat /etc/shadow >/dev/null && echo can-read-shadow', {
      sudo: true,
    });
    expect(asRoot.stdout).toBe('root\ncan-read-shadow\n');
    for (const line of logs) {
      expect(line).not.toContain(lab.host('h5').password);
      expect(line).not.toContain(passphrase);
    }
  });

  it('a host still booting (/run/nologin) refuses the non-root user, and the error says why; root still gets in', async () => {
    const e = engine({ tuning: { reconnectBaseDelayMs: 50 } });
    await lab.sh('h7', "echo 'System is booting up.' > /run/nologin");
    try {
      const refused = await failure(e.run(deploy('h7'), 'true'));
      expect(refused.message).toContain(`deploy@${lab.host('h7').address}:22:`);
      expect(refused.message).toContain('closed the connection during login');
      expect(refused.message).toContain('/run/nologin');
      expect(refused.message).not.toContain(lab.host('h7').password);
      expect((await e.run(root('h7'), 'id -un')).stdout).toBe('root\n');
    } finally {
      await lab.sh('h7', 'rm -f /run/nologin');
    }
    // Once boot has "finished", the same engine logs the user in.
    expect((await e.run(deploy('h7'), 'id -un')).stdout).toBe(`${lab.host('h7').user}\n`);
  });

  it('reaches a host on a custom port', async () => {
    const e = engine();
    expect(lab.host('h4').sshPort).toBe(2222);
    expect((await e.run(root('h4'), 'hostname')).stdout).toBe('h4\n');
    expect(Object.keys(e.handshakeCounts())).toEqual([`root@${lab.host('h4').address}:2222`]);
  });

  it('jumps through two bastions to a host that only its bastion may reach', async () => {
    const e = engine({ tuning: { connectTimeoutMs: 3_000 } });
    const direct = await failure(e.exec(root('h3'), 'true'));
    expect(direct.code).toBe('CONNECT_TIMEOUT');
    expect(direct.message).toContain(lab.host('h3').address);

    const viaTwo: SshTarget = { ...root('h3'), via: [root('h1'), root('h2')] };
    const r = await e.run(viaTwo, 'hostname').catch(async (err: unknown) => {
      await printSshdJournal(String(err));
      throw err;
    });
    expect(r.stdout).toBe('h3\n');
    // The same chain from ~/.ssh/config (ProxyJump with two hops).
    const cfg = SshConfigFile.fromText(
      `Host deep\n  HostName ${lab.host('h3').address}\n  User root\n  IdentityFile ${lab.keyPath}\n` +
        `  ProxyJump root@${lab.host('h1').address},root@${lab.host('h2').address}\n` +
        `Host *\n  IdentityFile ${lab.keyPath}\n`,
    );
    const e2 = engine({ sshConfig: cfg });
    expect((await e2.run({ host: 'deep' }, 'hostname')).stdout).toBe('h3\n');
  });

  it('refuses a changed host key and shows both fingerprints', async () => {
    const e = engine();
    expect((await e.run(root('h6'), 'true')).exitCode).toBe(0);
    e.closeAll();
    const before = lab.host('h6').hostKey.split(' ')[1]!;
    await lab.sh(
      'h6',
      "rm -f /etc/ssh/ssh_host_ed25519_key*; ssh-keygen -q -t ed25519 -N '' -f /etc/ssh/ssh_host_ed25519_key; systemctl restart ssh",
    );
    const err = await failure(e.exec(root('h6'), 'true'));
    expect(err.code).toBe('HOST_KEY_CHANGED');
    writeFileSync(join(work, 'h6_old.pub'), lab.host('h6').hostKey + '\n');
    const oldFp = execFileSync('ssh-keygen', ['-l', '-E', 'sha256', '-f', join(work, 'h6_old.pub')], {
      encoding: 'utf8',
    }).split(' ')[1]!;
    expect(err.details.knownFingerprints).toEqual([oldFp]);
    expect(err.details.hostKey!.key).not.toBe(before);
    expect(err.message).toContain(oldFp);
    expect(err.message).toContain(err.details.hostKey!.fingerprint);
  });

  it('a cable pulled mid-command gives a clear error within the timeout; the next command reconnects', async () => {
    const e = engine({
      tuning: { keepaliveIntervalMs: 1_000, keepaliveCountMax: 3, reconnectBaseDelayMs: 300 },
    });
    const label = `root@${lab.host('h7').address}:22`;
    expect((await e.run(root('h7'), 'true')).exitCode).toBe(0);
    let seen = '';
    const started = Date.now();
    const running = failure(
      e.exec(root('h7'), 'while :; do echo tick; sleep 0.2; done', {
        timeoutMs: 20_000,
        onStdout: (c) => (seen += c.toString()),
      }),
    );
    await new Promise((r) => setTimeout(r, 1_000));
    await lab.cablePull('h7');
    const err = await running;
    const took = Date.now() - started;
    await lab.cablePlug('h7');
    expect(seen).toContain('tick');
    expect(err.code).toBe('CONNECTION_LOST');
    expect(err.message).toContain(label);
    expect(err.message).toMatch(/stopped answering/);
    expect(took).toBeLessThan(20_000);
    expect((await e.run(root('h7'), 'hostname')).stdout).toBe('h7\n');
    expect(e.handshakeCounts()[label]).toBe(2);
  });

  it('streams 50 MB of output without holding it in memory', async () => {
    // Live memory, not garbage: collect before each sample so chunks already handed to the
    // callback and dropped do not count, while anything the engine kept would.
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    const live = () => {
      gc();
      const m = process.memoryUsage();
      return m.heapUsed + m.arrayBuffers;
    };
    const e = engine();
    const size = 50 * 1024 * 1024;
    let bytes = 0;
    let chunks = 0;
    await e.run(root('h8'), 'true');
    const baseline = live();
    const rssBefore = process.memoryUsage().rss;
    let peak = baseline;
    const r = await e.exec(root('h8'), `head -c ${size} /dev/zero`, {
      onStdout: (c) => {
        bytes += c.length;
        if (++chunks % 200 === 0) peak = Math.max(peak, live());
      },
    });
    expect(r.exitCode).toBe(0);
    expect(bytes).toBe(size);
    const growthMb = (peak - baseline) / 1024 / 1024;
    const rssGrowthMb = (process.memoryUsage().rss - rssBefore) / 1024 / 1024;
    console.log(
      `50 MB stream: ${chunks} chunks, live heap+buffers growth ${growthMb.toFixed(1)} MB, RSS growth ${rssGrowthMb.toFixed(1)} MB`,
    );
    // Holding the output would mean ≥ 50 MB; ssh2 windows and socket buffers account for a few MB.
    expect(growthMb).toBeLessThan(20);
  });

  it('20 hosts × 5 parallel commands: every command done, exactly one handshake per host', async () => {
    const e = engine();
    const names = lab.hosts.map((h) => h.name).filter((n) => n !== 'h6'); // h6's key was changed above
    const targetOf = (n: string): SshTarget =>
      n === 'h2'
        ? { ...root('h2'), via: [root('h1')] }
        : n === 'h3'
          ? { ...root('h3'), via: [root('h1'), root('h2')] }
          : root(n);
    const settled = await Promise.allSettled(
      names.flatMap((n) => [1, 2, 3, 4, 5].map((i) => e.run(targetOf(n), `echo $(hostname)-${i}`))),
    );
    const failed = settled.flatMap((s) => (s.status === 'rejected' ? [String(s.reason)] : []));
    if (failed.length) await printSshdJournal(failed[0]!);
    expect(failed).toEqual([]);
    const results = settled.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []));
    expect(results.map((r) => r.stdout.trim()).sort()).toEqual(
      names.flatMap((n) => [1, 2, 3, 4, 5].map((i) => `${n}-${i}`)).sort(),
    );
    const counts = e.handshakeCounts();
    expect(Object.keys(counts)).toHaveLength(names.length);
    expect(Object.values(counts).every((c) => c === 1)).toBe(true);
  });
});
