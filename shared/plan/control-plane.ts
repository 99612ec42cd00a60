import type { Host } from '../model/cluster';
import { KEELSON_DIR, type PlanContext } from './context';
import {
  BOOTSTRAP_TOKEN_SECRET,
  CA_CERT_HASH_VALUE,
  KUBERNETES_VERSION_VALUE,
  certificateKeySecret,
  initConfigYaml,
  joinConfigYaml,
} from './kubeadm-config';
import { KUBE_VIP_MANIFEST } from './kube-vip';
import { hostsEntryLines } from './os-prep';
import { FAIL_FUNCTION, bashScript, shq, writeOutput } from './shell';
import { file, step } from './step';
import type { PlanStep } from './types';

export const INIT_CONFIG = `${KEELSON_DIR}/kubeadm-init.yaml`;
const UPLOAD_CONFIG = `${KEELSON_DIR}/kubeadm-upload-certs.yaml`;
const JOIN_CONFIG = `${KEELSON_DIR}/kubeadm-join.yaml`;
export const ADMIN_KUBECONFIG = '/etc/kubernetes/admin.conf';
export const KUBECTL = `kubectl --kubeconfig=${ADMIN_KUBECONFIG}`;

/** Steps the first kubeadm command needs: packages there, the endpoint up, external etcd ready. */
function initDependencies(ctx: PlanContext, lbSteps: PlanStep[], etcdSteps: PlanStep[]): string[] {
  return [
    `kubernetes-packages/${ctx.firstControlPlane.name}`,
    ...lbSteps.map((s) => s.id),
    ...etcdSteps.map((s) => s.id),
  ];
}

export function controlPlaneInitSteps(
  ctx: PlanContext,
  lbSteps: PlanStep[],
  etcdSteps: PlanStep[],
): PlanStep[] {
  const cp = ctx.firstControlPlane;
  const pinned = ctx.version.patch !== undefined;
  const prepareId = `control-plane-init/credentials/${cp.name}`;
  const prepare = step({
    id: prepareId,
    phase: 'control-plane-init',
    host: cp.name,
    description:
      "Generate this deploy's bootstrap token on the first control plane (`kubeadm token generate`; on a re-run over an " +
      'existing cluster, `kubeadm token create` so the token is registered). Never hard-coded, never printed.' +
      (pinned ? '' : ' Also reads the exact kubeadm version installed, for kubernetesVersion.'),
    script: bashScript(
      FAIL_FUNCTION,
      `if [ -s ${shq(ADMIN_KUBECONFIG)} ]; then`,
      `  token=$(kubeadm token create --kubeconfig=${shq(ADMIN_KUBECONFIG)} --ttl 24h0m0s --description 'Keelson deploy (re-run)')`,
      'else',
      '  token=$(kubeadm token generate)',
      'fi',
      `[[ "$token" =~ ^[a-z0-9]{6}\\.[a-z0-9]{16}$ ]] || fail 'kubeadm returned no usable bootstrap token'`,
      ...writeOutput(BOOTSTRAP_TOKEN_SECRET, '"$token"'),
      ...(pinned ? [] : writeOutput(KUBERNETES_VERSION_VALUE, '"$(kubeadm version -o short)"')),
    ),
    timeoutSeconds: 60,
    dependsOn: initDependencies(ctx, lbSteps, etcdSteps),
    outputs: [
      { name: BOOTSTRAP_TOKEN_SECRET, secret: true, description: 'kubeadm bootstrap token for every join' },
      ...(pinned
        ? []
        : [{ name: KUBERNETES_VERSION_VALUE, secret: false, description: 'kubeadm version -o short' }]),
    ],
  });
  const kubeVip = ctx.project.spec.apiEndpoint.pattern === 'kube-vip';
  const initId = `control-plane-init/kubeadm-init/${cp.name}`;
  const init = step({
    id: initId,
    phase: 'control-plane-init',
    host: cp.name,
    description:
      `kubeadm init on ${cp.name} with --config (controlPlaneEndpoint ${ctx.endpoint.host}:${ctx.endpoint.port}) and --upload-certs. ` +
      'CoreDNS stays Pending until the CNI is installed: by design.' +
      (kubeVip ? ' Then kube-vip switches from super-admin.conf to admin.conf.' : ''),
    script: bashScript(
      FAIL_FUNCTION,
      `config=${shq(INIT_CONFIG)}`,
      'kubeadm init --config "$config" --upload-certs --skip-token-print --skip-certificate-key-print',
      '# The config held the bootstrap token: it is not needed on disk any more.',
      'rm -f "$config"',
      kubeVip
        ? [
            `sed -i 's#path: /etc/kubernetes/super-admin.conf#path: /etc/kubernetes/admin.conf#' ${shq(KUBE_VIP_MANIFEST)}`,
            `grep -q 'path: /etc/kubernetes/admin.conf' ${shq(KUBE_VIP_MANIFEST)} || fail 'kube-vip still uses super-admin.conf'`,
          ]
        : [],
      // Through the endpoint, as every later step goes: right after init the load balancer may
      // not count this apiserver healthy yet (a real lab run got "Unable to connect: EOF" once).
      'ready="" last=""',
      'for _ in $(seq 1 60); do',
      `  if last=$(${KUBECTL} get --raw=/readyz 2>&1); then ready=yes; break; fi`,
      '  sleep 2',
      'done',
      '[ -n "$ready" ] || fail "the apiserver is not ready through the endpoint 2 minutes after init: ${last}"',
    ),
    files: [file(INIT_CONFIG, initConfigYaml(ctx), 'yaml', '0600')],
    check: bashScript(`test -s ${shq(ADMIN_KUBECONFIG)}`, `${KUBECTL} get --raw=/readyz >/dev/null 2>&1`),
    timeoutSeconds: 900,
    dependsOn: [prepareId],
  });
  const hash = step({
    id: `control-plane-init/ca-cert-hash/${cp.name}`,
    phase: 'control-plane-init',
    host: cp.name,
    description: "Compute the discovery CA hash (SHA-256 of the cluster CA's DER public key) for every join.",
    script: bashScript(
      FAIL_FUNCTION,
      "hash=$(openssl x509 -pubkey -in /etc/kubernetes/pki/ca.crt | openssl rsa -pubin -outform der 2>/dev/null | openssl dgst -sha256 -hex | sed 's/^.* //')",
      '[[ "$hash" =~ ^[0-9a-f]{64}$ ]] || fail \'could not compute the CA hash\'',
      ...writeOutput(CA_CERT_HASH_VALUE, '"sha256:${hash}"'),
    ),
    timeoutSeconds: 30,
    dependsOn: [initId],
    outputs: [
      { name: CA_CERT_HASH_VALUE, secret: false, description: 'sha256:<hash> of the cluster CA public key' },
    ],
  });
  return [prepare, init, hash];
}

