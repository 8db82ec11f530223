/**
 * What the detail pane shows of one message, derived from the `MessageDetail` the back end sends: the raw text
 * split around a highlighted span, the start line and header tree, the SDP grouped per media section with its
 * preconditions as RFC 3312 status tables, the encapsulation stack with the outer layers' fields, the notes and
 * the message's place in its call; and the way back from a click in the raw text to the header or SDP line
 * there. Pure functions (no React, no DOM) so they are tested on real messages. Every string here is text from
 * a packet: the component renders it as React text (through `visibleText`), never as HTML.
 */
import { parsePrecondition } from '../../../core/sdp/attributes.js';
import type { HeaderDetail, MessageDetail, NoteDetail, SdpDetail } from '../../../shared/api.js';

// ---------------------------------------------------------------------------------------------------------------
// Raw text and selection

/** A span of `MessageDetail.raw`, in UTF-16 code units, end exclusive. */
export interface TextSpan {
  start: number;
  end: number;
}

/** The raw message cut around the highlighted span. `selected` is '' when nothing is highlighted. */
export interface RawSegments {
  before: string;
  selected: string;
  after: string;
}

/**
 * Splits `raw` into the text before, inside and after `span`, clamped to the text. A missing, empty or reversed
 * span highlights nothing (the whole text is `before`), so a stale or wrong offset from the back end can never
 * throw or duplicate text: the three parts always concatenate back to `raw`.
 */
export function splitRaw(raw: string, span: TextSpan | null): RawSegments {
  if (span === null || !Number.isFinite(span.start) || !Number.isFinite(span.end)) return { before: raw, selected: '', after: '' };
  const start = Math.max(0, Math.min(Math.trunc(span.start), raw.length));
  const end = Math.max(0, Math.min(Math.trunc(span.end), raw.length));
  if (end <= start) return { before: raw, selected: '', after: '' };
  return { before: raw.slice(0, start), selected: raw.slice(start, end), after: raw.slice(end) };
}

/**
 * Text as shown on screen: C0 controls (other than tab, CR and LF) and DEL become their Unicode Control Pictures
 * (NUL → ␀, ESC → ␛, DEL → ␡), and the invisible characters that reorder or hide text (bidi embeddings and
 * isolates, zero-width characters, BOM) become ▯. A packet cannot then make the pane show text other than what it
 * carries (a right-to-left override that reverses a URI, a NUL that hides the rest of a header). Each character
 * maps to exactly one, so offsets into the shown text are offsets into `raw`.
 */
export function visibleText(text: string): string {
  let out = '';
  let from = 0;
  for (let i = 0; i < text.length; i++) {
    const shown = shownAs(text.charCodeAt(i));
    if (shown === null) continue;
    out += text.slice(from, i) + shown;
    from = i + 1;
  }
  // Almost every SIP message is plain printable text: then `text` itself is returned.
  return from === 0 ? text : out + text.slice(from);
}

function shownAs(c: number): string | null {
  if ((c < 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d) || c === 0x7f) return String.fromCharCode(c === 0x7f ? 0x2421 : 0x2400 + c);
  if ((c >= 0x200b && c <= 0x200f) || (c >= 0x202a && c <= 0x202e) || (c >= 0x2060 && c <= 0x2069) || c === 0xfeff) return '\u25af';
  return null;
}

/**
 * What is selected in the SIP tree: the start line, a header, or the body. A header is named by its full name
 * and its rank among headers of that name (the second Via), not by position, so the selection carries over to the
 * next message the user moves to, as Wireshark keeps the selected field: stepping through a call with Via or
 * P-Asserted-Identity selected shows where it sits in each message.
 */
export type DetailSelection =
  | { kind: 'start-line' }
  | { kind: 'header'; term: string; occurrence: number }
  | { kind: 'body' }
  /** An SDP line: `media` -1 for the session level, else the media section; `line` -1 for its m= line. */
  | { kind: 'sdp'; media: number; line: number }
  | null;

/** The header node a selection names in this message's tree, if it has one. */
export function selectedHeader(tree: readonly HeaderNode[], selection: DetailSelection): HeaderNode | undefined {
  if (selection === null || selection.kind !== 'header') return undefined;
  const term = selection.term.toLowerCase();
  return tree.find((node) => node.term.toLowerCase() === term && node.occurrence === selection.occurrence);
}

