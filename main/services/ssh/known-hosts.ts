import { createHash, createHmac } from 'node:crypto';
import { mkdir, readFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { writeFileAtomic } from '../workspace/atomic-write';
import type { HostKeyInfo } from './errors';

/** One usable line of an OpenSSH known_hosts file. */
export interface KnownHostEntry {
  marker?: 'revoked' | 'cert-authority';
  /** Host patterns as written (`host`, `[host]:port`, wildcards, `!negated`) or one hashed `|1|salt|hash`. */
  patterns: string[];
  keyType: string;
  key: string;
  file: string;
}

/** OpenSSH's fingerprint: `SHA256:` + base64 (no padding) of the SHA-256 of the raw key blob. */
export function fingerprintOf(keyBlob: Buffer): string {
  return 'SHA256:' + createHash('sha256').update(keyBlob).digest('base64').replace(/=+$/, '');
}

/** The key type is the first length-prefixed string inside the blob (RFC 4253 §6.6). */
export function keyTypeOf(keyBlob: Buffer): string {
  if (keyBlob.length < 4) return 'unknown';
  const len = keyBlob.readUInt32BE(0);
  if (len > 64 || 4 + len > keyBlob.length) return 'unknown';
  return keyBlob.subarray(4, 4 + len).toString('latin1');
}

export function hostKeyInfo(host: string, port: number, keyBlob: Buffer): HostKeyInfo {
  return {
    host,
    port,
    keyType: keyTypeOf(keyBlob),
    fingerprint: fingerprintOf(keyBlob),
    key: keyBlob.toString('base64'),
  };
}

/** How known_hosts names a host: bare for port 22, `[host]:port` otherwise. */
export function knownHostsName(host: string, port: number): string {
  return port === 22 ? host : `[${host}]:${port}`;
}

export function parseKnownHosts(text: string, file: string): KnownHostEntry[] {
  const entries: KnownHostEntry[] = [];
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    const fields = line.split(/\s+/);
    let marker: KnownHostEntry['marker'];
    if (fields[0]?.startsWith('@')) {
      const m = fields.shift();
      if (m === '@revoked') marker = 'revoked';
      else if (m === '@cert-authority') marker = 'cert-authority';
      else continue; // unknown marker: OpenSSH ignores the line too
    }
    const [hosts, keyType, key] = fields;
    if (!hosts || !keyType || !key) continue;
    entries.push({ marker, patterns: hosts.split(','), keyType, key, file });
  }
  return entries;
}

/** OpenSSH pattern: `*` any run, `?` one character; case-insensitive like hostnames. */
function globMatch(pattern: string, name: string): boolean {
  const re = new RegExp(
    '^' +
      pattern
        .split('')
        .map((c) => (c === '*' ? '.*' : c === '?' ? '.' : c.replace(/[.+^${}()|[\]\\]/g, '\\$&')))
        .join('') +
      '$',
    'i',
  );
  return re.test(name);
}

function hashedMatch(pattern: string, name: string): boolean {
  const [, magic, salt, hash] = pattern.split('|');
  if (magic !== '1' || !salt || !hash) return false;
  const digest = createHmac('sha1', Buffer.from(salt, 'base64')).update(name).digest('base64');
  return digest === hash;
}

/** Does this entry name host:port? Negated patterns veto, as in OpenSSH's match_hostname. */
export function entryMatches(entry: KnownHostEntry, host: string, port: number): boolean {
  const name = knownHostsName(host, port);
  let matched = false;
  for (const pattern of entry.patterns) {
    if (pattern.startsWith('|')) {
      if (hashedMatch(pattern, name)) matched = true;
      continue;
    }
    const negated = pattern.startsWith('!');
    const p = negated ? pattern.slice(1) : pattern;
    if (globMatch(p, name)) {
      if (negated) return false;
      matched = true;
    }
  }
  return matched;
}

/** A key on record for a host, as the user can check it (`ssh-keygen -lf`). */
export interface RecordedKey {
  keyType: string;
  fingerprint: string;
  file: string;
}

/**
 * A name known_hosts can hold as a literal: a DNS name or an IPv4/IPv6 address. Nothing that
 * the file reads as a pattern (`*`, `?`, `!`, `,`), a hash (`|`), a comment (`#`), a marker
 * (`@`), a field separator or a second line.
 */
const HOST_NAME = /^[A-Za-z0-9_][A-Za-z0-9_.:%-]{0,252}$/;
const KEY_TYPE = /^[a-z0-9@.-]{3,64}$/;

