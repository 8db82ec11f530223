/**
 * The Statistics view's derivations: nice axes and bar layout, response groups coloured by class, the
 * procedures × outcome table, KPI cards and formats, and the display filters a click applies (each must
 * compile in the filter language).
 */
import { describe, expect, it } from 'vitest';
import type { TraceStatistics } from '../../../src/shared/api.js';
import { compileDisplayFilter } from '../../../src/core/filter/filter.js';
import { lookupField } from '../../../src/core/filter/registry.js';
import {
  FILTERABLE_OUTCOMES,
  findingsFilter,
  formatMs,
  formatRatio,
  kpiCards,
  largestResponseCount,
  layoutBars,
  linearScale,
  methodBars,
  methodFilter,
  niceCeiling,
  niceTicks,
  procedureFilter,
  procedureTable,
  quoteFilter,
  responseClass,
  responseFilter,
  responseGroups,
  timingLabel,
  timingMarks,
} from '../../../src/renderer/src/stats/stats-model.js';

/** Shaped like `sipscope stats --format json` on resources/sample-volte.pcap, plus a failed call and a registration. */
const stats: TraceStatistics = {
  view: 0,
  calls: 4,
  sessions: 3,
  callSetups: 4,
  answered: 3,
  answerSeizureRatio: 0.75,
  networkEffectivenessRatio: 1,
  registrations: 1,
  registrationSuccessRate: null,
  timings: [
    { name: 'postDialDelayMs', count: 3, mean: 1.327, median: 1.288, max: 1.442 },
    { name: 'durationMs', count: 3, mean: 105.263, median: 105.046, max: 107.042 },
  ],
  responseCodes: {
    PRACK: { '200': 3 },
    INVITE: { '200': 3, '100': 4, '486': 1, '183': 3, '180': 3 },
    BYE: { '200': 3 },
    OPTIONS: {},
  },
  methods: { INVITE: 4, ACK: 4, BYE: 3, PRACK: 3, MESSAGE: 0 },
  procedures: {
    'call-setup': { success: 3, failure: 1, timeout: 0, incomplete: 0 },
    'call-release': { success: 3, failure: 0, timeout: 0, incomplete: 0 },
    registration: { incomplete: 1, cancelled: 0, weird: 2 },
  },
  findings: { error: 1, warning: 2, note: 0 },
};

describe('scales', () => {
  it('rounds an axis maximum up to 1, 2, 2.5 or 5 × 10ⁿ', () => {
    expect([0, -3, NaN, 0.3, 1, 3, 7, 10, 11, 23, 26, 99, 480, 1001].map(niceCeiling)).toEqual([1, 1, 1, 0.5, 1, 5, 10, 10, 20, 25, 50, 100, 500, 2000]);
  });

  it('makes integer ticks for counts, covering the maximum', () => {
    expect(niceTicks(3)).toEqual([0, 1, 2, 3]);
    expect(niceTicks(1)).toEqual([0, 1]);
    expect(niceTicks(10)).toEqual([0, 2, 4, 6, 8, 10]);
    expect(niceTicks(12)).toEqual([0, 5, 10, 15]);
    expect(niceTicks(480)).toEqual([0, 200, 400, 600]);
    expect(niceTicks(0.7, 4, false)).toEqual([0, 0.2, 0.4, 0.6, 0.8]);
  });

  it('maps a linear domain, clamping outside values, and an empty domain to 0', () => {
    const scale = linearScale(10, 200);
    expect(scale(5)).toBe(100);
    expect(scale(20)).toBe(200);
    expect(scale(-1)).toBe(0);
    expect(linearScale(0, 200)(5)).toBe(0);
  });

  it('lays bars out top to bottom on a shared nice axis', () => {
    const layout = layoutBars([3, 1, 0], (v) => v, { width: 300, labelWidth: 60, valueWidth: 40, barHeight: 10, gap: 5, axisHeight: 20 });
    expect(layout.plotWidth).toBe(200);
    expect(layout.bars.map((b) => b.y)).toEqual([0, 15, 30]);
    // Axis 0..3: 3 → the whole 200 px plot, 1 → a third.
    expect(layout.bars[0].length).toBe(200);
    expect(layout.bars[1].length).toBeCloseTo(200 / 3);
    expect(layout.bars[2].length).toBe(0);
    expect(layout.height).toBe(40 + 20);
    expect(layout.ticks.map((t) => t.value)).toEqual([0, 1, 2, 3]);
    expect(layout.ticks.at(-1)).toEqual({ value: 3, x: 200 });
  });

  it('uses a given maximum so charts side by side compare', () => {
    const layout = layoutBars([3], (v) => v, { width: 300, labelWidth: 60, valueWidth: 40, max: 10 });
    expect(layout.bars[0].length).toBe(60);
  });

  it('lays out an empty chart without dividing by zero', () => {
    const layout = layoutBars([] as number[], (v) => v);
    expect(layout.bars).toEqual([]);
    expect(layout.ticks).toEqual([{ value: 0, x: 0 }]);
  });
});

