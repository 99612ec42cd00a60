import { mkdir, readdir, rename, rm, rmdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { acquireLock, RunLockedError, stateDirFor } from '../deploy/state-dir';
import { clusterSecretsFile } from '../deploy/secrets';
import { WorkspaceError } from './errors';
import { kubeconfigPathFor, LEGACY_BACKUP_SUFFIX, PROJECT_SUFFIX } from './folder';

/**
 * A cluster is more than its project file: its deploy state (`ID.deploy/`: journal,
 * deployed.json, logs…), the pre-history `.bak`, its kept secrets and its exported kubeconfig
 * are all found by its id. Rename, delete and restore move them together (and purge deletes
 * them together), so nothing a deploy left behind is orphaned under an old name or inherited by
 * a new cluster that takes the name.
 */

export const TRASH_FOLDER = '.trash';

export function isMissing(error: unknown): boolean {
  return (error as NodeJS.ErrnoException)?.code === 'ENOENT';
}

export async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    (error: unknown) => {
      if (isMissing(error)) return false;
      throw error;
    },
  );
}

/** Renames `from` to `to` if `from` is there; false when it was not. */
export async function moveIfThere(from: string, to: string): Promise<boolean> {
  try {
    await rename(from, to);
    return true;
  } catch (error) {
    if (isMissing(error)) return false;
    throw error;
  }
}

export const projectPath = (folder: string, id: string): string => join(folder, `${id}${PROJECT_SUFFIX}`);
export const stateDirOf = (folder: string, id: string): string => stateDirFor(projectPath(folder, id));

/**
 * Holds the cluster's deploy lock while a rename or delete moves its files, so no deploy or
 * day-2 run starts (or is running) in between; BUSY when one holds it. The release removes the
 * state dir again if only the lock made it.
 */
export async function holdCluster(folder: string, id: string): Promise<(movedTo?: string) => Promise<void>> {
  const stateDir = stateDirOf(folder, id);
  const hadState = await exists(stateDir);
  let release: (movedTo?: string) => Promise<void>;
  try {
    release = await acquireLock(stateDir);
  } catch (error) {
    if (!(error instanceof RunLockedError)) throw error;
    throw new WorkspaceError(
      `"${id}" is being deployed or changed by a day-2 operation (process ${error.holderPid}): ` +
        'wait for that run to finish, then try again',
      { code: 'BUSY', id },
    );
  }
  return async (movedTo = stateDir) => {
    await release(movedTo);
    if (!hadState) await rmdir(movedTo).catch(() => undefined); // only if empty
  };
}

/**
 * The files outside the workspace folder that belong to cluster `id`: kept secrets and the
 * exported kubeconfig. `home` is Keelson's folder; both stay where they are if it is unknown.
 */
function credentialsOf(folder: string, id: string, home: string | undefined): string[] {
  if (!home) return [];
  const env = { KEELSON_HOME: home };
  return [clusterSecretsFile(projectPath(folder, id), env), kubeconfigPathFor(id, env)];
}

/**
 * After a rename: the `.bak`, secrets and kubeconfig follow the new id. One already under the
 * new id (made by hand) is left alone rather than replaced.
 */
export async function moveCompanions(
  folder: string,
  id: string,
  newId: string,
  home: string | undefined,
): Promise<void> {
  const from = [`${projectPath(folder, id)}${LEGACY_BACKUP_SUFFIX}`, ...credentialsOf(folder, id, home)];
  const to = [`${projectPath(folder, newId)}${LEGACY_BACKUP_SUFFIX}`, ...credentialsOf(folder, newId, home)];
  for (const [i, source] of from.entries()) {
    if (!(await exists(to[i]!))) await moveIfThere(source, to[i]!);
  }
}

/**
 * Delete: the kept secrets and kubeconfig are set aside beside where they are (outside the
 * workspace, which people share) as `FILE.deleted-TRASHID`, so a new cluster that takes the name
 * starts without the old one's admin credential; restore puts them back.
 */
export async function setAsideCredentials(
  folder: string,
  id: string,
  trashId: string,
  home: string | undefined,
): Promise<void> {
  for (const path of credentialsOf(folder, id, home)) await moveIfThere(path, `${path}.deleted-${trashId}`);
}

/** Restore: the credentials set aside at delete come back, unless the id has new ones meanwhile. */
export async function bringBackCredentials(
  folder: string,
  id: string,
  trashId: string,
  home: string | undefined,
): Promise<void> {
  for (const path of credentialsOf(folder, id, home))
    if (!(await exists(path))) await moveIfThere(`${path}.deleted-${trashId}`, path);
}

/** Purge: the credentials set aside by the delete of `trashId` go for good (no other entry's). */
export async function dropCredentials(
  folder: string,
  id: string,
  trashId: string,
  home: string | undefined,
): Promise<void> {
  for (const path of credentialsOf(folder, id, home)) await rm(`${path}.deleted-${trashId}`, { force: true });
}

/** `ID.STAMP` → where the trashed cluster's pieces are. */
export function trashed(folder: string, trashId: string) {
  const trash = join(folder, TRASH_FOLDER);
  return {
    trash,
    id: trashId.slice(0, trashId.indexOf('.')),
    file: join(trash, `${trashId}${PROJECT_SUFFIX}`),
    bak: join(trash, `${trashId}${PROJECT_SUFFIX}${LEGACY_BACKUP_SUFFIX}`),
    stateDir: join(trash, `${trashId}.deploy`),
  };
}

const TRASHED_FILE = /^([a-z0-9][a-z0-9-]{0,62})\.(\d{4}-\d\d-\d\dT\d\d-\d\d-\d\d-\d{3}Z)\.keelson\.yaml$/;

/** The trash's deleted clusters: trash id, cluster id, when (ISO), newest first. */
export async function trashedClusters(
  folder: string,
): Promise<{ trashId: string; id: string; deletedAt: string }[]> {
  await mkdir(join(folder, TRASH_FOLDER), { recursive: true });
  const found = [];
  for (const name of await readdir(join(folder, TRASH_FOLDER))) {
    const m = TRASHED_FILE.exec(name);
    if (!m) continue; // generations (ID.STAMP.history.…), .bak files, anything else
    const [, id, stamp] = m;
    const iso = stamp!.replace(/T(\d\d)-(\d\d)-(\d\d)-(\d{3})Z$/, 'T$1:$2:$3.$4Z');
    found.push({ trashId: `${id}.${stamp}`, id: id!, deletedAt: iso });
  }
  return found.sort((a, b) => b.deletedAt.localeCompare(a.deletedAt) || a.id.localeCompare(b.id));
}
