/**
 * Notes in the app (issue 8), in Debian's Chromium against `sipscope serve` on a copy of the bundled sample (the
 * notes are autosaved beside the trace, so never beside the repository's own file): a note on the first INVITE
 * typed in the detail pane, counted in the toolbar, drawn beside its arrow in the ladder, hostile text shown as
 * text, and autosaved.
 */
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { autosavePath } from '../../src/node/annotations/load.js';
import { launchChromium, openServedPage, screenshot, type ServedPage } from '../helpers/browser.js';
import { repoRoot } from '../helpers/paths.js';

const work = mkdtempSync(join(tmpdir(), 'sipscope-ui-notes-'));
const trace = join(work, 'sample-ims.pcap');
copyFileSync(join(repoRoot, 'resources/sample-ims.pcap'), trace);

/** tshark's first INVITE: its frame and Call-ID. */
const [inviteFrame, inviteCallId] = execFileSync('tshark', ['-r', trace, '-Y', 'sip.Method == "INVITE"', '-T', 'fields', '-e', 'frame.number', '-e', 'sip.Call-ID'], { encoding: 'utf8' })
  .split('\n')[0]
  .split('\t');

let browser: Browser;
let served: ServedPage;
let page: Page;

beforeAll(async () => {
  browser = await launchChromium();
  served = await openServedPage(browser, trace);
  page = served.page;
  await page.getByTestId('message-row').first().waitFor({ timeout: 30_000 });
}, 60_000);

afterAll(async () => {
  await served?.close();
  await browser?.close();
  rmSync(work, { recursive: true, force: true });
});

describe('notes in the served app', () => {
  it('a note typed on a message is shown in the detail, counted, drawn beside its arrow, and autosaved', async () => {
    await expect.poll(() => page.getByTestId('notes-status').textContent(), { timeout: 20_000 }).toBe('No notes');
    await page.locator(`[data-testid="message-row"][data-frame="${inviteFrame}"]`).click();
    await page.getByRole('button', { name: 'Add a note to this message…' }).click();
    // Hostile-looking text stays text: no element is made of it, no script runs.
    const note = 'No 100rel in Supported <img src=x onerror="window.__pwned=1">';
    await page.getByLabel('Note on this message').fill(note);
    await page.getByTestId('note-editor-message').getByLabel('Tag').fill('vendor bug');
    await page.getByRole('button', { name: 'Save note' }).click();
    await expect.poll(() => page.getByTestId('note-message').textContent()).toContain(note);
    expect(await page.getByTestId('note-message').locator('img').count()).toBe(0);
    expect(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
    await expect.poll(() => page.getByTestId('notes-status').textContent()).toBe('1 note · unsaved (autosaved beside the trace)');

    await page.getByRole('tab', { name: 'Calls' }).click();
    await page.getByTestId('call-row').filter({ hasText: inviteCallId.slice(0, 12) }).first().click();
    const arrow = page.locator(`[data-testid="ladder-arrow"][data-frame="${inviteFrame}"]`);
    await expect.poll(() => arrow.getByTestId('ladder-note').textContent(), { timeout: 10_000 }).toContain('[vendor bug] No 100rel in Supported');
    await screenshot(page, 'notes-01-ladder');

    await expect.poll(() => existsSync(autosavePath(trace)), { timeout: 5_000 }).toBe(true);
    // A served page cannot pick a file on the server to save into: it says so, and what to run instead.
    await page.getByRole('button', { name: 'Save annotated…' }).click();
    await expect.poll(() => page.getByTestId('notes-saved').textContent()).toContain('a browser cannot choose a file on the server');
    expect(served.problems).toEqual([]);
  }, 60_000);
});
