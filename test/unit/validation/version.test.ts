import { describe, expect, it } from 'vitest';
import {
  DEFAULT_KUBERNETES_VERSION,
  ENDED_RELEASES,
  KUBERNETES_RELEASES,
  kubeadmImages,
  parseKubernetesVersion,
  releaseOf,
} from '../../../shared/kubernetes/releases';
import { SUPPORTED_KUBERNETES_MINORS, validateCluster } from '../../../shared/validation';
import { baseProject, variant } from './build';

const versionFindings = (version: string, today: string) =>
  validateCluster(
    variant((p) => (p.spec.kubernetesVersion = version)),
    { today },
  ).filter((f) => f.target.kind === 'field' && f.target.path === 'spec.kubernetesVersion');

describe('the Kubernetes release table', () => {
  it('holds exactly the maintained releases of 2026-11, newest first, and new designs get the newest', () => {
    expect(KUBERNETES_RELEASES.map((r) => r.minor)).toEqual(['1.37', '1.36', '1.35']);
    expect(SUPPORTED_KUBERNETES_MINORS).toEqual(['1.35', '1.36', '1.37']);
    expect(DEFAULT_KUBERNETES_VERSION).toBe('1.37');
    expect(baseProject().spec.kubernetesVersion).toBe('1.37');
    for (const r of KUBERNETES_RELEASES) {
      expect(r.released < r.endOfLife, r.minor).toBe(true);
      expect(r.imagesFrom.startsWith(`${r.minor}.`), r.minor).toBe(true);
    }
    expect(ENDED_RELEASES).toContainEqual({ minor: '1.34', endOfLife: '2026-10-27' });
  });

  it("carries kubeadm's image versions per release (etcd 3.7 from 1.37)", () => {
    const images = (minor: string) => releaseOf(parseKubernetesVersion(minor)!)!.images;
    expect(images('1.37')).toEqual({ etcd: '3.7.0-0', coreDNS: 'v1.14.6', pause: '3.10.2' });
    expect(images('1.36')).toEqual({ etcd: '3.6.8-0', coreDNS: 'v1.14.2', pause: '3.10.2' });
    expect(images('1.35')).toEqual({ etcd: '3.6.6-0', coreDNS: 'v1.13.1', pause: '3.10.1' });
    expect(kubeadmImages('v1.37.2', releaseOf({ major: 1, minor: 37 })!, 'mirror.example/k8s')).toEqual([
      'mirror.example/k8s/kube-apiserver:v1.37.2',
      'mirror.example/k8s/kube-controller-manager:v1.37.2',
      'mirror.example/k8s/kube-scheduler:v1.37.2',
      'mirror.example/k8s/kube-proxy:v1.37.2',
      // kubeadm drops CoreDNS's coredns/ path for any repository but registry.k8s.io.
      'mirror.example/k8s/coredns:v1.14.6',
      'mirror.example/k8s/pause:3.10.2',
      'mirror.example/k8s/etcd:3.7.0-0',
    ]);
  });

  it('has one parser: minor or pinned patch, nothing else', () => {
    expect(parseKubernetesVersion('1.37')).toEqual({ major: 1, minor: 37 });
    expect(parseKubernetesVersion('1.37.2')).toEqual({ major: 1, minor: 37, patch: 2 });
    for (const bad of ['v1.37', '1.37.2-rc.0', 'latest', '', ' 1.37', 137, undefined])
      expect(parseKubernetesVersion(bad), String(bad)).toBeUndefined();
  });
});

describe('end of life', () => {
  it('refuses 1.34 and says on which day it ended', () => {
    const [f] = versionFindings('1.34', '2026-11-30');
    expect(f).toMatchObject({ code: 'K8S_VERSION_UNSUPPORTED', severity: 'error' });
    expect(f!.message).toContain('1.34 reached end of life on 2026-10-27');
    expect(f!.fix).toContain('1.37');
  });

  it('refuses an older release as past end of life and a newer one as unknown', () => {
    expect(versionFindings('1.30.2', '2026-11-30')[0]!.message).toMatch(/1\.30 is past end of life/);
    expect(versionFindings('1.38', '2026-11-30')[0]!.message).toMatch(/1\.38 is newer than any release/);
  });

  it('warns with the date once a maintained release passes its end of life, and not a day before', () => {
    expect(versionFindings('1.35', '2027-02-28')).toEqual([]);
    const [f] = versionFindings('1.35.4', '2027-03-01');
    expect(f).toMatchObject({ code: 'K8S_VERSION_END_OF_LIFE', severity: 'warning' });
    expect(f!.message).toContain('1.35 reached end of life on 2027-02-28');
  });

  it('says nothing about 1.35, 1.36 or 1.37 today (2026-11-30)', () => {
    for (const v of ['1.35', '1.36.3', '1.37', '1.37.2'])
      expect(versionFindings(v, '2026-11-30'), v).toEqual([]);
  });
});
