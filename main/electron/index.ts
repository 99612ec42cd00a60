import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { app, BrowserWindow, ipcMain, protocol, session, shell } from 'electron';
import { RENDERER_SECURITY_HEADERS } from '../../shared/security/csp';
import { newServiceContext } from '../services/context';
import { setSecretCodec } from '../services/deploy/instance';
import { serveMessagePort } from '../services/transport/message-port';
import { readStaticFile } from '../services/transport/static-files';
import { warmUpParser } from '../services/workspace/warm-up';
import {
  APP_ENTRY_URL,
  APP_HOST,
  APP_SCHEME,
  CONNECT_CHANNEL,
  HARDENED_WEB_PREFERENCES,
  isTrustedSender,
  shouldAllowNavigation,
  shouldGrantPermission,
  shouldOpenExternally,
} from './policy';
import { keychainCodec } from './secret-codec';

// The only folder of Keelson that imports electron. It hosts the window, serves the
// renderer from app:// and hands the renderer a MessagePort to the shared services.
const here = dirname(fileURLToPath(import.meta.url));
const rendererDir = join(here, '../renderer');

// codeCache: V8 keeps the compiled renderer script between starts, as it does for https pages
// (custom schemes get no code cache unless asked); compiling the 1.7 MB script is part of every
// start's wait before the canvas.
protocol.registerSchemesAsPrivileged([
  {
    scheme: APP_SCHEME,
    privileges: { standard: true, secure: true, supportFetchAPI: true, codeCache: true },
  },
]);

app.enableSandbox();

function serveRenderer(): void {
  protocol.handle(APP_SCHEME, async (request) => {
    const url = new URL(request.url);
    if (url.host !== APP_HOST) return new Response('Not found', { status: 404 });
    const file = await readStaticFile(rendererDir, url.pathname);
    if (!file) return new Response('Not found', { status: 404, headers: RENDERER_SECURITY_HEADERS });
    return new Response(new Uint8Array(file.body), {
      headers: { 'Content-Type': file.contentType, ...RENDERER_SECURITY_HEADERS },
    });
  });
}

function lockDownSessions(): void {
  session.defaultSession.setPermissionRequestHandler((_wc, permission, callback) =>
    callback(shouldGrantPermission(permission)),
  );
  session.defaultSession.setPermissionCheckHandler((_wc, permission) => shouldGrantPermission(permission));
  session.defaultSession.setDevicePermissionHandler(() => false);
  app.on('web-contents-created', (_event, contents) => {
    contents.on('will-navigate', (event, url) => {
      if (!shouldAllowNavigation(url)) event.preventDefault();
    });
    contents.on('will-redirect', (event, url) => {
      if (!shouldAllowNavigation(url)) event.preventDefault();
    });
    // Sub-frames navigate without will-navigate; the CSP already blocks foreign frames.
    contents.on('will-frame-navigate', (event) => {
      if (!event.isMainFrame && !shouldAllowNavigation(event.url)) event.preventDefault();
    });
    contents.on('will-attach-webview', (event) => event.preventDefault());
    contents.setWindowOpenHandler(({ url }) => {
      if (shouldOpenExternally(url)) void shell.openExternal(url);
      return { action: 'deny' };
    });
  });
}

function acceptRendererPorts(): void {
  ipcMain.on(CONNECT_CHANNEL, (event) => {
    const frame = event.senderFrame;
    const sender = frame ? { url: frame.url, isMainFrame: frame === event.sender.mainFrame } : null;
    if (!isTrustedSender(sender)) {
      console.error(`refused a renderer port from an untrusted frame: ${sender?.url ?? 'unknown'}`);
      return;
    }
    const [port] = event.ports;
    if (!port) return;
    serveMessagePort(port, newServiceContext('electron-ipc', 'electron'), (line) => console.error(line));
  });
}

async function createWindow(): Promise<void> {
  const window = new BrowserWindow({
    width: 1400,
    height: 900,
    title: 'Keelson',
    show: false,
    webPreferences: { ...HARDENED_WEB_PREFERENCES, preload: join(here, '../preload/index.cjs') },
  });
  window.once('ready-to-show', () => window.show());
  await window.loadURL(APP_ENTRY_URL);
}

void app.whenReady().then(async () => {
  const codec = keychainCodec();
  if (codec) setSecretCodec(codec);
  serveRenderer();
  lockDownSessions();
  acceptRendererPorts();
  const window = createWindow();
  void warmUpParser(); // while the window loads its script
  await window;
  app.on('activate', () => {
    if (BrowserWindow.getAllWindows().length === 0) void createWindow();
  });
});

app.on('window-all-closed', () => {
  if (process.platform !== 'darwin') app.quit();
});
