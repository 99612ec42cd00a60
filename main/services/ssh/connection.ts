import { readFile } from 'node:fs/promises';
// ssh2 is CommonJS: a default import works under Node's ESM loader and bundlers alike.
import ssh2 from 'ssh2';
import type { Client, ConnectConfig, ClientChannel, SFTPWrapper } from 'ssh2';
import type { Duplex } from 'node:stream';
import { classifyConnectError, SshError, type HostKeyInfo } from './errors';
import { hostKeyInfo, type KnownHosts } from './known-hosts';
import type { SshLogger } from './redact';
import type { ResolvedHop, SshAuthMethod } from './types';
import { expandHome } from './ssh-config';

const { Client: SshClient, utils } = ssh2;

/**
 * What sshd does, without telling the client why, when it refuses a user after the password or
 * key was checked — most often PAM's account stage: /run/nologin while a host is still booting
 * (root is exempt), or an expired or locked account; also sshd's MaxAuthTries.
 */
const CLOSED_DURING_LOGIN =
  'the host closed the connection during login, after key exchange: sshd refused this user ' +
  '(is the host still booting? /run/nologin refuses every user but root; or the account is ' +
  "expired or locked, or MaxAuthTries was reached — the host's sshd log says which)";

/** Receives one connection made to a reverse-forwarded port on the host. */
export type RemoteConnectionHandler = (stream: Duplex, from: { srcIP: string; srcPort: number }) => void;

function requestForward(client: Client, port: number, label: string): Promise<number> {
  return new Promise((resolve, reject) => {
    client.forwardIn('127.0.0.1', port, (err, bound) => {
      if (err)
        reject(
          new SshError(
            'PROTOCOL',
            label,
            `the host refused to forward its port ${port} (sshd AllowTcpForwarding?): ${err.message}`,
            {},
            { cause: err },
          ),
        );
      else resolve(port === 0 ? bound : port);
    });
  });
}

export interface ConnectionTuning {
  connectTimeoutMs: number;
  keepaliveIntervalMs: number;
  keepaliveCountMax: number;
  /** Attempts after a drop (the first connect never retries: a wrong password stays wrong). */
  reconnectAttempts: number;
  reconnectBaseDelayMs: number;
}

/** `user@host:port` and the jump chain, the way every message names a host. */
export function describeHop(hop: ResolvedHop, chain: ResolvedHop[] = []): string {
  const own = `${hop.user}@${hop.host}:${hop.port}`;
  return chain.length ? `${own} via ${chain.map((h) => `${h.user}@${h.host}:${h.port}`).join(' → ')}` : own;
}

const HOST_KEY_ALGORITHMS = [
  'ssh-ed25519',
  'ecdsa-sha2-nistp256',
  'ecdsa-sha2-nistp384',
  'ecdsa-sha2-nistp521',
  'rsa-sha2-512',
  'rsa-sha2-256',
  'ssh-rsa',
];

/**
 * Host key algorithms with the types on record first, as OpenSSH orders them, so a host
 * with several keys shows the one we know rather than one that looks "unknown".
 */
function hostKeyAlgorithmsFor(types: string[]): string[] {
  const preferred: string[] = [];
  for (const t of types) {
    if (t === 'ssh-rsa') preferred.push('rsa-sha2-512', 'rsa-sha2-256', 'ssh-rsa');
    else if (HOST_KEY_ALGORITHMS.includes(t)) preferred.push(t);
  }
  return [...new Set([...preferred, ...HOST_KEY_ALGORITHMS])];
}

const TRANSIENT = new Set([
  'CONNECTION_LOST',
  'CONNECT_TIMEOUT',
  'CONNECTION_REFUSED',
  'HOST_UNREACHABLE',
  'JUMP_FAILED',
]);

/**
 * One SSH connection to one host (through its jump chain), kept open and shared by every
 * command for that host: commands are channels on it. It connects on first use and, after a
 * drop, reconnects on the next use — with backoff, since a host that just dropped is often
 * still coming back.
 */
