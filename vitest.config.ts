import { defineConfig } from 'vitest/config';

export default defineConfig({
  define: { __KEELSON_VERSION__: JSON.stringify('0.1.0-test') },
  test: {
    include: ['test/**/*.test.ts'],
    exclude: ['test/e2e/**', 'test/lint-fixtures/**', 'node_modules/**'],
    testTimeout: 30_000,
    // A lab's start: seconds on a quiet machine, minutes at load 25–45 (seen with parallel work).
    hookTimeout: 600_000,
    // Lab tests share one set of network namespaces: keep files from racing for them.
    fileParallelism: false,
    reporters: ['default', ['json', { outputFile: 'test-results/unit.json' }]],
  },
});
