import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { KUBERNETES_RELEASES, kubeadmImages } from '../../../shared/kubernetes/releases';

/** Where the lab keeps the kubeadm it builds from the real sources, one folder per patch release. */
const kubeadmOf = (patch: string) => `/var/cache/keelson/kube/v${patch}/bin/kubeadm`;

describe("the image table against the real kubeadm's `config images list`", () => {
  for (const release of KUBERNETES_RELEASES) {
    const tag = `v${release.imagesFrom}`;
    const kubeadm = kubeadmOf(release.imagesFrom);
    const present = existsSync(kubeadm);
    if (!present) console.log(`skipped: ${tag} — no real kubeadm at ${kubeadm} (the lab builds it)`);

    it.skipIf(!present)(`${release.minor}: same images as kubeadm ${tag}`, () => {
      const version = execFileSync(kubeadm, ['version', '-o', 'short'], { encoding: 'utf8' }).trim();
      expect(version).toBe(tag);
      const listed = execFileSync(kubeadm, ['config', 'images', 'list', '--kubernetes-version', tag], {
        encoding: 'utf8',
        timeout: 60_000,
      })
        .split('\n')
        .map((line) => line.trim())
        .filter((line) => line.includes('/'));
      expect(listed).toEqual(kubeadmImages(tag, release));
    });
  }
});
