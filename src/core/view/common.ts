// What the view builders share: how a message's time, severity, procedure, copy status, request URI and
// SDP presence are read from the engine and the call analysis, each in one place.
import type { CallAnalysis, FindingSeverity } from '../calls/analysis.js';
import type { FieldReader, FieldValue, FilterContext } from '../filter/field.js';
import { lookupKeyedField } from '../filter/registry.js';
import type { TraceEngine } from '../engine/trace-engine.js';
import { TextColumn, type MessageIndex } from '../index/message-index.js';
import { decodeText } from '../util/text.js';
import type { TraceViewSource } from './trace-view.js';

export type Severity = FindingSeverity;

/** Severity ranks: 0 none, 1 note, 2 warning, 3 error. */
export const SEVERITY_RANK: Record<Severity, number> = { note: 1, warning: 2, error: 3 };
const SEVERITY_OF_RANK: (Severity | null)[] = [null, 'note', 'warning', 'error'];

/** Epoch seconds of a row, as a float (what the contract's `time` fields carry). */
export function timeOf(index: MessageIndex, row: number): number {
  return index.tsSecOf(row) + index.tsNsecOf(row) / 1e9;
}

/** The row is a message of the trace (a non-negative integer below the index's count). */
export function isRow(index: MessageIndex, row: number): boolean {
  return Number.isInteger(row) && row >= 0 && row < index.count;
}

/** Throws the Error the user sees when a row asked for is not a message of the trace. */
export function checkRow(index: MessageIndex, row: number): void {
  if (!isRow(index, row)) {
    const range = index.count === 0 ? 'the trace has no messages' : `messages are 0..${index.count - 1}`;
    throw new Error(`message ${String(row)} is not in the trace (${range})`);
  }
}

/** Per analysis: finding indices by row (a finding names the messages it is about), built once. */
const findingsByRowCache = new WeakMap<CallAnalysis, Map<number, number[]>>();

export function findingsOfRow(calls: CallAnalysis | undefined, row: number): readonly number[] {
  if (!calls) return [];
  let byRow = findingsByRowCache.get(calls);
  if (!byRow) {
    const map = new Map<number, number[]>();
    calls.findings.forEach((finding, i) => {
      for (const r of finding.rows) {
        const list = map.get(r);
        if (list) {
          if (list[list.length - 1] !== i) list.push(i);
        } else map.set(r, [i]);
      }
    });
    byRow = map;
    findingsByRowCache.set(calls, byRow);
  }
  return byRow.get(row) ?? [];
}

/** Worst decoder diagnostic or analysis finding on the message, or null. */
export function severityOf(source: TraceViewSource, row: number): Severity | null {
  const index = source.engine.index;
  if (index.hasError(row)) return 'error';
  let rank = index.hasWarning(row) ? 2 : 0;
  if (rank === 0 && index.diagnosticsOf(row).length > 0) rank = 1;
  const calls = source.calls;
  if (calls) for (const f of findingsOfRow(calls, row)) rank = Math.max(rank, SEVERITY_RANK[calls.findings[f].severity]);
  return SEVERITY_OF_RANK[rank];
}

/**
 * The procedure group of a message (`registration`, `call-setup`...): the names `ims.procedure` filters on and
 * the procedure chips show. Null outside any procedure or before the analysis ran.
 */
export function procedureOf(calls: CallAnalysis | undefined, row: number): string | null {
  if (!calls || row >= calls.procedureOf.length) return null;
  const p = calls.procedureOf[row];
  return p >= 0 ? calls.procedures[p].group : null;
}

export function callOf(calls: CallAnalysis | undefined, row: number): number {
  return calls && row < calls.callOf.length ? calls.callOf[row] : -1;
}

export function isRetransmission(calls: CallAnalysis | undefined, row: number): boolean {
  return calls !== undefined && row < calls.retransmission.length && calls.retransmission[row] === 1;
}

/**
 * A second sight of a message already seen: the same datagram captured twice (`isDuplicate`), or the same
 * message seen earlier at another capture point (in clear and inside ESP, tunnelled and plain).
 */
export function isCopy(engine: TraceEngine, row: number): boolean {
  // Most traces have no copies at all: nothing to look up (a duplicate datagram is counted as a copy too).
  if (engine.stats.copies === 0) return false;
  const index = engine.index;
  if (index.isDuplicate(row)) return true;
  const copies = index.copiesOf(row);
  if (copies.length === 0) return false;
  const frame = index.frameOf(row);
  for (const other of copies) {
    const f = index.frameOf(other);
    if (f < frame || (f === frame && other < row)) return true;
  }
  return false;
}

/**
 * Where the Request-URI of a request is in its kept bytes, read from the start line (RFC 3261 §7.1:
 * `Method SP Request-URI SP SIP-Version`); undefined when the bytes were not kept or the line has no SP.
 */
