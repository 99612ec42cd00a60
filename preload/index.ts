import { ipcRenderer } from 'electron';
import { APP_ORIGIN, CONNECT_CHANNEL } from '../shared/bridge';

// The whole bridge: the renderer posts one MessagePort, we hand it to the main process.
// Nothing is exposed on window — no generic send/invoke reaches the page.

window.addEventListener('message', (event: MessageEvent) => {
  if (event.source !== window || event.origin !== APP_ORIGIN) return;
  if (event.data !== CONNECT_CHANNEL) return;
  const [port] = event.ports;
  if (port) ipcRenderer.postMessage(CONNECT_CHANNEL, null, [port]);
});
