// Debian packages of the source-built binaries, named and versioned as pkgs.k8s.io (kubeadm,
// kubelet, kubectl, cri-tools, kubernetes-cni: 1.37.2-1.1) and download.docker.com
// (containerd.io, which carries runc) name theirs, so the plan installs them exactly as it would
// from the real repositories.
import { chmodSync, copyFileSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { must } from '../run';

export interface DebSpec {
  name: string;
  version: string;
  description: string;
  depends?: string[];
  /** Files to put in the package: path inside → source file on this machine, or literal text. */
  files: { path: string; from?: string; text?: string; mode: number }[];
  /** Lines of DEBIAN/conffiles (config files dpkg must not overwrite silently). */
  conffiles?: string[];
}

/** Builds DIR/NAME_VERSION_amd64.deb with dpkg-deb (files owned by root); returns its path. */
export async function buildDeb(spec: DebSpec, workDir: string, outDir: string): Promise<string> {
  const root = join(workDir, `${spec.name}-root`);
  rmSync(root, { recursive: true, force: true });
  mkdirSync(join(root, 'DEBIAN'), { recursive: true });
  for (const f of spec.files) {
    const target = join(root, f.path);
    mkdirSync(dirname(target), { recursive: true });
    if (f.from) copyFileSync(f.from, target);
    else writeFileSync(target, f.text ?? '');
    chmodSync(target, f.mode);
  }
  const control = [
    `Package: ${spec.name}`,
    `Version: ${spec.version}`,
    'Architecture: amd64',
    'Maintainer: Keelson lab build <lab@keelson.invalid>',
    'Section: admin',
    'Priority: optional',
    ...(spec.depends?.length ? [`Depends: ${spec.depends.join(', ')}`] : []),
    `Description: ${spec.description}`,
    '',
  ].join('\n');
  writeFileSync(join(root, 'DEBIAN', 'control'), control);
  if (spec.conffiles?.length)
    writeFileSync(join(root, 'DEBIAN', 'conffiles'), `${spec.conffiles.join('\n')}\n`);
  mkdirSync(outDir, { recursive: true });
  const out = join(outDir, `${spec.name}_${spec.version}_amd64.deb`);
  await must('dpkg-deb', ['--root-owner-group', '-Zxz', '--build', root, out]);
  rmSync(root, { recursive: true, force: true });
  return out;
}

/** kubernetes/release's kubelet unit (the deb's /usr/lib/systemd/system/kubelet.service). */
export const KUBELET_SERVICE = `[Unit]
Description=kubelet: The Kubernetes Node Agent
Documentation=https://kubernetes.io/docs/
Wants=network-online.target
After=network-online.target

[Service]
ExecStart=/usr/bin/kubelet
Restart=always
StartLimitInterval=0
RestartSec=10

[Install]
WantedBy=multi-user.target
`;

/** kubeadm's drop-in for the kubelet unit, as the kubeadm deb ships it. */
export const KUBEADM_DROPIN = `# Note: This dropin only works with kubeadm and kubelet v1.11+
[Service]
Environment="KUBELET_KUBECONFIG_ARGS=--bootstrap-kubeconfig=/etc/kubernetes/bootstrap-kubelet.conf --kubeconfig=/etc/kubernetes/kubelet.conf"
Environment="KUBELET_CONFIG_ARGS=--config=/var/lib/kubelet/config.yaml"
# This is a file that "kubeadm init" and "kubeadm join" generates at runtime, populating the KUBELET_KUBEADM_ARGS variable dynamically
EnvironmentFile=-/var/lib/kubelet/kubeadm-flags.env
# This is a file that the user can use for overrides of the kubelet args as a last resort. Preferably, the user should use
# the .NodeRegistration.KubeletExtraArgs object in the configuration files instead. KUBELET_EXTRA_ARGS should be sourced from this file.
EnvironmentFile=-/etc/default/kubelet
ExecStart=
ExecStart=/usr/bin/kubelet $KUBELET_KUBECONFIG_ARGS $KUBELET_CONFIG_ARGS $KUBELET_KUBEADM_ARGS $KUBELET_EXTRA_ARGS
`;

export interface PackageInputs {
  kubeVersion: string;
  criToolsVersion: string;
  cniVersion: string;
  containerdVersion: string;
  bin: (name: string) => string;
  cniPlugins: string[];
  /** containerd's own systemd unit, from its module source. */
  containerdServiceFile: string;
}

/** The Kubernetes packages (pkgs.k8s.io names, `-1.1` revisions) and containerd.io. */
export function packageSpecs(p: PackageInputs): { kubernetes: DebSpec[]; docker: DebSpec[] } {
  const [major, minor] = p.kubeVersion.split('.');
  const floor = `${major}.${minor}.0`;
  const k8s = `${p.kubeVersion}-1.1`;
  const exe = (path: string, binary: string) => ({ path, from: p.bin(binary), mode: 0o755 });
  return {
    kubernetes: [
      {
        name: 'kubelet',
        version: k8s,
        description: 'Kubernetes Node Agent',
        depends: [
          'iptables (>= 1.4.21)',
          'kubernetes-cni (>= 1.2.0)',
          'iproute2',
          'socat',
          'util-linux',
          'mount',
          'ebtables',
          'ethtool',
          'conntrack',
        ],
        files: [
          exe('usr/bin/kubelet', 'kubelet'),
          { path: 'usr/lib/systemd/system/kubelet.service', text: KUBELET_SERVICE, mode: 0o644 },
          { path: 'etc/kubernetes/manifests/.keep', text: '', mode: 0o644 },
        ],
      },
      {
        name: 'kubeadm',
        version: k8s,
        description: 'Kubernetes Cluster Bootstrapping Tool',
        depends: [`kubelet (>= ${floor})`, `kubectl (>= ${floor})`, `cri-tools (>= ${floor})`],
        files: [
          exe('usr/bin/kubeadm', 'kubeadm'),
          {
            path: 'usr/lib/systemd/system/kubelet.service.d/10-kubeadm.conf',
            text: KUBEADM_DROPIN,
            mode: 0o644,
          },
        ],
      },
      {
        name: 'kubectl',
        version: k8s,
        description: 'Kubernetes Command Line Tool',
        files: [exe('usr/bin/kubectl', 'kubectl')],
      },
      {
        name: 'cri-tools',
        version: `${p.criToolsVersion}-1.1`,
        description: 'Command-line utility for interacting with a container runtime',
        files: [exe('usr/bin/crictl', 'crictl')],
      },
      {
        name: 'kubernetes-cni',
        version: `${p.cniVersion}-1.1`,
        description: 'Binaries required to provision kubernetes container networking',
        files: p.cniPlugins.map((plugin) => exe(`opt/cni/bin/${plugin}`, plugin)),
      },
    ],
    docker: [
      {
        name: 'containerd.io',
        version: `${p.containerdVersion}-1`,
        description: 'An open and reliable container runtime (containerd and runc)',
        files: [
          exe('usr/bin/containerd', 'containerd'),
          exe('usr/bin/containerd-shim-runc-v2', 'containerd-shim-runc-v2'),
          exe('usr/bin/ctr', 'ctr'),
          exe('usr/bin/runc', 'runc'),
          {
            path: 'lib/systemd/system/containerd.service',
            // The module's unit points at /usr/local/bin; the package installs to /usr/bin.
            text: readFileSync(p.containerdServiceFile, 'utf8').replace(
              '/usr/local/bin/containerd',
              '/usr/bin/containerd',
            ),
            mode: 0o644,
          },
        ],
      },
    ],
  };
}