/** The span of `raw` the selection covers, or null (nothing selected, no such header here, no body). */
export function selectionSpan(detail: MessageDetail, tree: readonly HeaderNode[], selection: DetailSelection): TextSpan | null {
  if (selection === null) return null;
  switch (selection.kind) {
    case 'start-line': {
      // The start line is the first line of the raw text; indexOf guards against leading keep-alive CRLFs.
      const at = detail.raw.indexOf(detail.startLine);
      return at < 0 || detail.startLine === '' ? null : { start: at, end: at + detail.startLine.length };
    }
    case 'header': {
      const node = selectedHeader(tree, selection);
      return node === undefined ? null : { start: node.start, end: node.end };
    }
    case 'body':
      return bodySpan(detail);
    case 'sdp': {
      const spans = sdpLineSpans(detail);
      if (spans === null) return null;
      if (selection.media < 0) return spans.session[selection.line] ?? null;
      const media = spans.media[selection.media];
      if (media === undefined) return null;
      return selection.line < 0 ? media.line : (media.lines[selection.line] ?? null);
    }
  }
}

/**
 * The body's span in `raw`: from `bodyStart` for Content-Length bytes (RFC 3261 §18.3: on a datagram, octets after
 * them are not part of the message body), or to the end when Content-Length is absent, unreadable or larger than
 * what was captured. Content-Length counts bytes and `raw` is UTF-16, so the characters are counted in UTF-8.
 * Null for a message without a body.
 */
export function bodySpan(detail: Pick<MessageDetail, 'raw' | 'bodyStart' | 'headers'>): TextSpan | null {
  const { raw, bodyStart } = detail;
  if (bodyStart === null || bodyStart >= raw.length) return null;
  const header = detail.headers.find((h) => (h.canonicalName || h.name).toLowerCase() === 'content-length');
  const length = header !== undefined && /^\d{1,9}$/.test(header.value) ? Number(header.value) : Number.NaN;
  if (Number.isNaN(length)) return { start: bodyStart, end: raw.length };
  let bytes = 0;
  let end = bodyStart;
  while (end < raw.length && bytes < length) {
    const pair = end + 1 < raw.length && raw.charCodeAt(end) >= 0xd800 && raw.charCodeAt(end) <= 0xdbff;
    bytes += utf8Length(raw.slice(end, pair ? end + 2 : end + 1));
    end += pair ? 2 : 1;
  }
  return end === bodyStart ? null : { start: bodyStart, end };
}

/** Where each SDP line of `MessageDetail.sdp` sits in `raw` (null for a line not found as written). */
export interface SdpSpans {
  session: (TextSpan | null)[];
  media: { line: TextSpan | null; lines: (TextSpan | null)[] }[];
}

/**
 * Finds the SDP lines in the body, in order: each `type=value` is looked for at the start of a line after the
 * previous one, so a value repeated in several sections (`b=AS:41` at session and media level) lands on the right
 * line. The contract gives no offsets for SDP lines; the body text is the message's own, so searching it is exact
 * for every line the parser kept as written.
 */
export function sdpLineSpans(detail: Pick<MessageDetail, 'raw' | 'bodyStart' | 'sdp'>): SdpSpans | null {
  if (detail.sdp === null || detail.bodyStart === null) return null;
  const raw = detail.raw;
  let at = detail.bodyStart;
  const find = (type: string, value: string): TextSpan | null => {
    const text = `${type}=${value}`;
    let cut: TextSpan | null = null;
    for (let i = raw.indexOf(text, at); i >= 0; i = raw.indexOf(text, i + 1)) {
      const end = i + text.length;
      // A whole line: starts after a line break (or at the body) and ends at one (or at the end).
      if (i !== detail.bodyStart && raw[i - 1] !== '\n') continue;
      if (end === raw.length || raw[end] === '\r' || raw[end] === '\n') {
        at = end;
        return { start: i, end };
      }
      // The last line of a body that Content-Length cuts short continues in the raw text (RFC 3261 §18.3: the
      // bytes after the body are not part of it): take the line start if no whole line matches.
      cut ??= { start: i, end };
    }
    if (cut !== null) at = cut.end;
    return cut;
  };
  const session = detail.sdp.session.map(([type, value]) => find(type, value));
  const media = detail.sdp.media.map((m) => {
    const line = find('m', m.line);
    return { line, lines: m.lines.map(([type, value]) => find(type, value)) };
  });
  return { session, media };
}

