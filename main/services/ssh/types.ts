import type { ClientChannel } from 'ssh2';

/** How to log in. Secret values are already resolved here; they never leave main. */
export type SshAuthMethod =
  | { type: 'key'; keyFile: string; passphrase?: string }
  | { type: 'agent'; socket?: string }
  | { type: 'password'; password: string };

/** One host to reach. Unset fields are filled from ~/.ssh/config, then OpenSSH's defaults. */
export interface SshTarget {
  /** Address, DNS name, or a ~/.ssh/config Host alias. */
  host: string;
  port?: number;
  user?: string;
  auth?: SshAuthMethod;
  /** Jump hosts, outermost first. Unset: ~/.ssh/config's ProxyJump; `[]`: direct. */
  via?: SshTarget[];
  /** Password sudo asks for; defaults to the login password when auth is by password. */
  sudoPassword?: string;
}

/** A hop with everything decided: what the engine actually connects to. */
export interface ResolvedHop {
  /** What the user called it (alias or address), for messages. */
  name: string;
  host: string;
  port: number;
  user: string;
  auths: SshAuthMethod[];
  sudoPassword?: string;
}

export interface ExecOptions {
  /** Called for each chunk as it arrives; nothing is accumulated by the engine. */
  onStdout?: (chunk: Buffer) => void;
  onStderr?: (chunk: Buffer) => void;
  /** Ends the command (and reports COMMAND_TIMEOUT) after this long; includes waiting in queues. */
  timeoutMs?: number;
  signal?: AbortSignal;
  /** Sent to the command's stdin, then stdin is closed. */
  stdin?: string | Buffer;
  /** Run as root through sudo (no-op when already root). */
  sudo?: boolean;
  /** Receives pause/resume for the output, for consumers that apply backpressure. */
  onFlowControl?: (flow: FlowControl) => void;
}

export interface FlowControl {
  pause(): void;
  resume(): void;
}

export interface ExecResult {
  exitCode: number | null;
  /** Set when the remote process died of a signal. */
  signal?: string;
}

export type ExecEvent =
  { stream: 'stdout' | 'stderr'; data: Buffer } | { exitCode: number | null; signal?: string };

export interface UploadOptions {
  /** Octal mode like 0o644. */
  mode: number;
  sudo?: boolean;
  /** With sudo: owner and group of the installed file (default root:root). */
  owner?: string;
  group?: string;
  timeoutMs?: number;
  signal?: AbortSignal;
}

export type SudoMode = 'root' | 'passwordless' | 'with-password' | 'no';

export type { ClientChannel };
