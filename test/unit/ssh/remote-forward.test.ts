/**
 * Reverse tunnels (ssh -R) over the engine's one connection per host, against a real OpenSSH
 * server on loopback: the host reaches a service served here, and still does after the
 * connection dropped and came back — how offline hosts reach Keelson's bundle during a deploy.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SshEngine } from '../../../main/services/ssh/engine';
import { SshConfigFile } from '../../../main/services/ssh/ssh-config';
import type { SshTarget } from '../../../main/services/ssh/types';
import { startSshd, type Sshd } from './sshd-fixture';

let sshd: Sshd;
let work: string;
let web: Server;

beforeAll(async () => {
  sshd = await startSshd();
  work = mkdtempSync(join(tmpdir(), 'keelson-forward-'));
  writeFileSync(join(work, 'known_hosts'), `[127.0.0.1]:${sshd.port} ssh-ed25519 ${sshd.hostKey}\n`);
  web = createServer((req, res) => res.end(`served here: ${req.url}`));
});

afterAll(async () => {
  web?.close();
  await sshd?.stop();
  rmSync(work, { recursive: true, force: true });
});

describe('forwardRemote', () => {
  it("hands the host's connections to 127.0.0.1:PORT to a local service, also after a reconnect", async () => {
    const engine = new SshEngine({
      knownHostsFile: join(work, 'known_hosts'),
      readOnlyKnownHosts: [],
      sshConfig: SshConfigFile.empty(),
    });
    const target: SshTarget = {
      host: '127.0.0.1',
      port: sshd.port,
      user: 'root',
      auth: { type: 'key', keyFile: sshd.rootKey },
    };
    const tunnel = await engine.forwardRemote(target, 0, (stream) => web.emit('connection', stream));
    expect(tunnel.port).toBeGreaterThan(0);
    const fetchOnHost = () =>
      engine.run(target, `curl -s --max-time 5 http://127.0.0.1:${tunnel.port}/pool/x.deb`, {
        timeoutMs: 10_000,
      });
    expect((await fetchOnHost()).stdout).toBe('served here: /pool/x.deb');

    engine.closeAll();
    const again = await fetchOnHost();
    expect(again.stdout).toBe('served here: /pool/x.deb');
    expect(Object.values(engine.handshakeCounts())).toEqual([2]);

    await tunnel.close();
    expect((await fetchOnHost()).exitCode).not.toBe(0);
    engine.closeAll();
  });
});
