/**
 * The UI end to end, in Debian's Chromium against `sipscope serve`: the renderer the desktop app loads, on
 * the same contract (WebSocket instead of IPC). Each expectation is checked against tshark's decode of the
 * same file, not against numbers written here. Screenshots go to test-results/ui/ for people to look at.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium, openServedPage, screenshot, type ServedPage } from '../helpers/browser.js';
import { repoRoot, sharedCapture } from '../helpers/paths.js';

const imsSample = join(repoRoot, 'resources/sample-ims.pcap');
const sample = existsSync(imsSample) ? imsSample : join(repoRoot, 'resources/sample-volte.pcap');

/** tshark's SIP frames of `file` under `filter`, one array of fields per frame. */
function tsharkSip(file: string, filter: string, fields: string[]): string[][] {
  const out = execFileSync('tshark', ['-r', file, '-Y', filter, '-T', 'fields', '-E', 'separator=\t', ...fields.flatMap((f) => ['-e', f])], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  return out
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => line.split('\t'));
}

/** Frame numbers of the message rows rendered now (the table is virtualized: the ones in view). */
async function renderedFrames(page: Page): Promise<number[]> {
  const frames = await page.locator('[data-testid="message-row"]').evaluateAll((rows) =>
    rows.map((row) => (row as unknown as { getAttribute(name: string): string | null }).getAttribute('data-frame')),
  );
  return frames.map(Number).filter((n) => n > 0);
}

async function applyFilter(page: Page, text: string): Promise<void> {
  const input = page.getByTestId('filter-input');
  await input.fill(text);
  await input.press('Enter');
}

let browser: Browser;

beforeAll(async () => {
  browser = await launchChromium();
}, 60_000);

afterAll(async () => {
  await browser?.close();
});

describe(`the served UI on the bundled sample (${sample.slice(repoRoot.length + 1)})`, () => {
  let served: ServedPage;
  let page: Page;
  const sipFrames = tsharkSip(sample, 'sip', ['frame.number', 'sip.Method', 'sip.Status-Code', 'sip.Call-ID']);

  beforeAll(async () => {
    served = await openServedPage(browser, sample);
    page = served.page;
    await page.getByTestId('message-row').first().waitFor({ timeout: 30_000 });
  }, 60_000);

  afterAll(async () => {
    await served?.close();
  });

  it('opens the trace: the status gives tshark’s message count and the first rows are its first SIP frames', async () => {
    await expect.poll(async () => page.getByTestId('trace-status').textContent(), { timeout: 20_000 }).toContain(String(sipFrames.length));
    const frames = await renderedFrames(page);
    expect(frames.length).toBeGreaterThan(5);
    expect(frames).toEqual(sipFrames.slice(0, frames.length).map((row) => Number(row[0])));
    await screenshot(page, 'sample-01-opened');
  });

  it('filters with a good filter: only INVITE rows, counted', async () => {
    const invites = tsharkSip(sample, 'sip.Method == "INVITE"', ['frame.number']).map((row) => Number(row[0]));
    await applyFilter(page, 'sip.Method == "INVITE"');
    await expect.poll(async () => page.getByTestId('filter-status').textContent(), { timeout: 10_000 }).toContain(`${invites.length} of ${sipFrames.length}`);
    await expect.poll(() => renderedFrames(page)).toEqual(invites.slice(0, Math.min(invites.length, 30)));
    await screenshot(page, 'sample-02-filter-invite');
  });

  it('shows a bad filter’s message and underlines the bad span', async () => {
    await applyFilter(page, 'sip.Mehtod == 1');
    const error = page.getByTestId('filter-error');
    await expect.poll(() => error.textContent()).toContain('did you mean sip.Method');
    expect(await page.getByTestId('filter-error-span').textContent()).toBe('sip.Mehtod');
    await screenshot(page, 'sample-03-filter-error');
    await applyFilter(page, '');
    // Back to every message: the rows in view are tshark's first SIP frames again.
    const inOrder = async () => {
      const frames = await renderedFrames(page);
      return frames.length > 0 && frames.every((frame, i) => frame === Number(sipFrames[i]![0]));
    };
    await expect.poll(inOrder).toBe(true);
  });

  it('selects with the keyboard and shows the message’s headers in the detail pane', async () => {
    const first = page.getByTestId('message-row').first();
    await first.click();
    await expect.poll(() => first.getAttribute('aria-selected')).toBe('true');
    await page.keyboard.press('ArrowDown');
    const second = page.locator(`[data-testid="message-row"][data-frame="${sipFrames[1]![0]}"]`);
    await expect.poll(() => second.getAttribute('aria-selected')).toBe('true');
    const detail = page.getByTestId('detail-pane');
    await expect.poll(() => detail.getByTestId('detail-header').count(), { timeout: 10_000 }).toBeGreaterThan(3);
    const callId = sipFrames[1]![3]!;
    await expect.poll(() => detail.textContent()).toContain(callId);
    await expect.poll(() => page.getByTestId('detail-raw').textContent()).toContain(`Call-ID: ${callId}`);
    await screenshot(page, 'sample-04-detail');
  });

  it('shows a reference tooltip when hovering a method', async () => {
    const term = page.locator('[data-testid="message-table"] [data-ref-kind="method"][data-ref-term="INVITE"]').first();
    await term.hover();
    const tooltip = page.getByTestId('ref-tooltip');
    await tooltip.waitFor({ timeout: 5_000 });
    expect(await tooltip.textContent()).toMatch(/RFC 3261/);
    await screenshot(page, 'sample-05-tooltip');
    await page.mouse.move(0, 0);
  });

  it('lists the calls and draws the ladder of one, an arrow per message', async () => {
    await page.getByRole('tab', { name: 'Calls' }).click();
    const callIds = [...new Set(sipFrames.map((row) => row[3]))];
    await expect.poll(() => page.getByTestId('call-row').count(), { timeout: 10_000 }).toBe(callIds.length);
    // The call of the first INVITE: its messages in tshark's decode are the ladder's arrows.
    const invite = sipFrames.find((row) => row[1] === 'INVITE')!;
    const callFrames = sipFrames.filter((row) => row[3] === invite[3]);
    await page.getByTestId('call-row').filter({ hasText: invite[3]!.slice(0, 12) }).first().click();
    const ladder = page.getByTestId('ladder');
    await expect.poll(() => ladder.getByTestId('ladder-arrow').count(), { timeout: 10_000 }).toBe(callFrames.length);
    expect(await ladder.getByTestId('ladder-host').count()).toBeGreaterThanOrEqual(2);
    await screenshot(page, 'sample-06-ladder');
    await ladder.getByTestId('ladder-arrow').nth(1).click();
    await expect.poll(() => page.getByTestId('detail-raw').textContent()).toContain(invite[3]!);
  });

  it('shows statistics and the reference hub', async () => {
    await page.getByRole('tab', { name: 'Statistics' }).click();
    await expect.poll(() => page.getByTestId('stats-view').textContent(), { timeout: 10_000 }).toMatch(/INVITE/);
    await screenshot(page, 'sample-07-statistics');
    await page.getByRole('tab', { name: 'Reference' }).click();
    await page.getByTestId('reference-search').fill('183');
    await page.getByTestId('reference-search').press('Enter');
    await expect.poll(() => page.getByTestId('reference-view').textContent()).toMatch(/Session Progress/);
    await screenshot(page, 'sample-08-reference');
    // "Show 183 in this trace": back to the messages, filtered on the 183s, as many as tshark finds.
    const progress = tsharkSip(sample, 'sip.Status-Code == 183', ['frame.number']).map((row) => Number(row[0]));
    await page.getByTestId('reference-show-in-trace').click();
    await expect.poll(() => page.getByRole('tab', { name: 'Messages' }).getAttribute('aria-selected')).toBe('true');
    await expect.poll(() => page.getByTestId('filter-status').textContent()).toContain(`${progress.length} of ${sipFrames.length}`);
    await expect.poll(() => renderedFrames(page)).toEqual(progress);
    await screenshot(page, 'sample-09-show-183s');
  });

  it('ran without console errors, page errors or CSP violations', () => {
    expect(served.problems).toEqual([]);
  });
});

