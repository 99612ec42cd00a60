import { createHmac, randomBytes } from 'node:crypto';
import { userInfo } from 'node:os';
import { posix } from 'node:path';
import { runChannel } from './channel';
import {
  describeHop,
  HostConnection,
  type ConnectionTuning,
  type PtyRequest,
  type ShellExit,
  type RemoteConnectionHandler,
} from './connection';
import { SshError } from './errors';
import { KnownHosts } from './known-hosts';
import { defaultSink, redactingLogger, Redactor, type LogSink, type SshLogger } from './redact';
import { Semaphore } from './semaphore';
import { shellQuote } from './shell';
import { expandHome, parseJumpSpec, SshConfigFile } from './ssh-config';
import { sftpPut, sftpRemove, sftpWrite } from './sftp';
import { abortable, streamExec } from './stream-exec';
import { probeSudo, wrapSudo } from './sudo';
import type {
  ClientChannel,
  ExecEvent,
  ExecOptions,
  ExecResult,
  ResolvedHop,
  SshAuthMethod,
  SshTarget,
  SudoMode,
  UploadOptions,
} from './types';

export interface SshEngineOptions {
  /** Keelson's own known_hosts (read-write). Default ~/.keelson/known_hosts. */
  knownHostsFile?: string;
  /** Read-only known_hosts honoured too. Default [~/.ssh/known_hosts]. */
  readOnlyKnownHosts?: string[];
  /** Parsed ~/.ssh/config; default: loaded from ~/.ssh/config on first use. */
  sshConfig?: SshConfigFile;
  /** Commands (channels) at once on one host; OpenSSH allows 10 sessions per connection. */
  perHostConcurrency?: number;
  globalConcurrency?: number;
  tuning?: Partial<ConnectionTuning>;
  logSink?: LogSink;
  redactor?: Redactor;
}

const DEFAULT_TUNING: ConnectionTuning = {
  connectTimeoutMs: 15_000,
  keepaliveIntervalMs: 5_000,
  keepaliveCountMax: 3,
  reconnectAttempts: 3,
  reconnectBaseDelayMs: 500,
};

const DEFAULT_KEYS = ['~/.ssh/id_ed25519', '~/.ssh/id_ecdsa', '~/.ssh/id_rsa'];

/**
 * Keelson's SSH engine: one connection per host, shared by all of that host's commands
 * (channels multiplexed on it), behind a per-host and a global concurrency cap. Host keys are
 * trusted on first use only after the user accepted them; every log line is redacted.
 */
export class SshEngine {
  readonly redactor: Redactor;
  readonly knownHosts: KnownHosts;
  private readonly logger: SshLogger;
  private readonly tuning: ConnectionTuning;
  private readonly pool = new Map<string, HostConnection>();
  private readonly hostSlots = new Map<string, Semaphore>();
  private readonly globalSlots: Semaphore;
  private readonly perHost: number;
  private sshConfig: Promise<SshConfigFile> | undefined;
  private readonly poolSalt = randomBytes(32);

  constructor(options: SshEngineOptions = {}) {
    this.redactor = options.redactor ?? new Redactor();
    this.logger = redactingLogger(this.redactor, options.logSink ?? defaultSink());
    this.tuning = { ...DEFAULT_TUNING, ...options.tuning };
    this.knownHosts = new KnownHosts(
      expandHome(options.knownHostsFile ?? '~/.keelson/known_hosts'),
      (options.readOnlyKnownHosts ?? ['~/.ssh/known_hosts']).map((f) => expandHome(f)),
    );
    this.perHost = options.perHostConcurrency ?? 8;
    this.globalSlots = new Semaphore(options.globalConcurrency ?? 64);
    if (options.sshConfig) this.sshConfig = Promise.resolve(options.sshConfig);
  }

