import { create } from 'zustand';
import { ClusterProject } from '../../../shared/model/cluster';
import { projectDifferences, type Difference } from '../../../shared/model/diff';
import type { ClusterEntry, TemplateEntry, TrashEntry } from '../../../shared/contract/workspace';
import { fillMissingPositions } from '../canvas/layout';
import { useConnection } from '../connection';
import { useDesign } from '../store/design';
import { ENDPOINT_ID } from '../store/edits';
import { useWorkspaceMembers } from '../store/findings';
import { getClient } from '../transport/client';
import { dropDraft, keepDraft, moveDraft, pendingDraft } from './drafts';

const LAST_CLUSTER_KEY = 'keelson.lastCluster';
/** Autosave waits this long after the last change, so a burst of typing is one write. */
export const AUTOSAVE_DELAY_MS = 500;

export type SaveStatus =
  | { state: 'idle' }
  | { state: 'saving' }
  | { state: 'saved'; at: string }
  | { state: 'failed'; error: string }
  | { state: 'conflict' };

/** The file changed under this window (another window or tab, an editor): the user chooses. */
export interface SaveConflict {
  id: string;
  /** Said besides "changed elsewhere", e.g. that the changes are a restored draft. */
  note?: string;
  /** The file's version now; null when it was deleted. */
  version: string | null;
  /** What the file holds now; null when it was deleted (or is not a project this app reads). */
  theirs: ClusterProject | null;
  /** What differs between the file and this window, as a person reads it. */
  differences: Difference[];
}

interface WorkspaceState {
  folder: string;
  clusters: ClusterEntry[];
  templates: TemplateEntry[];
  /** Deleted clusters that can be restored, newest first. */
  trash: TrashEntry[];
  /** Id of the open cluster (file stem), null on the start screen. */
  currentId: string | null;
  /** The file that could not be opened and why; it is left untouched on disk. */
  openError: { id: string; message: string } | null;
  save: SaveStatus;
  /** Set when a save was refused because the file changed elsewhere; autosave waits for a choice. */
  conflict: SaveConflict | null;
  /** Errors of the last list/create/rename/delete, shown next to the clusters menu. */
  error: string | null;

