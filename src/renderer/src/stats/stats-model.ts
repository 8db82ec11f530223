/**
 * Everything the Statistics view derives from `TraceStatistics`: chart scales and bar layout (no chart
 * library: the charts are a few SVG rectangles), the KPI cards, the response-code groups coloured by class,
 * the procedures × outcome table, number formats, and the display filters a click applies. Pure, no DOM.
 */
import type { TraceStatistics } from '../../../shared/api.js';

// ---------------------------------------------------------------- scales

/**
 * The smallest "nice" number (1, 2, 2.5 or 5 × 10ⁿ) at or above `value`, so an axis ends on a round
 * figure. 0 or less (nothing to draw) gives 1, so a scale never divides by zero.
 */
export function niceCeiling(value: number): number {
  if (!(value > 0) || !Number.isFinite(value)) return 1;
  const power = 10 ** Math.floor(Math.log10(value));
  for (const step of [1, 2, 2.5, 5, 10]) {
    // The tolerance keeps 0.3 (0.30000000000000004 after arithmetic) at 0.3 rather than 0.5.
    if (value <= step * power * (1 + 1e-9)) return roundFloat(step * power);
  }
  return roundFloat(10 * power);
}

/**
 * Ticks from 0 in a nice step (1, 2, 2.5 or 5 × 10ⁿ) making about `count` intervals, up to the first tick at
 * or above `max`. Integer data (counts) gets integer steps: with max 3, ticks are 0 1 2 3, not 0 0.75….
 */
export function niceTicks(max: number, count = 4, integers = true): number[] {
  let step = niceCeiling(max / Math.max(1, count));
  if (integers) step = step < 1 ? 1 : step === 2.5 ? 2 : step;
  const ticks = [0];
  while (ticks[ticks.length - 1] < max) ticks.push(roundFloat(ticks[ticks.length - 1] + step));
  return ticks;
}

function roundFloat(value: number): number {
  return Number(value.toPrecision(12));
}

/** A linear map from [0, domainMax] to [0, rangeMax]: bar lengths. An empty domain maps everything to 0. */
export function linearScale(domainMax: number, rangeMax: number): (value: number) => number {
  if (!(domainMax > 0) || !Number.isFinite(domainMax)) return () => 0;
  return (value) => (Math.max(0, Math.min(value, domainMax)) / domainMax) * rangeMax;
}

export interface Bar<T> {
  item: T;
  /** Top of the bar and its length, in px, inside the plot area (which starts after the label column). */
  y: number;
  length: number;
}

export interface BarLayout<T> {
  bars: Bar<T>[];
  /** Height of the whole chart, px. */
  height: number;
  /** Ticks of the value axis and their x offsets in the plot area. */
  ticks: { value: number; x: number }[];
  /** Width of the plot area (after labels, before the value text margin). */
  plotWidth: number;
}

export interface BarLayoutOptions {
  /** Total width of the chart, px. */
  width: number;
  /** Width kept for the category labels on the left and the value text on the right. */
  labelWidth: number;
  valueWidth: number;
  barHeight: number;
  gap: number;
  /** Space under the bars for the axis labels. */
  axisHeight: number;
  /** The maximum the axis must reach; the largest value by default (several charts can share one). */
  max?: number;
}

export const DEFAULT_BAR_LAYOUT: BarLayoutOptions = { width: 480, labelWidth: 110, valueWidth: 48, barHeight: 18, gap: 6, axisHeight: 18 };

/** Lays out horizontal bars, one per item, on a shared nice axis. */
export function layoutBars<T>(items: readonly T[], value: (item: T) => number, options: Partial<BarLayoutOptions> = {}): BarLayout<T> {
  const o = { ...DEFAULT_BAR_LAYOUT, ...options };
  const plotWidth = Math.max(0, o.width - o.labelWidth - o.valueWidth);
  const max = o.max ?? items.reduce((m, item) => Math.max(m, value(item)), 0);
  const ticks = max > 0 ? niceTicks(max) : [0];
  const scale = linearScale(ticks[ticks.length - 1], plotWidth);
  const bars = items.map((item, i) => ({ item, y: i * (o.barHeight + o.gap), length: scale(value(item)) }));
  const barsHeight = items.length === 0 ? 0 : items.length * (o.barHeight + o.gap) - o.gap;
  return { bars, height: barsHeight + o.axisHeight, ticks: ticks.map((t) => ({ value: t, x: scale(t) })), plotWidth };
}

