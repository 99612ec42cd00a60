#!/usr/bin/env bash
set -euo pipefail
fail() { echo "keelson: $*" >&2; exit 1; }
export DEBIAN_FRONTEND=noninteractive
apt-get update -q
apt-get install -y -q 'ca-certificates' 'curl'
install -d -m 0755 /etc/apt/keyrings
# shellcheck disable=SC1091 # /etc/os-release exists on every supported distribution
. /etc/os-release
docker_base='https://download.docker.com/linux'
curl -fsSL "${docker_base}/${ID}/gpg" -o /etc/apt/keyrings/docker.asc
chmod 0644 /etc/apt/keyrings/docker.asc
printf 'deb [signed-by=/etc/apt/keyrings/docker.asc] %s/%s %s stable\n' "$docker_base" "$ID" "$VERSION_CODENAME" > /etc/apt/sources.list.d/docker.list
apt-get update -q
apt-get install -y -q containerd.io
installed=$(containerd --version | awk '{print $3}' | sed 's/^v//' | cut -d. -f1)
[ "$installed" = 2 ] || fail "containerd $installed.x installed; Keelson configures containerd 2.x (1.x is end of life)"
pause='registry.k8s.io/pause:3.10.2'
new='/etc/containerd/config.toml.keelson-new'
install -d -m 0755 /etc/containerd
# Start from the defaults of the installed containerd, then change only what kubeadm needs.
containerd config default > "$new"
grep -Eq '^version = (3|4)$' "$new" || fail "containerd wrote config $(grep -E '^version' "$new" || echo 'without a version'); Keelson knows versions 3 and 4"
sed -i 's/SystemdCgroup = false/SystemdCgroup = true/' "$new"
# Some 2.0.x defaults omit the key: a bare sed would silently change nothing.
if ! grep -Eq '^[[:space:]]*SystemdCgroup = true' "$new"; then
  sed -i '/^[[:space:]]*\[plugins\.'\''io\.containerd\.cri\.v1\.runtime'\''\.containerd\.runtimes\.runc\.options\]/a\            SystemdCgroup = true' "$new"
fi
grep -Eq '^[[:space:]]*SystemdCgroup = true' "$new" || fail 'SystemdCgroup = true could not be set: [plugins.'\''io.containerd.cri.v1.runtime'\''.containerd.runtimes.runc.options] not found in the default config'
sandbox='"registry.k8s.io/pause:3.10.2"'
sandbox="$sandbox" awk 'match($0, /^[[:space:]]*sandbox = /) { print substr($0, 1, RLENGTH) ENVIRON["sandbox"]; next } { print }' "$new" > "$new.edit"
mv "$new.edit" "$new"
grep -Fq -- "sandbox = ${sandbox}" "$new" || fail "sandbox image is not ${pause} (kubeadm's pause image)"
# Registry mirrors (hosts.toml) are read only from config_path, which defaults to none.
sed -i -E 's#^([[:space:]]*config_path = ).*#\1'\''/etc/containerd/certs.d'\''#' "$new"
grep -Eq "^[[:space:]]*config_path = '/etc/containerd/certs.d'$" "$new" || fail 'config_path could not be set to /etc/containerd/certs.d'
mv "$new" '/etc/containerd/config.toml'
systemctl enable containerd
systemctl restart containerd
sock='/var/run/containerd/containerd.sock'
for _ in $(seq 1 30); do ctr --address "$sock" version >/dev/null 2>&1 && break; sleep 1; done
ctr --address "$sock" version >/dev/null || fail "containerd does not answer on $sock"
plugins=$(ctr --address "$sock" plugins ls)
grep -Eq '^io\.containerd\.grpc\.v1[[:space:]]+cri[[:space:]].*[[:space:]]ok[[:space:]]*$' <<<"$plugins" || fail "containerd's CRI plugin is not ok: $(grep -E '[[:space:]]cri[[:space:]]' <<<"$plugins" || echo 'not listed')"