  refresh(): Promise<void>;
  /** Null when created, else why not (shown at the name field). */
  createCluster(name: string, templateId?: string): Promise<string | null>;
  openCluster(id: string): Promise<void>;
  /** Null when renamed, else why not (shown at the name field). */
  renameCluster(id: string, name: string): Promise<string | null>;
  deleteCluster(id: string): Promise<void>;
  restoreCluster(trashId: string): Promise<void>;
  /** Deletes a trash entry for good (files, deploy state, set-aside credentials). */
  purgeTrashed(trashId: string): Promise<void>;
  /** Erases the entries listed (those the user saw when confirming), not any deleted since. */
  emptyTrash(trashIds: string[]): Promise<void>;
  closeCluster(): void;
  /** Saves the open project now; saves of this window run one after another, never side by side. */
  saveNow(): Promise<void>;
  /** Reload: take the file's version (drops this window's changes). Keep mine: save over it. */
  resolveConflict(choice: 'reload' | 'keep-mine'): Promise<void>;
  /** Opens the last cluster used, if it still exists. */
  start(): Promise<void>;
  /**
   * After the services were unreachable: re-read the list, save what could not be saved, and
   * take the open file's new version if it changed meanwhile and nothing here is unsaved.
   */
  /** Reloads the file when it changed on disk and this window has no unsaved edits (`notice` says why). */
  resync(notice?: string): Promise<void>;
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

let lastSaved: ClusterProject | null = null;
/** The file version the open project was loaded from or last saved as: what a save is based on. */
let baseVersion: string | null = null;
/** The save in progress; the next one starts after it, so each names the version the last returned. */
let saveChain: Promise<void> = Promise.resolve();

/** A CONFLICT from save: the file is another version (or gone). Other errors: undefined. */
function conflictOf(error: unknown): { version: string | null; project?: unknown } | undefined {
  const e = error as { code?: string; data?: { version?: string | null; project?: unknown } };
  if (e?.code !== 'CONFLICT' || e.data?.version === undefined) return undefined;
  return { version: e.data.version, project: e.data.project };
}

export const useWorkspace = create<WorkspaceState>((set, get) => {
  const showConflict = (
    id: string,
    mine: ClusterProject,
    c: { version: string | null; project?: unknown },
    note?: string,
  ) => {
    const parsed = c.project === undefined ? undefined : ClusterProject.safeParse(c.project);
    const theirs = parsed?.success ? parsed.data : null;
    set({
      save: { state: 'conflict' },
      conflict: {
        id,
        ...(note ? { note } : {}),
        version: c.version,
        theirs,
        differences: theirs ? projectDifferences(theirs, mine) : [],
      },
    });
  };

  const loadProject = (id: string, raw: unknown, version: string, fileModifiedAt?: string) => {
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
    baseVersion = version;
    const modifiedAt = fileModifiedAt ?? get().clusters.find((c) => c.id === id)?.modifiedAt;
    const draft = pendingDraft(id, modifiedAt);
    useDesign.getState().load(fillMissingPositions(draft?.project ?? parsed.data));
    localStorage.setItem(LAST_CLUSTER_KEY, id);
    set({
      currentId: id,
      openError: null,
      conflict: null,
      save: draft ? { state: 'failed', error: 'restored unsaved changes' } : { state: 'idle' },
    });
    if (!draft) return;
    if (draft.baseVersion !== undefined && draft.baseVersion !== version) {
      // The work was based on a version the file no longer is: ask rather than save over it.
      baseVersion = draft.baseVersion;
      showConflict(
        id,
        draft.project,
        { version, project: parsed.data },
        'These are changes of yours that were never saved, restored from this browser; the file changed after you made them.',
      );
      return;
    }
    useDesign.setState({
      notice:
        'Restored changes the file could not take yet (see the header); they are saved once the design is complete enough.',
    });
  };

  /** Erases from the trash, then shows the trash as it is now, failed or not (an entry restored in another window is gone). */
  const eraseFromTrash = async (erase: () => Promise<unknown>, failure: string) => {
    try {
      await erase();
      await get().refresh();
    } catch (error) {
      await get().refresh();
      set({ error: `${failure}: ${describeError(error)}` });
    }
  };

  type Opened = Awaited<ReturnType<ReturnType<typeof getClient>['workspace']['open']>>;
  /** The server's answer to opening `id`, or the failure as a message (never a throw). */
  const openResult = (id: string): Promise<Opened | { failed: string }> =>
    getClient()
      .workspace.open({ id })
      .catch((error: unknown) => ({ failed: describeError(error) }));
  const showOpened = (id: string, opened: Opened | { failed: string }) => {
    if ('failed' in opened) return set({ openError: { id, message: opened.failed } });
    if (opened.error !== undefined || opened.project === undefined || opened.version === undefined) {
      useDesign.getState().unload();
      lastSaved = null;
      set({
        currentId: null,
        conflict: null,
        openError: { id, message: opened.error ?? 'the file has no project' },
      });
      return;
    }
    loadProject(opened.id, opened.project, opened.version, opened.modifiedAt);
  };

  /** One save of the open project, if it changed (or `force`); run only through saveChain. */
  const saveOnce = async (force = false) => {
    cancelAutosave();
    const id = get().currentId;
    const project = useDesign.getState().history?.present;
    if (!id || !project || (project === lastSaved && !force)) return;
    if (get().conflict) return; // nothing is written until the user chose Reload or Keep mine
    set({ save: { state: 'saving' } });
    try {
      const result = await getClient().workspace.save({ id, project, baseVersion });
      baseVersion = result.version;
      lastSaved = project;
      dropDraft(id);
      // A later edit may have happened while saving: it gets its own autosave.
      set({ save: { state: 'saved', at: result.savedAt } });
    } catch (error) {
      keepDraft(id, project, baseVersion);
      const conflict = conflictOf(error);
      if (conflict) showConflict(id, project, conflict);
      else if (useConnection.getState().status !== 'connected')
        set({
          save: {
            state: 'failed',
            error: 'disconnected — kept in this browser, saved when the connection is back',
          },
        });
      else set({ save: { state: 'failed', error: describeError(error, project) } });
    }
  };
  const queue = (run: () => Promise<void>): Promise<void> => {
    const next = saveChain.then(run);
    saveChain = next.catch(() => undefined);
    return next;
  };

  return {
    folder: '',
    clusters: [],
    templates: [],
    trash: [],
    currentId: null,
    openError: null,
    save: { state: 'idle' },
    conflict: null,
    error: null,

    async refresh() {
      try {
        const client = getClient();
        const [list, templates, trash] = await Promise.all([
          client.workspace.list(),
          client.workspace.templates(),
          client.workspace.trash(),
        ]);
        set({ folder: list.folder, clusters: list.clusters, templates, trash, error: null });
      } catch (error) {
        set({ error: describeError(error) });
      }
    },
    async createCluster(name, templateId) {
      try {
        await get().saveNow();
        const created = await getClient().workspace.create({ name, templateId });
        loadProject(created.id, created.project, created.version);
        set({ error: null });
        // Not awaited: the new cluster is open now, and a menu waiting for the list to be re-read
        // stayed open a moment after it showed, taking the next click meant for what was under it.
        void get().refresh();
        return null;
      } catch (error) {
        return describeError(error);
      }
    },
    async openCluster(id) {
      await get().saveNow();
      showOpened(id, await openResult(id));
    },
    async renameCluster(id, name) {
      try {
        await get().saveNow();
        const renamed = await getClient().workspace.rename({ id, name });
        moveDraft(id, renamed.id);
        if (get().currentId === id) {
          localStorage.setItem(LAST_CLUSTER_KEY, renamed.id);
          set({ currentId: renamed.id });
          // The file was rewritten with the new name: this window takes that version.
          const parsed = ClusterProject.safeParse(renamed.project);
          if (parsed.success && renamed.version) {
            lastSaved = parsed.data;
            baseVersion = renamed.version;
            useDesign.getState().renamed(fillMissingPositions(parsed.data));
          }
        }
        if (get().openError?.id === id) set({ openError: null });
        set({ error: null });
        await get().refresh();
        return null;
      } catch (error) {
        return describeError(error);
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
    async restoreCluster(trashId) {
      try {
        await getClient().workspace.restore({ trashId });
        set({ error: null });
        await get().refresh();
      } catch (error) {
        set({ error: `Could not restore: ${describeError(error)}` });
      }
    },
    purgeTrashed(trashId) {
      return eraseFromTrash(() => getClient().workspace.purge({ trashId }), 'Could not delete forever');
    },
    emptyTrash(trashIds) {
      return eraseFromTrash(
        () => getClient().workspace.emptyTrash({ trashIds }),
        'Could not empty the trash',
      );
    },
    closeCluster() {
      useDesign.getState().unload();
      lastSaved = null;
      baseVersion = null;
      localStorage.removeItem(LAST_CLUSTER_KEY);
      set({ currentId: null, save: { state: 'idle' }, conflict: null });
    },
    saveNow() {
      return queue(() => saveOnce());
    },
    resolveConflict(choice) {
      return queue(async () => {
        const conflict = get().conflict;
        if (!conflict || conflict.id !== get().currentId) return;
        if (choice === 'keep-mine') {
          // Save this window's project over the file's version (which backups keep).
          baseVersion = conflict.version;
          set({ conflict: null });
          await saveOnce(true);
          return;
        }
        dropDraft(conflict.id);
        if (!conflict.theirs) {
          // Deleted elsewhere (or unreadable now): there is nothing to reload, so close it.
          set({ conflict: null });
          get().closeCluster();
          await get().refresh();
          return;
        }
        lastSaved = conflict.theirs;
        baseVersion = conflict.version;
        useDesign.getState().load(fillMissingPositions(conflict.theirs));
        set({ conflict: null, save: { state: 'idle' } });
      });
    },
    async start() {
      // The last cluster is read and drawn while the list loads, rather than after it: with 500
      // hosts the list's reply came about half a second after the project's.
      const last = localStorage.getItem(LAST_CLUSTER_KEY);
      const refreshing = get().refresh();
      if (last) {
        const opened = await openResult(last);
        // A last cluster deleted or renamed elsewhere is simply not reopened.
        if (!('failed' in opened)) showOpened(last, opened);
      }
      await refreshing;
    },
    async resync(notice = 'The file changed while the connection was down: this is its new version.') {
      await get().refresh();
      const id = get().currentId;
      const project = useDesign.getState().history?.present;
      if (!id || !project || get().conflict) return;
      if (project !== lastSaved) {
        // Edits made while disconnected: save them now; a file that changed meanwhile is a conflict.
        await get().saveNow();
        return;
      }
      await queue(async () => {
        try {
          const opened = await getClient().workspace.open({ id });
          if (get().currentId !== id || useDesign.getState().history?.present !== lastSaved) return;
          if (opened.version === undefined || opened.version === baseVersion || opened.project === undefined)
            return;
          const parsed = ClusterProject.safeParse(opened.project);
          if (!parsed.success) return;
          const selection = useDesign.getState().selection;
          lastSaved = parsed.data;
          baseVersion = opened.version;
          useDesign.getState().load(fillMissingPositions(parsed.data));
          const names = new Set(parsed.data.spec.hosts.map((h) => h.name));
          useDesign.getState().select(selection.filter((n) => n === ENDPOINT_ID || names.has(n)));
          useDesign.setState({ notice });
          set({ save: { state: 'idle' } });
        } catch (error) {
          set({ error: describeError(error) });
        }
      });
    },
  };
});

// The checks across clusters (findingsOf) read the open id and the list from here.
useWorkspace.subscribe(({ currentId, clusters }) => {
  const now = useWorkspaceMembers.getState();
  if (now.selfId !== currentId || now.members !== clusters)
    useWorkspaceMembers.setState({ selfId: currentId, members: clusters });
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
