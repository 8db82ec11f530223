/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
// (The functions passed to page.evaluate run in Chromium: they see the DOM.)
/**
 * Exports of a hostile capture (built here byte by byte: script tags, `</svg>`, `javascript:` URIs, quotes,
 * `]]>`, NUL and control characters and bidi overrides in display names, headers, the reason phrase and the
 * SDP; hostile notes, tags and host aliases too). Loaded in Chromium, the HTML and the standalone SVG run
 * nothing — every payload would set `window.__pwned` or open a dialog — and show the hostile text as text.
 * The Markdown, CSV and JSON forms keep it inert as well.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { emptyAnnotations, noteKeyOfRow } from '../../../src/core/annotations/annotations.js';
import { callsCsv } from '../../../src/core/export/csv.js';
import { htmlReport } from '../../../src/core/export/html.js';
import { jsonReport } from '../../../src/core/export/json.js';
import { ladderPages, ladderSvg } from '../../../src/core/export/ladder-svg.js';
import { markdownReport } from '../../../src/core/export/markdown.js';
import type { Report } from '../../../src/core/export/report-input.js';
import type { TraceViewSource } from '../../../src/core/view/trace-view.js';
import { launchChromium } from '../../helpers/browser.js';
import { load } from '../view/view-helpers.js';
import { FORMULA_CALL_IDS, HOSTILE, HOSTILE_CALL_ID, openFile, reportOf, saveResult, writeHostileCapture, xmlError, type Loaded } from './export-helpers.js';

/** What the displayed text shows for a payload with controls and bidi characters (escape.ts's placeholders). */
const SHOWN_CONTROLS = 'a\u2400b\u2407c\u241b[31mred\u2421';
const SHOWN_BIDI = 'user\u27e6U+202E\u27e7gnp.exe\u27e6U+202C\u27e7';

let dir: string;
let source: TraceViewSource;
let report: Report;
let browser: Browser;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'sipscope-hostile-'));
  const capture = join(dir, 'hostile.pcap');
  writeHostileCapture(capture);
  source = await load(capture);
  const index = source.engine.index;
  const annotations = emptyAnnotations();
  annotations.messages.push({ ...noteKeyOfRow(index, 0), note: `${HOSTILE.script} ${HOSTILE.closeSvg}\n${HOSTILE.controls} ${HOSTILE.bidi}`, tag: HOSTILE.attribute.replace(']', '') });
  annotations.messages.push({ ...noteKeyOfRow(index, 1), note: HOSTILE.cdata, tag: null });
  annotations.calls.push({ callId: HOSTILE_CALL_ID, note: HOSTILE.javascriptUri, tag: HOSTILE.svgOnload });
  annotations.hosts['10.66.0.1:5060'] = HOSTILE.closeSvg;
  annotations.hosts['10.66.0.2:5060'] = HOSTILE.attribute;
  report = reportOf(source, (source.calls?.calls ?? []).map((c) => c.index), annotations);
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
  rmSync(dir, { recursive: true, force: true });
});

it('decodes the hostile capture into the calls the tests expect', () => {
  expect(report.calls.map((c) => c.callId)).toEqual([HOSTILE_CALL_ID, ...FORMULA_CALL_IDS]);
  expect(report.ladder.arrows.slice(0, 4).map((a) => a.label)).toEqual(['INVITE', `180 Ringing ${HOSTILE.attribute}`, '200 OK (INVITE)', 'ACK']);
  expect(report.notes.messages).toHaveLength(2);
  expect(report.notes.calls).toHaveLength(1);
  const headers = report.messages[0].headers.map((h) => h.value);
  for (const payload of [HOSTILE.closeSvg, HOSTILE.attribute, HOSTILE.cdata, HOSTILE.controls, HOSTILE.bidi, HOSTILE.svgOnload]) expect(headers).toContain(payload);
});

