#!/usr/bin/env bash
set -euo pipefail
fail() { echo "keelson: $*" >&2; exit 1; }
# kubelet refuses to run with swap on
swapoff -a
sed -E -i.keelson.bak '/^[^#][^[:space:]]*[[:space:]]+[^[:space:]]+[[:space:]]+swap[[:space:]]/ s/^/# keelson: swap off for kubelet # /' /etc/fstab
load() { command -v modprobe >/dev/null 2>&1 && modprobe "$1" 2>/dev/null; return 0; }
load overlay
grep -qw overlay /proc/filesystems || fail 'overlay filesystem unavailable (module missing and not built in)'
load br_netfilter
[ -e /proc/sys/net/bridge/bridge-nf-call-iptables ] || fail 'br_netfilter unavailable (module missing and not built in)'
sysctl --system >/dev/null 2>&1 || echo 'keelson: warning: some sysctl.d settings outside Keelson did not apply (sysctl --system)' >&2
sysctl -p '/etc/sysctl.d/99-keelson-kubernetes.conf' >/dev/null || fail 'sysctl could not apply /etc/sysctl.d/99-keelson-kubernetes.conf'
[ "$(sysctl -n 'net.bridge.bridge-nf-call-iptables')" = '1' ] || fail 'sysctl net.bridge.bridge-nf-call-iptables is not 1'
[ "$(sysctl -n 'net.bridge.bridge-nf-call-ip6tables')" = '1' ] || fail 'sysctl net.bridge.bridge-nf-call-ip6tables is not 1'
[ "$(sysctl -n 'net.ipv4.ip_forward')" = '1' ] || fail 'sysctl net.ipv4.ip_forward is not 1'
echo "keelson: OS prepared"
