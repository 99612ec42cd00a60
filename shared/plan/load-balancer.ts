import type { Host } from '../model/cluster';
import type { PlanContext } from './context';
import { haproxyConfig } from './haproxy';
import { CHECK_WEIGHT, keepalivedConfig, keepalivedPriority } from './keepalived';
import { KUBE_VIP_MANIFEST, kubeVipKubeconfig, kubeVipManifest } from './kube-vip';
import { NGINX_PACKAGES, nginxConfig } from './nginx';
import { installLines } from './packages';
import { FAIL_FUNCTION, bashScript, reloadOrStart, sameContent, shq } from './shell';
import { file, step } from './step';
import type { PlanStep } from './types';

/**
 * apt starts services as it installs them: with our config already in place that would run it
 * untested (and nginx's postinst fails if it cannot start). policy-rc.d holds starts back.
 */
function debianInstallWithoutStart(packages: string[]): string[] {
  return [
    'export DEBIAN_FRONTEND=noninteractive',
    'apt-get update -q',
    'own_policy=no',
    "if [ ! -e /usr/sbin/policy-rc.d ]; then printf '#!/bin/sh\\nexit 101\\n' > /usr/sbin/policy-rc.d; chmod 0755 /usr/sbin/policy-rc.d; own_policy=yes; fi",
    `apt-get install -y -q -o Dpkg::Options::=--force-confold ${packages.map(shq).join(' ')}`,
    'if [ "$own_policy" = yes ]; then rm -f /usr/sbin/policy-rc.d; fi',
  ];
}

function proxyStep(ctx: PlanContext, host: Host): PlanStep {
  const proxy = ctx.proxy!;
  const family = ctx.os(host);
  const haproxy = proxy.software === 'haproxy';
  const path = haproxy ? '/etc/haproxy/haproxy.cfg' : '/etc/nginx/nginx.conf';
  const content = haproxy
    ? haproxyConfig(ctx, proxy.port)
    : nginxConfig(ctx, family, proxy.listen, proxy.port);
  const service = haproxy ? 'haproxy' : 'nginx';
  const test = haproxy ? `haproxy -c -q -f ${shq(path)}` : `nginx -t -q -c ${shq(path)}`;
  const where = proxy.listen === 'loopback' ? `127.0.0.1:${proxy.port}` : `port ${proxy.port}`;
  // The executor writes our config before the script runs; the package must not replace it.
  const packages = haproxy ? ['haproxy'] : NGINX_PACKAGES[family];
  return step({
    id: `load-balancer/${service}/${host.name}`,
    phase: 'load-balancer',
    host: host.name,
    description:
      `${haproxy ? 'haproxy' : 'nginx stream'} on ${host.name}, ${where} → every control plane :6443` +
      (haproxy ? ' (TLS /healthz checks).' : ' (least_conn).') +
      (proxy.listen === 'loopback' ? ' Node-local: this node reaches the apiservers through it.' : ''),
    script: bashScript(
      FAIL_FUNCTION,
      `staged=${shq(`${path}.keelson`)}`,
      `cp ${shq(path)} "$staged"`,
      family === 'debian' ? debianInstallWithoutStart(packages) : installLines('rhel', packages),
      `cp "$staged" ${shq(path)}`,
      'rm -f "$staged"',
      `${test} || fail ${shq(`${path} does not pass ${haproxy ? 'haproxy -c' : 'nginx -t'}`)}`,
      reloadOrStart(service),
    ),
    files: [file(path, content, haproxy ? 'haproxy' : 'nginx')],
    check: bashScript(`systemctl is-active --quiet ${service}`, sameContent(path, content), test),
    timeoutSeconds: 300,
    dependsOn: [`os-prep/${host.name}`],
  });
}

