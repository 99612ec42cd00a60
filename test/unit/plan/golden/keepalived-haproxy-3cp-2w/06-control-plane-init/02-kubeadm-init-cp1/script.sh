#!/usr/bin/env bash
set -euo pipefail
fail() { echo "keelson: $*" >&2; exit 1; }
config='/etc/kubernetes/keelson/kubeadm-init.yaml'
kubeadm init --config "$config" --upload-certs --skip-token-print --skip-certificate-key-print
# The config held the bootstrap token: it is not needed on disk any more.
rm -f "$config"
kubectl --kubeconfig=/etc/kubernetes/admin.conf get --raw=/readyz >/dev/null || fail 'the apiserver is not ready after init'
