import type { Host } from '../model/cluster';
import type { ValidDesign } from '../validation/design';
import type { Flow } from './report';

/** The CNI's overlay port: Calico's VXLAN (IANA 4789) or Flannel's vxlan backend (Linux's 8472). */
export function overlayPort(design: ValidDesign): number {
  return design.project.spec.networking.cni === 'calico' ? 4789 : 8472;
}

/**
 * Every host-to-host flow the design's real traffic needs, once each (reasons merged): the API
 * endpoint's proxies from every node, control planes to each other (apiserver, etcd), every node
 * to every control plane's apiserver and kubelet and back (apiserver → kubelet), external etcd,
 * the overlay between every pair of nodes, VRRP between keepalived peers. The short-lived
 * listeners and probes of `keelson check` test exactly these (main/services/check/reach.ts).
 */
export function designFlows(design: ValidDesign): Flow[] {
  const flows = new Map<string, Flow>();
  const add = (from: Host, to: Host, proto: Flow['proto'], port: number, why: string) => {
    if (from.name === to.name) return;
    const key = `${from.name}\u0000${to.name}\u0000${proto}\u0000${port}`;
    const had = flows.get(key);
    if (had) {
      if (!had.why.split('; ').includes(why)) had.why = `${had.why}; ${why}`;
    } else flows.set(key, { from: from.name, to: to.name, proto, port, why });
  };
  const { nodes, controlPlanes, etcdHosts, keepalivedHosts, proxy } = design;
  const stacked = design.project.spec.etcd.mode === 'stacked';

  if (proxy && proxy.listen === 'any') {
    for (const n of nodes)
      for (const p of proxy.hosts) add(n, p, 'tcp', proxy.port, `API endpoint (${proxy.software})`);
  }
  for (const a of controlPlanes) {
    for (const b of controlPlanes) {
      if (stacked) {
        add(a, b, 'tcp', 2379, 'etcd clients');
        add(a, b, 'tcp', 2380, 'etcd peers');
      }
    }
  }
  for (const n of nodes) {
    for (const cp of controlPlanes) {
      add(n, cp, 'tcp', 6443, 'kube-apiserver');
      add(n, cp, 'tcp', 10250, 'kubelet API');
      add(cp, n, 'tcp', 10250, 'kubelet API (apiserver → kubelet)');
    }
  }
  for (const a of etcdHosts) {
    for (const b of etcdHosts) {
      add(a, b, 'tcp', 2379, 'etcd clients');
      add(a, b, 'tcp', 2380, 'etcd peers');
    }
  }
  for (const cp of controlPlanes)
    for (const e of etcdHosts) add(cp, e, 'tcp', 2379, 'apiserver → external etcd');
  const overlay = overlayPort(design);
  const cni = design.project.spec.networking.cni;
  for (const a of nodes) for (const b of nodes) add(a, b, 'udp', overlay, `pod network (${cni} VXLAN)`);
  for (const a of keepalivedHosts) for (const b of keepalivedHosts) add(a, b, 'vrrp', 0, 'keepalived VRRP');
  return [...flows.values()];
}

/** Hosts whose traffic is tested: everything the flows touch. */
export function flowHosts(flows: Flow[]): string[] {
  return [...new Set(flows.flatMap((f) => [f.from, f.to]))];
}