function keepalivedStep(ctx: PlanContext, host: Host, index: number, previous: string | undefined): PlanStep {
  const ep = ctx.project.spec.apiEndpoint;
  const path = '/etc/keepalived/keepalived.conf';
  const family = ctx.os(host);
  const config = keepalivedConfig(ctx, host, ctx.proxy?.port ?? ep.port);
  const proxyStepId = ctx.proxy?.hosts.some((h) => h.name === host.name)
    ? `load-balancer/${ctx.proxy.software}/${host.name}`
    : undefined;
  return step({
    id: `load-balancer/keepalived/${host.name}`,
    phase: 'load-balancer',
    host: host.name,
    description:
      `keepalived on ${host.name}: ${index === 0 ? 'MASTER' : 'BACKUP'} priority ${keepalivedPriority(index)} for VIP ${ep.vip} ` +
      `(virtual_router_id ${ep.vrrp.routerId}, ${ep.vrrp.unicast ? 'unicast peers' : 'multicast'}), check_apiserver through ` +
      `localhost:${ctx.proxy?.port ?? ep.port} every 3 s, weight ${CHECK_WEIGHT}.` +
      (index === 0 ? ' Started first; the others wait until the VIP answers here.' : ''),
    script: bashScript(
      FAIL_FUNCTION,
      `staged=${shq(`${path}.keelson`)}`,
      `cp ${shq(path)} "$staged"`,
      family === 'debian'
        ? debianInstallWithoutStart(['keepalived', 'curl'])
        : installLines('rhel', ['keepalived', 'curl']),
      `cp "$staged" ${shq(path)}`,
      'rm -f "$staged"',
      `keepalived -t -f ${shq(path)} || fail 'keepalived.conf does not pass keepalived -t'`,
      reloadOrStart('keepalived'),
      index === 0
        ? [
            `vip=${shq(ep.vip!)}`,
            '# The MASTER holds the VIP even before any apiserver exists: the check only lowers its priority.',
            // Read all of ip's output before matching: `ip | grep -q` under pipefail fails at random
            // when grep stops at the match and ip dies of SIGPIPE (seen in CI).
            'vip_here() { [[ "$(ip -o addr show)" == *" ${vip}/"* ]]; }',
            'for _ in $(seq 1 30); do vip_here && break; sleep 1; done',
            'if ! vip_here; then',
            '  # Say why: the VRRP state changes and errors keepalived logged are what an admin needs.',
            '  journalctl -u keepalived -n 40 --no-pager -o short-precise >&2 || true',
            '  echo "keelson: now $(date +%T.%N); addresses here:" >&2',
            '  ip -o addr show >&2 || true',
            '  fail "VIP ${vip} did not come up on this host within 30 s (keepalived log above)"',
            'fi',
          ]
        : [],
    ),
    files: [file(path, config, 'keepalived', '0600')],
    check: bashScript(
      'systemctl is-active --quiet keepalived',
      sameContent(path, config),
      `keepalived -t -f ${shq(path)}`,
    ),
    timeoutSeconds: 300,
    dependsOn: [
      `os-prep/${host.name}`,
      ...(proxyStepId ? [proxyStepId] : []),
      ...(previous ? [previous] : []),
    ],
  });
}

function kubeVipStep(ctx: PlanContext, host: Host): PlanStep {
  return step({
    id: `load-balancer/kube-vip/${host.name}`,
    phase: 'load-balancer',
    host: host.name,
    description:
      `kube-vip static pod on ${host.name} (ARP, leader election) for VIP ${ctx.project.spec.apiEndpoint.vip}; ` +
      `kubeconfig ${kubeVipKubeconfig(ctx, host)}` +
      (kubeVipKubeconfig(ctx, host).includes('super-admin')
        ? ' during init, switched to admin.conf right after.'
        : '.'),
    script: bashScript(
      `test -s ${shq(KUBE_VIP_MANIFEST)}`,
      'echo "keelson: kube-vip manifest in place; kubelet starts it with the control plane"',
    ),
    files: [file(KUBE_VIP_MANIFEST, kubeVipManifest(ctx, host), 'yaml', '0600')],
    check: bashScript(`test -s ${shq(KUBE_VIP_MANIFEST)}`),
    timeoutSeconds: 30,
    dependsOn: [`kubernetes-packages/${host.name}`],
  });
}

export function loadBalancerSteps(ctx: PlanContext): PlanStep[] {
  const ep = ctx.project.spec.apiEndpoint;
  if (ep.pattern === 'kube-vip') return ctx.controlPlanes.map((h) => kubeVipStep(ctx, h));
  if (ep.pattern === 'external') {
    return [
      step({
        id: `load-balancer/external/${ctx.firstControlPlane.name}`,
        phase: 'load-balancer',
        host: ctx.firstControlPlane.name,
        description: `Check that the external load balancer ${ctx.endpoint.host}:${ctx.endpoint.port} resolves and accepts TCP (Keelson does not manage it; it must forward to every control plane :6443).`,
        script: bashScript(
          `host=${shq(ctx.endpoint.host)}`,
          `port=${shq(ctx.endpoint.port)}`,
          'getent hosts "$host" >/dev/null || [[ "$host" =~ ^[0-9.]+$|: ]] || { echo "keelson: $host does not resolve" >&2; exit 1; }',
          '# shellcheck disable=SC2016 # $1 and $2 expand in the inner bash, which gets host and port as arguments',
          'if timeout 5 bash -c \'exec 3<>"/dev/tcp/$1/$2"\' _ "$host" "$port" 2>/dev/null; then',
          '  echo "keelson: $host:$port accepts connections"',
          'else',
          '  echo "keelson: warning: $host:$port refuses connections; fine if it only accepts when a backend is up" >&2',
          'fi',
        ),
        timeoutSeconds: 30,
        dependsOn: [`os-prep/${ctx.firstControlPlane.name}`],
      }),
    ];
  }
  const steps: PlanStep[] = (ctx.proxy?.hosts ?? []).map((h) => proxyStep(ctx, h));
  // Start the MASTER first and wait for its VIP; the BACKUPs follow (field pattern 3).
  const master = ctx.keepalivedHosts[0];
  ctx.keepalivedHosts.forEach((h, i) =>
    steps.push(
      keepalivedStep(ctx, h, i, i > 0 && master ? `load-balancer/keepalived/${master.name}` : undefined),
    ),
  );
  return steps;
}
