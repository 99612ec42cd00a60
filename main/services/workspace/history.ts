import { copyFile, link, mkdir, readdir, rename, rmdir, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { PROJECT_SUFFIX } from './folder';

/** Hidden folder of the workspace that holds each cluster's earlier versions: `.history/ID/`. */
export const HISTORY_FOLDER = '.history';

export interface HistoryOptions {
  /** Generations kept per cluster; the oldest go first. */
  keep?: number;
  /**
   * At most one generation of Keelson's own autosaves per this many ms: autosave writes every
   * half second while someone types, and ten generations of that would span five seconds.
   */
  minGapMs?: number;
  now?: () => number;
}

export const DEFAULT_GENERATIONS = 10;
export const DEFAULT_MIN_GAP_MS = 60_000;

/** `2026-11-30T01-02-03-456Z`: sorts by time, and is a file name everywhere. */
function stampOf(ms: number): string {
  return new Date(ms).toISOString().replace(/[:.]/g, '-');
}

function timeOf(name: string): number {
  const m = /^(\d{4}-\d{2}-\d{2})T(\d{2})-(\d{2})-(\d{2})-(\d{3})Z/.exec(name);
  return m ? Date.parse(`${m[1]}T${m[2]}:${m[3]}:${m[4]}.${m[5]}Z`) : Number.NaN;
}

function isMissing(error: unknown): boolean {
  return (error as NodeJS.ErrnoException)?.code === 'ENOENT';
}

/**
 * Backup generations of the cluster files: before a save replaces a file, the version on disk
 * is kept as `.history/ID/STAMP.keelson.yaml` (a hard link: no copy), and only the newest
 * `keep` stay. A version someone else wrote (a hand edit, another window) is always kept;
 * Keelson's own autosaves at most once per `minGapMs`.
 */
export class BackupHistory {
  readonly keep: number;
  readonly minGapMs: number;
  private readonly now: () => number;

  constructor(
    readonly workspace: string,
    options: HistoryOptions = {},
  ) {
    this.keep = options.keep ?? DEFAULT_GENERATIONS;
    this.minGapMs = options.minGapMs ?? DEFAULT_MIN_GAP_MS;
    this.now = options.now ?? Date.now;
  }

  folderOf(id: string): string {
    return join(this.workspace, HISTORY_FOLDER, id);
  }

  /** Generation file names, newest first. */
  async list(id: string): Promise<string[]> {
    try {
      return (await readdir(this.folderOf(id)))
        .filter((n) => n.endsWith(PROJECT_SUFFIX) && !Number.isNaN(timeOf(n)))
        .sort()
        .reverse();
    } catch (error) {
      if (isMissing(error)) return [];
      throw error;
    }
  }

  /** Is the newest generation younger than minGapMs? */
  async recent(id: string): Promise<boolean> {
    const [newest] = await this.list(id);
    return newest !== undefined && this.now() - timeOf(newest) < this.minGapMs;
  }

  /** Keeps the file at `path` as a new generation of `id`, then drops the oldest beyond `keep`. */
  async add(id: string, path: string): Promise<string | undefined> {
    const folder = this.folderOf(id);
    await mkdir(folder, { recursive: true });
    let at = this.now();
    for (;;) {
      const name = `${stampOf(at)}${PROJECT_SUFFIX}`;
      try {
        await link(path, join(folder, name));
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        if (code === 'ENOENT') return undefined; // nothing on disk to keep
        if (code === 'EEXIST') {
          at += 1; // two generations in one millisecond
          continue;
        }
        // No hard links here (some network or FAT file systems): a copy, never half of one.
        await copyFile(path, join(folder, name)).catch(async (copyError: unknown) => {
          await unlink(join(folder, name)).catch(() => undefined);
          throw copyError;
        });
      }
      await this.prune(id);
      return name;
    }
  }

  private async prune(id: string): Promise<void> {
    for (const old of (await this.list(id)).slice(this.keep))
      await unlink(join(this.folderOf(id), old)).catch((error: unknown) => {
        if (!isMissing(error)) throw error;
      });
  }

  /** Moves a cluster's generations with it (rename). Generations already under newId stay. */
  async move(id: string, newId: string): Promise<void> {
    const names = await this.list(id);
    if (names.length === 0) return;
    const to = this.folderOf(newId);
    await mkdir(to, { recursive: true });
    for (const name of names) await rename(join(this.folderOf(id), name), join(to, name));
    await rmdir(this.folderOf(id)).catch(() => undefined); // only if empty: nothing else is lost
    await this.prune(newId);
  }

  /** Brings back the generations `trash` moved under `prefix` (restore from the trash). */
  async untrash(id: string, trashFolder: string, prefix: string): Promise<void> {
    const mark = `${prefix}.history.`;
    const names = (await readdir(trashFolder)).filter((n) => n.startsWith(mark));
    if (names.length === 0) return;
    await mkdir(this.folderOf(id), { recursive: true });
    for (const name of names)
      await rename(join(trashFolder, name), join(this.folderOf(id), name.slice(mark.length)));
    await this.prune(id);
  }

  /** Deletes for good the generations `trash` moved under `prefix` (that entry only). */
  async purgeTrashed(trashFolder: string, prefix: string): Promise<void> {
    const mark = `${prefix}.history.`;
    for (const name of (await readdir(trashFolder)).filter((n) => n.startsWith(mark)))
      await unlink(join(trashFolder, name)).catch((error: unknown) => {
        if (!isMissing(error)) throw error;
      });
  }

  /** Moves a deleted cluster's generations into `trashFolder` under `prefix`. */
  async trash(id: string, trashFolder: string, prefix: string): Promise<void> {
    for (const name of await this.list(id))
      await rename(join(this.folderOf(id), name), join(trashFolder, `${prefix}.history.${name}`));
    await rmdir(this.folderOf(id)).catch(() => undefined);
  }
}
