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
import { writeFileAtomic } from './atomic-write';
import { WorkspaceError } from './errors';
import { BACKUP_SUFFIX, PROJECT_SUFFIX } from './folder';
import { findTemplate } from './templates';

const ID = /^[a-z0-9][a-z0-9-]{0,62}$/;

function fingerprint(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

function isMissing(error: unknown): boolean {
  return (error as NodeJS.ErrnoException)?.code === 'ENOENT';
}

/**
 * The folder of `NAME.keelson.yaml` files.
 *
 * Overwrite rule (so a hand-edited file is never lost): `save` replaces a file only when the
 * file on disk is missing, is a valid project, or is byte-for-byte the text this store last
 * read successfully or wrote. A file someone broke by hand is refused with
 * FILE_BROKEN_ON_DISK until it is fixed, renamed or deleted. Every write keeps the
 * previous version as `NAME.keelson.yaml.bak`.
 */
export class WorkspaceStore {
  /** Fingerprints of the text last opened successfully or written, per id. */
  private readonly known = new Map<string, string>();

  constructor(readonly folder: string) {}

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
          ...(parsed.ok ? {} : { error: formatProjectErrors(parsed.errors.slice(0, 1), fileName) }),
        });
      } catch (error) {
        if (!isMissing(error)) throw error; // deleted between readdir and read: skip it
      }
    }
    return entries;
  }

  async create(id: string, name: string, templateId?: string): Promise<ClusterProject> {
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
    this.known.set(id, fingerprint(text));
    return project;
  }

  /** The project, or the file's first errors (with line numbers) and no project. */
  async open(id: string): Promise<{ project: ClusterProject } | { error: string }> {
    const text = await this.readText(id);
    if (text === undefined) throw new WorkspaceError(`no cluster "${id}"`, { code: 'NOT_FOUND', id });
    const parsed = parseProject(text, `${id}${PROJECT_SUFFIX}`);
    if (!parsed.ok) return { error: formatProjectErrors(parsed.errors, `${id}${PROJECT_SUFFIX}`) };
    this.known.set(id, fingerprint(text));
    return { project: parsed.project };
  }

  async save(id: string, value: unknown): Promise<{ savedAt: string; findings: Finding[] }> {
    const checked = checkProjectObject(value);
    if (!checked.ok) {
      const first = checked.errors[0]!;
      throw new WorkspaceError(`not saved: ${first.path || 'project'}: ${first.message}`, {
        code: 'INVALID_PROJECT',
        errors: checked.errors,
      });
    }
    await this.ensureFolder();
    const onDisk = await this.readText(id);
    if (onDisk !== undefined && this.known.get(id) !== fingerprint(onDisk)) {
      const parsed = parseProject(onDisk, `${id}${PROJECT_SUFFIX}`);
      if (!parsed.ok) {
        const where = formatProjectErrors(parsed.errors.slice(0, 1), `${id}${PROJECT_SUFFIX}`);
        throw new WorkspaceError(
          `not saved: ${id}${PROJECT_SUFFIX} was changed outside Keelson and is not a valid project (${where}). ` +
            'Fix it in an editor, or rename or delete it, then try again.',
          { code: 'FILE_BROKEN_ON_DISK', id, errors: parsed.errors },
        );
      }
    }
    const text = serializeProject(checked.project);
    const path = this.pathOf(id);
    await writeFileAtomic(path, text, { backupPath: `${path}${BACKUP_SUFFIX}` });
    this.known.set(id, fingerprint(text));
    return { savedAt: new Date().toISOString(), findings: validateCluster(checked.project) };
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
    await rename(`${from}${BACKUP_SUFFIX}`, `${to}${BACKUP_SUFFIX}`).catch((error: unknown) => {
      if (!isMissing(error)) throw error;
    });
    const known = this.known.get(id);
    this.known.delete(id);
    if (known) this.known.set(newId, known);
  }

  /**
   * Moves the file (and its .bak) into `.trash/` inside the workspace rather than erasing it:
   * a mis-click must not lose a cluster design.
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
    await rename(
      `${path}${BACKUP_SUFFIX}`,
      join(trash, `${id}.${stamp}${PROJECT_SUFFIX}${BACKUP_SUFFIX}`),
    ).catch((error: unknown) => {
      if (!isMissing(error)) throw error;
    });
    this.known.delete(id);
    return true;
  }
}
