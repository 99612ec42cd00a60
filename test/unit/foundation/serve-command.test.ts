import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { CONTENT_SECURITY_POLICY } from '../../../shared/security/csp';
import { ensureBuilt } from './build-output';

// `npm run serve` is `node out/main/serve.js`: run exactly that and read what a user reads.
let child: ChildProcess | undefined;

beforeAll(() => ensureBuilt());
afterEach(() => {
  child?.kill();
  child = undefined;
});

function startServe(): Promise<{ url: string; stdout: string }> {
  return new Promise((resolve, reject) => {
    child = spawn(process.execPath, ['out/main/serve.js'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const timer = setTimeout(() => reject(new Error(`no URL printed within 15 s; got: ${stdout}`)), 15_000);
    child.stdout!.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      const match = /(http:\/\/127\.0\.0\.1:\d+\/#token=[A-Za-z0-9_-]+)\n/.exec(stdout);
      if (match) {
        clearTimeout(timer);
        resolve({ url: match[1]!, stdout });
      }
    });
    child.once('exit', (code) => reject(new Error(`serve exited early with ${code}: ${stdout}${stderr}`)));
  });
}

describe('npm run serve', () => {
  it('prints a loopback URL with a token, and that URL serves the page with the CSP header', async () => {
    const { url, stdout } = await startServe();
    expect(stdout).toContain('listening on 127.0.0.1 only');
    expect(stdout).toMatch(/ssh -L (\d+):127\.0\.0\.1:\1 /);
    const token = new URL(url).hash.replace('#token=', '');
    expect(token.length).toBeGreaterThanOrEqual(32); // 24 random bytes, base64url

    const response = await fetch(url);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-security-policy')).toBe(CONTENT_SECURITY_POLICY);
    const html = await response.text();
    expect(html).toContain('<title>Keelson</title>');
    const script = /src="\.\/(assets\/[^"]+\.js)"/.exec(html)?.[1];
    expect(script, 'the built page loads its bundle').toBeDefined();
    const bundle = await fetch(new URL(script!, url));
    expect(bundle.status).toBe(200);
    expect(bundle.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
  });

  it('uses a fresh token on every start', async () => {
    const first = (await startServe()).url;
    child!.kill();
    const second = (await startServe()).url;
    expect(new URL(first).hash).not.toBe(new URL(second).hash);
  });

  it('rejects a bad --port in one clear line', () => {
    const result = spawnSync(process.execPath, ['out/main/serve.js', '--port', 'abc'], { encoding: 'utf8' });
    expect(result.status).toBe(2);
    expect(result.stderr).toBe('--port must be a number from 0 to 65535, got "abc"\n');
    const unknown = spawnSync(process.execPath, ['out/main/serve.js', '--host', '0.0.0.0'], {
      encoding: 'utf8',
    });
    expect(unknown.status).toBe(2);
    expect(unknown.stderr).toMatch(/^Unknown option '--host'\. .*Run with --help for the options\.\n$/);
  });

  it('says in one line when the port is taken', async () => {
    const squatter = createServer();
    await new Promise<void>((resolve) => squatter.listen(0, '127.0.0.1', resolve));
    const port = (squatter.address() as AddressInfo).port;
    try {
      const result = spawnSync(process.execPath, ['out/main/serve.js', '--port', String(port)], {
        encoding: 'utf8',
        timeout: 15_000,
      });
      expect(result.status).toBe(1);
      expect(result.stderr).toBe(
        `Keelson browser mode could not start: port ${port} is already in use on 127.0.0.1.\n`,
      );
    } finally {
      squatter.close();
    }
  });
});
