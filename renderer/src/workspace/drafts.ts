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
}

export function keepDraft(id: string, project: ClusterProject): void {
  try {
    localStorage.setItem(key(id), JSON.stringify({ at: new Date().toISOString(), project } satisfies Draft));
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

/** The draft of a cluster when it is newer than the file, else null (and a stale draft is dropped). */
export function newerDraft(id: string, fileModifiedAt: string | undefined): ClusterProject | null {
  const text = localStorage.getItem(key(id));
  if (text === null) return null;
  try {
    const draft = JSON.parse(text) as Draft;
    const ok = draft.project?.kind === 'Cluster' && Array.isArray(draft.project.spec?.hosts);
    if (ok && (!fileModifiedAt || Date.parse(draft.at) > Date.parse(fileModifiedAt))) return draft.project;
  } catch {
    // Unreadable draft: fall through and drop it.
  }
  dropDraft(id);
  return null;
}
