#!/usr/bin/env bash
set -euo pipefail
fail() { echo "keelson: $*" >&2; exit 1; }
out='/run/keelson/outputs/admin-kubeconfig'
install -d -m 0700 '/run/keelson/outputs'
install -m 0600 '/etc/kubernetes/admin.conf' "$out"
server='"https://10.77.0.100:8443"'
server="$server" awk 'match($0, /^[[:space:]]*server: /) { print substr($0, 1, RLENGTH) ENVIRON["server"]; next } { print }' "$out" > "$out.edit"
mv "$out.edit" "$out"
grep -qF -- "server: ${server}" "$out" || fail "could not set the kubeconfig server to ${server}"
