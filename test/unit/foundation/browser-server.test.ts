import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBrowserServer, type BrowserServer } from '../../../main/services/transport/browser-server';
import { CONTENT_SECURITY_POLICY } from '../../../shared/security/csp';
import { rawGet, rpcUrl, tryUpgrade } from './net-helpers';

// A renderer folder with a secret right beside it, and a sibling folder whose name starts
// with the root's name: a traversal or prefix bug would hand either one out.
const scratch = mkdtempSync(join(tmpdir(), 'keelson-browser-'));
const rendererDir = join(scratch, 'renderer');
const SECRET = 'secret-outside-the-renderer-folder';
mkdirSync(join(rendererDir, 'assets'), { recursive: true });
writeFileSync(join(rendererDir, 'index.html'), '<!doctype html><title>Keelson</title>');
writeFileSync(join(rendererDir, 'assets', 'app.js'), 'export {};');
writeFileSync(join(scratch, 'secret.txt'), SECRET);
mkdirSync(join(scratch, 'renderer-evil'));
writeFileSync(join(scratch, 'renderer-evil', 'secret.txt'), SECRET);

const TOKEN = 'test-token-0123456789';
let server: BrowserServer;
let origin: string;

beforeAll(async () => {
  server = await startBrowserServer({ rendererDir, token: TOKEN });
  origin = `http://127.0.0.1:${server.port}`;
});
afterAll(async () => {
  await server.close();
  rmSync(scratch, { recursive: true, force: true });
});

/** Listening TCP sockets on `port` as the kernel sees them: [local address hex, ...]. */
function kernelListeners(port: number): string[] {
  const portHex = port.toString(16).toUpperCase().padStart(4, '0');
  const found: string[] = [];
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    if (!existsSync(table)) continue;
    for (const line of readFileSync(table, 'utf8').split('\n').slice(1)) {
      const [, local, , state] = line.trim().split(/\s+/);
      if (!local || state !== '0A') continue; // 0A = LISTEN
      const [address, localPort] = local.split(':');
      if (localPort === portHex) found.push(address!);
    }
  }
  return found;
}

describe('browser mode binds to loopback only', () => {
  it('listens on 127.0.0.1 and on no other address', () => {
    expect(server.url).toMatch(new RegExp(`^http://127\\.0\\.0\\.1:${server.port}/#token=`));
    if (!existsSync('/proc/net/tcp')) return;
    // 0100007F is 127.0.0.1 in the kernel's little-endian hex; a wildcard bind would be 00000000.
    expect(kernelListeners(server.port)).toEqual(['0100007F']);
  });

  // Connecting to this machine's own LAN address could leave the sandbox's rules, so the
  // check runs in a private network namespace that has a second, non-loopback address.
  const canUnshare =
    process.platform === 'linux' &&
    process.getuid?.() === 0 &&
    spawnSync('unshare', ['--net', 'true']).status === 0 &&
    existsSync('out/main/serve.js');
  it.skipIf(!canUnshare)('refuses connections on a non-loopback address of the same machine', () => {
    const probe = `
      import { spawn } from 'node:child_process';
      import { connect } from 'node:net';
      const attempt = (host, port) => new Promise((resolve) => {
        const socket = connect({ host, port });
        socket.once('connect', () => { socket.destroy(); resolve('connected'); });
        socket.once('error', (error) => resolve(error.code));
      });
      const serve = spawn(process.execPath, ['out/main/serve.js'], { stdio: ['ignore', 'pipe', 'inherit'] });
      let out = '';
      serve.stdout.on('data', async (chunk) => {
        out += chunk;
        const match = /http:\\/\\/127\\.0\\.0\\.1:(\\d+)\\//.exec(out);
        if (!match) return;
        serve.stdout.removeAllListeners('data');
        const port = Number(match[1]);
        console.log(JSON.stringify({ loopback: await attempt('127.0.0.1', port), other: await attempt('10.77.250.1', port) }));
        serve.kill();
      });
    `;
    const result = spawnSync(
      'unshare',
      [
        '--net',
        'sh',
        '-c',
        'ip link set lo up && ip link add kt0 type veth peer name kt1 && ip addr add 10.77.250.1/24 dev kt0 ' +
          '&& ip link set kt0 up && ip link set kt1 up && exec "$0" --input-type=module -e "$1"',
        process.execPath,
        probe,
      ],
      { encoding: 'utf8', timeout: 20_000 },
    );
    expect(result.stderr).toBe('');
    expect(JSON.parse(result.stdout.trim())).toEqual({ loopback: 'connected', other: 'ECONNREFUSED' });
  });
});

