import { describe, expect, it } from 'vitest';
import {
  APP_ENTRY_URL,
  HARDENED_WEB_PREFERENCES,
  isAppUrl,
  isTrustedSender,
  shouldAllowNavigation,
  shouldGrantPermission,
  shouldOpenExternally,
} from '../../../main/electron/policy';

describe('Electron window hardening policy', () => {
  it('isolates the renderer from Node and keeps web security on', () => {
    expect(HARDENED_WEB_PREFERENCES).toMatchObject({
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      experimentalFeatures: false,
    });
    // A preload path is added by index.ts; the policy itself must not smuggle one in.
    expect(Object.keys(HARDENED_WEB_PREFERENCES)).not.toContain('preload');
  });

  it('loads the app from its own app:// origin', () => {
    expect(APP_ENTRY_URL).toBe('app://keelson/index.html');
    expect(isAppUrl(APP_ENTRY_URL)).toBe(true);
    for (const url of [
      'app://other/index.html',
      'https://keelson/index.html',
      'file:///index.html',
      'nonsense',
    ]) {
      expect(isAppUrl(url), url).toBe(false);
    }
  });

  it('denies every navigation, including to our own origin', () => {
    for (const url of [
      'https://evil.example/',
      'http://127.0.0.1:8080/',
      'file:///etc/passwd',
      'app://keelson/index.html',
      'javascript:alert(1)',
      '',
    ]) {
      expect(shouldAllowNavigation(url), url).toBe(false);
    }
  });

  it('denies every permission request', () => {
    for (const permission of [
      'media',
      'geolocation',
      'notifications',
      'clipboard-read',
      'clipboard-sanitized-write',
      'openExternal',
      'fullscreen',
      'hid',
      'serial',
      'usb',
    ]) {
      expect(shouldGrantPermission(permission), permission).toBe(false);
    }
  });

  it('opens only https links outside the app, never local files or custom schemes', () => {
    expect(shouldOpenExternally('https://kubernetes.io/docs/')).toBe(true);
    for (const url of ['http://example.com/', 'file:///bin/sh', 'smb://share/x', 'vscode://x', 'not a url']) {
      expect(shouldOpenExternally(url), url).toBe(false);
    }
  });

  it('serves IPC only to the main frame of our own app:// page', () => {
    expect(isTrustedSender({ url: 'app://keelson/index.html', isMainFrame: true })).toBe(true);
    expect(isTrustedSender({ url: 'app://keelson/index.html#/x?y', isMainFrame: true })).toBe(true);
    expect(isTrustedSender({ url: 'app://keelson/index.html', isMainFrame: false })).toBe(false);
    expect(isTrustedSender({ url: 'https://evil.example/', isMainFrame: true })).toBe(false);
    expect(isTrustedSender({ url: 'app://keelson.evil/index.html', isMainFrame: true })).toBe(false);
    expect(isTrustedSender({ url: 'file:///index.html', isMainFrame: true })).toBe(false);
    expect(isTrustedSender({ url: 'about:blank', isMainFrame: true })).toBe(false);
    expect(isTrustedSender(null)).toBe(false);
  });
});
