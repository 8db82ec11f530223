// The calls list and the statistics view: the call analysis's calls and KPIs as the contract's DTOs.
import { kpisOfCalls, type Distribution } from '../calls/analysis.js';
import type { CallSummary, TraceStatistics } from '../../shared/api.js';
import { SEVERITY_RANK } from './common.js';
import type { TraceViewSource } from './trace-view.js';

/** Call summaries of the given calls (indexes into `calls.calls`), in that order. Unknown indexes are skipped. */
export function callSummaries(source: TraceViewSource, calls: readonly number[]): CallSummary[] {
  const analysis = source.calls;
  if (!analysis) return [];
  const out: CallSummary[] = [];
  for (const i of calls) {
    const c = analysis.calls[i];
    if (c === undefined) continue;
    const groups: string[] = [];
    for (const p of c.procedures) {
      const group = analysis.procedures[p].group;
      if (!groups.includes(group)) groups.push(group);
    }
    const findings = c.findings
      .map((f) => analysis.findings[f])
      .map(({ severity, code, message }) => ({ severity, code, message }))
      // Worst first; Array#sort is stable, so findings of one severity stay in frame order.
      .sort((a, b) => SEVERITY_RANK[b.severity] - SEVERITY_RANK[a.severity]);
    out.push({
      index: c.index,
      callId: c.callId,
      annotation: source.notes?.ofCall(c.callId) ?? null,
      state: c.state,
      kind: c.procedures.length > 0 ? analysis.procedures[c.procedures[0]].group : 'other',
      procedures: groups,
      from: c.from,
      to: c.to,
      start: c.start,
      end: c.end,
      messages: c.rows.length,
      session: c.session,
      postDialDelayMs: c.kpis.postDialDelayMs ?? null,
      answerTimeMs: c.kpis.answerTimeMs ?? null,
      setupTimeMs: c.kpis.setupTimeMs ?? null,
      durationMs: c.kpis.durationMs ?? null,
      findings,
    });
  }
  return out;
}

/** The calls with at least one message in `rows` (every call when `rows` is null), in call order. */
export function callsOfRows(source: TraceViewSource, rows: Uint32Array | null): number[] {
  const analysis = source.calls;
  if (!analysis) return [];
  if (rows === null) return analysis.calls.map((c) => c.index);
  const seen = new Uint8Array(analysis.calls.length);
  for (const row of rows) {
    const call = row < analysis.callOf.length ? analysis.callOf[row] : -1;
    if (call >= 0) seen[call] = 1;
  }
  const out: number[] = [];
  for (let i = 0; i < seen.length; i++) if (seen[i]) out.push(i);
  return out;
}

const TIMINGS = ['postDialDelayMs', 'answerTimeMs', 'setupTimeMs', 'durationMs', 'registrationTimeMs'] as const;

/** KPIs of the calls with at least one message in `rows` (all calls when `rows` is null); `view` is echoed. */
export function traceStatistics(source: TraceViewSource, view: number, rows: Uint32Array | null): TraceStatistics {
  const index = source.engine.index;
  const methods: Record<string, number> = {};
  const count = rows ? rows.length : index.count;
  for (let i = 0; i < count; i++) {
    const row = rows ? rows[i] : i;
    if (!index.isRequest(row)) continue;
    const method = index.methodOf(row) || '?';
    methods[method] = (methods[method] ?? 0) + 1;
  }
  const analysis = source.calls;
  if (!analysis) {
    // Still reading: only what the index alone says.
    return {
      view,
      calls: 0,
      sessions: 0,
      callSetups: 0,
      answered: 0,
      answerSeizureRatio: null,
      networkEffectivenessRatio: null,
      registrations: 0,
      registrationSuccessRate: null,
      timings: [],
      responseCodes: {},
      methods,
      procedures: {},
      findings: { error: 0, warning: 0, note: 0 },
    };
  }
  const kpis = kpisOfCalls(index, analysis, new Set(callsOfRows(source, rows)));
  const timings: TraceStatistics['timings'] = [];
  for (const name of TIMINGS) {
    const d: Distribution | undefined = kpis[name];
    if (d) timings.push({ name, count: d.count, mean: d.mean, median: d.median, max: d.max });
  }
  return {
    view,
    calls: kpis.calls,
    sessions: kpis.sessions,
    callSetups: kpis.callSetups,
    answered: kpis.answered,
    answerSeizureRatio: kpis.answerSeizureRatio ?? null,
    networkEffectivenessRatio: kpis.networkEffectivenessRatio ?? null,
    registrations: kpis.registrations,
    registrationSuccessRate: kpis.registrationSuccessRate ?? null,
    timings,
    responseCodes: kpis.responseCodes,
    methods,
    procedures: kpis.procedures,
    findings: { ...kpis.findings },
  };
}