describe('responses and methods', () => {
  it('classes status codes by first digit (RFC 3261 §7.2), anything else is other', () => {
    expect(['100', '183', 200, '302', '486', '503', '603', '99', '700', 'abc'].map(responseClass)).toEqual(['1xx', '1xx', '2xx', '3xx', '4xx', '5xx', '6xx', 'other', 'other', 'other']);
  });

  it('groups responses by method, busiest first, codes ascending, empty methods dropped', () => {
    const groups = responseGroups(stats.responseCodes);
    expect(groups.map((g) => g.method)).toEqual(['INVITE', 'BYE', 'PRACK']);
    expect(groups[0].total).toBe(14);
    expect(groups[0].bars.map((b) => `${b.code}:${b.cls}`)).toEqual(['100:1xx', '180:1xx', '183:1xx', '200:2xx', '486:4xx']);
    expect(groups[0].bars[4].filter).toBe('sip.Status-Code == 486 && sip.CSeq.method == "INVITE"');
    expect(largestResponseCount(groups)).toBe(4);
  });

  it('puts INVITE first among methods with as many responses', () => {
    expect(responseGroups({ BYE: { '200': 2 }, INVITE: { '200': 2 } }).map((g) => g.method)).toEqual(['INVITE', 'BYE']);
  });

  it('lists requests per method, most first, zero counts dropped', () => {
    expect(methodBars(stats.methods).map((m) => `${m.method}:${m.count}`)).toEqual(['ACK:4', 'INVITE:4', 'BYE:3', 'PRACK:3']);
    expect(methodBars(stats.methods)[1].filter).toBe('sip.Method == "INVITE"');
  });
});

describe('filters', () => {
  it('writes the filters a click applies', () => {
    expect(responseFilter('INVITE', '486')).toBe('sip.Status-Code == 486 && sip.CSeq.method == "INVITE"');
    expect(methodFilter('MESSAGE')).toBe('sip.Method == "MESSAGE"');
    expect(procedureFilter('call-setup')).toBe('ims.procedure == "call-setup"');
    expect(procedureFilter('call-setup', 'failure')).toBe('ims.procedure == "call-setup" && ims.procedure.outcome == "failure"');
    expect(findingsFilter('warning')).toBe('expert.severity == "warning"');
    // An outcome the field cannot express gets no filter (the checker would refuse it).
    expect(procedureFilter('registration', 'cancelled')).toBeNull();
    expect(quoteFilter('a"b\\')).toBe('"a\\"b\\\\"');
  });

  it('every filter the view can apply compiles, even for odd method names', () => {
    const filters = [
      ...responseGroups({ ...stats.responseCodes, 'X"ODD': { '299': 1 } }).flatMap((g) => g.bars.map((b) => b.filter)),
      ...methodBars(stats.methods).map((m) => m.filter),
      ...procedureTable(stats.procedures).rows.flatMap((row) => [
        procedureFilter(row.procedure),
        ...FILTERABLE_OUTCOMES.map((o) => procedureFilter(row.procedure, o)!),
      ]),
      ...(['error', 'warning', 'note'] as const).map(findingsFilter),
    ];
    expect(filters.length).toBeGreaterThan(20);
    for (const filter of filters) expect(compileDisplayFilter(filter).error, filter).toBeUndefined();
  });
});

describe('procedures table', () => {
  it('knows the outcomes ims.procedure.outcome takes', () => {
    expect(lookupField('ims.procedure.outcome')?.values).toEqual(FILTERABLE_OUTCOMES);
  });

  it('has a column per outcome seen, known outcomes first in order, and row totals', () => {
    const table = procedureTable(stats.procedures);
    expect(table.outcomes).toEqual(['success', 'failure', 'cancelled', 'timeout', 'incomplete', 'weird']);
    expect(table.rows.map((r) => r.procedure)).toEqual(['call-setup', 'call-release', 'registration']);
    expect(table.rows[0]).toEqual({ procedure: 'call-setup', counts: [3, 1, 0, 0, 0, 0], total: 4 });
    expect(table.rows[2].counts).toEqual([0, 0, 0, 0, 1, 2]);
  });

  it('is empty for a view without procedures', () => {
    expect(procedureTable({})).toEqual({ outcomes: [], rows: [] });
  });
});

describe('KPIs and formats', () => {
  it('formats ratios as percentages, and undefined ratios as a dash', () => {
    expect(formatRatio(0.75)).toBe('75.0 %');
    expect(formatRatio(1)).toBe('100.0 %');
    expect(formatRatio(null)).toBe('—');
  });

  it('formats durations at a useful precision', () => {
    expect(formatMs(1.327)).toBe('1.33 ms');
    expect(formatMs(105.263)).toBe('105 ms');
    expect(formatMs(3254)).toBe('3.25 s');
    expect(formatMs(125_000)).toBe('2 min 05 s');
    expect(formatMs(null)).toBe('—');
  });

  it('builds the KPI cards from the statistics', () => {
    const cards = Object.fromEntries(kpiCards(stats).map((c) => [c.id, c]));
    expect(cards.calls.value).toBe('4');
    expect(cards.calls.detail).toBe('4 call setups, 3 answered');
    expect(cards.sessions.value).toBe('3');
    expect(cards.asr.value).toBe('75.0 %');
    expect(cards.ner.value).toBe('100.0 %');
    expect(cards.registrations.value).toBe('1');
    expect(cards['registration-success'].value).toBe('—');
  });

  it('labels timings and places median and mean on a 0–max bar', () => {
    expect(timingLabel('postDialDelayMs')).toEqual({ label: 'Post-dial delay', hint: 'INVITE → first 180/183' });
    expect(timingMarks({ mean: 50, median: 25, max: 100 })).toEqual({ median: 0.25, mean: 0.5 });
    expect(timingMarks({ mean: 0, median: 0, max: 0 })).toEqual({ median: 0, mean: 0 });
  });
});
