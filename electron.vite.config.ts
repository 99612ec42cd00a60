import { resolve } from 'node:path';
import { defineConfig } from 'electron-vite';
import react from '@vitejs/plugin-react';
import pkg from './package.json' with { type: 'json' };

const define = { __KEELSON_VERSION__: JSON.stringify(pkg.version) };

// One build, five entries: the Electron main process, the plain-Node browser-mode
// server, the CLI, the preload bridge and the renderer. The two Node entries share
// main/services, which never imports electron, so they run without an Electron binary.
export default defineConfig({
  main: {
    define,
    build: {
      outDir: 'out/main',
      rollupOptions: {
        input: {
          electron: resolve('main/electron/index.ts'),
          serve: resolve('main/headless/serve.ts'),
          cli: resolve('main/cli/keelson.ts'),
        },
      },
    },
  },
  preload: {
    build: {
      outDir: 'out/preload',
      rollupOptions: {
        input: { index: resolve('preload/index.ts') },
        // A sandboxed preload cannot `require` chunks, so it must be one CommonJS file.
        output: { format: 'cjs', entryFileNames: '[name].cjs' },
      },
    },
  },
  renderer: {
    root: 'renderer',
    define,
    build: {
      outDir: 'out/renderer',
      rollupOptions: { input: { index: resolve('renderer/index.html') } },
    },
    plugins: [react()],
  },
});
