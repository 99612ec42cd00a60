import type { Host } from '../model/cluster';
import { isIPv6, type PlanContext } from './context';
import { isControlPlane, isNode, plannedHosts, requiredTcpPorts } from './roles';
import { hostsFileField } from './escape';
import { FAIL_FUNCTION, bashScript, shq } from './shell';
import { file, step } from './step';
import type { PlanFile, PlanStep } from './types';

const MODULES_FILE = '/etc/modules-load.d/keelson-kubernetes.conf';
const SYSCTL_FILE = '/etc/sysctl.d/99-keelson-kubernetes.conf';
const HOSTS_MARK = '# keelson-endpoint';

function sysctls(ctx: PlanContext): Record<string, string> {
  const values: Record<string, string> = {
    'net.bridge.bridge-nf-call-iptables': '1',
    'net.bridge.bridge-nf-call-ip6tables': '1',
    'net.ipv4.ip_forward': '1',
  };
  if (ctx.nodes.some((h) => isIPv6(h.address))) values['net.ipv6.conf.all.forwarding'] = '1';
  return values;
}

/**
 * Lines that make a name resolve to an address through /etc/hosts (node-local endpoint).
 * Replaces only the line Keelson wrote, marked with a comment.
 */
export function hostsEntryLines(address: string, name: string): string[] {
  // /etc/hosts has no quoting: each value must be one field (escape.ts refuses anything else).
  const line = `${hostsFileField(address, 'spec.hosts[].address')} ${hostsFileField(name, 'spec.apiEndpoint.dnsName')} ${HOSTS_MARK}`;
  return [`sed -i ${shq(`/${HOSTS_MARK}$/d`)} /etc/hosts`, `printf '%s\\n' ${shq(line)} >> /etc/hosts`];
}

/** Checks by effect, so built-in modules (no modprobe, no /lib/modules) count as present. */
function moduleLines(ipvs: boolean): string[] {
  return [
    'load() { command -v modprobe >/dev/null 2>&1 && modprobe "$1" 2>/dev/null; return 0; }',
    'load overlay',
    "grep -qw overlay /proc/filesystems || fail 'overlay filesystem unavailable (module missing and not built in)'",
    'load br_netfilter',
    "[ -e /proc/sys/net/bridge/bridge-nf-call-iptables ] || fail 'br_netfilter unavailable (module missing and not built in)'",
    ...(ipvs
      ? [
          'for m in ip_vs ip_vs_rr ip_vs_wrr ip_vs_sh nf_conntrack; do load "$m"; done',
          // nf_conntrack_ipv4 is gone since kernel 4.19 / RHEL 8.3: never required.
          "[ -e /proc/net/ip_vs ] || fail 'kube-proxy mode ipvs needs IPVS in the kernel (ip_vs module missing and not built in)'",
        ]
      : []),
  ];
}

function firewalldLines(ctx: PlanContext, host: Host): string[] {
  const tcp = requiredTcpPorts(ctx, host).map((p) => `${p}/tcp`);
  if (isNode(ctx, host) && !isControlPlane(host)) tcp.push('30000-32767/tcp');
  const cni = ctx.project.spec.networking.cni;
  const extra = isNode(ctx, host)
    ? cni === 'calico'
      ? ['179/tcp', '4789/udp', '5473/tcp']
      : ['8472/udp']
    : [];
  const ports = [...tcp, ...extra];
  const vrrp = ctx.keepalivedHosts.some((h) => h.name === host.name);
  return [
    'if systemctl is-active --quiet firewalld; then',
    `  ports=(${ports.map(shq).join(' ')})`,
    '  for p in "${ports[@]}"; do firewall-cmd --permanent --add-port="$p" >/dev/null; done',
    vrrp
      ? '  firewall-cmd --permanent --add-rich-rule=\'rule protocol value="vrrp" accept\' >/dev/null'
      : '  :',
    '  firewall-cmd --reload >/dev/null',
    'fi',
  ];
}

