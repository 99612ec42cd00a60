#!/usr/bin/env bash
set -euo pipefail
fail() { echo "keelson: $*" >&2; exit 1; }
warn() { echo "keelson: warning: $*" >&2; }
red=0
first_red=""
report() {
  local fix=""
  [ -n "${4:-}" ] && fix=" | fix: $4"
  printf 'keelson-check: %s %s — %s%s\n' "$1" "$2" "${3//$'\n'/ }" "${fix//$'\n'/ }"
  case "$2" in
    red) red=$((red + 1)); [ -n "$first_red" ] || first_red=$3; echo "keelson: $3" >&2 ;;
    amber) echo "keelson: warning: $3" >&2 ;;
  esac
}
[ "$(id -u)" -eq 0 ] || fail "steps must run as root (the executor uses sudo for non-root users)"
# shellcheck disable=SC1091 # /etc/os-release exists on every distribution we support
. /etc/os-release
like=" ${ID:-} ${ID_LIKE:-} "
os_name=${PRETTY_NAME:-unknown}
ver=${VERSION_ID:-}
case "$like" in
  *" ubuntu "*) case " $ver " in " 22.04 "|" 24.04 "|" 26.04 ") report os green "$os_name" ;; *) report os amber "$os_name: Keelson's packages are tested on Ubuntu 22.04, 24.04, 26.04" "use a tested release, or expect to check the package steps yourself" ;; esac ;;
  *" debian "*) case " ${ver%%.*} " in " 12 "|" 13 ") report os green "$os_name" ;; *) report os amber "$os_name: Keelson's packages are tested on Debian 12, 13" "use a tested release, or expect to check the package steps yourself" ;; esac ;;
  *) report os red "expected Debian or Ubuntu, found $os_name" "set the host's OS to rhel in the design if it is RHEL-family, or use Debian/Ubuntu" ;;
esac
machine=$(uname -m)
case "$machine" in
  x86_64|aarch64|ppc64le|s390x) report arch green "$machine" ;;
  *) report arch red "architecture $machine: Kubernetes packages exist for x86_64, aarch64, ppc64le and s390x" "use a host of a supported architecture" ;;
esac
commands=('systemctl' 'ip' 'ss' 'awk' 'sed' 'grep' 'install' 'tee')
absent=""
for cmd in "${commands[@]}"; do
  command -v "$cmd" >/dev/null 2>&1 || absent="$absent $cmd"
done
if [ -n "$absent" ]; then report commands red "required command(s) missing:$absent" "install them (iproute2 has ip and ss; coreutils, gawk/mawk, sed, grep)"
else report commands green "all present"; fi
command -v curl >/dev/null 2>&1 || warn "curl is missing: the package step installs it"
address='10.77.0.21'
addresses=$(ip -o addr show)
if address="$address" awk 'index($4, ENVIRON["address"] "/") == 1 { found = 1 } END { exit !found }' <<<"$addresses"; then report address green "${address} is configured here"
else report address red "address ${address} is not configured on this host" "correct the host's address in the design, or check you reached the right machine"; fi
cpus=$(nproc)
mem_mb=$(awk '/^MemTotal:/ {print int($2 / 1024)}' /proc/meminfo)
if [ "$cpus" -lt 1 ]; then report cpu-memory amber "workers need at least 1 CPU, found $cpus" "give the host more CPUs"
elif [ "$mem_mb" -lt 1024 ]; then report cpu-memory amber "workers need at least 1024 MB of memory, found ${mem_mb} MB" "give the host more memory"
else report cpu-memory green "$cpus CPUs, ${mem_mb} MB"; fi
cgroupfs=$(stat -fc %T /sys/fs/cgroup 2>/dev/null || echo unknown)
if [ "$cgroupfs" = cgroup2fs ]; then
  report cgroup green "cgroup v2 (unified hierarchy)"
else
  report cgroup red "cgroup v1 (/sys/fs/cgroup is $cgroupfs): the kubelet of Kubernetes 1.35 and newer refuses to start on it" "boot the host with cgroup v2 (kernel argument systemd.unified_cgroup_hierarchy=1, e.g. grubby --update-kernel=ALL --args=systemd.unified_cgroup_hierarchy=1 on RHEL 8, then reboot), or set spec.kubelet.allowCgroupV1: true (deprecated)"
