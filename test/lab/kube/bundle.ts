// `npm run lab -- bundle [--version X]`: the offline bundle (main/services/bundle/layout.ts) made
// from the source build, in exactly the layout `keelson bundle` makes from upstream downloads:
// signed apt repositories, the CNI manifest, the etcd release tarball for external etcd, and a
// registry holding every image kubeadm and the CNI pull. Cached per version under KEELSON_CACHE.
import { createHash } from 'node:crypto';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  readFileSync,
  readdirSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { join, relative } from 'node:path';
import { BUNDLE_FORMAT, bundlePaths, type BundleManifest } from '../../../main/services/bundle/layout';
import { startRegistry } from '../../../main/services/bundle/registry-process';
import { must } from '../run';
import { RUNTIME_COMPONENTS } from './components';
import { SigningKey, writeDistsRepo, writeFlatRepo } from './apt-repo';
import { kubeBuild, type KubeBuild } from './build';
import { buildDeb, packageSpecs } from './debs';
import { KEELSON_CACHE, mb } from './go-build';
import { buildImagetool, imageSpecs, pushImages } from './oci-images';

type Log = (line: string) => void;

/** The pinned tag of the flannel CNI plugin image in Flannel's own manifest. */
function cniPluginTag(manifest: string): string {
  const m = /image: ghcr\.io\/flannel-io\/flannel-cni-plugin:(\S+)/.exec(manifest);
  if (!m) throw new Error('bundle: kube-flannel.yml names no flannel-cni-plugin image');
  return m[1]!;
}

function component(name: string) {
  const c = RUNTIME_COMPONENTS.find((x) => x.name === name);
  if (!c) throw new Error(`bundle: no component ${name}`);
  return c;
}

async function moduleDir(module: string, version: string): Promise<string> {
  const out = await must('go', ['mod', 'download', '-json', `${module}@${version}`], {
    env: { ...process.env, GOWORK: 'off', GOFLAGS: '-mod=mod' },
    cwd: '/',
  });
  return (JSON.parse(out) as { Dir: string }).Dir;
}

function walk(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? walk(join(dir, e.name)) : [join(dir, e.name)],
  );
}

async function etcdTarball(build: KubeBuild, version: string, out: string, work: string): Promise<void> {
  const name = `etcd-${version}-linux-amd64`;
  const tree = join(work, name);
  mkdirSync(tree, { recursive: true });
  for (const b of ['etcd', 'etcdctl', 'etcdutl']) copyFileSync(build.binaryPath(b), join(tree, b));
  mkdirSync(join(out, '..'), { recursive: true });
  await must('tar', ['-C', work, '--numeric-owner', '--owner=0', '--group=0', '-czf', out, name]);
}

async function imageDigest(registry: string, ref: string): Promise<string> {
  const colon = ref.lastIndexOf(':');
  const response = await fetch(`${registry}/v2/${ref.slice(0, colon)}/manifests/${ref.slice(colon + 1)}`, {
    method: 'HEAD',
    headers: { Accept: 'application/vnd.oci.image.manifest.v1+json' },
  });
  const digest = response.headers.get('docker-content-digest');
  if (response.status !== 200 || !digest)
    throw new Error(`bundle: ${ref} is not in the registry (${response.status})`);
  return digest;
}

/** The newest CNI spec version the substitute flannel plugin (containernetworking/plugins v0.9.1) speaks. */
export const SUBSTITUTE_CNI_VERSION = '0.4.0';

/**
 * Upstream's manifest declares cniVersion 1.0.0, which the substitute plugin refuses ("incompatible
 * CNI versions": CoreDNS never got a sandbox on the first full lab cluster). The bundle says so.
 */
export function forSubstituteCniPlugin(manifest: string): string {
  const upstream = '"cniVersion": "1.0.0"';
  if (!manifest.includes(upstream)) throw new Error(`bundle: kube-flannel.yml no longer has ${upstream}`);
  return manifest.replace(upstream, `"cniVersion": "${SUBSTITUTE_CNI_VERSION}"`);
}

