#!/usr/bin/env bash
set -euo pipefail
fail() { echo "keelson: $*" >&2; exit 1; }
staged='/etc/haproxy/haproxy.cfg.keelson'
cp '/etc/haproxy/haproxy.cfg' "$staged"
export DEBIAN_FRONTEND=noninteractive
apt-get update -q
own_policy=no
if [ ! -e /usr/sbin/policy-rc.d ]; then printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d; chmod 0755 /usr/sbin/policy-rc.d; own_policy=yes; fi
apt-get install -y -q -o Dpkg::Options::=--force-confold 'haproxy'
if [ "$own_policy" = yes ]; then rm -f /usr/sbin/policy-rc.d; fi
cp "$staged" '/etc/haproxy/haproxy.cfg'
rm -f "$staged"
haproxy -c -q -f '/etc/haproxy/haproxy.cfg' || fail '/etc/haproxy/haproxy.cfg does not pass haproxy -c'
if systemctl is-active --quiet haproxy; then
  systemctl reload haproxy
else
  systemctl enable haproxy
  systemctl restart haproxy
fi
systemctl is-active --quiet haproxy || fail 'haproxy is not running'
