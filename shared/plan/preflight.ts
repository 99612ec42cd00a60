import type { Host } from '../model/cluster';
import type { PlanContext } from './context';
import { firstAddressOf } from '../validation/ip';
import { isControlPlane, isNode, plannedHosts, requiredTcpPorts } from './roles';
import { FAIL_FUNCTION, bashScript, shq, writeOutput } from './shell';
import { step } from './step';
import type { PlanStep } from './types';

/** Processes allowed to hold a required port: when re-running over a half-built cluster. */
const OWN_PROCESSES = 'kube-apiserver|etcd|kubelet|kube-controller|kube-scheduler|kube-proxy|haproxy|nginx';

/**
 * Every check reports one line `keelson-check: ID STATUS — WHAT | fix: HOW` (STATUS green, amber
 * or red) and goes on, so one run names every problem of the host, not just the first. The same
 * script is the deploy's preflight step (a red check fails it at the end, after all were
 * reported) and `keelson check`'s host check (which reads the lines: shared/check/report.ts).
 * Reds and ambers also print `keelson: …` lines, which the deploy's error and hints read.
 */
const REPORT_FUNCTIONS = [
  'red=0',
  'first_red=""',
  'report() {',
  '  local fix=""',
  '  [ -n "${4:-}" ] && fix=" | fix: $4"',
  '  printf \'keelson-check: %s %s — %s%s\\n\' "$1" "$2" "${3//$\'\\n\'/ }" "${fix//$\'\\n\'/ }"',
  '  case "$2" in',
  '    red) red=$((red + 1)); [ -n "$first_red" ] || first_red=$3; echo "keelson: $3" >&2 ;;',
  '    amber) echo "keelson: warning: $3" >&2 ;;',
  '  esac',
  '}',
];

/** Release major versions the plan's package steps are written for; others are amber ("not tested"). */
const SUPPORTED = { debian: ['12', '13'], ubuntu: ['22.04', '24.04', '26.04'], rhel: ['8', '9', '10'] };

function distroLines(family: 'debian' | 'rhel'): string[] {
  const versions = (list: string[]) => list.map((v) => `" ${v} "`).join('|');
  return [
    '# shellcheck disable=SC1091 # /etc/os-release exists on every distribution we support',
    '. /etc/os-release',
    'like=" ${ID:-} ${ID_LIKE:-} "',
    'os_name=${PRETTY_NAME:-unknown}',
    'ver=${VERSION_ID:-}',
    family === 'debian'
      ? [
          'case "$like" in',
          '  *" ubuntu "*) case " $ver " in ' +
            `${versions(SUPPORTED.ubuntu)}) report os green "$os_name" ;; *) report os amber "$os_name: Keelson's packages are tested on Ubuntu ${SUPPORTED.ubuntu.join(', ')}" "use a tested release, or expect to check the package steps yourself" ;; esac ;;`,
          '  *" debian "*) case " ${ver%%.*} " in ' +
            `${versions(SUPPORTED.debian)}) report os green "$os_name" ;; *) report os amber "$os_name: Keelson's packages are tested on Debian ${SUPPORTED.debian.join(', ')}" "use a tested release, or expect to check the package steps yourself" ;; esac ;;`,
          '  *) report os red "expected Debian or Ubuntu, found $os_name" "set the host\'s OS to rhel in the design if it is RHEL-family, or use Debian/Ubuntu" ;;',
          'esac',
        ]
      : [
          'case "$like" in',
          '  *" rhel "*|*" fedora "*|*" centos "*|*" rocky "*|*" almalinux "*) case " ${ver%%.*} " in ' +
            `${versions(SUPPORTED.rhel)}) report os green "$os_name" ;; *) report os amber "$os_name: Keelson's packages are tested on RHEL-family ${SUPPORTED.rhel.join(', ')}" "use a tested release, or expect to check the package steps yourself" ;; esac ;;`,
          '  *) report os red "expected a RHEL-family distribution, found $os_name" "set the host\'s OS to debian in the design if it is Debian/Ubuntu, or use a RHEL-family release" ;;',
          'esac',
        ],
    'machine=$(uname -m)',
    'case "$machine" in',
    '  x86_64|aarch64|ppc64le|s390x) report arch green "$machine" ;;',
    '  *) report arch red "architecture $machine: Kubernetes packages exist for x86_64, aarch64, ppc64le and s390x" "use a host of a supported architecture" ;;',
    'esac',
  ].flat();
}

/**
 * The kubelet refuses cgroup v1 since 1.35 (failCgroupV1 defaults to true): a node on cgroup v1
 * would install everything and then fail at kubeadm init/join. Found here, before anything changes.
 */
