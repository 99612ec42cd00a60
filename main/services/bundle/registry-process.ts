// A real OCI registry (distribution's `registry`, shipped inside the bundle) serving the
// bundle's image store on loopback: read-only while a deploy pulls from it, writable only while
// a bundle is being made. Keelson never speaks the registry protocol itself beyond proxying.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { stringify } from 'yaml';

export interface RegistryProcess {
  /** http://127.0.0.1:PORT */
  url: string;
  port: number;
  stop(): Promise<void>;
}

export interface RegistryOptions {
  /** The registry binary (bundle/bin/registry). */
  binary: string;
  /** distribution's filesystem storage root (bundle/registry). */
  storage: string;
  /** A directory for the generated config and the log. */
  workDir: string;
  readOnly: boolean;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port')),
      );
    });
  });
}

async function answers(url: string): Promise<boolean> {
  try {
    const response = await fetch(`${url}/v2/`, { signal: AbortSignal.timeout(1000) });
    return response.status === 200;
  } catch {
    return false;
  }
}

/** Starts the registry on 127.0.0.1 and waits until /v2/ answers (10 s at most). */
export async function startRegistry(options: RegistryOptions): Promise<RegistryProcess> {
  mkdirSync(options.workDir, { recursive: true });
  const port = await freePort();
  const config = {
    version: 0.1,
    log: { level: 'warn', formatter: 'text', accesslog: { disabled: true } },
    storage: {
      filesystem: { rootdirectory: options.storage },
      maintenance: { uploadpurging: { enabled: false }, readonly: { enabled: options.readOnly } },
      delete: { enabled: false },
    },
    http: { addr: `127.0.0.1:${port}`, headers: { 'X-Content-Type-Options': ['nosniff'] } },
  };
  const configPath = join(options.workDir, 'registry.yml');
  writeFileSync(configPath, stringify(config));
  const child: ChildProcess = spawn(options.binary, ['serve', configPath], {
    stdio: ['ignore', 'ignore', 'pipe'],
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', OTEL_TRACES_EXPORTER: 'none' },
  });
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => {
    stderr = (stderr + d.toString()).slice(-4000);
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  // The registry must never outlive Keelson, whatever way Keelson ends.
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);
  void exited.then(() => process.removeListener('exit', killOnExit));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 10_000;
  while (!(await answers(url))) {
    if (child.exitCode !== null || Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(
        `the bundle's registry did not start (${options.binary}): ${stderr.trim().slice(-800)}`,
      );
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    url,
    port,
    stop: async () => {
      if (child.exitCode === null) child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
    },
  };
}
