/**
 * The capture window end to end, in Debian's Chromium against `sipscope serve --capture`: Capture… opens the
 * dialog (interfaces with live packet rates), a capture on lo with a filter on this test's UDP socket shows
 * the SIP it sends as it arrives, pause holds the table while the capture goes on, stop finishes the file,
 * which decodes to every message sent. Also: a refused capture filter shown under the filter, and a server
 * started without --capture saying how to allow it.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { analyzeFile } from '../../src/node/analyze.js';
import { launchChromium, openServedPage, screenshot, type ServedPage } from '../helpers/browser.js';
import { capInstalled, canCapture } from '../helpers/capture.js';
import { repoRoot } from '../helpers/paths.js';
import { boundSender, sendSip, sipExchange } from '../helpers/sip-exchange.js';

const sample = join(repoRoot, 'resources/sample-ims.pcap');
const work = mkdtempSync(join(tmpdir(), 'sipscope-ui-capture-'));

let browser: Browser;

beforeAll(async () => {
  browser = await launchChromium();
}, 60_000);

afterAll(async () => {
  await browser?.close();
  rmSync(work, { recursive: true, force: true });
});

/** The Method/Status cell of each rendered row, in position order. */
async function renderedMethods(page: Page): Promise<string[]> {
  return page.locator('[data-testid="message-row"] .c-method').allTextContents();
}

async function openDialog(page: Page): Promise<void> {
  await page.getByRole('button', { name: 'Capture…' }).click();
  await page.getByTestId('capture-dialog').waitFor();
}

/** Ticks lo alone and sets the capture filter. */
async function chooseLo(page: Page, filter: string): Promise<void> {
  const dialog = page.getByTestId('capture-dialog');
  await dialog.getByLabel('Capture on lo').waitFor();
  for (const box of await dialog.getByRole('checkbox', { name: /^Capture on / }).all()) {
    const name = (await box.getAttribute('aria-label')) ?? '';
    if ((name === 'Capture on lo') !== (await box.isChecked())) await box.click();
  }
  await dialog.getByLabel(/^Capture filter/).fill(filter);
}