fi
service_ip='10.96.0.1'
service_cidr='10.96.0.0/12'
if ip route get "$service_ip" >/dev/null 2>&1; then report service-route green "a route to the Service network (${service_ip})"
else report service-route red "no route to the Service network (${service_ip}): without a default route or a route covering ${service_cidr}, pods and kube-proxy cannot reach Services" "give the host a default route (an air-gapped site can point it at its own router), or a route covering ${service_cidr}"; fi
resolv=/etc/resolv.conf
if awk '$1 == "nameserver" && $2 != "127.0.0.53" { found = 1 } END { exit found }' /etc/resolv.conf 2>/dev/null && [ -f /run/systemd/resolve/resolv.conf ]; then resolv=/run/systemd/resolve/resolv.conf; fi
nameserver=$(awk '$1 == "nameserver" { print $2; exit }' "$resolv" 2>/dev/null || true)
if [ -n "$nameserver" ]; then report nameserver green "${nameserver} (${resolv})"
else report nameserver red "${resolv} names no nameserver: CoreDNS forwards outside names to the node's nameservers and exits \"no valid upstream addresses\" without one" "add a nameserver line to ${resolv} (the site's DNS server; on an air-gapped site any address that answers DNS, or the site router)"; fi
swap_kb=$(awk 'NR > 1 {sum += $3} END {print sum + 0}' /proc/swaps)
fstab_swap=$(awk '$1 !~ /^#/ && $3 == "swap" {print $1}' /etc/fstab 2>/dev/null | tr '\n' ' ')
if [ "$swap_kb" -ne 0 ]; then report swap amber "swap in use (${swap_kb} kB): the kubelet refuses to run with swap on" "os-prep turns it off (swapoff -a) and comments it out of /etc/fstab; or do that yourself"
elif [ -n "$fstab_swap" ]; then report swap amber "swap is off but /etc/fstab still has ${fstab_swap% }: it comes back at the next reboot" "os-prep comments it out of /etc/fstab; or remove the line yourself"
else report swap green "no swap"; fi
kver=$(uname -r)
module_file() { [ -n "$(find "/lib/modules/$kver" -name "$1.ko*" -print -quit 2>/dev/null)" ]; }
missing=""
grep -qw overlay /proc/filesystems || module_file overlay || missing="$missing overlay"
[ -e /proc/sys/net/bridge/bridge-nf-call-iptables ] || module_file br_netfilter || missing="$missing br_netfilter"
if [ -n "$missing" ]; then report kernel red "kernel $kver lacks${missing} (neither loaded, built in, nor a module under /lib/modules/$kver)" "install the kernel's extra modules package (e.g. linux-modules-extra-$kver) or boot a kernel that has them"
else report kernel green "overlay, br_netfilter available (kernel $kver)"; fi
ports=('10250' '10256')
busy=""
for port in "${ports[@]}"; do
  holder=$(ss -Htlnp "( sport = :${port} )" 2>/dev/null || true)
  [ -z "$holder" ] && continue
  if grep -Eq '"(kube-apiserver|etcd|kubelet|kube-controller|kube-scheduler|kube-proxy|haproxy|nginx)' <<<"$holder"; then
    report ports amber "port ${port} already held by a Kubernetes/LB process (a re-run?): $holder" "nothing, if this host was deployed by Keelson before; otherwise kubeadm reset -f and stop that service"
  else
    busy="$busy $port"
    report ports red "TCP port ${port} is in use: $holder" "stop the process that holds it (ss -tlnp 'sport = :${port}'), or move it to another port"
  fi
done
[ -n "$busy" ] || report ports green 'free: 10250, 10256'
found=""
for bin in containerd dockerd crio kubelet kubeadm; do command -v "$bin" >/dev/null 2>&1 && found="$found $bin"; done
for f in /etc/kubernetes/manifests/kube-apiserver.yaml /etc/kubernetes/kubelet.conf /var/lib/etcd/member; do [ -e "$f" ] && found="$found $f"; done
if [ -n "$found" ]; then report leftovers amber "already here:${found}" "a host Keelson deployed before: nothing to do; an old cluster: kubeadm reset -f, then remove /etc/kubernetes and /var/lib/etcd; another runtime (docker, cri-o): remove it"
else report leftovers green "no container runtime or Kubernetes yet"; fi
var_gb=$(df -Pk /var | awk 'NR == 2 {print int($4 / 1048576)}')
if [ "$var_gb" -lt 4 ]; then report disk red "only ${var_gb} GB free in /var: images, etcd and logs need several GB" "free space or grow /var to at least 20 GB"
elif [ "$var_gb" -lt 20 ]; then report disk amber "${var_gb} GB free in /var: enough to install, tight for images over time" "grow /var to at least 20 GB"
else report disk green "${var_gb} GB free in /var"; fi
if command -v timedatectl >/dev/null 2>&1; then
  synced=$(timedatectl show -p NTPSynchronized --value 2>/dev/null || echo unknown)
  if [ "$synced" = yes ]; then report time-sync green "NTP-synchronized"
  else report time-sync amber "clock not NTP-synchronized ($synced): certificates and etcd need synced clocks" "enable time sync (systemctl enable --now systemd-timesyncd or chronyd)"; fi
else
  report time-sync amber "timedatectl not found: cannot tell whether the clock is synchronized" "make sure chrony or ntpd keeps the clock synchronized"
fi
install -d -m 0700 '/run/keelson/outputs'
( umask 077; printf '%s' "$(hostname)" > '/run/keelson/outputs/hostname.w1' )
install -d -m 0700 '/run/keelson/outputs'
( umask 077; printf '%s' "$(cat /etc/machine-id)" > '/run/keelson/outputs/machine-id.w1' )
uuid=$(cat /sys/class/dmi/id/product_uuid 2>/dev/null || echo "unavailable-${address}")
install -d -m 0700 '/run/keelson/outputs'
( umask 077; printf '%s' "$uuid" > '/run/keelson/outputs/product-uuid.w1' )
iface=$(address="$address" awk 'index($4, ENVIRON["address"] "/") == 1 { print $2; exit }' <<<"$addresses")
mac=$(cat "/sys/class/net/${iface}/address" 2>/dev/null || true)
install -d -m 0700 '/run/keelson/outputs'
( umask 077; printf '%s' "$mac" > '/run/keelson/outputs/mac.w1' )
[ "$red" -le 1 ] || first_red="$first_red (and $((red - 1)) more problem(s): see the keelson-check lines)"
[ "$red" -eq 0 ] || fail "$first_red"
echo "keelson: preflight passed on $(hostname)"