function cgroupLines(ctx: PlanContext): string[] {
  const allowed = ctx.project.spec.kubelet.allowCgroupV1;
  return [
    'cgroupfs=$(stat -fc %T /sys/fs/cgroup 2>/dev/null || echo unknown)',
    'if [ "$cgroupfs" = cgroup2fs ]; then',
    '  report cgroup green "cgroup v2 (unified hierarchy)"',
    'else',
    allowed
      ? '  report cgroup amber "cgroup v1 (/sys/fs/cgroup is $cgroupfs): allowed by spec.kubelet.allowCgroupV1, which is deprecated — the kubelet runs with failCgroupV1: false and kubeadm skips its SystemVerification check" "boot the host with cgroup v2 (systemd.unified_cgroup_hierarchy=1)"'
      : '  report cgroup red "cgroup v1 (/sys/fs/cgroup is $cgroupfs): the kubelet of Kubernetes 1.35 and newer refuses to start on it" "boot the host with cgroup v2 (kernel argument systemd.unified_cgroup_hierarchy=1, e.g. grubby --update-kernel=ALL --args=systemd.unified_cgroup_hierarchy=1 on RHEL 8, then reboot), or set spec.kubelet.allowCgroupV1: true (deprecated)"',
    'fi',
  ];
}

/**
 * A packet to a Service address needs a route before kube-proxy's DNAT rewrites it: on a host
 * without a default route (common on air-gapped sites) everything installs, then Flannel, CoreDNS
 * and every pod dialling 10.96.0.1 fail "network is unreachable". Seen on the first real cluster.
 */
function serviceRouteLines(ctx: PlanContext): string[] {
  const service = firstAddressOf(ctx.project.spec.networking.serviceCidr);
  if (!service) return [];
  return [
    `service_ip=${shq(service)}`,
    `service_cidr=${shq(ctx.project.spec.networking.serviceCidr)}`,
    'if ip route get "$service_ip" >/dev/null 2>&1; then report service-route green "a route to the Service network (${service_ip})"',
    'else report service-route red "no route to the Service network (${service_ip}): without a default route or a route covering ${service_cidr}, pods and kube-proxy cannot reach Services" "give the host a default route (an air-gapped site can point it at its own router), or a route covering ${service_cidr}"; fi',
  ];
}

/**
 * CoreDNS forwards names outside the cluster to the nameservers of the node it runs on, and exits
 * "no valid upstream addresses found" when there are none (seen on the first real lab cluster):
 * the cluster installs, and then DNS never comes up. kubeadm points the kubelet at systemd-resolved's
 * own file when /etc/resolv.conf names only its stub (127.0.0.53), so that file is the one read.
 */
function nameserverLines(): string[] {
  return [
    'resolv=/etc/resolv.conf',
    'if awk \'$1 == "nameserver" && $2 != "127.0.0.53" { found = 1 } END { exit found }\' /etc/resolv.conf 2>/dev/null && [ -f /run/systemd/resolve/resolv.conf ]; then resolv=/run/systemd/resolve/resolv.conf; fi',
    'nameserver=$(awk \'$1 == "nameserver" { print $2; exit }\' "$resolv" 2>/dev/null || true)',
    'if [ -n "$nameserver" ]; then report nameserver green "${nameserver} (${resolv})"',
    'else report nameserver red "${resolv} names no nameserver: CoreDNS forwards outside names to the node\'s nameservers and exits \\"no valid upstream addresses\\" without one" "add a nameserver line to ${resolv} (the site\'s DNS server; on an air-gapped site any address that answers DNS, or the site router)"; fi',
  ];
}

function resourceLines(ctx: PlanContext, host: Host): string[] {
  const cp = isControlPlane(host);
  if (!cp && !isNode(ctx, host)) return [];
  // kubeadm's own minimums: 2 CPUs and 1700 MB on a control plane (its NumCPU and Mem checks).
  const [minCpu, minMb, level] = cp ? [2, 1700, 'red'] : [1, 1024, 'amber'];
  const who = cp ? 'control planes' : 'workers';
  return [
    'cpus=$(nproc)',
    "mem_mb=$(awk '/^MemTotal:/ {print int($2 / 1024)}' /proc/meminfo)",
    `if [ "$cpus" -lt ${minCpu} ]; then report cpu-memory ${level} "${who} need at least ${minCpu} CPU${minCpu > 1 ? 's' : ''}, found $cpus" "give the host more CPUs"`,
    `elif [ "$mem_mb" -lt ${minMb} ]; then report cpu-memory ${level} "${who} need at least ${minMb} MB of memory, found \${mem_mb} MB" "give the host more memory"`,
    'else report cpu-memory green "$cpus CPUs, ${mem_mb} MB"; fi',
  ];
}

