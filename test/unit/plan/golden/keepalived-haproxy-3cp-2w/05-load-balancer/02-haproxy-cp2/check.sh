#!/usr/bin/env bash
set -euo pipefail
systemctl is-active --quiet haproxy
haproxy -c -q -f '/etc/haproxy/haproxy.cfg'
