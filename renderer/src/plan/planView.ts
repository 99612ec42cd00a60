import { create } from 'zustand';

interface PlanViewState {
  /** True while the central area shows the plan instead of the canvas. */
  visible: boolean;
  show(): void;
  hide(): void;
}

/** Which of the two central views is up; the header opens the plan, the plan's own button closes it. */
export const usePlanView = create<PlanViewState>((set) => ({
  visible: false,
  show: () => set({ visible: true }),
  hide: () => set({ visible: false }),
}));
