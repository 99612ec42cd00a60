import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import type { ClusterProject } from '../../shared/model/cluster';
import { formatProjectErrors, parseProject, type ParseResult } from '../../shared/model/parse';

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

/** The project of FILE, or undefined after saying on stderr why it cannot be read (`command: file: …`). */
export async function projectOrSay(
  file: string,
  io: { err(text: string): void },
  command: string,
): Promise<ClusterProject | undefined> {
  const parsed = await readProjectFile(file);
  if (parsed.ok) return parsed.project;
  io.err(
    'unreadable' in parsed
      ? `${command}: ${file}: ${parsed.unreadable}\n`
      : `${formatProjectErrors(parsed.errors, file)}\n`,
  );
  return undefined;
}
