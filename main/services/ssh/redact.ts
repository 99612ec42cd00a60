/**
 * Every log line of the SSH engine passes through a Redactor. Secrets are registered the
 * moment they are resolved (passwords, passphrases, sudo passwords), so a line that
 * accidentally carries one — a server banner echoing input, an error quoting a command —
 * is masked before it reaches any sink.
 */
export const MASK = '***';

export class Redactor {
  private readonly secrets = new Set<string>();

  /** Secrets shorter than this would mask ordinary words; they are still never logged on purpose. */
  static readonly MIN_LENGTH = 3;

  register(secret: string | undefined): void {
    if (secret && secret.length >= Redactor.MIN_LENGTH) this.secrets.add(secret);
  }

  forget(secret: string): void {
    this.secrets.delete(secret);
  }

  redact(text: string): string {
    let out = text;
    // Longest first, so a secret containing another is masked whole.
    for (const secret of [...this.secrets].sort((a, b) => b.length - a.length)) {
      if (out.includes(secret)) out = out.split(secret).join(MASK);
    }
    return out;
  }
}

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
export type LogSink = (level: LogLevel, line: string) => void;

export interface SshLogger {
  log(level: LogLevel, message: string): void;
}

/** A logger that redacts before handing a line to its sink. The only way the engine logs. */
export function redactingLogger(redactor: Redactor, sink: LogSink): SshLogger {
  return {
    log(level, message) {
      sink(level, redactor.redact(message));
    },
  };
}

/** Default sink: stderr in debug builds only when KEELSON_SSH_DEBUG is set, otherwise silent. */
export function defaultSink(): LogSink {
  if (!process.env.KEELSON_SSH_DEBUG) return () => undefined;
  return (level, line) => process.stderr.write(`[ssh ${level}] ${line}\n`);
}
