import { createHash } from 'node:crypto';
import { mkdir, readdir, readFile, rename, stat, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { type ClusterEntry, type TrashEntry } from '../../../shared/contract/workspace';
import type { ClusterProject } from '../../../shared/model/cluster';
import { CLUSTER_ID, clusterIdFor, clusterNameProblem } from '../../../shared/model/cluster-name';
import {
  checkProjectObject,
  emptyProject,
  formatProjectErrors,
  parseProject,
  serializeProject,
} from '../../../shared/model/parse';
import type { Finding } from '../../../shared/validation/finding';
import { validateCluster } from '../../../shared/validation';
import { endpointIdentity } from '../../../shared/validation/workspace';
import { sweepStaleTemps, writeFileAtomic } from './atomic-write';
import {
  exists,
  holdCluster,
  moveCompanions,
  setAsideCredentials,
  moveIfThere,
  stateDirOf,
  trashed,
} from './cluster-files';
import { WorkspaceError } from './errors';
import { LEGACY_BACKUP_SUFFIX, PROJECT_SUFFIX } from './folder';
import { BackupHistory, type HistoryOptions } from './history';
import { ParseCache } from './parse-cache';
import { checkedTrashEntry, listTrash, purgeFromTrash, restoreFromTrash, type TrashPlace } from './trash-bin';
import { findTemplate } from './templates';

const ID = CLUSTER_ID;

function isMissing(error: unknown): boolean {
  return (error as NodeJS.ErrnoException)?.code === 'ENOENT';
}

/** The version of a project file a client holds: SHA-256 of its text, hex. */
export function versionOf(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

export interface SaveResult {
  savedAt: string;
  findings: Finding[];
  version: string;
}

/**
 * The folder of `NAME.keelson.yaml` files.
 *
 * No lost updates: a save names the version it was based on (what open, create or the last save
 * returned) and is refused with CONFLICT when the file is another version by now — another
 * window or tab saved, or someone edited it in an editor — so neither silently overwrites the
 * other. A file someone broke by hand is refused with FILE_BROKEN_ON_DISK until it is fixed,
 * renamed or deleted. Saves of one cluster run one at a time, so the check and the write are one
 * step. Before a file is replaced, its version is kept in the cluster's backup generations
 * (see BackupHistory).
 */
export class WorkspaceStore {
  /** Per id: the version this store last wrote, and for which client. */
  private readonly lastWrite = new Map<string, { version: string; writer: object | undefined }>();
  /** Per id: the save in progress; the next one waits for it. */
  private readonly saving = new Map<string, Promise<unknown>>();
  private readonly parsed = new ParseCache();
  readonly history: BackupHistory;

  constructor(
    readonly folder: string,
    historyOptions: HistoryOptions = {},
    /** Keelson's folder, where a cluster's kept secrets and kubeconfig are (moved on rename). */
    private readonly home?: string,
  ) {
    this.history = new BackupHistory(folder, historyOptions);
  }

  /**
   * Runs `task` after every save, rename, delete, restore or purge of `id` before it: one change
   * at a time per cluster.
   */
  private serial<T>(id: string, task: () => Promise<T>): Promise<T> {
    const previous = this.saving.get(id) ?? Promise.resolve();
    const run = previous.then(task);
    const settled = run.catch(() => undefined);
    this.saving.set(id, settled);
    void settled.then(() => {
      if (this.saving.get(id) === settled) this.saving.delete(id);
    });
    return run;
  }

  private pathOf(id: string): string {
    if (!ID.test(id)) throw new Error(`not a cluster id: ${JSON.stringify(id)}`);
    return join(this.folder, `${id}${PROJECT_SUFFIX}`);
  }

  private async ensureFolder(): Promise<void> {
    await mkdir(this.folder, { recursive: true });
  }

  private async readText(id: string): Promise<string | undefined> {
    try {
      return await readFile(this.pathOf(id), 'utf8');
    } catch (error) {
      if (isMissing(error)) return undefined;
      throw error;
    }
  }

  async list(): Promise<ClusterEntry[]> {
    await this.ensureFolder();
    // Temporary files of writes that a crash or a kill cut short (never a write in progress).
    await sweepStaleTemps(this.folder);
    const names = (await readdir(this.folder)).filter((n) => n.endsWith(PROJECT_SUFFIX)).sort();
    const entries: ClusterEntry[] = [];
    for (const fileName of names) {
      const id = fileName.slice(0, -PROJECT_SUFFIX.length);
      if (!ID.test(id)) continue; // not a name Keelson would have made; leave it alone
      const path = join(this.folder, fileName);
      try {
        const [text, info] = await Promise.all([readFile(path, 'utf8'), stat(path)]);
        const parsed = this.parsed.parse(text, fileName);
        entries.push({
          id,
          name: parsed.ok ? parsed.project.metadata.name : id,
          modifiedAt: info.mtime.toISOString(),
          ...(parsed.ok
            ? { endpoint: endpointIdentity(parsed.project) }
            : { error: formatProjectErrors(parsed.errors.slice(0, 1), fileName) }),
        });
      } catch (error) {
        if (!isMissing(error)) throw error; // deleted between readdir and read: skip it
      }
    }
    return entries;
  }

  /** A new cluster named `name`, in the file named after it (clusterIdFor). */
  async create(
    name: string,
    templateId?: string,
  ): Promise<{ id: string; project: ClusterProject; version: string }> {
    checkName(name);
    const id = clusterIdFor(name);
    await this.ensureFolder();
    let project: ClusterProject;
    if (templateId) {
      const template = findTemplate(templateId);
      if (!template)
        throw new WorkspaceError(`no template "${templateId}"`, { code: 'NOT_FOUND', id: templateId });
      project = structuredClone(template.project);
      project.metadata.name = name;
    } else {
      project = emptyProject(name);
    }
    const text = serializeProject(project);
    try {
      await writeFileAtomic(this.pathOf(id), text, { exclusive: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'EEXIST') throw taken(name, id);
      throw error;
    }
    return { id, project, version: versionOf(text) };
  }

  /** The project and its version, or the file's first errors (with line numbers) and no project. */
  async open(
    id: string,
  ): Promise<{ project: ClusterProject; version: string; modifiedAt: string } | { error: string }> {
    const [text, info] = await Promise.all([this.readText(id), stat(this.pathOf(id)).catch(() => undefined)]);
    if (text === undefined) throw new WorkspaceError(`no cluster "${id}"`, { code: 'NOT_FOUND', id });
    const parsed = this.parsed.parse(text, `${id}${PROJECT_SUFFIX}`);
    if (!parsed.ok) return { error: formatProjectErrors(parsed.errors, `${id}${PROJECT_SUFFIX}`) };
    const modifiedAt = (info?.mtime ?? new Date()).toISOString();
    return { project: parsed.project, version: versionOf(text), modifiedAt };
  }

  /**
   * Writes `value` if the file is still `baseVersion` (null: there must be no file). `writer`
   * identifies the client (its connection), so a version another client wrote is always kept
   * as a backup generation.
   */
  save(id: string, value: unknown, baseVersion: string | null, writer?: object): Promise<SaveResult> {
    return this.serial(id, () => this.saveNow(id, value, baseVersion, writer));
  }

  private async saveNow(
    id: string,
    value: unknown,
    baseVersion: string | null,
    writer: object | undefined,
  ): Promise<SaveResult> {
    const checked = checkProjectObject(value);
    if (!checked.ok) {
      const first = checked.errors[0]!;
      throw new WorkspaceError(`not saved: ${first.path || 'project'}: ${first.message}`, {
        code: 'INVALID_PROJECT',
        errors: checked.errors,
      });
    }
    await this.ensureFolder();
    const fileName = `${id}${PROJECT_SUFFIX}`;
    const onDisk = await this.readText(id);
    const diskVersion = onDisk === undefined ? null : versionOf(onDisk);
    if (diskVersion !== baseVersion) {
      const parsed = onDisk === undefined ? undefined : parseProject(onDisk, fileName);
      if (parsed && !parsed.ok) {
        const where = formatProjectErrors(parsed.errors.slice(0, 1), fileName);
        throw new WorkspaceError(
          `not saved: ${fileName} was changed outside Keelson and is not a valid project (${where}). ` +
            'Fix it in an editor, or rename or delete it, then try again.',
          { code: 'FILE_BROKEN_ON_DISK', id, errors: parsed.errors },
        );
      }
      throw new WorkspaceError(
        diskVersion === null
          ? `not saved: ${fileName} was deleted since this window loaded it (by another window or tab, or by hand). Nothing was written.`
          : baseVersion === null
            ? `not saved: a file ${fileName} exists now that this window did not load. Nothing was written.`
            : `not saved: ${fileName} was changed since this window loaded it (by another window or tab, or in an editor). Nothing was written.`,
        { code: 'CONFLICT', id, version: diskVersion, ...(parsed?.ok ? { project: parsed.project } : {}) },
      );
    }
    const text = serializeProject(checked.project);
    const version = versionOf(text);
    const findings = validateCluster(checked.project);
    const savedAt = new Date().toISOString();
    if (text === onDisk) return { savedAt, findings, version }; // nothing changed: no write, no generation
    const path = this.pathOf(id);
    if (diskVersion !== null) {
      const last = this.lastWrite.get(id);
      const ownAutosave = last?.version === diskVersion && last.writer === writer;
      if (!ownAutosave || !(await this.history.recent(id))) await this.history.add(id, path);
    }
    await writeFileAtomic(path, text);
    this.lastWrite.set(id, { version, writer });
    return { savedAt, findings, version };
  }

  /**
   * Gives cluster `id` the name `name`: metadata.name is rewritten and the file (with its deploy
   * state, generations, secrets and kubeconfig) takes the name's id. The new file is written
   * (exclusively: never over another cluster) before anything moves, and the old one goes last,
   * so a crash half-way leaves two copies rather than none. A file that is not a readable project
   * keeps its text and only moves. Refused while a deploy or day-2 run holds the cluster.
   */
  rename(id: string, name: string): Promise<{ id: string; project?: ClusterProject; version?: string }> {
    checkName(name);
    return this.serial(id, () => this.renameNow(id, name));
  }

  private async renameNow(
    id: string,
    name: string,
  ): Promise<{ id: string; project?: ClusterProject; version?: string }> {
    const from = this.pathOf(id);
    const newId = clusterIdFor(name);
    const to = this.pathOf(newId);
    const text = await this.readText(id);
    if (text === undefined) throw new WorkspaceError(`no cluster "${id}"`, { code: 'NOT_FOUND', id });
    const parsed = parseProject(text, `${id}${PROJECT_SUFFIX}`);
    const project = parsed.ok
      ? { ...parsed.project, metadata: { ...parsed.project.metadata, name } }
      : undefined;
    const newText = project ? serializeProject(project) : text;
    const result = { id: newId, ...(project ? { project, version: versionOf(newText) } : {}) };
    if (newId !== id) {
      if (await exists(to)) throw taken(name, newId);
      if (await exists(stateDirOf(this.folder, newId)))
        throw new WorkspaceError(
          `${newId}.deploy/ (deploy state no cluster file owns) is in the workspace folder: ` +
            'move or delete it before giving a cluster this name',
          { code: 'CONFLICT', id: newId },
        );
    }
    const release = await holdCluster(this.folder, id);
    let heldAt = stateDirOf(this.folder, id);
    try {
      if (newId === id) {
        if (newText === text) return result;
        await this.history.add(id, from);
        await writeFileAtomic(from, newText);
        this.lastWrite.delete(id);
        return result;
      }
      try {
        await writeFileAtomic(to, newText, { exclusive: true });
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'EEXIST') throw taken(name, newId);
        throw error;
      }
      try {
        await rename(heldAt, stateDirOf(this.folder, newId));
        heldAt = stateDirOf(this.folder, newId);
      } catch (error) {
        await unlink(to).catch(() => undefined);
        throw error;
      }
      // The version with the old name stays in the generations, which move with the file.
      if (newText !== text) await this.history.add(id, from);
      await unlink(from);
      await this.history.move(id, newId);
      await moveCompanions(this.folder, id, newId, this.home);
      this.lastWrite.delete(id);
      return result;
    } finally {
      await release(heldAt);
    }
  }

  /**
   * Moves the file, its deploy state and its backup generations into `.trash/` inside the
   * workspace rather than erasing them: a mis-click must not lose a cluster design, and a new
   * cluster given the name later must not inherit the old one's deploy journal.
   */
  delete(id: string): Promise<boolean> {
    this.pathOf(id);
    return this.serial(id, () => this.deleteNow(id));
  }

  private async deleteNow(id: string): Promise<boolean> {
    const path = this.pathOf(id);
    if (!(await exists(path))) return false;
    const trashId = `${id}.${new Date().toISOString().replace(/[:.]/g, '-')}`;
    const t = trashed(this.folder, trashId);
    const release = await holdCluster(this.folder, id);
    let heldAt = stateDirOf(this.folder, id);
    try {
      await mkdir(t.trash, { recursive: true });
      if (!(await moveIfThere(path, t.file))) return false;
      await rename(heldAt, t.stateDir);
      heldAt = t.stateDir;
      await this.history.trash(id, t.trash, trashId);
      await moveIfThere(`${path}${LEGACY_BACKUP_SUFFIX}`, t.bak);
      await setAsideCredentials(this.folder, id, trashId, this.home);
    } finally {
      await release(heldAt);
    }
    this.lastWrite.delete(id);
    return true;
  }

  /** Deleted clusters that restore can bring back, newest first. */
  trash(): Promise<TrashEntry[]> {
    return listTrash(this.folder);
  }

  /**
   * Brings a deleted cluster back under its id, with its deploy state and generations. Refused
   * (CONFLICT) when a cluster of that name exists now: restoring never replaces anything.
   */
  restore(trashId: string): Promise<string> {
    const t = checkedTrashEntry(this.folder, trashId);
    return this.serial(t.id, () => restoreFromTrash(this.trashPlace, trashId));
  }

  /**
   * Deletes one entry of the trash for good: what its delete set aside, and nothing else. It
   * takes its turn with the cluster id's restores (serial), so the two never interleave.
   */
  async purge(trashId: string): Promise<boolean> {
    const t = checkedTrashEntry(this.folder, trashId);
    if (!(await this.serial(t.id, () => purgeFromTrash(this.trashPlace, trashId))))
      throw new WorkspaceError(`"${trashId}" is not in the trash (restored or deleted for good already)`, {
        code: 'NOT_FOUND',
        id: trashId,
      });
    return true;
  }

  /**
   * Purges the listed entries of the trash, each in its cluster's turn; one restored or purged
   * meanwhile counts as gone. An entry not listed stays, however it got there.
   */
  async emptyTrash(trashIds: readonly string[]): Promise<{ purged: number; gone: number }> {
    // Every id is checked before anything is erased: a bad one never leaves the job half done.
    const entries = [...new Set(trashIds)].map((trashId) => ({
      trashId,
      id: checkedTrashEntry(this.folder, trashId).id,
    }));
    let purged = 0;
    let gone = 0;
    for (const { trashId, id } of entries) {
      if (await this.serial(id, () => purgeFromTrash(this.trashPlace, trashId))) purged++;
      else gone++;
    }
    return { purged, gone };
  }

  private get trashPlace(): TrashPlace {
    return { folder: this.folder, home: this.home, history: this.history };
  }
}

/** Names are checked by the contract on every IPC call; this stops a direct caller too. */
function checkName(name: string): void {
  const problem = clusterNameProblem(name);
  if (problem) throw new Error(`not a cluster name: ${JSON.stringify(name)}: ${problem}`);
}

function taken(name: string, id: string): WorkspaceError {
  return new WorkspaceError(
    `a cluster named "${name}" exists already (${id}${PROJECT_SUFFIX}): choose another name`,
    {
      code: 'CONFLICT',
      id,
    },
  );
}
