// The detail pane of one message: its text, every header with where it sits in the text and its parsed
// parts, the SDP, the layers around it, the frames it came from, and what the decoder and the analysis say.
import { messageJson } from '../report/message-json.js';
import { parseCSeq } from '../sip/cseq.js';
import { parseMediaType } from '../sip/content-type.js';
import { parseNameAddrList } from '../sip/name-addr.js';
import { parseSip } from '../sip/parser.js';
import type { NameAddr, Param, SipHeader, SipMessage } from '../sip/types.js';
import { parseViaList } from '../sip/via.js';
import type { SdpPrecondition, SdpSession } from '../sdp/types.js';
import { decodeUtf8 } from '../util/text.js';
import type { HeaderDetail, MessageDetail, NoteDetail, SdpDetail } from '../../shared/api.js';
import { checkRow, findingsOfRow, isRetransmission, procedureOf, timeOf } from './common.js';
import type { TraceViewSource } from './trace-view.js';

/**
 * Headers whose value is a name-addr / addr-spec list with header parameters (RFC 3261 §20.10, §20.20,
 * §20.39, §20.30, §20.34; RFC 3325 §9; RFC 3327; RFC 3608; RFC 3455 §4; RFC 3515 §2.1; RFC 3892; RFC 5502).
 */
const NAME_ADDR_HEADERS = new Set(
  [
    'From',
    'To',
    'Contact',
    'Route',
    'Record-Route',
    'Reply-To',
    'Path',
    'Service-Route',
    'P-Asserted-Identity',
    'P-Preferred-Identity',
    'P-Called-Party-ID',
    'P-Associated-URI',
    'P-Served-User',
    'Refer-To',
    'Referred-By',
    'History-Info',
    'Diversion',
    'P-Refused-URI-List',
  ].map((name) => name.toLowerCase()),
);

/** Byte offsets of a message's text → UTF-16 offsets of its decoded text (identity for ASCII, the usual case). */
function offsetMapper(bytes: Uint8Array): (offset: number) => number {
  let ascii = true;
  for (let i = 0; i < bytes.length; i++) {
    if (bytes[i] >= 0x80) {
      ascii = false;
      break;
    }
  }
  if (ascii) return (offset) => offset;
  // Offsets asked for sit on ASCII bytes (line starts and ends, the colon), never inside a UTF-8 sequence, so
  // decoding the prefix gives exactly the UTF-16 length the whole text has up to there (U+FFFD included).
  const cache = new Map<number, number>();
  return (offset) => {
    let mapped = cache.get(offset);
    if (mapped === undefined) {
      mapped = decodeUtf8(bytes, 0, Math.min(offset, bytes.length)).length;
      cache.set(offset, mapped);
    }
    return mapped;
  };
}

function paramParts(params: readonly Param[], skip?: ReadonlySet<string>): [string, string][] {
  const parts: [string, string][] = [];
  for (const p of params) if (!skip?.has(p.name.toLowerCase())) parts.push([p.name, p.value ?? '']);
  return parts;
}

function nameAddrParts(na: NameAddr): [string, string][] {
  const parts: [string, string][] = [];
  if (na.displayName !== undefined) parts.push(['display-name', na.displayName]);
  parts.push(['uri', na.uri]);
  // `tag` is among the params; it is listed once, in its place.
  parts.push(...paramParts(na.params));
  return parts;
}

/** The parsed parts of a header for the tree (empty for headers shown as plain text). */
function headerParts(header: SipHeader): [string, string][] {
  const canonical = header.canonical.toLowerCase();
  const value = header.value;
  try {
    if (canonical === 'via') {
      const parts: [string, string][] = [];
      for (const via of parseViaList(value)) {
        parts.push(['sent-protocol', `${via.protocol}/${via.version}/${via.transport}`]);
        const host = via.hostType === 'ipv6' ? `[${via.host}]` : via.host;
        parts.push(['sent-by', via.port !== undefined ? `${host}:${via.port}` : host]);
        parts.push(...paramParts(via.params));
      }
      return parts;
    }
    if (canonical === 'cseq') {
      const cseq = parseCSeq(value);
      return [
        ['seq', Number.isNaN(cseq.seq) ? '' : String(cseq.seq)],
        ['method', cseq.method],
      ];
    }
    if (canonical === 'content-type') {
      const type = parseMediaType(value);
      return [['media-type', type.subtype ? `${type.type}/${type.subtype}` : type.type], ...paramParts(type.params)];
    }
    if (NAME_ADDR_HEADERS.has(canonical)) return parseNameAddrList(value, canonical === 'contact').flatMap(nameAddrParts);
  } catch {
    // The value parsers report problems as values; anything thrown still must not lose the pane.
  }
  return [];
}