function swapLines(): string[] {
  return [
    "swap_kb=$(awk 'NR > 1 {sum += $3} END {print sum + 0}' /proc/swaps)",
    // fstab swap lines that are not commented out come back at the next boot.
    "fstab_swap=$(awk '$1 !~ /^#/ && $3 == \"swap\" {print $1}' /etc/fstab 2>/dev/null | tr '\\n' ' ')",
    'if [ "$swap_kb" -ne 0 ]; then report swap amber "swap in use (${swap_kb} kB): the kubelet refuses to run with swap on" "os-prep turns it off (swapoff -a) and comments it out of /etc/fstab; or do that yourself"',
    'elif [ -n "$fstab_swap" ]; then report swap amber "swap is off but /etc/fstab still has ${fstab_swap% }: it comes back at the next reboot" "os-prep comments it out of /etc/fstab; or remove the line yourself"',
    'else report swap green "no swap"; fi',
  ];
}

/** overlay and br_netfilter (and IPVS with kube-proxy ipvs): present, or a module os-prep can load. */
function kernelLines(ctx: PlanContext): string[] {
  const ipvs = ctx.project.spec.networking.kubeProxyMode === 'ipvs';
  return [
    'kver=$(uname -r)',
    'module_file() { [ -n "$(find "/lib/modules/$kver" -name "$1.ko*" -print -quit 2>/dev/null)" ]; }',
    'missing=""',
    'grep -qw overlay /proc/filesystems || module_file overlay || missing="$missing overlay"',
    '[ -e /proc/sys/net/bridge/bridge-nf-call-iptables ] || module_file br_netfilter || missing="$missing br_netfilter"',
    ipvs ? '[ -e /proc/net/ip_vs ] || module_file ip_vs || missing="$missing ip_vs"' : '',
    'if [ -n "$missing" ]; then report kernel red "kernel $kver lacks${missing} (neither loaded, built in, nor a module under /lib/modules/$kver)" "install the kernel\'s extra modules package (e.g. linux-modules-extra-$kver) or boot a kernel that has them"',
    `else report kernel green "overlay, br_netfilter${ipvs ? ', ip_vs' : ''} available (kernel $kver)"; fi`,
  ].filter(Boolean);
}

function portLines(ports: number[]): string[] {
  return [
    `ports=(${ports.map(shq).join(' ')})`,
    'busy=""',
    'for port in "${ports[@]}"; do',
    '  holder=$(ss -Htlnp "( sport = :${port} )" 2>/dev/null || true)',
    '  [ -z "$holder" ] && continue',
    `  if grep -Eq ${shq(`"(${OWN_PROCESSES})`)} <<<"$holder"; then`,
    '    report ports amber "port ${port} already held by a Kubernetes/LB process (a re-run?): $holder" "nothing, if this host was deployed by Keelson before; otherwise kubeadm reset -f and stop that service"',
    '  else',
    '    busy="$busy $port"',
    '    report ports red "TCP port ${port} is in use: $holder" "stop the process that holds it (ss -tlnp \'sport = :${port}\'), or move it to another port"',
    '  fi',
    'done',
    `[ -n "$busy" ] || report ports green ${shq(`free: ${ports.join(', ')}`)}`,
  ];
}

/** A container runtime or Kubernetes already on the host: amber — Keelson configures over it, kubeadm does not. */
function leftoverLines(): string[] {
  return [
    'found=""',
    'for bin in containerd dockerd crio kubelet kubeadm; do command -v "$bin" >/dev/null 2>&1 && found="$found $bin"; done',
    'for f in /etc/kubernetes/manifests/kube-apiserver.yaml /etc/kubernetes/kubelet.conf /var/lib/etcd/member; do [ -e "$f" ] && found="$found $f"; done',
    'if [ -n "$found" ]; then report leftovers amber "already here:${found}" "a host Keelson deployed before: nothing to do; an old cluster: kubeadm reset -f, then remove /etc/kubernetes and /var/lib/etcd; another runtime (docker, cri-o): remove it"',
    'else report leftovers green "no container runtime or Kubernetes yet"; fi',
  ];
}

/** Images and etcd live under /var: kubelet evicts below ~10 % free, image pulls need a few GB. */
function diskLines(): string[] {
  return [
    "var_gb=$(df -Pk /var | awk 'NR == 2 {print int($4 / 1048576)}')",
    'if [ "$var_gb" -lt 4 ]; then report disk red "only ${var_gb} GB free in /var: images, etcd and logs need several GB" "free space or grow /var to at least 20 GB"',
    'elif [ "$var_gb" -lt 20 ]; then report disk amber "${var_gb} GB free in /var: enough to install, tight for images over time" "grow /var to at least 20 GB"',
    'else report disk green "${var_gb} GB free in /var"; fi',
  ];
}

