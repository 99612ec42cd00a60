import { request } from 'node:http';
import WebSocket from 'ws';

export interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/**
 * A GET whose path is sent byte for byte: fetch() and URL would normalise `..` away
 * before it ever reached the server, which would make a traversal test meaningless.
 */
export function rawGet(
  port: number,
  path: string,
  headers: Record<string, string> = {},
): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const req = request(
      { host: '127.0.0.1', port, path, method: 'GET', headers: { Host: `127.0.0.1:${port}`, ...headers } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: Buffer.concat(chunks).toString('utf8'),
          }),
        );
      },
    );
    req.on('error', reject);
    req.setTimeout(5_000, () => req.destroy(new Error(`GET ${path} timed out`)));
    req.end();
  });
}

/** Result of a WebSocket handshake: 101 when accepted, else the HTTP status the server refused with. */
export function tryUpgrade(
  url: string,
  options: { origin?: string; host?: string } = {},
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = {};
    if (options.host) headers.Host = options.host;
    const ws = new WebSocket(url, { origin: options.origin, headers, handshakeTimeout: 5_000 });
    ws.on('open', () => {
      ws.close();
      resolve({ status: 101, body: '' });
    });
    ws.on('unexpected-response', (_req, res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString() }));
    });
    ws.on('error', (error) => reject(error));
  });
}

export function rpcUrl(port: number, token: string | null): string {
  return token === null
    ? `ws://127.0.0.1:${port}/rpc`
    : `ws://127.0.0.1:${port}/rpc?token=${encodeURIComponent(token)}`;
}
