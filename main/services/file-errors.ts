/**
 * File system failures in words a user acts on, with the path: "the disk is full" rather than
 * "ENOSPC: no space left on device, write" or, worse, "Internal server error".
 */
const WORDS: Record<string, string> = {
  ENOSPC: 'the disk is full',
  EDQUOT: 'the disk quota is used up',
  EROFS: 'the file system is read-only',
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  EMFILE: 'too many open files',
  ENFILE: 'too many open files',
  EIO: 'the disk reported an input/output error',
};

export interface FileProblem {
  /** The errno code (ENOSPC, EACCES…). */
  code: string;
  /** The file or folder it was about, when Node said. */
  path?: string;
  /** One sentence: what happened and where. */
  message: string;
}

/** A file system error Keelson can explain, or undefined for anything else. */
export function fileProblemOf(error: unknown): FileProblem | undefined {
  const e = error as NodeJS.ErrnoException | undefined;
  const code = typeof e?.code === 'string' ? e.code : undefined;
  if (!code || !(code in WORDS)) return undefined;
  const path = typeof e?.path === 'string' ? e.path : undefined;
  return { code, path, message: `${WORDS[code]}${path ? ` (writing ${path})` : ''}` };
}

/** The error's message, in words where it is a file system failure Keelson knows. */
export function describeFileError(error: unknown): string {
  return fileProblemOf(error)?.message ?? (error instanceof Error ? error.message : String(error));
}
