import { stringify } from 'yaml';
import type { Host } from '../model/cluster';
import { APISERVER_PORT, CRI_SOCKET, certSans, hostPort, isIPv6, type PlanContext } from './context';
import { secretPlaceholder, valuePlaceholder } from './types';
import { DEFAULT_IMAGE_REPOSITORY, KUBEADM_API_VERSION } from './versions';

/** Where kubeadm finds the external etcd client certificates (the names kubeadm itself uses). */
export const EXTERNAL_ETCD_PKI = {
  caFile: '/etc/kubernetes/pki/etcd/ca.crt',
  certFile: '/etc/kubernetes/pki/apiserver-etcd-client.crt',
  keyFile: '/etc/kubernetes/pki/apiserver-etcd-client.key',
};

export const BOOTSTRAP_TOKEN_SECRET = 'bootstrap-token';
export const CA_CERT_HASH_VALUE = 'ca-cert-hash';
export const KUBERNETES_VERSION_VALUE = 'kubernetes-version';
export const certificateKeySecret = (host: Host): string => `certificate-key-${host.name}`;

type Args = Record<string, string>;

/** v1beta4 wants extra arguments as a list of `{name, value}`, not a map. */
function extraArgs(args: Args): { name: string; value: string }[] {
  return Object.entries(args).map(([name, value]) => ({ name, value }));
}

export function kubernetesVersionField(ctx: PlanContext): string {
  const v = ctx.version;
  // Unpinned: the exact patch apt/dnf installed on the first control plane, read at run time.
  return v.patch === undefined
    ? valuePlaceholder(KUBERNETES_VERSION_VALUE)
    : `v${v.release.minor}.${v.patch}`;
}

function nodeRegistration(ctx: PlanContext, host: Host, controlPlane: boolean) {
  const taints = host.taints.map((t) => ({
    key: t.key,
    ...(t.value ? { value: t.value } : {}),
    effect: t.effect,
  }));
  // An explicit list replaces kubeadm's default control-plane taint, so keep it when the user adds others.
  const allTaints =
    controlPlane && !taints.some((t) => t.key === 'node-role.kubernetes.io/control-plane')
      ? [{ key: 'node-role.kubernetes.io/control-plane', effect: 'NoSchedule' }, ...taints]
      : taints;
  return {
    name: host.name,
    criSocket: CRI_SOCKET,
    kubeletExtraArgs: extraArgs({ 'node-ip': host.address }),
    taints: allTaints,
    ...(ctx.project.spec.kubelet.allowCgroupV1 ? { ignorePreflightErrors: [CGROUP_V1_SKIPPED_CHECK] } : {}),
  };
}

function timeouts(join: boolean) {
  return {
    timeouts: join
      ? {
          controlPlaneComponentHealthCheck: '4m0s',
          kubeletHealthCheck: '4m0s',
          discovery: '5m0s',
          tlsBootstrap: '5m0s',
        }
      : { controlPlaneComponentHealthCheck: '4m0s', kubeletHealthCheck: '4m0s' },
  };
}

export function clusterConfiguration(ctx: PlanContext) {
  const spec = ctx.project.spec;
  const pauseRepo = spec.packages.imageRepository;
  return {
    apiVersion: KUBEADM_API_VERSION,
    kind: 'ClusterConfiguration',
    // Names the cluster in every kubeconfig kubeadm writes: a DNS label, not the free-text name.
    clusterName: ctx.clusterName,
    kubernetesVersion: kubernetesVersionField(ctx),
    controlPlaneEndpoint: hostPort(ctx.endpoint.host, ctx.endpoint.port),
    imageRepository: pauseRepo ?? DEFAULT_IMAGE_REPOSITORY,
    networking: {
      podSubnet: spec.networking.podCidr,
      serviceSubnet: spec.networking.serviceCidr,
      dnsDomain: spec.networking.dnsDomain,
    },
    apiServer: { certSANs: certSans(ctx) },
    ...(spec.etcd.mode === 'external'
      ? {
          etcd: {
            external: {
              endpoints: ctx.etcdHosts.map((h) => `https://${hostPort(h.address, 2379)}`),
              ...EXTERNAL_ETCD_PKI,
            },
          },
        }
      : {}),
  };
}