export class HostConnection {
  private client: Client | undefined;
  private connecting: Promise<Client> | undefined;
  private sftp: Promise<SFTPWrapper> | undefined;
  private everConnected = false;
  /** Why the last connection ended, for the error of a command that was running on it. */
  private lastDrop: SshError | undefined;
  handshakes = 0;
  /** The key the host presented on the current connection (verified). */
  hostKey: HostKeyInfo | undefined;
  /** Cached per connection: sudo's answer does not change while we are logged in. */
  sudoMode: Promise<import('./types').SudoMode> | undefined;
  /** Reverse forwards (host's 127.0.0.1:PORT → here), asked for again on every reconnect. */
  private readonly remoteForwards = new Map<number, RemoteConnectionHandler>();

  constructor(
    readonly hop: ResolvedHop,
    readonly label: string,
    /** The connection to the previous hop, when this host is behind jump hosts. */
    private readonly jump: HostConnection | undefined,
    private readonly knownHosts: KnownHosts,
    private readonly tuning: ConnectionTuning,
    private readonly logger: SshLogger,
  ) {}

  get connected(): boolean {
    return this.client !== undefined;
  }

  /** The live client, connecting (or reconnecting) first if needed. */
  async get(): Promise<Client> {
    if (this.client) return this.client;
    this.connecting ??= this.connectWithRetry().finally(() => {
      this.connecting = undefined;
    });
    return this.connecting;
  }

  /** Why the connection dropped, if it did while a command was running. */
  dropReason(): SshError | undefined {
    return this.lastDrop;
  }

  async sftpSession(): Promise<SFTPWrapper> {
    const client = await this.get();
    this.sftp ??= new Promise<SFTPWrapper>((resolve, reject) => {
      client.sftp((err, sftp) => {
        if (err) {
          this.sftp = undefined;
          reject(
            new SshError('SFTP_FAILED', this.label, `cannot start SFTP: ${err.message}`, {}, { cause: err }),
          );
        } else {
          sftp.on('close', () => {
            this.sftp = undefined;
          });
          resolve(sftp);
        }
      });
    });
    return this.sftp;
  }

  /** Opens a TCP channel from this host to the next hop (ssh -J's direct-tcpip). */
  async forwardTo(host: string, port: number, nextLabel: string): Promise<Duplex> {
    const client = await this.get();
    return new Promise((resolve, reject) => {
      client.forwardOut('127.0.0.1', 0, host, port, (err, stream) => {
        if (err)
          reject(
            new SshError(
              'JUMP_FAILED',
              nextLabel,
              `jump host ${this.label} could not open a connection to ${host}:${port}: ${err.message}`,
              {},
              { cause: err },
            ),
          );
        else resolve(stream);
      });
    });
  }

  close(): void {
    const c = this.client;
    this.client = undefined;
    this.sftp = undefined;
    this.sudoMode = undefined;
    c?.end();
  }

  /**
   * Asks the host to listen on its 127.0.0.1:remotePort and hand each connection to `handler`
   * (ssh -R). Port 0 lets the host choose; the port in use is returned. Kept across reconnects.
   */
  async forwardRemote(remotePort: number, handler: RemoteConnectionHandler): Promise<number> {
    const client = await this.get();
    const port = await requestForward(client, remotePort, this.label);
    this.remoteForwards.set(port, handler);
    return port;
  }

  async unforwardRemote(port: number): Promise<void> {
    if (!this.remoteForwards.delete(port)) return;
    const client = this.client;
    if (!client) return;
    await new Promise<void>((resolve) => client.unforwardIn('127.0.0.1', port, () => resolve()));
  }

  private onRemoteConnection(
    info: { destPort: number; srcIP: string; srcPort: number },
    accept: () => ClientChannel,
    reject: () => void,
  ): void {
    const handler = this.remoteForwards.get(info.destPort);
    if (!handler) return reject();
    handler(accept(), { srcIP: info.srcIP, srcPort: info.srcPort });
  }

