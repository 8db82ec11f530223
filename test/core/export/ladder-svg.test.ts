/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
// (The functions passed to page.evaluate run in Chromium: they see the DOM.)
/**
 * The ladder SVG on real captures, against tshark's decode of the same calls (`tshark -Y 'sip.Call-ID == "…"'`):
 * one arrow per message of the call, in frame order, and the host columns of the ladder (every endpoint in order
 * of first appearance). The SVG is read back with the browser's strict XML parser, so it must be well-formed, and
 * rendered to check that notes sit beside the arrows they annotate.
 */
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ladderGeometry, ladderSvg, wrapText } from '../../../src/core/export/ladder-svg.js';
import type { TraceViewSource } from '../../../src/core/view/trace-view.js';
import { launchChromium } from '../../helpers/browser.js';
import { repoRoot, sharedCapture } from '../../helpers/paths.js';
import { haveTshark, load } from '../view/view-helpers.js';
import { annotate, hostsInOrder, openFile, reportOf, saveResult, tsharkCall } from './export-helpers.js';

const CAPTURES = [
  join(repoRoot, 'resources/sample-ims.pcap'),
  sharedCapture('sngrep_aaa.pcap'),
  sharedCapture('heplify_sip_ipv6_udp.pcap'),
  sharedCapture('sipnab_sip-proxy.pcap'),
];

/** What the SVG document holds, read with DOMParser in the page. */
interface SvgContent {
  error: string | null;
  root: string;
  arrows: { frame: number; row: number; label: string }[];
  hosts: { address: string; alias: string | null }[];
  scripts: number;
  eventAttributes: string[];
  links: string[];
}

async function readSvg(page: Page, svg: string): Promise<SvgContent> {
  return page.evaluate((text) => {
    const doc = new DOMParser().parseFromString(text, 'image/svg+xml');
    const error = doc.getElementsByTagName('parsererror')[0];
    const all = [...doc.getElementsByTagName('*')];
    return {
      error: error ? (error.textContent ?? 'parsererror') : null,
      root: `${doc.documentElement.namespaceURI} ${doc.documentElement.localName}`,
      arrows: [...doc.querySelectorAll('g.arrow')].map((g) => ({
        frame: Number(g.getAttribute('data-frame')),
        row: Number(g.getAttribute('data-row')),
        label: g.querySelector('text.label')?.textContent ?? '',
      })),
      hosts: [...doc.querySelectorAll('g.host')].map((g) => ({
        address: g.querySelector('text.host-address')?.textContent ?? '',
        alias: g.querySelector('text.host-alias')?.textContent ?? null,
      })),
      scripts: doc.getElementsByTagName('script').length,
      eventAttributes: all.flatMap((e) => [...e.attributes].filter((a) => /^on/i.test(a.name)).map((a) => `${e.localName}@${a.name}`)),
      links: all.flatMap((e) => [...e.attributes].filter((a) => /href$/i.test(a.name)).map((a) => a.value)),
    };
  }, svg);
}

let browser: Browser;
let page: Page;
beforeAll(async () => {
  browser = await launchChromium();
  page = await browser.newPage();
});
afterAll(async () => {
  await browser?.close();
});

for (const path of CAPTURES) {
  describe.runIf(haveTshark)(`ladder SVG: ${path.split('/').pop()}`, () => {
    let source: TraceViewSource;
    beforeAll(async () => {
      source = await load(path);
    });

    it('has one arrow per message of each call and its host columns, as tshark decodes the call', async () => {
      const calls = source.calls?.calls ?? [];
      expect(calls.length).toBeGreaterThan(0);
      for (const call of calls.slice(0, 12)) {
        const report = reportOf(source, [call.index]);
        const svg = ladderSvg(report);
        const content = await readSvg(page, svg);
        expect(content.error, call.callId).toBeNull();
        expect(content.root).toBe('http://www.w3.org/2000/svg svg');
        const reference = tsharkCall(path, call.callId);
        expect(reference.length, call.callId).toBeGreaterThan(0);
        // One arrow per message, in frame order (several messages of one TCP segment share its frame).
        expect(content.arrows.map((a) => a.frame), call.callId).toEqual(reference.map((m) => m.frame));
        expect(content.arrows.map((a) => a.row)).toEqual(report.ladder.arrows.map((a) => a.row));
        expect(content.arrows.map((a) => a.label.replace(/…$/, ''))).toEqual(
          report.ladder.arrows.map((a) => expect.stringMatching(new RegExp(`^${(a.method ?? String(a.status)).replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`))),
        );
        // The host columns: every endpoint of the call, in order of first appearance.
        expect(content.hosts.map((h) => h.address), call.callId).toEqual(hostsInOrder(reference));
        expect(content.scripts).toBe(0);
        expect(content.eventAttributes).toEqual([]);
        expect(content.links).toEqual([]);
      }
    });
  });
}

