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
