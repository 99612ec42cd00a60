/**
 * Every log line of the SSH engine passes through a Redactor. Secrets are registered the
 * moment they are resolved (passwords, passphrases, sudo passwords), so a line that
 * accidentally carries one — a server banner echoing input, an error quoting a command —
 * is masked before it reaches any sink.
 *
 * A secret is masked for as long as something holds it: `register` holds it for the life of the
 * process (what the engine's pooled connections and the deploy engine's kept secrets need), a
 * RedactionScope (`scope()`) only until it is released — a client's secret store when its window
 * closes, the values sent with one call when the call ends.
 */
export const MASK = '***';

export class Redactor {
  private readonly permanent = new Set<string>();
  /** Secret → how many live scopes hold it. */
  private readonly held = new Map<string, number>();
  private sorted: string[] | undefined;

  /** Secrets shorter than this would mask ordinary words; they are still never logged on purpose. */
  static readonly MIN_LENGTH = 3;

  /** Masks `secret` for the life of the process. */
  register(secret: string | undefined): void {
    if (!secret || secret.length < Redactor.MIN_LENGTH || this.permanent.has(secret)) return;
    this.permanent.add(secret);
    this.sorted = undefined;
  }

  /** Masks `secret` until the returned function is called (once; later calls do nothing). */
  hold(secret: string | undefined): () => void {
    if (!secret || secret.length < Redactor.MIN_LENGTH) return () => undefined;
    this.held.set(secret, (this.held.get(secret) ?? 0) + 1);
    this.sorted = undefined;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const n = (this.held.get(secret) ?? 1) - 1;
      if (n > 0) this.held.set(secret, n);
      else this.held.delete(secret);
      this.sorted = undefined;
    };
  }

  /** A set of holds that end together (a store cleared, a call ended, a run over). */
  scope(): RedactionScope {
    return new RedactionScope(this);
  }

  /** Stops masking `secret` whoever holds it. */
  forget(secret: string): void {
    this.permanent.delete(secret);
    this.held.delete(secret);
    this.sorted = undefined;
  }

  /** Is `secret` masked now? */
  masks(secret: string): boolean {
    return this.permanent.has(secret) || this.held.has(secret);
  }

  /** How many distinct secrets are masked now. */
  get size(): number {
    return this.secrets().length;
  }

  /** Longest first, so a secret containing another is masked whole. */
  private secrets(): string[] {
    this.sorted ??= [...new Set([...this.permanent, ...this.held.keys()])].sort(
      (a, b) => b.length - a.length,
    );
    return this.sorted;
  }

  redact(text: string): string {
    let out = text;
    for (const secret of this.secrets()) {
      if (out.includes(secret)) out = out.split(secret).join(MASK);
    }
    return out;
  }

  /**
   * Where a stream of `text` may be cut without splitting a secret: the end of `text`, or earlier
   * when its tail could be the start of a secret whose rest has not arrived yet, or when a
   * secret would straddle the cut. What lies after the cut waits for more text.
   */
  safeCut(text: string): number {
    const secrets = this.secrets();
    let cut = text.length;
    for (const s of secrets) {
      // The earliest position from which the rest of `text` is a proper prefix of `s`.
      for (let j = Math.max(0, text.length - s.length + 1); j < cut; j++) {
        if (text.charCodeAt(j) === s.charCodeAt(0) && s.startsWith(text.slice(j))) {
          cut = j;
          break;
        }
      }
    }
    // A whole secret across the cut would be masked only in part: hold all of it back.
    for (let moved = true; moved;) {
      moved = false;
      for (const s of secrets) {
        for (let p = text.indexOf(s); p !== -1 && p < cut; p = text.indexOf(s, p + 1)) {
          if (p + s.length > cut) {
            cut = p;
            moved = true;
          }
        }
      }
    }
    return cut;
  }
}

/** Holds secrets on a Redactor until release(). */
export class RedactionScope {
  private releases: (() => void)[] = [];

  constructor(private readonly redactor: Redactor) {}

  add(secret: string | undefined): void {
    this.releases.push(this.redactor.hold(secret));
  }

  release(): void {
    const releases = this.releases;
    this.releases = [];
    for (const release of releases) release();
  }
}

/**
 * Redacts a stream of text (command output) chunk by chunk, catching a secret split across
 * chunks: a tail that could be the start of a secret is held back until the next chunk shows
 * whether it is one, or until end(). Text with no secret in sight passes at once.
 */
export class StreamRedactor {
  private pending = '';

  constructor(private readonly redactor: Redactor) {}

  push(chunk: string): string {
    const text = this.pending + chunk;
    const cut = this.redactor.safeCut(text);
    this.pending = text.slice(cut);
    return this.redactor.redact(text.slice(0, cut));
  }

  /** The rest (the stream ended): whatever was held back, redacted. */
  end(): string {
    const rest = this.redactor.redact(this.pending);
    this.pending = '';
    return rest;
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
