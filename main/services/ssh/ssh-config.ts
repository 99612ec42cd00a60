import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import SSHConfig from 'ssh-config';

/** What ~/.ssh/config says about one host name, limited to what the engine honours. */
export interface SshConfigHost {
  hostName?: string;
  user?: string;
  port?: number;
  identityFiles: string[];
  /** Jump hosts outermost first, each `[user@]host[:port]`; empty for none. */
  proxyJump: string[];
}

export function expandHome(path: string, home = homedir()): string {
  if (path === '~') return home;
  if (path.startsWith('~/')) return home + path.slice(1);
  return path;
}

function first(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v[0] : v;
}

function all(v: string | string[] | undefined): string[] {
  if (v === undefined) return [];
  return Array.isArray(v) ? v : [v];
}

/** OpenSSH's few tokens that make sense here: %h (host as typed), %% (a literal %). */
function expandTokens(value: string, host: string): string {
  return value.replace(/%([h%])/g, (_, t: string) => (t === 'h' ? host : '%'));
}

/** `[user@]host[:port]` or `[user@][v6addr]:port`, as ProxyJump writes a hop. */
export function parseJumpSpec(spec: string): { user?: string; host: string; port?: number } {
  let rest = spec.trim();
  if (rest.startsWith('ssh://')) rest = rest.slice('ssh://'.length);
  let user: string | undefined;
  const at = rest.lastIndexOf('@');
  if (at >= 0) {
    user = rest.slice(0, at);
    rest = rest.slice(at + 1);
  }
  let host = rest;
  let port: number | undefined;
  const bracketed = /^\[([^\]]+)\](?::(\d+))?$/.exec(rest);
  if (bracketed) {
    host = bracketed[1]!;
    if (bracketed[2]) port = Number(bracketed[2]);
  } else if (/^[^:]+:\d+$/.test(rest)) {
    const i = rest.lastIndexOf(':');
    host = rest.slice(0, i);
    port = Number(rest.slice(i + 1));
  }
  if (!host) throw new Error(`ProxyJump hop "${spec}" names no host`);
  if (port !== undefined && (!Number.isInteger(port) || port < 1 || port > 65535))
    throw new Error(`ProxyJump hop "${spec}" has an invalid port`);
  return { user, host, port };
}

/**
 * A parsed ~/.ssh/config. Parsing and Host-pattern matching (wildcards, negation, first
 * value wins) are the `ssh-config` library's; `Match exec` is never evaluated, since
 * running shell commands from a config file is not something a deploy tool should do.
 */
export class SshConfigFile {
  private constructor(private readonly config: SSHConfig | undefined) {}

  static empty(): SshConfigFile {
    return new SshConfigFile(undefined);
  }

  static fromText(text: string): SshConfigFile {
    return new SshConfigFile(SSHConfig.parse(text));
  }

  /** A missing file is an empty config; an unreadable one is an error worth seeing. */
  static async load(path = expandHome('~/.ssh/config')): Promise<SshConfigFile> {
    try {
      return SshConfigFile.fromText(await readFile(path, 'utf8'));
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return SshConfigFile.empty();
      throw new Error(`cannot read ssh config ${path}: ${(e as Error).message}`, { cause: e });
    }
  }

  lookup(host: string): SshConfigHost {
    if (!this.config) return { identityFiles: [], proxyJump: [] };
    const c = this.config.compute(host, { ignoreCase: true, matchExec: false });
    const portText = first(c.port);
    const port = portText !== undefined ? Number(portText) : undefined;
    const jump = first(c.proxyjump);
    const hostName = first(c.hostname);
    return {
      hostName: hostName !== undefined ? expandTokens(hostName, host) : undefined,
      user: first(c.user),
      port: port !== undefined && Number.isInteger(port) && port > 0 && port < 65536 ? port : undefined,
      identityFiles: all(c.identityfile).map((f) => expandHome(expandTokens(f, host))),
      proxyJump:
        !jump || jump.toLowerCase() === 'none'
          ? []
          : jump
              .split(',')
              .map((s) => s.trim())
              .filter(Boolean),
    };
  }
}
