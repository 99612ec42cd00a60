#!/usr/bin/env bash
set -euo pipefail
kubectl --kubeconfig=/etc/kubernetes/admin.conf wait --for=condition=Available tigerastatus/calico --timeout=5s >/dev/null 2>&1
