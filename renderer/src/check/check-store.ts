import { create } from 'zustand';
import type { CheckReport } from '../../../shared/check/report';
import { useBottomTab } from '../panels/bottom-tab';
import { getClient } from '../transport/client';
import { describeError } from '../workspace/workspace-store';

interface CheckState {
  clusterId: string | null;
  report: CheckReport | null;
  running: boolean;
  error: string | null;
  open(id: string | null): void;
  /** Runs Check hosts now (read-only, every host at once) and shows the Checks tab. */
  run(): Promise<void>;
}

/** The open cluster's latest host check (kept in main, so another window sees it too). */
export const useChecks = create<CheckState>((set, get) => ({
  clusterId: null,
  report: null,
  running: false,
  error: null,

  open(id) {
    if (get().clusterId === id) return;
    set({ clusterId: id, report: null, running: false, error: null });
    if (!id) return;
    getClient()
      .check.last({ id })
      .then((report) => {
        if (get().clusterId === id) set({ report });
      })
      .catch(() => undefined);
  },

  async run() {
    const id = get().clusterId;
    if (!id || get().running) return;
    set({ running: true, error: null });
    useBottomTab.getState().show('checks');
    try {
      const report = await getClient().check.hosts({ id });
      if (get().clusterId === id) set({ report });
    } catch (error) {
      if (get().clusterId === id) set({ error: describeError(error) });
    } finally {
      if (get().clusterId === id) set({ running: false });
    }
  },
}));