describe('the capture window (sipscope serve --capture)', () => {
  let served: ServedPage;
  let page: Page;

  beforeAll(async () => {
    served = await openServedPage(browser, sample, { capture: { folder: join(work, 'captures') } });
    page = served.page;
    await page.getByTestId('message-row').first().waitFor({ timeout: 30_000 });
  }, 60_000);

  afterAll(async () => {
    await served?.close();
  });

  it('lists the interfaces with their live packet rates', async (ctx) => {
    if (!capInstalled) return ctx.skip(true, 'cap is not installed');
    await openDialog(page);
    await page.getByLabel('Capture on lo').waitFor();
    // The second reading of the counters gives a rate: a number, not the placeholder.
    await expect.poll(async () => page.getByTestId('rate-lo').textContent(), { timeout: 10_000 }).toMatch(/^\d[\d,]*$/);
    await screenshot(page, 'capture-01-dialog');
    await page.getByTestId('capture-dialog').getByRole('button', { name: 'Cancel' }).click();
    expect(await page.getByTestId('capture-dialog').count()).toBe(0);
  });

  it('refuses a capture filter libpcap cannot compile, under the filter, and keeps the dialog open', async (ctx) => {
    if (!capInstalled) return ctx.skip(true, 'cap is not installed');
    if (!(await canCapture())) return ctx.skip(true, 'this process may not capture');
    await openDialog(page);
    await chooseLo(page, 'udp prot 5060');
    await page.getByTestId('capture-dialog').getByRole('button', { name: 'Start', exact: true }).click();
    await expect.poll(async () => page.getByTestId('capture-problem-filter').textContent(), { timeout: 15_000 }).toMatch(/^Invalid capture filter 'udp prot 5060'/);
    expect(await page.getByTestId('capture-dialog').count()).toBe(1);
    await page.getByTestId('capture-dialog').getByRole('button', { name: 'Cancel' }).click();
  });

  it('shows the SIP sent on lo as it arrives, pauses the display without losing any, and stops with a complete file', async (ctx) => {
    if (!capInstalled) return ctx.skip(true, 'cap is not installed');
    if (!(await canCapture())) return ctx.skip(true, 'this process may not capture');
    const sender = await boundSender('udp4', '127.0.0.1');
    try {
      await openDialog(page);
      await chooseLo(page, `udp and src port ${sender.address().port}`);
      await page.getByTestId('capture-dialog').getByRole('button', { name: 'Start', exact: true }).click();
      await expect.poll(async () => page.getByTestId('capture-state').textContent(), { timeout: 15_000 }).toBe('Capturing');
      expect(await page.getByTestId('capture-dialog').count()).toBe(0);

      const first = sipExchange('1');
      await sendSip(sender, first, 5060, '127.0.0.1');
      // What the table's Method column shows for each message sent: the method, or the status and reason.
      const firstMethods = first.map((text) => {
        const startLine = text.slice(0, text.indexOf('\r\n'));
        return startLine.startsWith('SIP/2.0 ') ? startLine.slice('SIP/2.0 '.length) : startLine.split(' ')[0];
      });
      await expect.poll(async () => renderedMethods(page), { timeout: 15_000 }).toEqual(firstMethods);
      await expect.poll(async () => page.getByTestId('capture-sip-messages').textContent(), { timeout: 10_000 }).toContain(String(first.length));
      await screenshot(page, 'capture-02-live');

      // Paused: the capture goes on (the counter grows), the table stays put and says how many wait.
      await page.getByRole('button', { name: 'Pause display' }).click();
      const second = sipExchange('2');
      await sendSip(sender, second, 5060, '127.0.0.1');
      await expect.poll(async () => page.getByTestId('capture-state').textContent(), { timeout: 15_000 }).toBe(`Capturing — display paused (${second.length} new messages not shown)`);
      expect(await renderedMethods(page)).toEqual(firstMethods);
      await page.getByRole('button', { name: 'Resume display' }).click();
      await expect.poll(async () => (await renderedMethods(page)).length, { timeout: 15_000 }).toBe(first.length + second.length);

      // The calls list fills while capturing (REGISTER and INVITE dialogs of both exchanges).
      await page.getByRole('tab', { name: 'Calls' }).click();
      await expect.poll(async () => page.getByTestId('call-row').count(), { timeout: 15_000 }).toBe(4);
      await page.getByRole('tab', { name: 'Messages' }).click();

      await page.getByRole('button', { name: 'Stop' }).click();
      await expect.poll(async () => page.getByTestId('capture-state').textContent(), { timeout: 15_000 }).toBe('Capture stopped');
      const filesText = (await page.getByTestId('capture-files').textContent()) ?? '';
      const file = filesText.replace(/^Written to /, '');
      expect(file).toMatch(/\/captures\/sipscope_lo_\d{8}-\d{6}\.pcapng$/);
      expect(existsSync(file)).toBe(true);
      const decoded = await analyzeFile(file);
      expect(decoded.engine.index.count).toBe(first.length + second.length);
      expect(await page.getByTestId('capture-queue-drops').textContent()).toBe('Queue drops0');
      await screenshot(page, 'capture-03-stopped');
      // A served page cannot save onto the browser's machine: it says where the file is.
      await page.getByRole('button', { name: 'Save as…' }).click();
      await expect.poll(async () => page.getByRole('alert').filter({ hasText: 'a browser cannot save files of the server' }).count(), { timeout: 5_000 }).toBe(1);
      expect(served.problems).toEqual([]);
    } finally {
      sender.close();
    }
  }, 90_000);
});

describe('a server started without --capture', () => {
  it('says how to allow capture, and offers no interface capture', async () => {
    const served = await openServedPage(browser, sample);
    try {
      await served.page.getByTestId('message-row').first().waitFor({ timeout: 30_000 });
      await openDialog(served.page);
      await expect.poll(async () => served.page.getByTestId('capture-unavailable').textContent(), { timeout: 10_000 }).toContain("start the server with 'sipscope serve --capture'");
      expect(await served.page.getByTestId('capture-dialog').getByRole('button', { name: 'Start', exact: true }).isDisabled()).toBe(true);
    } finally {
      await served.close();
    }
  }, 60_000);
});
