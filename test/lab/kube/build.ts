// `npm run lab -- kube-build [--version X]`: the real upstream binaries of one Kubernetes
// release and everything a kubeadm cluster runs beside it, built from Go modules into
// KEELSON_CACHE (default /var/cache/keelson), incrementally, with what was built, how long it
// took and the sizes printed. Nothing built here is ever committed.
import { existsSync, mkdirSync, renameSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { must } from '../run';
import {
  DEFAULT_KUBE_VERSION,
  RUNTIME_COMPONENTS,
  corednsComponent,
  etcdComponent,
  etcdctlComponent,
  etcdutlComponent,
  kubernetesComponent,
  type GoComponent,
} from './components';
import { KEELSON_CACHE, buildGoComponent, checkCgoTools, mb, type BuiltComponent } from './go-build';

export interface KubeImages {
  /** Exactly what `kubeadm config images list` prints, in its order. */
  list: string[];
  etcd: string;
  coredns: string;
  pause: string;
}

export interface KubeBuild {
  version: string;
  components: BuiltComponent[];
  images: KubeImages;
  /** Directory holding every binary by name (bin/kubeadm, bin/containerd, bin/pause…). */
  binaryPath(name: string): string;
  seconds: number;
}

type Log = (line: string) => void;

const componentDir = (c: GoComponent) => join(KEELSON_CACHE, 'components', `${c.name}-${c.version}`);

/** Image tags kubeadm pulls for `version`, read from the real kubeadm binary. */
export async function kubeadmImages(kubeadm: string, version: string): Promise<KubeImages> {
  const out = await must(kubeadm, ['config', 'images', 'list', '--kubernetes-version', `v${version}`]);
  const list = out.trim().split('\n').filter(Boolean);
  const tag = (repo: string) => {
    const image = list.find((i) => i.startsWith(`registry.k8s.io/${repo}:`));
    if (!image) throw new Error(`kube-build: kubeadm listed no ${repo} image:\n${out}`);
    return image.slice(image.lastIndexOf(':') + 1);
  };
  return { list, etcd: tag('etcd'), coredns: tag('coredns/coredns'), pause: tag('pause') };
}

/** pause from the C source kubernetes ships (build/pause/linux/pause.c), linked statically. */
async function buildPause(
  kubeModuleDir: string,
  pauseVersion: string,
  dir: string,
  log: Log,
): Promise<BuiltComponent> {
  const bin = join(dir, 'bin');
  mkdirSync(bin, { recursive: true });
  const out = join(bin, 'pause');
  const started = Date.now();
  const cached = existsSync(out);
  if (!cached) {
    const source = join(kubeModuleDir, 'build', 'pause', 'linux', 'pause.c');
    await must('gcc', [
      '-Os',
      '-Wall',
      '-Werror',
      '-static',
      `-DVERSION=v${pauseVersion}`,
      '-o',
      `${out}.tmp`,
      source,
    ]);
    await must('strip', [`${out}.tmp`]);
    renameSync(`${out}.tmp`, out);
    log(`pause ${pauseVersion}: built from pause.c in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  }
  return {
    name: 'pause',
    version: pauseVersion,
    dir,
    binaries: [{ binary: 'pause', path: out, sizeBytes: statSync(out).size, seconds: 0, cached }],
  };
}

async function kubeModuleDir(version: string): Promise<string> {
  const out = await must('go', ['mod', 'download', '-json', `k8s.io/kubernetes@v${version}`], {
    env: { ...process.env, GOWORK: 'off', GOFLAGS: '-mod=mod' },
    cwd: '/',
  });
  return (JSON.parse(out) as { Dir: string }).Dir;
}

/** Builds (or finds cached) everything for one Kubernetes version. */
export async function kubeBuild(version = DEFAULT_KUBE_VERSION, log: Log = console.log): Promise<KubeBuild> {
  if (!/^1\.\d+\.\d+$/.test(version))
    throw new Error(`kube-build: "${version}" is not a version like 1.37.2`);
  // Before half an hour of Kubernetes, not after it: a cgo component still to build needs its tools.
  const cgoToBuild = RUNTIME_COMPONENTS.filter(
    (c) => c.cgo && c.commands.some((cmd) => !existsSync(join(componentDir(c), 'bin', cmd.binary))),
  );
  if (cgoToBuild.length) await checkCgoTools(cgoToBuild[0]!);
  const started = Date.now();
  const components: BuiltComponent[] = [];
  const kube = await buildGoComponent(
    kubernetesComponent(version),
    join(KEELSON_CACHE, 'kube', `v${version}`),
    log,
  );
  components.push(kube);
  const kubeadm = kube.binaries.find((b) => b.binary === 'kubeadm')!.path;
  const reported = (await must(kubeadm, ['version', '-o', 'short'])).trim();
  if (reported !== `v${version}`) throw new Error(`kube-build: kubeadm reports ${reported}, not v${version}`);
  const images = await kubeadmImages(kubeadm, version);
  const etcdVersion = `v${images.etcd.replace(/-\d+$/, '')}`;
  const components2 = [
    etcdComponent(etcdVersion),
    etcdctlComponent(etcdVersion),
    etcdutlComponent(etcdVersion),
    corednsComponent(images.coredns),
    ...RUNTIME_COMPONENTS,
  ];
  for (const c of components2) {
    components.push(await buildGoComponent(c, componentDir(c), log));
  }
  components.push(
    await buildPause(
      await kubeModuleDir(version),
      images.pause,
      join(KEELSON_CACHE, 'components', `pause-${images.pause}`),
      log,
    ),
  );
  const byName = new Map(components.flatMap((c) => c.binaries.map((b) => [b.binary, b.path] as const)));
  return {
    version,
    components,
    images,
    binaryPath(name) {
      const path = byName.get(name);
      if (!path) throw new Error(`kube-build: no binary named ${name}`);
      return path;
    },
    seconds: (Date.now() - started) / 1000,
  };
}

/** The lines `npm run lab -- kube-build` prints after building. */
export function describeBuild(build: KubeBuild): string {
  const lines = [`Kubernetes v${build.version} and its runtime, under ${KEELSON_CACHE}:`];
  let total = 0;
  for (const c of build.components) {
    for (const b of c.binaries) {
      total += b.sizeBytes;
      lines.push(
        `  ${b.binary.padEnd(26)} ${c.name} ${c.version}`.padEnd(64) +
          `${mb(b.sizeBytes).padStart(9)}  ${b.cached ? 'cached' : `built in ${b.seconds.toFixed(0)} s`}`,
      );
    }
  }
  lines.push(`kubeadm config images list: ${build.images.list.join(' ')}`);
  lines.push(`total ${mb(total)} of binaries; this run took ${build.seconds.toFixed(0)} s`);
  return lines.join('\n');
}
