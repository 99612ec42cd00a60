import { create } from 'zustand';
import type { AppInfo, TransportKind } from '../../shared/contract/system';
import { getClient } from './transport/client';

interface ConnectionState {
  status: 'connecting' | 'connected' | 'failed';
  info?: AppInfo;
  transport?: TransportKind;
  error?: string;
  connect(): Promise<void>;
}

/** Connection to the services: one round-trip at start proves the contract works end to end. */
export const useConnection = create<ConnectionState>((set) => ({
  status: 'connecting',
  async connect() {
    try {
      const client = getClient();
      const [info, pong] = await Promise.all([
        client.system.info(),
        client.system.ping({ message: 'hello' }),
      ]);
      set({ status: 'connected', info, transport: pong.transport, error: undefined });
    } catch (error) {
      set({ status: 'failed', error: error instanceof Error ? error.message : String(error) });
    }
  },
}));
