#!/usr/bin/env bash
set -euo pipefail
fail() { echo "keelson: $*" >&2; exit 1; }
systemctl is-active --quiet kubelet || fail 'kubelet is not running'
curl -sfk --max-time 5 'https://10.77.0.100:8443/healthz' >/dev/null || fail 'https://10.77.0.100:8443/healthz does not answer from here'
