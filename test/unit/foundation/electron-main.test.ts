import { MessageChannel } from 'node:worker_threads';
import { createORPCClient } from '@orpc/client';
import { RPCLink } from '@orpc/client/message-port';
import type { ContractRouterClient } from '@orpc/contract';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { APP_ENTRY_URL, CONNECT_CHANNEL, HARDENED_WEB_PREFERENCES } from '../../../main/electron/policy';
import type { Contract } from '../../../shared/contract';
import { CONTENT_SECURITY_POLICY } from '../../../shared/security/csp';

// Electron's binary cannot be downloaded here, so main/electron/index.ts runs against a
// recording stand-in of the `electron` module: this proves index.ts wires the tested
// policy into the real APIs. test/e2e/electron.spec.ts checks the same in real Electron
// wherever the binary exists.
type Handler = (...args: never[]) => unknown;
const fake = vi.hoisted(() => ({
  order: [] as string[],
  privileged: [] as unknown[],
  protocolHandlers: new Map<string, (request: Request) => Promise<Response>>(),
  windows: [] as { webPreferences: Record<string, unknown> }[],
  loaded: [] as string[],
  appEvents: new Map<string, Handler>(),
  ipc: new Map<string, Handler>(),
  session: {} as Record<string, Handler>,
  openedExternally: [] as string[],
  quit: 0,
}));

vi.mock('electron', () => {
  class BrowserWindow {
    constructor(options: { webPreferences: Record<string, unknown> }) {
      fake.windows.push(options);
    }
    once() {}
    loadURL(url: string) {
      fake.loaded.push(url);
      return Promise.resolve();
    }
    static getAllWindows() {
      return [];
    }
  }
  const record = (name: string) => (handler: Handler) => {
    fake.session[name] = handler;
  };
  return {
    app: {
      enableSandbox: () => fake.order.push('enableSandbox'),
      whenReady: () => {
        fake.order.push('whenReady');
        return Promise.resolve();
      },
      on: (event: string, handler: Handler) => fake.appEvents.set(event, handler),
      quit: () => fake.quit++,
    },
    BrowserWindow,
    ipcMain: { on: (channel: string, handler: Handler) => fake.ipc.set(channel, handler) },
    // No keychain in the stand-in: kept deploy secrets stay in the services' 0600 file.
    safeStorage: { isEncryptionAvailable: () => false },
    protocol: {
      registerSchemesAsPrivileged: (schemes: unknown[]) => {
        fake.order.push('registerSchemesAsPrivileged');
        fake.privileged.push(...schemes);
      },
      handle: (scheme: string, handler: (request: Request) => Promise<Response>) =>
        fake.protocolHandlers.set(scheme, handler),
    },
    session: {
      defaultSession: {
        setPermissionRequestHandler: record('permissionRequest'),
        setPermissionCheckHandler: record('permissionCheck'),
        setDevicePermissionHandler: record('devicePermission'),
      },
    },
    shell: { openExternal: (url: string) => fake.openedExternally.push(url) },
  };
});

/** A stand-in webContents: records the listeners index.ts attaches to every new page. */
function fakeContents() {
  const listeners = new Map<string, Handler>();
  let windowOpen: ((details: { url: string }) => { action: string }) | undefined;
  const contents = {
    on: (event: string, handler: Handler) => listeners.set(event, handler),
    setWindowOpenHandler: (handler: typeof windowOpen) => (windowOpen = handler),
  };
  fake.appEvents.get('web-contents-created')!({} as never, contents as never);
  return { listeners, windowOpen: (url: string) => windowOpen!({ url }) };
}

beforeAll(async () => {
  await import('../../../main/electron/index');
  await vi.waitFor(() => expect(fake.loaded).toHaveLength(1));
});

