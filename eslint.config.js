// ESLint flat config. The rule that matters most here: src/core is the runtime-free engine (like VS Code's
// `common` layer) and may not import Node built-ins, Electron, or touch the DOM. The CLI, the Electron
// main process, the capture helper, the server and the renderer all reuse it.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';

const nodeBuiltins = [
  'assert', 'buffer', 'child_process', 'cluster', 'crypto', 'dgram', 'dns', 'events', 'fs', 'fs/promises',
  'http', 'https', 'net', 'os', 'path', 'process', 'readline', 'stream', 'tls', 'url', 'util', 'worker_threads', 'zlib',
];

export default tseslint.config(
  { ignores: ['dist/**', 'out/**', 'node_modules/**', 'bench/data/**', 'test-results/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-constant-condition': ['error', { checkLoops: false }],
    },
  },
  {
    files: ['src/core/**/*.ts'],
    languageOptions: { globals: { ...globals.es2022 } },
    rules: {
      'no-restricted-imports': ['error', {
        // Bare built-in names are matched exactly (`paths`): as patterns, 'util' would also match '../util/x.js'.
        paths: nodeBuiltins.map((name) => ({ name, message: 'src/core is runtime-free: no Node built-ins (put I/O in src/node).' })),
        patterns: [
          { group: ['node:*'], message: 'src/core is runtime-free: no Node built-ins (put I/O in src/node).' },
          { group: ['electron', 'electron/*'], message: 'src/core is runtime-free: no Electron.' },
          { group: ['react', 'react-dom', 'react/*'], message: 'src/core is runtime-free: no UI libraries.' },
        ],
      }],
      'no-restricted-globals': ['error',
        { name: 'window', message: 'src/core is runtime-free: no DOM.' },
        { name: 'document', message: 'src/core is runtime-free: no DOM.' },
        { name: 'navigator', message: 'src/core is runtime-free: no DOM.' },
        { name: 'process', message: 'src/core is runtime-free: no Node globals.' },
        { name: 'Buffer', message: 'src/core is runtime-free: use Uint8Array.' },
        { name: 'require', message: 'src/core is runtime-free.' },
        { name: '__dirname', message: 'src/core is runtime-free.' },
      ],
    },
  },
  {
    files: ['src/node/**/*.ts', 'src/cli/**/*.ts', 'src/main/**/*.ts', 'bin/**/*.js', 'bench/**/*.mjs', 'scripts/**/*.mjs', 'test/**/*.ts', '*.config.*'],
    languageOptions: { globals: { ...globals.node } },
  },
  {
    files: ['src/renderer/**/*.{ts,tsx}', 'src/preload/**/*.ts'],
    languageOptions: { globals: { ...globals.browser } },
  },
  {
    // Drives a browser: its functions passed to page.evaluate run in the page.
    files: ['bench/ui-bench.mjs'],
    languageOptions: { globals: { ...globals.node, ...globals.browser } },
  },
);
