/**
 * A real OpenSSH server on loopback for the engine's tests: its own host key, config,
 * authorized_keys and a throw-away sudo user with a password. Everything lives in a temp
 * dir and is removed by stop(); the user is deleted too. Needs root (CI runs as root).
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface Sshd {
  port: number;
  dir: string;
  /** Root can log in with this (unencrypted) key. */
  rootKey: string;
  /** Root can log in with this key too; it is protected by `keyPassphrase`. */
  protectedKey: string;
  keyPassphrase: string;
  /** A non-root user with a password, allowed sudo with that password. */
  user: string;
  password: string;
  /** ed25519 public host key blob, base64. */
  hostKey: string;
  hostKeyFile: string;
  /**
   * Restarts sshd presenting only these host key types (made on first use): e.g. ['rsa'] for a
   * host that stopped offering the ed25519 key on record. Returns each type's public blob.
   */
  useHostKeys(types: ('ed25519' | 'rsa')[]): Promise<Record<string, string>>;
  /** Every line sshd printed (-e): lets tests check what reached the server's log. */
  log(): string;
  stop(): Promise<void>;
  restart(): Promise<void>;
}

export async function freePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, host, () => {
      const a = s.address();
      s.close(() => resolve(typeof a === 'object' && a ? a.port : 0));
    });
  });
}

function keygen(file: string, passphrase = '', type: 'ed25519' | 'rsa' = 'ed25519'): void {
  execFileSync('ssh-keygen', ['-q', '-t', type, '-N', passphrase, '-C', 'keelson-test', '-f', file]);
}

async function waitForPort(
  port: number,
  host: string,
  proc: ChildProcess,
  logText: () => string,
): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    if (proc.exitCode !== null) throw new Error(`sshd exited (${proc.exitCode}): ${logText()}`);
    if (logText().includes('Server listening')) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`sshd did not listen on ${host}:${port}: ${logText()}`);
}

export async function startSshd(opts: { listen?: string[]; extraConfig?: string } = {}): Promise<Sshd> {
  if (process.getuid?.() !== 0)
    throw new Error('the loopback sshd fixture needs root (it starts sshd and creates a user)');
  const dir = mkdtempSync(join(tmpdir(), 'keelson-sshd-'));
  chmodSync(dir, 0o755);
  mkdirSync('/run/sshd', { recursive: true });
  const hostKeyFile = join(dir, 'host_ed25519');
  keygen(hostKeyFile);
  const rootKey = join(dir, 'root_key');
  keygen(rootKey);
  const keyPassphrase = `pp-${randomBytes(9).toString('base64url')}`;
  const protectedKey = join(dir, 'protected_key');
  keygen(protectedKey, keyPassphrase);
  const authorized = join(dir, 'authorized_keys');
  writeFileSync(
    authorized,
    readFileSync(`${rootKey}.pub`, 'utf8') + readFileSync(`${protectedKey}.pub`, 'utf8'),
    { mode: 0o644 },
  );

  const user = `kt${randomBytes(3).toString('hex')}`;
  const password = `pw-${randomBytes(9).toString('base64url')}`;
  execFileSync('useradd', ['-m', '-s', '/bin/sh', user]);
  execFileSync('chpasswd', [], { input: `${user}:${password}\n` });
  writeFileSync(`/etc/sudoers.d/${user}`, `${user} ALL=(ALL) ALL\n`, { mode: 0o440 });

  const port = await freePort();
  const listen = opts.listen ?? ['127.0.0.1'];
  const config = join(dir, 'sshd_config');
  const writeConfig = (hostKeys: string[]) =>
    writeFileSync(
      config,
      [
        ...listen.map((a) => `ListenAddress ${a}`),
        ...hostKeys.map((k) => `HostKey ${k}`),
        `PidFile ${join(dir, 'sshd.pid')}`,
        `AuthorizedKeysFile ${authorized}`,
        'PasswordAuthentication yes',
        'KbdInteractiveAuthentication no',
        'UsePAM yes',
        'StrictModes no',
        'PermitRootLogin prohibit-password',
        'AllowTcpForwarding yes',
        'Subsystem sftp /usr/lib/openssh/sftp-server',
        'MaxStartups 100:30:200',
        'LogLevel VERBOSE',
        opts.extraConfig ?? '',
      ].join('\n') + '\n',
    );
  writeConfig([hostKeyFile]);
  let log = '';
  let proc: ChildProcess;
  const launch = async () => {
    proc = spawn('/usr/sbin/sshd', ['-D', '-e', '-f', config, '-p', String(port)], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    proc.stdout!.on('data', (c: Buffer) => (log += c.toString()));
    proc.stderr!.on('data', (c: Buffer) => (log += c.toString()));
    const before = log.length;
    await waitForPort(port, listen[0]!, proc, () => log.slice(before));
  };
  const halt = async () => {
    if (proc.exitCode !== null || proc.signalCode !== null) return;
    const exited = new Promise((r) => proc.once('exit', r));
    proc.kill('SIGTERM');
    await exited;
  };
  await launch();
  const hostKey = readFileSync(`${hostKeyFile}.pub`, 'utf8').split(' ')[1]!;
  return {
    port,
    dir,
    rootKey,
    protectedKey,
    keyPassphrase,
    user,
    password,
    hostKey,
    hostKeyFile,
    useHostKeys: async (types) => {
      const files = types.map((t) => join(dir, `host_${t}`));
      const blobs: Record<string, string> = {};
      types.forEach((t, i) => {
        const file = files[i]!;
        if (!existsSync(file)) keygen(file, '', t);
        blobs[t] = readFileSync(`${file}.pub`, 'utf8').split(' ')[1]!;
      });
      writeConfig(files);
      await halt();
      await launch();
      return blobs;
    },
    log: () => log,
    restart: async () => {
      await halt();
      await launch();
    },
    stop: async () => {
      await halt();
      try {
        execFileSync('userdel', ['-r', '-f', user], { stdio: 'ignore' });
      } catch {
        /* already gone */
      }
      rmSync(`/etc/sudoers.d/${user}`, { force: true });
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
