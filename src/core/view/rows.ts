// The message table: one row's DTO, and the sort order of a view by any column. The sort never builds row
// DTOs: each column gives every row a number (an interned text id ranked by its text, or a plain number), and
// rows are ordered by those numbers packed with their position, in one native numeric sort.
import { TextColumn } from '../index/message-index.js';
import { ByteInterner } from '../index/byte-interner.js';
import type { TraceEngine } from '../engine/trace-engine.js';
import type { MessageColumn, MessageRow, RowsQuery } from '../../shared/api.js';
import {
  callOf,
  columnText,
  cseqText,
  hasSdp,
  headerReader,
  headerText,
  isCopy,
  isRetransmission,
  procedureOf,
  requestUriBytes,
  requestUriOf,
  severityOf,
  timeOf,
} from './common.js';
import type { TraceViewSource } from './trace-view.js';

/** The one-line summary of the info column: the Request-URI or the reason phrase, then the marks. */
function infoText(base: string, sdp: boolean, retransmission: boolean, copy: boolean): string {
  let info = base;
  if (sdp) info += ' (SDP)';
  if (retransmission) info += ' [retransmission]';
  if (copy) info += ' [copy]';
  return info;
}

/** The table row of message `row` at `position` in its view; `previousTime` is the time of the row before it in the view (or null). */
export function messageRow(source: TraceViewSource, row: number, position: number, previousTime: number | null, headers: readonly string[]): MessageRow {
  const { engine, calls } = source;
  const index = engine.index;
  const strings = index.strings;
  const request = index.isRequest(row);
  const time = timeOf(index, row);
  const methodOrReason = strings.get(index.textId(row, TextColumn.MethodOrReason));
  const sdp = hasSdp(source, row);
  const retransmission = isRetransmission(calls, row);
  const copy = isCopy(engine, row);
  const custom: string[] = [];
  for (const name of headers) custom.push(headerText(headerReader(source, name), row));
  return {
    row,
    position,
    frame: index.frameOf(row),
    time,
    delta: previousTime === null ? 0 : time - previousTime,
    source: strings.get(index.textId(row, TextColumn.Src)),
    destination: strings.get(index.textId(row, TextColumn.Dst)),
    transport: strings.get(index.textId(row, TextColumn.Transport)),
    method: request ? methodOrReason : null,
    status: request ? null : (index.statusOf(row) ?? 0),
    reason: request ? null : methodOrReason,
    callId: index.callIdOf(row),
    cseq: cseqText(index, row),
    procedure: procedureOf(calls, row),
    info: infoText(request ? requestUriOf(engine, row) : methodOrReason, sdp, retransmission, copy),
    size: index.sizeOf(row),
    hasSdp: sdp,
    severity: severityOf(source, row),
    retransmission,
    duplicate: copy,
    call: callOf(calls, row),
    custom,
  };
}

/**
 * Ranks of texts given by id: `textOf(id)` for each distinct id among `ids`, ordered by UTF-16 code units
 * (JavaScript's `<`, what a plain `sort()` does), equal texts sharing a rank. Returns the rank of each row.
 */
function rankTexts(ids: ArrayLike<number>, textOf: (id: number) => string): Float64Array {
  const n = ids.length;
  let maxId = 0;
  for (let i = 0; i < n; i++) if (ids[i] > maxId) maxId = ids[i];
  // Ids are mostly dense (interned texts): a table beats a Map by far at 300k rows.
  const table = maxId <= 4 * n + (1 << 20) ? new Int32Array(maxId + 1).fill(-1) : undefined;
  const map = table ? undefined : new Map<number, number>();
  const list: number[] = [];
  for (let i = 0; i < n; i++) {
    const id = ids[i];
    if (table) {
      if (table[id] < 0) {
        table[id] = 0;
        list.push(id);
      }
    } else if (!map?.has(id)) {
      map?.set(id, 0);
      list.push(id);
    }
  }
  const texts = list.map((id) => textOf(id));
  const order = list.map((_, i) => i).sort((a, b) => (texts[a] < texts[b] ? -1 : texts[a] > texts[b] ? 1 : 0));
  let rank = -1;
  let previous: string | undefined;
  for (const i of order) {
    if (texts[i] !== previous) rank++;
    previous = texts[i];
    if (table) table[list[i]] = rank;
    else map?.set(list[i], rank);
  }
  const ranks = new Float64Array(n);
  if (table) for (let i = 0; i < n; i++) ranks[i] = table[ids[i]];
  else for (let i = 0; i < n; i++) ranks[i] = map?.get(ids[i]) as number;
  return ranks;
}

