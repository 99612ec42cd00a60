// Day-2 steps that touch etcd membership, the removed node itself, and the load balancers that
// must stop (or start) sending traffic to a control plane.
import type { Host } from '../../model/cluster';
import { CRI_SOCKET, KEELSON_DIR, type PlanContext } from '../context';
import { KUBECTL } from '../control-plane';
import { FAIL_FUNCTION, bashScript, reloadOrStart, shq } from '../shell';
import { step } from '../step';
import type { PlanStep } from '../types';

const ETCD_PKI = '/etc/kubernetes/pki/etcd';

/** etcdctl inside the etcd static pod of `via` (stacked etcd), with kubeadm's health-check client. */
function etcdctlFunction(via: string): string {
  return (
    `etcdctl() { ${KUBECTL} -n kube-system exec ${shq(`etcd-${via}`)} -- etcdctl --endpoints=https://127.0.0.1:2379 ` +
    `--cacert=${ETCD_PKI}/ca.crt --cert=${ETCD_PKI}/healthcheck-client.crt --key=${ETCD_PKI}/healthcheck-client.key "$@"; }`
  );
}

/**
 * The plan-time quorum guard decided from the design; this re-checks the live cluster right
 * before anything changes: the member count, and how many of the others are healthy.
 */
export function quorumCheckStep(via: string, node: string): PlanStep {
  return step({
    id: `quorum-check/${node}`,
    phase: 'quorum-check',
    host: via,
    description:
      `On ${via}: list the etcd members and their health; stop unless the members other than ${node} are at ` +
      'least 2 and healthy enough to keep quorum once it is gone.',
    script: bashScript(
      FAIL_FUNCTION,
      etcdctlFunction(via),
      `node=${shq(node)}`,
      "members=$(etcdctl member list -w simple | sed 's/, /,/g')",
      'echo "$members"',
      'total=$(grep -c . <<<"$members")',
      'others=$(awk -F, -v n="$node" \'$3 != n { print $5 }\' <<<"$members")',
      'health=$(etcdctl endpoint health --cluster 2>&1 || true)',
      'echo "$health"',
      'healthy=0',
      'while read -r url; do',
      '  [ -n "$url" ] || continue',
      '  if grep -qF -- "${url} is healthy" <<<"$health"; then healthy=$((healthy + 1)); fi',
      'done <<<"$others"',
      'after=$((total - 1))',
      'if ! awk -F, -v n="$node" \'$3 == n { found = 1 } END { exit !found }\' <<<"$members"; then after=$total; fi',
      'need=$((after / 2 + 1))',
      'echo "keelson: ${total} members; after removing ${node}: ${after}, ${healthy} of them healthy, quorum needs ${need}"',
      '[ "$after" -ge 2 ] || fail "etcd would be left with ${after} member(s): refused (a lone member is no quorum to lose)"',
      '[ "$healthy" -ge "$need" ] || fail "only ${healthy} of the remaining ${after} etcd members are healthy, short of the quorum of ${need}: refused"',
    ),
    timeoutSeconds: 60,
  });
}

/** Removes the node's etcd member through a healthy one when it is still listed (a dead node; or a reset that could not). */
export function etcdMemberRemoveStep(via: string, node: string, dependsOn: string[]): PlanStep {
  const listed = 'awk -F\', \' -v n="$node" \'$3 == n { print $1 }\' <<<"$(etcdctl member list -w simple)"';
  return step({
    id: `remove-node/etcd-member/${node}`,
    phase: 'remove-node',
    host: via,
    description: `On ${via}: remove ${node}'s etcd member if it is still listed (etcdctl member remove, through a healthy member).`,
    script: bashScript(
      FAIL_FUNCTION,
      etcdctlFunction(via),
      `node=${shq(node)}`,
      `id=$(${listed})`,
      'if [ -n "$id" ]; then',
      '  echo "keelson: removing etcd member ${id} (${node})"',
      '  etcdctl member remove "$id"',
      'else',
      '  echo "keelson: ${node} is no etcd member any more"',
      'fi',
      'etcdctl member list -w table',
    ),
    check: bashScript(etcdctlFunction(via), `node=${shq(node)}`, `id=$(${listed})`, '[ -z "$id" ]'),
    timeoutSeconds: 120,
    dependsOn,
  });
}

/** The services that make `host` part of the API endpoint: keepalived and the apiserver proxy. */
export function endpointServicesOn(ctx: PlanContext, host: Host): string[] {
  const out: string[] = [];
  if (ctx.keepalivedHosts.some((h) => h.name === host.name)) out.push('keepalived');
  if (ctx.proxy?.hosts.some((h) => h.name === host.name)) out.push(ctx.proxy.software);
  return out;
}

