import { randomUUID } from 'node:crypto';
import { copyFile, link, open, rename, unlink } from 'node:fs/promises';
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

async function writeSynced(path: string, text: string | Buffer, mode: number): Promise<void> {
  const handle = await open(path, 'wx', mode);
  try {
    await handle.writeFile(text);
    await handle.sync();
  } finally {
    await handle.close();
  }
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
    await copyFile(target, temp);
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
  await writeSynced(temp, text, options.mode ?? 0o644);
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
