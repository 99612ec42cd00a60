// Keelson's runtime layers, as VS Code layers its code: each folder may import only
// from the layers listed for it. Relative imports are resolved, so `../../main/x` from
// renderer/ is caught however many dots it has.
import { builtinModules } from 'node:module';
import { dirname, relative, resolve, sep } from 'node:path';

const NODE_BUILTINS = new Set(builtinModules.flatMap((m) => [m, `node:${m}`]));

/** Which layer a file is in: its top folder, with main/electron split from main/. */
export function layerOf(file, root) {
  const parts = relative(root, file).split(sep);
  // Lint fixtures pretend to live where their path under test/lint-fixtures/ says.
  if (parts[0] === 'test' && parts[1] === 'lint-fixtures') parts.splice(0, 2);
  if (parts[0] === 'main' && parts[1] === 'electron') return 'main/electron';
  return ['shared', 'main', 'preload', 'renderer'].includes(parts[0]) ? parts[0] : null;
}

const RULES = {
  shared: { layers: ['shared'], node: false, electron: false },
  main: { layers: ['shared', 'main'], node: true, electron: false },
  'main/electron': { layers: ['shared', 'main', 'main/electron'], node: true, electron: true },
  preload: { layers: ['preload'], node: false, electron: true },
  renderer: { layers: ['shared', 'renderer'], node: false, electron: false },
};

export default {
  meta: {
    type: 'problem',
    docs: { description: 'enforce the shared / main / preload / renderer runtime layers' },
    schema: [],
    messages: {
      layer: '{{from}}/ may not import {{what}} ({{source}}). {{why}}',
    },
  },
  create(context) {
    const root = context.cwd;
    const file = context.filename;
    const from = layerOf(file, root);
    if (!from) return {};
    const rule = RULES[from];
    const fixtureBase = file.includes(`${sep}lint-fixtures${sep}`)
      ? file.replace(`${sep}test${sep}lint-fixtures`, '')
      : file;

    function check(node, source) {
      if (typeof source !== 'string') return;
      const report = (what, why) =>
        context.report({ node, messageId: 'layer', data: { from, what, source, why } });
      if (source === 'electron' || source.startsWith('electron/')) {
        if (!rule.electron) report('electron', 'Only main/electron/ and preload/ may use Electron.');
        return;
      }
      if (NODE_BUILTINS.has(source)) {
        if (!rule.node)
          report('a Node built-in', `${from}/ must run without Node (browser or pure TypeScript).`);
        return;
      }
      if (!source.startsWith('.')) return; // a package: allowed, the bundler decides
      const target = layerOf(resolve(dirname(fixtureBase), source), root);
      if (target && !rule.layers.includes(target)) {
        report(`${target}/`, `${from}/ may import only from ${rule.layers.map((l) => `${l}/`).join(', ')}.`);
      }
    }

    return {
      ImportDeclaration: (node) => check(node, node.source.value),
      ExportNamedDeclaration: (node) => node.source && check(node, node.source.value),
      ExportAllDeclaration: (node) => check(node, node.source.value),
      ImportExpression: (node) => node.source.type === 'Literal' && check(node, node.source.value),
    };
  },
};