/**
 * The Request-URIs of a trace's requests, interned from the message bytes as sorts ask for them and kept for
 * the next sort (a row's bytes never change; the trace only grows).
 */
class RequestUris {
  private readonly interner = new ByteInterner();
  private ids = new Int32Array(0);

  constructor(private readonly engine: TraceEngine) {}

  /** The id of a request's URI (0: none, or the bytes were not kept). */
  idOf(row: number): number {
    if (row >= this.ids.length) {
      const wider = new Int32Array(Math.max(row + 1, this.engine.index.count, this.ids.length * 2)).fill(-1);
      wider.set(this.ids);
      this.ids = wider;
    }
    let id = this.ids[row];
    if (id < 0) {
      const span = requestUriBytes(this.engine, row);
      id = span ? this.interner.intern(span[0], span[1], span[2]) : 0;
      this.ids[row] = id;
    }
    return id;
  }

  text(id: number): string {
    return this.interner.get(id);
  }
}

const requestUriCache = new WeakMap<TraceEngine, RequestUris>();

function requestUris(engine: TraceEngine): RequestUris {
  let uris = requestUriCache.get(engine);
  if (!uris) {
    uris = new RequestUris(engine);
    requestUriCache.set(engine, uris);
  }
  return uris;
}

/** Texts made during a sort, interned so that each distinct text is ranked once. */
class TextIds {
  private readonly ids = new Map<string, number>();
  readonly texts: string[] = [];
  id(text: string): number {
    let id = this.ids.get(text);
    if (id === undefined) {
      id = this.texts.length;
      this.texts.push(text);
      this.ids.set(text, id);
    }
    return id;
  }
}

/**
 * The sort key of every row of the view (position i ↔ rows[i]); equal keys keep frame order. Text columns
 * give dense ranks already (`ranked`); numbers still need ranking.
 */
function columnKeys(source: TraceViewSource, rows: Uint32Array, column: MessageColumn | `header:${string}`): { keys: Float64Array; ranked: boolean } {
  const ranked = (keys: Float64Array) => ({ keys, ranked: true });
  const raw = (keys: Float64Array) => ({ keys, ranked: false });
  const { engine, calls } = source;
  const index = engine.index;
  const n = rows.length;
  const numbers = (read: (row: number) => number): Float64Array => {
    const keys = new Float64Array(n);
    for (let i = 0; i < n; i++) keys[i] = read(rows[i]);
    return keys;
  };
  const interned = (textColumn: TextColumn): Float64Array => {
    const ids = new Int32Array(n);
    for (let i = 0; i < n; i++) ids[i] = index.textId(rows[i], textColumn);
    return rankTexts(ids, (id) => index.strings.get(id));
  };
  switch (column) {
    case 'frame':
      return raw(numbers((row) => index.frameOf(row)));
    case 'time':
      return raw(numbers((row) => timeOf(index, row)));
    case 'size':
      return raw(numbers((row) => index.sizeOf(row)));
    case 'source':
      return ranked(interned(TextColumn.Src));
    case 'destination':
      return ranked(interned(TextColumn.Dst));
    case 'transport':
      return ranked(interned(TextColumn.Transport));
    case 'callId':
      return ranked(interned(TextColumn.CallId));
    case 'method': {
      // Requests by method; responses by their `200 OK` label (status first, so they group by code).
      const ids = new Float64Array(n);
      for (let i = 0; i < n; i++) {
        const row = rows[i];
        const id = index.textId(row, TextColumn.MethodOrReason);
        // Reason ids are shared with method ids: a response's key also carries 1 + its status (three digits).
        ids[i] = index.isRequest(row) ? id * 1001 : id * 1001 + 1 + Math.min(999, index.statusOf(row) ?? 0);
      }
      return ranked(rankTexts(ids, (key) => {
        const id = Math.floor(key / 1001);
        const status = key % 1001;
        const text = index.strings.get(id);
        return status === 0 ? text : text ? `${status - 1} ${text}` : String(status - 1);
      }));
    }
    case 'cseq': {
      // By sequence number, then method (`1 INVITE` < `1 PRACK` < `2 INVITE`); no CSeq first.
      const seqs = numbers((row) => index.cseqOf(row));
      const methods = interned(TextColumn.CSeqMethod);
      let methodCount = 0;
      for (let i = 0; i < n; i++) methodCount = Math.max(methodCount, methods[i] + 1);
      const seqRanks = rankNumbers(seqs);
      const keys = new Float64Array(n);
      for (let i = 0; i < n; i++) keys[i] = seqRanks[i] * methodCount + methods[i];
      return raw(keys);
    }
    case 'procedure': {
      const texts = new TextIds();
      const ids = new Int32Array(n);
      for (let i = 0; i < n; i++) ids[i] = texts.id(procedureOf(calls, rows[i]) ?? '');
      return ranked(rankTexts(ids, (id) => texts.texts[id]));
    }
    case 'info': {
      // The base text (Request-URI bytes or reason id) is interned per row, then each distinct
      // (base, marks) pair makes its full text once: the sort is by the text the column shows.
      const uris = requestUris(engine);
      const texts = new TextIds();
      const combos = new Map<number, number>();
      const ids = new Int32Array(n);
      for (let i = 0; i < n; i++) {
        const row = rows[i];
        let base: number;
        if (index.isRequest(row)) base = 2 * uris.idOf(row);
        else base = 2 * index.textId(row, TextColumn.MethodOrReason) + 1;
        const marks = (hasSdp(source, row) ? 1 : 0) | (isRetransmission(calls, row) ? 2 : 0) | (isCopy(engine, row) ? 4 : 0);
        const combo = base * 8 + marks;
        let id = combos.get(combo);
        if (id === undefined) {
          const baseText = base % 2 === 1 ? index.strings.get((base - 1) / 2) : uris.text(base / 2);
          id = texts.id(infoText(baseText, (marks & 1) !== 0, (marks & 2) !== 0, (marks & 4) !== 0));
          combos.set(combo, id);
        }
        ids[i] = id;
      }
      return ranked(rankTexts(ids, (id) => texts.texts[id]));
    }
    default: {
      if (!column.startsWith('header:')) throw new Error(`unknown sort column ${JSON.stringify(column)}`);
      const reader = headerReader(source, column.slice('header:'.length));
      const texts = new TextIds();
      const ids = new Int32Array(n);
      if (reader?.kind === 'keyed') {
        // Rows sharing a reader key share their values: each key's text is made once.
        const byKey = new Map<number, number>();
        for (let i = 0; i < n; i++) {
          const key = reader.key(rows[i]);
          let id = byKey.get(key);
          if (id === undefined) {
            id = texts.id(key < 0 ? '' : columnText(reader.values(key)));
            byKey.set(key, id);
          }
          ids[i] = id;
        }
      } else for (let i = 0; i < n; i++) ids[i] = texts.id(headerText(reader, rows[i]));
      return ranked(rankTexts(ids, (id) => texts.texts[id]));
    }
  }
}

