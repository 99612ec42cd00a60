import { stringify } from 'yaml';
import { KEELSON_DIR, type PlanContext } from './context';
import { KUBECTL } from './control-plane';
import { jsonString } from './escape';
import { FAIL_FUNCTION, bashScript, shq } from './shell';
import { file, step } from './step';
import type { PlanStep } from './types';
import { CALICO_VERSION, FLANNEL_VERSION } from './versions';

const CNI_DIR = `${KEELSON_DIR}/cni`;

/** Upstream manifest at a pinned version; offline, the mirror's copy under the same name. */
export function cniManifestUrl(ctx: PlanContext): string {
  const cni = ctx.project.spec.networking.cni;
  if (ctx.mirror) {
    const name =
      cni === 'calico'
        ? `calico/${CALICO_VERSION}/tigera-operator.yaml`
        : `flannel/${FLANNEL_VERSION}/kube-flannel.yml`;
    return `${ctx.mirror}/cni/${name}`;
  }
  return cni === 'calico'
    ? `https://raw.githubusercontent.com/projectcalico/calico/${CALICO_VERSION}/manifests/tigera-operator.yaml`
    : `https://github.com/flannel-io/flannel/releases/download/${FLANNEL_VERSION}/kube-flannel.yml`;
}

/**
 * The command that succeeds once the pod network runs on every node (Flannel's DaemonSet rolled
 * out, or Calico's status Available), waiting up to `seconds`. A node can be Ready before then:
 * Ready needs only the CNI config, which Flannel's init container writes before Flannel runs.
 */
export function podNetworkRolledOut(ctx: PlanContext, seconds: number): string {
  return ctx.project.spec.networking.cni === 'calico'
    ? `${KUBECTL} wait --for=condition=Available tigerastatus/calico --timeout=${seconds}s`
    : `${KUBECTL} -n kube-flannel rollout status ds/kube-flannel-ds --timeout=${seconds}s`;
}

/** Calico's Installation: VXLAN encapsulation on the project's pod CIDR. */
export function calicoResources(ctx: PlanContext): string {
  const installation = {
    apiVersion: 'operator.tigera.io/v1',
    kind: 'Installation',
    metadata: { name: 'default' },
    spec: {
      calicoNetwork: {
        ipPools: [
          {
            name: 'default-ipv4-ippool',
            blockSize: 26,
            cidr: ctx.project.spec.networking.podCidr,
            encapsulation: 'VXLAN',
            natOutgoing: 'Enabled',
            nodeSelector: 'all()',
          },
        ],
      },
    },
  };
  const apiServer = {
    apiVersion: 'operator.tigera.io/v1',
    kind: 'APIServer',
    metadata: { name: 'default' },
    spec: {},
  };
  return [installation, apiServer].map((d) => stringify(d, { lineWidth: 0 })).join('---\n');
}

/** Flannel's net-conf.json with the project's pod CIDR (upstream ships 10.244.0.0/16). */
export function flannelNetConf(ctx: PlanContext): string {
  return (
    JSON.stringify(
      { Network: ctx.project.spec.networking.podCidr, EnableNFTables: false, Backend: { Type: 'vxlan' } },
      null,
      2,
    ) + '\n'
  );
}

export function cniSteps(ctx: PlanContext, after: string[]): PlanStep[] {
  const cp = ctx.firstControlPlane;
  const cni = ctx.project.spec.networking.cni;
  const url = cniManifestUrl(ctx);
  const calico = cni === 'calico';
  const manifest = `${CNI_DIR}/${calico ? 'tigera-operator.yaml' : 'kube-flannel.yml'}`;
  const script = calico
    ? bashScript(
        FAIL_FUNCTION,
        `curl -fsSL ${shq(url)} -o ${shq(manifest)}`,
        '# The operator CRDs are too large for client-side apply annotations.',
        `${KUBECTL} apply --server-side --force-conflicts -f ${shq(manifest)}`,
        `${KUBECTL} -n tigera-operator rollout status deploy/tigera-operator --timeout=300s`,
        `for _ in $(seq 1 60); do ${KUBECTL} get crd installations.operator.tigera.io >/dev/null 2>&1 && break; sleep 2; done`,
        `${KUBECTL} apply -f ${shq(`${CNI_DIR}/calico-installation.yaml`)}`,
        `for _ in $(seq 1 150); do ${KUBECTL} get tigerastatus calico >/dev/null 2>&1 && break; sleep 2; done`,
        `${KUBECTL} wait --for=condition=Available tigerastatus/calico --timeout=600s || fail 'Calico did not become available'`,
      )
    : bashScript(
        FAIL_FUNCTION,
        `manifest=${shq(manifest)}`,
        `pod_cidr=${shq(ctx.project.spec.networking.podCidr)}`,
        // net-conf.json is JSON inside the manifest: the CIDR goes in as a JSON string, handed to
        // awk as data (ENVIRON) and replaced with index(), never as part of a sed or awk program.
        `network=${shq(`"Network": ${jsonString(ctx.project.spec.networking.podCidr)}`)}`,
        `curl -fsSL ${shq(url)} -o "$manifest"`,
        "# Patch upstream's net-conf.json (see net-conf.json beside this step) to the project's pod CIDR.",
        `grep -q '"Network": "10.244.0.0/16"' "$manifest" || fail 'the Flannel manifest no longer has the expected net-conf.json'`,
        `old='"Network": "10.244.0.0/16"' network="$network" awk '{ i = index($0, ENVIRON["old"]); if (i) $0 = substr($0, 1, i - 1) ENVIRON["network"] substr($0, i + length(ENVIRON["old"])); print }' "$manifest" > "$manifest.edit"`,
        'mv "$manifest.edit" "$manifest"',
        'grep -qF -- "$network" "$manifest" || fail "pod CIDR ${pod_cidr} is not in the Flannel manifest"',
        `${KUBECTL} apply -f "$manifest"`,
        `if ! ${KUBECTL} -n kube-flannel rollout status ds/kube-flannel-ds --timeout=600s; then`,
        // The rollout's own words say only "0 of 1 updated pods are available": what the pods
        // say is what tells a no-route host from a wrong pod CIDR or a missing kernel module.
        `  ${KUBECTL} -n kube-flannel get pods -o wide || true`,
        `  ${KUBECTL} -n kube-flannel logs ds/kube-flannel-ds --all-containers --tail=20 || true`,
        "  fail 'Flannel did not roll out (its pods and last log lines are above)'",
        'fi',
      );
  return [
    step({
      id: `cni/${cni}/${cp.name}`,
      phase: 'cni',
      host: cp.name,
      description: calico
        ? `Calico ${CALICO_VERSION} (tigera operator) with VXLAN, IP pool ${ctx.project.spec.networking.podCidr}, from ${url}. Installed before any other join.`
        : `Flannel ${FLANNEL_VERSION} (vxlan) with net-conf.json Network ${ctx.project.spec.networking.podCidr}, from ${url}. Installed before any other join.`,
      script,
      files: calico
        ? [file(`${CNI_DIR}/calico-installation.yaml`, calicoResources(ctx), 'yaml')]
        : [file(`${CNI_DIR}/net-conf.json`, flannelNetConf(ctx), 'text')],
      check: bashScript(`${podNetworkRolledOut(ctx, 5)} >/dev/null 2>&1`),
      timeoutSeconds: 900,
      dependsOn: after,
    }),
  ];
}
