// Serves an offline bundle to the hosts of a deploy over one HTTP port: the apt repositories,
// manifests and tarballs as plain files, and the image store through the bundle's own registry.
// containerd asks a mirror for `/v2/REPO/...?ns=registry.k8s.io`; the bundle stores images under
// their full upstream names, so `ns` picks the registry (no clash between two registries' repos).
// Read-only: GET and HEAD only, files only below the served prefixes.
import { createReadStream, realpathSync, statSync } from 'node:fs';
import { createServer, request, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join, sep } from 'node:path';
import { bundlePaths, readBundleManifest, SERVED_PREFIXES, type BundleManifest } from './layout';
import { startRegistry, type RegistryProcess } from './registry-process';

export interface BundleServer {
  /** http://HOST:PORT where the bundle is served on this machine. */
  url: string;
  port: number;
  manifest: BundleManifest;
  /** Requests answered so far, by outcome (for tests and the deploy log). */
  stats: { files: number; registry: number; refused: number };
  close(): Promise<void>;
}

export interface BundleServerOptions {
  dir: string;
  /** Default 127.0.0.1 (hosts reach it through SSH reverse tunnels); a picked host may listen wider. */
  host?: string;
  port?: number;
  /** Where the registry writes its config; default a folder beside nothing in the bundle. */
  workDir: string;
}

const CONTENT_TYPES: Record<string, string> = {
  '.gz': 'application/gzip',
  '.deb': 'application/vnd.debian.binary-package',
  '.yml': 'text/yaml',
  '.yaml': 'text/yaml',
  '.key': 'application/pgp-keys',
};

/** The registry path containerd asked for, with the upstream registry named by `ns` put in front. */
export function registryPath(url: URL): string {
  const ns = url.searchParams.get('ns');
  const m = /^\/v2\/(.+)\/(manifests|blobs|tags)\/(.*)$/.exec(url.pathname);
  if (!ns || !m || !/^[a-z0-9.-]+(:\d+)?$/.test(ns)) return url.pathname;
  const host = ns === 'docker.io' ? 'docker.io' : ns;
  return `/v2/${host}/${m[1]}/${m[2]}/${m[3]}`;
}

function refuse(res: ServerResponse, status: number, text: string): void {
  res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8' });
  res.end(`${text}\n`);
}

export async function startBundleServer(options: BundleServerOptions): Promise<BundleServer> {
  const manifest = readBundleManifest(options.dir);
  const root = realpathSync(options.dir);
  const paths = bundlePaths(root);
  const registry: RegistryProcess = await startRegistry({
    binary: paths.registryBinary,
    storage: paths.registry,
    workDir: options.workDir,
    readOnly: true,
  });
  const stats = { files: 0, registry: 0, refused: 0 };

  const serveFile = (url: URL, req: IncomingMessage, res: ServerResponse) => {
    const rel = decodeURIComponent(url.pathname).replace(/^\/+/, '');
    let path: string;
    try {
      path = realpathSync(join(root, rel));
    } catch {
      stats.refused++;
      return refuse(res, 404, 'not in this bundle');
    }
    const info = statSync(path);
    if (!path.startsWith(root + sep) || !SERVED_PREFIXES.some((p) => rel.startsWith(p)) || !info.isFile()) {
      stats.refused++;
      return refuse(res, 404, 'not in this bundle');
    }
    stats.files++;
    const ext = path.slice(path.lastIndexOf('.'));
    res.writeHead(200, {
      'content-type': CONTENT_TYPES[ext] ?? 'application/octet-stream',
      'content-length': info.size,
    });
    if (req.method === 'HEAD') return res.end();
    createReadStream(path).pipe(res);
  };

  const proxyRegistry = (url: URL, req: IncomingMessage, res: ServerResponse) => {
    stats.registry++;
    const upstream = request(
      {
        host: '127.0.0.1',
        port: registry.port,
        method: req.method,
        path: registryPath(url),
        headers: { accept: req.headers.accept ?? '*/*' },
      },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    upstream.on('error', (e) => refuse(res, 502, `the bundle's registry did not answer: ${e.message}`));
    upstream.end();
  };

  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://bundle');
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      stats.refused++;
      return refuse(res, 405, 'the bundle is read-only');
    }
    if (url.pathname === '/v2' || url.pathname.startsWith('/v2/')) return proxyRegistry(url, req, res);
    serveFile(url, req, res);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve());
  });
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return {
    url: `http://${host}:${address.port}`,
    port: address.port,
    manifest,
    stats,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
      await registry.stop();
    },
  };
}
