import { create } from 'zustand';
import { connectionOf } from '../../../shared/contract/ssh';
import type { Host } from '../../../shared/model/cluster';
import { useBottomTab } from '../panels/bottom-tab';
import { jumpChain } from '../store/jump-chain';
import type { TerminalController, TerminalSpec, TerminalStatus } from './controller';

/** xterm.js is a fifth of the page's script: it loads with the first terminal, not at start. */
const loadController = () => import('./controller');

export interface TerminalTab {
  key: string;
  title: string;
  kind: TerminalSpec['kind'];
  status: TerminalStatus;
}

interface TerminalsState {
  tabs: TerminalTab[];
  active: string | null;
  select(key: string): void;
}

/**
 * The open terminal tabs, app-wide: not part of any cluster, so they survive switching
 * clusters (a terminal to cp1 of "prod" stays open while "staging" is on the canvas).
 * The xterm instances live in `controllers`, outside React state.
 */
export const useTerminals = create<TerminalsState>((set) => ({
  tabs: [],
  active: null,
  select: (key) => set({ active: key }),
}));

const controllers = new Map<string, TerminalController>();
let counter = 0;

export function controllerOf(key: string): TerminalController | undefined {
  return controllers.get(key);
}

function setStatus(key: string, status: TerminalStatus): void {
  useTerminals.setState((s) => ({ tabs: s.tabs.map((t) => (t.key === key ? { ...t, status } : t)) }));
}

/** What each tab was opened with, kept until its controller exists (a failed load can be retried). */
const loading = new Map<string, { title: string; spec: TerminalSpec }>();

/** Loads xterm.js (once per page), then makes the tab's controller and starts its shell. */
function startController(key: string): void {
  const { title, spec } = loading.get(key)!;
  setStatus(key, { state: 'connecting' });
  loadController().then(
    ({ TerminalController }) => {
      if (!loading.delete(key)) return; // closed while loading
      const controller = new TerminalController(title, spec, (status) => setStatus(key, status));
      controllers.set(key, controller);
      setStatus(key, controller.status); // a fresh tab list: the panel draws the terminal now
      void controller.connect();
    },
    (error: unknown) =>
      setStatus(key, { state: 'failed', message: `the terminal could not be loaded (${String(error)})` }),
  );
}

/** Opens a terminal tab, shows it (bringing up the Terminals panel) and starts its shell. */
export function openTerminal(title: string, spec: TerminalSpec): string {
  const key = `terminal-${++counter}`;
  useTerminals.setState((s) => ({
    tabs: [...s.tabs, { key, title, kind: spec.kind, status: { state: 'connecting' } }],
    active: key,
  }));
  useBottomTab.getState().show('terminals');
  loading.set(key, { title, spec });
  startController(key);
  return key;
}

/** Tries again to load a tab's terminal whose code could not be fetched (no controller yet). */
export function retryTerminalLoad(key: string): void {
  if (loading.has(key)) startController(key);
}

/**
 * A shell on `host`, through its bastion chain as the design says; a host without one goes
 * the way ~/.ssh/config's ProxyJump says (no `via` at all, which is not the same as `[]`).
 */
export function openHostTerminal(host: Host, hosts: readonly Host[]): string {
  const chain = jumpChain(host, hosts);
  return openTerminal(host.name, {
    kind: 'ssh',
    host: connectionOf(host),
    ...(chain.length > 0 ? { via: chain.map(connectionOf) } : {}),
  });
}

/** A shell on this machine with KUBECONFIG set to the cluster's exported kubeconfig. */
export function openLocalTerminal(clusterId: string): string {
  return openTerminal(`kubectl: ${clusterId}`, { kind: 'local', cluster: clusterId });
}

/** Hangs the shell up and drops the tab (and its scrollback). */
export function closeTerminal(key: string): void {
  controllers.get(key)?.dispose();
  controllers.delete(key);
  loading.delete(key);
  useTerminals.setState((s) => {
    const index = s.tabs.findIndex((t) => t.key === key);
    const tabs = s.tabs.filter((t) => t.key !== key);
    const active = s.active === key ? (tabs[Math.min(index, tabs.length - 1)]?.key ?? null) : s.active;
    return { tabs, active };
  });
}
