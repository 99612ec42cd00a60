import { join } from 'node:path';
import { test as base, expect, type Page } from '@playwright/test';
import { startBrowserServer, type BrowserServer } from '../../main/services/transport/browser-server';

export const SCREENSHOT_DIR = 'test-results/screenshots';

/**
 * Serves the built renderer (out/renderer, from `npm run build`) in browser mode and
 * fails the test on any page error or CSP violation, as the hardening requires.
 */
export const test = base.extend<{ server: BrowserServer; app: Page }>({
  server: async ({}, use) => {
    const server = await startBrowserServer({ rendererDir: join(process.cwd(), 'out/renderer') });
    await use(server);
    await server.close();
  },
  app: async ({ page, server }, use) => {
    const problems: string[] = [];
    page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
    page.on('console', (message) => {
      if (message.type() === 'error') problems.push(`console error: ${message.text()}`);
    });
    await page.addInitScript(() => {
      document.addEventListener('securitypolicyviolation', (event) => {
        console.error(`CSP violation: ${event.violatedDirective} blocked ${event.blockedURI}`);
      });
    });
    await page.goto(server.url);
    await use(page);
    expect(problems, 'no page errors, console errors or CSP violations').toEqual([]);
  },
});

export { expect };
