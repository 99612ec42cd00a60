#!/usr/bin/env bash
set -euo pipefail
fail() { echo "keelson: $*" >&2; exit 1; }
staged='/etc/keepalived/keepalived.conf.keelson'
cp '/etc/keepalived/keepalived.conf' "$staged"
export DEBIAN_FRONTEND=noninteractive
apt-get update -q
own_policy=no
if [ ! -e /usr/sbin/policy-rc.d ]; then printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d; chmod 0755 /usr/sbin/policy-rc.d; own_policy=yes; fi
apt-get install -y -q -o Dpkg::Options::=--force-confold 'keepalived' 'curl'
if [ "$own_policy" = yes ]; then rm -f /usr/sbin/policy-rc.d; fi
cp "$staged" '/etc/keepalived/keepalived.conf'
rm -f "$staged"
keepalived -t -f '/etc/keepalived/keepalived.conf' || fail 'keepalived.conf does not pass keepalived -t'
if systemctl is-active --quiet keepalived; then
  systemctl reload keepalived
else
  systemctl enable keepalived
  systemctl restart keepalived
fi
systemctl is-active --quiet keepalived || fail 'keepalived is not running'
