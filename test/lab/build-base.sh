#!/usr/bin/env bash
# Builds the cached Debian bookworm root filesystem the lab hosts boot from (once per package set).
# Usage: build-base.sh DIR [EXTRA_PACKAGE...]   — DIR/rootfs appears only when complete (DIR/.ready).
# Run under `flock` (lab.ts does) so two test files never debootstrap into the same place.
set -euo pipefail
dir=$1
shift
if [ -e "$dir/.ready" ]; then exit 0; fi

base_packages=systemd,systemd-sysv,openssh-server,iproute2,sudo,dbus,curl,procps
include=$base_packages
for p in "$@"; do include="$include,$p"; done

# A build killed midway leaves debootstrap's /proc (and maybe /dev) mounts inside: unmount them
# before deleting, and never let rm cross into another filesystem.
clear_tmp() {
  awk -v p="$dir.tmp/" 'index($2, p) == 1 { print $2 }' /proc/mounts | sort -r | while read -r m; do
    umount -l "$m"
  done
  rm -rf --one-file-system "$dir.tmp"
}
trap clear_tmp ERR
trap 'clear_tmp; exit 130' INT TERM
clear_tmp
mkdir -p "$dir.tmp"
started=$(date +%s)
debootstrap --variant=minbase --include="$include" bookworm "$dir.tmp/rootfs" >"$dir.tmp/debootstrap.log" 2>&1 || {
  echo "debootstrap failed; last lines of $dir.tmp/debootstrap.log:" >&2
  tail -20 "$dir.tmp/debootstrap.log" >&2
  exit 1
}
root=$dir.tmp/rootfs

# Everything below is per-host in a real fleet, so each host gets its own at boot (lab.ts).
rm -f "$root"/etc/ssh/ssh_host_*
: >"$root/etc/machine-id"
rm -f "$root/var/lib/dbus/machine-id"
rm -rf "$root"/var/cache/apt/archives/*.deb "$root"/var/lib/apt/lists/*
# Nothing inside the lab resolves names; hosts reach the lab's apt repository by IP.
: >"$root/etc/resolv.conf"
# No console in the lab (nspawn --console=passive): gettys would only spin.
ln -sf /dev/null "$root/etc/systemd/system/console-getty.service"
ln -sf /dev/null "$root/etc/systemd/system/getty@.service"
# The operator's default non-root user; its password is set per run.
chroot "$root" useradd --create-home --shell /bin/bash --groups sudo deploy

du -sm "$root" | awk '{print $1}' >"$dir.tmp/size-mb"
echo $(($(date +%s) - started)) >"$dir.tmp/build-seconds"
rm -rf "$dir"
trap - ERR INT TERM
mv "$dir.tmp" "$dir"
touch "$dir/.ready"