// ---------------------------------------------------------------- response codes and methods

export type ResponseClass = '1xx' | '2xx' | '3xx' | '4xx' | '5xx' | '6xx' | 'other';

/** RFC 3261 §7.2: a status code's class is its first digit (100–699). */
export function responseClass(code: number | string): ResponseClass {
  const n = typeof code === 'number' ? code : /^\d+$/.test(code) ? Number(code) : NaN;
  if (!Number.isInteger(n) || n < 100 || n > 699) return 'other';
  return `${Math.floor(n / 100)}xx` as ResponseClass;
}

export interface ResponseBar {
  method: string;
  code: string;
  count: number;
  cls: ResponseClass;
  /** What clicking the bar applies. */
  filter: string;
}

export interface ResponseGroup {
  method: string;
  total: number;
  bars: ResponseBar[];
}

/**
 * One group per request method (most responses first, INVITE first on ties as the method users look at),
 * codes ascending inside a group.
 */
export function responseGroups(codes: TraceStatistics['responseCodes']): ResponseGroup[] {
  const groups: ResponseGroup[] = [];
  for (const [method, byCode] of Object.entries(codes)) {
    const bars = Object.entries(byCode)
      .filter(([, count]) => count > 0)
      .map(([code, count]) => ({ method, code, count, cls: responseClass(code), filter: responseFilter(method, code) }))
      .sort((a, b) => Number(a.code) - Number(b.code) || a.code.localeCompare(b.code));
    if (bars.length > 0) groups.push({ method, total: bars.reduce((sum, bar) => sum + bar.count, 0), bars });
  }
  return groups.sort((a, b) => b.total - a.total || invitesFirst(a.method, b.method) || a.method.localeCompare(b.method));
}

function invitesFirst(a: string, b: string): number {
  return (b === 'INVITE' ? 1 : 0) - (a === 'INVITE' ? 1 : 0);
}

/** The largest count of any response bar (the response charts share one axis, so bars compare across methods). */
export function largestResponseCount(groups: readonly ResponseGroup[]): number {
  return groups.reduce((max, group) => group.bars.reduce((m, bar) => Math.max(m, bar.count), max), 0);
}

/** Requests per method, most first. */
export function methodBars(methods: TraceStatistics['methods']): { method: string; count: number; filter: string }[] {
  return Object.entries(methods)
    .filter(([, count]) => count > 0)
    .map(([method, count]) => ({ method, count, filter: methodFilter(method) }))
    .sort((a, b) => b.count - a.count || a.method.localeCompare(b.method));
}

// ---------------------------------------------------------------- filters

/** A display-filter string literal (wireshark-filter(4): double quotes, backslash escapes). */
export function quoteFilter(value: string): string {
  return `"${value.replace(/[\\"]/g, (c) => `\\${c}`)}"`;
}

/** The responses of one code to one method: `sip.Status-Code == 486 && sip.CSeq.method == "INVITE"`. */
export function responseFilter(method: string, code: string | number): string {
  const status = /^\d+$/.test(String(code)) ? String(Number(code)) : quoteFilter(String(code));
  return `sip.Status-Code == ${status} && sip.CSeq.method == ${quoteFilter(method)}`;
}

export function methodFilter(method: string): string {
  return `sip.Method == ${quoteFilter(method)}`;
}

/**
 * The values `ims.procedure.outcome` takes (src/core/calls/fields.ts). The filter checker refuses a value
 * outside a field's closed set, so an outcome the statistics report but the field does not know (none today)
 * gets no filter rather than one that fails.
 */
export const FILTERABLE_OUTCOMES: readonly string[] = ['success', 'failure', 'timeout', 'incomplete'];

/** A procedure's messages, or those of its instances that ended with `outcome` (null: no field says it). */
export function procedureFilter(procedure: string): string;
export function procedureFilter(procedure: string, outcome: string): string | null;
export function procedureFilter(procedure: string, outcome?: string): string | null {
  const base = `ims.procedure == ${quoteFilter(procedure)}`;
  if (outcome === undefined) return base;
  return FILTERABLE_OUTCOMES.includes(outcome) ? `${base} && ims.procedure.outcome == ${quoteFilter(outcome)}` : null;
}

export function findingsFilter(severity: 'error' | 'warning' | 'note'): string {
  return `expert.severity == ${quoteFilter(severity)}`;
}

// ---------------------------------------------------------------- procedures × outcome

