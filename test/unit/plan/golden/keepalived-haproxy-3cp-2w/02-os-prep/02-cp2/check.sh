#!/usr/bin/env bash
set -euo pipefail
[ "$(awk 'NR > 1' /proc/swaps | wc -l)" -eq 0 ]
[ "$(sysctl -n 'net.bridge.bridge-nf-call-iptables' 2>/dev/null)" = '1' ]
[ "$(sysctl -n 'net.bridge.bridge-nf-call-ip6tables' 2>/dev/null)" = '1' ]
[ "$(sysctl -n 'net.ipv4.ip_forward' 2>/dev/null)" = '1' ]
true
