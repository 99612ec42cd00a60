import { stringify } from 'yaml';
import { APISERVER_PORT, KEELSON_DIR, hostPort, type PlanContext } from './context';
import { podNetworkRolledOut } from './cni';
import { ADMIN_KUBECONFIG, KUBECTL } from './control-plane';
import { jsonString } from './escape';
import { ETCD_CA_DAYS, ETCD_CERT_DAYS, ETCD_EXPIRY_FILE } from './etcd';
import { FAIL_FUNCTION, bashScript, shq } from './shell';
import { file, step } from './step';
import { OUTPUT_DIR, RUN_ID_VALUE, RUN_STARTED_VALUE, valuePlaceholder, type PlanStep } from './types';

export const TOPOLOGY_CONFIGMAP = 'keelson-topology';
export const ADMIN_KUBECONFIG_SECRET = 'admin-kubeconfig';

/** Cluster facts stored in the cluster itself (field pattern 5), for day-2 and for other tools. */
export function topologyConfigMap(ctx: PlanContext): string {
  const spec = ctx.project.spec;
  const topology = {
    cluster: ctx.project.metadata.name,
    clusterName: ctx.clusterName,
    kubernetesVersion: spec.kubernetesVersion,
    endpoint: {
      pattern: spec.apiEndpoint.pattern,
      host: ctx.endpoint.host,
      port: ctx.endpoint.port,
      vip: spec.apiEndpoint.vip ?? null,
    },
    etcd: spec.etcd.mode,
    controlPlanes: ctx.controlPlanes.map((h) => ({ name: h.name, address: h.address })),
    workers: ctx.workers.map((h) => ({ name: h.name, address: h.address })),
    loadBalancers: (ctx.proxy?.hosts ?? []).map((h) => ({
      name: h.name,
      address: h.address,
      software: ctx.proxy!.software,
    })),
    etcdMembers: ctx.etcdHosts.map((h) => ({ name: h.name, address: h.address })),
    // Keelson renews these, not kubeadm; the dates are in data["etcd-certificates-not-after"].
    ...(ctx.etcdHosts.length
      ? { etcdCertificates: { caValidityDays: ETCD_CA_DAYS, validityDays: ETCD_CERT_DAYS } }
      : {}),
    networking: spec.networking,
  };
  return stringify(
    {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: {
        name: TOPOLOGY_CONFIGMAP,
        namespace: 'kube-system',
        labels: { 'app.kubernetes.io/managed-by': 'keelson' },
      },
      data: {
        'keelson-version': ctx.keelsonVersion,
        // Filled by the executor: which run built the cluster, and when (the cluster says how it was built).
        'run-id': valuePlaceholder(RUN_ID_VALUE),
        'run-started': valuePlaceholder(RUN_STARTED_VALUE),
        'topology.json': JSON.stringify(topology, null, 2),
      },
    },
    { lineWidth: 0 },
  );
}

/** The server address a workstation can use: node-local endpoints only resolve on the nodes. */
export function exportedServer(ctx: PlanContext): string {
  const ep = ctx.project.spec.apiEndpoint;
  if (ep.pattern === 'node-local') {
    return `https://${hostPort(ep.dnsName ?? ctx.firstControlPlane.address, APISERVER_PORT)}`;
  }
  return `https://${hostPort(ctx.endpoint.host, ctx.endpoint.port)}`;
}

/**
 * External etcd's certificates are Keelson's to renew, not kubeadm's: their notAfter dates (read
 * at deploy time by the external-etcd expiry step) join the cluster record. The record holds only
 * host names (RFC 1123), `=`, ISO dates and spaces, and is checked to be exactly that before it
 * goes into JSON.
 */
function etcdExpiryLines(ctx: PlanContext): string[] {
  if (ctx.etcdHosts.length === 0) return [];
  return [
    `record=$(cat ${shq(ETCD_EXPIRY_FILE)})`,
    // NAME=DATE words, one space apart (the first lab run refused a real record: its pattern
    // allowed a Z only at the very end).
    "word='[a-z0-9.-]+=[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z'",
    `allowed="^\${word}( \${word})*"'$'`,
    `[[ "$record" =~ $allowed ]] || { echo "keelson: unexpected certificate record: $record" >&2; exit 1; }`,
    `patch=$(printf '{"data":{"etcd-certificates-not-after":"%s"}}' "$record")`,
    `${KUBECTL} -n kube-system patch configmap ${TOPOLOGY_CONFIGMAP} --type merge -p "$patch"`,
  ];
}

