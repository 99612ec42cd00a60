import { createORPCClient } from '@orpc/client';
import { RPCLink as MessagePortLink } from '@orpc/client/message-port';
import { RPCLink as WebSocketLink } from '@orpc/client/websocket';
import type { ContractRouterClient } from '@orpc/contract';
import { CONNECT_CHANNEL } from '../../../shared/bridge';
import type { Contract } from '../../../shared/contract';

export type KeelsonClient = ContractRouterClient<Contract>;

const TOKEN_KEY = 'keelson.token';

/** Browser mode passes its token in the URL fragment; keep it for reloads, drop it from the address bar. */
function takeToken(): string {
  const fromHash = new URLSearchParams(location.hash.replace(/^#/, '')).get('token');
  if (fromHash) {
    sessionStorage.setItem(TOKEN_KEY, fromHash);
    history.replaceState(null, '', location.pathname + location.search);
    return fromHash;
  }
  return sessionStorage.getItem(TOKEN_KEY) ?? '';
}

function electronLink(): MessagePortLink<Record<never, never>> {
  const channel = new MessageChannel();
  // preload/index.ts forwards this port to the main process; nothing else crosses.
  window.postMessage(CONNECT_CHANNEL, location.origin, [channel.port2]);
  channel.port1.start();
  return new MessagePortLink({ port: channel.port1 });
}

const dropListeners = new Set<() => void>();
let socket: WebSocket | undefined;

/**
 * Called when the transport goes away (browser mode: the WebSocket closed — the server stopped,
 * the SSH tunnel to it dropped). Calls in flight fail; reconnect() makes a fresh client.
 */
export function onTransportDrop(listener: () => void): () => void {
  dropListeners.add(listener);
  return () => dropListeners.delete(listener);
}

function webSocketLink(): WebSocketLink<Record<never, never>> {
  const url = new URL('/rpc', location.href);
  url.protocol = location.protocol === 'https:' ? 'wss:' : 'ws:';
  url.searchParams.set('token', takeToken());
  const websocket = new WebSocket(url);
  socket = websocket;
  websocket.addEventListener('close', () => {
    // Only the socket in use counts: an abandoned attempt closing later is old news.
    if (socket === websocket) for (const listener of dropListeners) listener();
  });
  return new WebSocketLink({ websocket });
}

/**
 * The renderer's only way to reach the services. It picks the transport once, here;
 * nothing else in the renderer knows which one it has.
 */
export function createClient(): KeelsonClient {
  const link = location.protocol === 'app:' ? electronLink() : webSocketLink();
  return createORPCClient(link);
}

let client: KeelsonClient | undefined;
export function getClient(): KeelsonClient {
  client ??= createClient();
  return client;
}

/** A fresh client on a fresh transport, for everything that calls getClient() from now on. */
export function reconnect(): KeelsonClient {
  client = createClient();
  return client;
}
