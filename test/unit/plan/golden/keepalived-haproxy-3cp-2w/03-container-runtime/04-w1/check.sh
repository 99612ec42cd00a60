#!/usr/bin/env bash
set -euo pipefail
systemctl is-active --quiet containerd
grep -Eq '^[[:space:]]*SystemdCgroup = true' '/etc/containerd/config.toml'
grep -Fq 'registry.k8s.io/pause:3.10.2' '/etc/containerd/config.toml'
grep -Fq 'config_path = '\''/etc/containerd/certs.d'\''' '/etc/containerd/config.toml'
test -f /etc/crictl.yaml