export function postInstallSteps(ctx: PlanContext, after: string[]): PlanStep[] {
  const cp = ctx.firstControlPlane;
  const labelLines = ctx.nodes.flatMap((h) => [
    ...Object.entries(h.labels).map(
      ([k, v]) => `${KUBECTL} label node ${shq(h.name)} ${shq(`${k}=${v}`)} --overwrite`,
    ),
  ]);
  const path = `${KEELSON_DIR}/topology-configmap.yaml`;
  const server = exportedServer(ctx);
  const topology = step({
    id: `post-install/topology/${cp.name}`,
    phase: 'post-install',
    host: cp.name,
    description:
      `Record the topology and Keelson version in ConfigMap kube-system/${TOPOLOGY_CONFIGMAP}` +
      (ctx.etcdHosts.length ? ', with when each external etcd certificate expires' : '') +
      '; apply node labels.',
    script: bashScript(`${KUBECTL} apply -f ${shq(path)}`, ...etcdExpiryLines(ctx), ...labelLines),
    files: [file(path, topologyConfigMap(ctx), 'yaml')],
    timeoutSeconds: 120,
    dependsOn: after,
  });
  const kubeconfig = step({
    id: `post-install/kubeconfig/${cp.name}`,
    phase: 'post-install',
    host: cp.name,
    description: `Hand ${ADMIN_KUBECONFIG} (kubeadm:cluster-admins, never super-admin.conf) to the workstation as a secret, server ${server}.`,
    script: bashScript(
      FAIL_FUNCTION,
      `out=${shq(`${OUTPUT_DIR}/${ADMIN_KUBECONFIG_SECRET}`)}`,
      `install -d -m 0700 ${shq(OUTPUT_DIR)}`,
      `install -m 0600 ${shq(ADMIN_KUBECONFIG)} "$out"`,
      // The URL (from the endpoint's DNS name or address) reaches awk as data in YAML's
      // double-quoted (JSON) form: never part of a sed or awk program.
      `server=${shq(jsonString(server))}`,
      `server="$server" awk 'match($0, /^[[:space:]]*server: /) { print substr($0, 1, RLENGTH) ENVIRON["server"]; next } { print }' "$out" > "$out.edit"`,
      'mv "$out.edit" "$out"',
      'grep -qF -- "server: ${server}" "$out" || fail "could not set the kubeconfig server to ${server}"',
    ),
    timeoutSeconds: 30,
    dependsOn: [topology.id],
    outputs: [{ name: ADMIN_KUBECONFIG_SECRET, secret: true, description: `kubeconfig for ${server}` }],
  });
  return [topology, kubeconfig];
}

export function verifySteps(ctx: PlanContext, after: string[]): PlanStep[] {
  const cp = ctx.firstControlPlane;
  const expected = ctx.nodes.length;
  const stacked = ctx.project.spec.etcd.mode === 'stacked';
  const cluster = step({
    id: `verify/cluster/${cp.name}`,
    phase: 'verify',
    host: cp.name,
    description:
      `All ${expected} nodes Ready, the pod network and CoreDNS rolled out, ${ctx.controlPlanes.length} apiservers` +
      (stacked ? ` and ${ctx.controlPlanes.length} etcd members` : '') +
      `, /readyz through the endpoint ${ctx.endpoint.host}:${ctx.endpoint.port}.`,
    script: bashScript(
      FAIL_FUNCTION,
      `${KUBECTL} wait --for=condition=Ready node --all --timeout=600s`,
      `nodes=$(${KUBECTL} get nodes --no-headers | wc -l)`,
      `[ "$nodes" -eq ${shq(expected)} ] || fail "expected ${expected} nodes, found $nodes"`,
      // Ready comes before the pod network runs on a node: wait for it, or success is early.
      `${podNetworkRolledOut(ctx, 300)} || fail 'the pod network did not roll out on every node'`,
      `${KUBECTL} -n kube-system rollout status deploy/coredns --timeout=300s`,
      `apiservers=$(${KUBECTL} -n kube-system get pods -l component=kube-apiserver --no-headers | grep -c Running || true)`,
      `[ "$apiservers" -eq ${shq(ctx.controlPlanes.length)} ] || fail "expected ${ctx.controlPlanes.length} running apiservers, found $apiservers"`,
      stacked
        ? [
            `members=$(${KUBECTL} -n kube-system get pods -l component=etcd --no-headers | grep -c Running || true)`,
            `[ "$members" -eq ${shq(ctx.controlPlanes.length)} ] || fail "expected ${ctx.controlPlanes.length} etcd members, found $members"`,
          ]
        : [],
      `${KUBECTL} get --raw=/readyz >/dev/null || fail 'apiserver not ready through the endpoint'`,
      `${KUBECTL} get configmap -n kube-system ${TOPOLOGY_CONFIGMAP} >/dev/null`,
    ),
    timeoutSeconds: 900,
    dependsOn: after,
  });
  const perNode = ctx.nodes.map((h) =>
    step({
      id: `verify/endpoint/${h.name}`,
      phase: 'verify',
      host: h.name,
      description: `${h.name} reaches the apiserver through the endpoint it was joined with and runs kubelet.`,
      script: bashScript(
        FAIL_FUNCTION,
        "systemctl is-active --quiet kubelet || fail 'kubelet is not running'",
        `curl -sfk --max-time 5 ${shq(`https://${hostPort(ctx.endpoint.host, ctx.endpoint.port)}/healthz`)} >/dev/null || fail ${shq(`https://${hostPort(ctx.endpoint.host, ctx.endpoint.port)}/healthz does not answer from here`)}`,
      ),
      timeoutSeconds: 60,
      dependsOn: [cluster.id],
    }),
  );
  return [cluster, ...perNode];
}
