// What every document export (HTML, SVG, PNG, Markdown, JSON, CSV) is made from: one plain-data `Report` of the
// selected calls, built once from the view builders (the same DTOs the app shows) and the annotations. The
// renderers read only this, so they cannot disagree about what the flow is, and the anonymiser can rewrite one
// object before any of them runs.
import type { Annotations, CallNote, MessageNote } from '../annotations/annotations.js';
import { rowOfNote } from '../annotations/annotations.js';
import { lookupHeader, lookupMethod, lookupResponse, explain } from '../reference/explain.js';
import type { ReferenceSource } from '../reference/types.js';
import { callSummaries, ladderData, messageDetail, traceStatistics, type TraceViewSource } from '../view/trace-view.js';
import type { CallSummary, LadderArrow, LadderBand, LadderData, MessageDetail, TraceStatistics } from '../../shared/api.js';

/** Bumped when a field changes meaning or disappears (docs/export-json.md). */
export const REPORT_VERSION = 1;

export interface ReportOptions {
  /** Calls to report (`CallSummary.index`), merged in frame order as the ladder shows them. */
  calls: number[];
  /** When given, only these messages (rows) of those calls: a filtered export. */
  rows?: readonly number[];
  annotations: Annotations;
  /** A title for the document (`Call 3 — 486 Busy Here`), and the trace it comes from (a file name or path). */
  title: string;
  file: string;
  /** When the report was made, ISO 8601 (passed in: src/core has no clock of its own to read). */
  generatedAt: string;
}

/** A message note that found its message: `arrow` is its index in `ladder.arrows` and `messages`. */
export interface ReportMessageNote extends MessageNote {
  row: number;
  arrow: number;
}

/** A call note of one of the reported calls: `call` is its `CallSummary.index`. */
export interface ReportCallNote extends CallNote {
  call: number;
}

export interface ReportFinding {
  severity: 'error' | 'warning' | 'note';
  code: string;
  message: string;
  /** `CallSummary.index` of the call it is about. */
  call: number;
  /** The arrows (indexes into `ladder.arrows`) of the messages it names that are in the report. */
  arrows: number[];
}

/** A procedure of a reported call (a band of the ladder), with its timing. */
export interface ReportProcedure {
  call: number;
  /** `registration`, `call-setup`...; `kind` is the finer name (`re-registration`, `hold`) when there is one. */
  procedure: string;
  kind: string | null;
  outcome: string;
  finalStatus: number | null;
  /** Epoch seconds of its first and last message. */
  start: number;
  end: number;
  /** Indexes into `ladder.arrows` of its first and last message in the report. */
  firstArrow: number;
  lastArrow: number;
}

/** An entry of the reference base for a method, response code, header or procedure seen in the flow. */
export interface ReportReference {
  kind: 'method' | 'response' | 'header' | 'procedure';
  key: string;
  title: string;
  summary: string;
  ims: string | null;
  sources: ReferenceSource[];
}

export interface ReportHost {
  /** `ip:port` as the ladder shows it, and the alias the user gave it (null when none). */
  address: string;
  alias: string | null;
}

export interface Report {
  version: typeof REPORT_VERSION;
  title: string;
  file: string;
  generatedAt: string;
  calls: CallSummary[];
  /** The ladder of the reported messages; `hosts` in column order (order of first appearance). */
  ladder: LadderData;
  hosts: ReportHost[];
  /** One per arrow, same order: the detail of each message (headers, SDP, raw text, notes of the decoder). */
  messages: MessageDetail[];
  procedures: ReportProcedure[];
  /** KPIs of the reported calls (the `view` field is 0: a report is not a view of the app). */
  statistics: TraceStatistics;
  findings: ReportFinding[];
  reference: ReportReference[];
  notes: {
    /** In arrow order. */
    messages: ReportMessageNote[];
    calls: ReportCallNote[];
    /** Message notes of the reported calls whose message is not in the report (filtered out), kept so nothing is silently lost. */
    elsewhere: MessageNote[];
  };
  /** The host aliases of the annotations that name a host of the ladder. */
  aliases: Record<string, string>;
}

