import { randomUUID } from 'node:crypto';
import { copyFile, link, open, readdir, rename, stat, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

export interface AtomicWriteOptions {
  /** Keep the file being replaced as `backupPath` (replaced atomically too). */
  backupPath?: string;
  /** Fail with EEXIST instead of replacing an existing file. */
  exclusive?: boolean;
  /** Mode of the new file (default 0644); 0600 for files that hold secrets. */
  mode?: number;
}

function tempPathFor(target: string): string {
  // Same folder as the target, so the final rename never crosses file systems.
  return join(dirname(target), `.${basename(target)}.${randomUUID()}.tmp`);
}

/** The names tempPathFor makes: `.NAME.UUID.tmp`. */
const TEMP_NAME = /^\..+\.[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\.tmp$/;

/** A temporary file this old belongs to no write still running: its process crashed or was killed. */
export const STALE_TEMP_MS = 60 * 60_000;

/**
 * Removes temporary files a crashed or killed writer left in `folder` (only names this module
 * makes, and only older than STALE_TEMP_MS, so a write in progress elsewhere is never touched).
 * Best effort: returns the names removed.
 */
export async function sweepStaleTemps(folder: string, now = Date.now()): Promise<string[]> {
  let names: string[];
  try {
    names = await readdir(folder);
  } catch {
    return [];
  }
  const removed: string[] = [];
  for (const name of names.filter((n) => TEMP_NAME.test(n))) {
    try {
      const info = await stat(join(folder, name));
      if (info.isFile() && now - info.mtimeMs > STALE_TEMP_MS) {
        await unlink(join(folder, name));
        removed.push(name);
      }
    } catch {
      /* gone already, or not ours to judge */
    }
  }
  return removed;
}

async function writeSynced(path: string, text: string | Buffer, mode: number): Promise<void> {
  const handle = await open(path, 'wx', mode);
  try {
    await handle.writeFile(text);
    await handle.sync();
  } catch (error) {
    // A full disk (ENOSPC) or a quota fails here, half-way: the partial temp file must go too.
    await handle.close().catch(() => undefined);
    await removeQuietly(path);
    throw error;
  }
  await handle.close();
}

async function syncFolder(folder: string): Promise<void> {
  // Makes the renames durable; not every platform lets a folder be opened (Windows), which is fine.
  try {
    const handle = await open(folder, 'r');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  } catch {
    /* best effort */
  }
}

async function removeQuietly(path: string): Promise<void> {
  await unlink(path).catch(() => undefined);
}

/** The current file, kept under `backupPath`: a hard link when possible (no copy), else a copy. */
async function keepBackup(target: string, backupPath: string): Promise<void> {
  const temp = tempPathFor(backupPath);
  try {
    await link(target, temp);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return; // nothing to keep yet
    try {
      await copyFile(target, temp);
    } catch (copyError) {
      await removeQuietly(temp); // a copy cut short by a full disk
      throw copyError;
    }
  }
  try {
    await rename(temp, backupPath);
  } catch (error) {
    await removeQuietly(temp);
    throw error;
  }
}

/**
 * Writes `text` to `target` so that a reader (or a crash) sees either the old file or the new
 * one, never half of either: temp file in the same folder, fsync, rename.
 */
export async function writeFileAtomic(
  target: string,
  text: string | Buffer,
  options: AtomicWriteOptions = {},
): Promise<void> {
  const temp = tempPathFor(target);
  try {
    await writeSynced(temp, text, options.mode ?? 0o644);
  } catch (error) {
    // A file handle's errors carry no path; the file being written is the one to name.
    const e = error as NodeJS.ErrnoException;
    if (e && typeof e === 'object' && !e.path) e.path = target;
    throw error;
  }
  try {
    if (options.exclusive) {
      await link(temp, target); // EEXIST if someone else has the name
      await unlink(temp);
    } else {
      if (options.backupPath) await keepBackup(target, options.backupPath);
      await rename(temp, target);
    }
  } catch (error) {
    await removeQuietly(temp);
    throw error;
  }
  await syncFolder(dirname(target));
}
