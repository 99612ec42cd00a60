import { create } from 'zustand';
import type { ClusterProject } from '../../../shared/model/cluster';
import type { InventoryHost } from '../../../shared/model/inventory';
import {
  addEndpoint,
  addHost,
  addHosts,
  type ClipboardContent,
  copyNodes,
  deleteNodes,
  ENDPOINT_ID,
  sshEdgeId,
  hasEndpointNode,
  movePositions,
  pasteNodes,
  type XY,
} from './edits';
import { type History, record, redo, rewrite, startHistory, undo } from './history';
import type { NodeKind } from './node-kinds';

export interface Size {
  width: number;
  height: number;
}

/** Offset of pasted nodes from their originals, so a paste is visibly a new set. */
const PASTE_OFFSET: XY = { x: 40, y: 40 };

export interface DesignState {
  /** The open project's undo history; `history.present` is the source of truth. */
  history: History<ClusterProject> | null;
  /** Canvas ids of what is selected: host names, ENDPOINT_ID, or an SSH route (sshEdgeId). */
  selection: string[];
  clipboard: ClipboardContent | null;
  /** Positions of nodes being dragged right now; committed to the project on drop. */
  dragging: Record<string, XY> | null;
  /** Rendered node sizes reported by React Flow; view state, never saved. */
  measured: Record<string, Size>;
  /** A one-off message for the user (e.g. why a drop changed the endpoint pattern). */
  notice: string | null;
  /** Bumped to ask the canvas to center on a node (problem click). */
  focus: { id: string; seq: number } | null;

  load(project: ClusterProject): void;
  /** The open project was renamed: `project` is the file's new text; undo keeps working. */
  renamed(project: ClusterProject): void;
  unload(): void;
  /** Every model change goes through here, so it is undoable and autosaved. */
  apply(change: (project: ClusterProject) => ClusterProject, coalesceKey?: string): void;
  undo(): void;
  redo(): void;
  select(ids: string[]): void;
  addNode(kind: NodeKind, at: XY): void;
  /** Adds checked inventory hosts below the canvas's nodes (one undo step) and selects them. */
  addInventory(hosts: readonly InventoryHost[], size: Size): void;
  deleteSelection(): void;
  copySelection(): void;
  paste(): void;
  dragMove(positions: Record<string, XY>): void;
  dragEnd(positions: Record<string, XY>): void;
  setMeasured(sizes: Record<string, Size>): void;
  /** Selects what a finding is about (one node, or several: a click on "4 control planes") and centres the first. */
  focusOn(ids: string | readonly string[] | null): void;
  dismissNotice(): void;
}

export const useDesign = create<DesignState>((set, get) => {
  const commit = (next: ClusterProject, coalesceKey?: string, extra: Partial<DesignState> = {}) => {
    const history = get().history;
    if (!history) return;
    set({ history: record(history, next, coalesceKey), ...extra });
  };
  /** Selection may name nodes (or SSH routes) an undo removed: keep only what still exists. */
  const existing = (project: ClusterProject, ids: string[]) => {
    const names = new Set(project.spec.hosts.map((h) => h.name));
    if (hasEndpointNode(project)) names.add(ENDPOINT_ID);
    for (const h of project.spec.hosts) if (h.ssh.via) names.add(sshEdgeId(h.name));
    return ids.filter((id) => names.has(id));
  };

  return {
    history: null,
    selection: [],
    clipboard: null,
    dragging: null,
    measured: {},
    notice: null,
    focus: null,

    load(project) {
      set({ history: startHistory(project), selection: [], dragging: null, measured: {}, notice: null });
    },
    renamed(project) {
      const history = get().history;
      if (!history) return get().load(project);
      const name = project.metadata.name;
      const retitle = (p: ClusterProject) => ({ ...p, metadata: { ...p.metadata, name } });
      set({ history: rewrite(history, project, retitle) });
    },
    unload() {
      set({ history: null, selection: [], dragging: null, measured: {}, notice: null });
    },
    apply(change, coalesceKey) {
      const history = get().history;
      if (!history) return;
      commit(change(history.present), coalesceKey);
    },
    undo() {
      const history = get().history;
      if (!history) return;
      const h = undo(history);
      set({ history: h, selection: existing(h.present, get().selection) });
    },
    redo() {
      const history = get().history;
      if (!history) return;
      const h = redo(history);
      set({ history: h, selection: existing(h.present, get().selection) });
    },
    select(ids) {
      const current = get().selection;
      if (current.length === ids.length && current.every((id, i) => id === ids[i])) return;
      set({ selection: ids });
    },
    addNode(kind, at) {
      const project = get().history?.present;
      if (!project) return;
      if (kind === 'vip') {
        if (hasEndpointNode(project)) {
          set({
            selection: [ENDPOINT_ID],
            notice: 'There is one API endpoint per cluster: it is already on the canvas.',
          });
          return;
        }
        const { project: next, note } = addEndpoint(project, at);
        commit(next, undefined, { selection: [ENDPOINT_ID], notice: note ?? null });
        return;
      }
      const { project: next, name } = addHost(project, kind, at);
      commit(next, undefined, { selection: [name] });
    },
    addInventory(hosts, size) {
      const project = get().history?.present;
      if (!project || hosts.length === 0) return;
      commit(addHosts(project, hosts, size), undefined, { selection: hosts.map((h) => h.name) });
    },
    deleteSelection() {
      const { history, selection } = get();
      if (!history || selection.length === 0) return;
      commit(deleteNodes(history.present, selection), undefined, { selection: [] });
    },
    copySelection() {
      const { history, selection } = get();
      if (!history) return;
      const clip = copyNodes(history.present, selection);
      if (clip.hosts.length > 0) set({ clipboard: clip });
    },
    paste() {
      const { history, clipboard } = get();
      if (!history || !clipboard) return;
      const { project, names } = pasteNodes(history.present, clipboard, PASTE_OFFSET);
      // The next paste lands one step further, as in drawing tools.
      const shifted = Object.fromEntries(
        Object.entries(clipboard.positions).map(([k, p]) => [
          k,
          { x: p.x + PASTE_OFFSET.x, y: p.y + PASTE_OFFSET.y },
        ]),
      );
      commit(project, undefined, { selection: names, clipboard: { ...clipboard, positions: shifted } });
    },
    dragMove(positions) {
      set({ dragging: { ...get().dragging, ...positions } });
    },
    dragEnd(positions) {
      const history = get().history;
      const moved = { ...get().dragging, ...positions };
      set({ dragging: null });
      if (history && Object.keys(moved).length > 0) commit(movePositions(history.present, moved));
    },
    setMeasured(sizes) {
      set({ measured: { ...get().measured, ...sizes } });
    },
    focusOn(ids) {
      const list = ids === null ? [] : typeof ids === 'string' ? [ids] : [...ids];
      const id = list[0];
      if (id === undefined) {
        set({ selection: [] });
        return;
      }
      set({ selection: list, focus: { id, seq: (get().focus?.seq ?? 0) + 1 } });
    },
    dismissNotice() {
      set({ notice: null });
    },
  };
});

/** The open project, or undefined when none is open. */
export const useProject = () => useDesign((s) => s.history?.present);
