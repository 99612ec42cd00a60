// The app as a user runs it, for lab tests on a real cluster: the built browser-mode server
// (out/main/serve.js from `npm run build`, which `npm test` runs first) and Debian's Chromium driven
// by playwright-core — the same renderer and services the end-to-end suite drives.
import { startBuiltServer } from '../../support/built-server';
import { chromium, type Browser, type Page } from 'playwright-core';

export interface LabApp {
  page: Page;
  close(): Promise<void>;
}

/** Serves the app with `env` (KEELSON_HOME, KEELSON_BUNDLE, KEELSON_KNOWN_HOSTS…) and opens it in Chromium. */
export async function openLabApp(env: Record<string, string>): Promise<LabApp> {
  const server = await startBuiltServer(env);
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
        await server.close();
      },
    };
  } catch (e) {
    await browser?.close();
    await server.close();
    throw e;
  }
}
