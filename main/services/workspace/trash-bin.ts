import { link, readFile, rename, rm, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { TrashId, type TrashEntry } from '../../../shared/contract/workspace';
import { parseProject } from '../../../shared/model/parse';
import {
  bringBackCredentials,
  dropCredentials,
  exists,
  moveIfThere,
  stateDirOf,
  trashed,
  trashedClusters,
} from './cluster-files';
import { WorkspaceError } from './errors';
import { LEGACY_BACKUP_SUFFIX, PROJECT_SUFFIX } from './folder';
import type { BackupHistory } from './history';

/**
 * The workspace's `.trash/`: what a delete set aside (WorkspaceStore.delete), listed, restored
 * or erased for good. The store runs each of these in its per-cluster turn (serial); they never
 * take one themselves.
 */

/** Where a workspace keeps its clusters, their generations and (in `home`) their credentials. */
export interface TrashPlace {
  folder: string;
  home?: string;
  history: BackupHistory;
}

function isMissing(error: unknown): boolean {
  return (error as NodeJS.ErrnoException)?.code === 'ENOENT';
}

/** Deleted clusters that restore can bring back, newest first. */
export async function listTrash(folder: string): Promise<TrashEntry[]> {
  const entries: TrashEntry[] = [];
  for (const found of await trashedClusters(folder)) {
    const t = trashed(folder, found.trashId);
    let name = found.id;
    try {
      const parsed = parseProject(await readFile(t.file, 'utf8'), `${found.trashId}${PROJECT_SUFFIX}`);
      if (parsed.ok) name = parsed.project.metadata.name;
    } catch (error) {
      if (!isMissing(error)) throw error;
      continue; // restored meanwhile
    }
    entries.push({ ...found, name, hasDeployState: await exists(t.stateDir) });
  }
  return entries;
}

export async function restoreFromTrash(place: TrashPlace, trashId: string): Promise<string> {
  const t = trashed(place.folder, trashId);
  const path = join(place.folder, `${t.id}${PROJECT_SUFFIX}`);
  if (!(await exists(t.file)))
    throw new WorkspaceError(`"${trashId}" is not in the trash (restored or emptied already)`, {
      code: 'NOT_FOUND',
      id: trashId,
    });
  const hasState = await exists(t.stateDir);
  const refuse = (what: string) =>
    new WorkspaceError(
      `cannot restore "${t.id}": ${what} exists now. Rename or delete it first, then restore.`,
      { code: 'CONFLICT', id: t.id },
    );
  if (await exists(path)) throw refuse(`a cluster with this name (${t.id}${PROJECT_SUFFIX})`);
  if (hasState && (await exists(stateDirOf(place.folder, t.id))))
    throw refuse(`deploy state under this name (${t.id}.deploy/)`);
  try {
    // link + unlink: rename would silently replace a file made since the check above.
    await link(t.file, path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST')
      throw refuse(`a cluster with this name (${t.id}${PROJECT_SUFFIX})`);
    throw error;
  }
  if (hasState) {
    try {
      await rename(t.stateDir, stateDirOf(place.folder, t.id));
    } catch (error) {
      await unlink(path).catch(() => undefined);
      throw error;
    }
  }
  await unlink(t.file);
  await place.history.untrash(t.id, t.trash, trashId);
  await moveIfThere(t.bak, `${path}${LEGACY_BACKUP_SUFFIX}`);
  await bringBackCredentials(place.folder, t.id, trashId, place.home);
  return t.id;
}

export async function purgeFromTrash(place: TrashPlace, trashId: string): Promise<boolean> {
  const t = trashed(place.folder, trashId);
  if (!(await exists(t.file))) return false;
  // The project file goes last: a crash half-way leaves the entry listed, and purging it again
  // finishes the job, rather than leaving pieces that no entry names.
  await rm(t.stateDir, { recursive: true, force: true });
  await place.history.purgeTrashed(t.trash, trashId);
  await rm(t.bak, { force: true });
  await dropCredentials(place.folder, t.id, trashId, place.home);
  await rm(t.file, { force: true });
  return true;
}

/**
 * The contract checks trash ids on every IPC call; this stops a direct caller too, so no path
 * made from one leads outside `.trash/` (or to another cluster's credentials).
 */
export function checkedTrashEntry(folder: string, trashId: string): ReturnType<typeof trashed> {
  if (!TrashId.safeParse(trashId).success) throw new Error(`not a trash entry: ${JSON.stringify(trashId)}`);
  return trashed(folder, trashId);
}
