#!/usr/bin/env bash
set -euo pipefail
fail() { echo "keelson: $*" >&2; exit 1; }
if [ -s '/etc/kubernetes/admin.conf' ]; then
  token=$(kubeadm token create --kubeconfig='/etc/kubernetes/admin.conf' --ttl 24h0m0s --description 'Keelson deploy (re-run)')
else
  token=$(kubeadm token generate)
fi
[[ "$token" =~ ^[a-z0-9]{6}\.[a-z0-9]{16}$ ]] || fail 'kubeadm returned no usable bootstrap token'
install -d -m 0700 '/run/keelson/outputs'
( umask 077; printf '%s' "$token" > '/run/keelson/outputs/bootstrap-token' )
install -d -m 0700 '/run/keelson/outputs'
( umask 077; printf '%s' "$(kubeadm version -o short)" > '/run/keelson/outputs/kubernetes-version' )
