// Build of the desktop app: `electron-vite build` writes
//   out/main/index.js       main process, ES module (package.json "type": "module", "main")
//   out/main/trace-worker.js  the engine's worker thread (one per window), started by src/main/trace-worker-client.ts
//   out/main/capture-helper.js  the live-capture helper process (the only one loading `cap`), forked by capture-client.ts
//   out/preload/index.cjs   preload, CommonJS: the window is sandboxed, and a sandboxed preload cannot be ESM
//   out/renderer/           the page (index.html + assets), loaded from disk by the main process
import { resolve } from 'node:path';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'electron-vite';

export default defineConfig({
  main: {
    build: {
      outDir: 'out/main',
      lib: {
        entry: {
          index: resolve('src/main/index.ts'),
          'trace-worker': resolve('src/main/trace-worker.ts'),
          // Started by capture-client.ts as a child process (under the system's node, see helperNode).
          'capture-helper': resolve('src/node/capture/capture-helper.ts'),
        },
        formats: ['es'],
        fileName: (_format, name) => `${name}.js`,
      },
    },
  },
  preload: {
    build: {
      outDir: 'out/preload',
      // Bundle everything (not only our own files): the sandbox's `require` knows only `electron` and a few
      // polyfills, so a dependency left as an external require() would fail when the window loads.
      externalizeDeps: false,
      lib: { entry: resolve('src/preload/index.ts'), formats: ['cjs'], fileName: () => 'index.cjs' },
    },
  },
  renderer: {
    root: resolve('src/renderer'),
    plugins: [react()],
    build: {
      outDir: 'out/renderer',
      rolldownOptions: { input: resolve('src/renderer/index.html') },
    },
  },
});