describe('WebSocket upgrade checks', () => {
  it('accepts the right token from our own origin', async () => {
    expect((await tryUpgrade(rpcUrl(server.port, TOKEN), { origin })).status).toBe(101);
    const viaLocalhost = `http://localhost:${server.port}`;
    expect((await tryUpgrade(rpcUrl(server.port, TOKEN), { origin: viaLocalhost })).status).toBe(101);
  });

  it('refuses a missing or wrong token with 401', async () => {
    expect(await tryUpgrade(rpcUrl(server.port, null), { origin })).toEqual({
      status: 401,
      body: 'bad token',
    });
    expect((await tryUpgrade(rpcUrl(server.port, 'wrong'), { origin })).status).toBe(401);
    expect((await tryUpgrade(rpcUrl(server.port, `${TOKEN}x`), { origin })).status).toBe(401);
    expect((await tryUpgrade(rpcUrl(server.port, ''), { origin })).status).toBe(401);
  });

  it('refuses a foreign or missing Origin with 403, even with the right token', async () => {
    const url = rpcUrl(server.port, TOKEN);
    for (const foreign of [
      'http://evil.example',
      `http://evil.example:${server.port}`,
      `https://127.0.0.1:${server.port}`,
      `http://127.0.0.1:${server.port + 1}`,
      `http://127.0.0.1:${server.port}.evil.example`,
      'null',
    ]) {
      expect((await tryUpgrade(url, { origin: foreign })).status, foreign).toBe(403);
    }
    expect(await tryUpgrade(url)).toEqual({ status: 403, body: 'foreign or missing Origin' });
  });

  it('refuses a foreign Host header (DNS rebinding) with 403', async () => {
    const url = rpcUrl(server.port, TOKEN);
    const result = await tryUpgrade(url, { origin, host: `evil.example:${server.port}` });
    expect(result).toEqual({ status: 403, body: 'foreign Host header' });
  });

  it('answers only on /rpc', async () => {
    const wrongPath = `ws://127.0.0.1:${server.port}/other?token=${TOKEN}`;
    expect((await tryUpgrade(wrongPath, { origin })).status).toBe(404);
  });
});

describe('static files', () => {
  it('serves the renderer with the CSP and other security headers', async () => {
    for (const path of ['/', '/index.html', '/assets/app.js', '/missing.js']) {
      const response = await rawGet(server.port, path);
      expect(response.status, path).toBe(path === '/missing.js' ? 404 : 200);
      expect(response.headers['content-security-policy'], path).toBe(CONTENT_SECURITY_POLICY);
      expect(response.headers['x-content-type-options'], path).toBe('nosniff');
    }
    const index = await rawGet(server.port, '/');
    expect(index.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(index.body).toContain('<title>Keelson</title>');
  });

  it('refuses a foreign Host header on plain HTTP (DNS rebinding)', async () => {
    const foreign = await rawGet(server.port, '/', { Host: `evil.example:${server.port}` });
    expect(foreign.status).toBe(403);
    expect(foreign.body).not.toContain('Keelson');
    expect((await rawGet(server.port, '/', { Host: `localhost:${server.port}` })).status).toBe(200);
  });

  it('never serves a file outside the renderer folder, however the path is spelled', async () => {
    const attempts = [
      '/../secret.txt',
      '/../../secret.txt',
      '/assets/../../secret.txt',
      '/%2e%2e/secret.txt',
      '/%2E%2E/secret.txt',
      '/%2e%2e%2fsecret.txt',
      '/..%2fsecret.txt',
      '/..%2Fsecret.txt',
      '/assets/..%2f..%2fsecret.txt',
      '/%252e%252e/secret.txt',
      '/..%5csecret.txt',
      '//../secret.txt',
      '/./../secret.txt',
      '/../renderer-evil/secret.txt',
      '/%2e%2e/renderer-evil/secret.txt',
      `/${encodeURIComponent(join(scratch, 'secret.txt'))}`,
      '/..%00/secret.txt',
      '/%00',
      '/%E0%A4%A', // malformed percent-encoding
    ];
    for (const path of attempts) {
      const response = await rawGet(server.port, path);
      expect(response.status, path).toBe(404);
      expect(response.body, path).not.toContain(SECRET);
    }
  });

  it('refuses methods other than GET and HEAD', async () => {
    const response = await fetch(`${origin}/`, { method: 'POST', body: 'x' });
    expect(response.status).toBe(405);
  });
});