export function preflightScript(ctx: PlanContext, host: Host): string {
  const family = ctx.os(host);
  const ports = requiredTcpPorts(ctx, host);
  const node = isNode(ctx, host);
  const commands = ['systemctl', 'ip', 'ss', 'awk', 'sed', 'grep', 'install', 'tee'];
  return bashScript(
    FAIL_FUNCTION,
    'warn() { echo "keelson: warning: $*" >&2; }',
    ...REPORT_FUNCTIONS,
    '[ "$(id -u)" -eq 0 ] || fail "steps must run as root (the executor uses sudo for non-root users)"',
    ...distroLines(family),
    `commands=(${commands.map(shq).join(' ')})`,
    'absent=""',
    'for cmd in "${commands[@]}"; do',
    '  command -v "$cmd" >/dev/null 2>&1 || absent="$absent $cmd"',
    'done',
    'if [ -n "$absent" ]; then report commands red "required command(s) missing:$absent" "install them (iproute2 has ip and ss; coreutils, gawk/mawk, sed, grep)"',
    'else report commands green "all present"; fi',
    'command -v curl >/dev/null 2>&1 || warn "curl is missing: the package step installs it"',
    `address=${shq(host.address)}`,
    // Matched on captured output: `cmd | grep -q` under pipefail fails when cmd dies of SIGPIPE.
    'addresses=$(ip -o addr show)',
    // The address is data for awk (ENVIRON), matched as a literal prefix, never a regex.
    'if address="$address" awk \'index($4, ENVIRON["address"] "/") == 1 { found = 1 } END { exit !found }\' <<<"$addresses"; then report address green "${address} is configured here"',
    'else report address red "address ${address} is not configured on this host" "correct the host\'s address in the design, or check you reached the right machine"; fi',
    ...resourceLines(ctx, host),
    node && cgroupLines(ctx),
    node && serviceRouteLines(ctx),
    node && nameserverLines(),
    node && swapLines(),
    node && kernelLines(ctx),
    ...portLines(ports),
    node && leftoverLines(),
    node && diskLines(),
    'if command -v timedatectl >/dev/null 2>&1; then',
    '  synced=$(timedatectl show -p NTPSynchronized --value 2>/dev/null || echo unknown)',
    '  if [ "$synced" = yes ]; then report time-sync green "NTP-synchronized"',
    '  else report time-sync amber "clock not NTP-synchronized ($synced): certificates and etcd need synced clocks" "enable time sync (systemctl enable --now systemd-timesyncd or chronyd)"; fi',
    'else',
    '  report time-sync amber "timedatectl not found: cannot tell whether the clock is synchronized" "make sure chrony or ntpd keeps the clock synchronized"',
    'fi',
    // Values the executor compares across hosts: kubeadm nodes must not share these.
    ...writeOutput(`hostname.${host.name}`, '"$(hostname)"'),
    ...writeOutput(`machine-id.${host.name}`, '"$(cat /etc/machine-id)"'),
    'uuid=$(cat /sys/class/dmi/id/product_uuid 2>/dev/null || echo "unavailable-${address}")',
    ...writeOutput(`product-uuid.${host.name}`, '"$uuid"'),
    'iface=$(address="$address" awk \'index($4, ENVIRON["address"] "/") == 1 { print $2; exit }\' <<<"$addresses")',
    'mac=$(cat "/sys/class/net/${iface}/address" 2>/dev/null || true)',
    ...writeOutput(`mac.${host.name}`, '"$mac"'),
    '[ "$red" -le 1 ] || first_red="$first_red (and $((red - 1)) more problem(s): see the keelson-check lines)"',
    '[ "$red" -eq 0 ] || fail "$first_red"',
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
        `Check ${host.name} before touching anything (read-only; every check reported, the step fails at the end on any red): ` +
        `root, ${ctx.os(host) === 'debian' ? 'Debian/Ubuntu' : 'RHEL-family'} release, architecture, ` +
        `required commands, its address, ${isControlPlane(host) ? '≥2 CPUs and ≥1700 MB, ' : ''}` +
        (isNode(ctx, host)
          ? (ctx.project.spec.kubelet.allowCgroupV1
              ? 'cgroup version (v1 allowed, with a warning), '
              : 'cgroup v2 (the kubelet refuses v1), ') +
            'a route to the Service network, swap, kernel features, '
          : '') +
        `free ports ${requiredTcpPorts(ctx, host).join(', ')}, ` +
        (isNode(ctx, host) ? 'container runtime or Kubernetes leftovers, disk space in /var, ' : '') +
        'time sync. Collects hostname, machine-id, product_uuid and MAC: ' +
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
