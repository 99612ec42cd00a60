import { mkdirSync } from 'node:fs';
import { expect, SCREENSHOT_DIR, test } from './fixtures';

test('browser mode loads the renderer and makes a contract round-trip over WebSocket', async ({ app }) => {
  await expect(app.getByTestId('connection')).toContainText('Connected · websocket');
  await expect(app.getByLabel('Palette')).toBeVisible();
  await expect(app.getByLabel('Topology canvas')).toBeVisible();
  await expect(app.getByLabel('Properties')).toBeVisible();
  await expect(app.getByTestId('tab-problems')).toBeVisible();
  // The token left the address bar once read.
  expect(app.url()).not.toContain('token=');
});

test('theme follows the OS and can be switched', async ({ app }) => {
  await app.emulateMedia({ colorScheme: 'dark' });
  await expect(app.locator('html')).toHaveAttribute('data-theme', 'dark');
  await app.emulateMedia({ colorScheme: 'light' });
  await expect(app.locator('html')).toHaveAttribute('data-theme', 'light');
  await app.getByTestId('theme-toggle').click(); // system → light
  await app.getByTestId('theme-toggle').click(); // light → dark
  await expect(app.locator('html')).toHaveAttribute('data-theme', 'dark');
  const background = await app.evaluate(() => getComputedStyle(document.body).backgroundColor);
  expect(background).toBe('rgb(20, 23, 28)');
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  await app.screenshot({ path: `${SCREENSHOT_DIR}/shell-dark.png` });
});

/** Tries what the CSP forbids and returns the violations the page itself reported. */
async function tryForbiddenScripts(page: import('@playwright/test').Page) {
  return page.evaluate(async () => {
    const seen: string[] = [];
    document.addEventListener('securitypolicyviolation', (event) => seen.push(event.effectiveDirective));
    const inline = document.createElement('script');
    inline.textContent = 'window.__inlineRan = true;';
    document.body.append(inline);
    // A string timer is eval run by the page itself (page.evaluate may eval freely over CDP).
    setTimeout('window.__evalRan = true', 0);
    await new Promise((resolve) => setTimeout(resolve, 100)); // violation events are queued
    const ran = window as { __inlineRan?: boolean; __evalRan?: boolean };
    return { seen, inlineRan: ran.__inlineRan === true, evalRan: ran.__evalRan === true };
  });
}

test('the CSP header blocks inline script and eval in the served page', async ({ page, server }) => {
  const response = await page.goto(server.url);
  expect(response?.headers()['content-security-policy']).toContain("script-src 'self'");
  await expect(page.getByTestId('connection')).toContainText('Connected · websocket');
  const result = await tryForbiddenScripts(page);
  expect(result.inlineRan).toBe(false);
  expect(result.evalRan).toBe(false);
  expect(result.seen).toEqual(expect.arrayContaining(['script-src-elem', 'script-src']));
});

// The fixture must turn any CSP violation into a failed test; this test is expected to
// fail, so it turns red only if the fixture ever stops noticing.
test('the e2e fixture fails a test whose page violates the CSP', async ({ app }) => {
  test.fail();
  await expect(app.getByTestId('connection')).toContainText('Connected · websocket');
  const result = await tryForbiddenScripts(app);
  // Everything in the body passes: only the fixture's own check can make this test fail.
  expect(result.inlineRan).toBe(false);
});
