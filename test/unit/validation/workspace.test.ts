import { describe, expect, it } from 'vitest';
import { checkWorkspace, endpointIdentity, workspaceCodes } from '../../../shared/validation/workspace';
import { baseProject, variant } from './build';

// baseProject: keepalived-haproxy, VIP 10.77.0.10, router id 51.
const member = (id: string, vip?: string, routerId?: number) => ({
  id,
  name: id.toUpperCase(),
  endpoint: { ...(vip ? { vip } : {}), ...(routerId ? { routerId } : {}) },
});

describe('checks across the clusters of a workspace', () => {
  it('flags another cluster with the same VIP or VRRP router id, naming it', () => {
    const findings = checkWorkspace(baseProject(), 'self', [
      member('prod', '10.77.0.10', 51),
      member('lab', '10.9.0.1', 52),
    ]);
    expect(findings.map((f) => f.code).sort()).toEqual([
      'WORKSPACE_VIP_SHARED',
      'WORKSPACE_VRRP_ROUTER_ID_SHARED',
    ]);
    for (const f of findings) {
      expect(f.severity).toBe(workspaceCodes[f.code as keyof typeof workspaceCodes].severity);
      expect(f.message).toContain('"PROD" (prod)');
      expect(f.message).not.toContain('lab');
    }
    expect(findings.find((f) => f.code === 'WORKSPACE_VIP_SHARED')!.target).toEqual({
      kind: 'field',
      path: 'spec.apiEndpoint.vip',
    });
  });

  it('never compares a cluster with itself, and compares VIPs as addresses', () => {
    expect(checkWorkspace(baseProject(), 'self', [member('self', '10.77.0.10', 51)])).toEqual([]);
    const v6 = variant((p) => (p.spec.apiEndpoint.vip = 'fd00:0::10'));
    expect(
      checkWorkspace(v6, 'a', [
        member('b', endpointIdentity(variant((p) => (p.spec.apiEndpoint.vip = 'fd00::10'))).vip),
      ]),
    ).toHaveLength(1);
  });

  it('ignores router ids of clusters without keepalived, and VIPs of node-local endpoints', () => {
    const kubeVip = variant((p) => (p.spec.apiEndpoint.pattern = 'kube-vip'));
    expect(endpointIdentity(kubeVip)).toEqual({ vip: '10.77.0.10' });
    expect(checkWorkspace(kubeVip, 'a', [member('b', '10.1.1.1', 51)])).toEqual([]);
    const nodeLocal = variant((p) => (p.spec.apiEndpoint.pattern = 'node-local'));
    expect(endpointIdentity(nodeLocal)).toEqual({});
    expect(checkWorkspace(nodeLocal, 'a', [member('b', '10.77.0.10', 51)])).toEqual([]);
  });

  it('says nothing when VIP and router id differ', () => {
    const other = variant((p) => {
      p.spec.apiEndpoint.vip = '10.77.0.9';
      p.spec.apiEndpoint.vrrp.routerId = 60;
    });
    expect(checkWorkspace(other, 'a', [member('b', '10.77.0.10', 51)])).toEqual([]);
  });
});