/**
 * kubeadm uploads this to the kubelet-config ConfigMap, so every node that joins gets it too.
 * With spec.kubelet.allowCgroupV1 the kubelet is told not to refuse cgroup v1 (deprecated).
 */
function kubeletConfiguration(ctx: PlanContext) {
  return {
    apiVersion: 'kubelet.config.k8s.io/v1beta1',
    kind: 'KubeletConfiguration',
    // Must match containerd's SystemdCgroup = true, or pods restart in a loop.
    cgroupDriver: 'systemd',
    ...(ctx.project.spec.kubelet.allowCgroupV1 ? { failCgroupV1: false } : {}),
  };
}

/** kubeadm's SystemVerification check fails on cgroup v1; skipped only when cgroup v1 is allowed. */
export const CGROUP_V1_SKIPPED_CHECK = 'SystemVerification';

function kubeProxyConfiguration(ctx: PlanContext) {
  const mode = ctx.project.spec.networking.kubeProxyMode;
  const vip = ctx.project.spec.apiEndpoint.vip;
  const config: Record<string, unknown> = {
    apiVersion: 'kubeproxy.config.k8s.io/v1alpha1',
    kind: 'KubeProxyConfiguration',
    mode,
  };
  if (mode === 'ipvs') {
    config.ipvs = {
      // Without strictARP the nodes answer ARP for addresses on kube-ipvs0, fighting the VIP owner.
      strictARP: true,
      // Keeps kube-proxy's IPVS cleanup away from the API VIP carried by these nodes.
      ...(ctx.vipOnNodes && vip ? { excludeCIDRs: [`${vip}/${isIPv6(vip) ? 128 : 32}`] } : {}),
    };
  }
  return config;
}

const documents = (...docs: object[]): string =>
  docs.map((d) => stringify(d, { lineWidth: 0 })).join('---\n');

/** kubeadm-init.yaml for the first control plane: the token is a placeholder filled at run time. */
export function initConfigYaml(ctx: PlanContext, withToken = true): string {
  const host = ctx.firstControlPlane;
  const init = {
    apiVersion: KUBEADM_API_VERSION,
    kind: 'InitConfiguration',
    ...(withToken
      ? {
          bootstrapTokens: [
            {
              token: secretPlaceholder(BOOTSTRAP_TOKEN_SECRET),
              description: 'Keelson deploy: joins the other nodes, expires after 24h',
              ttl: '24h0m0s',
              usages: ['signing', 'authentication'],
              groups: ['system:bootstrappers:kubeadm:default-node-token'],
            },
          ],
        }
      : {}),
    localAPIEndpoint: { advertiseAddress: host.address, bindPort: APISERVER_PORT },
    nodeRegistration: nodeRegistration(ctx, host, true),
    ...timeouts(false),
  };
  return documents(init, clusterConfiguration(ctx), kubeletConfiguration(ctx), kubeProxyConfiguration(ctx));
}

/** kubeadm-join.yaml: always discovers through the endpoint, never through a node's own address. */
export function joinConfigYaml(ctx: PlanContext, host: Host, controlPlane: boolean): string {
  const join = {
    apiVersion: KUBEADM_API_VERSION,
    kind: 'JoinConfiguration',
    discovery: {
      bootstrapToken: {
        apiServerEndpoint: hostPort(ctx.endpoint.host, ctx.endpoint.port),
        token: secretPlaceholder(BOOTSTRAP_TOKEN_SECRET),
        caCertHashes: [valuePlaceholder(CA_CERT_HASH_VALUE)],
      },
    },
    nodeRegistration: nodeRegistration(ctx, host, controlPlane),
    ...(controlPlane
      ? {
          controlPlane: {
            localAPIEndpoint: { advertiseAddress: host.address, bindPort: APISERVER_PORT },
            certificateKey: secretPlaceholder(certificateKeySecret(host)),
          },
        }
      : {}),
    ...timeouts(true),
  };
  return documents(join);
}