  private async connectWithRetry(): Promise<Client> {
    // A first connection fails fast (the user is waiting on "Test connection"), except when
    // the host hung up mid-handshake: sshd does that under load (MaxStartups) or while it
    // restarts, and one more try is what a person would do.
    const attempts = this.everConnected ? 1 + this.tuning.reconnectAttempts : 2;
    const retryable = (e: SshError) =>
      this.everConnected ? TRANSIENT.has(e.code) : e.code === 'CONNECTION_LOST';
    let lastError: unknown;
    for (let attempt = 0; attempt < attempts; attempt++) {
      if (attempt > 0) {
        const delay = this.tuning.reconnectBaseDelayMs * 2 ** (attempt - 1);
        this.logger.log('info', `${this.label}: reconnect attempt ${attempt + 1}/${attempts} in ${delay} ms`);
        await new Promise((r) => setTimeout(r, delay));
      }
      try {
        const client = await this.connectOnce();
        // After a reconnect, the host's forwarded ports come back before any command runs.
        for (const port of this.remoteForwards.keys()) {
          await requestForward(client, port, this.label).catch((e: Error) =>
            this.logger.log(
              'warn',
              `${this.label}: reverse forward of port ${port} not restored: ${e.message}`,
            ),
          );
        }
        return client;
      } catch (e) {
        lastError = e;
        if (!(e instanceof SshError) || !retryable(e)) throw e;
        this.logger.log('warn', `${e.message}`);
      }
    }
    throw lastError;
  }

  private async authConfig(): Promise<Partial<ConnectConfig>> {
    const cfg: Partial<ConnectConfig> = {};
    const methods: string[] = [];
    for (const auth of this.hop.auths) {
      await this.applyAuth(auth, cfg, methods);
    }
    if (methods.length === 0)
      throw new SshError(
        'AUTH_REFUSED',
        this.label,
        'no authentication method available (no key file, no ssh-agent, no password)',
      );
    // Password logins often arrive as keyboard-interactive on PAM hosts: answer with the password.
    cfg.tryKeyboard = cfg.password !== undefined;
    return cfg;
  }

  private async applyAuth(
    auth: SshAuthMethod,
    cfg: Partial<ConnectConfig>,
    methods: string[],
  ): Promise<void> {
    switch (auth.type) {
      case 'password':
        cfg.password ??= auth.password;
        methods.push('password');
        return;
      case 'agent': {
        const socket = auth.socket ?? process.env.SSH_AUTH_SOCK;
        if (!socket) {
          if (this.hop.auths.length === 1)
            throw new SshError(
              'AUTH_REFUSED',
              this.label,
              'ssh-agent chosen but SSH_AUTH_SOCK is not set (is an agent running?)',
            );
          return;
        }
        cfg.agent ??= socket;
        methods.push('agent');
        return;
      }
      case 'key': {
        if (cfg.privateKey) return; // ssh2 takes one key per attempt; the first configured wins
        const path = expandHome(auth.keyFile);
        let text: Buffer;
        try {
          text = await readFile(path);
        } catch (e) {
          if (this.hop.auths.length > 1) return; // an IdentityFile from ~/.ssh/config that does not exist
          throw new SshError(
            'KEY_FILE',
            this.label,
            `cannot read key file ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`,
          );
        }
        const parsed = utils.parseKey(text, auth.passphrase);
        if (parsed instanceof Error) {
          const encrypted = /encrypted|passphrase/i.test(parsed.message);
          const why = encrypted
            ? auth.passphrase
              ? 'wrong passphrase for key file'
              : 'key file is protected by a passphrase and none was given'
            : `key file cannot be parsed (${parsed.message})`;
          if (this.hop.auths.length > 1) {
            this.logger.log('warn', `${this.label}: skipping ${path}: ${why}`);
            return;
          }
          throw new SshError('KEY_FILE', this.label, `${why}: ${path}`);
        }
        cfg.privateKey = text;
        if (auth.passphrase) cfg.passphrase = auth.passphrase;
        methods.push('publickey');
        return;
      }
    }
  }

