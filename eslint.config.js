// Lint rules that carry the architecture: each layer's forbidden imports (see docs/ARCHITECTURE.md).
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';

const nodeBuiltins = { group: ['node:*'], message: 'This layer runs outside Node: no node:* imports.' };
const electronPkg = { name: 'electron', message: 'Only the Electron shell (electron/main, electron/preload) may import electron.' };

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'test-output/**', 'bench-output/**', '**/*.d.ts'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.{js,mjs}'],
    languageOptions: { globals: { ...globals.node } },
  },
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-non-null-assertion': 'off',
      'no-constant-condition': ['error', { checkLoops: false }],
    },
  },
  {
    files: ['shared/**/*.ts'],
    // Tests beside shared code may run Node tools (tshark as the oracle); the code may not.
    ignores: ['shared/**/*.test.ts', 'shared/**/test-helpers.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        paths: [electronPkg],
        patterns: [nodeBuiltins, { group: ['**/electron/**', '**/renderer/**', 'better-sqlite3'], message: 'shared/ imports only shared/.' }],
      }],
    },
  },
  {
    files: ['electron/engine/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        paths: [{ name: 'electron', message: 'The engine is plain Node: it never imports electron.' }],
        patterns: [{ group: ['**/renderer/**', '**/cli/**', '**/main/**', '**/preload/**', '**/serve/**'], message: 'The engine never imports a host or the renderer.' }],
      }],
    },
  },
  {
    files: ['electron/cli/**/*.ts', 'electron/serve/**/*.ts', 'electron/main/**/*.ts', 'electron/preload/**/*.ts', 'electron/preload/**/*.cts'],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [
          { group: ['**/engine/**', '!**/engine/index.js'], message: 'Hosts use the engine only through electron/engine/index.ts.' },
          { group: ['**/renderer/**'], message: 'Hosts never import the renderer.' },
        ],
      }],
    },
  },
  {
    files: ['electron/cli/**/*.ts', 'electron/serve/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { paths: [electronPkg], patterns: [{ group: ['**/engine/**', '!**/engine/index.js'], message: 'Hosts use the engine only through electron/engine/index.ts.' }] }] },
  },
  {
    files: ['renderer/**/*.{ts,tsx}'],
    rules: {
      'no-restricted-imports': ['error', {
        paths: [electronPkg],
        patterns: [nodeBuiltins, { group: ['**/electron/**'], message: 'The renderer talks to the engine only through the API contract in shared/.' }],
      }],
    },
  },
);