export type HostKeyVerdict =
  | { kind: 'trusted'; file: string }
  /**
   * No key of the presented type is on record. `others`: keys of other types that ARE on record
   * for this host — a host known by its ed25519 key that now offers only RSA may be an impostor
   * who lacks the ed25519 private key, so the prompt must say so (as OpenSSH does).
   */
  | { kind: 'unknown'; others: RecordedKey[] }
  | { kind: 'changed'; knownFingerprints: string[]; file: string }
  | { kind: 'revoked'; file: string };

function fingerprintOfBase64(key: string): string {
  return fingerprintOf(Buffer.from(key, 'base64'));
}

/**
 * The trust store: Keelson's own known_hosts (read-write) plus any number of read-only
 * files (the user's ~/.ssh/known_hosts), all in OpenSSH format so the user can inspect and
 * edit them with the usual tools.
 */
export class KnownHosts {
  private writing: Promise<unknown> = Promise.resolve();

  constructor(
    readonly ownFile: string,
    readonly readOnlyFiles: string[] = [],
  ) {}

  private async load(): Promise<KnownHostEntry[]> {
    const all: KnownHostEntry[] = [];
    for (const file of [this.ownFile, ...this.readOnlyFiles]) {
      let text: string;
      try {
        text = await readFile(file, 'utf8');
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === 'ENOENT') continue;
        throw e;
      }
      all.push(...parseKnownHosts(text, file));
    }
    return all;
  }

  /** Key types on record for this host: used to make the server present one of those. */
  async knownKeyTypes(host: string, port: number): Promise<string[]> {
    const entries = (await this.load()).filter((e) => !e.marker && entryMatches(e, host, port));
    return [...new Set(entries.map((e) => e.keyType))];
  }

  async verify(host: string, port: number, keyBlob: Buffer): Promise<HostKeyVerdict> {
    const presented = keyBlob.toString('base64');
    const type = keyTypeOf(keyBlob);
    const entries = await this.load();
    const revoked = entries.find((e) => e.marker === 'revoked' && e.key === presented);
    if (revoked) return { kind: 'revoked', file: revoked.file };
    const mine = entries.filter((e) => !e.marker && entryMatches(e, host, port));
    const same = mine.find((e) => e.key === presented);
    if (same) return { kind: 'trusted', file: same.file };
    // A different key of the same type is a changed key. A key of a type we have never
    // seen for this host is merely unknown (OpenSSH behaves the same way).
    const sameType = mine.filter((e) => e.keyType === type);
    if (sameType.length > 0) {
      return {
        kind: 'changed',
        knownFingerprints: sameType.map((e) => fingerprintOfBase64(e.key)),
        file: sameType[0]!.file,
      };
    }
    const others = mine.map((e) => ({
      keyType: e.keyType,
      fingerprint: fingerprintOfBase64(e.key),
      file: e.file,
    }));
    return { kind: 'unknown', others };
  }

  /**
   * Records a key the user accepted in Keelson's file (read, append, temp file, rename).
   * Only for a host with no conflicting key on record: replacing a changed key is a
   * deliberate act the user does by editing the file named in the HOST_KEY_CHANGED error.
   * Callers pass what a server presented (see HostKeyOffers), never what a client sent; the
   * checks here keep even a bad caller from writing a pattern or a second line.
   */
  async accept(host: string, port: number, keyType: string, key: string): Promise<HostKeyVerdict> {
    if (!HOST_NAME.test(host)) throw new Error(`not a host name or address: ${JSON.stringify(host)}`);
    if (!Number.isInteger(port) || port < 1 || port > 65535) throw new Error(`not a port: ${port}`);
    if (!KEY_TYPE.test(keyType)) throw new Error(`not a key type: ${JSON.stringify(keyType)}`);
    const blob = Buffer.from(key, 'base64');
    if (blob.length === 0 || blob.toString('base64') !== key) throw new Error('host key is not valid base64');
    if (keyTypeOf(blob) !== keyType)
      throw new Error(`host key blob is of type ${keyTypeOf(blob)}, not ${keyType}`);
    // One accept at a time: two read-append-rename rounds side by side would each keep only
    // their own new line (a lost update).
    const run = this.writing.then(async (): Promise<HostKeyVerdict> => {
      const verdict = await this.verify(host, port, blob);
      if (verdict.kind !== 'unknown') return verdict;
      let existing = '';
      try {
        existing = await readFile(this.ownFile, 'utf8');
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
      }
      if (existing && !existing.endsWith('\n')) existing += '\n';
      const line = `${knownHostsName(host, port)} ${keyType} ${key}\n`;
      await mkdir(dirname(this.ownFile), { recursive: true, mode: 0o700 });
      // A unique temporary name (removed if the write fails), fsync, rename.
      await writeFileAtomic(this.ownFile, existing + line, { mode: 0o600 });
      return { kind: 'trusted', file: this.ownFile };
    });
    this.writing = run.catch(() => undefined);
    return run;
  }
}