/** Stops the endpoint's services on a node leaving the cluster: keepalived first, so the VIP moves. */
export function stopEndpointServicesStep(node: string, services: string[], dependsOn: string[]): PlanStep {
  return step({
    id: `remove-node/stop-endpoint/${node}`,
    phase: 'remove-node',
    host: node,
    description: `Stop and disable ${services.join(' and ')} on ${node}: a VIP it holds moves to another host first.`,
    script: bashScript(...services.map((s) => `systemctl disable --now ${s}`)),
    check: bashScript(...services.map((s) => `! systemctl is-active --quiet ${s}`)),
    timeoutSeconds: 60,
    dependsOn,
  });
}

/** kubeadm reset and what it leaves behind (kubeadm's own reset docs list it), on the node. */
export function resetStep(node: string, controlPlane: boolean, dependsOn: string[]): PlanStep {
  return step({
    id: `remove-node/reset/${node}`,
    phase: 'remove-node',
    host: node,
    description:
      `kubeadm reset -f on ${node}` +
      (controlPlane ? ' (for stacked etcd its member leaves the cluster here)' : '') +
      '; then the CNI config and links, kube-proxy and CNI iptables/nftables/IPVS rules, kubeconfigs; kubelet ' +
      'stopped and disabled. Packages and containerd stay installed.',
    script: bashScript(
      FAIL_FUNCTION,
      `if command -v kubeadm >/dev/null; then kubeadm reset -f --cri-socket ${shq(CRI_SOCKET)}; fi`,
      'systemctl disable --now kubelet 2>/dev/null || true',
      `rm -rf /etc/cni/net.d /var/lib/cni /root/.kube ${shq(KEELSON_DIR)}`,
      'for link in cni0 flannel.1 vxlan.calico tunl0 kube-ipvs0; do',
      '  if ip link show "$link" >/dev/null 2>&1; then ip link delete "$link"; fi',
      'done',
      '# Rules kube-proxy and the CNI wrote; every other rule of the host stays.',
      'for tool in iptables ip6tables; do',
      '  command -v "$tool-save" >/dev/null || continue',
      '  for table in filter nat mangle raw; do',
      '    rules=$("$tool-save" -t "$table" 2>/dev/null) || continue',
      '    grep -vE \'KUBE-|CNI-|FLANNEL|cali[:-]\' <<<"$rules" | "$tool-restore" -T "$table"',
      '  done',
      'done',
      'for family in ip ip6; do nft delete table "$family" kube-proxy 2>/dev/null || true; done',
      'if command -v ipvsadm >/dev/null; then ipvsadm -C; fi',
      "! systemctl is-active --quiet kubelet || fail 'kubelet still runs after the reset'",
    ),
    check: bashScript(
      '! test -e /etc/kubernetes/kubelet.conf',
      '! test -e /etc/kubernetes/manifests/kube-apiserver.yaml',
      '! systemctl is-active --quiet kubelet',
    ),
    timeoutSeconds: 300,
    dependsOn,
  });
}

/**
 * A deploy's load-balancer step recast for a running cluster: the same files (the configs of the
 * new set of control planes), tested, then reloaded without dropping connections — never the
 * package install. Its check is the deploy step's: the file already says this and the service runs.
 */
export function reloadStepOf(lb: PlanStep, dependsOn: string[]): PlanStep | undefined {
  const service = /^load-balancer\/(haproxy|nginx|keepalived)\//.exec(lb.id)?.[1];
  if (!service) return undefined;
  const f = lb.files[0]!;
  const test =
    service === 'haproxy'
      ? `haproxy -c -q -f ${shq(f.path)}`
      : service === 'nginx'
        ? `nginx -t -q -c ${shq(f.path)}`
        : `keepalived -t -f ${shq(f.path)}`;
  return step({
    id: `load-balancer-update/${service}/${lb.host}`,
    phase: 'load-balancer-update',
    host: lb.host,
    description: `Write ${f.path} on ${lb.host} for the new set of control planes and reload ${service} (open connections are kept).`,
    script: bashScript(
      FAIL_FUNCTION,
      `${test} || fail ${shq(`${f.path} does not pass its test`)}`,
      reloadOrStart(service),
    ),
    files: lb.files,
    ...(lb.check !== undefined ? { check: lb.check } : {}),
    timeoutSeconds: 120,
    dependsOn,
  });
}