/** The page state a payload that ran would have changed. */
async function assertInert(loaded: Loaded): Promise<void> {
  const facts = await loaded.page.evaluate(() => {
    const all = [...document.querySelectorAll('*')];
    return {
      pwned: (window as unknown as { __pwned?: unknown }).__pwned,
      scripts: document.getElementsByTagName('script').length,
      handlers: all.flatMap((e) => [...e.attributes].filter((a) => /^on/i.test(a.name)).map((a) => `${e.localName}@${a.name}`)),
      urls: all.flatMap((e) => [...e.attributes].filter((a) => /(href|src|action|data)$/i.test(a.name)).map((a) => a.value)),
      elements: [...new Set(all.map((e) => e.localName))].sort(),
    };
  });
  expect(facts.pwned).toBeUndefined();
  expect(facts.scripts).toBe(0);
  expect(facts.handlers).toEqual([]);
  for (const url of facts.urls) expect(url).toMatch(/^#[a-z0-9-]+$/);
  expect(facts.elements).not.toContain('img');
  expect(facts.elements).not.toContain('iframe');
  expect(facts.elements).not.toContain('foreignObject');
  expect(loaded.dialogs).toEqual([]);
  expect(loaded.problems).toEqual([]);
}

describe('HTML', () => {
  let loaded: Loaded;
  beforeAll(async () => {
    loaded = await openFile(browser, saveResult('hostile.html', htmlReport(report)));
    // Open every message: hidden content must be inert too, not only what shows first.
    await loaded.page.evaluate(() => document.querySelectorAll('details').forEach((d) => (d.open = true)));
  });

  it('runs no script, has no handler, no link out, no request', async () => {
    await assertInert(loaded);
  });

  it('shows the hostile text as text, controls and bidi overrides as visible placeholders', async () => {
    const text = await loaded.page.locator('body').innerText();
    for (const payload of [HOSTILE.script, HOSTILE.closeSvg, HOSTILE.javascriptUri, HOSTILE.attribute, HOSTILE.cdata, HOSTILE.svgOnload, HOSTILE_CALL_ID]) {
      expect(text, payload).toContain(payload);
    }
    expect(text).toContain(SHOWN_CONTROLS);
    expect(text).toContain(SHOWN_BIDI);
    expect(text).not.toContain('\u202e');
    expect(text).not.toContain('\u0000');
    // The hostile host aliases name the columns of the ladder, as text.
    const aliases = await loaded.page.locator('#ladder g.host text.host-alias').allTextContents();
    expect(aliases.slice(0, 2)).toEqual([HOSTILE.closeSvg, HOSTILE.attribute].map((a) => expect.stringContaining(a.slice(0, 12))));
  });

  it('keeps every inline ladder page well-formed XML', async () => {
    for (const page of ladderPages(report, 1046, 718)) expect(await xmlError(loaded.page, ladderSvg(report, { ...page, header: false, links: true }))).toBeNull();
  });
});

describe('SVG', () => {
  let loaded: Loaded;
  let svg: string;
  beforeAll(async () => {
    svg = ladderSvg(report);
    loaded = await openFile(browser, saveResult('hostile.svg', svg));
  });

  it('is well-formed XML and, opened as a document, runs nothing', async () => {
    expect(await xmlError(loaded.page, svg)).toBeNull();
    expect(await loaded.page.evaluate(() => document.documentElement.localName)).toBe('svg');
    await assertInert(loaded);
  });

  it('shows the hostile reason phrase, aliases, call note and notes as text', async () => {
    const text = await loaded.page.evaluate(() => document.documentElement.textContent ?? '');
    expect(text).toContain(`Call-ID ${HOSTILE_CALL_ID}`);
    expect(text).toContain(HOSTILE.javascriptUri);
    expect(text).toContain(HOSTILE.cdata);
    expect(text).toContain('180 Ringing');
    expect(text).toContain(HOSTILE.closeSvg);
    expect(text).toContain(SHOWN_CONTROLS);
    expect(text).not.toContain('\u202e');
  });
});

describe('Markdown', () => {
  it('keeps markup out of the prose and the ladder inside its one code block', () => {
    const text = markdownReport(report);
    saveResult('hostile.md', text);
    const fences = text.split('\n').filter((l) => /^`{3,}/.test(l));
    expect(fences).toHaveLength(2);
    const [before, , after] = text.split(/^`{3,}.*$/m);
    // Outside the code block no `<` survives: HTML a renderer would pass through is all entities.
    expect(`${before}${after}`).not.toMatch(/</);
    expect(`${before}${after}`).toContain('&lt;script&gt;');
    // A link or image cannot be formed from captured text: its brackets are escaped.
    expect(`${before}${after}`).not.toMatch(/(^|[^\\])\[[^\]]*\]\(/);
    // The ladder: one line per message, with its frame number.
    const ladder = text.slice(text.indexOf(fences[0]) + fences[0].length, text.lastIndexOf(fences[1]));
    for (const arrow of report.ladder.arrows) expect(ladder).toContain(`#${arrow.frame}`);
    expect(ladder).toContain(SHOWN_CONTROLS);
    expect(ladder).not.toContain('\u0000');
  });
});

describe('CSV', () => {
  /** RFC 4180 records (quoted fields with "" escapes, CRLF line ends). */
  function parseCsv(text: string): string[][] {
    const records: string[][] = [];
    let field = '';
    let record: string[] = [];
    let quoted = false;
    for (let i = 0; i < text.length; i++) {
      const c = text[i];
      if (quoted) {
        if (c === '"' && text[i + 1] === '"') {
          field += '"';
          i++;
        } else if (c === '"') quoted = false;
        else field += c;
      } else if (c === '"' && field === '') quoted = true;
      else if (c === ',') {
        record.push(field);
        field = '';
      } else if (c === '\r' && text[i + 1] === '\n') {
        record.push(field);
        records.push(record);
        record = [];
        field = '';
        i++;
      } else field += c;
    }
    return records;
  }

  it('defuses cells a spreadsheet would run as formulas and quotes per RFC 4180', () => {
    const csv = callsCsv(report.calls);
    saveResult('hostile.csv', csv);
    const records = parseCsv(csv);
    expect(records).toHaveLength(report.calls.length + 1);
    const width = records[0].length;
    for (const r of records) expect(r).toHaveLength(width);
    const callIds = records.slice(1).map((r) => r[records[0].indexOf('call_id')]);
    expect(callIds).toEqual([HOSTILE_CALL_ID, ...FORMULA_CALL_IDS.map((id) => `'${id}`)]);
    // No cell of the file starts a formula.
    for (const r of records) for (const cell of r) expect(cell).not.toMatch(/^[=+\-@\t\r]/);
  });
});

describe('JSON', () => {
  it('round-trips through JSON.parse with the hostile text intact and no raw < or > in the file', () => {
    const json = jsonReport(report);
    saveResult('hostile.json', json);
    expect(json).not.toMatch(/[<>]/);
    const parsed = JSON.parse(json) as Report & { schema: string };
    expect(parsed.schema).toBe('sipscope-report');
    expect(parsed.calls[0].callId).toBe(HOSTILE_CALL_ID);
    expect(parsed.messages[0].headers.map((h) => h.value)).toContain(HOSTILE.controls);
    expect(parsed.notes.calls[0].note).toBe(HOSTILE.javascriptUri);
    expect(parsed.aliases['10.66.0.1:5060']).toBe(HOSTILE.closeSvg);
  });
});
