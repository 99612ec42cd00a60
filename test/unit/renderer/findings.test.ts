import { describe, expect, it } from 'vitest';
import { API_VERSION, ClusterProject } from '../../../shared/model/cluster';
import { addEndpoint, addHost, ENDPOINT_ID } from '../../../renderer/src/store/edits';
import { badgesOf, findingsOf, ownerOf } from '../../../renderer/src/store/findings';
import type { Finding } from '../../../shared/validation/finding';

function base(): ClusterProject {
  return ClusterProject.parse({
    apiVersion: API_VERSION,
    kind: 'Cluster',
    metadata: { name: 't' },
    spec: { kubernetesVersion: '1.37', apiEndpoint: { pattern: 'keepalived-haproxy', port: 8443 } },
  });
}

const field = (path: string): Finding => ({
  code: 'X_Y',
  severity: 'error',
  message: 'm',
  target: { kind: 'field', path },
});

describe('which node a finding belongs to', () => {
  it('hosts by name or by their index in spec.hosts, endpoint fields to the VIP node, the rest to the cluster', () => {
    let p = addHost(base(), 'control-plane', { x: 0, y: 0 }).project;
    p = addHost(p, 'worker', { x: 0, y: 0 }).project;
    expect(ownerOf({ ...field(''), target: { kind: 'host', name: 'worker1' } }, p)).toBe('worker1');
    expect(ownerOf(field('spec.hosts[1].ssh.port'), p)).toBe('worker1');
    expect(ownerOf(field('spec.apiEndpoint.vip'), p)).toBeNull(); // no VIP node yet: cluster settings
    const withVip = addEndpoint(p, { x: 0, y: 0 }).project;
    expect(ownerOf(field('spec.apiEndpoint.vip'), withVip)).toBe(ENDPOINT_ID);
    expect(ownerOf(field('spec.networking.podCidr'), withVip)).toBeNull();
  });

  it('badges count the live findings per node, once per project version', () => {
    let p = addHost(base(), 'control-plane', { x: 0, y: 0 }).project;
    p = addEndpoint(p, { x: 0, y: 0 }).project;
    const findings = findingsOf(p);
    expect(findingsOf(p)).toBe(findings);
    const hostErrors = findings.filter((f) => f.severity === 'error' && ownerOf(f, p) === 'cp1').length;
    expect(hostErrors).toBeGreaterThan(0); // cp1 has no address
    expect(badgesOf(p).get('cp1')?.errors).toBe(hostErrors);
    expect(badgesOf(p).get(ENDPOINT_ID)?.errors).toBeGreaterThan(0); // VIP not set
  });
});
