import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

// The layer rules are only worth having if lint really rejects a violation: these
// fixtures pretend to live in renderer/, shared/ and main/services/.
async function lintFixture(path: string) {
  const eslint = new ESLint({ ignore: false });
  const [result] = await eslint.lintFiles([`test/lint-fixtures/${path}`]);
  return result!.messages.map((m) => `${m.ruleId}: ${m.message}`);
}

describe('runtime layer lint', () => {
  it('rejects a renderer file importing from main/', async () => {
    const messages = await lintFixture('renderer/imports-main.ts');
    expect(messages).toEqual([expect.stringMatching(/keelson\/layers: renderer\/ may not import main\//)]);
  });

  it('rejects a renderer file importing a Node built-in', async () => {
    expect(await lintFixture('renderer/imports-node.ts')).toEqual([
      expect.stringMatching(/renderer\/ may not import a Node built-in \(node:fs\)/),
    ]);
  });

  it('rejects electron and Node globals in shared/', async () => {
    const messages = await lintFixture('shared/uses-process.ts');
    expect(messages).toContainEqual(expect.stringMatching(/shared\/ may not import electron/));
    expect(messages).toContainEqual(expect.stringMatching(/no-restricted-globals: .*'process'/));
  });

  it('rejects electron in main/ services (only main/electron/ may use it)', async () => {
    expect(await lintFixture('main/services/imports-electron.ts')).toEqual([
      expect.stringMatching(/main\/ may not import electron/),
    ]);
  });

  it('rejects Node-only packages and Node modules in shared/, in every form of import', async () => {
    const layered = (await lintFixture('shared/imports-node-packages.ts')).filter((m) =>
      m.startsWith('keelson/layers'),
    );
    expect(layered).toEqual([
      expect.stringMatching(/shared\/ may not import the Node-only package ssh2 \(ssh2\)/),
      expect.stringMatching(/shared\/ may not import the Node-only package ws \(ws\)/), // import type
      expect.stringMatching(/shared\/ may not import the Node-only package node-pty \(node-pty\)/),
      expect.stringMatching(/shared\/ may not import a Node built-in \(node:sqlite\)/), // not in builtinModules
      expect.stringMatching(/package ssh2 \(ssh2\/lib\/protocol\/Protocol\.js\)/), // import = require()
      expect.stringMatching(/package node-pty \(node-pty\)/), // import('node-pty').IPty
      expect.stringMatching(/package ws \(ws\)/), // import('ws')
    ]);
  });

  it('rejects ws, ssh2, node-pty and electron in the renderer', async () => {
    expect(await lintFixture('renderer/imports-node-packages.ts')).toEqual([
      expect.stringMatching(/renderer\/ may not import the Node-only package ws/),
      expect.stringMatching(/renderer\/ may not import the Node-only package ssh2/),
      expect.stringMatching(/renderer\/ may not import the Node-only package node-pty/),
      expect.stringMatching(/renderer\/ may not import electron/),
    ]);
  });

  it('lets the preload take the bridge names from shared/bridge.ts and nothing else of shared/', async () => {
    expect(await lintFixture('preload/imports-contract.ts')).toEqual([
      expect.stringMatching(/preload\/ may not import shared\/ \(\.\.\/shared\/contract\)/),
      expect.stringMatching(/preload\/ may not import the Node-only package ssh2/),
    ]);
  });

  it('accepts a renderer file that imports only shared/', async () => {
    expect(await lintFixture('renderer/clean.ts')).toEqual([]);
  });

  it('passes on the real source tree', async () => {
    const eslint = new ESLint();
    const results = await eslint.lintFiles(['shared', 'main', 'preload', 'renderer']);
    const errors = results.flatMap((r) =>
      r.messages.filter((m) => m.severity === 2).map((m) => `${r.filePath}: ${m.message}`),
    );
    expect(errors).toEqual([]);
    // ESLint over the whole tree: seconds on a quiet machine, over 30 s at load 25+.
  }, 120_000);
});

describe('the bridge names', () => {
  it('preload, main and renderer take the connect channel from shared/bridge.ts, and none spells it', async () => {
    const { readFile } = await import('node:fs/promises');
    for (const file of ['preload/index.ts', 'main/electron/policy.ts', 'renderer/src/transport/client.ts']) {
      const text = await readFile(file, 'utf8');
      expect(text, file).toMatch(/from '(\.\.\/)+shared\/bridge'/);
      expect(text, file).not.toContain("'keelson:connect'");
    }
  });
});
