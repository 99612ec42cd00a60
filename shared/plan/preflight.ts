import type { Host } from '../model/cluster';
import type { PlanContext } from './context';
import { isControlPlane, plannedHosts, requiredTcpPorts } from './roles';
import { FAIL_FUNCTION, bashScript, shq, writeOutput } from './shell';
import { step } from './step';
import type { PlanStep } from './types';

/** Processes allowed to hold a required port: when re-running over a half-built cluster. */
const OWN_PROCESSES = 'kube-apiserver|etcd|kubelet|kube-controller|kube-scheduler|kube-proxy|haproxy|nginx';

function distroCheck(family: 'debian' | 'rhel'): string[] {
  return [
    '# shellcheck disable=SC1091 # /etc/os-release exists on every distribution we support',
    '. /etc/os-release',
    'like=" ${ID:-} ${ID_LIKE:-} "',
    family === 'debian'
      ? `case "$like" in *" debian "*|*" ubuntu "*) ;; *) fail "expected Debian or Ubuntu, found \${PRETTY_NAME:-unknown}" ;; esac`
      : `case "$like" in *" rhel "*|*" fedora "*|*" centos "*|*" rocky "*|*" almalinux "*) ;; *) fail "expected a RHEL-family distribution, found \${PRETTY_NAME:-unknown}" ;; esac`,
  ];
}

const isNode = (ctx: PlanContext, host: Host): boolean => ctx.nodes.some((n) => n.name === host.name);

/**
 * The kubelet refuses cgroup v1 since 1.35 (failCgroupV1 defaults to true): a node on cgroup v1
 * would install everything and then fail at kubeadm init/join. Found here, before anything changes.
 */
function cgroupLines(ctx: PlanContext): string[] {
  const allowed = ctx.project.spec.kubelet.allowCgroupV1;
  return [
    'cgroupfs=$(stat -fc %T /sys/fs/cgroup 2>/dev/null || echo unknown)',
    'if [ "$cgroupfs" = cgroup2fs ]; then',
    '  echo "keelson: cgroup v2 (unified hierarchy)"',
    'else',
    allowed
      ? '  warn "cgroup v1 (/sys/fs/cgroup is $cgroupfs): allowed by spec.kubelet.allowCgroupV1, which is deprecated — the kubelet runs with failCgroupV1: false and kubeadm skips its SystemVerification check"'
      : '  fail "cgroup v1 (/sys/fs/cgroup is $cgroupfs): the kubelet of Kubernetes 1.35 and newer refuses to start on it. Boot the host with cgroup v2 (kernel argument systemd.unified_cgroup_hierarchy=1, e.g. grubby --update-kernel=ALL --args=systemd.unified_cgroup_hierarchy=1 on RHEL 8, then reboot), or set spec.kubelet.allowCgroupV1: true (deprecated)"',
    'fi',
  ];
}

