import { create } from 'zustand';

export type ThemeChoice = 'system' | 'light' | 'dark';
export type Theme = 'light' | 'dark';

const STORAGE_KEY = 'keelson.theme';
const media = () => window.matchMedia('(prefers-color-scheme: dark)');

function resolve(choice: ThemeChoice): Theme {
  if (choice === 'system') return media().matches ? 'dark' : 'light';
  return choice;
}

interface ThemeState {
  choice: ThemeChoice;
  theme: Theme;
  setChoice(choice: ThemeChoice): void;
  /** Cycles system → light → dark → system, the header button's behaviour. */
  cycle(): void;
}

const stored = (localStorage.getItem(STORAGE_KEY) as ThemeChoice | null) ?? 'system';

export const useTheme = create<ThemeState>((set, get) => ({
  choice: stored,
  theme: resolve(stored),
  setChoice(choice) {
    localStorage.setItem(STORAGE_KEY, choice);
    set({ choice, theme: resolve(choice) });
  },
  cycle() {
    const order: ThemeChoice[] = ['system', 'light', 'dark'];
    get().setChoice(order[(order.indexOf(get().choice) + 1) % order.length]!);
  },
}));

/** Follows the OS while the choice is "system". */
export function watchSystemTheme(): void {
  media().addEventListener('change', () => {
    const { choice } = useTheme.getState();
    if (choice === 'system') useTheme.setState({ theme: resolve('system') });
  });
  const apply = (theme: Theme) => (document.documentElement.dataset.theme = theme);
  apply(useTheme.getState().theme);
  useTheme.subscribe((state) => apply(state.theme));
}
