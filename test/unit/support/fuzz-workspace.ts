/**
 * The sandbox of the fuzz runs: a temporary folder holding the workspace (KEELSON_HOME, HOME,
 * TMPDIR, KUBECONFIG and the known_hosts file all point into it) beside neighbours a careless
 * write would hit — a folder with a file and a folder that looks like a plan but holds none of
 * Keelson's markers, and the folder the process runs in. `outside()` lists everything outside the workspace (names, sizes,
 * modes, contents' hashes), so "nothing written outside the workspace" is one toEqual.
 */
import { createHash } from 'node:crypto';
import { lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface FuzzSandbox {
  /** The temporary parent of everything below. */
  parent: string;
  /** Where the run may write: KEELSON_HOME, HOME, TMPDIR. */
  workspace: string;
  /** A neighbour holding a file, and `neighbour/plan` with a plan.json that is not Keelson's. */
  neighbour: string;
  /** Outside the workspace too: the contract's calls run with this as their working folder. */
  cwd: string;
  /** The environment pointing everything at the workspace. */
  env: Record<string, string>;
  /** Every entry outside the workspace, path → kind, size, mode and content hash. */
  outside(): Record<string, string>;
  remove(): void;
}

/** The seed of this run: KEELSON_FUZZ_SEED replays one, otherwise a fresh one (printed). */
export function fuzzSeed(): number {
  const given = process.env.KEELSON_FUZZ_SEED;
  return given ? Number(given) : Math.floor(Math.random() * 2 ** 31);
}

export function makeFuzzSandbox(): FuzzSandbox {
  const parent = mkdtempSync(join(tmpdir(), 'keelson-fuzz-'));
  const workspace = join(parent, 'workspace');
  const neighbour = join(parent, 'neighbour');
  const cwd = join(parent, 'cwd');
  for (const dir of [workspace, join(workspace, 'tmp'), join(neighbour, 'plan'), cwd])
    mkdirSync(dir, { recursive: true });
  writeFileSync(join(neighbour, 'notes.txt'), 'not Keelson’s\n');
  // Looks like a plan to a careless check, but lacks Keelson's marker: --overwrite must refuse it.
  writeFileSync(join(neighbour, 'plan', 'plan.json'), '{"generatedBy":"keelson"}\n');
  const env = {
    KEELSON_HOME: workspace,
    HOME: workspace,
    TMPDIR: join(workspace, 'tmp'),
    KUBECONFIG: join(workspace, 'kube', 'config'),
    KEELSON_KNOWN_HOSTS: join(workspace, 'known_hosts'),
  };
  const outside = () => {
    const seen: Record<string, string> = {};
    const walk = (dir: string) => {
      for (const name of readdirSync(dir).sort()) {
        const path = join(dir, name);
        if (path === workspace) continue;
        const st = lstatSync(path);
        const mode = (st.mode & 0o7777).toString(8);
        if (st.isDirectory()) {
          seen[path] = `dir ${mode}`;
          walk(path);
        } else if (st.isFile()) {
          const hash = createHash('sha256').update(readFileSync(path)).digest('hex').slice(0, 16);
          seen[path] = `file ${mode} ${st.size} ${hash}`;
        } else seen[path] = `other ${mode}`;
      }
    };
    seen[parent] = `dir ${(lstatSync(parent).mode & 0o7777).toString(8)}`;
    walk(parent);
    return seen;
  };
  return {
    parent,
    workspace,
    neighbour,
    cwd,
    env,
    outside,
    remove: () => rmSync(parent, { recursive: true, force: true }),
  };
}

/** Sets `env` on this process until the returned function puts the old values back. */
export function useEnv(env: Record<string, string>): () => void {
  const old = Object.fromEntries(Object.keys(env).map((k) => [k, process.env[k]]));
  Object.assign(process.env, env);
  return () => {
    for (const [k, v] of Object.entries(old)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  };
}

/** A V8 stack frame ("    at fn (file:1:2)") or Node's dump of an uncaught error. */
export const STACK_TRACE =
  /^\s+at .+(:\d+:\d+\)?|\(native\)|<anonymous>\)?)$|node:internal|Error: .*\n\s+at /m;
