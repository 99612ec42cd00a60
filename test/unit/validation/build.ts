import { ClusterProject, type Host, type HostRole } from '../../../shared/model/cluster';

/** A host with schema defaults, for building projects in tests. */
export function host(name: string, address: string, roles: HostRole[], extra: Partial<Host> = {}): Host {
  return {
    name,
    address,
    roles,
    ssh: { port: 22, user: 'root', auth: { type: 'agent' } },
    labels: {},
    taints: [],
    ...extra,
  };
}

export const cps = (n: number, from = 11): Host[] =>
  Array.from({ length: n }, (_, i) => host(`cp${i + 1}`, `10.77.0.${from + i}`, ['control-plane']));
export const workers = (n: number, from = 21): Host[] =>
  Array.from({ length: n }, (_, i) => host(`worker${i + 1}`, `10.77.0.${from + i}`, ['worker']));
export const etcds = (n: number, from = 31): Host[] =>
  Array.from({ length: n }, (_, i) => host(`etcd${i + 1}`, `10.77.0.${from + i}`, ['etcd']));

/** A sound HA design: keepalived + haproxy on 3 control planes, VIP 10.77.0.10:8443, 2 workers. */
export function baseProject(): ClusterProject {
  return ClusterProject.parse({
    apiVersion: 'keelson.dev/v1alpha1',
    kind: 'Cluster',
    metadata: { name: 'test' },
    spec: {
      kubernetesVersion: '1.37',
      hosts: [...cps(3), ...workers(2)],
      apiEndpoint: { pattern: 'keepalived-haproxy', vip: '10.77.0.10', port: 8443 },
    },
  });
}

/** The base project changed by `change` (which may mutate it freely). */
export function variant(change: (p: ClusterProject) => void): ClusterProject {
  const project = baseProject();
  change(project);
  return project;
}
