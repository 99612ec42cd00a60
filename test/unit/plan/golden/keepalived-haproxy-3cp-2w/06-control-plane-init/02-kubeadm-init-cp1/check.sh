#!/usr/bin/env bash
set -euo pipefail
test -s '/etc/kubernetes/admin.conf'
kubectl --kubeconfig=/etc/kubernetes/admin.conf get --raw=/readyz >/dev/null 2>&1