/**
 * The item under `offset` of `raw` (a click in the raw text, as in Wireshark's bytes pane): the header whose line
 * holds it (the end of the line included), else the start line, else the SDP line, else the body; null between
 * them (the CRLFs).
 */
export function selectionAt(detail: MessageDetail, tree: readonly HeaderNode[], offset: number): DetailSelection {
  const node = tree.find((h) => offset >= h.start && offset <= h.end);
  if (node !== undefined) return headerSelection(node);
  const start = selectionSpan(detail, tree, { kind: 'start-line' });
  if (start !== null && offset >= start.start && offset <= start.end) return { kind: 'start-line' };
  const body = bodySpan(detail);
  if (body === null || offset < body.start || offset >= body.end) return null;
  const spans = sdpLineSpans(detail);
  if (spans !== null) {
    const within = (span: TextSpan | null) => span !== null && offset >= span.start && offset <= span.end;
    const s = spans.session.findIndex(within);
    if (s >= 0) return { kind: 'sdp', media: -1, line: s };
    for (const [m, media] of spans.media.entries()) {
      if (within(media.line)) return { kind: 'sdp', media: m, line: -1 };
      const l = media.lines.findIndex(within);
      if (l >= 0) return { kind: 'sdp', media: m, line: l };
    }
  }
  return { kind: 'body' };
}

/** Whether two selections name the same node of the tree. */
export function sameSelection(a: DetailSelection, b: DetailSelection): boolean {
  if (a === null || b === null) return a === b;
  if (a.kind === 'header' && b.kind === 'header') return a.term.toLowerCase() === b.term.toLowerCase() && a.occurrence === b.occurrence;
  if (a.kind === 'sdp' && b.kind === 'sdp') return a.media === b.media && a.line === b.line;
  return a.kind === b.kind && a.kind !== 'header' && a.kind !== 'sdp';
}

/** The selection of a header node. */
export function headerSelection(node: Pick<HeaderNode, 'term' | 'occurrence'>): { kind: 'header'; term: string; occurrence: number } {
  return { kind: 'header', term: node.term, occurrence: node.occurrence };
}

/** The tree's items top to bottom, for keyboard navigation: the start line, each header, the body when there is one. */
export function treeItems(detail: Pick<MessageDetail, 'bodyStart' | 'raw' | 'headers'>, tree: readonly HeaderNode[]): NonNullable<DetailSelection>[] {
  const items: NonNullable<DetailSelection>[] = [{ kind: 'start-line' }];
  for (const node of tree) items.push({ kind: 'header', term: node.term, occurrence: node.occurrence });
  if (bodySpan(detail) !== null) items.push({ kind: 'body' });
  return items;
}

/**
 * The item `delta` steps from `current` (clamped to the ends; ±Infinity for Home/End). With nothing selected, or a
 * selection this message does not have, a step down selects the first item and a step up the last.
 */
export function stepSelection(items: readonly NonNullable<DetailSelection>[], current: DetailSelection, delta: number): DetailSelection {
  if (items.length === 0) return null;
  const at = items.findIndex((item) => sameSelection(item, current));
  const from = at < 0 ? (delta > 0 ? -1 : items.length) : at;
  const to = Math.max(0, Math.min(items.length - 1, from + (Number.isFinite(delta) ? delta : delta > 0 ? items.length : -items.length)));
  return items[to];
}

// ---------------------------------------------------------------------------------------------------------------
// Start line and headers

/** A piece of the start line: plain text, or a term with a reference entry (method, status code). */
export type StartLineToken = { text: string } | { text: string; ref: { kind: 'method' | 'response'; term: string } };

/**
 * The start line cut so that its method (request, RFC 3261 §7.1) or status code (response, §7.2) can carry a
 * reference tooltip. Falls back to the line as plain text when the method or code is not where it should be.
 */
