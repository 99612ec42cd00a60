#!/usr/bin/env bash
set -euo pipefail
fail() { echo "keelson: $*" >&2; exit 1; }
config='/etc/kubernetes/keelson/kubeadm-init.yaml'
kubeadm init --config "$config" --upload-certs --skip-token-print --skip-certificate-key-print
# The config held the bootstrap token: it is not needed on disk any more.
rm -f "$config"
ready="" last=""
for _ in $(seq 1 60); do
  if last=$(kubectl --kubeconfig=/etc/kubernetes/admin.conf get --raw=/readyz 2>&1); then ready=yes; break; fi
  sleep 2
done
[ -n "$ready" ] || fail "the apiserver is not ready through the endpoint 2 minutes after init: ${last}"
