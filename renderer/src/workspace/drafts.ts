import type { ClusterProject } from '../../../shared/model/cluster';

/**
 * Work the file cannot take yet. The file schema refuses, for example, a host without an
 * address, so a half-drawn design cannot be saved; it is kept here (the browser's storage)
 * until a save succeeds, and offered again when the cluster is opened, so closing the app
 * mid-design loses nothing. Projects hold no secrets, only secret names.
 */
const key = (id: string) => `keelson.draft.${id}`;

interface Draft {
  at: string;
  project: ClusterProject;
  /**
   * The file version the work started from. When the file is another version by the time the
   * draft comes back, someone else changed it: the app asks (Reload or Keep mine) instead of
   * saving over it. Absent in drafts kept before versions existed.
   */
  baseVersion?: string | null;
}

export function keepDraft(id: string, project: ClusterProject, baseVersion?: string | null): void {
  try {
    localStorage.setItem(
      key(id),
      JSON.stringify({ at: new Date().toISOString(), project, baseVersion } satisfies Draft),
    );
  } catch {
    // Storage full or disabled: the header still says the change is not saved.
  }
}

export function dropDraft(id: string): void {
  localStorage.removeItem(key(id));
}

export function moveDraft(from: string, to: string): void {
  const text = localStorage.getItem(key(from));
  if (text === null) return;
  localStorage.setItem(key(to), text);
  localStorage.removeItem(key(from));
}

/**
 * The unsaved work kept for a cluster, or null. A draft that names its base version is always
 * returned (it is work no save took; the caller compares versions); an older draft without one
 * only when it is newer than the file, else it is dropped as stale.
 */
export function pendingDraft(
  id: string,
  fileModifiedAt: string | undefined,
): { project: ClusterProject; baseVersion?: string | null } | null {
  const text = localStorage.getItem(key(id));
  if (text === null) return null;
  try {
    const draft = JSON.parse(text) as Draft;
    const ok = draft.project?.kind === 'Cluster' && Array.isArray(draft.project.spec?.hosts);
    if (ok && draft.baseVersion !== undefined)
      return { project: draft.project, baseVersion: draft.baseVersion };
    if (ok && (!fileModifiedAt || Date.parse(draft.at) > Date.parse(fileModifiedAt)))
      return { project: draft.project };
  } catch {
    // Unreadable draft: fall through and drop it.
  }
  dropDraft(id);
  return null;
}
