#!/usr/bin/env bash
set -euo pipefail
fail() { echo "keelson: $*" >&2; exit 1; }
curl -fsSL 'https://raw.githubusercontent.com/projectcalico/calico/v3.30.3/manifests/tigera-operator.yaml' -o '/etc/kubernetes/keelson/cni/tigera-operator.yaml'
# The operator CRDs are too large for client-side apply annotations.
kubectl --kubeconfig=/etc/kubernetes/admin.conf apply --server-side --force-conflicts -f '/etc/kubernetes/keelson/cni/tigera-operator.yaml'
kubectl --kubeconfig=/etc/kubernetes/admin.conf -n tigera-operator rollout status deploy/tigera-operator --timeout=300s
for _ in $(seq 1 60); do kubectl --kubeconfig=/etc/kubernetes/admin.conf get crd installations.operator.tigera.io >/dev/null 2>&1 && break; sleep 2; done
kubectl --kubeconfig=/etc/kubernetes/admin.conf apply -f '/etc/kubernetes/keelson/cni/calico-installation.yaml'
for _ in $(seq 1 150); do kubectl --kubeconfig=/etc/kubernetes/admin.conf get tigerastatus calico >/dev/null 2>&1 && break; sleep 2; done
kubectl --kubeconfig=/etc/kubernetes/admin.conf wait --for=condition=Available tigerastatus/calico --timeout=600s || fail 'Calico did not become available'
