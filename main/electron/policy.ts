// Security policy of the Electron shell as plain data and pure functions, so unit tests
// check it without an Electron binary and index.ts applies exactly what is tested here.

import { APP_HOST, APP_ORIGIN, APP_SCHEME, CONNECT_CHANNEL } from '../../shared/bridge';

export { APP_HOST, APP_ORIGIN, APP_SCHEME, CONNECT_CHANNEL };
export const APP_ENTRY_URL = `${APP_ORIGIN}/index.html`;

export const HARDENED_WEB_PREFERENCES = {
  contextIsolation: true,
  sandbox: true,
  nodeIntegration: false,
  nodeIntegrationInWorker: false,
  nodeIntegrationInSubFrames: false,
  webSecurity: true,
  allowRunningInsecureContent: false,
  webviewTag: false,
  experimentalFeatures: false,
  navigateOnDragDrop: false,
  spellcheck: false,
} as const;

/** Only our own app:// origin may be shown; everything else is refused. */
export function isAppUrl(url: string): boolean {
  try {
    const parsed = new URL(url);
    return parsed.protocol === `${APP_SCHEME}:` && parsed.host === APP_HOST;
  } catch {
    return false;
  }
}

/** Navigation away from the loaded app, to anything, is denied. */
export function shouldAllowNavigation(_targetUrl: string): boolean {
  return false;
}

/**
 * Where a denied window.open may still go: https links (documentation) open in the
 * user's own browser, never inside Keelson. Anything else (file:, http:, custom
 * schemes that could launch local programs) is dropped.
 */
export function shouldOpenExternally(url: string): boolean {
  try {
    return new URL(url).protocol === 'https:';
  } catch {
    return false;
  }
}

/** No permission (camera, notifications, clipboard-read, geolocation …) is ever granted. */
export function shouldGrantPermission(_permission: string): boolean {
  return false;
}

/** An IPC message is served only when it comes from the main frame of our own page. */
export function isTrustedSender(frame: { url: string; isMainFrame: boolean } | null): boolean {
  return frame !== null && frame.isMainFrame && isAppUrl(frame.url);
}
