import { beforeAll, describe, expect, it, vi } from 'vitest';

// preload/index.ts against a recording stand-in of electron's ipcRenderer and a bare
// window: it must forward exactly one kind of message, from exactly our own page.
const forwarded = vi.hoisted(() => [] as unknown[][]);
vi.mock('electron', () => ({
  ipcRenderer: { postMessage: (...args: unknown[]) => forwarded.push(args) },
  contextBridge: { exposeInMainWorld: () => forwarded.push(['exposeInMainWorld']) },
}));

const page = new EventTarget();
const port = { name: 'renderer-port' };

function post(init: { source?: unknown; origin?: string; data?: unknown; ports?: unknown[] }) {
  const event = Object.assign(new Event('message'), {
    source: page,
    origin: 'app://keelson',
    data: 'keelson:connect',
    ports: [port],
    ...init,
  });
  page.dispatchEvent(event);
}

beforeAll(async () => {
  vi.stubGlobal('window', page);
  await import('../../../preload/index');
});

describe('preload bridge', () => {
  it('forwards the renderer port to the main process on keelson:connect from app://keelson', () => {
    forwarded.length = 0;
    post({});
    expect(forwarded).toEqual([['keelson:connect', null, [port]]]);
  });

  it('ignores other origins, other senders, other messages and messages without a port', () => {
    forwarded.length = 0;
    post({ origin: 'https://evil.example' });
    post({ origin: 'app://keelson.evil' });
    post({ source: {} }); // e.g. a child frame posting up
    post({ data: 'keelson:connect ' });
    post({ data: { channel: 'keelson:connect' } });
    post({ ports: [] });
    expect(forwarded).toEqual([]);
  });

  it('exposes nothing on window', () => {
    expect(forwarded.some(([first]) => first === 'exposeInMainWorld')).toBe(false);
    expect(Object.keys(page)).toEqual([]);
  });
});
