#!/usr/bin/env bash
set -euo pipefail
kubectl --kubeconfig=/etc/kubernetes/admin.conf apply -f '/etc/kubernetes/keelson/topology-configmap.yaml'
