import { create } from 'zustand';

/**
 * Whether the "Add hosts" dialog is open, and what is typed in it: the text outlives the dialog,
 * so closing it (or adding only the valid lines) never throws away what the user pasted.
 */
export const useAddHosts = create<{
  open: boolean;
  draft: string;
  show(): void;
  hide(): void;
  setDraft(text: string): void;
}>((set) => ({
  open: false,
  draft: '',
  show: () => set({ open: true }),
  hide: () => set({ open: false }),
  setDraft: (draft) => set({ draft }),
}));
