import { createHash, randomBytes } from 'node:crypto';
import { chmod, mkdir, readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { writeFileAtomic } from '../workspace/atomic-write';

/**
 * Where a run gets secret values: what the user typed (SSH passwords, passphrases, sudo
 * passwords, a VRRP password they chose) and what Keelson made or collected and keeps for later
 * runs and day-2 (a generated VRRP password, the bootstrap token, certificate keys, the etcd CA
 * key, the admin kubeconfig). Values never go to the journal, a log or the renderer.
 */
export interface SecretsProvider {
  get(name: string): Promise<string | undefined>;
  /** Keeps a value Keelson owns so a resume (even after kill -9) and day-2 find it. */
  keep(name: string, value: string): Promise<void>;
}

/** Turns the store's JSON into bytes on disk and back: plain (0600 file) or OS-encrypted (Electron safeStorage). */
export interface SecretCodec {
  readonly kind: string;
  encode(text: string): Buffer;
  decode(data: Buffer): string;
}

export const PLAIN_CODEC: SecretCodec = {
  kind: 'plain',
  encode: (text) => Buffer.from(text, 'utf8'),
  decode: (data) => data.toString('utf8'),
};

/** `$KEELSON_HOME/secrets` (default ~/.keelson/secrets): outside the workspace and any project. */
export function secretsFolder(env: NodeJS.ProcessEnv = process.env): string {
  const home = env.KEELSON_HOME?.trim() ? env.KEELSON_HOME : join(homedir(), '.keelson');
  return join(home, 'secrets');
}

/** The file Keelson keeps a cluster's own secrets in, named after the project file's place. */
export function clusterSecretsFile(projectFile: string, env: NodeJS.ProcessEnv = process.env): string {
  const abs = resolve(projectFile);
  const id = basename(abs).replace(/\.keelson\.ya?ml$|\.ya?ml$/, '');
  const where = createHash('sha256').update(dirname(abs)).digest('hex').slice(0, 12);
  return join(secretsFolder(env), `${id}-${where}.json`);
}

/**
 * One cluster's kept secrets in one file, mode 0600 in a 0700 folder, rewritten atomically
 * (temp file, fsync, rename) so a kill at any moment leaves the old or the new set, never half.
 */
export class FileSecretStore implements SecretsProvider {
  private cache: Map<string, string> | undefined;
  private writing: Promise<void> = Promise.resolve();

  constructor(
    readonly file: string,
    private readonly codec: SecretCodec = PLAIN_CODEC,
    /** Called with every value read or kept, so the redactor masks it from then on. */
    private readonly onValue: (value: string) => void = () => undefined,
  ) {}

  private async load(): Promise<Map<string, string>> {
    if (this.cache) return this.cache;
    let data: Buffer | undefined;
    try {
      data = await readFile(this.file);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
    }
    let secrets: Record<string, string> = {};
    if (data) {
      // First line names the codec, so a file the desktop app encrypted is never misread as plain.
      const newline = data.indexOf(10);
      const kind =
        newline > 0 ? /^keelson-secrets (\S+)$/.exec(data.subarray(0, newline).toString())?.[1] : undefined;
      if (!kind) throw new Error(`${this.file} is not a Keelson secrets file`);
      if (kind !== this.codec.kind) {
        throw new Error(
          `${this.file} is encrypted with ${kind} (the desktop app's keychain); this Keelson reads ${this.codec.kind}: resume this deploy from where it started`,
        );
      }
      secrets =
        (JSON.parse(this.codec.decode(data.subarray(newline + 1))) as { secrets?: Record<string, string> })
          .secrets ?? {};
    }
    this.cache = new Map(Object.entries(secrets));
    for (const v of this.cache.values()) this.onValue(v);
    return this.cache;
  }

  async get(name: string): Promise<string | undefined> {
    return (await this.load()).get(name);
  }

  async names(): Promise<string[]> {
    return [...(await this.load()).keys()].sort();
  }

  async keep(name: string, value: string): Promise<void> {
    this.onValue(value);
    const map = await this.load();
    map.set(name, value);
    const text = JSON.stringify({ secrets: Object.fromEntries(map) });
    // One write at a time, each the whole set: the last write wins with everything in it.
    this.writing = this.writing.then(async () => {
      await mkdir(dirname(this.file), { recursive: true, mode: 0o700 });
      await chmod(dirname(this.file), 0o700);
      const body = Buffer.concat([
        Buffer.from(`keelson-secrets ${this.codec.kind}\n`),
        this.codec.encode(text),
      ]);
      await writeFileAtomic(this.file, body, { mode: 0o600 });
    });
    await this.writing;
  }
}

/** User-entered values first (they may override), then what Keelson keeps. */
export class LayeredSecrets implements SecretsProvider {
  constructor(
    private readonly entered: { get(name: string): string | undefined },
    private readonly kept: SecretsProvider,
  ) {}

  async get(name: string): Promise<string | undefined> {
    return this.entered.get(name) ?? (await this.kept.get(name));
  }

  keep(name: string, value: string): Promise<void> {
    return this.kept.keep(name, value);
  }
}

/**
 * Secrets Keelson may make up itself when nobody entered one: the VRRP password (keepalived's
 * auth_pass uses at most 8 characters). Everything else must come from the user or a step.
 */
export function generateOwnedSecret(name: string): string | undefined {
  if (name === 'vrrp-auth-pass')
    return randomBytes(12).toString('base64url').replace(/[-_]/g, 'x').slice(0, 8);
  return undefined;
}
