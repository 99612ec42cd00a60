import { createHash } from 'node:crypto';
import { link, mkdir, readdir, readFile, rename, stat, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import type { ClusterEntry } from '../../../shared/contract/workspace';
import type { ClusterProject } from '../../../shared/model/cluster';
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
import { WorkspaceError } from './errors';
import { LEGACY_BACKUP_SUFFIX, PROJECT_SUFFIX } from './folder';
import { BackupHistory, type HistoryOptions } from './history';
import { findTemplate } from './templates';

const ID = /^[a-z0-9][a-z0-9-]{0,62}$/;

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
  readonly history: BackupHistory;

  constructor(
    readonly folder: string,
    historyOptions: HistoryOptions = {},
  ) {
    this.history = new BackupHistory(folder, historyOptions);
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
        const parsed = parseProject(text, fileName);
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

  async create(
    id: string,
    name: string,
    templateId?: string,
  ): Promise<{ project: ClusterProject; version: string }> {
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
      if ((error as NodeJS.ErrnoException).code === 'EEXIST')
        throw new WorkspaceError(`a cluster "${id}" already exists`, { code: 'CONFLICT', id });
      throw error;
    }
    return { project, version: versionOf(text) };
  }

  /** The project and its version, or the file's first errors (with line numbers) and no project. */
  async open(id: string): Promise<{ project: ClusterProject; version: string } | { error: string }> {
    const text = await this.readText(id);
    if (text === undefined) throw new WorkspaceError(`no cluster "${id}"`, { code: 'NOT_FOUND', id });
    const parsed = parseProject(text, `${id}${PROJECT_SUFFIX}`);
    if (!parsed.ok) return { error: formatProjectErrors(parsed.errors, `${id}${PROJECT_SUFFIX}`) };
    return { project: parsed.project, version: versionOf(text) };
  }

  /**
   * Writes `value` if the file is still `baseVersion` (null: there must be no file). `writer`
   * identifies the client (its connection), so a version another client wrote is always kept
   * as a backup generation.
   */
  save(id: string, value: unknown, baseVersion: string | null, writer?: object): Promise<SaveResult> {
    const previous = this.saving.get(id) ?? Promise.resolve();
    const run = previous.then(() => this.saveNow(id, value, baseVersion, writer));
    const settled = run.catch(() => undefined);
    this.saving.set(id, settled);
    void settled.then(() => {
      if (this.saving.get(id) === settled) this.saving.delete(id);
    });
    return run;
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

  async rename(id: string, newId: string): Promise<void> {
    const from = this.pathOf(id);
    const to = this.pathOf(newId);
    if (id === newId) {
      if ((await this.readText(id)) === undefined)
        throw new WorkspaceError(`no cluster "${id}"`, { code: 'NOT_FOUND', id });
      return;
    }
    try {
      // link + unlink instead of rename: rename would silently replace an existing newId.
      await link(from, to);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') throw new WorkspaceError(`no cluster "${id}"`, { code: 'NOT_FOUND', id });
      if (code === 'EEXIST')
        throw new WorkspaceError(`a cluster "${newId}" already exists`, { code: 'CONFLICT', id: newId });
      throw error;
    }
    await unlink(from);
    await this.history.move(id, newId);
    // The single .bak of Keelson before backup generations, if one is still there.
    await rename(`${from}${LEGACY_BACKUP_SUFFIX}`, `${to}${LEGACY_BACKUP_SUFFIX}`).catch((error: unknown) => {
      if (!isMissing(error)) throw error;
    });
    const last = this.lastWrite.get(id);
    this.lastWrite.delete(id);
    if (last) this.lastWrite.set(newId, last);
  }

  /**
   * Moves the file (and its backup generations) into `.trash/` inside the workspace rather than
   * erasing it: a mis-click must not lose a cluster design.
   */
  async delete(id: string): Promise<boolean> {
    const path = this.pathOf(id);
    const trash = join(this.folder, '.trash');
    await mkdir(trash, { recursive: true });
    const stamp = new Date().toISOString().replace(/[:.]/g, '-');
    try {
      await rename(path, join(trash, `${id}.${stamp}${PROJECT_SUFFIX}`));
    } catch (error) {
      if (isMissing(error)) return false;
      throw error;
    }
    await this.history.trash(id, trash, `${id}.${stamp}`);
    await rename(
      `${path}${LEGACY_BACKUP_SUFFIX}`,
      join(trash, `${id}.${stamp}${PROJECT_SUFFIX}${LEGACY_BACKUP_SUFFIX}`),
    ).catch((error: unknown) => {
      if (!isMissing(error)) throw error;
    });
    this.lastWrite.delete(id);
    return true;
  }
}
