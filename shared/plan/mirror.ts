import type { PlanContext } from './context';
import { file } from './step';
import type { PlanFile } from './types';

export { DEFAULT_BUNDLE_PORT } from '../validation/design';

/**
 * Where hosts fetch packages, manifests, tarballs and images when they do not use the internet:
 * the mirror a user runs (`keelson bundle serve` on a host of their choice), or the bundle Keelson
 * serves through the tunnel. Undefined when the project installs online.
 */
export const offlineBase = (ctx: PlanContext): string | undefined => ctx.mirror ?? undefined;

/** The registries a cluster pulls from: kubeadm's image repository and the CNI's (as upstream names them). */
export function pulledRegistries(ctx: PlanContext): string[] {
  const repository = ctx.project.spec.packages.imageRepository ?? 'registry.k8s.io';
  const registries = [repository.split('/')[0]!];
  registries.push(
    ...(ctx.project.spec.networking.cni === 'flannel' ? ['ghcr.io'] : ['quay.io', 'docker.io']),
  );
  return [...new Set(registries)];
}

/** What containerd's `server` means for a registry name (docker.io's API lives elsewhere). */
const upstreamServer = (registry: string): string =>
  registry === 'docker.io' ? 'https://registry-1.docker.io' : `https://${registry}`;

/**
 * containerd hosts.toml per pulled registry, pointing at the offline source: containerd asks it
 * for `/v2/REPO/...?ns=REGISTRY`, which the bundle's server maps to that registry's images. The
 * upstream stays the `server`, so a host that does have internet falls back to it.
 */
export function registryMirrorFiles(ctx: PlanContext): PlanFile[] {
  const base = offlineBase(ctx);
  if (base === undefined) return [];
  // JSON's string escapes are valid TOML basic strings: the URL can never leave its quotes.
  return pulledRegistries(ctx).map((registry) =>
    file(
      `/etc/containerd/certs.d/${registry}/hosts.toml`,
      [
        `server = ${JSON.stringify(upstreamServer(registry))}`,
        '',
        `[host.${JSON.stringify(base)}]`,
        '  capabilities = ["pull", "resolve"]',
        '',
      ].join('\n'),
      'toml',
    ),
  );
}
