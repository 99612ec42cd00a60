import js from '@eslint/js';
import reactHooks from 'eslint-plugin-react-hooks';
import globals from 'globals';
import tseslint from 'typescript-eslint';
import layers from './eslint-rules/layers.js';

export default tseslint.config(
  {
    ignores: [
      'test/lint-fixtures/**',
      'out/**',
      'dist/**',
      'node_modules/**',
      'test-results/**',
      'playwright-report/**',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    plugins: { keelson: { rules: { layers } } },
    languageOptions: { globals: { ...globals.node } },
    rules: {
      'keelson/layers': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-restricted-imports': [
        'error',
        {
          paths: [
            { name: '@electron/remote', message: 'Remote module is a security hole; use the contract.' },
          ],
        },
      ],
    },
  },
  {
    files: ['renderer/**/*.{ts,tsx}', 'test/lint-fixtures/renderer/**'],
    plugins: { 'react-hooks': reactHooks },
    languageOptions: { globals: { ...globals.browser } },
    rules: { 'react-hooks/rules-of-hooks': 'error', 'react-hooks/exhaustive-deps': 'warn' },
  },
  {
    // shared/ is pure: no DOM, no Node globals either.
    files: ['shared/**/*.ts', 'test/lint-fixtures/shared/**'],
    rules: {
      'no-restricted-globals': [
        'error',
        ...['window', 'document', 'process', 'Buffer', 'require', '__dirname', 'localStorage'].map(
          (name) => ({
            name,
            message: 'shared/ is pure TypeScript: pass what you need in as an argument.',
          }),
        ),
      ],
    },
  },
  { files: ['preload/**/*.ts'], languageOptions: { globals: { ...globals.browser } } },
  { files: ['test/e2e/**'], rules: { 'no-empty-pattern': 'off' } },
);