  private async connectOnce(): Promise<Client> {
    const { hop, label } = this;
    const auth = await this.authConfig();
    const knownTypes = await this.knownHosts.knownKeyTypes(hop.host, hop.port);
    const sock = this.jump ? await this.jump.forwardTo(hop.host, hop.port, label) : undefined;
    const client = new SshClient();
    let hostKeyError: SshError | undefined;

    const config: ConnectConfig = {
      host: hop.host,
      port: hop.port,
      username: hop.user,
      sock,
      readyTimeout: this.tuning.connectTimeoutMs,
      keepaliveInterval: this.tuning.keepaliveIntervalMs,
      keepaliveCountMax: this.tuning.keepaliveCountMax,
      ...auth,
      algorithms: knownTypes.length
        ? { serverHostKey: hostKeyAlgorithmsFor(knownTypes) as never }
        : undefined,
      hostVerifier: (key: Buffer, verify: (ok: boolean) => void) => {
        this.knownHosts.verify(hop.host, hop.port, key).then(
          (verdict) => {
            const info = hostKeyInfo(hop.host, hop.port, key);
            if (verdict.kind === 'trusted') {
              this.hostKey = info;
              return verify(true);
            }
            if (verdict.kind === 'unknown') {
              hostKeyError = new SshError(
                'HOST_KEY_UNKNOWN',
                label,
                verdict.others.length === 0
                  ? `host key not known yet (${info.keyType} ${info.fingerprint}); check it and accept it to connect`
                  : // OpenSSH's words for the same case: the host may be an impostor without the known key.
                    `host key ${info.keyType} ${info.fingerprint} is not known, but keys of a different type are already known for this host: ` +
                      `${verdict.others.map((o) => `${o.keyType} ${o.fingerprint} in ${o.file}`).join(', ')}. ` +
                      'A host that no longer offers its known key may not be the host you know; accept only if you know its keys changed',
                { hostKey: info, otherKnownKeys: verdict.others },
              );
            } else if (verdict.kind === 'changed') {
              hostKeyError = new SshError(
                'HOST_KEY_CHANGED',
                label,
                `HOST KEY CHANGED: the host now presents ${info.keyType} ${info.fingerprint} but ${verdict.file} has ${verdict.knownFingerprints.join(', ')}. ` +
                  `Refusing to connect: this may be an attack. If the host was reinstalled, remove its line from ${verdict.file}.`,
                { hostKey: info, knownFingerprints: verdict.knownFingerprints, knownHostsFile: verdict.file },
              );
            } else {
              hostKeyError = new SshError(
                'HOST_KEY_CHANGED',
                label,
                `host key ${info.fingerprint} is marked @revoked in ${verdict.file}; refusing to connect`,
                {
                  hostKey: info,
                  knownHostsFile: verdict.file,
                },
              );
            }
            verify(false);
          },
          (err: unknown) => {
            hostKeyError = new SshError(
              'PROTOCOL',
              label,
              `cannot read known_hosts: ${(err as Error).message}`,
            );
            verify(false);
          },
        );
      },
    };
    if (auth.tryKeyboard && auth.password !== undefined) {
      const password = auth.password;
      client.on('keyboard-interactive', (_name, _instr, _lang, prompts, finish) => {
        finish(prompts.map(() => password));
      });
    }

    return new Promise<Client>((resolve, reject) => {
      let ready = false;
      const onError = (err: Error) => {
        if (!ready) {
          client.removeListener('ready', onReady);
          reject(hostKeyError ?? classifyConnectError(err, label, this.tuning.connectTimeoutMs));
          client.end();
          return;
        }
        // After ready, errors mean the connection is gone; 'close' follows.
        this.lastDrop = classifyConnectError(err, label, this.tuning.connectTimeoutMs);
        this.logger.log('warn', this.lastDrop.message);
      };
      const onReady = () => {
        ready = true;
        this.handshakes++;
        this.everConnected = true;
        this.lastDrop = undefined;
        this.client = client;
        // Commands are short request/response exchanges: Nagle plus delayed ACKs would add
        // ~40 ms to each (OpenSSH sets TCP_NODELAY too). A no-op when tunnelled through a jump.
        client.setNoDelay(true);
        this.logger.log('info', `${label}: connected (handshake #${this.handshakes})`);
        resolve(client);
      };
      // Key exchange done but not logged in: the host hung up while authenticating us.
      let keysExchanged = false;
      client.on('handshake', () => (keysExchanged = true));
      client.on('tcp connection', (info, accept, reject) => this.onRemoteConnection(info, accept, reject));
      client.on('ready', onReady);
      client.on('error', onError);
      client.on('close', () => {
        if (!ready) {
          reject(
            hostKeyError ??
              new SshError(
                'CONNECTION_LOST',
                label,
                keysExchanged ? CLOSED_DURING_LOGIN : 'connection closed during the SSH handshake',
              ),
          );
          return;
        }
        if (this.client === client) {
          this.client = undefined;
          this.sftp = undefined;
          this.sudoMode = undefined;
        }
        this.lastDrop ??= new SshError('CONNECTION_LOST', label, 'connection closed by the host');
        this.logger.log('info', `${label}: disconnected`);
      });
      sock?.on('close', () => client.end());
      try {
        client.connect(config);
      } catch (e) {
        reject(classifyConnectError(e, label, this.tuning.connectTimeoutMs));
      }
    });
  }

