#!/usr/bin/env bash
set -euo pipefail
fail() { echo "keelson: $*" >&2; exit 1; }
kubectl --kubeconfig=/etc/kubernetes/admin.conf wait --for=condition=Ready node --all --timeout=600s
nodes=$(kubectl --kubeconfig=/etc/kubernetes/admin.conf get nodes --no-headers | wc -l)
[ "$nodes" -eq '5' ] || fail "expected 5 nodes, found $nodes"
kubectl --kubeconfig=/etc/kubernetes/admin.conf wait --for=condition=Available tigerastatus/calico --timeout=300s || fail 'the pod network did not roll out on every node'
kubectl --kubeconfig=/etc/kubernetes/admin.conf -n kube-system rollout status deploy/coredns --timeout=300s
apiservers=$(kubectl --kubeconfig=/etc/kubernetes/admin.conf -n kube-system get pods -l component=kube-apiserver --no-headers | grep -c Running || true)
[ "$apiservers" -eq '3' ] || fail "expected 3 running apiservers, found $apiservers"
members=$(kubectl --kubeconfig=/etc/kubernetes/admin.conf -n kube-system get pods -l component=etcd --no-headers | grep -c Running || true)
[ "$members" -eq '3' ] || fail "expected 3 etcd members, found $members"
kubectl --kubeconfig=/etc/kubernetes/admin.conf get --raw=/readyz >/dev/null || fail 'apiserver not ready through the endpoint'
kubectl --kubeconfig=/etc/kubernetes/admin.conf get configmap -n kube-system keelson-topology >/dev/null
