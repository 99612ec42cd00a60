/**
 * The SSH engine against a real OpenSSH server on loopback: logins, host keys, sudo,
 * streaming, timeouts, uploads and redaction — what a user of Keelson relies on.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createServer, connect, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SshEngine } from '../../../main/services/ssh/engine';
import { SshError } from '../../../main/services/ssh/errors';
import { SshConfigFile } from '../../../main/services/ssh/ssh-config';
import type { SshTarget } from '../../../main/services/ssh/types';
import { canMountTinyDisk, mountTinyDisk } from '../support/tiny-disk';
import { startSshd, type Sshd } from './sshd-fixture';

let sshd: Sshd;
let work: string;
const logs: string[] = [];

function engine(extra: Partial<ConstructorParameters<typeof SshEngine>[0]> = {}): SshEngine {
  return new SshEngine({
    knownHostsFile: join(work, 'known_hosts'),
    readOnlyKnownHosts: [],
    sshConfig: SshConfigFile.empty(),
    logSink: (level, line) => logs.push(`${level} ${line}`),
    ...extra,
  });
}

function root(): SshTarget {
  return { host: '127.0.0.1', port: sshd.port, user: 'root', auth: { type: 'key', keyFile: sshd.rootKey } };
}

async function expectSshError(p: Promise<unknown>, code: string): Promise<SshError> {
  const e = await p.then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(e, `expected ${code}`).toBeInstanceOf(SshError);
  expect((e as SshError).code).toBe(code);
  return e as SshError;
}

beforeAll(async () => {
  sshd = await startSshd();
  work = mkdtempSync(join(tmpdir(), 'keelson-ssh-test-'));
});

afterAll(async () => {
  await sshd?.stop();
  rmSync(work, { recursive: true, force: true });
});

describe('host keys (trust on first use)', () => {
  it('refuses an unknown host with its SHA256 fingerprint, then connects once accepted', async () => {
    const e = engine();
    const err = await expectSshError(e.exec(root(), 'true'), 'HOST_KEY_UNKNOWN');
    const expected = execFileSync('ssh-keygen', ['-l', '-E', 'sha256', '-f', `${sshd.hostKeyFile}.pub`], {
      encoding: 'utf8',
    }).split(' ')[1];
    expect(err.details.hostKey?.fingerprint).toBe(expected);
    expect(err.message).toContain(`127.0.0.1:${sshd.port}`);
    const key = err.details.hostKey!;
    await e.knownHosts.accept(key.host, key.port, key.keyType, key.key);
    // Non-22 port: OpenSSH's bracketed form, readable by ssh itself.
    expect(readFileSync(join(work, 'known_hosts'), 'utf8')).toBe(
      `[127.0.0.1]:${sshd.port} ssh-ed25519 ${sshd.hostKey}\n`,
    );
    const r = await e.run(root(), 'echo hello');
    expect(r).toMatchObject({ exitCode: 0, stdout: 'hello\n' });
    e.closeAll();
  });

  it('the file it writes is honoured by the OpenSSH client with strict checking', () => {
    const out = execFileSync(
      'ssh',
      [
        '-i',
        sshd.rootKey,
        '-p',
        String(sshd.port),
        '-o',
        'BatchMode=yes',
        '-o',
        'StrictHostKeyChecking=yes',
        '-o',
        `UserKnownHostsFile=${join(work, 'known_hosts')}`,
        'root@127.0.0.1',
        'echo ok',
      ],
      { encoding: 'utf8' },
    );
    expect(out).toBe('ok\n');
  });

  it('honours ~/.ssh/known_hosts read-only (hashed entries too)', async () => {
    const userFile = join(work, 'user_known_hosts');
    writeFileSync(userFile, `[127.0.0.1]:${sshd.port} ssh-ed25519 ${sshd.hostKey}\n`);
    execFileSync('ssh-keygen', ['-H', '-f', userFile], { stdio: 'ignore' });
    expect(readFileSync(userFile, 'utf8')).toMatch(/^\|1\|/);
    const e = engine({ knownHostsFile: join(work, 'empty_known_hosts'), readOnlyKnownHosts: [userFile] });
    expect((await e.run(root(), 'echo via-user-file')).stdout).toBe('via-user-file\n');
    e.closeAll();
  });

  it('refuses a changed host key and shows both fingerprints', async () => {
    const file = join(work, 'changed_known_hosts');
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', join(work, 'other_host')]);
    const otherKey = readFileSync(join(work, 'other_host.pub'), 'utf8').split(' ')[1];
    writeFileSync(file, `[127.0.0.1]:${sshd.port} ssh-ed25519 ${otherKey}\n`);
    const e = engine({ knownHostsFile: file });
    const err = await expectSshError(e.exec(root(), 'true'), 'HOST_KEY_CHANGED');
    const oldFp = execFileSync('ssh-keygen', ['-l', '-E', 'sha256', '-f', join(work, 'other_host.pub')], {
      encoding: 'utf8',
    }).split(' ')[1]!;
    expect(err.details.knownFingerprints).toEqual([oldFp]);
    expect(err.message).toContain(oldFp);
    expect(err.message).toContain(err.details.hostKey!.fingerprint);
    // Accepting over a changed key is refused too: the user must edit the file on purpose.
    const verdict = await e.knownHosts.accept('127.0.0.1', sshd.port, 'ssh-ed25519', sshd.hostKey);
    expect(verdict.kind).toBe('changed');
    expect(e.handshakeCounts()[`root@127.0.0.1:${sshd.port}`]).toBe(0);
  });
});

describe('logins', () => {
  it('by key, by passphrase-protected key, by password', async () => {
    const e = engine();
    expect((await e.run(root(), 'id -un')).stdout).toBe('root\n');
    const withPassphrase: SshTarget = {
      ...root(),
      auth: { type: 'key', keyFile: sshd.protectedKey, passphrase: sshd.keyPassphrase },
    };
    e.closeAll();
    const e2 = engine();
    expect((await e2.run(withPassphrase, 'id -un')).stdout).toBe('root\n');
    const byPassword: SshTarget = {
      host: '127.0.0.1',
      port: sshd.port,
      user: sshd.user,
      auth: { type: 'password', password: sshd.password },
    };
    expect((await e2.run(byPassword, 'id -un')).stdout).toBe(`${sshd.user}\n`);
    e.closeAll();
    e2.closeAll();
  });

  it('explains a missing or wrong passphrase and a refused password', async () => {
    const e = engine();
    const noPass = await expectSshError(
      e.exec({ ...root(), auth: { type: 'key', keyFile: sshd.protectedKey } }, 'true'),
      'KEY_FILE',
    );
    expect(noPass.message).toMatch(/passphrase/);
    const e2 = engine();
    const wrong = await expectSshError(
      e2.exec({ ...root(), auth: { type: 'key', keyFile: sshd.protectedKey, passphrase: 'not-it' } }, 'true'),
      'KEY_FILE',
    );
    expect(wrong.message).toMatch(/wrong passphrase/);
    const e3 = engine();
    const refused = await expectSshError(
      e3.exec(
        {
          host: '127.0.0.1',
          port: sshd.port,
          user: sshd.user,
          auth: { type: 'password', password: 'wrong-password' },
        },
        'true',
      ),
      'AUTH_REFUSED',
    );
    expect(refused.message).toContain(`${sshd.user}@127.0.0.1:${sshd.port}`);
  });

  it('by ssh-agent (SSH_AUTH_SOCK)', async () => {
    const sock = join(work, 'agent.sock');
    const agent = execFileSync('ssh-agent', ['-a', sock, '-s'], { encoding: 'utf8' });
    const pid = /SSH_AGENT_PID=(\d+)/.exec(agent)![1]!;
    try {
      execFileSync('ssh-add', [sshd.rootKey], {
        env: { ...process.env, SSH_AUTH_SOCK: sock },
        stdio: 'ignore',
      });
      const e = engine();
      expect((await e.run({ ...root(), auth: { type: 'agent', socket: sock } }, 'echo agent')).stdout).toBe(
        'agent\n',
      );
      e.closeAll();
    } finally {
      process.kill(Number(pid));
    }
  });

  it('says which host refused the connection', async () => {
    const e = engine();
    const err = await expectSshError(e.exec({ ...root(), port: 1 }, 'true'), 'CONNECTION_REFUSED');
    expect(err.message).toContain('root@127.0.0.1:1');
  });

  it('tries once more when the host hangs up mid-handshake on a first connection', async () => {
    // A relay in front of the real sshd that drops the first connection right after the
    // server's banner, as sshd does under MaxStartups pressure or while it restarts.
    let seen = 0;
    const relay = createServer((client) => {
      const upstream = connect(sshd.port, '127.0.0.1');
      if (seen++ === 0) {
        upstream.once('data', (banner) => {
          client.write(banner);
          setTimeout(() => (client.destroy(), upstream.destroy()), 50);
        });
        client.on('error', () => undefined);
        upstream.on('error', () => undefined);
        return;
      }
      client.pipe(upstream).pipe(client);
      client.on('error', () => upstream.destroy());
      upstream.on('error', () => client.destroy());
    });
    await new Promise<void>((r) => relay.listen(0, '127.0.0.1', r));
    const port = (relay.address() as AddressInfo).port;
    try {
      writeFileSync(join(work, 'relay_known_hosts'), `[127.0.0.1]:${port} ssh-ed25519 ${sshd.hostKey}\n`);
      const viaRelay = engine({ readOnlyKnownHosts: [join(work, 'relay_known_hosts')] });
      const r = await viaRelay.run({ ...root(), port }, 'echo through');
      expect(r.stdout).toBe('through\n');
      expect(seen).toBe(2);
      expect(
        logs.some((l) => l.includes(`127.0.0.1:${port}`) && l.includes('closed during the SSH handshake')),
      ).toBe(true);
      viaRelay.closeAll();
    } finally {
      relay.close();
    }
  });

  it('honours ~/.ssh/config: alias, HostName, Port, User, IdentityFile', async () => {
    const cfg = SshConfigFile.fromText(
      `Host lab-*\n  HostName 127.0.0.1\n  Port ${sshd.port}\n  User root\n  IdentityFile ${sshd.rootKey}\n`,
    );
    const e = engine({ sshConfig: cfg });
    expect((await e.run({ host: 'lab-one' }, 'id -un')).stdout).toBe('root\n');
    expect(Object.keys(e.handshakeCounts())).toEqual([`root@127.0.0.1:${sshd.port}`]);
    e.closeAll();
  });
});

describe('sudo', () => {
  const deploy = (): SshTarget => ({
    host: '127.0.0.1',
    port: sshd.port,
    user: sshd.user,
    auth: { type: 'password', password: sshd.password },
  });

  it('runs as root with the password fed on stdin, never in argv and never echoed', async () => {
    const e = engine();
    expect(await e.sudoModeOf(deploy())).toEqual({ mode: 'with-password', detail: 'sudo with password' });
    const r = await e.run(deploy(), 'id -un; ps -eo args', { sudo: true });
    expect(r.exitCode).toBe(0);
    expect(r.stdout.split('\n')[0]).toBe('root');
    expect(r.stdout).toContain('sudo -k -S');
    expect(r.stdout + r.stderr).not.toContain(sshd.password);
    // The command's own stdin is still usable after sudo consumed the password line.
    const cat = await e.run(deploy(), 'cat', { sudo: true, stdin: 'payload\n' });
    expect(cat.stdout).toBe('payload\n');
    e.closeAll();
  });

  it('reports a refused sudo password clearly', async () => {
    const e = engine();
    const t: SshTarget = { ...deploy(), sudoPassword: 'not-the-password' };
    expect((await e.sudoModeOf(t)).mode).toBe('no');
    const err = await expectSshError(e.exec(t, 'true', { sudo: true }), 'SUDO_REFUSED');
    expect(err.message).toContain(sshd.user);
    e.closeAll();
  });
});

describe('commands', () => {
  it('streams stdout and stderr separately and returns the exit code', async () => {
    const e = engine();
    const events: string[] = [];
    for await (const ev of e.execStream(root(), 'echo out; echo err >&2; exit 3')) {
      if ('stream' in ev) events.push(`${ev.stream}:${ev.data.toString()}`);
      else events.push(`exit:${ev.exitCode}`);
    }
    expect(events.at(-1)).toBe('exit:3');
    expect(events.slice(0, -1).sort()).toEqual(['stderr:err\n', 'stdout:out\n']);
    e.closeAll();
  });

  it('times out and cancels with a clear error, keeping the connection for the next command', async () => {
    const e = engine();
    const t0 = Date.now();
    const timeout = await expectSshError(e.exec(root(), 'sleep 30', { timeoutMs: 500 }), 'COMMAND_TIMEOUT');
    expect(timeout.message).toMatch(/within 500 ms/);
    expect(Date.now() - t0).toBeLessThan(10_000);
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 300);
    await expectSshError(e.exec(root(), 'sleep 30', { signal: ac.signal }), 'CANCELLED');
    expect((await e.run(root(), 'echo still-here')).stdout).toBe('still-here\n');
    expect(e.handshakeCounts()[`root@127.0.0.1:${sshd.port}`]).toBe(1);
    e.closeAll();
  });
});

describe('uploads', () => {
  it('writes atomically with the mode, as the user and as root through sudo', async () => {
    const e = engine();
    const home = `/home/${sshd.user}`;
    const deploy: SshTarget = {
      host: '127.0.0.1',
      port: sshd.port,
      user: sshd.user,
      auth: { type: 'password', password: sshd.password },
    };
    await e.upload(deploy, `${home}/app.conf`, 'first\n', { mode: 0o640 });
    await e.upload(deploy, `${home}/app.conf`, 'second\n', { mode: 0o600 });
    expect(
      (
        await e.run(
          deploy,
          `stat -c '%a %U' ${home}/app.conf; cat ${home}/app.conf; ls -a ${home} | grep -c keelson || true`,
        )
      ).stdout,
    ).toBe(`600 ${sshd.user}\nsecond\n0\n`);
    const target = join(sshd.dir, 'root-only', 'k.yaml');
    execFileSync('mkdir', ['-m', '0700', join(sshd.dir, 'root-only')]);
    await e.upload(deploy, target, 'kind: Test\n', { mode: 0o600, sudo: true });
    expect(readFileSync(target, 'utf8')).toBe('kind: Test\n');
    expect(execFileSync('stat', ['-c', '%a %U', target], { encoding: 'utf8' })).toBe('600 root\n');
    expect((await e.run(deploy, 'ls /tmp | grep -c keelson-upload || true')).stdout).toBe('0\n');
    e.closeAll();
  });
});

describe.skipIf(!canMountTinyDisk())('uploads to a full disk', () => {
  it('a write cut short leaves no temporary file behind, and the old file as it was', async () => {
    const disk = mountTinyDisk(256);
    try {
      const knownHosts = join(work, 'upload_known_hosts');
      writeFileSync(knownHosts, `[127.0.0.1]:${sshd.port} ssh-ed25519 ${sshd.hostKey}\n`);
      const e = engine({ knownHostsFile: knownHosts });
      const target = join(disk.dir, 'app.conf');
      writeFileSync(target, 'old\n');
      disk.fill();
      const err = await expectSshError(
        e.upload(root(), target, 'x'.repeat(200_000), { mode: 0o644 }),
        'SFTP_FAILED',
      );
      expect(err.message).toContain(disk.dir);
      expect(err.message).toMatch(/: the disk is full \(\d+ bytes free, 200000 needed\)$/);
      expect(readdirSync(disk.dir).sort()).toEqual(['app.conf', 'filler']);
      expect(readFileSync(target, 'utf8')).toBe('old\n');
      e.closeAll();
    } finally {
      disk.unmount();
    }
  });
});

describe('redaction', () => {
  it('no password or passphrase appears in any captured log', async () => {
    const secrets = [sshd.password, sshd.keyPassphrase];
    const captured = logs.join('\n') + sshd.log();
    expect(logs.length).toBeGreaterThan(10);
    for (const s of secrets) expect(captured).not.toContain(s);
    // Secrets are registered with the redactor the moment the engine sees them.
    const e = engine();
    await e.run(
      {
        host: '127.0.0.1',
        port: sshd.port,
        user: sshd.user,
        auth: { type: 'password', password: sshd.password },
      },
      'true',
    );
    expect(e.redactor.redact(`login with ${sshd.password}`)).toBe('login with ***');
    e.closeAll();
  });
});