function uploadCertsStep(ctx: PlanContext, target: Host, after: string[]): PlanStep {
  const cp = ctx.firstControlPlane;
  const external = ctx.project.spec.etcd.mode === 'external';
  return step({
    id: `control-plane-join/upload-certs/${target.name}`,
    phase: 'control-plane-join',
    host: cp.name,
    description:
      `Right before ${target.name} joins: re-upload the control-plane certificates with a fresh certificate key ` +
      '(`kubeadm init phase upload-certs --upload-certs`' +
      (external ? ' --config, for the external etcd certificates' : '') +
      '). Key and Secret expire after 2 hours, so each join gets its own.',
    script: bashScript(
      FAIL_FUNCTION,
      `if ! out=$(kubeadm init phase upload-certs --upload-certs${external ? ` --config ${shq(UPLOAD_CONFIG)}` : ''} 2>&1); then`,
      "  printf '%s\\n' \"$out\" | grep -Ev '^[0-9a-f]{64}$' >&2",
      "  fail 'kubeadm init phase upload-certs failed'",
      'fi',
      "key=$(printf '%s\\n' \"$out\" | grep -E '^[0-9a-f]{64}$' | tail -n 1 || true)",
      '[ -n "$key" ] || fail \'upload-certs printed no certificate key\'',
      ...writeOutput(certificateKeySecret(target), '"$key"'),
    ),
    files: external ? [file(UPLOAD_CONFIG, initConfigYaml(ctx, false), 'yaml', '0600')] : [],
    timeoutSeconds: 120,
    dependsOn: after,
    outputs: [
      {
        name: certificateKeySecret(target),
        secret: true,
        description: `certificate key for ${target.name}'s join (valid 2 hours)`,
      },
    ],
  });
}

function joinStep(ctx: PlanContext, host: Host, controlPlane: boolean, after: string[]): PlanStep {
  const nodeLocal = ctx.project.spec.apiEndpoint.pattern === 'node-local';
  return step({
    id: `${controlPlane ? 'control-plane-join' : 'worker-join'}/kubeadm-join/${host.name}`,
    phase: controlPlane ? 'control-plane-join' : 'worker-join',
    host: host.name,
    description:
      `kubeadm join ${host.name} as a ${controlPlane ? 'control plane' : 'worker'} through the endpoint ` +
      `${ctx.endpoint.host}:${ctx.endpoint.port} (never a node address), with --config carrying token, CA hash` +
      (controlPlane ? ' and the fresh certificate key.' : '.') +
      (nodeLocal && controlPlane
        ? ' Node-local: the endpoint name points at the first control plane during the join, then at itself.'
        : ''),
    script: bashScript(
      FAIL_FUNCTION,
      `config=${shq(JOIN_CONFIG)}`,
      nodeLocal && controlPlane ? hostsEntryLines(ctx.firstControlPlane.address, ctx.endpoint.host) : [],
      'kubeadm join --config "$config"',
      'rm -f "$config"',
      nodeLocal && controlPlane ? hostsEntryLines(host.address, ctx.endpoint.host) : [],
      controlPlane
        ? `${KUBECTL} get --raw=/readyz >/dev/null || fail 'the local apiserver is not ready after join'`
        : "systemctl is-active --quiet kubelet || fail 'kubelet is not running after join'",
    ),
    files: [file(JOIN_CONFIG, joinConfigYaml(ctx, host, controlPlane), 'yaml', '0600')],
    check: bashScript('test -s /etc/kubernetes/kubelet.conf', 'systemctl is-active --quiet kubelet'),
    timeoutSeconds: controlPlane ? 900 : 600,
    dependsOn: [...after, `kubernetes-packages/${host.name}`],
  });
}

/** Control planes strictly one after the other: etcd membership changes are serial. */
export function controlPlaneJoinSteps(ctx: PlanContext, after: string[]): PlanStep[] {
  const steps: PlanStep[] = [];
  let previous = after;
  for (const host of ctx.controlPlanes.slice(1)) {
    const upload = uploadCertsStep(ctx, host, previous);
    const join = joinStep(ctx, host, true, [upload.id]);
    steps.push(upload, join);
    previous = [join.id];
  }
  return steps;
}

export function workerJoinSteps(ctx: PlanContext, after: string[], lbSteps: PlanStep[]): PlanStep[] {
  return ctx.workers.map((h) =>
    joinStep(ctx, h, false, [...after, ...lbSteps.filter((s) => s.host === h.name).map((s) => s.id)]),
  );
}