export function preflightScript(ctx: PlanContext, host: Host): string {
  const family = ctx.os(host);
  const ports = requiredTcpPorts(ctx, host);
  const commands = ['systemctl', 'ip', 'ss', 'awk', 'sed', 'grep', 'install', 'tee'];
  return bashScript(
    FAIL_FUNCTION,
    'warn() { echo "keelson: warning: $*" >&2; }',
    '[ "$(id -u)" -eq 0 ] || fail "steps must run as root (the executor uses sudo for non-root users)"',
    ...distroCheck(family),
    `commands=(${commands.map(shq).join(' ')})`,
    'for cmd in "${commands[@]}"; do',
    '  command -v "$cmd" >/dev/null 2>&1 || fail "required command $cmd is missing"',
    'done',
    'command -v curl >/dev/null 2>&1 || warn "curl is missing: the package step installs it"',
    `address=${shq(host.address)}`,
    // Matched on captured output: `cmd | grep -q` under pipefail fails when cmd dies of SIGPIPE.
    'addresses=$(ip -o addr show)',
    // The address is data for awk (ENVIRON), matched as a literal prefix, never a regex.
    'address="$address" awk \'index($4, ENVIRON["address"] "/") == 1 { found = 1 } END { exit !found }\' <<<"$addresses" || fail "address ${address} is not configured on this host"',
    isControlPlane(host) && [
      'cpus=$(nproc)',
      '[ "$cpus" -ge 2 ] || fail "control planes need at least 2 CPUs, found $cpus"',
      "mem_mb=$(awk '/^MemTotal:/ {print int($2 / 1024)}' /proc/meminfo)",
      '[ "$mem_mb" -ge 1700 ] || fail "control planes need at least 1700 MB of memory, found ${mem_mb} MB"',
    ],
    isNode(ctx, host) && cgroupLines(ctx),
    "swap_kb=$(awk 'NR > 1 {sum += $3} END {print sum + 0}' /proc/swaps)",
    '[ "$swap_kb" -eq 0 ] || echo "keelson: swap in use (${swap_kb} kB): os-prep turns it off"',
    `ports=(${ports.map(shq).join(' ')})`,
    'for port in "${ports[@]}"; do',
    '  holder=$(ss -Htlnp "( sport = :${port} )" 2>/dev/null || true)',
    '  [ -z "$holder" ] && continue',
    `  if grep -Eq ${shq(`"(${OWN_PROCESSES})`)} <<<"$holder"; then`,
    '    echo "keelson: port ${port} already held by a Kubernetes/LB process (re-run)"',
    '  else',
    '    fail "TCP port ${port} is in use: $holder"',
    '  fi',
    'done',
    'if command -v timedatectl >/dev/null 2>&1; then',
    '  synced=$(timedatectl show -p NTPSynchronized --value 2>/dev/null || echo unknown)',
    '  [ "$synced" = yes ] || warn "clock not NTP-synchronized ($synced): certificates and etcd need synced clocks"',
    'else',
    '  warn "timedatectl not found: cannot tell whether the clock is synchronized"',
    'fi',
    // Values the executor compares across hosts: kubeadm nodes must not share these.
    ...writeOutput(`hostname.${host.name}`, '"$(hostname)"'),
    ...writeOutput(`machine-id.${host.name}`, '"$(cat /etc/machine-id)"'),
    'uuid=$(cat /sys/class/dmi/id/product_uuid 2>/dev/null || echo "unavailable-${address}")',
    ...writeOutput(`product-uuid.${host.name}`, '"$uuid"'),
    'iface=$(address="$address" awk \'index($4, ENVIRON["address"] "/") == 1 { print $2; exit }\' <<<"$addresses")',
    'mac=$(cat "/sys/class/net/${iface}/address" 2>/dev/null || true)',
    ...writeOutput(`mac.${host.name}`, '"$mac"'),
    'echo "keelson: preflight passed on $(hostname)"',
  );
}

export function preflightSteps(ctx: PlanContext): PlanStep[] {
  return plannedHosts(ctx).map((host) =>
    step({
      id: `preflight/${host.name}`,
      phase: 'preflight',
      host: host.name,
      description:
        `Check ${host.name} before touching anything: root, ${ctx.os(host) === 'debian' ? 'Debian/Ubuntu' : 'RHEL-family'} distribution, ` +
        `required commands, its address, ${isControlPlane(host) ? '≥2 CPUs and ≥1700 MB, ' : ''}swap, free ports ` +
        `${requiredTcpPorts(ctx, host).join(', ')}, time sync` +
        (isNode(ctx, host)
          ? ctx.project.spec.kubelet.allowCgroupV1
            ? ', cgroup version (v1 allowed, with a warning)'
            : ', cgroup v2 (the kubelet refuses v1)'
          : '') +
        '. Collects hostname, machine-id, product_uuid and MAC: ' +
        'the executor compares them across hosts and stops on a duplicate.',
      script: preflightScript(ctx, host),
      timeoutSeconds: 60,
      outputs: [
        {
          name: `hostname.${host.name}`,
          secret: false,
          description: 'hostname',
          uniqueAcrossHosts: 'hostname',
        },
        {
          name: `machine-id.${host.name}`,
          secret: false,
          description: '/etc/machine-id',
          uniqueAcrossHosts: 'machine-id',
        },
        {
          name: `product-uuid.${host.name}`,
          secret: false,
          description: 'DMI product_uuid',
          uniqueAcrossHosts: 'product-uuid',
        },
        {
          name: `mac.${host.name}`,
          secret: false,
          description: 'MAC of the interface holding the address',
          uniqueAcrossHosts: 'mac',
        },
      ],
    }),
  );
}
