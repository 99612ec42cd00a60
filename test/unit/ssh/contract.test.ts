/**
 * The SSH part of the contract, called the way the renderer calls it (an oRPC client), against
 * a real sshd on loopback: typed host-key errors, accepting a key, facts, streamed output, and
 * secrets that go in but never come back out.
 */
import { isDefinedError, safe } from '@orpc/client';
import { createRouterClient } from '@orpc/server';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newServiceContext } from '../../../main/services/context';
import { router } from '../../../main/services/router';
import { sshEngine } from '../../../main/services/ssh/instance';
import type { RunEvent, SshConnection } from '../../../shared/contract/ssh';
import { startSshd, type Sshd } from './sshd-fixture';

let sshd: Sshd;
let work: string;
const client = () => createRouterClient(router, { context: newServiceContext('in-process', 'cli') });

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'keelson-ssh-contract-'));
  process.env.KEELSON_KNOWN_HOSTS = join(work, 'known_hosts');
  sshd = await startSshd();
});

afterAll(async () => {
  sshEngine().closeAll();
  await sshd?.stop();
  rmSync(work, { recursive: true, force: true });
});

const deploy = (): SshConnection => ({
  name: 'cp1',
  address: '127.0.0.1',
  port: sshd.port,
  user: sshd.user,
  auth: { type: 'password', passwordRef: 'cp1-login' },
  sudoPasswordRef: 'cp1-login',
});

