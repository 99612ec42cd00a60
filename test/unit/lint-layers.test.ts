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
  });
});
