/**
 * Honest host keys, against a real sshd on loopback through the contract (as the renderer
 * calls it): a host whose ed25519 key is on record and that now offers only RSA is not a
 * "first contact", and accepting trusts only what a server presented, for the host that did.
 */
import { isDefinedError, safe } from '@orpc/client';
import { createRouterClient } from '@orpc/server';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newServiceContext } from '../../../main/services/context';
import { router } from '../../../main/services/router';
import { HostKeyOffers, OFFER_TTL_MS } from '../../../main/services/ssh/host-key-offers';
import { sshEngine } from '../../../main/services/ssh/instance';
import { fingerprintOf, KnownHosts } from '../../../main/services/ssh/known-hosts';
import type { SshConnection } from '../../../shared/contract/ssh';
import { startSshd, type Sshd } from './sshd-fixture';

let sshd: Sshd;
let work: string;
let knownHostsFile: string;
const client = () => createRouterClient(router, { context: newServiceContext('in-process', 'cli') });

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'keelson-host-keys-'));
  knownHostsFile = join(work, 'known_hosts');
  process.env.KEELSON_KNOWN_HOSTS = knownHostsFile;
  sshd = await startSshd();
});

afterAll(async () => {
  sshEngine().closeAll();
  await sshd?.stop();
  rmSync(work, { recursive: true, force: true });
});

const root = (): SshConnection => ({
  address: '127.0.0.1',
  port: sshd.port,
  user: 'root',
  auth: { type: 'key', keyFile: sshd.rootKey },
});

describe('host keys', () => {
  it('a host known by its ed25519 key that now offers only RSA gets a warning, not a first-contact prompt', async () => {
    const ed25519 = `[127.0.0.1]:${sshd.port} ssh-ed25519 ${sshd.hostKey}\n`;
    writeFileSync(knownHostsFile, ed25519);
    const c = client();
    await expect(c.ssh.testConnection({ host: root() })).resolves.toMatchObject({
      hostKey: { keyType: 'ssh-ed25519' },
    });

    const { rsa } = await sshd.useHostKeys(['rsa']);
    sshEngine().closeAll();
    const [err] = await safe(c.ssh.testConnection({ host: root() }));
    if (!isDefinedError(err) || err.code !== 'HOST_KEY_UNKNOWN') throw err;
    expect(err.data.hostKey.keyType).toBe('ssh-rsa');
    expect(err.data.otherKeys).toEqual([
      { keyType: 'ssh-ed25519', fingerprint: expect.stringMatching(/^SHA256:/), file: knownHostsFile },
    ]);
    expect(err.message).toMatch(
      /keys of a different type are already known for this host: ssh-ed25519 SHA256:/,
    );
    expect(err.message).toContain(knownHostsFile);

    // Accepting it (the user says they know) adds the RSA key beside the ed25519 one, as OpenSSH does.
    await c.ssh.acceptHostKey({ token: err.data.acceptToken });
    expect(readFileSync(knownHostsFile, 'utf8')).toBe(`${ed25519}[127.0.0.1]:${sshd.port} ssh-rsa ${rsa}\n`);
    await expect(c.ssh.testConnection({ host: root() })).resolves.toMatchObject({
      hostKey: { keyType: 'ssh-rsa' },
    });
    await sshd.useHostKeys(['ed25519']);
    sshEngine().closeAll();
  });

  it('accepting takes a token only: a host or key sent by the client is refused and nothing is written', async () => {
    rmSync(knownHostsFile, { force: true });
    const c = client();
    // What the old contract took (and wrote): a host and a key of the client's choosing, with the
    // key's true fingerprint.
    const fingerprint = fingerprintOf(Buffer.from(sshd.hostKey, 'base64'));
    for (const host of ['*', '127.0.0.1\n* ssh-ed25519 AAAA', '127.0.0.1,*', '!x'])
      for (const input of [
        {
          host,
          port: 22,
          keyType: 'ssh-ed25519',
          key: sshd.hostKey,
          fingerprint,
        },
        { token: 'A'.repeat(43), host },
        { token: `${'A'.repeat(42)}\n` },
      ]) {
        const [err] = await safe(c.ssh.acceptHostKey(input as never));
        expect(isDefinedError(err) ? err.code : (err as { code?: string })?.code).toMatch(
          /BAD_REQUEST|HOST_KEY_OFFER_GONE/,
        );
      }
    expect(existsSync(knownHostsFile)).toBe(false);
  });

  it('the known_hosts writer refuses patterns, markers, hashes and second lines even from a bad caller', async () => {
    const file = join(work, 'direct_known_hosts');
    const kh = new KnownHosts(file);
    for (const host of ['*', 'a?', '!a', 'a,b', '|1|x|y', '@revoked', '#x', 'a b', 'a\nb', 'a\tb', ''])
      await expect(kh.accept(host, 22, 'ssh-ed25519', sshd.hostKey)).rejects.toThrow(/not a host name/);
    await expect(kh.accept('a', 22, 'ssh-ed25519\n*', sshd.hostKey)).rejects.toThrow(/not a key type/);
    expect(existsSync(file)).toBe(false);
  });

  it('accepts at the same time both end up in the file, and no temporary file is left', async () => {
    const dir = mkdtempSync(join(work, 'concurrent-'));
    const kh = new KnownHosts(join(dir, 'known_hosts'));
    await Promise.all(
      Array.from({ length: 12 }, (_, i) => kh.accept(`10.0.0.${i + 1}`, 22, 'ssh-ed25519', sshd.hostKey)),
    );
    const lines = readFileSync(join(dir, 'known_hosts'), 'utf8').trim().split('\n');
    expect(lines).toHaveLength(12);
    expect(new Set(lines).size).toBe(12);
    const { readdirSync } = await import('node:fs');
    expect(readdirSync(dir)).toEqual(['known_hosts']);
  });

  it('an offer expires, is single-use, and belongs to one client', () => {
    let now = 0;
    const offers = new HostKeyOffers(() => now);
    const key = { host: 'h', port: 22, keyType: 'ssh-ed25519', fingerprint: 'SHA256:x', key: 'AAAA' };
    const a = {};
    const b = {};
    const t1 = offers.offer(a, key);
    expect(offers.take(b, t1)).toBeUndefined();
    expect(offers.take(a, t1)).toEqual(key);
    expect(offers.take(a, t1)).toBeUndefined();
    const t2 = offers.offer(a, key);
    now += OFFER_TTL_MS;
    expect(offers.take(a, t2)).toBeUndefined();
  });
});
