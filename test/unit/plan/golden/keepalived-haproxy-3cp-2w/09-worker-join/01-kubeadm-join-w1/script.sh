#!/usr/bin/env bash
set -euo pipefail
fail() { echo "keelson: $*" >&2; exit 1; }
config='/etc/kubernetes/keelson/kubeadm-join.yaml'
kubeadm join --config "$config"
rm -f "$config"
systemctl is-active --quiet kubelet || fail 'kubelet is not running after join'
