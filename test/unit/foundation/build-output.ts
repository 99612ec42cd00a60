import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

/**
 * Tests of the built entry points (out/main/*.js, bin/keelson.mjs) run after `npm test`'s
 * build; when run alone on a fresh checkout they build once themselves.
 */
export function ensureBuilt(): void {
  const wanted = ['out/main/serve.js', 'out/main/cli.js', 'out/renderer/index.html'];
  if (wanted.every((file) => existsSync(file))) return;
  const build = spawnSync('npx', ['electron-vite', 'build'], { encoding: 'utf8', timeout: 170_000 });
  if (build.status !== 0) throw new Error(`electron-vite build failed:\n${build.stdout}\n${build.stderr}`);
}
