// The browser side of the UI tests: Debian's Chromium driven by playwright-core, against `sipscope serve`
// started in-process on a trace. The page is the very renderer the desktop app loads (out/renderer, built by
// `electron-vite build`, which the README's test command runs first), talking to the same contract over a
// WebSocket instead of IPC.
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type ConsoleMessage, type Page } from 'playwright-core';
import { startServer, type RunningServer, type ServeOptions } from '../../src/node/serve/server.js';
import { repoRoot } from './paths.js';

/** Where the browser is: Debian's `chromium` package, or SIPSCOPE_CHROMIUM. */
export const chromiumPath = process.env['SIPSCOPE_CHROMIUM'] ?? '/usr/bin/chromium';
/** Screenshots of the UI tests, for people to look at (gitignored). */
export const screenshotDir = join(repoRoot, 'test-results', 'ui');

/**
 * Launches Chromium headless. Without it the UI tests fail (they never skip silently): the message says
 * how to install it; `.ci/run` does.
 */
export async function launchChromium(): Promise<Browser> {
  if (!existsSync(chromiumPath)) {
    throw new Error(
      `the UI tests need Chromium at ${chromiumPath}: install it (Debian/Ubuntu: apt-get install chromium) or point SIPSCOPE_CHROMIUM at a Chromium binary`,
    );
  }
  if (!existsSync(join(repoRoot, 'out/renderer/index.html'))) {
    throw new Error('the UI tests need the built renderer (out/renderer): run `npx electron-vite build` (npm test does)');
  }
  // --no-sandbox: CI runs as root, where Chromium's own sandbox cannot start.
  return chromium.launch({ executablePath: chromiumPath, args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'] });
}

export interface ServedPage {
  server: RunningServer;
  page: Page;
  /** Console errors, page errors and CSP violations seen so far. */
  problems: string[];
  close(): Promise<void>;
}

/** Serves `trace` (with more `options`: live capture) and opens the printed URL in a new page of `browser` (1400×900). */
export async function openServedPage(browser: Browser, trace: string, options: ServeOptions = {}): Promise<ServedPage> {
  const server = await startServer({ ...options, launchTrace: trace });
  const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
  const page = await context.newPage();
  const problems: string[] = [];
  page.on('console', (message: ConsoleMessage) => {
    if (message.type() === 'error') problems.push(`console: ${message.text()}`);
  });
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  page.on('response', (response) => {
    if (response.status() >= 400) problems.push(`HTTP ${response.status()} for ${response.url().replace(/token=[^&]+/, 'token=…')}`);
  });
  await page.goto(server.url);
  return {
    server,
    page,
    problems,
    async close() {
      await context.close();
      await server.close();
    },
  };
}

/** Saves a full-window screenshot as test-results/ui/NAME.png. */
export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(screenshotDir, { recursive: true });
  const path = join(screenshotDir, `${name}.png`);
  await page.screenshot({ path });
  return path;
}
