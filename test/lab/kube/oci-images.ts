// The container images of a kubeadm cluster, built without docker from the source-built binaries:
// each image is a few gzipped layers plus a config, pushed by imagetool (go-containerregistry)
// into the bundle's registry under its full upstream name (registry.k8s.io/pause, …), so the
// registry's catalog reads exactly like `kubeadm config images list`.
import { chmodSync, copyFileSync, existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { must } from '../run';
import { KEELSON_CACHE } from './go-build';

const HERE = fileURLToPath(new URL('.', import.meta.url));
const PATH_ENV = 'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

export interface ImageSpec {
  /** Upstream reference, e.g. registry.k8s.io/kube-apiserver:v1.37.2. */
  ref: string;
  layers: string[];
  entrypoint?: string[];
  user?: string;
  /** How it was made, for bundle.json. */
  source: string;
}

/** gzipped tar of `dir` with root ownership and fixed times, so equal trees give equal blobs. */
export async function layerOf(dir: string, out: string): Promise<string> {
  if (existsSync(out)) return out;
  mkdirSync(dirname(out), { recursive: true });
  await must('bash', [
    '-c',
    'set -o pipefail; tar -C "$1" --sort=name --numeric-owner --owner=0 --group=0 --mtime=@0 -cf - . | gzip -n -6 > "$2.tmp" && mv "$2.tmp" "$2"',
    'layer',
    dir,
    out,
  ]);
  return out;
}

/** Files every image built on nothing needs: users, groups, name service, a writable /tmp. */
async function staticBaseLayer(work: string): Promise<string> {
  const root = join(work, 'static-base');
  rmSync(root, { recursive: true, force: true });
  mkdirSync(join(root, 'etc'), { recursive: true });
  mkdirSync(join(root, 'tmp'));
  chmodSync(join(root, 'tmp'), 0o1777);
  writeFileSync(
    join(root, 'etc/passwd'),
    'root:x:0:0:root:/root:/sbin/nologin\nnobody:x:65534:65534:nobody:/nonexistent:/sbin/nologin\nnonroot:x:65532:65532:nonroot:/home/nonroot:/sbin/nologin\n',
  );
  writeFileSync(join(root, 'etc/group'), 'root:x:0:\nnobody:x:65534:\nnonroot:x:65532:\n');
  writeFileSync(join(root, 'etc/nsswitch.conf'), 'hosts: files dns\n');
  return layerOf(root, join(work, 'layers', 'static-base.tar.gz'));
}

/**
 * Debian bookworm with iptables, nftables, conntrack and coreutils — what kube-proxy and Flannel
 * call (upstream builds these images on Debian's iptables too). Built once by debootstrap and cached.
 */
export async function iptablesBaseLayer(): Promise<string> {
  const dir = join(KEELSON_CACHE, 'components', 'iptables-base-bookworm');
  const out = join(dir, 'layer.tar.gz');
  if (existsSync(out)) return out;
  const root = join(dir, 'rootfs');
  await must('bash', [join(HERE, 'iptables-base.sh'), root]);
  return layerOf(root, out);
}

async function binariesLayer(work: string, name: string, files: Record<string, string>): Promise<string> {
  const root = join(work, 'trees', name);
  rmSync(root, { recursive: true, force: true });
  for (const [inside, from] of Object.entries(files)) {
    const target = join(root, inside);
    mkdirSync(dirname(target), { recursive: true });
    copyFileSync(from, target);
    chmodSync(target, 0o755);
  }
  return layerOf(root, join(work, 'layers', `${name}.tar.gz`));
}

export interface ImageInputs {
  kubeVersion: string;
  images: { etcd: string; coredns: string; pause: string };
  flannelVersion: string;
  flannelCniPluginTag: string;
  bin: (name: string) => string;
}

/** Every image a kubeadm cluster with Flannel pulls, described; `buildImages` makes them. */
export async function imageSpecs(work: string, p: ImageInputs): Promise<ImageSpec[]> {
  rmSync(join(work, 'layers'), { recursive: true, force: true });
  const base = await staticBaseLayer(work);
  const iptables = await iptablesBaseLayer();
  const k = `v${p.kubeVersion}`;
  const kubeImage = (c: string, layers: string[]): ImageSpec => ({
    ref: `registry.k8s.io/${c}:${k}`,
    layers: [...layers],
    entrypoint: [`/usr/local/bin/${c}`],
    source: `k8s.io/kubernetes ${k} cmd/${c}, built from the Go module`,
  });
  const specs: ImageSpec[] = [];
  for (const c of ['kube-apiserver', 'kube-controller-manager', 'kube-scheduler']) {
    specs.push(kubeImage(c, [base, await binariesLayer(work, c, { [`usr/local/bin/${c}`]: p.bin(c) })]));
  }
  specs.push(
    kubeImage('kube-proxy', [
      iptables,
      await binariesLayer(work, 'kube-proxy', { 'usr/local/bin/kube-proxy': p.bin('kube-proxy') }),
    ]),
  );
  specs.push({
    ref: `registry.k8s.io/etcd:${p.images.etcd}`,
    layers: [
      base,
      await binariesLayer(work, 'etcd', {
        'usr/local/bin/etcd': p.bin('etcd'),
        'usr/local/bin/etcdctl': p.bin('etcdctl'),
        'usr/local/bin/etcdutl': p.bin('etcdutl'),
      }),
    ],
    entrypoint: ['/usr/local/bin/etcd'],
    source: `go.etcd.io/etcd server, etcdctl, etcdutl v${p.images.etcd.replace(/-\d+$/, '')}, built from the Go modules`,
  });
  specs.push({
    ref: `registry.k8s.io/coredns/coredns:${p.images.coredns}`,
    layers: [base, await binariesLayer(work, 'coredns', { coredns: p.bin('coredns') })],
    entrypoint: ['/coredns'],
    source: `github.com/coredns/coredns ${p.images.coredns}, built from the Go module`,
  });
  specs.push({
    ref: `registry.k8s.io/pause:${p.images.pause}`,
    layers: [await binariesLayer(work, 'pause', { pause: p.bin('pause') })],
    entrypoint: ['/pause'],
    user: '65535:65535',
    source: `kubernetes ${k} build/pause/linux/pause.c, compiled statically`,
  });
  specs.push({
    ref: `ghcr.io/flannel-io/flannel:${p.flannelVersion}`,
    layers: [
      iptables,
      await binariesLayer(work, 'flannel', {
        'opt/bin/flanneld': p.bin('flanneld'),
        'opt/bin/install-conf': p.bin('install-conf'),
      }),
    ],
    entrypoint: ['/opt/bin/flanneld'],
    source: `github.com/flannel-io/flannel ${p.flannelVersion} (flanneld, cmd/install_conf), built from the Go module`,
  });
  specs.push({
    ref: `ghcr.io/flannel-io/flannel-cni-plugin:${p.flannelCniPluginTag}`,
    layers: [iptables, await binariesLayer(work, 'flannel-cni-plugin', { flannel: p.bin('flannel') })],
    source:
      'SUBSTITUTE: github.com/containernetworking/plugins v0.9.1 plugins/meta/flannel (the flannel CNI plugin ' +
      'before it moved to flannel-io/cni-plugin, which the module proxy does not serve), under the tag the manifest names',
  });
  return specs;
}

/** Pushes each image to `registry` (http://127.0.0.1:PORT) under its full upstream name. */
export async function pushImages(imagetool: string, registry: string, specs: ImageSpec[]): Promise<void> {
  const host = registry.replace(/^http:\/\//, '');
  for (const spec of specs) {
    const args = ['-ref', `${host}/${spec.ref}`, '-env', PATH_ENV];
    for (const layer of spec.layers) args.push('-layer', layer);
    for (const word of spec.entrypoint ?? []) args.push('-entrypoint', word);
    if (spec.user) args.push('-user', spec.user);
    await must(imagetool, args);
  }
}

/** Builds test/lab/kube/imagetool (our own Go program) into the cache. */
export async function buildImagetool(log: (l: string) => void): Promise<string> {
  const out = join(KEELSON_CACHE, 'components', 'imagetool', 'imagetool');
  mkdirSync(dirname(out), { recursive: true });
  const started = Date.now();
  await must('go', ['build', '-trimpath', '-o', out, '.'], {
    cwd: join(HERE, 'imagetool'),
    env: { ...process.env, CGO_ENABLED: '0', GOWORK: 'off', GOTOOLCHAIN: 'local' },
  });
  log(`imagetool: built in ${((Date.now() - started) / 1000).toFixed(0)} s`);
  return out;
}