function preconditionText(p: SdpPrecondition): string {
  return `${p.kind}:${p.type}${p.strength !== undefined ? ` ${p.strength}` : ''} ${p.statusType} ${p.direction}`;
}

function sdpDetail(sdp: SdpSession): SdpDetail {
  const session: [string, string][] = [];
  const media: SdpDetail['media'] = sdp.media.map((m) => ({ line: '', lines: [], direction: m.direction, preconditions: m.preconditions.map(preconditionText) }));
  for (const line of sdp.lines) {
    if (line.media < 0 || line.media >= media.length) session.push([line.type, line.value]);
    else if (line.type === 'm' && media[line.media].line === '') media[line.media].line = line.value;
    else media[line.media].lines.push([line.type, line.value]);
  }
  return { session, media };
}

function noteOf(severity: NoteDetail['severity'], message: string, code: string, source: NoteDetail['source']): NoteDetail {
  return { severity, message, code, source };
}

/** Everything the detail pane shows of one message; throws an Error for the user when `row` is not a message of the trace. */
export function messageDetail(source: TraceViewSource, row: number): MessageDetail {
  const { engine, calls } = source;
  const index = engine.index;
  checkRow(index, row);
  const record = index.get(row);
  const json = messageJson(record);
  const bytes = engine.messageBytes?.bytesOf(row);
  const notes: NoteDetail[] = record.diagnostics.map((d) => noteOf(d.severity, `[${d.layer}] ${d.message}`, d.kind, 'decoder'));
  let raw = '';
  let startLine = '';
  let headers: HeaderDetail[] = [];
  let bodyStart: number | null = null;
  let contentType: string | null = null;
  let sdp: SdpDetail | null = null;
  if (bytes) {
    raw = decodeUtf8(bytes, 0, bytes.length);
    const utf16 = offsetMapper(bytes);
    const message: SipMessage = parseSip(bytes, 0, bytes.length);
    const lineEnd = bytes.indexOf(0x0a, message.start);
    const startLineEnd = lineEnd < 0 ? message.headersEnd : lineEnd > message.start && bytes[lineEnd - 1] === 0x0d ? lineEnd - 1 : lineEnd;
    startLine = raw.slice(utf16(message.start), utf16(Math.max(message.start, startLineEnd)));
    headers = message.headers.map((h) => ({
      name: h.name,
      canonicalName: h.canonical,
      value: h.value,
      start: utf16(h.start),
      end: utf16(h.end),
      parts: headerParts(h),
    }));
    contentType = message.contentType || null;
    if (message.body.end > message.body.start) bodyStart = utf16(message.body.start);
    const session = message.sdp;
    if (session) {
      sdp = sdpDetail(session);
      // The SDP is parsed here, not at ingestion: its problems are new to the index's diagnostics.
      for (const d of session.diagnostics) notes.push(noteOf(d.severity, `[sdp] ${d.message}`, d.kind, 'decoder'));
    }
  }
  if (calls) for (const f of findingsOfRow(calls, row)) {
    const finding = calls.findings[f];
    notes.push(noteOf(finding.severity, finding.message, finding.code, 'analysis'));
  }
  const request = record.method !== undefined;
  return {
    row,
    frame: record.frame,
    annotation: source.notes?.ofRow(row) ?? null,
    frames: json.frames,
    time: timeOf(index, row),
    source: record.src,
    destination: record.dst,
    transport: record.transport,
    encapsulation: json.encapsulation,
    outer: record.outer.map(({ layer, ...fields }) => ({ layer, fields: Object.entries(fields).map(([name, value]): [string, string] => [name, String(value)]) })),
    raw,
    startLine,
    method: request ? (record.method as string) : null,
    status: request ? null : (record.status ?? 0),
    headers,
    bodyStart,
    contentType,
    sdp,
    notes,
    call: calls && row < calls.callOf.length ? calls.callOf[row] : -1,
    transaction: calls && row < calls.transactionOf.length ? calls.transactionOf[row] : -1,
    dialog: calls && row < calls.dialogOf.length ? calls.dialogOf[row] : -1,
    procedure: procedureOf(calls, row),
    retransmission: isRetransmission(calls, row),
    copies: json.copies ?? [],
  };
}
