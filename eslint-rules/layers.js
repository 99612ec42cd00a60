// Keelson's runtime layers, as VS Code layers its code: each folder may import only
// from the layers listed for it. Relative imports are resolved, so `../../main/x` from
// renderer/ is caught however many dots it has.
import { builtinModules } from 'node:module';
import { dirname, relative, resolve, sep } from 'node:path';

const NODE_BUILTINS = new Set(builtinModules.flatMap((m) => [m, `node:${m}`]));

/** Node's own modules, including the ones that exist only with the prefix (node:test, node:sqlite). */
function isNodeBuiltin(source) {
  return source.startsWith('node:') || NODE_BUILTINS.has(source) || NODE_BUILTINS.has(source.split('/')[0]);
}

/**
 * Packages that need Node or Electron to run (sockets, native code, a pty, the SSH protocol):
 * shared/ must stay pure and the renderer runs in a sandboxed page, so neither may import them,
 * not even for types — a type import today is a runtime import after the next refactor.
 */
const NODE_ONLY_PACKAGES = ['ssh2', 'ws', 'node-pty', 'cpu-features', 'ssh-config', 'electron'];

/** The package a bare specifier names: `ssh2/lib/x` → ssh2, `@scope/pkg/x` → @scope/pkg. */
function packageOf(source) {
  const parts = source.split('/');
  return source.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
}

/** Which layer a file is in: its top folder, with main/electron split from main/. */
export function layerOf(file, root) {
  const parts = relative(root, file).split(sep);
  // Lint fixtures pretend to live where their path under test/lint-fixtures/ says.
  if (parts[0] === 'test' && parts[1] === 'lint-fixtures') parts.splice(0, 2);
  if (parts[0] === 'main' && parts[1] === 'electron') return 'main/electron';
  return ['shared', 'main', 'preload', 'renderer'].includes(parts[0]) ? parts[0] : null;
}

// `node`: may import Node built-ins and Node-only packages. `sharedFiles`: the only files of
// shared/ a layer may import when shared/ is not among its layers (the sandboxed preload takes
// the bridge's names, and nothing that would pull zod or the contract into it).
const RULES = {
  shared: { layers: ['shared'], node: false, electron: false },
  main: { layers: ['shared', 'main'], node: true, electron: false },
  'main/electron': { layers: ['shared', 'main', 'main/electron'], node: true, electron: true },
  preload: { layers: ['preload'], node: false, electron: true, sharedFiles: ['shared/bridge.ts'] },
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
      if (isNodeBuiltin(source)) {
        if (!rule.node)
          report('a Node built-in', `${from}/ must run without Node (browser or pure TypeScript).`);
        return;
      }
      if (!source.startsWith('.') && !source.startsWith('/')) {
        const pkg = packageOf(source);
        if (NODE_ONLY_PACKAGES.includes(pkg) && !rule.node)
          report(`the Node-only package ${pkg}`, `${from}/ must run without Node; only main/ may use it.`);
        return; // any other package: allowed, the bundler decides
      }
      const resolved = resolve(dirname(fixtureBase), source);
      const target = layerOf(resolved, root);
      if (!target || rule.layers.includes(target)) return;
      const asFile = relative(root, resolved)
        .split(sep)
        .join('/')
        .replace(/(\.ts)?$/, '.ts');
      if (target === 'shared' && rule.sharedFiles?.includes(asFile)) return;
      const allowed = [...rule.layers.map((l) => `${l}/`), ...(rule.sharedFiles ?? [])];
      report(`${target}/`, `${from}/ may import only from ${allowed.join(', ')}.`);
    }

    return {
      ImportDeclaration: (node) => check(node, node.source.value),
      ExportNamedDeclaration: (node) => node.source && check(node, node.source.value),
      ExportAllDeclaration: (node) => check(node, node.source.value),
      ImportExpression: (node) => node.source.type === 'Literal' && check(node, node.source.value),
      // `import x = require('ssh2')`, `require('ws')` and `type T = import('node-pty').IPty`
      // reach a module as surely as an import declaration does.
      TSImportEqualsDeclaration: (node) =>
        node.moduleReference.type === 'TSExternalModuleReference' &&
        check(node, node.moduleReference.expression.value),
      CallExpression: (node) =>
        node.callee.type === 'Identifier' &&
        node.callee.name === 'require' &&
        node.arguments[0]?.type === 'Literal' &&
        check(node, node.arguments[0].value),
      TSImportType: (node) => {
        // typescript-eslint 8 calls it `source` (`argument`, a TSLiteralType, before that).
        const arg = 'source' in node ? node.source : node.argument;
        const literal = arg?.type === 'TSLiteralType' ? arg.literal : arg;
        if (literal?.type === 'Literal') check(node, literal.value);
      },
    };
  },
};
