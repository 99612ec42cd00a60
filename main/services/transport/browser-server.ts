import { randomBytes, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { RPCHandler } from '@orpc/server/ws';
import { WebSocketServer } from 'ws';
import { RENDERER_SECURITY_HEADERS } from '../../../shared/security/csp';
import { newServiceContext } from '../context';
import { warmUpParser } from '../workspace/warm-up';
import { router } from '../router';
import { readStaticFile } from './static-files';

export const RPC_PATH = '/rpc';
/** Larger frames are refused before parsing: no request of ours comes near this. */
const MAX_MESSAGE_BYTES = 8 * 1024 * 1024;

export interface BrowserServerOptions {
  /** Folder of the built renderer (out/renderer). */
  rendererDir: string;
  /** 0 picks a free port. */
  port?: number;
  /** Fixed token for tests; by default a fresh random one per run. */
  token?: string;
  log?: (line: string) => void;
}

export interface BrowserServer {
  /** The URL to open: loopback only, the token in the fragment so it never reaches a server log. */
  url: string;
  port: number;
  token: string;
  close(): Promise<void>;
}

/** Browser mode binds here and nowhere else; reach it from elsewhere through an SSH tunnel. */
export const LOOPBACK_HOST = '127.0.0.1';

function sameToken(given: string | null, expected: string): boolean {
  if (!given) return false;
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** Hosts and origins a page served by us can have: guards against DNS rebinding and foreign pages. */
function allowedAuthorities(port: number): Set<string> {
  return new Set([`127.0.0.1:${port}`, `localhost:${port}`]);
}

export type UpgradeVerdict = { ok: true } | { ok: false; status: 401 | 403 | 404; reason: string };

export function checkUpgrade(req: IncomingMessage, port: number, token: string): UpgradeVerdict {
  const url = new URL(req.url ?? '/', 'http://placeholder');
  if (url.pathname !== RPC_PATH) return { ok: false, status: 404, reason: 'unknown path' };
  const authorities = allowedAuthorities(port);
  if (!authorities.has(req.headers.host ?? ''))
    return { ok: false, status: 403, reason: 'foreign Host header' };
  const origin = req.headers.origin;
  if (!origin || !authorities.has(origin.replace(/^http:\/\//, '')) || !origin.startsWith('http://')) {
    return { ok: false, status: 403, reason: 'foreign or missing Origin' };
  }
  if (!sameToken(url.searchParams.get('token'), token))
    return { ok: false, status: 401, reason: 'bad token' };
  return { ok: true };
}

function refuse(socket: Duplex, status: number, reason: string): void {
  const text = status === 401 ? 'Unauthorized' : status === 403 ? 'Forbidden' : 'Not Found';
  socket.end(
    `HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Length: ${reason.length}\r\n\r\n${reason}`,
  );
}

export async function startBrowserServer(options: BrowserServerOptions): Promise<BrowserServer> {
  const token = options.token ?? randomBytes(24).toString('base64url');
  const log = options.log ?? (() => {});
  const rpc = new RPCHandler(router);
  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_MESSAGE_BYTES });

  const server: Server = createServer(async (req, res) => {
    const authorities = allowedAuthorities((server.address() as AddressInfo).port);
    if (!authorities.has(req.headers.host ?? '')) {
      res.writeHead(403, { 'Content-Type': 'text/plain' }).end('Forbidden: foreign Host header');
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { Allow: 'GET, HEAD' }).end();
      return;
    }
    const file = await readStaticFile(options.rendererDir, req.url ?? '/');
    if (!file) {
      res.writeHead(404, { 'Content-Type': 'text/plain', ...RENDERER_SECURITY_HEADERS }).end('Not found');
      return;
    }
    res.writeHead(200, {
      'Content-Type': file.contentType,
      'Cache-Control': 'no-store',
      ...RENDERER_SECURITY_HEADERS,
    });
    res.end(req.method === 'HEAD' ? undefined : file.body);
  });

  server.on('upgrade', (req, socket, head) => {
    const port = (server.address() as AddressInfo).port;
    const verdict = checkUpgrade(req, port, token);
    if (!verdict.ok) {
      log(`refused WebSocket from ${req.socket.remoteAddress}: ${verdict.reason}`);
      refuse(socket, verdict.status, verdict.reason);
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      // ws emits 'error' for an oversized or malformed frame and then closes the socket;
      // without a listener that error would be thrown and take the whole server down.
      ws.on('error', (error) => log(`closed a WebSocket after a bad frame: ${error.message}`));
      // Each tab has its own secrets, forgotten when its socket closes.
      const context = newServiceContext('websocket', 'browser');
      ws.on('close', () => context.secrets.clear());
      void rpc.upgrade(ws, { context });
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, LOOPBACK_HOST, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  void warmUpParser();

  return {
    url: `http://${LOOPBACK_HOST}:${port}/#token=${token}`,
    port,
    token,
    close: () =>
      new Promise<void>((resolve) => {
        for (const client of wss.clients) client.terminate();
        wss.close();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
