// Builds a Go component (components.ts) from the module proxy into a cache directory, once per
// version: a small wrapper module requires the component's module, turns its relative replace
// lines (k8s.io/kubernetes → ./staging, etcd → ../api) into published versions, and `go build`s
// each command. Incremental: a binary is rebuilt only when its recipe or the Go version changed.
import { createHash } from 'node:crypto';
import {
  chmodSync,
  cpSync,
  existsSync,
  mkdirSync,
  readFileSync,
  readdirSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { must, run } from '../run';
import type { GoComponent } from './components';

export const KEELSON_CACHE = process.env.KEELSON_CACHE ?? '/var/cache/keelson';

export interface BuiltBinary {
  binary: string;
  path: string;
  sizeBytes: number;
  /** Seconds spent building it now; 0 when it came from the cache. */
  seconds: number;
  cached: boolean;
}

export interface BuiltComponent {
  name: string;
  version: string;
  dir: string;
  binaries: BuiltBinary[];
}

type Log = (line: string) => void;

async function goEnv(): Promise<NodeJS.ProcessEnv> {
  return { ...process.env, GOFLAGS: '-mod=mod', GOTOOLCHAIN: 'local', GOWORK: 'off' };
}

/** Where the module's source sits in the module cache (downloads it if needed). */
async function moduleDir(
  module: string,
  version: string,
  env: NodeJS.ProcessEnv,
  cwd: string,
): Promise<string> {
  const out = await must('go', ['mod', 'download', '-json', `${module}@${version}`], { env, cwd });
  const info = JSON.parse(out) as { Dir?: string; Error?: string };
  if (!info.Dir) throw new Error(`kube-build: ${module}@${version} could not be downloaded: ${info.Error}`);
  return info.Dir;
}

/** `replace X => ../foo` lines of the component's own go.mod, turned into published versions. */
function siblingReplaces(goMod: string, component: GoComponent): string[] {
  if (!component.siblingVersion) return [];
  const lines: string[] = [];
  const relative = /^\s*(?:replace\s+)?(\S+)(?:\s+\S+)?\s+=>\s+(\.\.?\/\S*)\s*$/;
  for (const line of goMod.split('\n')) {
    const m = relative.exec(line);
    if (m) lines.push(`replace ${m[1]} => ${m[1]} ${component.siblingVersion(m[1]!)}`);
  }
  return lines;
}

function recipeHash(component: GoComponent, goVersion: string, binary: string): string {
  return createHash('sha256')
    .update(
      JSON.stringify([
        component.module,
        component.version,
        component.tags,
        component.ldflags,
        component.cgo,
        component.dropImports,
        goVersion,
        binary,
      ]),
    )
    .digest('hex')
    .slice(0, 16);
}

/**
 * A cgo component (runc: seccomp, linked statically) needs a C compiler and libseccomp's static
 * library; without them its build fails with pkg-config's words. Name the packages instead.
 */
export async function checkCgoTools(component: GoComponent): Promise<void> {
  const missing: string[] = [];
  if ((await run('gcc', ['--version']).catch(() => ({ code: 1 }))).code !== 0) missing.push('gcc');
  const libdir = await run('pkg-config', ['--variable=libdir', 'libseccomp']).catch(() => ({
    code: 1,
    stdout: '',
  }));
  if (libdir.code !== 0 || !existsSync(join(libdir.stdout.trim(), 'libseccomp.a')))
    missing.push('libseccomp-dev');
  if (missing.length)
    throw new Error(
      `kube-build: ${component.name} is built with cgo (seccomp, static), which needs ${missing.join(' and ')} ` +
        `(Debian: apt-get install gcc pkg-config libseccomp-dev)`,
    );
}

/** Builds `component` into DIR/bin (DIR under KEELSON_CACHE), printing what it does through `log`. */
export async function buildGoComponent(
  component: GoComponent,
  dir: string,
  log: Log,
): Promise<BuiltComponent> {
  const env = await goEnv();
  const src = join(dir, 'src');
  const bin = join(dir, 'bin');
  mkdirSync(src, { recursive: true });
  mkdirSync(bin, { recursive: true });
  const goVersion = (await must('go', ['env', 'GOVERSION'], { env })).trim();
  const stampFile = join(dir, 'build.json');
  const stamps: Record<string, string> = existsSync(stampFile)
    ? (JSON.parse(readFileSync(stampFile, 'utf8')) as Record<string, string>)
    : {};

  const todo = component.commands.filter(
    (c) =>
      stamps[c.binary] !== recipeHash(component, goVersion, c.binary) || !existsSync(join(bin, c.binary)),
  );
  const results: BuiltBinary[] = component.commands
    .filter((c) => !todo.includes(c))
    .map((c) => ({
      binary: c.binary,
      path: join(bin, c.binary),
      sizeBytes: statSync(join(bin, c.binary)).size,
      seconds: 0,
      cached: true,
    }));
  if (todo.length > 0) {
    if (component.cgo) await checkCgoTools(component);
    const modDir = await moduleDir(component.module, component.version, env, src);
    const goMod = readFileSync(join(modDir, 'go.mod'), 'utf8');
    const patched = component.dropImports?.length
      ? copyWithoutImports(modDir, join(src, 'module'), component.dropImports, log, component)
      : undefined;
    writeFileSync(
      join(src, 'go.mod'),
      [
        'module keelson.lab/kube-build',
        '',
        `go ${goVersion.replace(/^go/, '')}`,
        '',
        `require ${component.module} ${component.version}`,
        ...siblingReplaces(goMod, component),
        ...(patched ? [`replace ${component.module} => ./module`] : []),
        '',
      ].join('\n'),
    );
    const imports = todo.map(
      (c) => `\t_ "${c.path === '.' ? component.module : `${component.module}/${c.path}`}"`,
    );
    writeFileSync(
      join(src, 'tools.go'),
      `//go:build tools\n\npackage tools\n\nimport (\n${imports.join('\n')}\n)\n`,
    );
    log(`${component.name} ${component.version}: resolving modules…`);
    await must('go', ['mod', 'tidy'], { env, cwd: src });
    for (const c of todo) {
      const started = Date.now();
      const pkg = c.path === '.' ? component.module : `${component.module}/${c.path}`;
      const tmp = join(bin, `.${c.binary}.tmp`);
      log(`${component.name} ${component.version}: building ${c.binary}…`);
      const args = [
        'build',
        '-trimpath',
        '-o',
        tmp,
        ...(component.tags?.length ? ['-tags', component.tags.join(',')] : []),
        '-ldflags',
        ['-s', '-w', ...(component.ldflags ?? [])].join(' '),
        pkg,
      ];
      const result = await run('go', args, {
        env: { ...env, CGO_ENABLED: component.cgo ? '1' : '0' },
        cwd: src,
      });
      if (result.code !== 0) {
        throw new Error(
          `kube-build: building ${c.binary} from ${pkg}@${component.version} failed:\n` +
            result.stderr.trim().split('\n').slice(-20).join('\n'),
        );
      }
      renameSync(tmp, join(bin, c.binary));
      stamps[c.binary] = recipeHash(component, goVersion, c.binary);
      writeFileSync(stampFile, JSON.stringify(stamps, null, 2));
      const seconds = (Date.now() - started) / 1000;
      const sizeBytes = statSync(join(bin, c.binary)).size;
      log(
        `${component.name} ${component.version}: ${c.binary} built in ${seconds.toFixed(0)} s (${mb(sizeBytes)})`,
      );
      results.push({ binary: c.binary, path: join(bin, c.binary), sizeBytes, seconds, cached: false });
    }
  }
  return { name: component.name, version: component.version, dir, binaries: results };
}

/** A writable copy of the module whose root .go files no longer import `drop`. */
function copyWithoutImports(
  modDir: string,
  copy: string,
  drop: string[],
  log: Log,
  component: GoComponent,
): string {
  rmSync(copy, { recursive: true, force: true });
  cpSync(modDir, copy, { recursive: true });
  const chmodAll = (dir: string) => {
    chmodSync(dir, 0o755);
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      if (e.isDirectory()) chmodAll(join(dir, e.name));
      else chmodSync(join(dir, e.name), 0o644);
    }
  };
  chmodAll(copy);
  for (const name of readdirSync(copy).filter((n) => n.endsWith('.go'))) {
    const path = join(copy, name);
    const text = readFileSync(path, 'utf8');
    const kept = text.split('\n').filter((line) => !drop.some((d) => line.includes(`"${d}"`)));
    writeFileSync(path, kept.join('\n'));
  }
  log(
    `${component.name} ${component.version}: built WITHOUT ${drop.join(', ')} (not served by the module proxy)`,
  );
  return copy;
}

export const mb = (bytes: number): string => `${(bytes / 1024 / 1024).toFixed(1)} MB`;
