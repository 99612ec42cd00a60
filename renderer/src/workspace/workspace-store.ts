import { create } from 'zustand';
import { ClusterProject } from '../../../shared/model/cluster';
import type { ClusterEntry, TemplateEntry } from '../../../shared/contract/workspace';
import { fillMissingPositions } from '../canvas/layout';
import { useDesign } from '../store/design';
import { getClient } from '../transport/client';
import { dropDraft, keepDraft, moveDraft, newerDraft } from './drafts';

const LAST_CLUSTER_KEY = 'keelson.lastCluster';
/** Autosave waits this long after the last change, so a burst of typing is one write. */
export const AUTOSAVE_DELAY_MS = 500;

export type SaveStatus =
  | { state: 'idle' }
  | { state: 'saving' }
  | { state: 'saved'; at: string }
  | { state: 'failed'; error: string };

interface WorkspaceState {
  folder: string;
  clusters: ClusterEntry[];
  templates: TemplateEntry[];
  /** Id of the open cluster (file stem), null on the start screen. */
  currentId: string | null;
  /** The file that could not be opened and why; it is left untouched on disk. */
  openError: { id: string; message: string } | null;
  save: SaveStatus;
  /** Errors of the last list/create/rename/delete, shown next to the clusters menu. */
  error: string | null;

  refresh(): Promise<void>;
  createCluster(name: string, templateId?: string): Promise<void>;
  openCluster(id: string): Promise<void>;
  renameCluster(id: string, newId: string): Promise<void>;
  deleteCluster(id: string): Promise<void>;
  closeCluster(): void;
  saveNow(): Promise<void>;
  /** Opens the last cluster used, if it still exists. */
  start(): Promise<void>;
}

/** What went wrong, in words: oRPC errors carry per-field details for invalid projects. */
export function describeError(error: unknown, project?: ClusterProject): string {
  if (typeof error === 'object' && error !== null) {
    const data = (error as { data?: { errors?: { path: string; message: string; line?: number }[] } }).data;
    const first = data?.errors?.[0];
    if (first) {
      const more = data!.errors!.length > 1 ? ` (and ${data!.errors!.length - 1} more)` : '';
      // spec.hosts[2].address reads better as: host worker1: address
      const path = first.path.replace(/^spec\.hosts\[(\d+)\]\.?/, (whole, i: string) => {
        const name = project?.spec.hosts[Number(i)]?.name;
        return name ? `host ${name}: ` : whole;
      });
      return `${path ? `${path.replace(/: $/, '')}: ` : ''}${first.message}${more}`;
    }
  }
  return error instanceof Error ? error.message : String(error);
}

/** A file-name-safe id from a cluster name: "Prod East" → "prod-east". */
export function idFromName(name: string, taken: ReadonlySet<string>): string {
  const base =
    name
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-+|-+$/g, '')
      .slice(0, 56) || 'cluster';
  let id = base;
  for (let n = 2; taken.has(id); n++) id = `${base}-${n}`;
  return id;
}

let lastSaved: ClusterProject | null = null;