/** The ladder restricted to some of its arrows: hosts renumbered in order of first use, bands clipped to what remains. */
function restrictLadder(ladder: LadderData, keep: ReadonlySet<number>): LadderData {
  const newIndex = new Map<number, number>();
  const arrows: LadderArrow[] = [];
  ladder.arrows.forEach((arrow, i) => {
    if (!keep.has(arrow.row)) return;
    newIndex.set(i, arrows.length);
    arrows.push(arrow);
  });
  const hostMap = new Map<number, number>();
  const hosts: LadderData['hosts'] = [];
  const host = (h: number) => {
    let n = hostMap.get(h);
    if (n === undefined) {
      n = hosts.length;
      hostMap.set(h, n);
      hosts.push(ladder.hosts[h]);
    }
    return n;
  };
  const renumbered = arrows.map((a) => ({ ...a, from: host(a.from), to: host(a.to) }));
  const bands: LadderBand[] = [];
  for (const band of ladder.bands) {
    let first = -1;
    let last = -1;
    for (let i = band.firstArrow; i <= band.lastArrow; i++) {
      const n = newIndex.get(i);
      if (n === undefined) continue;
      if (first < 0) first = n;
      last = n;
    }
    if (first >= 0) bands.push({ ...band, firstArrow: first, lastArrow: last });
  }
  // A call none of whose messages is kept is not in the report.
  const drawn = new Set(arrows.map((a) => a.call));
  const calls = ladder.calls.filter((call) => drawn.has(call));
  return { calls, hosts, arrows: renumbered, bands };
}

function referenceOf(kind: ReportReference['kind'], entry: ReturnType<typeof lookupMethod>): ReportReference {
  return { kind, key: entry.key, title: entry.title, summary: entry.summary, ims: entry.ims ?? null, sources: entry.sources };
}

/** Reference entries for what the flow contains: its methods, response codes, procedures, then its (known) headers. */
function referenceNotes(ladder: LadderData, messages: readonly MessageDetail[], procedures: readonly ReportProcedure[]): ReportReference[] {
  const out: ReportReference[] = [];
  const seen = new Set<string>();
  const add = (kind: ReportReference['kind'], key: string, make: () => ReportReference | null) => {
    const id = `${kind} ${key}`;
    if (seen.has(id)) return;
    seen.add(id);
    const entry = make();
    if (entry) out.push(entry);
  };
  for (const arrow of ladder.arrows) if (arrow.method !== null) add('method', arrow.method, () => referenceOf('method', lookupMethod(arrow.method as string)));
  const codes = [...new Set(ladder.arrows.flatMap((a) => (a.status !== null ? [a.status] : [])))].sort((a, b) => a - b);
  for (const code of codes) add('response', String(code), () => referenceOf('response', lookupResponse(code)));
  for (const p of procedures) {
    add('procedure', p.procedure, () => {
      const entry = explain(p.procedure).find((e) => e.kind === 'procedure');
      return entry ? referenceOf('procedure', entry) : null;
    });
  }
  for (const message of messages) {
    for (const header of message.headers) {
      // Extension headers get only a generic entry ("not in this reference base"): not worth a paragraph each.
      add('header', header.canonicalName.toLowerCase(), () => {
        const entry = lookupHeader(header.canonicalName);
        return entry.generic ? null : referenceOf('header', entry);
      });
    }
  }
  return out;
}

/**
 * The report of some calls of a trace (all their messages, or those of `rows`). Unknown call indexes and rows
 * outside those calls are skipped; notes whose message is not in the trace are dropped, those whose message was
 * filtered out are kept in `notes.elsewhere`.
 */
