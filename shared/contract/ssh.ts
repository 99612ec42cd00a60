import { eventIterator, oc } from '@orpc/contract';
import { z } from 'zod';
import { SecretRef, SshAuth, text, type Host } from '../model/cluster';

/**
 * SSH: test a host, accept its host key, run a command, and hand secrets to main.
 * Secret VALUES only ever travel renderer → main (`secrets.set`, or the `secrets` map of a
 * call); nothing here returns one. Connection settings carry secret NAMES (`*Ref`).
 */

/** How to reach one host: the SSH part of a project Host, with its address. */
export const SshConnection = z.strictObject({
  /** Host name in the project, for messages. */
  name: text(253).optional(),
  address: text(253, 1),
  port: z.int().min(1).max(65535).default(22),
  user: text(64, 1).default('root'),
  auth: SshAuth,
  sudoPasswordRef: SecretRef.optional(),
});
export type SshConnection = z.infer<typeof SshConnection>;

/** Secret values by name, sent along with a call; stored write-only in main, never echoed back. */
export const SecretValues = z.record(SecretRef, z.string().min(1).max(16_384));

const Target = {
  host: SshConnection,
  /** Jump hosts, outermost first (the bastion chain). */
  via: z.array(SshConnection).max(8).optional(),
  secrets: SecretValues.optional(),
};

/** A key a host presented, for the user to compare (the key itself stays in main). */
export const HostKey = z.object({
  host: z.string(),
  port: z.int(),
  keyType: z.string(),
  /** OpenSSH format, `SHA256:…`: what `ssh-keygen -lf` shows for the host's public key. */
  fingerprint: z.string(),
});
export type HostKey = z.infer<typeof HostKey>;

/** A key on record for a host, and the known_hosts file that holds it. */
export const RecordedKey = z.object({ keyType: z.string(), fingerprint: z.string(), file: z.string() });
export type RecordedKey = z.infer<typeof RecordedKey>;

/** What acceptHostKey takes: the token of one HOST_KEY_UNKNOWN error (32 random bytes, base64url). */
export const HostKeyToken = z.string().regex(/^[A-Za-z0-9_-]{43}$/, 'a host key token from HOST_KEY_UNKNOWN');

export const SshFailureCode = z.enum([
  'AUTH_REFUSED',
  'CONNECTION_REFUSED',
  'CONNECT_TIMEOUT',
  'HOST_UNREACHABLE',
  'CONNECTION_LOST',
  'COMMAND_TIMEOUT',
  'CANCELLED',
  'SUDO_REFUSED',
  'KEY_FILE',
  'JUMP_FAILED',
  'SFTP_FAILED',
  'PROTOCOL',
]);

export const sshErrors = {
  /**
   * First contact: the user must compare the fingerprint and accept it (acceptHostKey with
   * `acceptToken`, which stands for the key this host presented in this session). `otherKeys`:
   * keys of other types already on record for the host — it used to present one of those, so
   * the prompt must warn (as OpenSSH does) rather than look like a first contact.
   */
  HOST_KEY_UNKNOWN: {
    status: 409,
    data: z.object({
      target: z.string(),
      hostKey: HostKey,
      acceptToken: HostKeyToken,
      otherKeys: z.array(RecordedKey),
    }),
  },
  /** The token sent to acceptHostKey is unknown, used, expired or another window's: test again. */
  HOST_KEY_OFFER_GONE: { status: 410, data: z.object({}) },
  /** The host shows a different key than the one on record: refused, never auto-accepted. */
  HOST_KEY_CHANGED: {
    status: 409,
    data: z.object({
      target: z.string(),
      hostKey: HostKey,
      knownFingerprints: z.array(z.string()),
      knownHostsFile: z.string().optional(),
    }),
  },
  /** A secret named by the settings (passwordRef, passphraseRef, sudoPasswordRef) is not set. */
  SECRET_MISSING: { status: 400, data: z.object({ name: z.string() }) },
  /** Any other failure; the message says which host and what failed. */
  SSH_FAILED: { status: 502, data: z.object({ target: z.string(), code: SshFailureCode }) },
};

export const SudoAccess = z.enum(['passwordless', 'with-password', 'no']);

export const ConnectionFacts = z.object({
  target: z.string(),
  /** PRETTY_NAME from /etc/os-release, or `uname -s`. */
  os: z.string(),
  /** Package family for the project's Host.os, when recognised. */
  osFamily: z.enum(['debian', 'rhel']).optional(),
  kernel: z.string(),
  cpus: z.int(),
  memoryMb: z.int(),
  /** How this user becomes root: root itself counts as passwordless. */
  sudo: SudoAccess,
  sudoDetail: z.string(),
  hostKey: z.object({ keyType: z.string(), fingerprint: z.string() }),
});
export type ConnectionFacts = z.infer<typeof ConnectionFacts>;

export const RunEvent = z.union([
  z.object({ stream: z.enum(['stdout', 'stderr']), data: z.string() }),
  z.object({ exitCode: z.int().nullable(), signal: z.string().optional() }),
]);
export type RunEvent = z.infer<typeof RunEvent>;

const ssh = oc.errors(sshErrors);

export const sshContract = {
  testConnection: ssh.input(z.strictObject(Target)).output(ConnectionFacts),
  /**
   * Trusts the key a HOST_KEY_UNKNOWN error stood for, by its token: only a key a server
   * presented to this client, for the host that presented it. Refuses if it conflicts with a
   * key on record by now.
   */
  acceptHostKey: ssh
    .input(z.strictObject({ token: HostKeyToken }))
    .output(z.object({ knownHostsFile: z.string(), hostKey: HostKey })),
  /** Runs a command, streaming its output, then its exit status. Cancel by aborting the call. */
  run: ssh
    .input(
      z.strictObject({
        ...Target,
        command: z.string().min(1).max(100_000),
        sudo: z.boolean().default(false),
        timeoutMs: z
          .int()
          .min(100)
          .max(24 * 3600_000)
          .optional(),
      }),
    )
    .output(eventIterator(RunEvent)),
  secrets: {
    /** Write-only: keeps the value in main's memory under a name; nothing reads it back. */
    set: ssh
      .input(z.strictObject({ name: SecretRef, value: z.string().min(1).max(16_384) }))
      .output(z.object({ name: z.string() })),
    delete: ssh.input(z.strictObject({ name: SecretRef })).output(z.object({ deleted: z.boolean() })),
    /** Names that have a value, so the UI can show "set" without ever seeing the value. */
    names: ssh.output(z.array(z.string())),
  },
};

/** The connection settings of a project host, as testConnection and run take them. */
export function connectionOf(host: Host): SshConnection {
  return {
    name: host.name,
    address: host.address,
    port: host.ssh.port,
    user: host.ssh.user,
    auth: host.ssh.auth,
    sudoPasswordRef: host.ssh.sudoPasswordRef,
  };
}
