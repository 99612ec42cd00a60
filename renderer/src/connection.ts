import { create } from 'zustand';
import type { AppInfo, TransportKind } from '../../shared/contract/system';
import { getClient, onTransportDrop, reconnect } from './transport/client';

/** Waits between reconnect attempts: 0.5 s doubling to 15 s, so a server that is back is found fast. */
export function backoffMs(attempt: number): number {
  return Math.min(15_000, 500 * 2 ** attempt);
}

interface ConnectionState {
  status: 'connecting' | 'connected' | 'disconnected';
  info?: AppInfo;
  transport?: TransportKind;
  error?: string;
  /** When disconnected: the time of the next attempt (ms since epoch). */
  retryAt?: number;
  connect(): Promise<void>;
  /** Try now instead of waiting for the next attempt. */
  retryNow(): void;
}

const reconnectListeners = new Set<() => void>();
/** Called each time the services are reachable again after a drop: time to re-read what may have changed. */
export function onReconnected(listener: () => void): () => void {
  reconnectListeners.add(listener);
  return () => reconnectListeners.delete(listener);
}

const message = (error: unknown) => (error instanceof Error ? error.message : String(error));

/**
 * Connection to the services. One round-trip at start proves the contract works end to end;
 * after that the header says the truth: a dropped transport shows "Disconnected", retries with
 * backoff, and once back the open cluster is re-read (listeners of onReconnected).
 */
export const useConnection = create<ConnectionState>((set, get) => {
  let attempt = 0;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let everConnected = false;
  let watching = false;

  const schedule = (error: string) => {
    if (timer !== undefined) return;
    const wait = backoffMs(attempt++);
    set({ status: 'disconnected', error, retryAt: Date.now() + wait });
    timer = setTimeout(() => {
      timer = undefined;
      void tryConnect(true);
    }, wait);
  };

  const tryConnect = async (fresh: boolean) => {
    if (!watching) {
      watching = true;
      onTransportDrop(() => {
        if (get().status === 'connected') schedule('the connection to the Keelson services closed');
      });
    }
    try {
      const client = fresh ? reconnect() : getClient();
      const [info, pong] = await Promise.all([
        client.system.info(),
        client.system.ping({ message: 'hello' }),
      ]);
      attempt = 0;
      set({ status: 'connected', info, transport: pong.transport, error: undefined, retryAt: undefined });
      if (everConnected) for (const listener of reconnectListeners) listener();
      everConnected = true;
    } catch (error) {
      schedule(message(error));
    }
  };

  return {
    status: 'connecting',
    connect: () => tryConnect(false),
    retryNow() {
      if (get().status !== 'disconnected') return;
      if (timer !== undefined) clearTimeout(timer);
      timer = undefined;
      set({ status: 'connecting' });
      void tryConnect(true);
    },
  };
});
