// The app as a user runs it, for lab tests on a real cluster: the built browser-mode server
// (out/main/serve.js from `npm run build`, which `npm test` runs first) and Debian's Chromium driven
// by playwright-core — the same renderer and services the end-to-end suite drives.
import { spawn } from 'node:child_process';
import { chromium, type Browser, type Page } from 'playwright-core';

export interface LabApp {
  page: Page;
  close(): Promise<void>;
}

function startServer(env: Record<string, string>): Promise<{ url: string; stop: () => Promise<void> }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['out/main/serve.js'], {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    const timer = setTimeout(() => {
      child.kill();
      reject(new Error(`out/main/serve.js printed no URL within 15 s (run \`npm run build\` first): ${out}`));
    }, 15_000);
    child.once('exit', (code) => reject(new Error(`out/main/serve.js exited with ${code}: ${out}`)));
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const url = /Open: (http:\/\/127\.0\.0\.1:\d+\/#token=\S+)\n/.exec(out)?.[1];
      if (!url) return;
      clearTimeout(timer);
      const exited = new Promise<void>((done) => child.once('exit', () => done()));
      resolve({
        url,
        stop: async () => {
          child.kill('SIGTERM');
          await exited;
        },
      });
    });
  });
}

/** Serves the app with `env` (KEELSON_HOME, KEELSON_BUNDLE, KEELSON_KNOWN_HOSTS…) and opens it in Chromium. */
export async function openLabApp(env: Record<string, string>): Promise<LabApp> {
  const server = await startServer(env);
  let browser: Browser | undefined;
  try {
    browser = await chromium.launch({
      executablePath: process.env.KEELSON_CHROMIUM ?? '/usr/bin/chromium',
      args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking'],
    });
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    await page.goto(server.url);
    const b = browser;
    return {
      page,
      close: async () => {
        await b.close();
        await server.stop();
      },
    };
  } catch (e) {
    await browser?.close();
    await server.stop();
    throw e;
  }
}
