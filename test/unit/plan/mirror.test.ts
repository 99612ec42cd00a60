import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { registryPath } from '../../../main/services/bundle/server';
import { ClusterProject } from '../../../shared/model/cluster';
import { generatePlan } from '../../../shared/plan';
import { cniManifestUrl } from '../../../shared/plan/cni';
import { buildContext } from '../../../shared/plan/context';
import { resolveDesign } from '../../../shared/validation/design';
import { DEFAULT_BUNDLE_PORT, offlineBase, pulledRegistries } from '../../../shared/plan/mirror';
import { kubernetesRepoUrl } from '../../../shared/plan/packages';
import { project } from './fixtures';

const BUNDLES = join(process.env.KEELSON_CACHE ?? '/var/cache/keelson', 'bundles');

function offline(
  source: 'bundle' | 'mirror',
  cni: 'flannel' | 'calico' = 'flannel',
  etcd: 'stacked' | 'external' = 'stacked',
) {
  const p = project({ pattern: 'keepalived-haproxy', cni, etcd, version: '1.37' });
  return ClusterProject.parse({
    ...p,
    spec: {
      ...p.spec,
      packages: source === 'bundle' ? { source } : { source, mirrorUrl: 'http://10.77.0.5:8080/' },
    },
  });
}

const allFiles = (p: ClusterProject) =>
  generatePlan(p, { keelsonVersion: 'test' }).phases.flatMap((ph) => ph.steps.flatMap((s) => s.files));

describe('offline sources: mirror and the bundle Keelson serves', () => {
  it('a bundle is reached on every host at its own 127.0.0.1 through the tunnel, a mirror at its URL', () => {
    const ctx = (p: ClusterProject) => buildContext(resolveDesign(p), { keelsonVersion: 'test' });
    expect(offlineBase(ctx(offline('bundle')))).toBe(`http://127.0.0.1:${DEFAULT_BUNDLE_PORT}`);
    expect(offlineBase(ctx(offline('mirror')))).toBe('http://10.77.0.5:8080');
    expect(kubernetesRepoUrl(ctx(offline('bundle')), 'debian')).toBe(
      `http://127.0.0.1:${DEFAULT_BUNDLE_PORT}/kubernetes/core:/stable:/v1.37/deb/`,
    );
    expect(offlineBase(ctx(project({ pattern: 'keepalived-haproxy' })))).toBeUndefined();
  });

  it('containerd pulls every registry the cluster uses through the offline source, upstream as server', () => {
    const files = allFiles(offline('bundle')).filter((f) => f.path.startsWith('/etc/containerd/certs.d/'));
    const byPath = new Map(files.map((f) => [f.path, f.content]));
    expect([...byPath.keys()].sort()).toEqual([
      '/etc/containerd/certs.d/ghcr.io/hosts.toml',
      '/etc/containerd/certs.d/registry.k8s.io/hosts.toml',
    ]);
    expect(byPath.get('/etc/containerd/certs.d/registry.k8s.io/hosts.toml')).toBe(
      'server = "https://registry.k8s.io"\n\n[host."http://127.0.0.1:18473"]\n  capabilities = ["pull", "resolve"]\n',
    );
    const calico = buildContext(resolveDesign(offline('bundle', 'calico')), { keelsonVersion: 't' });
    expect(pulledRegistries(calico)).toEqual(['registry.k8s.io', 'quay.io', 'docker.io']);
    // Online: containerd keeps its defaults, no mirror file at all.
    expect(allFiles(project({ pattern: 'keepalived-haproxy' })).some((f) => f.path.includes('certs.d'))).toBe(
      false,
    );
  });

  it("the bundle's server maps containerd's mirror requests onto the registry they were meant for", () => {
    const u = (s: string) => new URL(s, 'http://127.0.0.1:18473');
    expect(registryPath(u('/v2/coredns/coredns/manifests/v1.14.6?ns=registry.k8s.io'))).toBe(
      '/v2/registry.k8s.io/coredns/coredns/manifests/v1.14.6',
    );
    expect(registryPath(u('/v2/flannel-io/flannel/blobs/sha256:ab?ns=ghcr.io'))).toBe(
      '/v2/ghcr.io/flannel-io/flannel/blobs/sha256:ab',
    );
    // No ns (a client that is not containerd) or a hostile one: the path is used as it is.
    expect(registryPath(u('/v2/registry.k8s.io/pause/manifests/3.10.2'))).toBe(
      '/v2/registry.k8s.io/pause/manifests/3.10.2',
    );
    expect(registryPath(u('/v2/pause/manifests/3.10.2?ns=../../x'))).toBe('/v2/pause/manifests/3.10.2');
    expect(registryPath(u('/v2/'))).toBe('/v2/');
  });

  const bundle = join(BUNDLES, 'v1.37.2');
  it.skipIf(!existsSync(join(bundle, 'bundle.json')))(
    'every URL the plan fetches from the offline source exists in the built bundle (skipped without a cached bundle)',
    () => {
      const check = (p: ClusterProject) => {
        const ctx = buildContext(resolveDesign(p), { keelsonVersion: 'test' });
        const base = offlineBase(ctx)!;
        const inBundle = (url: string) => {
          expect(url.startsWith(base), url).toBe(true);
          return join(bundle, decodeURIComponent(url.slice(base.length)));
        };
        const repo = kubernetesRepoUrl(ctx, 'debian');
        for (const f of ['Release.key', 'InRelease', 'Packages'])
          expect(existsSync(inBundle(repo + f)), f).toBe(true);
        expect(existsSync(inBundle(cniManifestUrl(ctx)))).toBe(true);
        expect(existsSync(inBundle(`${base}/docker/linux/debian/gpg`))).toBe(true);
        expect(existsSync(inBundle(`${base}/docker/linux/debian/dists/bookworm/InRelease`))).toBe(true);
        const scripts = generatePlan(p, { keelsonVersion: 'test' })
          .phases.flatMap((ph) => ph.steps)
          .map((s) => s.script)
          .join('\n');
        const etcd = /etcd\/(v[\d.]+)\//.exec(scripts);
        if (p.spec.etcd.mode === 'external') {
          const version = /version='?(v[\d.]+)/.exec(scripts)?.[1] ?? etcd?.[1];
          expect(version, 'the external-etcd step names its version').toBeDefined();
          expect(existsSync(join(bundle, 'etcd', version!, `etcd-${version}-linux-amd64.tar.gz`))).toBe(true);
        }
        const manifest = JSON.parse(readFileSync(join(bundle, 'bundle.json'), 'utf8')) as {
          images: { ref: string }[];
        };
        const pause = /sandbox image (\S+) /.exec(
          generatePlan(p, { keelsonVersion: 'test' }).phases.find((ph) => ph.id === 'container-runtime')!
            .steps[0]!.description,
        )?.[1];
        expect(manifest.images.map((i) => i.ref)).toContain(pause);
      };
      check(offline('bundle'));
      check(offline('bundle', 'flannel', 'external'));
    },
  );
});