/** Dense ranks of numbers (equal values share a rank; NaN ranks first). */
function rankNumbers(values: Float64Array): Float64Array {
  const sorted = values.slice().sort();
  // Float64Array#sort puts NaN last; rank it first (an absent value sorts before any present one).
  const distinct: number[] = [];
  let nan = false;
  for (let i = 0; i < sorted.length; i++) {
    const v = sorted[i];
    if (Number.isNaN(v)) nan = true;
    else if (distinct.length === 0 || distinct[distinct.length - 1] !== v) distinct.push(v);
  }
  const offset = nan ? 1 : 0;
  const ranks = new Float64Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (Number.isNaN(v)) {
      ranks[i] = 0;
      continue;
    }
    let lo = 0;
    let hi = distinct.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (distinct[mid] < v) lo = mid + 1;
      else hi = mid;
    }
    ranks[i] = lo + offset;
  }
  return ranks;
}

/**
 * Sort order of a view's rows for a `RowsQuery.sort` (the input is in frame order). Returns a new array.
 * Stable: rows with equal keys keep their input (frame) order, ascending or descending.
 */
export function sortViewRows(source: TraceViewSource, rows: Uint32Array, sort: NonNullable<RowsQuery['sort']>): Uint32Array {
  const n = rows.length;
  if (n < 2 || (sort.column === 'frame' && !sort.descending)) return rows.slice();
  const { keys, ranked } = columnKeys(source, rows, sort.column);
  const ranks = ranked ? keys : rankNumbers(keys);
  let maxRank = 0;
  for (let i = 0; i < n; i++) if (ranks[i] > maxRank) maxRank = ranks[i];
  // rank·n + position is exact in a double while n² < 2^53 (n up to ~94 million rows).
  const packed = new Float64Array(n);
  for (let i = 0; i < n; i++) packed[i] = (sort.descending ? maxRank - ranks[i] : ranks[i]) * n + i;
  packed.sort();
  const out = new Uint32Array(n);
  for (let i = 0; i < n; i++) out[i] = rows[packed[i] % n];
  return out;
}
