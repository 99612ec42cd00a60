import { homedir } from 'node:os';
import { join } from 'node:path';

/**
 * Where cluster project files live: `$KEELSON_HOME/workspace`, by default
 * `~/.keelson/workspace`. Tests point KEELSON_HOME at a temporary folder.
 */
export function workspaceFolder(env: NodeJS.ProcessEnv = process.env): string {
  const home =
    env.KEELSON_HOME && env.KEELSON_HOME.trim() !== '' ? env.KEELSON_HOME : join(homedir(), '.keelson');
  return join(home, 'workspace');
}

export const PROJECT_SUFFIX = '.keelson.yaml';
export const BACKUP_SUFFIX = '.bak';