  /** SSH handshakes done per host (`user@host:port[ via …]`) since the engine started. */
  handshakeCounts(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const c of this.pool.values()) out[c.label] = (out[c.label] ?? 0) + c.handshakes;
    return out;
  }

  /** Closes every connection; the engine can still be used (it reconnects). */
  closeAll(): void {
    for (const c of this.pool.values()) c.close();
  }

  /** Drops one host's connection (e.g. after its settings changed). */
  disconnect(target: SshTarget): Promise<void> {
    return this.connectionFor(target).then((c) => c.close());
  }

  // ---- resolution -------------------------------------------------------------------------

  private config(): Promise<SshConfigFile> {
    this.sshConfig ??= SshConfigFile.load().catch((e: Error) => {
      this.logger.log('warn', `ignoring ~/.ssh/config: ${e.message}`);
      return SshConfigFile.empty();
    });
    return this.sshConfig;
  }

  private registerSecrets(auth: SshAuthMethod | undefined, sudoPassword: string | undefined): void {
    if (auth?.type === 'password') this.redactor.register(auth.password);
    if (auth?.type === 'key') this.redactor.register(auth.passphrase);
    this.redactor.register(sudoPassword);
  }

  private async resolveHop(t: SshTarget): Promise<ResolvedHop> {
    const c = (await this.config()).lookup(t.host);
    this.registerSecrets(t.auth, t.sudoPassword);
    let auths: SshAuthMethod[];
    if (t.auth) auths = [t.auth];
    else {
      // OpenSSH's order: IdentityFiles, the agent, then the default key names.
      auths = c.identityFiles.map((keyFile) => ({ type: 'key' as const, keyFile }));
      if (process.env.SSH_AUTH_SOCK) auths.push({ type: 'agent' });
      if (c.identityFiles.length === 0)
        auths.push(...DEFAULT_KEYS.map((keyFile) => ({ type: 'key' as const, keyFile })));
    }
    const sudoPassword = t.sudoPassword ?? (t.auth?.type === 'password' ? t.auth.password : undefined);
    return {
      name: t.host,
      host: c.hostName ?? t.host,
      port: t.port ?? c.port ?? 22,
      user: t.user ?? c.user ?? userInfo().username,
      auths,
      sudoPassword,
    };
  }

  /** The jump chain (outermost first) and the final hop. */
  async resolve(target: SshTarget): Promise<{ chain: ResolvedHop[]; hop: ResolvedHop }> {
    const hop = await this.resolveHop(target);
    let via = target.via;
    if (via === undefined) {
      const jumps = (await this.config()).lookup(target.host).proxyJump;
      via = jumps.map((spec) => {
        const j = parseJumpSpec(spec);
        return { host: j.host, port: j.port, user: j.user };
      });
    }
    const chain = await Promise.all(via.map((v) => this.resolveHop(v)));
    return { chain, hop };
  }

  private async connectionFor(target: SshTarget): Promise<HostConnection> {
    const { chain, hop } = await this.resolve(target);
    return this.connectionOf([...chain, hop]);
  }

  /**
   * Connections are shared per host AND credentials: changed settings (another key, a new
   * password) get their own connection instead of silently riding on the old login. Secrets
   * enter the key only as a keyed hash that lives and dies with this process.
   */
  private credentialsTag(h: ResolvedHop): string {
    return createHmac('sha256', this.poolSalt)
      .update(JSON.stringify([h.auths, h.sudoPassword ?? null]))
      .digest('base64url')
      .slice(0, 16);
  }

  private connectionOf(hops: ResolvedHop[]): HostConnection {
    const key = hops.map((h) => `${h.user}@${h.host}:${h.port}#${this.credentialsTag(h)}`).join(' > ');
    let conn = this.pool.get(key);
    if (!conn) {
      const hop = hops[hops.length - 1]!;
      const chain = hops.slice(0, -1);
      const jump = chain.length ? this.connectionOf(chain) : undefined;
      conn = new HostConnection(
        hop,
        describeHop(hop, chain),
        jump,
        this.knownHosts,
        this.tuning,
        this.logger,
      );
      this.pool.set(key, conn);
      this.hostSlots.set(key, new Semaphore(this.perHost));
    }
    return conn;
  }

  private slotsOf(conn: HostConnection): Semaphore {
    for (const [key, c] of this.pool) if (c === conn) return this.hostSlots.get(key)!;
    throw new Error('connection not in pool');
  }

  // ---- commands ---------------------------------------------------------------------------

  /** Connects (if needed) and returns the host's label, without running anything. */
  async connect(target: SshTarget): Promise<string> {
    const conn = await this.connectionFor(target);
    await conn.get();
    return conn.label;
  }

  /**
   * Runs a command; stdout/stderr stream to the callbacks as they arrive. Resolves with the
   * exit code (non-zero is not an error: the caller decides); rejects with an SshError that
   * names the host when the command could not run to its end.
   */
  async exec(target: SshTarget, command: string, options: ExecOptions = {}): Promise<ExecResult> {
    return this.withHostSlot(target, options, async (conn, signal) => {
      const releaseGlobal = await this.globalSlots.acquire(signal);
      try {
        return await this.execOnConnection(conn, command, options, signal);
      } finally {
        releaseGlobal();
      }
    });
  }

  /** One operation on a host: its connection, its deadline and a per-host slot, all released at the end. */
  private async withHostSlot<T>(
    target: SshTarget,
    options: ExecOptions,
    work: (conn: HostConnection, signal: AbortSignal) => Promise<T>,
  ): Promise<T> {
    const conn = await this.connectionFor(target);
    const { signal, dispose } = this.deadline(conn.label, options);
    const releaseHost = await this.slotsOf(conn)
      .acquire(signal)
      .catch((e) => {
        dispose();
        throw e;
      });
    try {
      return await work(conn, signal);
    } finally {
      releaseHost();
      dispose();
    }
  }

  private async execOnConnection(
    conn: HostConnection,
    command: string,
    options: ExecOptions,
    signal: AbortSignal,
  ): Promise<ExecResult> {
    let cmd = command;
    let stdin = options.stdin;
    if (options.sudo) {
      const mode = await this.sudoMode(conn);
      const wrapped = wrapSudo(mode, command, conn.hop.sudoPassword, conn.label);
      cmd = wrapped.command;
      if (wrapped.stdinPrefix !== undefined)
        stdin =
          stdin === undefined
            ? wrapped.stdinPrefix
            : Buffer.concat([Buffer.from(wrapped.stdinPrefix), Buffer.from(stdin)]);
    }
    const start = (channel: ClientChannel) =>
      runChannel(channel, {
        onStdout: options.onStdout,
        onStderr: options.onStderr,
        onFlowControl: options.onFlowControl,
        stdin,
        signal,
        dropReason: () => conn.dropReason(),
        label: conn.label,
      });
    this.logger.log('debug', `${conn.label}: exec${options.sudo ? ' (sudo)' : ''}`);
    let result: ExecResult;
    try {
      result = await abortable(conn.execChannel(cmd, start), signal);
    } catch (e) {
      // A connection can die silently between commands. Only a channel that never opened is
      // retried: it ran nothing.
      if (!(e instanceof SshError) || !e.details.beforeStart) throw e;
      this.logger.log('info', `${conn.label}: channel open failed on a dead connection; reconnecting once`);
      conn.close();
      result = await abortable(conn.execChannel(cmd, start), signal);
    }
    this.logger.log('debug', `${conn.label}: exec finished with ${result.exitCode ?? result.signal}`);
    return result;
  }

  /**
   * An interactive shell with a pty, on a connection of its own: a terminal lives for hours,
   * so it must neither take one of the host's command slots nor share the fate of the pooled
   * connection (which commands may close and reopen). Its jump hosts are the pooled ones.
   * The host key is verified exactly as for commands. Close it with `close()`.
   */
  async openShell(target: SshTarget, pty: PtyRequest): Promise<RemoteShell> {
    const { chain, hop } = await this.resolve(target);
    const jump = chain.length ? this.connectionOf(chain) : undefined;
    const conn = new HostConnection(
      hop,
      describeHop(hop, chain),
      jump,
      this.knownHosts,
      this.tuning,
      this.logger,
    );
    try {
      const { channel, exit } = await conn.shellChannel(pty);
      this.logger.log('info', `${conn.label}: shell opened (${pty.cols}x${pty.rows})`);
      return {
        label: conn.label,
        channel,
        exit,
        dropReason: () => conn.dropReason(),
        close: () => {
          channel.close();
          conn.close();
        },
      };
    } catch (e) {
      conn.close();
      throw e;
    }
  }

  /** The same command as an async iterator of output chunks and then the exit status. */
  execStream(
    target: SshTarget,
    command: string,
    options: Omit<ExecOptions, 'onStdout' | 'onStderr'> = {},
  ): AsyncIterable<ExecEvent> {
    return streamExec((hooks, cancel) =>
      this.exec(target, command, {
        ...options,
        ...hooks,
        signal: options.signal ? AbortSignal.any([options.signal, cancel]) : cancel,
      }),
    );
  }

  /** Runs a command and collects its output: only for small outputs (probes, checks). */
  async run(
    target: SshTarget,
    command: string,
    options: Omit<ExecOptions, 'onStdout' | 'onStderr'> = {},
  ): Promise<ExecResult & { stdout: string; stderr: string }> {
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    const r = await this.exec(target, command, {
      ...options,
      onStdout: (c) => out.push(c),
      onStderr: (c) => err.push(c),
    });
    return { ...r, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8') };
  }

  /** The verified host key of the host's live connection (connects if needed). */
  async hostKeyOf(target: SshTarget): Promise<{ keyType: string; fingerprint: string }> {
    const conn = await this.connectionFor(target);
    await conn.get();
    const k = conn.hostKey!;
    return { keyType: k.keyType, fingerprint: k.fingerprint };
  }

  /**
   * Reverse tunnel over the host's own connection (ssh -R 127.0.0.1:remotePort): each connection
   * the host makes to that port reaches `onConnection` here — how hosts without internet reach
   * services Keelson serves locally (the offline bundle's apt repository and registry). Restored
   * after a reconnect. `remotePort` 0 lets the host pick; the chosen port is returned.
   */
  async forwardRemote(
    target: SshTarget,
    remotePort: number,
    onConnection: RemoteConnectionHandler,
  ): Promise<{ port: number; close: () => Promise<void> }> {
    const conn = await this.connectionFor(target);
    const port = await conn.forwardRemote(remotePort, onConnection);
    return { port, close: () => conn.unforwardRemote(port) };
  }

  /** How this host's user becomes root: cached per connection. */
  async sudoModeOf(target: SshTarget): Promise<{ mode: SudoMode; detail: string }> {
    const conn = await this.connectionFor(target);
    await conn.get();
    return probeSudo(conn);
  }

  private async sudoMode(conn: HostConnection): Promise<SudoMode> {
    await conn.get();
    conn.sudoMode ??= probeSudo(conn).then((r) => r.mode);
    return conn.sudoMode;
  }

  /** Times out and cancels through one signal, whose reason is the error the caller sees. */
  private deadline(label: string, options: ExecOptions): { signal: AbortSignal; dispose: () => void } {
    const controller = new AbortController();
    const onCancel = () => controller.abort(new SshError('CANCELLED', label, 'command cancelled'));
    options.signal?.addEventListener('abort', onCancel, { once: true });
    if (options.signal?.aborted) onCancel();
    const timer =
      options.timeoutMs !== undefined
        ? setTimeout(
            () =>
              controller.abort(
                new SshError(
                  'COMMAND_TIMEOUT',
                  label,
                  `command did not finish within ${options.timeoutMs} ms`,
                ),
              ),
            options.timeoutMs,
          )
        : undefined;
    return {
      signal: controller.signal,
      dispose: () => {
        if (timer) clearTimeout(timer);
        options.signal?.removeEventListener('abort', onCancel);
      },
    };
  }

  // ---- files ------------------------------------------------------------------------------

  /**
   * Writes a file atomically: SFTP to a temporary name in the same directory, chmod, then
   * rename over the target (posix-rename), so readers see the old or the new file, never half.
   * With sudo (root-owned targets) the upload lands in a private temp file and
   * `install -m MODE` + `mv` put it in place as root.
   */
  async upload(
    target: SshTarget,
    remotePath: string,
    content: string | Buffer,
    options: UploadOptions,
  ): Promise<void> {
    if (!posix.isAbsolute(remotePath)) throw new Error(`remote path must be absolute: ${remotePath}`);
    await this.withHostSlot(target, options, async (conn, signal) => {
      const mode = options.mode.toString(8).padStart(4, '0');
      const data = typeof content === 'string' ? Buffer.from(content) : content;
      const needsSudo = options.sudo && (await this.sudoMode(conn)) !== 'root';
      const suffix = randomBytes(6).toString('hex');
      if (!needsSudo) {
        const tmp = posix.join(posix.dirname(remotePath), `.${posix.basename(remotePath)}.keelson-${suffix}`);
        await abortable(sftpPut(conn, tmp, data, options.mode, remotePath), signal);
        return;
      }
      const tmp = `/tmp/.keelson-upload-${suffix}`;
      try {
        await abortable(sftpWrite(conn, tmp, data, 0o600), signal);
      } catch (error) {
        await sftpRemove(conn, tmp); // half an upload (a full /tmp) must not stay behind
        throw error;
      }
      const staged = `${remotePath}.keelson-${suffix}`;
      const owner = shellQuote(options.owner ?? 'root');
      const group = shellQuote(options.group ?? 'root');
      const script =
        `install -m ${mode} -o ${owner} -g ${group} -- ${shellQuote(tmp)} ${shellQuote(staged)} && ` +
        `mv -f -- ${shellQuote(staged)} ${shellQuote(remotePath)}; rc=$?; rm -f -- ${shellQuote(tmp)} ${shellQuote(staged)}; exit $rc`;
      const errors: Buffer[] = [];
      let r;
      try {
        r = await this.execOnConnection(
          conn,
          script,
          { sudo: true, onStderr: (c) => errors.push(c) },
          signal,
        );
      } catch (error) {
        // The install never ran to its end (timeout, cancel, a dropped connection): the temp
        // file is the user's own, so remove it as the user.
        await sftpRemove(conn, tmp);
        throw error;
      }
      if (r.exitCode !== 0) {
        // The temp file is the user's own: clean it even if sudo refused.
        await sftpRemove(conn, tmp);
        throw new SshError(
          'SFTP_FAILED',
          conn.label,
          `installing ${remotePath} as root failed (exit ${r.exitCode}): ${this.redactor.redact(Buffer.concat(errors).toString('utf8').trim())}`,
        );
      }
    });
  }
}

/** A shell opened by SshEngine.openShell. */
export interface RemoteShell {
  label: string;
  channel: ClientChannel;
  /** The shell's exit status once the host sent it; undefined while it runs or when the connection died. */
  exit: () => ShellExit | undefined;
  /** Why the connection ended, if it did. */
  dropReason: () => SshError | undefined;
  /** Hangs up: closes the channel (the host sends SIGHUP) and the shell's own connection. */
  close: () => void;
}