export function osPrepStep(ctx: PlanContext, host: Host): PlanStep {
  const node = isNode(ctx, host);
  const family = ctx.os(host);
  const ipvs = ctx.project.spec.networking.kubeProxyMode === 'ipvs';
  const files: PlanFile[] = [];
  const lines: string[] = [FAIL_FUNCTION];
  if (node) {
    const sys = sysctls(ctx);
    files.push(
      file(
        MODULES_FILE,
        [
          'overlay',
          'br_netfilter',
          ...(ipvs ? ['ip_vs', 'ip_vs_rr', 'ip_vs_wrr', 'ip_vs_sh', 'nf_conntrack'] : []),
        ].join('\n') + '\n',
        'text',
      ),
      file(
        SYSCTL_FILE,
        Object.entries(sys)
          .map(([k, v]) => `${k} = ${v}`)
          .join('\n') + '\n',
        'ini',
      ),
    );
    lines.push(
      '# kubelet refuses to run with swap on',
      'swapoff -a',
      `sed -E -i.keelson.bak ${shq('/^[^#][^[:space:]]*[[:space:]]+[^[:space:]]+[[:space:]]+swap[[:space:]]/ s/^/# keelson: swap off for kubelet # /')} /etc/fstab`,
      ...moduleLines(ipvs),
      // Another package's sysctl.d file with a key this kernel lacks makes --system exit non-zero;
      // that is not ours to fail on. Ours is applied on its own, and every value is verified below.
      `sysctl --system >/dev/null 2>&1 || echo ${shq('keelson: warning: some sysctl.d settings outside Keelson did not apply (sysctl --system)')} >&2`,
      `sysctl -p ${shq(SYSCTL_FILE)} >/dev/null || fail ${shq(`sysctl could not apply ${SYSCTL_FILE}`)}`,
      ...Object.entries(sys).map(
        ([k, v]) => `[ "$(sysctl -n ${shq(k)})" = ${shq(v)} ] || fail ${shq(`sysctl ${k} is not ${v}`)}`,
      ),
    );
  }
  if (family === 'rhel') {
    lines.push(
      '# kubelet and containers need SELinux permissive (as the kubeadm install guide says)',
      'if command -v getenforce >/dev/null 2>&1 && [ "$(getenforce)" = Enforcing ]; then setenforce 0; fi',
      "if [ -f /etc/selinux/config ]; then sed -i 's/^SELINUX=enforcing$/SELINUX=permissive/' /etc/selinux/config; fi",
      ...firewalldLines(ctx, host),
    );
  }
  // node-local: the endpoint name resolves to the local nginx on workers, to the local apiserver on control planes.
  if (ctx.project.spec.apiEndpoint.pattern === 'node-local' && node) {
    const target = isControlPlane(host)
      ? host === ctx.firstControlPlane
        ? host.address
        : ctx.firstControlPlane.address
      : '127.0.0.1';
    lines.push(...hostsEntryLines(target, ctx.endpoint.host));
  }
  lines.push('echo "keelson: OS prepared"');
  const check = node
    ? bashScript(
        '[ "$(awk \'NR > 1\' /proc/swaps | wc -l)" -eq 0 ]',
        ...Object.entries(sysctls(ctx)).map(
          ([k, v]) => `[ "$(sysctl -n ${shq(k)} 2>/dev/null)" = ${shq(v)} ]`,
        ),
        family === 'rhel'
          ? '! { command -v getenforce >/dev/null 2>&1 && [ "$(getenforce)" = Enforcing ]; }'
          : 'true',
      )
    : undefined;
  return step({
    id: `os-prep/${host.name}`,
    phase: 'os-prep',
    host: host.name,
    description: node
      ? `Prepare ${host.name} for kubelet: swap off (and in /etc/fstab), overlay + br_netfilter${ipvs ? ' + IPVS' : ''} ` +
        `(built-in modules accepted), sysctls for forwarding and bridged traffic${family === 'rhel' ? ', SELinux permissive, firewalld ports' : ''}.`
      : `Prepare ${host.name}${family === 'rhel' ? ': SELinux permissive, firewalld ports' : ': nothing to change for a non-node host'}.`,
    script: bashScript(...lines),
    files,
    ...(check ? { check } : {}),
    timeoutSeconds: 120,
    dependsOn: plannedHosts(ctx).map((h) => `preflight/${h.name}`),
  });
}

export const osPrepSteps = (ctx: PlanContext): PlanStep[] => plannedHosts(ctx).map((h) => osPrepStep(ctx, h));