export function startLineTokens(detail: Pick<MessageDetail, 'startLine' | 'method' | 'status'>): StartLineToken[] {
  const line = detail.startLine;
  let at = -1;
  let term = '';
  let kind: 'method' | 'response' = 'method';
  if (detail.method !== null && detail.method !== '') {
    // Request-Line = Method SP Request-URI SP SIP-Version: the method is the first token.
    term = detail.method;
    at = line.startsWith(term) ? 0 : -1;
  } else if (detail.status !== null) {
    // Status-Line = SIP-Version SP Status-Code SP Reason-Phrase: the code follows the first space.
    term = String(detail.status);
    const space = line.indexOf(' ');
    at = space >= 0 && line.startsWith(term, space + 1) ? space + 1 : -1;
    kind = 'response';
  }
  if (at < 0) return line === '' ? [] : [{ text: line }];
  const tokens: StartLineToken[] = [];
  if (at > 0) tokens.push({ text: line.slice(0, at) });
  tokens.push({ text: term, ref: { kind, term } });
  if (at + term.length < line.length) tokens.push({ text: line.slice(at + term.length) });
  return tokens;
}

/** One header of the tree. */
export interface HeaderNode {
  /** Index in `MessageDetail.headers`: what a selection names. */
  index: number;
  /** As written (`i`, `v`, `ViA`) and the reference term (the full name, so compact forms find their entry). */
  name: string;
  term: string;
  /** The name was written in compact form or another case than the full name (shown as `i (Call-ID)`). */
  alias: boolean;
  value: string;
  parts: [string, string][];
  /** 1 for the first header of this name, 2 for the second...; `of` is how many the message has. */
  occurrence: number;
  of: number;
  start: number;
  end: number;
}

/** The header rows in wire order, with their reference term and their rank among headers of the same name. */
export function headerTree(headers: readonly HeaderDetail[]): HeaderNode[] {
  const totals = new Map<string, number>();
  const keyOf = (h: HeaderDetail) => (h.canonicalName || h.name).toLowerCase();
  for (const h of headers) totals.set(keyOf(h), (totals.get(keyOf(h)) ?? 0) + 1);
  const seen = new Map<string, number>();
  return headers.map((h, index) => {
    const key = keyOf(h);
    const occurrence = (seen.get(key) ?? 0) + 1;
    seen.set(key, occurrence);
    const term = h.canonicalName || h.name;
    return {
      index,
      name: h.name,
      term,
      alias: h.name !== term,
      value: h.value,
      parts: h.parts,
      occurrence,
      of: totals.get(key) ?? 1,
      start: h.start,
      end: h.end,
    };
  });
}

/**
 * Headers whose value is a comma list of terms with reference entries: option tags (Supported, Require,
 * Proxy-Require, Unsupported: RFC 3261 §19.2, §20) and methods (Allow: RFC 3261 §20.5).
 */
const TERM_LIST_HEADERS: Readonly<Record<string, 'option-tag' | 'method'>> = {
  supported: 'option-tag',
  require: 'option-tag',
  'proxy-require': 'option-tag',
  unsupported: 'option-tag',
  allow: 'method',
};

/** A piece of a header value: plain text, or a term with a reference entry. */
export type ValueToken = { text: string } | { text: string; ref: { kind: 'option-tag' | 'method'; term: string } };

/**
 * The header value, with the terms of a term-list header cut out so each can carry a tooltip
 * (`100rel`, `precondition` in Supported; `PRACK` in Allow). Other headers are one plain token. The tokens
 * always concatenate back to the value.
 */
export function headerValueTokens(node: Pick<HeaderNode, 'term' | 'value'>): ValueToken[] {
  const kind = TERM_LIST_HEADERS[node.term.toLowerCase()];
  if (kind === undefined) return node.value === '' ? [] : [{ text: node.value }];
  const tokens: ValueToken[] = [];
  // Both are token lists (RFC 3261 §25.1): split on the commas and whitespace between them, kept as text.
  const pattern = /[^\s,]+/g;
  let last = 0;
  for (let match = pattern.exec(node.value); match !== null; match = pattern.exec(node.value)) {
    if (match.index > last) tokens.push({ text: node.value.slice(last, match.index) });
    tokens.push({ text: match[0], ref: { kind, term: match[0] } });
    last = match.index + match[0].length;
  }
  if (last < node.value.length) tokens.push({ text: node.value.slice(last) });
  return tokens;
}

// ---------------------------------------------------------------------------------------------------------------
// SDP

