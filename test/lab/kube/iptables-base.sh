#!/usr/bin/env bash
# The Debian root filesystem under the kube-proxy and Flannel images: iptables (nft backend, as
# bookworm configures it), nftables, conntrack and coreutils — the programs kube-proxy, flanneld and
# the manifest's init containers call. Usage: iptables-base.sh ROOTFS (appears only when complete).
set -euo pipefail
root=$1
[ -e "$root.ready" ] && exit 0
rm -rf --one-file-system "$root.tmp"
mkdir -p "$(dirname "$root")"
debootstrap --variant=minbase --include=iptables,nftables,conntrack bookworm "$root.tmp" >"$root.log" 2>&1 || {
  echo "debootstrap failed; last lines of $root.log:" >&2
  tail -20 "$root.log" >&2
  exit 1
}
# An image needs none of the package manager's state, documentation or caches.
rm -rf "$root.tmp"/var/cache/apt/* "$root.tmp"/var/lib/apt/lists/* "$root.tmp"/usr/share/doc/* \
  "$root.tmp"/usr/share/man/* "$root.tmp"/usr/share/locale/* "$root.tmp"/var/log/*
: >"$root.tmp/etc/resolv.conf"
rm -rf "$root"
mv "$root.tmp" "$root"
touch "$root.ready"
