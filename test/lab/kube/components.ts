// What the lab builds from source, per Kubernetes release: the real upstream programs, taken as
// Go modules from the module proxy (the only source of Kubernetes this machine has). Versions of
// etcd, CoreDNS and pause are not listed here: they are read from the built kubeadm itself
// (`kubeadm config images list`), so the bundle always holds exactly what kubeadm pulls.

/** The Kubernetes releases the lab can build (patches the module proxy serves). */
export const KUBE_VERSIONS = ['1.37.2', '1.36.3', '1.35.4'] as const;
export const DEFAULT_KUBE_VERSION = '1.37.2';

/** Binaries of k8s.io/kubernetes that a kubeadm cluster needs. */
export const KUBE_COMMANDS = [
  'kubeadm',
  'kubelet',
  'kubectl',
  'kube-apiserver',
  'kube-controller-manager',
  'kube-scheduler',
  'kube-proxy',
] as const;

export interface GoComponent {
  /** Name in the cache and in messages. */
  name: string;
  module: string;
  version: string;
  /** Packages to build, relative to the module (`.` for its root), each becoming one binary. */
  commands: { path: string; binary: string }[];
  /** Maps a sibling module's relative replace (`=> ../api`) to the version to use instead. */
  siblingVersion?: (modulePath: string) => string;
  tags?: string[];
  ldflags?: string[];
  cgo?: boolean;
  /**
   * Blank imports removed from the command's main package, built from a copy of the module in
   * the cache: for a plugin whose dependency the module proxy does not serve. Named in the output.
   */
  dropImports?: string[];
}

/**
 * The container runtime, CRI tools, CNI plugins and the CNI itself, with their versions:
 * containerd 2.4 (kubeadm-ha.md: 1.x is end of life) with the runc its own CI pins
 * (script/setup/runc-version), crictl of the newest Kubernetes minor, the reference CNI plugins
 * (kubernetes-cni), Flannel (the CNI the lab deploys; Calico cannot be built from the proxy) and
 * distribution's registry, which serves the bundle's images.
 */
export const RUNTIME_COMPONENTS: GoComponent[] = [
  {
    name: 'containerd',
    module: 'github.com/containerd/containerd/v2',
    version: 'v2.4.2',
    commands: [
      { path: 'cmd/containerd', binary: 'containerd' },
      { path: 'cmd/containerd-shim-runc-v2', binary: 'containerd-shim-runc-v2' },
      { path: 'cmd/ctr', binary: 'ctr' },
    ],
    tags: ['urfave_cli_no_docs', 'osusergo', 'netgo', 'static_build', 'no_btrfs'],
    ldflags: ['-X github.com/containerd/containerd/v2/version.Version=v2.4.2'],
  },
  {
    name: 'runc',
    module: 'github.com/opencontainers/runc',
    version: 'v1.5.2',
    commands: [{ path: '.', binary: 'runc' }],
    // seccomp needs cgo and libseccomp (static): pods with seccompProfile RuntimeDefault need it.
    cgo: true,
    tags: ['seccomp', 'urfave_cli_no_docs', 'netgo', 'osusergo'],
    ldflags: ['-X main.version=1.5.2', '-extldflags=-static'],
  },
  {
    name: 'cri-tools',
    module: 'sigs.k8s.io/cri-tools',
    version: 'v1.37.0',
    commands: [{ path: 'cmd/crictl', binary: 'crictl' }],
    ldflags: ['-X sigs.k8s.io/cri-tools/pkg/version.Version=v1.37.0'],
  },
  {
    name: 'cni-plugins',
    module: 'github.com/containernetworking/plugins',
    version: 'v1.10.0',
    commands: ['bridge', 'loopback', 'host-local', 'portmap', 'bandwidth', 'tuning', 'ptp'].map((p) => ({
      path:
        p === 'host-local'
          ? `plugins/ipam/${p}`
          : ['portmap', 'bandwidth', 'tuning'].includes(p)
            ? `plugins/meta/${p}`
            : `plugins/main/${p}`,
      binary: p,
    })),
    ldflags: ['-X github.com/containernetworking/plugins/pkg/utils/buildversion.BuildVersion=v1.10.0'],
  },
  {
    name: 'flannel',
    module: 'github.com/flannel-io/flannel',
    version: 'v0.28.10',
    commands: [
      { path: '.', binary: 'flanneld' },
      // The DaemonSet's init container writes the CNI config with it (/opt/bin/install-conf).
      { path: 'cmd/install_conf', binary: 'install-conf' },
    ],
    ldflags: ['-X github.com/flannel-io/flannel/pkg/version.Version=v0.28.10', '-extldflags=-static'],
    // The udp backend is cgo (as upstream builds it).
    cgo: true,
    // The tencent-vpc backend's SDK module is not served by the module proxy: built without it.
    dropImports: ['github.com/flannel-io/flannel/pkg/backend/tencentvpc'],
  },
  {
    // flannel-io/cni-plugin is not served by the module proxy; its code came from
    // containernetworking/plugins' meta/flannel, which v0.9.1 still ships. Named as such in the
    // bundle's manifest wherever it appears.
    name: 'flannel-cni-plugin',
    module: 'github.com/containernetworking/plugins',
    version: 'v0.9.1',
    commands: [{ path: 'plugins/meta/flannel', binary: 'flannel' }],
  },
  {
    // The bundle's registry: distribution's own server, shipped inside the bundle (bin/registry).
    name: 'registry',
    module: 'github.com/distribution/distribution/v3',
    version: 'v3.1.2',
    commands: [{ path: 'cmd/registry', binary: 'registry' }],
  },
];

