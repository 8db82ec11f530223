/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
// (The functions passed to page.evaluate run in Chromium: they see the DOM.)
/**
 * The HTML report of a real call (sample-ims's VoLTE call set-up), opened in Chromium from a file with every
 * network request refused: the ladder is there with one arrow per message as tshark decodes the call, every
 * message has a <details> whose header table holds the header lines tshark shows for its frame, the notes are
 * beside their arrows and on their messages, the page runs no script and asks for nothing outside itself, and
 * each ladder page fits an A4 landscape sheet.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONTENT_SECURITY_POLICY, htmlReport } from '../../../src/core/export/html.js';
import type { Report } from '../../../src/core/export/report-input.js';
import type { TraceViewSource } from '../../../src/core/view/trace-view.js';
import { launchChromium } from '../../helpers/browser.js';
import { repoRoot } from '../../helpers/paths.js';
import { haveTshark, load } from '../view/view-helpers.js';
import { annotate, exportResults, hostsInOrder, openFile, reportOf, saveResult, tsharkCall, type Loaded } from './export-helpers.js';

const SAMPLE = join(repoRoot, 'resources/sample-ims.pcap');
/** A4 landscape less 10 mm margins at 96 px per inch (what html.ts paginates for). */
const PAGE = { width: (277 / 25.4) * 96, height: (190 / 25.4) * 96 };

/** Header lines per frame as tshark shows them (`sip.msg_hdr`), for frames carrying one SIP message. */
function tsharkHeaders(path: string, callId: string): Map<number, string[]> {
  const out = spawnSync('tshark', ['-r', path, '-Y', `sip.Call-ID == "${callId}"`, '-T', 'fields', '-E', 'occurrence=a', '-E', 'aggregator=\u0001', '-e', 'frame.number', '-e', 'sip.msg_hdr'], {
    encoding: 'utf8',
    maxBuffer: 1 << 26,
  });
  if (out.status !== 0) throw new Error(out.stderr);
  const headers = new Map<number, string[]>();
  for (const line of out.stdout.split('\n')) {
    if (line === '') continue;
    const [frame, text] = line.split('\t');
    if (text.includes('\u0001')) continue; // several messages in one frame
    // The header lines, up to the empty line that ends them (tshark goes on with the body of a reassembled message).
    const lines = text.split('\\r\\n');
    const end = lines.indexOf('');
    headers.set(Number(frame), end < 0 ? lines : lines.slice(0, end));
  }
  return headers;
}

