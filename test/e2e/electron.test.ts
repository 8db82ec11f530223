/**
 * The desktop app end to end, in a real Electron window driven by Playwright's `_electron`. It needs the
 * Electron runtime binary, which `electron` downloads on first use (internet): where it is absent, as on
 * the build machines, this test says so and skips. The same renderer is tested in Chromium elsewhere.
 */
import { existsSync } from 'node:fs';
import { basename, join } from 'node:path';
import { _electron, type ElectronApplication, type Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { electronBinary, electronPackageDir } from '../../src/cli/desktop.js';
import { fixtures, repoRoot } from '../helpers/paths.js';

const binary = electronBinary(electronPackageDir(), process.env);
const built = existsSync(join(repoRoot, 'out/main/index.js'));
const haveElectron = binary !== null && built;

// The trace the app opens when started without one (src/main/index.ts `bundledSampleTrace`).
const sampleName = existsSync(join(repoRoot, 'resources/sample-ims.pcap')) ? 'sample-ims.pcap' : 'sample-volte.pcap';

if (!haveElectron) {
  console.warn(
    binary === null
      ? 'test/e2e/electron.test.ts: SKIPPED — no Electron runtime binary in node_modules/electron (it is downloaded on the first `npm start`, which needs internet).'
      : 'test/e2e/electron.test.ts: SKIPPED — the app is not built: no out/main/index.js (`npx electron-vite build`).',
  );
}

async function launch(...args: string[]): Promise<{ app: ElectronApplication; window: Page }> {
  const app = await _electron.launch({ executablePath: binary!, args: [repoRoot, ...args], cwd: repoRoot });
  return { app, window: await app.firstWindow() };
}

function windowTitles(app: ElectronApplication): Promise<string[]> {
  return app.evaluate(({ BrowserWindow }) => BrowserWindow.getAllWindows().map((win) => win.getTitle()));
}

describe.skipIf(!haveElectron)('the Electron app', () => {
  it('opens the bundled sample in a sandboxed window: message table, then the calls tab', async () => {
    const { app, window } = await launch();
    try {
      await expect.poll(() => window.getByTestId('message-row').count(), { timeout: 30_000 }).toBeGreaterThan(0);
      expect(await windowTitles(app)).toEqual([sampleName]);
      await window.getByRole('tab', { name: 'Calls' }).click();
      await expect.poll(() => window.getByTestId('call-row').count(), { timeout: 10_000 }).toBeGreaterThan(0);
      expect(await window.getByTestId('calls-list').isVisible()).toBe(true);
      // The page has no Node: the bridge is the only way out.
      expect(await window.evaluate(() => typeof (globalThis as { require?: unknown }).require)).toBe('undefined');
      expect(await window.evaluate(() => typeof (globalThis as { sipscope?: unknown }).sipscope)).toBe('object');
      // It cannot navigate away either.
      await window.evaluate(() => {
        (globalThis as unknown as { location: { href: string } }).location.href = 'https://example.com/';
      });
      await new Promise((resolve) => setTimeout(resolve, 500));
      expect(window.url()).toMatch(/^file:.*\/out\/renderer\/index\.html/);
    } finally {
      await app.close();
    }
  });

  it('opens the trace given on the command line, titled with its file name', async () => {
    const trace = join(fixtures, 'sipp-volte-udp-sll2.pcap');
    const { app, window } = await launch(trace);
    try {
      await expect.poll(() => window.getByTestId('message-row').count(), { timeout: 30_000 }).toBeGreaterThan(0);
      expect(await windowTitles(app)).toEqual([basename(trace)]);
    } finally {
      await app.close();
    }
  });
});
