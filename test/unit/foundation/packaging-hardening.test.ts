import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

interface BuilderConfig {
  asar?: boolean;
  asarUnpack?: string[];
  npmRebuild?: boolean;
  electronFuses?: Record<string, boolean>;
  files?: string[];
}

describe('electron-builder.yml', () => {
  const config = parse(readFileSync('electron-builder.yml', 'utf8')) as BuilderConfig;

  it('flips the fuses that stop the packaged app being used as a plain Node runtime', () => {
    expect(config.electronFuses).toEqual({
      runAsNode: false,
      enableCookieEncryption: true,
      enableNodeOptionsEnvironmentVariable: false,
      enableNodeCliInspectArguments: false,
      enableEmbeddedAsarIntegrityValidation: true,
      onlyLoadAppFromAsar: true,
      loadBrowserProcessSpecificV8Snapshot: false,
      grantFileProtocolExtraPrivileges: false,
    });
  });

  it('rebuilds node-pty for Electron and keeps its native parts out of the asar', () => {
    expect(config.npmRebuild).not.toBe(false);
    expect(config.asarUnpack).toContain('**/*.node');
    // spawn-helper (macOS) and the conpty binaries (Windows) are executables, not .node files.
    expect(config.asarUnpack).toContain('**/node_modules/node-pty/**');
  });

  it('packs the app into an asar (the integrity fuse checks it) and ships no source maps', () => {
    expect(config.asar).toBe(true);
    expect(config.files).toContain('!**/*.map');
  });
});

describe('@electron/remote is banned', () => {
  it('lint rejects importing it, in any layer', async () => {
    const eslint = new ESLint();
    for (const filePath of ['main/electron/remote.ts', 'preload/remote.ts', 'renderer/src/remote.ts']) {
      const [result] = await eslint.lintText(
        "import { BrowserWindow } from '@electron/remote';\nexport const w = BrowserWindow;\n",
        { filePath },
      );
      const rules = result!.messages.map((m) => `${m.ruleId}: ${m.message}`);
      expect(rules, filePath).toContainEqual(expect.stringMatching(/no-restricted-imports: .*Remote module/));
    }
  });

  it('is neither a dependency nor imported anywhere in the sources', () => {
    const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as Record<string, Record<string, string>>;
    expect(Object.keys({ ...pkg.dependencies, ...pkg.devDependencies })).not.toContain('@electron/remote');
    const lock = JSON.parse(readFileSync('package-lock.json', 'utf8')) as {
      packages: Record<string, unknown>;
    };
    expect(
      Object.keys(lock.packages).filter((path) => path.endsWith('node_modules/@electron/remote')),
    ).toEqual([]);
    const sources = ['main', 'preload', 'renderer', 'shared'].flatMap((dir) =>
      readdirSync(dir, { recursive: true, encoding: 'utf8' })
        .filter((file) => /\.(ts|tsx|js|mjs|cjs)$/.test(file))
        .map((file) => join(dir, file)),
    );
    expect(sources.length).toBeGreaterThan(10);
    expect(sources.filter((file) => readFileSync(file, 'utf8').includes('@electron/remote'))).toEqual([]);
  });
});