describe('ssh contract', () => {
  it('asks for the host key first, then tests the connection with the secret sent once', async () => {
    const c = client();
    const [err] = await safe(
      c.ssh.testConnection({ host: deploy(), secrets: { 'cp1-login': sshd.password } }),
    );
    expect(isDefinedError(err) && err.code).toBe('HOST_KEY_UNKNOWN');
    if (!isDefinedError(err) || err.code !== 'HOST_KEY_UNKNOWN') throw err;
    const key = err.data.hostKey;
    expect(key.fingerprint).toMatch(/^SHA256:[A-Za-z0-9+/]{43}$/);
    expect(err.message).toContain(`127.0.0.1:${sshd.port}`);
    expect(err.data.otherKeys).toEqual([]); // a first contact, nothing else on record
    expect(JSON.stringify(err.data)).not.toContain(sshd.hostKey); // the key blob stays in main

    // Another window cannot use this window's token, nor can a guessed one be used.
    const [foreign] = await safe(client().ssh.acceptHostKey({ token: err.data.acceptToken }));
    expect(isDefinedError(foreign) && foreign.code).toBe('HOST_KEY_OFFER_GONE');
    const [guessed] = await safe(c.ssh.acceptHostKey({ token: 'A'.repeat(43) }));
    expect(isDefinedError(guessed) && guessed.code).toBe('HOST_KEY_OFFER_GONE');
    expect(existsSync(join(work, 'known_hosts'))).toBe(false);

    expect(await c.ssh.acceptHostKey({ token: err.data.acceptToken })).toEqual({
      knownHostsFile: join(work, 'known_hosts'),
      hostKey: key,
    });
    expect(readFileSync(join(work, 'known_hosts'), 'utf8')).toBe(
      `[127.0.0.1]:${sshd.port} ssh-ed25519 ${sshd.hostKey}\n`,
    );
    // Once: the token is spent.
    const [again] = await safe(c.ssh.acceptHostKey({ token: err.data.acceptToken }));
    expect(isDefinedError(again) && again.code).toBe('HOST_KEY_OFFER_GONE');

    // A value sent with a call lives for that call only: the next call must name a stored one.
    const [gone] = await safe(c.ssh.testConnection({ host: deploy() }));
    expect(isDefinedError(gone) && gone.code).toBe('SECRET_MISSING');
    expect(await c.ssh.secrets.names()).toEqual([]);
    await c.ssh.secrets.set({ name: 'cp1-login', value: sshd.password });
    const facts = await c.ssh.testConnection({ host: deploy() });
    expect(facts).toMatchObject({
      target: `${sshd.user}@127.0.0.1:${sshd.port}`,
      sudo: 'with-password',
      hostKey: { keyType: 'ssh-ed25519', fingerprint: key.fingerprint },
    });
    expect(facts.cpus).toBeGreaterThan(0);
    expect(facts.memoryMb).toBeGreaterThan(100);
    expect(facts.kernel).toBe(readFileSync('/proc/sys/kernel/osrelease', 'utf8').trim());
    expect(JSON.stringify(facts)).not.toContain(sshd.password);
  });

  it('streams a command as stdout/stderr events, then the exit code', async () => {
    const c = client();
    const events: RunEvent[] = [];
    for await (const ev of await c.ssh.run({
      host: deploy(),
      command: 'printf "a\\n"; printf "b\\n" >&2; whoami; exit 4',
      sudo: true,
      secrets: { 'cp1-login': sshd.password },
    }))
      events.push(ev);
    expect(events.at(-1)).toEqual({ exitCode: 4 });
    const text = (s: string) =>
      events
        .filter((e) => 'stream' in e && e.stream === s)
        .map((e) => ('data' in e ? e.data : ''))
        .join('');
    expect(text('stdout')).toBe('a\nroot\n');
    expect(text('stderr')).toBe('b\n');
  });

  it("command output is redacted: a client's secret printed whole, and split across two chunks", async () => {
    const c = client();
    const token = 'tok-7Hq2pLx9Vw';
    await c.ssh.secrets.set({ name: 'api-token', value: token });
    const events: RunEvent[] = [];
    // The command holds the token only in pieces, so only the output can carry it whole.
    for await (const ev of await c.ssh.run({
      host: deploy(),
      command:
        "a='tok-7Hq2'; b='pLx9Vw'; printf '%s%s\\n' \"$a\" \"$b\"; " +
        'printf \'split %s\' "$a"; sleep 0.5; printf \'%s end\\n\' "$b"; printf \'%s%s\\n\' "$a" "$b" >&2',
      secrets: { 'cp1-login': sshd.password },
    }))
      events.push(ev);
    const chunks = events.flatMap((e) => ('data' in e ? [e.data] : []));
    expect(chunks.length).toBeGreaterThan(1);
    const all = chunks.join('');
    expect(all).not.toContain('7Hq2pLx9');
    expect(all).not.toContain('pLx9Vw');
    const text = (stream: string) =>
      events.flatMap((e) => ('stream' in e && e.stream === stream ? [e.data] : [])).join('');
    expect(text('stdout')).toBe('***\nsplit *** end\n');
    expect(text('stderr')).toBe('***\n');
  });

  it('secrets are write-only: names come back, values never', async () => {
    const c = client();
    await c.ssh.secrets.set({ name: 'cp1-login', value: sshd.password });
    await c.ssh.secrets.set({ name: 'vrrp-pass', value: 'hunter2-secret' });
    const names = await c.ssh.secrets.names();
    expect(names).toEqual(expect.arrayContaining(['cp1-login', 'vrrp-pass']));
    expect(JSON.stringify(names)).not.toContain('hunter2');
    expect(await c.ssh.secrets.delete({ name: 'vrrp-pass' })).toEqual({ deleted: true });
    const [missing] = await safe(
      c.ssh.testConnection({ host: { ...deploy(), auth: { type: 'password', passwordRef: 'vrrp-pass' } } }),
    );
    expect(isDefinedError(missing) && missing.code).toBe('SECRET_MISSING');
  });

  it("one client's secrets are its own: another window or tab neither sees nor uses them", async () => {
    const a = client();
    const b = client();
    await a.ssh.secrets.set({ name: 'cp1-login', value: sshd.password });
    expect(await a.ssh.secrets.names()).toEqual(['cp1-login']);
    expect(await b.ssh.secrets.names()).toEqual([]);
    const [missing] = await safe(b.ssh.testConnection({ host: deploy() }));
    expect(isDefinedError(missing) && missing.code).toBe('SECRET_MISSING');
    expect((await a.ssh.testConnection({ host: deploy() })).sudo).toBe('with-password');
  });

  it('a refused login says which host and why, without the password', async () => {
    const c = client();
    const [err] = await safe(
      c.ssh.testConnection({
        host: { ...deploy(), auth: { type: 'password', passwordRef: 'wrong' }, sudoPasswordRef: undefined },
        secrets: { wrong: 'definitely-wrong-pw' },
      }),
    );
    if (!isDefinedError(err) || err.code !== 'SSH_FAILED') throw err;
    expect(err.data.code).toBe('AUTH_REFUSED');
    expect(err.message).toContain(`${sshd.user}@127.0.0.1:${sshd.port}`);
    expect(err.message).not.toContain('definitely-wrong-pw');
  });
});