export function buildReport(source: TraceViewSource, options: ReportOptions): Report {
  const index = source.engine.index;
  // Calls in trace order (the order of their first message), whatever order they were asked in.
  const full = ladderData(source, [...new Set(options.calls)].sort((a, b) => a - b));
  const ladder = options.rows ? restrictLadder(full, new Set(options.rows)) : full;
  const calls = callSummaries(source, ladder.calls);
  const messages = ladder.arrows.map((arrow) => messageDetail(source, arrow.row));
  const arrowOfRow = new Map<number, number>();
  ladder.arrows.forEach((arrow, i) => arrowOfRow.set(arrow.row, i));
  const rowsOfCalls = new Set(full.arrows.map((a) => a.row));
  const statistics = traceStatistics(source, 0, Uint32Array.from(ladder.arrows.map((a) => a.row)));

  const analysis = source.calls;
  const procedures: ReportProcedure[] = [];
  const findings: ReportFinding[] = [];
  if (analysis) {
    for (const band of ladder.bands) {
      // Bands carry the group; the procedure record (kind, final status, times) is found by call and first row.
      const firstRow = ladder.arrows[band.firstArrow].row;
      const record = analysis.calls[band.call].procedures
        .map((p) => analysis.procedures[p])
        .find((p) => p.group === band.procedure && p.rows.includes(firstRow));
      procedures.push({
        call: band.call,
        procedure: band.procedure,
        kind: record?.kind ?? null,
        outcome: band.outcome,
        finalStatus: record?.finalStatus ?? null,
        start: record?.start ?? ladder.arrows[band.firstArrow].time,
        end: record?.end ?? ladder.arrows[band.lastArrow].time,
        firstArrow: band.firstArrow,
        lastArrow: band.lastArrow,
      });
    }
    const rank = { error: 3, warning: 2, note: 1 } as const;
    for (const call of ladder.calls) {
      for (const f of analysis.calls[call].findings) {
        const finding = analysis.findings[f];
        const arrows = finding.rows.flatMap((row) => {
          const arrow = arrowOfRow.get(row);
          return arrow === undefined ? [] : [arrow];
        });
        // A finding about messages that were all filtered out is not about this report.
        if (options.rows && finding.rows.length > 0 && arrows.length === 0) continue;
        findings.push({ severity: finding.severity, code: finding.code, message: finding.message, call, arrows });
      }
    }
    findings.sort((a, b) => rank[b.severity] - rank[a.severity]);
  }

  const annotations = options.annotations;
  const messageNotes: ReportMessageNote[] = [];
  const elsewhere: MessageNote[] = [];
  for (const note of annotations.messages) {
    const row = rowOfNote(index, note);
    if (row === null) continue;
    const arrow = arrowOfRow.get(row);
    if (arrow !== undefined) messageNotes.push({ ...note, row, arrow });
    else if (rowsOfCalls.has(row)) elsewhere.push(note);
  }
  messageNotes.sort((a, b) => a.arrow - b.arrow);
  const callIds = new Map(calls.map((c) => [c.callId, c.index]));
  const callNotes: ReportCallNote[] = [];
  for (const note of annotations.calls) {
    const call = callIds.get(note.callId);
    if (call !== undefined) callNotes.push({ ...note, call });
  }
  // The DTOs' own `annotation` fields say what these annotations say (the app's live notes may differ from the
  // ones exported, and an export must not carry two versions of a note).
  const noteOfArrow = new Map<number, { note: string; tag: string | null }>();
  for (const n of messageNotes) if (!noteOfArrow.has(n.arrow)) noteOfArrow.set(n.arrow, { note: n.note, tag: n.tag });
  const arrows = ladder.arrows.map((a, i) => ({ ...a, annotation: noteOfArrow.get(i) ?? null }));
  const details = messages.map((m, i) => ({ ...m, annotation: noteOfArrow.get(i) ?? null }));
  const summaries = calls.map((c) => {
    const note = callNotes.find((n) => n.call === c.index);
    return { ...c, annotation: note ? { note: note.note, tag: note.tag } : null };
  });

  const aliases: Record<string, string> = {};
  const hosts: ReportHost[] = ladder.hosts.map(({ address }) => {
    const alias = Object.prototype.hasOwnProperty.call(annotations.hosts, address) ? annotations.hosts[address] : null;
    if (alias !== null) aliases[address] = alias;
    return { address, alias };
  });

  return {
    version: REPORT_VERSION,
    title: options.title,
    file: options.file,
    generatedAt: options.generatedAt,
    calls: summaries,
    ladder: { ...ladder, arrows },
    hosts,
    messages: details,
    procedures,
    statistics,
    findings,
    reference: referenceNotes(ladder, messages, procedures),
    notes: { messages: messageNotes, calls: callNotes, elsewhere },
    aliases,
  };
}

/** `2024-03-01 14:22:05.123456Z`: an epoch time in UTC at microsecond precision (what capture timestamps carry). */
export function formatTime(seconds: number): string {
  if (!Number.isFinite(seconds)) return '';
  const whole = Math.floor(seconds);
  const micros = Math.round((seconds - whole) * 1e6);
  // Rounding can carry into the next second.
  const [s, us] = micros >= 1e6 ? [whole + 1, 0] : [whole, micros];
  const iso = new Date(s * 1000).toISOString();
  return `${iso.slice(0, 10)} ${iso.slice(11, 19)}.${String(us).padStart(6, '0')}Z`;
}

/** `141 ms`, `6.72 s`, `—` for null. */
export function formatMs(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return '—';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(2)} s`;
  return `${Math.floor(ms / 60_000)} min ${((ms % 60_000) / 1000).toFixed(1)} s`;
}

/** `87.5 %`, `—` for null (a ratio in [0, 1]). */
export function formatRatio(ratio: number | null | undefined): string {
  if (ratio === null || ratio === undefined || !Number.isFinite(ratio)) return '—';
  return `${(ratio * 100).toFixed(1)} %`;
}

/** `alias (address)` or the address: how a host is named in text. */
export function hostName(report: Report, host: number): string {
  const h = report.hosts[host];
  if (!h) return '?';
  return h.alias !== null ? `${h.alias} (${h.address})` : h.address;
}
