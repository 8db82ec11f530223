/**
 * buildReport's edges on a real trace (sample-ims): unknown call indexes are skipped, an empty selection gives an
 * empty report every renderer still turns into a document, several calls merge in frame order, and notes on
 * messages of calls that are not reported stay out.
 */
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { callsCsv } from '../../../src/core/export/csv.js';
import { htmlReport } from '../../../src/core/export/html.js';
import { jsonReport } from '../../../src/core/export/json.js';
import { ladderSvg } from '../../../src/core/export/ladder-svg.js';
import { markdownReport } from '../../../src/core/export/markdown.js';
import { formatMs, formatRatio, formatTime } from '../../../src/core/export/report-input.js';
import type { TraceViewSource } from '../../../src/core/view/trace-view.js';
import { repoRoot } from '../../helpers/paths.js';
import { load } from '../view/view-helpers.js';
import { annotate, reportOf } from './export-helpers.js';

describe('buildReport (sample-ims)', () => {
  let source: TraceViewSource;
  beforeAll(async () => {
    source = await load(join(repoRoot, 'resources/sample-ims.pcap'));
  });

  it('skips unknown calls; an empty report still renders to every format', () => {
    const report = reportOf(source, [-1, 1.5, 9999]);
    expect(report.calls).toEqual([]);
    expect(report.ladder.arrows).toEqual([]);
    expect(report.messages).toEqual([]);
    expect(ladderSvg(report)).toMatch(/^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"[^>]* width="\d+" height="\d+"/);
    const html = htmlReport(report);
    expect(html).toContain('No messages.');
    // The table of contents still leads somewhere.
    for (const [, id] of html.matchAll(/href="#([a-z-]+)"/g)) expect(html).toContain(`id="${id}"`);
    expect(markdownReport(report)).toContain('## Ladder');
    expect(callsCsv(report.calls).split('\r\n')).toHaveLength(2);
    expect(JSON.parse(jsonReport(report)).calls).toEqual([]);
  });

  it('merges several calls in frame order, with their KPIs, and keeps notes of other calls out', () => {
    const calls = source.calls?.calls ?? [];
    const [a, b, c] = calls;
    const annotations = annotate(source, [a.rows[0], b.rows[0], c.rows[0]], [a.callId, c.callId]);
    const report = reportOf(source, [b.index, a.index], annotations);
    expect(report.calls.map((s) => s.index)).toEqual([a.index, b.index]);
    expect(report.ladder.arrows).toHaveLength(a.rows.length + b.rows.length);
    const frames = report.ladder.arrows.map((x) => x.frame);
    expect(frames).toEqual([...frames].sort((x, y) => x - y));
    expect(report.statistics.calls).toBe(2);
    expect(report.notes.messages.map((n) => n.row)).toEqual([a.rows[0], b.rows[0]]);
    expect(report.notes.calls.map((n) => n.callId)).toEqual([a.callId]);
    expect(report.notes.elsewhere).toEqual([]);
    expect(report.messages.map((m) => m.row)).toEqual(report.ladder.arrows.map((x) => x.row));
  });

  it('cites reference entries for each method and code of the flow, known headers only', () => {
    const call = (source.calls?.calls ?? []).find((x) => x.procedures.some((p) => source.calls?.procedures[p].group === 'call-setup'));
    if (!call) throw new Error('no call set-up');
    const report = reportOf(source, [call.index]);
    const keys = report.reference.map((r) => `${r.kind} ${r.key}`);
    for (const m of new Set(report.ladder.arrows.flatMap((x) => (x.method ? [x.method] : [])))) expect(keys).toContain(`method ${m}`);
    for (const s of new Set(report.ladder.arrows.flatMap((x) => (x.status !== null ? [x.status] : [])))) expect(keys).toContain(`response ${s}`);
    expect(keys).toContain('procedure call-setup');
    expect(keys).toContain('header P-Access-Network-Info');
    for (const r of report.reference) expect(r.sources.length).toBeGreaterThan(0);
  });
});

describe('formatting', () => {
  it.each([
    [formatTime(1_700_000_000.000001), '2023-11-14 22:13:20.000001Z'],
    [formatTime(1_700_000_000 + 0.9999996), '2023-11-14 22:13:21.000000Z'],
    [formatMs(141.2), '141 ms'],
    [formatMs(6724), '6.72 s'],
    [formatMs(125_000), '2 min 5.0 s'],
    [formatMs(null), '—'],
    [formatRatio(0.875), '87.5 %'],
    [formatRatio(null), '—'],
  ])('%s = %s', (actual, expected) => {
    expect(actual).toBe(expected);
  });
});
