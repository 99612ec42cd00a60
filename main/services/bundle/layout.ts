// The offline bundle: everything a site without internet needs to deploy one Kubernetes release,
// in the shape of the upstream sources it replaces, so the plan reads it exactly as it reads
// pkgs.k8s.io, download.docker.com, the CNI's release page and registry.k8s.io:
//
//   bundle.json                                   what is inside, versions, sources, checksums
//   kubernetes/core:/stable:/v1.37/deb/           pkgs.k8s.io's flat apt repository (signed)
//   docker/linux/debian/                          download.docker.com's apt repository (signed)
//   cni/flannel/v0.28.10/kube-flannel.yml          the CNI's manifest
//   registry/                                     an OCI image store (distribution's filesystem layout)
//   bin/registry                                  the registry that serves it
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export const BUNDLE_FORMAT = 'keelson.dev/bundle/v1';

export interface BundleImage {
  /** Upstream reference, as kubeadm or the CNI manifest names it. */
  ref: string;
  digest: string;
  source: string;
}

export interface BundleFile {
  /** Path inside the bundle. */
  path: string;
  sha256: string;
  bytes: number;
}

export interface BundleManifest {
  format: typeof BUNDLE_FORMAT;
  kubernetesVersion: string;
  createdAt: string;
  /** How it was made: "source-build" (the lab) or "upstream-download" (keelson bundle). */
  origin: 'source-build' | 'upstream-download';
  components: Record<string, { version: string; source: string }>;
  /** Images in the registry, exactly what kubeadm and the CNI manifest pull. */
  images: BundleImage[];
  /** Every served file with its checksum (registry blobs are checked by the registry itself). */
  files: BundleFile[];
}

export const bundlePaths = (dir: string) => ({
  manifest: join(dir, 'bundle.json'),
  registry: join(dir, 'registry'),
  registryBinary: join(dir, 'bin', 'registry'),
});

/** Path prefixes the bundle's HTTP server serves as files (everything else is refused). */
export const SERVED_PREFIXES = ['kubernetes/', 'docker/', 'cni/', 'etcd/'] as const;

export function readBundleManifest(dir: string): BundleManifest {
  const path = bundlePaths(dir).manifest;
  if (!existsSync(path)) throw new Error(`${dir} is not a Keelson bundle: bundle.json is missing`);
  const manifest = JSON.parse(readFileSync(path, 'utf8')) as BundleManifest;
  if (manifest.format !== BUNDLE_FORMAT) {
    throw new Error(`${path}: format ${JSON.stringify(manifest.format)} is not ${BUNDLE_FORMAT}`);
  }
  return manifest;
}
