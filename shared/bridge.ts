// The Electron bridge's names, in one place: the preload script, the main process and the
// renderer must agree on them, and a typo in one copy would silently cut the app off its
// services. This file imports nothing, so the sandboxed preload can bundle it.

export const APP_SCHEME = 'app';
export const APP_HOST = 'keelson';
/** The only origin the preload forwards a port from, and main serves a port for. */
export const APP_ORIGIN = `${APP_SCHEME}://${APP_HOST}`;
/**
 * The one message the page posts (with a MessagePort) and the IPC channel the preload
 * forwards that port on.
 */
export const CONNECT_CHANNEL = 'keelson:connect';
