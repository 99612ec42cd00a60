import { spawn } from 'node:child_process';
import type { BrowserServer } from '../../main/services/transport/browser-server';

/**
 * Runs the built browser-mode server exactly as `npm run serve` does (out/main/serve.js,
 * from `npm run build`): the shipped bundle, not the sources, which use Vite-only features
 * (import.meta.glob) that Playwright's loader cannot run.
 */
export function startBuiltServer(
  env: Record<string, string> = {},
): Promise<BrowserServer & { kill9: () => Promise<void> }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['out/main/serve.js'], {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let stdout = '';
    const timer = setTimeout(() => {
      child.kill();
      reject(
        new Error(`out/main/serve.js printed no URL within 30 s (run \`npm run build\` first): ${stdout}`),
      );
    }, 30_000);
    child.once('exit', (code) => reject(new Error(`out/main/serve.js exited with ${code}: ${stdout}`)));
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      const match = /Open: (http:\/\/127\.0\.0\.1:(\d+)\/#token=(\S+))\n/.exec(stdout);
      if (!match) return;
      clearTimeout(timer);
      const exited = new Promise<void>((done) => child.once('exit', () => done()));
      resolve({
        url: match[1]!,
        port: Number(match[2]),
        token: match[3]!,
        close: async () => {
          child.kill('SIGTERM');
          await exited;
        },
        /** What a crash looks like: no signal handler, no cleanup (deploy resume tests). */
        kill9: async () => {
          child.kill('SIGKILL');
          await exited;
        },
      });
    });
  });
}
