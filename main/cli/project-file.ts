import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { parseProject, type ParseResult } from '../../shared/model/parse';

/** A project file as the CLI commands see it: unreadable, unparseable, or a project. */
export type ProjectFileResult = ParseResult | { ok: false; unreadable: string };

function whyUnreadable(error: unknown): string {
  switch ((error as NodeJS.ErrnoException).code) {
    case 'ENOENT':
      return 'no such file';
    case 'EISDIR':
      return 'is a folder, not a project file';
    case 'EACCES':
      return 'permission denied';
    default:
      return (error as Error).message;
  }
}

/** Reads and parses NAME.keelson.yaml; errors name the file and, when parsed, the line. */
export async function readProjectFile(file: string): Promise<ProjectFileResult> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    return { ok: false, unreadable: whyUnreadable(error) };
  }
  return parseProject(text, basename(file));
}
