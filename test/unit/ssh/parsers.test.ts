/** Pure parts of the SSH engine: known_hosts, ssh config, redaction, the concurrency queue. */
import { createHmac, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  entryMatches,
  fingerprintOf,
  keyTypeOf,
  knownHostsName,
  parseKnownHosts,
} from '../../../main/services/ssh/known-hosts';
import { Redactor, redactingLogger } from '../../../main/services/ssh/redact';
import { Semaphore } from '../../../main/services/ssh/semaphore';
import { shellQuote } from '../../../main/services/ssh/shell';
import { parseJumpSpec, SshConfigFile } from '../../../main/services/ssh/ssh-config';

// A real ed25519 public key blob and the fingerprint `ssh-keygen -lf` prints for it.
const KEY = 'AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl';

describe('known_hosts', () => {
  it('computes OpenSSH fingerprints and key types from the blob', () => {
    const blob = Buffer.from(KEY, 'base64');
    expect(keyTypeOf(blob)).toBe('ssh-ed25519');
    expect(fingerprintOf(blob)).toMatch(/^SHA256:[A-Za-z0-9+/]{43}$/);
  });

  it('names non-22 ports in brackets', () => {
    expect(knownHostsName('10.0.0.1', 22)).toBe('10.0.0.1');
    expect(knownHostsName('10.0.0.1', 2222)).toBe('[10.0.0.1]:2222');
  });

  it('matches plain, bracketed, wildcard, negated and hashed patterns', () => {
    const salt = randomBytes(20);
    const hash = createHmac('sha1', salt).update('[10.0.0.9]:2200').digest('base64');
    const entries = parseKnownHosts(
      [
        '# comment',
        `10.0.0.1,cp1 ssh-ed25519 ${KEY}`,
        `[10.0.0.2]:2222 ssh-ed25519 ${KEY}`,
        `10.1.*,!10.1.0.5 ssh-ed25519 ${KEY}`,
        `|1|${salt.toString('base64')}|${hash} ssh-ed25519 ${KEY}`,
        `@revoked * ssh-rsa AAAAB3`,
        'garbage',
      ].join('\n'),
      'f',
    );
    expect(entries).toHaveLength(5);
    const [plain, bracket, wild, hashed] = entries;
    expect(entryMatches(plain!, 'cp1', 22)).toBe(true);
    expect(entryMatches(plain!, '10.0.0.1', 2222)).toBe(false);
    expect(entryMatches(bracket!, '10.0.0.2', 2222)).toBe(true);
    expect(entryMatches(bracket!, '10.0.0.2', 22)).toBe(false);
    expect(entryMatches(wild!, '10.1.3.4', 22)).toBe(true);
    expect(entryMatches(wild!, '10.1.0.5', 22)).toBe(false);
    expect(entryMatches(hashed!, '10.0.0.9', 2200)).toBe(true);
    expect(entryMatches(hashed!, '10.0.0.9', 22)).toBe(false);
    expect(entries[4]!.marker).toBe('revoked');
  });
});

describe('ssh config', () => {
  const cfg = SshConfigFile.fromText(
    [
      'Host bastion',
      '  HostName 10.77.0.11',
      '  User admin',
      'Host cp-*',
      '  HostName %h.lab',
      '  Port 2222',
      '  IdentityFile ~/.ssh/lab',
      '  ProxyJump bastion,jump@10.77.0.12:2200',
      'Host *',
      '  User ops',
    ].join('\n'),
  );

  it('applies the first matching value, wildcards and %h', () => {
    expect(cfg.lookup('cp-1')).toMatchObject({
      hostName: 'cp-1.lab',
      port: 2222,
      user: 'ops',
      proxyJump: ['bastion', 'jump@10.77.0.12:2200'],
    });
    expect(cfg.lookup('cp-1').identityFiles[0]).toMatch(/\/\.ssh\/lab$/);
    expect(cfg.lookup('bastion')).toMatchObject({ hostName: '10.77.0.11', user: 'admin', proxyJump: [] });
    expect(cfg.lookup('other')).toEqual({
      hostName: undefined,
      user: 'ops',
      port: undefined,
      identityFiles: [],
      proxyJump: [],
    });
  });

  it('parses ProxyJump hops', () => {
    expect(parseJumpSpec('jump@10.77.0.12:2200')).toEqual({ user: 'jump', host: '10.77.0.12', port: 2200 });
    expect(parseJumpSpec('[fd00::1]:22')).toEqual({ user: undefined, host: 'fd00::1', port: 22 });
    expect(parseJumpSpec('bastion')).toEqual({ user: undefined, host: 'bastion', port: undefined });
    expect(() => parseJumpSpec('h:99999')).toThrow(/invalid port/);
  });
});

describe('redaction', () => {
  it('masks every registered secret in every line, longest first', () => {
    const r = new Redactor();
    const lines: string[] = [];
    const log = redactingLogger(r, (_l, line) => lines.push(line));
    r.register('s3cret');
    r.register('s3cret-longer');
    log.log('info', 'pw=s3cret-longer and s3cret twice s3cret');
    expect(lines).toEqual(['pw=*** and *** twice ***']);
  });
});

describe('semaphore', () => {
  it('never runs more than its capacity and serves waiters in order', async () => {
    const s = new Semaphore(2);
    let active = 0;
    let peak = 0;
    const order: number[] = [];
    await Promise.all(
      [1, 2, 3, 4, 5].map(async (i) => {
        const release = await s.acquire();
        active++;
        peak = Math.max(peak, active);
        order.push(i);
        await new Promise((r) => setTimeout(r, 5));
        active--;
        release();
      }),
    );
    expect(peak).toBe(2);
    expect(order).toEqual([1, 2, 3, 4, 5]);
  });

  it('drops a waiter whose signal aborts', async () => {
    const s = new Semaphore(1);
    const release = await s.acquire();
    const ac = new AbortController();
    const waiting = s.acquire(ac.signal);
    ac.abort(new Error('gave up'));
    await expect(waiting).rejects.toThrow('gave up');
    expect(s.queued).toBe(0);
    release();
    expect(s.inUse).toBe(0);
  });
});

describe('shell quoting', () => {
  it('keeps hostile values as one literal argument', () => {
    expect(shellQuote("a'b; rm -rf /")).toBe(`'a'\\''b; rm -rf /'`);
    expect(shellQuote('/etc/x.conf')).toBe('/etc/x.conf');
    expect(shellQuote('')).toBe("''");
  });
});