/** etcd at the version kubeadm wants (`3.7.0-0` → v3.7.0); its sibling modules share the version. */
export function etcdComponent(version: string): GoComponent {
  return {
    name: 'etcd',
    module: 'go.etcd.io/etcd/server/v3',
    version,
    commands: [{ path: '.', binary: 'etcd' }],
    siblingVersion: () => version,
    ldflags: [`-X go.etcd.io/etcd/api/v3/version.GitSHA=keelson-lab`],
  };
}

export function etcdctlComponent(version: string): GoComponent {
  return {
    name: 'etcdctl',
    module: 'go.etcd.io/etcd/etcdctl/v3',
    version,
    commands: [{ path: '.', binary: 'etcdctl' }],
    siblingVersion: () => version,
  };
}

export function etcdutlComponent(version: string): GoComponent {
  return {
    name: 'etcdutl',
    module: 'go.etcd.io/etcd/etcdutl/v3',
    version,
    commands: [{ path: '.', binary: 'etcdutl' }],
    siblingVersion: () => version,
  };
}

export function corednsComponent(version: string): GoComponent {
  return {
    name: 'coredns',
    module: 'github.com/coredns/coredns',
    version,
    commands: [{ path: '.', binary: 'coredns' }],
    ldflags: [`-X github.com/coredns/coredns/coremain.GitCommit=${version}`],
  };
}

/** k8s.io/kubernetes itself: staging modules are published as v0.MINOR.PATCH. */
export function kubernetesComponent(version: string): GoComponent {
  const [major, minor, patch] = version.split('.');
  const git = `v${version}`;
  const versionFlags = (pkg: string) => [
    `-X ${pkg}.gitVersion=${git}`,
    `-X ${pkg}.gitMajor=${major}`,
    `-X ${pkg}.gitMinor=${minor}`,
    `-X ${pkg}.gitTreeState=clean`,
    `-X ${pkg}.gitCommit=0000000000000000000000000000000000000000`,
    `-X ${pkg}.buildDate=1970-01-01T00:00:00Z`,
  ];
  return {
    name: 'kubernetes',
    module: 'k8s.io/kubernetes',
    version: git,
    commands: KUBE_COMMANDS.map((c) => ({ path: `cmd/${c}`, binary: c })),
    siblingVersion: () => `v0.${minor}.${patch}`,
    ldflags: [
      ...versionFlags('k8s.io/component-base/version'),
      ...versionFlags('k8s.io/client-go/pkg/version'),
    ],
  };
}
