import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MASK, Redactor, StreamRedactor } from '../../../main/services/ssh/redact';
import { SecretStore } from '../../../main/services/ssh/secret-store';

/** Feeds `text` to a StreamRedactor cut at `cuts`, and returns everything it let through. */
function streamed(redactor: Redactor, text: string, cuts: number[]): string {
  const stream = new StreamRedactor(redactor);
  let out = '';
  let at = 0;
  for (const cut of [...new Set(cuts)].sort((a, b) => a - b)) {
    if (cut <= at || cut >= text.length) continue;
    out += stream.push(text.slice(at, cut));
    at = cut;
  }
  return out + stream.push(text.slice(at)) + stream.end();
}

describe('streaming redaction (command output)', () => {
  it('masks a secret split across chunks, at every possible split', () => {
    const r = new Redactor();
    const secret = 'pw-Zq8sE1';
    r.register(secret);
    const text = `before ${secret} after\n`;
    for (let i = 1; i < text.length; i++) expect(streamed(r, text, [i])).toBe(`before ${MASK} after\n`);
    for (let i = 1; i < text.length; i++)
      for (let j = i + 1; j < text.length; j++) expect(streamed(r, text, [i, j])).not.toContain('Zq8');
  });

  it('passes text with no secret in sight at once, and holds back only a possible start of one', () => {
    const r = new Redactor();
    r.register('secret-value');
    const s = new StreamRedactor(r);
    expect(s.push('plain line\n')).toBe('plain line\n');
    expect(s.push('ends with secr')).toBe('ends with ');
    expect(s.push('ecy\n')).toBe('secrecy\n');
    expect(s.push('x secret-va')).toBe('x ');
    expect(s.end()).toBe('secret-va'); // the stream ended: a prefix alone is not the secret
  });

  it('a secret that starts another one is masked whole either way', () => {
    const r = new Redactor();
    r.register('hunter2');
    r.register('hunter2!sudo');
    for (let i = 1; i < 20; i++)
      expect(streamed(r, 'a hunter2!sudo b hunter2 c', [i])).toBe(`a ${MASK} b ${MASK} c`);
  });

  it('property: no registered secret ever comes out, however the output is cut', () => {
    const alphabet = fc.constantFrom(...'abc-12 \n');
    const word = fc.string({ unit: alphabet, minLength: 3, maxLength: 12 });
    fc.assert(
      fc.property(
        fc.array(word, { minLength: 1, maxLength: 4 }),
        fc.array(fc.oneof(word, fc.nat({ max: 3 })), { maxLength: 12 }),
        fc.array(fc.nat({ max: 200 }), { maxLength: 8 }),
        (secrets, parts, cuts) => {
          const r = new Redactor();
          for (const s of secrets) r.register(s);
          const text = parts.map((p) => (typeof p === 'number' ? secrets[p % secrets.length]! : p)).join('');
          const out = streamed(r, text, cuts);
          for (const s of secrets) expect(out).not.toContain(s);
          if (!secrets.some((s) => text.includes(s))) expect(out).toBe(text);
        },
      ),
      { numRuns: 2000 },
    );
  });
});

describe('how long a secret is masked', () => {
  it('a scope masks until it is released; register lasts for the process', () => {
    const r = new Redactor();
    const scope = r.scope();
    scope.add('call-value');
    r.register('forever-value');
    expect(r.redact('call-value forever-value')).toBe(`${MASK} ${MASK}`);
    scope.release();
    expect(r.masks('call-value')).toBe(false);
    expect(r.redact('call-value forever-value')).toBe(`call-value ${MASK}`);
  });

  it('a value two scopes hold stays masked until both let go', () => {
    const r = new Redactor();
    const a = r.scope();
    const b = r.scope();
    a.add('shared-secret');
    b.add('shared-secret');
    a.release();
    a.release(); // twice is once
    expect(r.masks('shared-secret')).toBe(true);
    b.release();
    expect(r.masks('shared-secret')).toBe(false);
  });

  it("a call's secrets stop being masked when the call's scope is cleared; the client's stay until it disconnects", () => {
    const r = new Redactor();
    const client = new SecretStore([r]);
    client.set('login', 'client-password');
    const call = client.child({ token: 'call-only-token' });
    expect(call.get('login')).toBe('client-password');
    expect(r.size).toBe(2);
    call.clear();
    expect(r.masks('call-only-token')).toBe(false);
    expect(r.masks('client-password')).toBe(true);
    client.clear();
    expect(r.size).toBe(0);
  });
});