/** Names of the SDP line types (RFC 8866 §5), for the tree's tooltips. */
export const SDP_LINE_NAMES: Readonly<Record<string, string>> = {
  v: 'protocol version',
  o: 'origin',
  s: 'session name',
  i: 'information',
  u: 'URI',
  e: 'email',
  p: 'phone',
  c: 'connection',
  b: 'bandwidth',
  t: 'timing',
  r: 'repeat times',
  z: 'time zones',
  k: 'encryption key',
  a: 'attribute',
  m: 'media',
};

/** One SDP line for display. `name`/`term` are set for attributes (`a=rtpmap` → `rtpmap`) and bandwidths (`b=AS`). */
export interface SdpLineView {
  type: string;
  /** The attribute name or bandwidth modifier, else null. */
  name: string | null;
  /** What follows the name (`97 AMR-WB/16000/1`), or the whole value for other lines. */
  value: string;
  /** The reference key (`a=curr`, `b=AS`), or null. */
  term: string | null;
}

/** Splits an SDP line into its attribute name or bandwidth type and the rest (RFC 8866 §5.8, §5.13). */
export function sdpLineView([type, value]: [string, string]): SdpLineView {
  if (type === 'a' || type === 'b') {
    const colon = value.indexOf(':');
    const name = colon < 0 ? value : value.slice(0, colon);
    // `a=sendrecv` is a property attribute without a value; a bandwidth line always has one.
    return { type, name, value: colon < 0 ? '' : value.slice(colon + 1), term: name === '' ? null : `${type}=${name}` };
  }
  return { type, name: null, value, term: null };
}

/** A precondition attribute (RFC 3312 §5), parsed, or as written with why it could not be. */
export type PreconditionView =
  | { ok: true; text: string; kind: 'curr' | 'des' | 'conf'; type: string; strength?: string; statusType: string; direction: string }
  | { ok: false; text: string; error: string };

/** Parses `curr:qos local none` / `des:qos mandatory local sendrecv` / `conf:qos remote sendrecv`. */
export function parsePreconditionText(text: string): PreconditionView {
  const colon = text.indexOf(':');
  const kind = colon < 0 ? '' : text.slice(0, colon).trim().toLowerCase();
  if (kind !== 'curr' && kind !== 'des' && kind !== 'conf') {
    return { ok: false, text, error: `not a=curr, a=des or a=conf (RFC 3312 §5)` };
  }
  const parsed = parsePrecondition(kind, text.slice(colon + 1));
  if (!parsed.ok) return { ok: false, text, error: parsed.error };
  return { ok: true, text, ...parsed.value };
}

/** One row of an RFC 3312 §5.1 status table: a side and a direction, and what the attributes say of it. */
export interface PreconditionRow {
  statusType: string;
  direction: 'send' | 'recv';
  /** From a=curr: met (true), not met (false), or not stated (null). */
  current: boolean | null;
  /** From a=des: `mandatory`, `optional`, `none`, `failure`, `unknown`, or null when not stated. */
  desired: string | null;
  /** From a=conf: the offerer wants to be told when this one is met. */
  confirm: boolean;
  /** A mandatory precondition that is not yet met: the session may not proceed to alerting (RFC 3312 §6). */
  blocking: boolean;
}

/** The status table of one precondition type (`qos`), as RFC 3312 §5.1 draws it. */
export interface PreconditionTable {
  type: string;
  rows: PreconditionRow[];
  /** Every mandatory row is met. */
  met: boolean;
}

const DIRECTIONS: Record<string, ('send' | 'recv')[]> = { none: [], send: ['send'], recv: ['recv'], sendrecv: ['send', 'recv'] };
const STATUS_ORDER = ['e2e', 'local', 'remote'];

/**
 * The RFC 3312 §5.1 tables of a media section's preconditions: per precondition type, one row per status type
 * (e2e / local / remote) and direction that any attribute mentions. `a=curr:qos local sendrecv` marks local send
 * and recv current; `a=curr:qos local none` marks both not current (§5: a current-status line states the whole
 * direction set); `a=des` sets the strength of the directions it names; `a=conf` asks for confirmation of them.
 */
