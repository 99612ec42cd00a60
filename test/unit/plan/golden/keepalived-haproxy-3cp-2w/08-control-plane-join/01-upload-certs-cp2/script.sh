#!/usr/bin/env bash
set -euo pipefail
fail() { echo "keelson: $*" >&2; exit 1; }
if ! out=$(kubeadm init phase upload-certs --upload-certs 2>&1); then
  printf '%s\n' "$out" | grep -Ev '^[0-9a-f]{64}$' >&2
  fail 'kubeadm init phase upload-certs failed'
fi
key=$(printf '%s\n' "$out" | grep -E '^[0-9a-f]{64}$' | tail -n 1 || true)
[ -n "$key" ] || fail 'upload-certs printed no certificate key'
install -d -m 0700 '/run/keelson/outputs'
( umask 077; printf '%s' "$key" > '/run/keelson/outputs/certificate-key-cp2' )