describe('the served UI on a real capture with thousands of messages', () => {
  const file = sharedCapture('sipnab_sipp-branch-scenario.pcapng');
  let served: ServedPage;

  beforeAll(async () => {
    served = await openServedPage(browser, file);
    await served.page.getByTestId('message-row').first().waitFor({ timeout: 30_000 });
  }, 60_000);

  afterAll(async () => {
    await served?.close();
  });

  it('reaches the last message with End, as tshark numbers it', async () => {
    const page = served.page;
    const frames = tsharkSip(file, 'sip', ['frame.number']).map((row) => Number(row[0]));
    await expect.poll(async () => page.getByTestId('trace-status').textContent(), { timeout: 20_000 }).toContain(String(frames.length));
    await page.getByTestId('message-row').first().click();
    await page.keyboard.press('End');
    const last = page.locator(`[data-testid="message-row"][data-frame="${frames.at(-1)}"]`);
    await expect.poll(() => last.getAttribute('aria-selected'), { timeout: 10_000 }).toBe('true');
    await screenshot(page, 'large-01-end');
    expect(served.problems).toEqual([]);
  });
});

describe('the served UI on a file that is not a capture', () => {
  it('says which file and why, in an alert, and keeps working', async () => {
    const folder = mkdtempSync(join(tmpdir(), 'sipscope-ui-'));
    const file = join(folder, 'notes.pcap');
    writeFileSync(file, 'INVITE sip:bob@example.com SIP/2.0\r\nthis is a text file, not a capture\r\n');
    const served = await openServedPage(browser, file);
    try {
      const alert = served.page.getByRole('alert').filter({ hasText: 'notes.pcap' });
      await alert.first().waitFor({ timeout: 20_000 });
      const text = (await alert.first().textContent()) ?? '';
      expect(text).toMatch(/not a pcap or pcapng capture/);
      // The file is named once, not by the page and again by the back end's message.
      expect(text.split('notes.pcap').length - 1).toBe(1);
      // The page still answers: the Reference view works without a trace.
      await served.page.getByRole('tab', { name: 'Reference' }).click();
      await expect.poll(() => served.page.getByTestId('reference-view').textContent()).toMatch(/INVITE/);
      await screenshot(served.page, 'not-a-capture');
      expect(served.problems).toEqual([]);
    } finally {
      await served.close();
      rmSync(folder, { recursive: true, force: true });
    }
  });
});
