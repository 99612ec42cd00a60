import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test as base, expect, type Page } from '@playwright/test';
import type { BrowserServer } from '../../main/services/transport/browser-server';
import { startBuiltServer } from '../support/built-server';

export { startBuiltServer };

export const SCREENSHOT_DIR = 'test-results/screenshots';

/**
 * Serves the built renderer (out/renderer, from `npm run build`) in browser mode and
 * fails the test on any page error or CSP violation, as the hardening requires.
 */
export const test = base.extend<{
  serverEnv: Record<string, string>;
  expectedConsoleErrors: RegExp[];
  server: BrowserServer;
  app: Page;
}>({
  /**
   * Extra environment for the server only (`test.use({ serverEnv: … })`): e.g. a temp HOME and
   * KEELSON_KNOWN_HOSTS, without changing this test process's own environment, which later
   * spec files in the same worker would inherit.
   */
  serverEnv: [{}, { option: true }],
  /** Console errors a test provokes on purpose (`test.use`): each must match one of these. */
  expectedConsoleErrors: [[], { option: true }],
  server: async ({ serverEnv }, use) => {
    // Never the user's real ~/.keelson: a spec that sets KEELSON_HOME keeps its own, else a fresh one.
    const home =
      process.env.KEELSON_HOME || serverEnv.KEELSON_HOME
        ? undefined
        : mkdtempSync(join(tmpdir(), 'keelson-e2e-home-'));
    const server = await startBuiltServer({ ...(home ? { KEELSON_HOME: home } : {}), ...serverEnv });
    await use(server);
    await server.close();
    if (home) rmSync(home, { recursive: true, force: true });
  },
  app: async ({ page, server, expectedConsoleErrors }, use) => {
    const problems: string[] = [];
    page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
    page.on('console', (message) => {
      if (message.type() !== 'error') return;
      if (!expectedConsoleErrors.some((pattern) => pattern.test(message.text())))
        problems.push(`console error: ${message.text()}`);
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

/** Creates a cluster from the start screen's form, from the template of that label, and waits until it is open. */
export async function createFromTemplate(app: Page, name: string, template: string): Promise<void> {
  const start = app.getByTestId('start-screen');
  await start.getByLabel('Cluster name').fill(name);
  await start.getByLabel('Start from').selectOption({ label: template });
  await start.getByRole('button', { name: 'Create cluster' }).click();
  await expect(app.getByTestId('cluster-name')).toHaveText(name);
  await expect(app.getByTestId('node-cp1')).toBeVisible();
}
