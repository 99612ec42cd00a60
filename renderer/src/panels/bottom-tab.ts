import { create } from 'zustand';

export const BOTTOM_TABS = ['problems', 'checks', 'deploy', 'terminals'] as const;
export type BottomTab = (typeof BOTTOM_TABS)[number];

interface BottomTabState {
  tab: BottomTab;
  /** Bumped on every show(): the bottom panel unfolds when something asks for one of its tabs. */
  shown: number;
  show(tab: BottomTab): void;
}

/** Which bottom tab is showing: a store, so the canvas can bring up Terminals when it opens one. */
export const useBottomTab = create<BottomTabState>((set, get) => ({
  tab: 'problems',
  shown: 0,
  show: (tab) => set({ tab, shown: get().shown + 1 }),
}));
