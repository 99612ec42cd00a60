import { describe, expect, it } from 'vitest';
import { kubeadmApiVersionFor, SUPPORTED_KUBERNETES_MINORS } from '../../../shared/validation';

describe('kubeadm config API per Kubernetes version', () => {
  it('uses v1beta3 below 1.31 and v1beta4 from 1.31', () => {
    expect(kubeadmApiVersionFor('1.30')).toBe('kubeadm.k8s.io/v1beta3');
    expect(kubeadmApiVersionFor('1.30.14')).toBe('kubeadm.k8s.io/v1beta3');
    expect(kubeadmApiVersionFor('1.31.0')).toBe('kubeadm.k8s.io/v1beta4');
    expect(kubeadmApiVersionFor('1.35')).toBe('kubeadm.k8s.io/v1beta4');
  });

  it('has an answer for every supported minor', () => {
    for (const minor of SUPPORTED_KUBERNETES_MINORS)
      expect(kubeadmApiVersionFor(minor)).toMatch(/^kubeadm\.k8s\.io\/v1beta[34]$/);
  });

  it('refuses a string that is not a version', () => {
    expect(() => kubeadmApiVersionFor('v1.31')).toThrow(/not a Kubernetes version/);
  });
});
