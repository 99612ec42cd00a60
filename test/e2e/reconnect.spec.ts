import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page, WebSocketRoute } from '@playwright/test';
import { parse, stringify } from 'yaml';
import { createFromTemplate, expect, test } from './fixtures';

// Issue 15 item 5: the header tells the truth about the connection, and coming back resyncs.
const home = mkdtempSync(join(tmpdir(), 'keelson-reconnect-'));
test.beforeAll(() => {
  process.env.KEELSON_HOME = home;
});
const file = (id: string) => join(home, 'workspace', `${id}.keelson.yaml`);

/**
 * The page's WebSocket goes through Playwright to the real server, so the test can cut it the
 * way a dropped SSH tunnel does (the server keeps running) and refuse new ones while "down".
 */
async function cuttable(app: Page) {
  const open = new Set<WebSocketRoute>();
  let down = false;
  await app.routeWebSocket(/\/rpc/, (ws) => {
    if (down) {
      void ws.close();
      return;
    }
    ws.connectToServer();
    open.add(ws);
  });
  await app.reload();
  return {
    async cut() {
      down = true;
      for (const ws of open) await ws.close();
      open.clear();
    },
    restore() {
      down = false;
    },
  };
}

function hostAddress(id: string, host: string): string {
  const saved = parse(readFileSync(file(id), 'utf8'));
  return saved.spec.hosts.find((h: { name: string }) => h.name === host).address;
}

test('a dropped connection shows as such, edits wait, and coming back saves them and re-reads the file', async ({
  app,
}) => {
  await createFromTemplate(app, 'Flaky', 'keepalived + haproxy on 3 control planes');

  const link = await cuttable(app);
  const connection = app.getByTestId('connection');
  await expect(connection).toContainText('Connected · websocket');
  await expect(app.getByTestId('node-cp1')).toBeVisible();

  // Cut: the header says so at once, and keeps trying.
  await link.cut();
  await expect(connection).toHaveAttribute('data-state', 'disconnected');
  await expect(connection).toContainText('Disconnected');
  await expect(connection).not.toContainText('Connected ·');

  // An edit made now cannot be saved; it is kept and the header says why.
  await app.getByTestId('node-worker2').click();
  await app.getByLabel('Properties').getByLabel('Address', { exact: true }).fill('10.77.0.77');
  await expect(app.getByTestId('save-status')).toContainText('disconnected');
  expect(hostAddress('flaky', 'worker2')).not.toBe('10.77.0.77');

  // Back: reconnected by itself (backoff), and the waiting edit is written.
  link.restore();
  await expect(connection).toContainText('Connected · websocket', { timeout: 20_000 });
  await expect(app.getByTestId('save-status')).toHaveAttribute('data-state', 'saved');
  expect(hostAddress('flaky', 'worker2')).toBe('10.77.0.77');

  // Cut again; the file changes meanwhile (another window, an editor); back, the canvas shows it.
  await link.cut();
  await expect(connection).toHaveAttribute('data-state', 'disconnected');
  const project = parse(readFileSync(file('flaky'), 'utf8'));
  project.spec.hosts.find((h: { name: string }) => h.name === 'worker1').address = '10.77.0.66';
  writeFileSync(file('flaky'), stringify(project));
  // Attempts back off: after a few failures the next one is seconds away; Retry now does not wait.
  await expect(connection).toContainText(/retrying in ([4-9]|1\d) s/, { timeout: 20_000 });
  link.restore();
  await app.getByTestId('reconnect-now').click();
  await expect(connection).toContainText('Connected · websocket', { timeout: 2_500 });
  await expect(app.getByTestId('node-worker1')).toContainText('10.77.0.66');
  await expect(app.getByTestId('notice')).toContainText('changed while the connection was down');
  await expect(app.getByTestId('node-worker2')).toContainText('10.77.0.77');
});
