/** What went wrong, as a code the UI can branch on. Messages always name the host. */
export type SshErrorCode =
  | 'HOST_KEY_UNKNOWN'
  | 'HOST_KEY_CHANGED'
  | 'AUTH_REFUSED'
  | 'CONNECTION_REFUSED'
  | 'CONNECT_TIMEOUT'
  | 'HOST_UNREACHABLE'
  | 'CONNECTION_LOST'
  | 'COMMAND_TIMEOUT'
  | 'CANCELLED'
  | 'SUDO_REFUSED'
  | 'KEY_FILE'
  | 'SECRET_MISSING'
  | 'JUMP_FAILED'
  | 'SFTP_FAILED'
  | 'PROTOCOL';

export interface HostKeyInfo {
  host: string;
  port: number;
  keyType: string;
  /** OpenSSH format: `SHA256:` + unpadded base64 of the SHA-256 of the key blob. */
  fingerprint: string;
  /** Base64 key blob, as written in known_hosts. */
  key: string;
}

export interface SshErrorDetails {
  /** The presented key (unknown or changed). */
  hostKey?: HostKeyInfo;
  /** For HOST_KEY_CHANGED: the fingerprints Keelson or ~/.ssh/known_hosts had on record. */
  knownFingerprints?: string[];
  /**
   * For HOST_KEY_UNKNOWN: keys of other types on record for the host (it used to present one
   * of those and now offers only a type we have never seen).
   */
  otherKnownKeys?: { keyType: string; fingerprint: string; file: string }[];
  /** Where the known key lives, so the user can fix it deliberately. */
  knownHostsFile?: string;
  exitCode?: number;
  /** The command never started (its channel did not open): safe to try again. */
  beforeStart?: boolean;
}

export class SshError extends Error {
  override readonly name = 'SshError';
  constructor(
    readonly code: SshErrorCode,
    /** `user@host:port` (plus ` via …` for jump chains): which host this is about. */
    readonly target: string,
    message: string,
    readonly details: SshErrorDetails = {},
    options?: { cause?: unknown },
  ) {
    super(`${target}: ${message}`, options);
  }
}

export function isSshError(e: unknown): e is SshError {
  return e instanceof SshError;
}

/**
 * Turns what ssh2 / the socket says into our codes. Only the error's code and level are
 * inspected: messages from ssh2 never contain secrets, but they pass the redactor anyway.
 */
export function classifyConnectError(err: unknown, target: string, connectTimeoutMs: number): SshError {
  if (err instanceof SshError) return err;
  const e = err as NodeJS.ErrnoException & { level?: string };
  const msg = e?.message ?? String(err);
  switch (e?.code) {
    case 'ECONNREFUSED':
      return new SshError(
        'CONNECTION_REFUSED',
        target,
        'connection refused (is sshd running on that port?)',
        {},
        { cause: err },
      );
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
    case 'EHOSTDOWN':
      return new SshError('HOST_UNREACHABLE', target, `host unreachable (${e.code})`, {}, { cause: err });
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return new SshError(
        'HOST_UNREACHABLE',
        target,
        `host name does not resolve (${e.code})`,
        {},
        { cause: err },
      );
    case 'ETIMEDOUT':
      return new SshError(
        'CONNECT_TIMEOUT',
        target,
        `no answer within ${connectTimeoutMs} ms`,
        {},
        { cause: err },
      );
    case 'ECONNRESET':
    case 'EPIPE':
      return new SshError('CONNECTION_LOST', target, `connection reset (${e.code})`, {}, { cause: err });
  }
  if (e?.level === 'client-authentication') {
    return new SshError(
      'AUTH_REFUSED',
      target,
      'authentication refused (all offered methods were rejected)',
      {},
      { cause: err },
    );
  }
  if (e?.level === 'client-timeout') {
    if (/handshake/i.test(msg))
      return new SshError(
        'CONNECT_TIMEOUT',
        target,
        `no SSH handshake within ${connectTimeoutMs} ms`,
        {},
        { cause: err },
      );
    return new SshError(
      'CONNECTION_LOST',
      target,
      'the host stopped answering (keepalive timeout)',
      {},
      { cause: err },
    );
  }
  if (/Connection lost before handshake/i.test(msg))
    return new SshError(
      'CONNECTION_LOST',
      target,
      'connection closed before the SSH handshake',
      {},
      { cause: err },
    );
  if (
    /Cannot parse privateKey|Encrypted private OpenSSH key detected|bad passphrase|Unsupported key format/i.test(
      msg,
    )
  )
    return new SshError('KEY_FILE', target, `private key rejected: ${msg}`, {}, { cause: err });
  return new SshError('PROTOCOL', target, msg, {}, { cause: err });
}
