#!/usr/bin/env bash
set -euo pipefail
test -s /etc/kubernetes/kubelet.conf
systemctl is-active --quiet kubelet