export const useWorkspace = create<WorkspaceState>((set, get) => {
  const loadProject = (id: string, raw: unknown) => {
    const parsed = ClusterProject.safeParse(raw);
    if (!parsed.success) {
      useDesign.getState().unload();
      set({
        currentId: null,
        openError: { id, message: parsed.error.issues[0]?.message ?? 'not a cluster project' },
      });
      return;
    }
    lastSaved = parsed.data;
    const modifiedAt = get().clusters.find((c) => c.id === id)?.modifiedAt;
    const draft = newerDraft(id, modifiedAt);
    useDesign.getState().load(fillMissingPositions(draft ?? parsed.data));
    if (draft)
      useDesign.setState({
        notice:
          'Restored changes the file could not take yet (see the header); they are saved once the design is complete enough.',
      });
    localStorage.setItem(LAST_CLUSTER_KEY, id);
    set({
      currentId: id,
      openError: null,
      save: draft ? { state: 'failed', error: 'restored unsaved changes' } : { state: 'idle' },
    });
  };

  return {
    folder: '',
    clusters: [],
    templates: [],
    currentId: null,
    openError: null,
    save: { state: 'idle' },
    error: null,

    async refresh() {
      try {
        const client = getClient();
        const [list, templates] = await Promise.all([client.workspace.list(), client.workspace.templates()]);
        set({ folder: list.folder, clusters: list.clusters, templates, error: null });
      } catch (error) {
        set({ error: describeError(error) });
      }
    },
    async createCluster(name, templateId) {
      try {
        await get().saveNow();
        const id = idFromName(name, new Set(get().clusters.map((c) => c.id)));
        const created = await getClient().workspace.create({ id, name, templateId });
        loadProject(created.id, created.project);
        set({ error: null });
        await get().refresh();
      } catch (error) {
        set({ error: `Could not create "${name}": ${describeError(error)}` });
      }
    },
    async openCluster(id) {
      try {
        await get().saveNow();
        const opened = await getClient().workspace.open({ id });
        if (opened.error !== undefined || opened.project === undefined) {
          useDesign.getState().unload();
          lastSaved = null;
          set({ currentId: null, openError: { id, message: opened.error ?? 'the file has no project' } });
          return;
        }
        loadProject(opened.id, opened.project);
      } catch (error) {
        set({ openError: { id, message: describeError(error) } });
      }
    },
    async renameCluster(id, newId) {
      try {
        await get().saveNow();
        const renamed = await getClient().workspace.rename({ id, newId });
        moveDraft(id, renamed.id);
        if (get().currentId === id) {
          set({ currentId: renamed.id });
          localStorage.setItem(LAST_CLUSTER_KEY, renamed.id);
        }
        set({ error: null });
        await get().refresh();
      } catch (error) {
        set({ error: `Could not rename "${id}": ${describeError(error)}` });
      }
    },
    async deleteCluster(id) {
      try {
        await getClient().workspace.delete({ id });
        dropDraft(id);
        if (get().currentId === id) get().closeCluster();
        if (get().openError?.id === id) set({ openError: null });
        if (localStorage.getItem(LAST_CLUSTER_KEY) === id) localStorage.removeItem(LAST_CLUSTER_KEY);
        set({ error: null });
        await get().refresh();
      } catch (error) {
        set({ error: `Could not delete "${id}": ${describeError(error)}` });
      }
    },
    closeCluster() {
      useDesign.getState().unload();
      lastSaved = null;
      localStorage.removeItem(LAST_CLUSTER_KEY);
      set({ currentId: null, save: { state: 'idle' } });
    },
    async saveNow() {
      cancelAutosave();
      const id = get().currentId;
      const project = useDesign.getState().history?.present;
      if (!id || !project || project === lastSaved) return;
      set({ save: { state: 'saving' } });
      try {
        const result = await getClient().workspace.save({ id, project });
        lastSaved = project;
        dropDraft(id);
        // A later edit may have happened while saving: it gets its own autosave.
        set({ save: { state: 'saved', at: result.savedAt } });
      } catch (error) {
        keepDraft(id, project);
        set({ save: { state: 'failed', error: describeError(error, project) } });
      }
    },
    async start() {
      await get().refresh();
      const last = localStorage.getItem(LAST_CLUSTER_KEY);
      if (last && get().clusters.some((c) => c.id === last)) await get().openCluster(last);
    },
  };
});

let timer: ReturnType<typeof setTimeout> | undefined;
function cancelAutosave() {
  if (timer !== undefined) clearTimeout(timer);
  timer = undefined;
}

/** Saves ~500 ms after the last change to the open project. Returns the unsubscribe. */
export function startAutosave(): () => void {
  const unsubscribe = useDesign.subscribe((state, previous) => {
    const project = state.history?.present;
    if (!project || project === previous.history?.present || project === lastSaved) return;
    // Loading a project starts a fresh history; that is not an edit to save.
    const h = state.history!;
    if (h.past.length === 0 && h.future.length === 0 && h.lastAt === 0) return;
    cancelAutosave();
    timer = setTimeout(() => void useWorkspace.getState().saveNow(), AUTOSAVE_DELAY_MS);
  });
  return () => {
    cancelAutosave();
    unsubscribe();
  };
}