export async function buildBundle(version: string | undefined, log: Log = console.log): Promise<string> {
  const build = await kubeBuild(version, log);
  const v = build.version;
  const minor = v.split('.').slice(0, 2).join('.');
  const dir = join(KEELSON_CACHE, 'bundles', `v${v}`);
  if (existsSync(bundlePaths(dir).manifest)) {
    log(`bundle v${v}: cached at ${dir}`);
    return dir;
  }
  const started = Date.now();
  const tmp = `${dir}.tmp`;
  const work = join(KEELSON_CACHE, 'bundles', `.work-v${v}`);
  rmSync(tmp, { recursive: true, force: true });
  rmSync(work, { recursive: true, force: true });
  mkdirSync(tmp, { recursive: true });
  mkdirSync(work, { recursive: true });
  const key = await SigningKey.ensure(join(KEELSON_CACHE, 'bundle-signing-key'));

  const containerd = component('containerd');
  const flannel = component('flannel');
  const specs = packageSpecs({
    kubeVersion: v,
    criToolsVersion: component('cri-tools').version.replace(/^v/, ''),
    cniVersion: component('cni-plugins').version.replace(/^v/, ''),
    containerdVersion: containerd.version.replace(/^v/, ''),
    bin: (n) => build.binaryPath(n),
    cniPlugins: component('cni-plugins').commands.map((c) => c.binary),
    containerdServiceFile: join(await moduleDir(containerd.module, containerd.version), 'containerd.service'),
  });
  const debs = join(work, 'debs');
  const kubeDebs = [];
  for (const s of specs.kubernetes) kubeDebs.push(await buildDeb(s, work, debs));
  const dockerDebs = [];
  for (const s of specs.docker) dockerDebs.push(await buildDeb(s, work, debs));
  await writeFlatRepo(join(tmp, 'kubernetes', 'core:', 'stable:', `v${minor}`, 'deb'), kubeDebs, key);
  await writeDistsRepo(join(tmp, 'docker', 'linux', 'debian'), 'bookworm', 'stable', dockerDebs, key);
  log(`bundle v${v}: apt repositories written (${kubeDebs.length + dockerDebs.length} packages, signed)`);

  const flannelManifest = readFileSync(
    join(await moduleDir(flannel.module, flannel.version), 'Documentation', 'kube-flannel.yml'),
    'utf8',
  );
  mkdirSync(join(tmp, 'cni', 'flannel', flannel.version), { recursive: true });
  writeFileSync(
    join(tmp, 'cni', 'flannel', flannel.version, 'kube-flannel.yml'),
    forSubstituteCniPlugin(flannelManifest),
  );
  const etcdVersion = `v${build.images.etcd.replace(/-\d+$/, '')}`;
  await etcdTarball(
    build,
    etcdVersion,
    join(tmp, 'etcd', etcdVersion, `etcd-${etcdVersion}-linux-amd64.tar.gz`),
    work,
  );

  const paths = bundlePaths(tmp);
  mkdirSync(join(tmp, 'bin'), { recursive: true });
  copyFileSync(build.binaryPath('registry'), paths.registryBinary);
  const imagetool = await buildImagetool(log);
  const images = await imageSpecs(work, {
    kubeVersion: v,
    images: build.images,
    flannelVersion: flannel.version,
    flannelCniPluginTag: cniPluginTag(flannelManifest),
    bin: (n) => build.binaryPath(n),
  });
  const registry = await startRegistry({
    binary: paths.registryBinary,
    storage: paths.registry,
    workDir: join(work, 'registry'),
    readOnly: false,
  });
  const manifestImages = [];
  try {
    await pushImages(imagetool, registry.url, images);
    for (const image of images) {
      manifestImages.push({
        ref: image.ref,
        digest: await imageDigest(registry.url, image.ref),
        source: image.source,
      });
    }
  } finally {
    await registry.stop();
  }
  log(`bundle v${v}: ${images.length} images pushed into the bundle's registry`);

  const files = walk(tmp)
    .filter((f) => !f.startsWith(`${paths.registry}/`))
    .map((f) => ({
      path: relative(tmp, f),
      sha256: createHash('sha256').update(readFileSync(f)).digest('hex'),
      bytes: statSync(f).size,
    }))
    .sort((a, b) => a.path.localeCompare(b.path));
  const components: BundleManifest['components'] = {};
  for (const c of build.components)
    components[c.name] = { version: c.version, source: `${c.name} built from source (Go module proxy)` };
  components['flannel-cni-plugin'] = {
    version: 'v0.9.1',
    source:
      'SUBSTITUTE for flannel-io/cni-plugin (not served by the module proxy): containernetworking/plugins v0.9.1 meta/flannel; ' +
      `kube-flannel.yml's CNI config declares cniVersion ${SUBSTITUTE_CNI_VERSION} (the substitute's newest) instead of upstream's 1.0.0`,
  };
  const manifest: BundleManifest = {
    format: BUNDLE_FORMAT,
    kubernetesVersion: v,
    createdAt: new Date().toISOString(),
    origin: 'source-build',
    components,
    images: manifestImages,
    files,
  };
  writeFileSync(paths.manifest, `${JSON.stringify(manifest, null, 2)}\n`);
  rmSync(dir, { recursive: true, force: true });
  renameSync(tmp, dir);
  rmSync(work, { recursive: true, force: true });
  const size = (await must('du', ['-sb', dir])).split('\t')[0];
  log(`bundle v${v}: ${dir} (${mb(Number(size))}) made in ${((Date.now() - started) / 1000).toFixed(0)} s`);
  return dir;
}
