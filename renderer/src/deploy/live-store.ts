import { create } from 'zustand';
import type { LiveState } from '../../../shared/contract/deploy';
import { getClient } from '../transport/client';

/** After the live stream ended (main restarted, connection lost): how long until it is opened again. */
const REOPEN_MS = 5_000;

interface LiveStore {
  /** Which cluster is followed (a deployed one with a kubeconfig), and its nodes as the API says. */
  clusterId: string | null;
  state: LiveState | null;
  follow(id: string | null): void;
}

let following: AbortController | undefined;

/** The open cluster's nodes, live from its API through main's watch (one per cluster for all windows). */
export const useLive = create<LiveStore>((set, get) => {
  async function stream(id: string, abort: AbortController): Promise<void> {
    while (!abort.signal.aborted) {
      try {
        const it = await getClient().deploy.live({ id }, { signal: abort.signal });
        for await (const state of it) {
          if (abort.signal.aborted || get().clusterId !== id) return;
          set({ state });
        }
      } catch {
        // Closed or refused: tried again below while this cluster is still followed.
      }
      await new Promise((r) => setTimeout(r, REOPEN_MS));
    }
  }
  return {
    clusterId: null,
    state: null,
    follow(id) {
      if (get().clusterId === id) return;
      following?.abort();
      following = undefined;
      set({ clusterId: id, state: null });
      if (!id) return;
      following = new AbortController();
      void stream(id, following);
    },
  };
});

/** The live node of this name, when the open cluster is followed and the API answered. */
export function useLiveNode(name: string) {
  return useLive((s) => (s.state?.reachable ? s.state.nodes.find((n) => n.name === name) : undefined));
}
