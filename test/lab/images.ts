// The cached pieces every lab reuses: the debootstrap base the hosts boot from, and the offline
// apt repository they install from. Each is built once (under a flock, so two test files never
// build the same one at once) and keyed by its package list.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { must } from './run';

export const CACHE_DIR = '/var/cache/keelson-lab';
const HERE = fileURLToPath(new URL('.', import.meta.url));

/** What the load-balancer, etcd and deploy tests need that the clean base does not have. */
export const DEFAULT_REPO_PACKAGES = [
  'haproxy',
  'keepalived',
  'nginx',
  'libnginx-mod-stream',
  'etcd-server',
  'etcd-client',
  'curl',
  'openssl',
];

/**
 * What every real server already has and Debian's minbase lacks: installing ca-certificates during
 * a deploy cost 1–2 minutes per host at load (update-ca-certificates runs openssl once per
 * certificate), time no real deploy spends. Kubelet hosts boot with it.
 */
export const KUBELET_BASE_PACKAGES = ['ca-certificates'];

/**
 * What a site's own OS mirror gives a kubelet host: the tools the Kubernetes packages and
 * kubeadm's preflight want, and what the plan installs from the OS repositories.
 */
export const KUBELET_REPO_PACKAGES = [
  'conntrack',
  'socat',
  'ipset',
  'ebtables',
  'ethtool',
  'iptables',
  'nftables',
  'gpg',
  'apt-transport-https',
  'ca-certificates',
  'kmod',
];

export interface CachedImage {
  dir: string;
  builtNow: boolean;
  buildSeconds: number;
  sizeMb: number;
}

function cacheName(prefix: string, packages: string[]): string {
  if (packages.length === 0) return prefix;
  const sorted = [...new Set(packages)].sort();
  return `${prefix}-${createHash('sha256').update(sorted.join(' ')).digest('hex').slice(0, 10)}`;
}

const PACKAGE_NAME = /^[a-z0-9][a-z0-9+.-]+$/;
function checkNames(packages: string[]): void {
  for (const p of packages) {
    if (!PACKAGE_NAME.test(p)) throw new Error(`lab: "${p}" is not a Debian package name`);
  }
}

async function ensure(script: string, dir: string, packages: string[]): Promise<CachedImage> {
  checkNames(packages);
  mkdirSync(CACHE_DIR, { recursive: true });
  const already = existsSync(join(dir, '.ready'));
  if (!already) {
    await must('flock', [join(CACHE_DIR, 'build.lock'), 'bash', join(HERE, script), dir, ...packages]);
  }
  const read = (name: string) => Number(readFileSync(join(dir, name), 'utf8').trim());
  return { dir, builtNow: !already, buildSeconds: read('build-seconds'), sizeMb: read('size-mb') };
}

/** The host root filesystem (dir/rootfs); extra packages make a separate cached variant. */
export function ensureBase(extraPackages: string[] = []): Promise<CachedImage> {
  return ensure('build-base.sh', join(CACHE_DIR, cacheName('base', extraPackages)), extraPackages);
}

/** The offline apt repository (dir/debs with a Packages index). */
export function ensureRepo(extraPackages: string[] = []): Promise<CachedImage> {
  const packages = [...DEFAULT_REPO_PACKAGES, ...extraPackages];
  // Keyed by the whole list, so a change to the defaults builds a new repository instead of
  // reusing a cached one that lacks the new package.
  return ensure('build-repo.sh', join(CACHE_DIR, cacheName('repo', packages)), packages);
}
