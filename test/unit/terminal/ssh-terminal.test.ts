/**
 * SSH terminals against a real OpenSSH server on loopback: a pty whose size follows resize,
 * host keys, jump hosts, exact bytes, exit versus a dropped connection, and flow control
 * that stops `yes` when the page stops acknowledging.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TERMINAL_FLOW } from '../../../shared/contract/terminal';
import { SshEngine } from '../../../main/services/ssh/engine';
import { SshError } from '../../../main/services/ssh/errors';
import { SshConfigFile } from '../../../main/services/ssh/ssh-config';
import type { SshTarget } from '../../../main/services/ssh/types';
import { TerminalSession } from '../../../main/services/terminal/session';
import { openSshSource } from '../../../main/services/terminal/ssh-source';
import { startSshd, type Sshd } from '../ssh/sshd-fixture';
import { TerminalReader } from './reader';

let sshd: Sshd;
let work: string;
let engine: SshEngine;
const logs: string[] = [];

function root(): SshTarget {
  return { host: '127.0.0.1', port: sshd.port, user: 'root', auth: { type: 'key', keyFile: sshd.rootKey } };
}

async function open(target = root(), size = { cols: 100, rows: 30 }, ack = true): Promise<TerminalReader> {
  const session = new TerminalSession(await openSshSource(engine, target, size));
  return new TerminalReader(session, { ack, keepBytes: true });
}

beforeAll(async () => {
  sshd = await startSshd();
  work = mkdtempSync(join(tmpdir(), 'keelson-term-ssh-'));
  writeFileSync(join(work, 'known_hosts'), `[127.0.0.1]:${sshd.port} ssh-ed25519 ${sshd.hostKey}\n`);
  engine = new SshEngine({
    knownHostsFile: join(work, 'known_hosts'),
    readOnlyKnownHosts: [],
    sshConfig: SshConfigFile.empty(),
    logSink: (level, line) => logs.push(`${level} ${line}`),
  });
});

afterAll(async () => {
  engine?.closeAll();
  await sshd?.stop();
  rmSync(work, { recursive: true, force: true });
});

describe('an SSH terminal', () => {
  it('is a login shell with a pty of the size asked for, and stty size follows resize', async () => {
    const t = await open(root(), { cols: 100, rows: 30 });
    await t.type('echo "term=$TERM"; stty size\n');
    await t.waitFor(/term=xterm-256color\r\n30 100\r\n/);
    t.session.resize(132, 43);
    const from = t.text.length;
    await t.type('stty size\n');
    await t.waitFor(/\b43 132\r\n/, 10_000, from);
    await t.type('exit 3\n');
    expect(await t.waitForEnd()).toEqual({ type: 'exit', exitCode: 3 });
    await t.done;
  });

  it('refuses a host whose key is not known, before any login', async () => {
    const stranger = new SshEngine({
      knownHostsFile: join(work, 'empty_known_hosts'),
      readOnlyKnownHosts: [],
      sshConfig: SshConfigFile.empty(),
    });
    const err = await openSshSource(stranger, root(), { cols: 80, rows: 24 }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(SshError);
    expect((err as SshError).code).toBe('HOST_KEY_UNKNOWN');
    expect(stranger.handshakeCounts()).toEqual({});
  });

  it('reaches a host through a jump host', async () => {
    const t = await open({ ...root(), via: [root()] });
    await t.type('echo "jumped-$((20+22))"\n');
    await t.waitFor(/jumped-42/);
    t.session.close();
    await t.done;
  });

  it('passes every byte through unchanged (raw mode: no pty translation)', async () => {
    const file = join(work, 'random.bin');
    const content = randomBytes(3 * 1024 * 1024);
    writeFileSync(file, content);
    const t = await open();
    // The markers are printed in pieces, so the echoed command line never contains them.
    await t.type(
      `stty raw -echo; printf '%s%s' KEELSON-BEGIN -7f3a; cat ${file}; printf '%s%s' KEELSON-END -7f3a; stty sane\n`,
    );
    await t.waitFor(/KEELSON-END-7f3a/, 20_000);
    const all = Buffer.concat(t.bytes);
    const begin = all.indexOf('KEELSON-BEGIN-7f3a') + 'KEELSON-BEGIN-7f3a'.length;
    const end = all.lastIndexOf('KEELSON-END-7f3a');
    const received = all.subarray(begin, end);
    expect(received.length).toBe(content.length);
    expect(createHash('sha256').update(received).digest('hex')).toBe(
      createHash('sha256').update(content).digest('hex'),
    );
    t.session.close();
    await t.done;
  });

  it('says "disconnected", with the reason, when the connection dies under the shell', async () => {
    const t = await open();
    await t.type('echo "ready-$((1+1))"\n');
    await t.waitFor(/ready-2/);
    // The shell's parent is this session's sshd process: killing it drops the TCP connection.
    await t.type('kill -9 $PPID\n');
    const end = await t.waitForEnd();
    expect(end.type).toBe('disconnected');
    expect(end.type === 'disconnected' && end.reason).toContain(`127.0.0.1:${sshd.port}`);
    await t.done;
  });

  it('stops `yes` when the page stops acknowledging, and lets it run again on acknowledgement', async () => {
    const t = await open(root(), { cols: 80, rows: 24 }, false);
    await t.type('yes\n');
    // Let it fill the window, then watch that nothing more arrives while no one acknowledges.
    const deadline = Date.now() + 10_000;
    while (!t.session.isPaused && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    expect(t.session.isPaused).toBe(true);
    await new Promise((r) => setTimeout(r, 500));
    const heldBefore = t.session.bytesOut;
    const rssBefore = process.memoryUsage().rss;
    await new Promise((r) => setTimeout(r, 2_000));
    const held = t.session.bytesOut;
    // ssh2 may still hand over what was already inside the channel's own 2 MiB window, no more.
    expect(held - heldBefore).toBeLessThanOrEqual(2 * 1024 * 1024);
    expect(t.session.unacknowledged).toBeLessThanOrEqual(TERMINAL_FLOW.highWaterBytes + 4 * 1024 * 1024);
    expect(process.memoryUsage().rss - rssBefore).toBeLessThan(32 * 1024 * 1024);

    // Acknowledge what arrives, as the page does: output flows again.
    const moreBy = Date.now() + 10_000;
    while (t.session.bytesOut <= held + 4 * 1024 * 1024 && Date.now() < moreBy) {
      const received = t.bytes.reduce((n, b) => n + b.length, 0);
      if (received > 0) t.session.ack(received);
      t.bytes.length = 0;
      await new Promise((r) => setTimeout(r, 5));
    }
    expect(t.session.bytesOut).toBeGreaterThan(held);
    t.session.close();
    await t.done;
  });

  it('never logs what was typed or printed', () => {
    const all = logs.join('\n');
    expect(all).toContain('shell opened');
    for (const secret of ['jumped-', 'ready-', 'KEELSON-BEGIN', 'term=', 'yes\n', 'stty']) {
      expect(all).not.toContain(secret);
    }
  });
});
