/**
 * The desktop app end to end, in a real Electron window driven by Playwright's `_electron`. It needs the
 * Electron runtime binary, which `electron` downloads on first use (internet): where it is absent, as on
 * the build machines, this test says so and skips. The same renderer is tested in Chromium elsewhere.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { _electron } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../helpers/paths.js';

const electronDir = join(repoRoot, 'node_modules/electron');
const pathFile = join(electronDir, 'path.txt');
const electronBinary = existsSync(pathFile) ? join(electronDir, 'dist', readFileSync(pathFile, 'utf8').trim()) : '';
const haveElectron = electronBinary !== '' && existsSync(electronBinary) && existsSync(join(repoRoot, 'out/main/index.js'));

if (!haveElectron) {
  console.warn(
    'test/e2e/electron.test.ts: SKIPPED — no Electron runtime binary in node_modules/electron (it is downloaded on first `npm start`, which needs internet) or no build in out/ (`npx electron-vite build`).',
  );
}

describe.skipIf(!haveElectron)('the Electron app', () => {
  it('opens a sandboxed window that loads the bundled sample trace', async () => {
    const app = await _electron.launch({ executablePath: electronBinary, args: [repoRoot], cwd: repoRoot });
    try {
      const window = await app.firstWindow();
      await expect.poll(async () => (await window.textContent('body')) ?? '', { timeout: 30_000 }).toMatch(/36/);
      // The page has no Node: the bridge is the only way out.
      expect(await window.evaluate(() => typeof (globalThis as { require?: unknown }).require)).toBe('undefined');
      expect(await window.evaluate(() => typeof (globalThis as { sipscope?: unknown }).sipscope)).toBe('object');
    } finally {
      await app.close();
    }
  });
});