describe('HTML report of a VoLTE call (sample-ims)', () => {
  let browser: Browser;
  let source: TraceViewSource;
  let report: Report;
  let loaded: Loaded;
  let callId: string;

  beforeAll(async () => {
    source = await load(SAMPLE);
    const call = (source.calls?.calls ?? []).find((c) => c.procedures.some((p) => source.calls?.procedures[p].group === 'call-setup'));
    if (!call) throw new Error('sample-ims has no call set-up');
    callId = call.callId;
    const noted = [call.rows[0], call.rows[9], call.rows[call.rows.length - 1]];
    report = reportOf(source, [call.index], annotate(source, noted, [call.callId], { '[2001:db8:a::11]:5060': 'UE-A' }));
    const file = saveResult('report.html', htmlReport(report));
    browser = await launchChromium();
    loaded = await openFile(browser, file);
  });
  afterAll(async () => {
    await browser?.close();
  });

  it('loads offline with no script, no event handler, no request and only in-page links', async () => {
    const { page } = loaded;
    const facts = await page.evaluate(() => {
      const all = [...document.querySelectorAll('*')];
      return {
        scripts: document.querySelectorAll('script').length,
        handlers: all.flatMap((e) => [...e.attributes].filter((a) => /^on/i.test(a.name)).map((a) => `${e.localName}@${a.name}`)),
        hrefs: all.flatMap((e) => [...e.attributes].filter((a) => /(href|src|action)$/i.test(a.name)).map((a) => a.value)),
        ids: all.map((e) => e.id).filter((id) => id !== ''),
        csp: document.querySelector('meta[http-equiv="Content-Security-Policy"]')?.getAttribute('content') ?? null,
      };
    });
    expect(facts.scripts).toBe(0);
    expect(facts.handlers).toEqual([]);
    expect(facts.csp).toBe(CONTENT_SECURITY_POLICY);
    // Every link is a fragment of this page that exists.
    for (const href of facts.hrefs) {
      expect(href).toMatch(/^#[a-z0-9-]+$/);
      expect(facts.ids).toContain(href.slice(1));
    }
    expect(loaded.problems).toEqual([]);
    expect(loaded.dialogs).toEqual([]);
    await page.screenshot({ path: join(exportResults, 'report.png') });
  });

  it.runIf(haveTshark)('draws the ladder: one arrow per message of the call and its host columns, as tshark decodes it', async () => {
    const reference = tsharkCall(SAMPLE, callId);
    const ladder = await loaded.page.evaluate(() => ({
      frames: [...document.querySelectorAll('#ladder svg g.arrow')].map((g) => Number(g.getAttribute('data-frame'))),
      pages: [...document.querySelectorAll('#ladder svg')].map((svg) => ({
        hosts: [...svg.querySelectorAll('g.host text.host-address')].map((t) => t.textContent),
        width: Number(svg.getAttribute('width')),
        height: Number(svg.getAttribute('height')),
      })),
    }));
    expect(ladder.frames).toEqual(reference.map((m) => m.frame));
    expect(ladder.pages.length).toBeGreaterThan(1);
    // Each page repeats the host header, and fits an A4 landscape page once scaled to its width.
    for (const page of ladder.pages) {
      expect(page.hosts).toEqual(hostsInOrder(reference));
      const scale = Math.min(1, PAGE.width / page.width);
      expect(page.height * scale).toBeLessThanOrEqual(PAGE.height);
    }
  });

  it.runIf(haveTshark)("puts every message in a <details> with the header lines tshark shows for its frame", async () => {
    const reference = tsharkHeaders(SAMPLE, callId);
    const details = await loaded.page.evaluate(() =>
      [...document.querySelectorAll('details.message')].map((d) => ({
        id: d.id,
        frame: Number(d.getAttribute('data-frame')),
        summary: d.querySelector('summary')?.textContent ?? '',
        headers: [...d.querySelectorAll('table.headers tr')].map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent ?? '')),
      })),
    );
    expect(details.map((d) => d.id)).toEqual(report.ladder.arrows.map((_, i) => `message-${i}`));
    let compared = 0;
    for (const d of details) {
      const lines = reference.get(d.frame);
      if (!lines) continue;
      expect(d.headers.map(([name, value]) => `${name}: ${value}`), `frame ${d.frame}`).toEqual(lines);
      compared++;
    }
    expect(compared).toBeGreaterThan(report.ladder.arrows.length / 2);
    // Closed by default; the summary says what the message is.
    expect(details[0].summary).toContain('INVITE');
    expect(await loaded.page.locator('details.message[open]').count()).toBe(0);
  });

  it('shows each note beside its arrow in the ladder and on its message, the call note with the call', async () => {
    const { page } = loaded;
    expect(report.notes.messages).toHaveLength(3);
    for (const note of report.notes.messages) {
      const placement = await page.evaluate((i) => {
        const arrow = document.querySelector(`#ladder g.arrow[data-arrow="${i}"]`);
        const box = document.querySelector(`#ladder g.note[data-arrow="${i}"] rect`);
        if (!arrow || !box) return null;
        const line = (arrow.querySelector('line, path') as Element).getBoundingClientRect();
        const rect = box.getBoundingClientRect();
        return { lineRight: line.right, lineY: line.top, noteLeft: rect.left, noteTop: rect.top, text: box.parentElement?.textContent ?? '' };
      }, note.arrow);
      expect(placement, `note on arrow ${note.arrow}`).not.toBeNull();
      if (!placement) continue;
      expect(placement.noteLeft).toBeGreaterThan(placement.lineRight);
      expect(Math.abs(placement.noteTop - placement.lineY)).toBeLessThan(20);
      expect(placement.text).toContain(note.note.slice(0, 20));
      // On the message too, visible once its details are opened.
      await page.locator(`#message-${note.arrow} > summary`).click();
      await expect(page.locator(`#message-${note.arrow} .note`).first().isVisible()).resolves.toBe(true);
      expect(await page.locator(`#message-${note.arrow} .note`).first().textContent()).toContain(note.note);
    }
    expect(await page.locator('#calls .note').textContent()).toBe(`[expected] call note of ${callId}`);
    expect(await page.locator('#ladder g.host text.host-alias').first().textContent()).toBe('UE-A');
  });

  it('has reference notes for the methods and codes of the flow, KPIs and procedures', async () => {
    const text = await loaded.page.locator('#reference').innerText();
    for (const method of new Set(report.ladder.arrows.flatMap((a) => (a.method ? [a.method] : [])))) expect(text).toContain(method);
    for (const status of new Set(report.ladder.arrows.flatMap((a) => (a.status ? [a.status] : [])))) expect(text).toContain(String(status));
    expect(text).toContain('RFC 3261');
    const kpis = await loaded.page.locator('#kpis').innerText();
    expect(kpis).toContain('Answer-seizure ratio');
    expect(kpis).toMatch(/call-setup/);
    // The call's KPIs as the calls view computes them: post-dial delay 141 ms (resources/README.md).
    expect(await loaded.page.locator('#calls').innerText()).toContain('141 ms');
  });
});
