import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  KUBERNETES_RELEASES,
  etcdReleaseTag,
  kubeadmImages,
  type KubernetesRelease,
} from '../../../shared/kubernetes/releases';

// Keelson's per-release image table (shared/kubernetes/releases.ts) against the real kubeadm that
// `npm run lab -- kube-build` builds from the Kubernetes sources into KEELSON_CACHE, one folder per
// patch release. Only v1.37.2 is built here; the 1.35 and 1.36 rows are not cached, so their
// comparisons skip, saying so.
const CACHE = process.env.KEELSON_CACHE ?? '/var/cache/keelson';
const kubeadmOf = (tag: string) => join(CACHE, 'kube', tag, 'bin', 'kubeadm');

/** Patch releases whose kubeadm exists in the cache (`v1.37.2`…), for the skip message. */
const built = existsSync(join(CACHE, 'kube'))
  ? readdirSync(join(CACHE, 'kube')).filter((tag) => existsSync(kubeadmOf(tag)))
  : [];

const run = (kubeadm: string, args: string[]) =>
  execFileSync(kubeadm, args, { encoding: 'utf8', timeout: 60_000 });

/** `registry.k8s.io/coredns/coredns:v1.14.6` → its tag, for the image named `name`. */
function tagOf(listed: string[], name: string): string | undefined {
  const image = listed.find((i) => i.slice(0, i.lastIndexOf(':')).endsWith(`/${name}`));
  return image?.slice(image.lastIndexOf(':') + 1);
}

function compare(release: KubernetesRelease) {
  const tag = `v${release.imagesFrom}`;
  const kubeadm = kubeadmOf(tag);
  const present = existsSync(kubeadm);
  const why =
    `no kubeadm ${tag} at ${kubeadm}: only the kubeadm releases the lab has built are compared, ` +
    `and this machine has ${built.length ? built.join(', ') : 'none'} (1.35 and 1.36 binaries are ` +
    `not cached; \`npm run lab -- kube-build --version ${release.imagesFrom}\` would build one)`;
  if (!present) console.log(`skipped: ${release.minor} — ${why}`);

  describe(`${release.minor}: the table against kubeadm ${tag}`, () => {
    it('the binary is the release the table was read from', (ctx) => {
      ctx.skip(!present, why);
      expect(run(kubeadm, ['version', '-o', 'short']).trim()).toBe(tag);
    });

    it('etcd, CoreDNS and pause versions are the ones kubeadm pulls, and external etcd runs the same etcd', (ctx) => {
      ctx.skip(!present, why);
      const listed = run(kubeadm, ['config', 'images', 'list', '--kubernetes-version', tag]).split('\n');
      expect({
        etcd: tagOf(listed, 'etcd'),
        coreDNS: tagOf(listed, 'coredns'),
        pause: tagOf(listed, 'pause'),
      }).toEqual(release.images);
      // External members download etcd's own release, which must be the one kubeadm would run stacked.
      expect(etcdReleaseTag(release)).toBe(`v${tagOf(listed, 'etcd')!.replace(/-\d+$/, '')}`);
    });

    it('`kubeadm config images list` prints exactly the images Keelson lists, in its order', (ctx) => {
      ctx.skip(!present, why);
      const listed = run(kubeadm, ['config', 'images', 'list', '--kubernetes-version', tag])
        .split('\n')
        .map((line) => line.trim())
        .filter(Boolean);
      expect(listed).toEqual(kubeadmImages(tag, release));
    });

    it('an offline mirror repository replaces registry.k8s.io in every image, as kubeadm does', (ctx) => {
      ctx.skip(!present, why);
      const repository = 'mirror.example.internal:5000/k8s';
      const listed = run(kubeadm, [
        'config',
        'images',
        'list',
        '--kubernetes-version',
        tag,
        '--image-repository',
        repository,
      ])
        .split('\n')
        .map((line) => line.trim())
        .filter(Boolean);
      expect(listed).toEqual(kubeadmImages(tag, release, repository));
    });
  });
}

describe("the image table against the real kubeadm's `config images list`", () => {
  it('has a row for each maintained release, each read from a patch of its own minor', () => {
    expect(KUBERNETES_RELEASES.map((r) => r.minor)).toEqual(['1.37', '1.36', '1.35']);
    for (const r of KUBERNETES_RELEASES) expect(r.imagesFrom.startsWith(`${r.minor}.`), r.minor).toBe(true);
  });
  for (const release of KUBERNETES_RELEASES) compare(release);
});