  /**
   * Opens a command channel and hands it to `start` synchronously, inside ssh2's callback:
   * a fast command's output, exit status and close can arrive in the same packet batch as
   * the channel's confirmation, and an 'exit' event has no buffer to wait in.
   */
  async execChannel<T>(command: string, start: (channel: ClientChannel) => Promise<T>): Promise<T> {
    const client = await this.get();
    return new Promise<T>((resolve, reject) => {
      client.exec(command, (err, channel) => {
        if (err) {
          const why = this.lastDrop?.message ?? err.message;
          reject(
            new SshError(
              'CONNECTION_LOST',
              this.label,
              `cannot open a channel: ${why}`,
              { beforeStart: true },
              { cause: err },
            ),
          );
        } else resolve(start(channel));
      });
    });
  }

  /**
   * Opens a login shell with a pty; stdin stays open for keystrokes. The exit status is
   * recorded from inside ssh2's callback, for the same reason as in execChannel: nothing may
   * arrive before someone listens.
   */
  async shellChannel(
    pty: PtyRequest,
  ): Promise<{ channel: ClientChannel; exit: () => ShellExit | undefined }> {
    const client = await this.get();
    return new Promise((resolve, reject) => {
      client.shell(
        { term: pty.term, cols: pty.cols, rows: pty.rows, width: 0, height: 0 },
        (err, channel) => {
          if (err) {
            reject(
              new SshError(
                'CONNECTION_LOST',
                this.label,
                `cannot open a shell: ${this.lastDrop?.message ?? err.message}`,
                { beforeStart: true },
                { cause: err },
              ),
            );
            return;
          }
          let exit: ShellExit | undefined;
          channel.on('exit', (code: number | null, signalName?: string) => {
            exit = signalName ? { exitCode: code ?? null, signal: signalName } : { exitCode: code };
          });
          resolve({ channel, exit: () => exit });
        },
      );
    });
  }
}

export interface PtyRequest {
  /** TERM on the host, e.g. xterm-256color. */
  term: string;
  cols: number;
  rows: number;
}

export interface ShellExit {
  exitCode: number | null;
  signal?: string;
}
