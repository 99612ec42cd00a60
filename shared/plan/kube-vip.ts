import { stringify } from 'yaml';
import type { Host } from '../model/cluster';
import { APISERVER_PORT, isIPv6, type PlanContext } from './context';
import { KUBE_VIP_VERSION } from './versions';

export const KUBE_VIP_MANIFEST = '/etc/kubernetes/manifests/kube-vip.yaml';

/**
 * kube-vip's kubeconfig: since 1.29 (every supported minor) admin.conf has no rights until
 * kubeadm init has bound its group, so the init node starts with super-admin.conf and switches
 * back right after init.
 */
export function kubeVipKubeconfig(ctx: PlanContext, host: Host): string {
  return host.name === ctx.firstControlPlane.name
    ? '/etc/kubernetes/super-admin.conf'
    : '/etc/kubernetes/admin.conf';
}

export function kubeVipManifest(ctx: PlanContext, host: Host): string {
  const ep = ctx.project.spec.apiEndpoint;
  const vip = ep.vip!;
  const env: Record<string, string> = {
    vip_arp: 'true',
    port: String(APISERVER_PORT),
    vip_interface: ep.vrrp.interface,
    vip_cidr: isIPv6(vip) ? '128' : '32',
    dns_mode: 'first',
    cp_enable: 'true',
    cp_namespace: 'kube-system',
    vip_leaderelection: 'true',
    vip_leasename: 'plndr-cp-lock',
    vip_leaseduration: '5',
    vip_renewdeadline: '3',
    vip_retryperiod: '1',
    address: vip,
  };
  const pod = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'kube-vip', namespace: 'kube-system' },
    spec: {
      containers: [
        {
          name: 'kube-vip',
          image: `ghcr.io/kube-vip/kube-vip:${KUBE_VIP_VERSION}`,
          imagePullPolicy: 'IfNotPresent',
          args: ['manager'],
          env: Object.entries(env).map(([name, value]) => ({ name, value })),
          securityContext: { capabilities: { add: ['NET_ADMIN', 'NET_RAW'] } },
          volumeMounts: [{ mountPath: '/etc/kubernetes/admin.conf', name: 'kubeconfig' }],
        },
      ],
      hostAliases: [{ hostnames: ['kubernetes'], ip: '127.0.0.1' }],
      hostNetwork: true,
      volumes: [{ name: 'kubeconfig', hostPath: { path: kubeVipKubeconfig(ctx, host) } }],
    },
  };
  return stringify(pod, { lineWidth: 0 });
}