/** Outcome columns in this order when present (src/core/calls: ProcedureOutcome), others after, by name. */
const OUTCOME_ORDER = ['success', 'failure', 'cancelled', 'timeout', 'incomplete'];

export interface ProcedureTable {
  outcomes: string[];
  rows: { procedure: string; counts: number[]; total: number }[];
}

/** The procedures × outcome table: rows in the order the back end gives, columns every outcome seen. */
export function procedureTable(procedures: TraceStatistics['procedures']): ProcedureTable {
  const seen = new Set<string>();
  for (const byOutcome of Object.values(procedures)) for (const outcome of Object.keys(byOutcome)) seen.add(outcome);
  const outcomes = [...seen].sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
  const rows = Object.entries(procedures).map(([procedure, byOutcome]) => {
    const counts = outcomes.map((outcome) => byOutcome[outcome] ?? 0);
    return { procedure, counts, total: counts.reduce((sum, n) => sum + n, 0) };
  });
  return { outcomes, rows };
}

function rank(outcome: string): number {
  const i = OUTCOME_ORDER.indexOf(outcome);
  return i < 0 ? OUTCOME_ORDER.length : i;
}

// ---------------------------------------------------------------- KPIs and formats

/** `42.9 %`; `—` when the ratio is undefined (no attempts). */
export function formatRatio(ratio: number | null): string {
  return ratio === null || !Number.isFinite(ratio) ? '—' : `${(ratio * 100).toFixed(1)} %`;
}

/** A duration given in ms: `1.33 ms`, `245 ms`, `3.25 s`, `2 min 05 s`. */
export function formatMs(ms: number | null): string {
  if (ms === null || !Number.isFinite(ms)) return '—';
  if (ms < 10) return `${ms.toFixed(2)} ms`;
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(2)} s`;
  const seconds = Math.round(ms / 1000);
  return `${Math.floor(seconds / 60)} min ${String(seconds % 60).padStart(2, '0')} s`;
}

export interface KpiCard {
  id: string;
  label: string;
  value: string;
  /** A second line: what the figure is made of. */
  detail: string;
}

/** The cards at the top: calls, sessions, ASR, NER, registrations and their success rate. */
export function kpiCards(stats: TraceStatistics): KpiCard[] {
  return [
    { id: 'calls', label: 'Calls', value: String(stats.calls), detail: `${stats.callSetups} call setups, ${stats.answered} answered` },
    { id: 'sessions', label: 'IMS sessions', value: String(stats.sessions), detail: 'calls linked by ICID or Session-ID count once' },
    // ITU-T E.411 §5: answered seizures over all seizures; NER leaves out user failures (busy, no answer…).
    { id: 'asr', label: 'ASR', value: formatRatio(stats.answerSeizureRatio), detail: 'answer–seizure ratio' },
    { id: 'ner', label: 'NER', value: formatRatio(stats.networkEffectivenessRatio), detail: 'network effectiveness ratio' },
    { id: 'registrations', label: 'Registrations', value: String(stats.registrations), detail: 'registration procedures' },
    { id: 'registration-success', label: 'Registration success', value: formatRatio(stats.registrationSuccessRate), detail: 'ended in 200 OK' },
  ];
}

const TIMING_LABELS: Record<TraceStatistics['timings'][number]['name'], string> = {
  postDialDelayMs: 'Post-dial delay',
  answerTimeMs: 'Answer time',
  setupTimeMs: 'Setup time',
  durationMs: 'Call duration',
  registrationTimeMs: 'Registration time',
};

const TIMING_HINTS: Record<TraceStatistics['timings'][number]['name'], string> = {
  postDialDelayMs: 'INVITE → first 180/183',
  answerTimeMs: 'INVITE → 200 OK',
  setupTimeMs: 'INVITE → ACK',
  durationMs: 'answer → release',
  registrationTimeMs: 'first REGISTER → 200 OK',
};

export function timingLabel(name: TraceStatistics['timings'][number]['name']): { label: string; hint: string } {
  return { label: TIMING_LABELS[name] ?? name, hint: TIMING_HINTS[name] ?? '' };
}

/** Positions (0–1 of the row's max) of a timing's median and mean marks on its own 0–max bar. */
export function timingMarks(timing: { mean: number; median: number; max: number }): { median: number; mean: number } {
  const scale = linearScale(timing.max, 1);
  return { median: scale(timing.median), mean: scale(timing.mean) };
}