export function requestUriBytes(engine: TraceEngine, row: number): [Uint8Array, number, number] | undefined {
  const bytes = engine.messageBytes?.bytesOf(row);
  if (!bytes) return undefined;
  let i = 0;
  const n = bytes.length;
  // Leading CRLFs (keep-alives, RFC 5626 §3.5.1) are not part of the start line.
  while (i < n && (bytes[i] === 0x0d || bytes[i] === 0x0a)) i++;
  while (i < n && bytes[i] !== 0x20 && bytes[i] !== 0x0d && bytes[i] !== 0x0a) i++;
  if (i >= n || bytes[i] !== 0x20) return undefined;
  while (i < n && bytes[i] === 0x20) i++;
  const start = i;
  while (i < n && bytes[i] !== 0x20 && bytes[i] !== 0x0d && bytes[i] !== 0x0a) i++;
  return [bytes, start, i];
}

/** The Request-URI of a request as text ('' for a response, or when the bytes were not kept). */
export function requestUriOf(engine: TraceEngine, row: number): string {
  if (!engine.index.isRequest(row)) return '';
  const span = requestUriBytes(engine, row);
  return span ? decodeText(span[0], span[1], span[2]) : '';
}

/** Per engine: the filter context used when the caller has none (header columns are cached in it). */
const fallbackContexts = new WeakMap<TraceEngine, FilterContext>();

export function contextOf(source: TraceViewSource): FilterContext {
  if (source.context) return source.context;
  let context = fallbackContexts.get(source.engine);
  if (!context) {
    const engine = source.engine;
    context = { index: engine.index, messages: engine.messageBytes, facts: engine.facts, calls: source.calls, cache: new Map() };
    fallbackContexts.set(engine, context);
  }
  if (context.calls === undefined && source.calls !== undefined) context.calls = source.calls;
  return context;
}

/**
 * The reader of a SIP header by name (`sip.header[NAME]`, compact forms and case folded as the display filter
 * does), bound to the trace's filter context so its column is read once per message and shared with filters.
 * Undefined when the message bytes were not kept.
 */
export function headerReader(source: TraceViewSource, name: string): FieldReader | undefined {
  const context = contextOf(source);
  if (!context.messages) return undefined;
  const cacheKey = `view:header:${name}`;
  let reader = context.cache.get(cacheKey) as FieldReader | undefined;
  if (!reader) {
    const declaration = lookupKeyedField('sip.header', name);
    if (!declaration) return undefined;
    reader = declaration.bind(context);
    context.cache.set(cacheKey, reader);
  }
  return reader;
}

/**
 * A header column's one line: every occurrence joined with `, `, folded lines joined by one space (RFC 3261
 * §7.3.1: a line break followed by whitespace is equivalent to a space).
 */
export function columnText(values: readonly FieldValue[]): string {
  const text = values.map(String).join(', ');
  return text.includes('\n') ? text.replace(/\r?\n[ \t]+/g, ' ') : text;
}

/** A header column's text for one row ('' when absent). */
export function headerText(reader: FieldReader | undefined, row: number): string {
  if (!reader) return '';
  if (reader.kind === 'number') {
    const value = reader.number(row);
    return Number.isNaN(value) ? '' : String(value);
  }
  const key = reader.key(row);
  return key < 0 ? '' : columnText(reader.values(key));
}

/** The message ends with the empty line that ends its headers: it has no body (RFC 3261 §7.5). */
function endsWithEmptyLine(engine: TraceEngine, row: number): boolean {
  const bytes = engine.messageBytes?.bytesOf(row);
  if (!bytes) return false; // unknown: assume a body
  const n = bytes.length;
  return n >= 2 && bytes[n - 1] === 0x0a && (bytes[n - 2] === 0x0a || (n >= 4 && bytes[n - 2] === 0x0d && bytes[n - 3] === 0x0a));
}

/** The message carries SDP: an application/sdp body, or an SDP part of a multipart body (from the facts). */
export function hasSdp(source: TraceViewSource, row: number): boolean {
  const facts = source.engine.facts;
  const id = facts.textIdOf(row, 'contentType');
  if (id >= 0) {
    const type = facts.textOf(id);
    // An application/sdp body; an SDP part of a multipart body (RFC 5621) or an SDP body sent without
    // Content-Type, as the facts found them. Other bodies (SMS, XML) are not SDP. Building the facts object
    // is the costly part: a message without a body (the usual case) is told by its last bytes.
    if (type === 'application/sdp') return !endsWithEmptyLine(source.engine, row);
    if (type === '') return !endsWithEmptyLine(source.engine, row) && facts.get(row)?.sdp === true;
    if (type.startsWith('multipart/')) return facts.get(row)?.sdp === true;
    return false;
  }
  if (facts.get(row) !== undefined) return false;
  // No facts for this row (the engine ran without them): read Content-Type from the message.
  const reader = headerReader(source, 'Content-Type');
  return /^\s*application\/sdp\b/i.test(headerText(reader, row));
}

/** A response's label: `183 Session Progress`. */
export function statusLabel(index: MessageIndex, row: number): string {
  const reason = index.strings.get(index.textId(row, TextColumn.MethodOrReason));
  const status = index.statusOf(row) ?? 0;
  return reason ? `${status} ${reason}` : String(status);
}

/** `1 INVITE` ('' when the message had no CSeq). */
export function cseqText(index: MessageIndex, row: number): string {
  const seq = index.cseqOf(row);
  if (seq < 0) return '';
  const method = index.strings.get(index.textId(row, TextColumn.CSeqMethod));
  return method ? `${seq} ${method}` : String(seq);
}
