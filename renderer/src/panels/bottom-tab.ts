import { create } from 'zustand';

export const BOTTOM_TABS = ['problems', 'deploy', 'terminals'] as const;
export type BottomTab = (typeof BOTTOM_TABS)[number];

/** Which bottom tab is showing: a store, so the canvas can bring up Terminals when it opens one. */
export const useBottomTab = create<{ tab: BottomTab; show(tab: BottomTab): void }>((set) => ({
  tab: 'problems',
  show: (tab) => set({ tab }),
}));
