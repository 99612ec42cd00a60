#!/usr/bin/env bash
# Builds the lab's offline apt repository: the .deb files of PACKAGES and their whole dependency
# closure, plus a Packages index, so hosts without internet can `apt-get install` them — the
# air-gapped path real users have. Usage: build-repo.sh DIR PACKAGE...  (run under flock).
set -euo pipefail
dir=$1
shift
if [ -e "$dir/.ready" ]; then exit 0; fi
rm -rf "$dir.tmp"
mkdir -p "$dir.tmp/debs"
started=$(date +%s)

# Whole closure (not only what the base lacks): the base comes from the bookworm release while the
# candidates may come from bookworm-updates/security and need newer libraries than the base has.
mapfile -t closure < <(apt-cache depends --recurse --no-recommends --no-suggests --no-conflicts \
  --no-breaks --no-replaces --no-enhances "$@" | grep -E '^[a-z0-9]' | sort -u)
(cd "$dir.tmp/debs" && apt-get download "${closure[@]}" >../download.log 2>&1) || {
  echo "apt-get download failed; see $dir.tmp/download.log" >&2
  tail -20 "$dir.tmp/download.log" >&2
  exit 1
}
(cd "$dir.tmp/debs" && dpkg-scanpackages --multiversion . /dev/null >Packages 2>/dev/null && gzip -k9 Packages)
printf '%s\n' "$@" >"$dir.tmp/requested"
du -sm "$dir.tmp/debs" | awk '{print $1}' >"$dir.tmp/size-mb"
echo $(($(date +%s) - started)) >"$dir.tmp/build-seconds"
rm -rf "$dir"
mv "$dir.tmp" "$dir"
touch "$dir/.ready"