export function preconditionTables(preconditions: readonly PreconditionView[]): PreconditionTable[] {
  const tables = new Map<string, Map<string, PreconditionRow>>();
  const rowOf = (type: string, statusType: string, direction: 'send' | 'recv') => {
    let rows = tables.get(type);
    if (rows === undefined) tables.set(type, (rows = new Map()));
    const key = `${statusType} ${direction}`;
    let row = rows.get(key);
    if (row === undefined) rows.set(key, (row = { statusType, direction, current: null, desired: null, confirm: false, blocking: false }));
    return row;
  };
  for (const p of preconditions) {
    if (!p.ok) continue;
    const named = DIRECTIONS[p.direction] ?? [];
    if (p.kind === 'curr') {
      for (const d of ['send', 'recv'] as const) rowOf(p.type, p.statusType, d).current = named.includes(d);
    } else if (p.kind === 'des') {
      for (const d of named) rowOf(p.type, p.statusType, d).desired = p.strength ?? null;
    } else {
      for (const d of named) rowOf(p.type, p.statusType, d).confirm = true;
    }
  }
  return [...tables].map(([type, rows]) => {
    const sorted = [...rows.values()].sort(
      (a, b) => STATUS_ORDER.indexOf(a.statusType) - STATUS_ORDER.indexOf(b.statusType) || (a.direction === b.direction ? 0 : a.direction === 'send' ? -1 : 1),
    );
    for (const row of sorted) row.blocking = row.desired === 'mandatory' && row.current !== true;
    return { type, rows: sorted, met: sorted.every((row) => !row.blocking) };
  });
}

/** One media section for display. */
export interface SdpMediaView {
  line: string;
  /** `audio`, `video`... (first field of the m= line). */
  mediaType: string;
  lines: SdpLineView[];
  /** The direction in force, and whether it was written (here or at session level) or is the RFC 3264 §5.1 default. */
  direction: string;
  directionImplied: boolean;
  /** Codecs from the rtpmap lines (`97 AMR-WB/16000/1`), in order. */
  codecs: string[];
  preconditions: PreconditionView[];
  tables: PreconditionTable[];
}

export interface SdpView {
  session: SdpLineView[];
  media: SdpMediaView[];
}

const DIRECTION_ATTRIBUTES = new Set(['sendrecv', 'sendonly', 'recvonly', 'inactive']);

/** The SDP of the message grouped for display: session lines, then each media section with its direction and preconditions. */
export function sdpView(sdp: SdpDetail): SdpView {
  const session = sdp.session.map(sdpLineView);
  // A direction attribute at session level applies to every media section without one (RFC 3264 §5.1).
  const sessionDirection = session.find((line) => line.type === 'a' && line.name !== null && DIRECTION_ATTRIBUTES.has(line.name))?.name ?? null;
  return {
    session,
    media: sdp.media.map((m) => {
      const lines = m.lines.map(sdpLineView);
      const written = m.direction ?? sessionDirection;
      const preconditions = m.preconditions.map(parsePreconditionText);
      return {
        line: m.line,
        mediaType: m.line.split(' ', 1)[0] ?? '',
        lines,
        direction: written ?? 'sendrecv',
        directionImplied: written === null,
        codecs: lines.filter((line) => line.type === 'a' && line.name === 'rtpmap').map((line) => line.value),
        preconditions,
        tables: preconditionTables(preconditions),
      };
    }),
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Summary, encapsulation, notes, membership

/**
 * Epoch seconds as ISO 8601 UTC with microseconds (`2024-03-05T10:11:12.123456Z`). Rounded to the microsecond
 * first so that 59.9999996 s carries into the next minute instead of printing `60.000000`. A value a Date cannot
 * hold is printed as seconds.
 */
export function timeText(epochSeconds: number): string {
  if (!Number.isFinite(epochSeconds)) return '—';
  const micros = Math.round(epochSeconds * 1e6);
  const seconds = Math.floor(micros / 1e6);
  const fraction = micros - seconds * 1e6;
  const date = new Date(seconds * 1000);
  if (Number.isNaN(date.getTime())) return `${epochSeconds} s`;
  return `${date.toISOString().slice(0, 19)}.${String(fraction).padStart(6, '0')}Z`;
}

/** Bytes of `text` in UTF-8 (the message size: the back end decoded the bytes as UTF-8). */
export function utf8Length(text: string): number {
  let bytes = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x80) bytes += 1;
    else if (c < 0x800) bytes += 2;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length && (text.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      bytes += 4;
      i++;
    } else bytes += 3;
  }
  return bytes;
}

/** One layer of the encapsulation stack with the fields the back end gave for it (outer layers only). */
export interface LayerView {
  name: string;
  fields: [string, string][];
}