describe('main/electron/index.ts applies the hardening policy', () => {
  it('turns the sandbox on for every renderer and registers app:// before the app is ready', () => {
    expect(fake.order.slice(0, 3)).toEqual(['registerSchemesAsPrivileged', 'enableSandbox', 'whenReady']);
    expect(fake.privileged).toEqual([
      {
        scheme: 'app',
        privileges: expect.objectContaining({ standard: true, secure: true, codeCache: true }),
      },
    ]);
  });

  it('opens one window with exactly the hardened webPreferences plus the preload bridge', () => {
    expect(fake.windows).toHaveLength(1);
    expect(fake.windows[0]!.webPreferences).toEqual({
      ...HARDENED_WEB_PREFERENCES,
      preload: expect.stringMatching(/[/\\]preload[/\\]index\.cjs$/),
    });
    expect(fake.loaded).toEqual([APP_ENTRY_URL]);
  });

  it('serves app:// with the CSP header and nothing for other hosts', async () => {
    const serve = fake.protocolHandlers.get('app')!;
    const missing = await serve(new Request('app://keelson/no-such-file.js'));
    expect(missing.status).toBe(404);
    expect(missing.headers.get('content-security-policy')).toBe(CONTENT_SECURITY_POLICY);
    expect((await serve(new Request('app://elsewhere/index.html'))).status).toBe(404);
  });

  it('denies every permission request, permission check and device request', () => {
    const answers: boolean[] = [];
    for (const permission of ['media', 'geolocation', 'notifications', 'clipboard-read']) {
      fake.session.permissionRequest!(
        {} as never,
        permission as never,
        ((granted: boolean) => answers.push(granted)) as never,
      );
      answers.push(fake.session.permissionCheck!({} as never, permission as never) as boolean);
    }
    answers.push(fake.session.devicePermission!({} as never) as boolean);
    expect(answers).toHaveLength(9);
    expect(answers.every((granted) => granted === false)).toBe(true);
  });

  it('cancels navigation, redirects, sub-frame navigation and webview attachment of every page', () => {
    const { listeners } = fakeContents();
    const prevented: string[] = [];
    const event = (name: string, extra: object = {}) => ({
      ...extra,
      preventDefault: () => prevented.push(name),
    });
    listeners.get('will-navigate')!(event('will-navigate') as never, 'https://evil.example/' as never);
    listeners.get('will-redirect')!(event('will-redirect') as never, 'https://evil.example/' as never);
    listeners.get('will-frame-navigate')!(
      event('will-frame-navigate', { isMainFrame: false, url: 'https://evil.example/' }) as never,
    );
    listeners.get('will-attach-webview')!(event('will-attach-webview') as never);
    expect(prevented).toEqual([
      'will-navigate',
      'will-redirect',
      'will-frame-navigate',
      'will-attach-webview',
    ]);
  });

  it('denies window.open, handing only https links to the system browser', () => {
    const { windowOpen } = fakeContents();
    expect(windowOpen('https://kubernetes.io/docs/')).toEqual({ action: 'deny' });
    expect(windowOpen('file:///bin/sh')).toEqual({ action: 'deny' });
    expect(windowOpen('app://keelson/index.html')).toEqual({ action: 'deny' });
    expect(fake.openedExternally).toEqual(['https://kubernetes.io/docs/']);
  });

  it('serves the contract only on a port sent by the main frame of app://keelson', async () => {
    const connect = fake.ipc.get(CONNECT_CHANNEL)!;
    const mainFrame = { url: APP_ENTRY_URL };
    const refused = vi.spyOn(console, 'error').mockImplementation(() => {});
    const untouched = { on: vi.fn(), addEventListener: vi.fn(), postMessage: vi.fn(), start: vi.fn() };
    const foreignFrame = { url: 'https://evil.example/' };
    const subFrame = { url: APP_ENTRY_URL };
    connect({ senderFrame: foreignFrame, sender: { mainFrame: foreignFrame }, ports: [untouched] } as never);
    connect({ senderFrame: subFrame, sender: { mainFrame }, ports: [untouched] } as never);
    connect({ senderFrame: null, sender: { mainFrame }, ports: [untouched] } as never);
    expect(untouched.on).not.toHaveBeenCalled();
    expect(untouched.addEventListener).not.toHaveBeenCalled();
    expect(refused).toHaveBeenCalledTimes(3);
    refused.mockRestore();

    const { port1: rendererSide, port2: mainSide } = new MessageChannel();
    connect({ senderFrame: mainFrame, sender: { mainFrame }, ports: [mainSide] } as never);
    rendererSide.start();
    const client: ContractRouterClient<Contract> = createORPCClient(new RPCLink({ port: rendererSide }));
    expect(await client.system.ping({ message: 'from the window' })).toMatchObject({
      echo: 'from the window',
      transport: 'electron-ipc',
    });
    expect((await client.system.info()).mode).toBe('electron');
    rendererSide.close();
  });

  it('quits when the last window closes (except on macOS)', () => {
    fake.appEvents.get('window-all-closed')!();
    expect(fake.quit).toBe(process.platform === 'darwin' ? 0 : 1);
  });
});
