#!/usr/bin/env bash
set -euo pipefail
fail() { echo "keelson: $*" >&2; exit 1; }
config='/etc/kubernetes/keelson/kubeadm-join.yaml'
kubeadm join --config "$config"
rm -f "$config"
kubectl --kubeconfig=/etc/kubernetes/admin.conf get --raw=/readyz >/dev/null || fail 'the local apiserver is not ready after join'
