// Gives each host its own root filesystem: an overlay over the cached base, then what makes a
// machine itself — hostname, machine-id, SSH host key, authorized keys, the deploy user's password.
import { randomBytes } from 'node:crypto';
import { chmodSync, chownSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { must } from './run';
import type { TeardownList } from './state';

export interface HostIdentity {
  name: string;
  sshPort: number;
  /** "ADDRESS NAME" lines for /etc/hosts, every lab host. */
  hostsFile: string;
  authorizedKey: string;
  /** sha512-crypt hash of the deploy user's password (the password itself never gets here). */
  deployPasswordHash: string;
}

export async function mountOverlay(baseRootfs: string, hostDir: string, list: TeardownList): Promise<string> {
  const upper = join(hostDir, 'upper');
  const work = join(hostDir, 'work');
  const root = join(hostDir, 'root');
  for (const d of [upper, work, root]) mkdirSync(d, { recursive: true });
  list.mount(root);
  await must('mount', [
    '-t',
    'overlay',
    'keelson-lab',
    '-o',
    `lowerdir=${baseRootfs},upperdir=${upper},workdir=${work}`,
    root,
  ]);
  return root;
}

function writePrivate(path: string, text: string, uid = 0, gid = 0): void {
  writeFileSync(path, text, { mode: 0o600 });
  chmodSync(path, 0o600);
  chownSync(path, uid, gid);
}

function authorize(root: string, home: string, key: string, uid: number, gid: number): void {
  const sshDir = join(root, home, '.ssh');
  mkdirSync(sshDir, { recursive: true, mode: 0o700 });
  chmodSync(sshDir, 0o700);
  chownSync(sshDir, uid, gid);
  writePrivate(join(sshDir, 'authorized_keys'), `${key.trim()}\n`, uid, gid);
}

/** Writes the host's identity into its overlay; returns its public SSH host key line. */
export async function personalize(root: string, keyDir: string, id: HostIdentity): Promise<string> {
  writeFileSync(join(root, 'etc/hostname'), `${id.name}\n`);
  writeFileSync(join(root, 'etc/hosts'), `127.0.0.1 localhost\n127.0.1.1 ${id.name}\n${id.hostsFile}`);
  writeFileSync(join(root, 'etc/machine-id'), `${randomBytes(16).toString('hex')}\n`);
  writeFileSync(
    join(root, 'etc/apt/sources.list'),
    '# Air-gapped lab host: its only package source is the lab repository (lab.aptSourceLine()).\n',
  );

  // Non-network sysctls belong to the one shared kernel and are read-only here: without this mask
  // every host would boot "degraded" for a reason no real host has.
  symlinkSync('/dev/null', join(root, 'etc/systemd/system/systemd-sysctl.service'));

  // ed25519 only: an RSA key costs ~1.3 s per host and adds nothing to the lab.
  const hostKey = join(keyDir, `${id.name}_ed25519`);
  await must('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', `root@${id.name}`, '-f', hostKey]);
  writePrivate(join(root, 'etc/ssh/ssh_host_ed25519_key'), readFileSync(hostKey, 'utf8'));
  const publicKey = readFileSync(`${hostKey}.pub`, 'utf8').trim();
  writeFileSync(join(root, 'etc/ssh/ssh_host_ed25519_key.pub'), `${publicKey}\n`);
  writeFileSync(
    join(root, 'etc/ssh/sshd_config.d/keelson-lab.conf'),
    `Port ${id.sshPort}\nHostKey /etc/ssh/ssh_host_ed25519_key\nUseDNS no\n`,
  );

  authorize(root, 'root', id.authorizedKey, 0, 0);
  const [uid, gid] = deployIds(root);
  authorize(root, 'home/deploy', id.authorizedKey, uid, gid);
  const shadowPath = join(root, 'etc/shadow');
  const shadow = readFileSync(shadowPath, 'utf8').replace(
    /^deploy:[^:]*:/m,
    () => `deploy:${id.deployPasswordHash}:`,
  );
  writeFileSync(shadowPath, shadow, { mode: 0o640 });
  return publicKey;
}

function deployIds(root: string): [number, number] {
  const line = readFileSync(join(root, 'etc/passwd'), 'utf8')
    .split('\n')
    .find((l) => l.startsWith('deploy:'));
  const [, , uid, gid] = line?.split(':') ?? [];
  if (uid === undefined || gid === undefined) throw new Error('lab: the base image has no deploy user');
  return [Number(uid), Number(gid)];
}

/** sha512-crypt, computed once per lab; the password goes to openssl on stdin, never in argv. */
export async function hashPassword(password: string): Promise<string> {
  return (await must('openssl', ['passwd', '-6', '-stdin'], { input: `${password}\n` })).trim();
}