describe('ladder SVG with annotations (sample-ims VoLTE call)', () => {
  let source: TraceViewSource;
  beforeAll(async () => {
    source = await load(join(repoRoot, 'resources/sample-ims.pcap'));
  });

  it('names host columns by alias over the address, puts call notes in the header and notes beside their arrows', async () => {
    const call = (source.calls?.calls ?? []).find((c) => c.procedures.some((p) => source.calls?.procedures[p].group === 'call-setup'));
    expect(call).toBeDefined();
    if (!call) return;
    const noted = [call.rows[0], call.rows[5], call.rows[6], call.rows[call.rows.length - 1]];
    const firstHost = `[2001:db8:a::11]:5060`;
    const annotations = annotate(source, noted, [call.callId], { [firstHost]: 'UE-A', '10.20.0.30:5060': 'S-CSCF' });
    // A long note wraps over several lines and pushes the next noted arrow down rather than overlapping it.
    annotations.messages[1].note = 'The 183 carries the answer with curr:qos local none; the UE must not alert before the UPDATE confirms resources (RFC 3312 §5). '.repeat(3);
    const report = reportOf(source, [call.index], annotations);
    const svg = ladderSvg(report);
    const file = saveResult('ladder-annotated.svg', svg);
    const content = await readSvg(page, svg);
    expect(content.error).toBeNull();
    expect(content.hosts[0]).toEqual({ address: firstHost, alias: 'UE-A' });
    expect(content.hosts.find((h) => h.alias === 'S-CSCF')?.address).toBe('10.20.0.30:5060');

    const loaded = await openFile(browser, file);
    const boxes = await loaded.page.evaluate(() => {
      const box = (e: Element | null) => {
        if (!e) return null;
        const r = e.getBoundingClientRect();
        return { left: r.left, right: r.right, top: r.top, bottom: r.bottom };
      };
      return {
        header: document.querySelector('g.header')?.textContent ?? '',
        notes: [...document.querySelectorAll('g.note')].map((g) => {
          const arrow = document.querySelector(`g.arrow[data-arrow="${g.getAttribute('data-arrow')}"]`);
          return { text: g.textContent ?? '', note: box(g.querySelector('rect')), line: box(arrow?.querySelector('line, path') ?? null) };
        }),
      };
    });
    expect(boxes.header).toContain(`[expected] call note of ${call.callId}`);
    expect(boxes.notes).toHaveLength(noted.length);
    let previousBottom = -Infinity;
    for (const { note, line, text } of boxes.notes) {
      if (!note || !line) throw new Error('note or arrow not drawn');
      // Beside its arrow: to the right of it, starting level with it.
      expect(note.left).toBeGreaterThan(line.right);
      expect(note.top).toBeLessThanOrEqual(line.top + 2);
      expect(note.top).toBeGreaterThan(line.top - 20);
      // Never on top of the note above.
      expect(note.top).toBeGreaterThanOrEqual(previousBottom);
      previousBottom = note.bottom;
      expect(text).toMatch(/note on row|curr:qos/);
    }
    expect(boxes.notes[0].text.startsWith('[root cause]')).toBe(true);
    await loaded.page.context().close();
  });

  it('sizes the drawing from its content: every arrow inside the width, rows in frame order going down', () => {
    const calls = (source.calls?.calls ?? []).map((c) => c.index);
    const report = reportOf(source, calls);
    const g = ladderGeometry(report);
    expect(g.arrows).toHaveLength(report.ladder.arrows.length);
    for (let i = 1; i < g.arrows.length; i++) expect(g.arrows[i].y).toBeGreaterThan(g.arrows[i - 1].y);
    for (const a of g.arrows) expect(Math.max(a.x1, a.x2)).toBeLessThan(g.width);
    expect(g.hostX).toHaveLength(report.hosts.length);
  });
});

describe('wrapText', () => {
  it.each([
    ['short', 10, ['short']],
    ['one two three four', 9, ['one two', 'three', 'four']],
    ['abcdefghijkl', 5, ['abcde', 'fghij', 'kl']],
    ['a\nb', 10, ['a', 'b']],
  ])('%j at %i characters', (text, chars, lines) => {
    expect(wrapText(text, chars, 10)).toEqual(lines);
  });

  it('stops at the line limit with an ellipsis', () => {
    const lines = wrapText('w '.repeat(100), 10, 3);
    expect(lines).toHaveLength(3);
    expect(lines[2].endsWith('…')).toBe(true);
  });
});
