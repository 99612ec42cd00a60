import { homedir } from 'node:os';
import { join } from 'node:path';

/** Keelson's own folder: `$KEELSON_HOME`, by default `~/.keelson`. Tests point it at a temp folder. */
export function keelsonHome(env: NodeJS.ProcessEnv = process.env): string {
  return env.KEELSON_HOME && env.KEELSON_HOME.trim() !== '' ? env.KEELSON_HOME : join(homedir(), '.keelson');
}

/** Where cluster project files live: `$KEELSON_HOME/workspace`, by default `~/.keelson/workspace`. */
export function workspaceFolder(env: NodeJS.ProcessEnv = process.env): string {
  return join(keelsonHome(env), 'workspace');
}

const CLUSTER_ID = /^[a-z0-9][a-z0-9-]{0,62}$/;

/**
 * The one place a cluster's exported admin kubeconfig lives: `$KEELSON_HOME/kubeconfig/ID.yaml`.
 * The deploy engine writes it there (mode 0600) and the local terminal sets KUBECONFIG to it,
 * so both must ask this function. Outside the workspace folder on purpose: that folder holds
 * only project files, which people share; a kubeconfig is an admin credential.
 */
export function kubeconfigPathFor(clusterId: string, env: NodeJS.ProcessEnv = process.env): string {
  if (!CLUSTER_ID.test(clusterId)) throw new Error(`not a cluster id: ${JSON.stringify(clusterId)}`);
  return join(keelsonHome(env), 'kubeconfig', `${clusterId}.yaml`);
}

export const PROJECT_SUFFIX = '.keelson.yaml';
/** The one backup Keelson kept before backup generations (.history/): still moved on rename and delete. */
export const LEGACY_BACKUP_SUFFIX = '.bak';
