#!/usr/bin/env bash
set -euo pipefail
fail() { echo "keelson: $*" >&2; exit 1; }
export DEBIAN_FRONTEND=noninteractive
apt-get update -q
apt-get install -y -q 'apt-transport-https' 'ca-certificates' 'curl' 'gpg' 'conntrack' 'socat' 'ipset'
install -d -m 0755 '/etc/apt/keyrings'
curl -fsSL 'https://pkgs.k8s.io/core:/stable:/v1.37/deb/Release.key' | gpg --dearmor --yes -o '/etc/apt/keyrings/kubernetes-apt-keyring.gpg'
chmod 0644 '/etc/apt/keyrings/kubernetes-apt-keyring.gpg'
install -m 0644 '/etc/kubernetes/keelson/apt/kubernetes.list' '/etc/apt/sources.list.d/kubernetes.list'
apt-get update -q
apt-mark unhold kubelet kubeadm kubectl >/dev/null
apt-get install -y -q --allow-change-held-packages 'kubelet' 'kubeadm' 'kubectl' 'cri-tools'
apt-mark hold kubelet kubeadm kubectl
systemctl enable kubelet
grep -q '^v1\.37\.' <<<"$(kubeadm version -o short)" || fail 'kubeadm is not v1.37.x'
command -v crictl >/dev/null || fail 'crictl is missing: cri-tools did not install'
