#!/usr/bin/env bash
set -euo pipefail
systemctl is-active --quiet keepalived
keepalived -t -f '/etc/keepalived/keepalived.conf'
