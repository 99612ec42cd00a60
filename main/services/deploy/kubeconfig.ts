import { copyFile, mkdir, readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { parse, stringify } from 'yaml';
import { writeFileAtomic } from '../workspace/atomic-write';

/**
 * The admin kubeconfig a deploy hands over (admin.conf from a control plane, server = the
 * endpoint): saved where the user says (0600) and merged into ~/.kube/config as a context of
 * its own, the file backed up first and every other entry left as it was.
 */
interface NamedList<T> {
  name: string;
  [key: string]: unknown;
  _?: T;
}
interface KubeConfig {
  apiVersion?: string;
  kind?: string;
  clusters?: NamedList<'cluster'>[];
  users?: NamedList<'user'>[];
  contexts?: NamedList<'context'>[];
  'current-context'?: string;
  [key: string]: unknown;
}

export class KubeconfigError extends Error {}

function parseConfig(text: string, what: string): KubeConfig {
  let doc: unknown;
  try {
    doc = parse(text);
  } catch (e) {
    throw new KubeconfigError(`${what} is not YAML: ${(e as Error).message}`);
  }
  if (doc === null || doc === undefined) return {};
  if (typeof doc !== 'object' || Array.isArray(doc)) throw new KubeconfigError(`${what} is not a kubeconfig`);
  return doc as KubeConfig;
}

/** Renames admin.conf's single cluster/user/context to `keelson-NAME…` so merging never clashes. */
export function renamedAdminConfig(adminConf: string, contextName: string): KubeConfig {
  const c = parseConfig(adminConf, 'the admin kubeconfig');
  const cluster = c.clusters?.[0];
  const user = c.users?.[0];
  if (!cluster || !user) throw new KubeconfigError('the admin kubeconfig has no cluster or no user');
  const server = (cluster.cluster as { server?: string } | undefined)?.server;
  if (!server) throw new KubeconfigError('the admin kubeconfig names no server');
  const userName = `${contextName}-admin`;
  return {
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ ...cluster, name: contextName }],
    users: [{ ...user, name: userName }],
    contexts: [{ name: contextName, context: { cluster: contextName, user: userName } }],
    'current-context': contextName,
  };
}

/** A kubectl context name from a cluster name: lowercase letters, digits and dashes. */
export function contextNameFor(cluster: string): string {
  const slug = cluster
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 50);
  return `keelson-${slug || 'cluster'}`;
}

export async function saveKubeconfig(path: string, config: KubeConfig): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  await writeFileAtomic(path, stringify(config), { mode: 0o600 });
}

/** `$KUBECONFIG`'s first file, else ~/.kube/config. */
export function defaultKubeconfigPath(env: NodeJS.ProcessEnv = process.env): string {
  const first = env.KUBECONFIG?.split(':').find((p) => p.trim() !== '');
  return first ?? join(homedir(), '.kube', 'config');
}

/**
 * Adds (or replaces, on a re-deploy) the cluster, user and context of `ours` in the kubeconfig
 * at `path`; every other entry and the current context stay as they were (the current context is
 * set only when there was none). The old file is copied to `path.keelson-backup-STAMP` first.
 */
export async function mergeKubeconfig(
  path: string,
  ours: KubeConfig,
  now = new Date(),
): Promise<{ backup?: string; context: string }> {
  let text: string | undefined;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
  }
  const existing = text === undefined ? {} : parseConfig(text, path);
  let backup: string | undefined;
  if (text !== undefined) {
    backup = `${path}.keelson-backup-${now.toISOString().replace(/[:.]/g, '-')}`;
    await copyFile(path, backup);
  }
  const merge = <T>(mine: NamedList<T>[] | undefined, theirs: NamedList<T>[] | undefined) => {
    const names = new Set((theirs ?? []).map((x) => x.name));
    return [...(mine ?? []).filter((x) => !names.has(x.name)), ...(theirs ?? [])];
  };
  const context = ours.contexts![0]!.name;
  const merged: KubeConfig = {
    ...existing,
    apiVersion: existing.apiVersion ?? 'v1',
    kind: existing.kind ?? 'Config',
    clusters: merge(existing.clusters, ours.clusters),
    users: merge(existing.users, ours.users),
    contexts: merge(existing.contexts, ours.contexts),
    'current-context': existing['current-context'] || context,
  };
  await mkdir(dirname(path), { recursive: true, mode: 0o700 });
  await writeFileAtomic(path, stringify(merged), { mode: 0o600 });
  return { ...(backup ? { backup } : {}), context };
}
