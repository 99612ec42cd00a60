import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach } from 'vitest';

/**
 * A fresh Keelson home for every test of the file (KEELSON_HOME points at it, removed after):
 * the workspace tests read and write real folders, and none may see another's files.
 */
export function tempHome(prefix: string): { home: string; folder: string } {
  const temp = { home: '', folder: '' };
  beforeEach(async () => {
    temp.home = await mkdtemp(join(tmpdir(), prefix));
    temp.folder = join(temp.home, 'workspace');
    process.env.KEELSON_HOME = temp.home;
  });
  afterEach(async () => {
    delete process.env.KEELSON_HOME;
    await rm(temp.home, { recursive: true, force: true });
  });
  return temp;
}