/**
 * The encapsulation stack, outermost first, each layer with its fields from `outer`. `outer` entries are matched
 * to layers by name in order (a GTP-U tunnel carries two IP layers: the first `ipv4` fields go to the first ipv4);
 * entries naming no layer of the stack are appended rather than lost.
 */
export function encapsulationView(detail: Pick<MessageDetail, 'encapsulation' | 'outer'>): LayerView[] {
  const layers: LayerView[] = detail.encapsulation.map((name) => ({ name, fields: [] }));
  const used = new Set<number>();
  const extra: LayerView[] = [];
  for (const entry of detail.outer) {
    const at = layers.findIndex((layer, i) => !used.has(i) && layer.name === entry.layer);
    if (at < 0) {
      extra.push({ name: entry.layer, fields: entry.fields });
    } else {
      used.add(at);
      layers[at].fields = entry.fields;
    }
  }
  return [...layers, ...extra];
}

/** `frame 12`, or `frames 12, 13, 15` with what they are (IP fragments, or stream segments on TCP/TLS/WS). */
export function framesText(detail: Pick<MessageDetail, 'frame' | 'frames' | 'transport'>): string {
  const frames = detail.frames.length > 0 ? detail.frames : [detail.frame];
  if (frames.length === 1) return `frame ${frames[0]}`;
  const stream = /^(TCP|TLS|WS|WSS)$/i.test(detail.transport);
  return `frames ${frames.join(', ')} (${frames.length} ${stream ? 'segments' : 'fragments'})`;
}

export type Severity = NoteDetail['severity'];

/** Icon and label of each severity (the icon is decoration: the label is what screen readers get). */
export const SEVERITY: Readonly<Record<Severity, { icon: string; label: string }>> = {
  error: { icon: '✖', label: 'error' },
  warning: { icon: '▲', label: 'warning' },
  note: { icon: 'ℹ', label: 'note' },
};

const SEVERITY_RANK: Record<Severity, number> = { error: 0, warning: 1, note: 2 };

/** The notes grouped by where they come from (decoder first, then analysis), worst first within each, and the counts. */
export function notesView(notes: readonly NoteDetail[]): {
  groups: { source: NoteDetail['source']; title: string; notes: NoteDetail[] }[];
  counts: Record<Severity, number>;
  worst: Severity | null;
} {
  const counts: Record<Severity, number> = { error: 0, warning: 0, note: 0 };
  for (const n of notes) counts[n.severity]++;
  const groups = (['decoder', 'analysis'] as const)
    .map((source) => ({
      source,
      title: source === 'decoder' ? 'Decoder' : 'Analysis',
      // Array.prototype.sort is stable: notes of one severity keep the back end's order.
      notes: notes.filter((n) => n.source === source).sort((a, b) => SEVERITY_RANK[a.severity] - SEVERITY_RANK[b.severity]),
    }))
    .filter((g) => g.notes.length > 0);
  const worst = counts.error > 0 ? 'error' : counts.warning > 0 ? 'warning' : counts.note > 0 ? 'note' : null;
  return { groups, counts, worst };
}

/** The message's place in the analysis, as label/value rows (`-1` and null shown as `none`). */
export function membershipRows(detail: Pick<MessageDetail, 'call' | 'transaction' | 'dialog' | 'procedure' | 'retransmission'>): [string, string][] {
  const id = (n: number) => (n < 0 ? 'none' : `#${n}`);
  return [
    ['Call', id(detail.call)],
    ['Transaction', id(detail.transaction)],
    ['Dialog', id(detail.dialog)],
    ['Procedure', detail.procedure ?? 'none'],
    ['Retransmission', detail.retransmission ? 'yes' : 'no'],
  ];
}

/** One line naming the message, for the pane's title: `Frame 3 · 183 Session Progress`. */
export function detailTitle(detail: Pick<MessageDetail, 'frame' | 'startLine' | 'method' | 'status'>): string {
  let what = detail.startLine;
  if (detail.method !== null) {
    // Request-URIs can be long; the title keeps the method and the URI only.
    what = detail.startLine.replace(/\s+SIP\/\d+\.\d+\s*$/i, '');
  } else if (detail.status !== null) {
    what = detail.startLine.replace(/^SIP\/\d+\.\d+\s+/i, '');
  }
  return `Frame ${detail.frame} · ${what}`;
}
