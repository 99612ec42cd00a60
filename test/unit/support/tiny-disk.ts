/**
 * A real, tiny file system that really fills up: a tmpfs of a few hundred KiB mounted on a temp
 * folder (root only, as the sshd fixture). A write past its size fails with ENOSPC from the
 * kernel, exactly as on a full disk — no mocked `fs`.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface TinyDisk {
  dir: string;
  /** Takes every free byte (a filler file), so the next write fails with ENOSPC. */
  fill(): void;
  /** Gives the space back. */
  free(): void;
  unmount(): void;
}

export function canMountTinyDisk(): boolean {
  return process.getuid?.() === 0;
}

/** Mounts it on `at` (made if missing) or on a fresh temp folder. */
export function mountTinyDisk(sizeKiB = 512, at?: string): TinyDisk {
  if (!canMountTinyDisk()) throw new Error('mounting a tmpfs needs root');
  const dir = at ?? mkdtempSync(join(tmpdir(), 'keelson-tiny-disk-'));
  mkdirSync(dir, { recursive: true });
  execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${sizeKiB}k,mode=0755`, 'keelson-tiny-disk', dir]);
  const filler = join(dir, 'filler');
  return {
    dir,
    fill() {
      try {
        writeFileSync(filler, Buffer.alloc(sizeKiB * 1024 * 2));
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'ENOSPC') throw error;
      }
    },
    free() {
      rmSync(filler, { force: true });
    },
    unmount() {
      execFileSync('umount', [dir]);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
