#!/usr/bin/env bash
set -euo pipefail
fail() { echo "keelson: $*" >&2; exit 1; }
warn() { echo "keelson: warning: $*" >&2; }
[ "$(id -u)" -eq 0 ] || fail "steps must run as root (the executor uses sudo for non-root users)"
# shellcheck disable=SC1091 # /etc/os-release exists on every distribution we support
. /etc/os-release
like=" ${ID:-} ${ID_LIKE:-} "
case "$like" in *" debian "*|*" ubuntu "*) ;; *) fail "expected Debian or Ubuntu, found ${PRETTY_NAME:-unknown}" ;; esac
commands=('systemctl' 'ip' 'ss' 'awk' 'sed' 'grep' 'install' 'tee')
for cmd in "${commands[@]}"; do
  command -v "$cmd" >/dev/null 2>&1 || fail "required command $cmd is missing"
done
command -v curl >/dev/null 2>&1 || warn "curl is missing: the package step installs it"
address='10.77.0.22'
addresses=$(ip -o addr show)
address="$address" awk 'index($4, ENVIRON["address"] "/") == 1 { found = 1 } END { exit !found }' <<<"$addresses" || fail "address ${address} is not configured on this host"
cgroupfs=$(stat -fc %T /sys/fs/cgroup 2>/dev/null || echo unknown)
if [ "$cgroupfs" = cgroup2fs ]; then
  echo "keelson: cgroup v2 (unified hierarchy)"
else
  fail "cgroup v1 (/sys/fs/cgroup is $cgroupfs): the kubelet of Kubernetes 1.35 and newer refuses to start on it. Boot the host with cgroup v2 (kernel argument systemd.unified_cgroup_hierarchy=1, e.g. grubby --update-kernel=ALL --args=systemd.unified_cgroup_hierarchy=1 on RHEL 8, then reboot), or set spec.kubelet.allowCgroupV1: true (deprecated)"
fi
swap_kb=$(awk 'NR > 1 {sum += $3} END {print sum + 0}' /proc/swaps)
[ "$swap_kb" -eq 0 ] || echo "keelson: swap in use (${swap_kb} kB): os-prep turns it off"
ports=('10250' '10256')
for port in "${ports[@]}"; do
  holder=$(ss -Htlnp "( sport = :${port} )" 2>/dev/null || true)
  [ -z "$holder" ] && continue
  if grep -Eq '"(kube-apiserver|etcd|kubelet|kube-controller|kube-scheduler|kube-proxy|haproxy|nginx)' <<<"$holder"; then
    echo "keelson: port ${port} already held by a Kubernetes/LB process (re-run)"
  else
    fail "TCP port ${port} is in use: $holder"
  fi
done
if command -v timedatectl >/dev/null 2>&1; then
  synced=$(timedatectl show -p NTPSynchronized --value 2>/dev/null || echo unknown)
  [ "$synced" = yes ] || warn "clock not NTP-synchronized ($synced): certificates and etcd need synced clocks"
else
  warn "timedatectl not found: cannot tell whether the clock is synchronized"
fi
install -d -m 0700 '/run/keelson/outputs'
( umask 077; printf '%s' "$(hostname)" > '/run/keelson/outputs/hostname.w2' )
install -d -m 0700 '/run/keelson/outputs'
( umask 077; printf '%s' "$(cat /etc/machine-id)" > '/run/keelson/outputs/machine-id.w2' )
uuid=$(cat /sys/class/dmi/id/product_uuid 2>/dev/null || echo "unavailable-${address}")
install -d -m 0700 '/run/keelson/outputs'
( umask 077; printf '%s' "$uuid" > '/run/keelson/outputs/product-uuid.w2' )
iface=$(address="$address" awk 'index($4, ENVIRON["address"] "/") == 1 { print $2; exit }' <<<"$addresses")
mac=$(cat "/sys/class/net/${iface}/address" 2>/dev/null || true)
install -d -m 0700 '/run/keelson/outputs'
( umask 077; printf '%s' "$mac" > '/run/keelson/outputs/mac.w2' )
echo "keelson: preflight passed on $(hostname)"
