#!/usr/bin/env bash
set -euo pipefail
grep -q '^v1\.37\.' <<<"$(kubeadm version -o short 2>/dev/null)"
grep -q 'v1\.37\.' <<<"$(kubectl version --client 2>/dev/null)"
systemctl is-enabled --quiet kubelet
command -v crictl >/dev/null
[ "$(apt-mark showhold | grep -cE '^(kubelet|kubeadm|kubectl)$')" -eq 3 ]
