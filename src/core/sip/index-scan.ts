/**
 * The indexing fast path. One pass over the bytes of a message, no strings, no allocation: it accepts only
 * a strict, clean subset of RFC 3261 syntax (the shape of nearly every message a real network sends) and
 * reports where the fields the message index needs are. Anything outside that subset — folded lines, bare
 * LF, a comma-separated Via, an escaped URI, a Date header, a missing Max-Forwards, any doubt at all — makes
 * it return false, and the caller parses the message with the full parser (`parseSip`), which says exactly
 * what is wrong.
 *
 * The contract, pinned by test/core/sip/index-scan.test.ts over every message of the shared corpus, the
 * RFC 4475 torture messages and mutations of them: when `scanIndexFields` accepts a message, `parseSip`
 * finds no diagnostic at all in it and the same index fields.
 */
import { ALNUM, TOKEN, table } from './chars.js';

/** Spans (byte offsets into the scanned buffer) and numbers of the index fields. Reused across calls. */
export class IndexFields {
  request = false;
  methodStart = 0;
  methodEnd = 0;
  status = 0;
  reasonStart = 0;
  reasonEnd = 0;
  callIdStart = 0;
  callIdEnd = 0;
  cseqSeq = 0;
  cseqMethodStart = 0;
  cseqMethodEnd = 0;
  fromUriStart = 0;
  fromUriEnd = 0;
  fromTagStart = 0;
  fromTagEnd = 0;
  toUriStart = 0;
  toUriEnd = 0;
  toTagStart = 0;
  toTagEnd = 0;
  branchStart = 0;
  branchEnd = 0;
  /** Where the message ends (datagram end, or header + Content-Length on a stream). */
  end = 0;
}

const CR = 0x0d;
const LF = 0x0a;
const SP = 0x20;
const COLON = 0x3a;
const SEMI = 0x3b;
const EQUALS = 0x3d;
const DQUOTE = 0x22;
const LT = 0x3c;
const GT = 0x3e;
const MAX_UINT32 = 4294967295;
const MAX_CSEQ = 2147483647; // RFC 3261 §8.1.1.5: the sequence number must be less than 2^31

/**
 * user = unreserved / user-unreserved, without escapes and without ';' '?' '/' (RFC 3261 §25.1), and
 * without ',' (legal, but in a list header such as Contact a bare addr-spec splits there).
 */
const USER = table("-_.!~*'()&=+$", ALNUM);
/** Parameter names and values in this subset: unreserved characters only. */
const PARAM = table("-_.!~*'+", ALNUM);
/** telephone-subscriber digits and visual separators (RFC 3966 §3). */
const TEL = table('0123456789-.()');
/** A quoted-string's content without escapes: qdtext minus UTF-8 (RFC 3261 §25.1). */
const QDTEXT = table('\t', [
  [0x20, 0x21],
  [0x23, 0x5b],
  [0x5d, 0x7e],
]);
const UPPER = table('', [[0x41, 0x5a]]);
const HEX = table('', [
  [0x30, 0x39],
  [0x41, 0x46],
  [0x61, 0x66],
]);
/** Printable ASCII and HTAB (reason phrases in this subset). */
const VALUE = table('\t', [[0x20, 0x7e]]);
/** The characters of IPv4 and IPv6 address literals. */
const IP_CHARS = table('0123456789.:abcdefABCDEF');

/** Header ids this scanner validates. Any other header is accepted when its value is printable ASCII. */
const enum H {
  Other,
  Via,
  From,
  To,
  CallId,
  CSeq,
  Contact,
  ContentLength,
  ContentType,
  MaxForwards,
  DeltaSeconds,
  SessionExpires,
  RSeq,
  RAck,
  Date,
  /** Headers this subset does not handle (Date, Warning): fall back to the full parser. */
  Refuse,
}

/** Lower-case header name (or compact form) → id. */
const NAMES: Array<[string, H]> = [
  ['via', H.Via],
  ['v', H.Via],
  ['from', H.From],
  ['f', H.From],
  ['to', H.To],
  ['t', H.To],
  ['call-id', H.CallId],
  ['i', H.CallId],
  ['cseq', H.CSeq],
  ['contact', H.Contact],
  ['m', H.Contact],
  ['content-length', H.ContentLength],
  ['l', H.ContentLength],
  ['content-type', H.ContentType],
  ['c', H.ContentType],
  ['max-forwards', H.MaxForwards],
  ['expires', H.DeltaSeconds],
  ['min-expires', H.DeltaSeconds],
  ['retry-after', H.Refuse],
  ['session-expires', H.SessionExpires],
  ['x', H.SessionExpires],
  ['min-se', H.DeltaSeconds],
  ['date', H.Date],
  ['warning', H.Refuse],
  ['rseq', H.RSeq],
  ['rack', H.RAck],
];
/** Candidates by (length, lower-case first byte): a name is then confirmed byte by byte. */
const MAX_NAME = 16;
const BY_SHAPE: (Array<{ name: Uint8Array; id: H }> | undefined)[] = new Array((MAX_NAME + 1) * 32);
for (const [name, id] of NAMES) {
  const key = name.length * 32 + (name.charCodeAt(0) & 31);
  (BY_SHAPE[key] ??= []).push({ name: Uint8Array.from(name, (c) => c.charCodeAt(0)), id });
}

function headerId(b: Uint8Array, start: number, end: number): H {
  const length = end - start;
  if (length > MAX_NAME) return H.Other;
  const candidates = BY_SHAPE[length * 32 + (b[start] & 31)];
  if (candidates === undefined) return H.Other;
  for (let c = 0; c < candidates.length; c++) {
    const { name, id } = candidates[c];
    let k = 0;
    // Header names are case-insensitive (RFC 3261 §7.3.1); `| 0x20` lower-cases letters and keeps '-'.
    while (k < length && (b[start + k] | 0x20) === name[k]) k++;
    if (k === length) return id;
  }
  return H.Other;
}

/** `1*DIGIT` at [i, end) as a number (≤ 10 digits), or -1. */
function digits(b: Uint8Array, i: number, end: number): number {
  if (i >= end || end - i > 10) return -1;
  let value = 0;
  for (; i < end; i++) {
    const c = b[i] - 0x30;
    if (c < 0 || c > 9) return -1;
    value = value * 10 + c;
  }
  return value;
}

/** Index after `1*DIGIT` starting at i (i itself when none). */
function skipDigits(b: Uint8Array, i: number, end: number): number {
  while (i < end && b[i] >= 0x30 && b[i] <= 0x39) i++;
  return i;
}

/**
 * hostname or IPv4address at [i, end): labels of alphanumerics and inner hyphens separated by single dots,
 * and an all-numeric name must be a dotted quad of octets ≤ 255. Returns the index after the host, or -1.
 */
function host(b: Uint8Array, i: number, end: number): number {
  if (i < end && b[i] === 0x5b) return ipv6Reference(b, i, end);
  const start = i;
  let labels = 0;
  let allNumeric = true;
  for (;;) {
    const labelStart = i;
    while (i < end) {
      const c = b[i];
      if ((c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a)) allNumeric = false;
      else if (c === 0x2d) allNumeric = false;
      else if (c < 0x30 || c > 0x39) break;
      i++;
    }
    if (i === labelStart || b[labelStart] === 0x2d || b[i - 1] === 0x2d) return -1;
    labels++;
    if (i < end && b[i] === 0x2e && i + 1 < end && b[i + 1] !== 0x2e) {
      i++;
      continue;
    }
    break;
  }
  if (allNumeric) {
    if (labels !== 4) return -1;
    let octetStart = start;
    for (let k = start; k <= i; k++) {
      if (k === i || b[k] === 0x2e) {
        if (k - octetStart > 3 || digits(b, octetStart, k) > 255) return -1;
        octetStart = k + 1;
      }
    }
  } else {
    // The last label of a hostname starts with a letter (RFC 3261 §25.1 toplabel).
    let lastLabel = i - 1;
    while (lastLabel > start && b[lastLabel - 1] !== 0x2e) lastLabel--;
    const c = b[lastLabel] | 0x20;
    if (c < 0x61 || c > 0x7a) return -1;
  }
  return i;
}

/**
 * IPv6reference = "[" IPv6address "]" (RFC 3261 §25.1): 1–4 hex digits per group, 8 groups or fewer with
 * exactly one "::", no embedded IPv4 (left to the full parser). Returns the index after "]", or -1.
 */
function ipv6Reference(b: Uint8Array, i: number, end: number): number {
  i++; // "["
  let groups = 0;
  let doubleColon = false;
  if (b[i] === COLON) {
    if (b[i + 1] !== COLON) return -1;
    doubleColon = true;
    i += 2;
  }
  while (i < end && b[i] !== 0x5d) {
    let hex = 0;
    while (i < end && hex < 5 && HEX[b[i]] === 1) {
      i++;
      hex++;
    }
    if (hex === 0 || hex > 4) return -1;
    groups++;
    if (b[i] === COLON) {
      if (b[i + 1] === COLON) {
        if (doubleColon) return -1;
        doubleColon = true;
        i += 2;
        if (b[i] === 0x5d) break;
      } else {
        i++;
        if (b[i] === 0x5d) return -1; // a single trailing ":"
      }
    } else if (b[i] !== 0x5d) return -1;
  }
  if (i >= end || b[i] !== 0x5d) return -1;
  if (doubleColon ? groups > 7 : groups !== 8) return -1;
  return i + 1;
}

/** `[":" port]` at i; returns the index after it, or -1 for a bad port. */
function optionalPort(b: Uint8Array, i: number, end: number): number {
  if (i < end && b[i] === COLON) {
    const portEnd = skipDigits(b, i + 1, end);
    const port = digits(b, i + 1, portEnd);
    if (port < 0 || port > 65535 || portEnd - i - 1 > 5) return -1;
    return portEnd;
  }
  return i;
}

/** `*(";" pname ["=" pvalue])` with unreserved characters only; returns the index after, or -1. */
function simpleParams(b: Uint8Array, i: number, end: number): number {
  while (i < end && b[i] === SEMI) {
    i++;
    const nameStart = i;
    while (i < end && PARAM[b[i]] === 1) i++;
    if (i === nameStart) return -1;
    if (i < end && b[i] === EQUALS) {
      i++;
      const valueStart = i;
      while (i < end && PARAM[b[i]] === 1) i++;
      if (i === valueStart) return -1;
    }
  }
  return i;
}

/** True when [start, end) starts with the lower-case ASCII `text`. */
function startsWith(b: Uint8Array, start: number, end: number, text: string): boolean {
  if (end - start < text.length) return false;
  for (let k = 0; k < text.length; k++) if (b[start + k] !== text.charCodeAt(k)) return false;
  return true;
}

/**
 * A sip:, sips: or tel: URI of the strict subset starting at i: returns the index where it stops (the first
 * byte that cannot continue it), or -1. One pass: the user part is scanned once, and re-read as a host only
 * when no "@" follows it. `withParams` false stops before uri-parameters (an addr-spec outside "<>", whose
 * parameters belong to the header, RFC 3261 §20.10).
 */
function uriEnd(b: Uint8Array, i: number, end: number, withParams: boolean): number {
  if (startsWith(b, i, end, 'sip:')) i += 4;
  else if (startsWith(b, i, end, 'sips:')) i += 5;
  else if (startsWith(b, i, end, 'tel:')) {
    i += 4;
    if (i < end && b[i] === 0x2b) i++;
    const numberStart = i;
    while (i < end && TEL[b[i]] === 1) i++;
    if (i === numberStart || b[numberStart] < 0x30 || b[numberStart] > 0x39) return -1;
    return withParams ? simpleParams(b, i, end) : i;
  } else return -1;
  // [user "@"] hostport uri-parameters
  const userStart = i;
  while (i < end && USER[b[i]] === 1) i++;
  if (i < end && b[i] === 0x40) {
    if (i === userStart) return -1;
    i = host(b, i + 1, end);
  } else {
    i = host(b, userStart, end);
  }
  if (i < 0) return -1;
  i = optionalPort(b, i, end);
  if (i < 0 || !withParams) return i;
  return simpleParams(b, i, end);
}

/** A URI of the strict subset exactly filling [i, end). */
function simpleUri(b: Uint8Array, i: number, end: number): boolean {
  return uriEnd(b, i, end, true) === end;
}

/**
 * Header parameters after a name-addr: `*(";" name ["=" (token / quoted-string)])`, no whitespace. Records
 * the tag value span into tagSpan[0..1]. Returns false for anything outside the subset, and for the
 * parameters that carry checked values (expires, q).
 */
const tagSpan = [0, 0];
function headerParams(b: Uint8Array, i: number, end: number, checkedContactParams: boolean): number {
  tagSpan[0] = tagSpan[1] = 0;
  while (i < end && b[i] === SEMI) {
    i++;
    const nameStart = i;
    while (i < end && TOKEN[b[i]] === 1) i++;
    const nameEnd = i;
    if (nameEnd === nameStart) return -1;
    const isQ = nameEnd - nameStart === 1 && (b[nameStart] | 0x20) === 0x71;
    const isExpires = nameEnd - nameStart === 7 && startsWithLower(b, nameStart, 'expires');
    if (checkedContactParams && (isQ || isExpires)) {
      // RFC 3261 §20.10: expires = delta-seconds; q = qvalue ("0" ["." 0*3DIGIT] / "1" ["." 0*3("0")]).
      if (b[i] !== EQUALS) return -1;
      const valueStart = ++i;
      i = skipDigits(b, i, end);
      if (isExpires) {
        const value = digits(b, valueStart, i);
        if (value < 0 || value > MAX_UINT32) return -1;
      } else {
        if (i - valueStart !== 1 || (b[valueStart] !== 0x30 && b[valueStart] !== 0x31)) return -1;
        if (b[i] === 0x2e) {
          const fraction = ++i;
          i = skipDigits(b, i, end);
          if (i - fraction > 3) return -1;
          if (b[valueStart] === 0x31) for (let k = fraction; k < i; k++) if (b[k] !== 0x30) return -1;
        }
      }
      continue;
    }
    if (i < end && b[i] === EQUALS) {
      i++;
      const valueStart = i;
      if (i < end && b[i] === DQUOTE) {
        i++;
        while (i < end && QDTEXT[b[i]] === 1) i++;
        if (i >= end || b[i] !== DQUOTE) return -1;
        i++;
      } else {
        while (i < end && TOKEN[b[i]] === 1) i++;
        if (i === valueStart) return -1;
      }
      if (nameEnd - nameStart === 3 && startsWithLower(b, nameStart, 'tag')) {
        if (tagSpan[1] !== 0 || b[valueStart] === DQUOTE) return -1; // a second tag, or a quoted one
        tagSpan[0] = valueStart;
        tagSpan[1] = i;
      }
    } else if (nameEnd - nameStart === 3 && startsWithLower(b, nameStart, 'tag')) {
      return -1;
    }
  }
  return i;
}

function startsWithLower(b: Uint8Array, i: number, text: string): boolean {
  for (let k = 0; k < text.length; k++) if ((b[i + k] | 0x20) !== text.charCodeAt(k)) return false;
  return true;
}

/**
 * `[display-name] "<" URI ">" params` of the subset; records the URI span in uriSpan and the tag in tagSpan,
 * and returns the index after it (-1 outside the subset).
 */
const uriSpan = [0, 0];
function nameAddr(b: Uint8Array, i: number, end: number, checkedContactParams: boolean): number {
  const c = b[i];
  if (c === 0x73 || c === 0x74) {
    // addr-spec without "<>" (sip:, sips:, tel:): its parameters are header parameters (RFC 3261 §20.10).
    const stop = uriEnd(b, i, end, false);
    if (stop >= 0) {
      uriSpan[0] = i;
      uriSpan[1] = stop;
      return headerParams(b, stop, end, checkedContactParams);
    }
  }
  if (c === DQUOTE) {
    i++;
    while (i < end && QDTEXT[b[i]] === 1) i++;
    if (i >= end || b[i] !== DQUOTE) return -1;
    i++;
    if (i < end && b[i] === SP) i++;
  } else if (c !== LT) {
    // display-name as tokens separated by single spaces, then a space before "<".
    while (i < end && b[i] !== LT) {
      const wordStart = i;
      while (i < end && TOKEN[b[i]] === 1) i++;
      if (i === wordStart || i >= end || b[i] !== SP) return -1;
      i++;
    }
  }
  if (i >= end || b[i] !== LT) return -1;
  const uriStart = i + 1;
  const close = uriEnd(b, uriStart, end, true);
  if (close < 0 || b[close] !== GT) return -1;
  uriSpan[0] = uriStart;
  uriSpan[1] = close;
  return headerParams(b, close + 1, end, checkedContactParams);
}

/**
 * One via-parm `SIP/2.0/transport host[:port] params` with a z9hG4bK branch; records the branch span and
 * returns the index after it (-1 outside the subset).
 */
const branchSpan = [0, 0];
const TRANSPORTS = ['UDP', 'TCP', 'TLS', 'SCTP', 'WS', 'WSS'];
function via(b: Uint8Array, i: number, end: number): number {
  if (!startsWith(b, i, end, 'SIP/2.0/')) return -1;
  i += 8;
  const transportStart = i;
  while (i < end && UPPER[b[i]] === 1) i++;
  let known = false;
  for (const t of TRANSPORTS) if (t.length === i - transportStart && startsWith(b, transportStart, i, t)) known = true;
  if (!known || i >= end || b[i] !== SP) return -1;
  const hostStart = i + 1;
  i = host(b, hostStart, end);
  if (i < 0) return -1;
  // A broadcast sent-by is worth a note from the full parser (RFC 4475 §3.3.10).
  if (i - hostStart === 15 && startsWith(b, hostStart, i, '255.255.255.255')) return -1;
  i = optionalPort(b, i, end);
  if (i < 0) return -1;
  branchSpan[0] = branchSpan[1] = 0;
  while (i < end && b[i] === SEMI) {
    i++;
    const nameStart = i;
    while (i < end && TOKEN[b[i]] === 1) i++;
    const nameLength = i - nameStart;
    if (nameLength === 0) return -1;
    const hasValue = i < end && b[i] === EQUALS;
    const valueStart = hasValue ? i + 1 : i;
    let valueEnd = valueStart;
    if (hasValue) {
      // received may hold an IPv6 address without brackets (RFC 3261 §18.2.1): allow ':' in values.
      while (valueEnd < end && (TOKEN[b[valueEnd]] === 1 || b[valueEnd] === COLON)) valueEnd++;
      if (valueEnd === valueStart) return -1;
    }
    if (nameLength === 6 && startsWithLower(b, nameStart, 'branch')) {
      // RFC 3261 §8.1.1.7: the magic cookie marks RFC 3261 transaction ids.
      if (!hasValue || branchSpan[1] !== 0 || !startsWith(b, valueStart, valueEnd, 'z9hG4bK') || valueEnd - valueStart === 7) return -1;
      branchSpan[0] = valueStart;
      branchSpan[1] = valueEnd;
    } else if (nameLength === 5 && startsWithLower(b, nameStart, 'rport')) {
      if (hasValue) {
        const port = digits(b, valueStart, valueEnd);
        if (port < 0 || port > 65535) return -1;
      }
    } else if (nameLength === 8 && startsWithLower(b, nameStart, 'received')) {
      if (!hasValue) return -1;
      for (let k = valueStart; k < valueEnd; k++) if (IP_CHARS[b[k]] === 0) return -1; // RFC 3261 §18.2.1: an IP address
    } else if ((nameLength === 3 && startsWithLower(b, nameStart, 'ttl')) || (nameLength === 5 && startsWithLower(b, nameStart, 'maddr'))) {
      return -1; // values the full parser checks
    } else {
      // Any other via-extension: a token value (no ':' there).
      for (let k = valueStart; k < valueEnd; k++) if (b[k] === COLON) return -1;
    }
    i = valueEnd;
  }
  return branchSpan[1] !== 0 ? i : -1;
}

const WKDAYS = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
/** `Sat, 13 Nov 2010 23:29:00 GMT` (RFC 3261 §20.17, RFC 1123 date in GMT); returns the index after it or -1. */
function rfc1123Date(b: Uint8Array, i: number, end: number): number {
  if (i + 29 > end) return -1;
  let known = false;
  for (const d of WKDAYS) if (startsWith(b, i, i + 3, d)) known = true;
  if (!known || !startsWith(b, i + 3, end, ', ') || b[i + 7] !== SP || b[i + 11] !== SP || b[i + 16] !== SP) return -1;
  known = false;
  for (const m of MONTHS) if (startsWith(b, i + 8, i + 11, m)) known = true;
  if (!known || b[i + 19] !== COLON || b[i + 22] !== COLON || !startsWith(b, i + 25, end, ' GMT')) return -1;
  const day = digits(b, i + 5, i + 7);
  const year = digits(b, i + 12, i + 16);
  const hour = digits(b, i + 17, i + 19);
  const minute = digits(b, i + 20, i + 22);
  const second = digits(b, i + 23, i + 25);
  if (day < 1 || day > 31 || year < 0 || hour < 0 || hour > 23 || minute < 0 || minute > 59 || second < 0 || second > 60) return -1;
  return i + 29;
}

/**
 * Scans the message at b[start, end). On a stream (`stream`), the message ends after Content-Length
 * body bytes, which must all be present; in a datagram it must end exactly at `end`. Returns true and fills
 * `out` when the message is in the clean subset; false means: use `parseSip`.
 */
export function scanIndexFields(b: Uint8Array, start: number, end: number, stream: boolean, out: IndexFields): boolean {
  let i = start;
  if (stream) while (i < end && (b[i] === CR || b[i] === LF)) i++;
  // ---- start line
  let lineEnd = i;
  while (lineEnd < end && b[lineEnd] !== CR) lineEnd++;
  if (lineEnd + 1 >= end || b[lineEnd + 1] !== LF) return false;
  if (startsWith(b, i, lineEnd, 'SIP/2.0 ')) {
    out.request = false;
    const code = digits(b, i + 8, i + 11);
    if (code < 100 || code > 699 || b[i + 11] !== SP || i + 12 >= lineEnd) return false;
    for (let k = i + 12; k < lineEnd; k++) if (VALUE[b[k]] === 0) return false;
    if (b[i + 12] === SP || b[lineEnd - 1] === SP) return false;
    out.status = code;
    out.reasonStart = i + 12;
    out.reasonEnd = lineEnd;
  } else {
    out.request = true;
    let k = i;
    while (k < lineEnd && UPPER[b[k]] === 1) k++;
    if (k === i || k - i > 32 || b[k] !== SP) return false;
    out.methodStart = i;
    out.methodEnd = k;
    const uriStart = k + 1;
    let uriEnd = uriStart;
    while (uriEnd < lineEnd && b[uriEnd] !== SP) uriEnd++;
    if (uriEnd + 8 !== lineEnd || !startsWith(b, uriEnd, lineEnd, ' SIP/2.0')) return false;
    if (!simpleUri(b, uriStart, uriEnd)) return false;
  }

  // ---- header lines
  let seen = 0; // bit per checked header: single-value headers may appear once
  let contentLength = -1;
  let maxForwards = -1;
  let haveTopVia = false;
  i = lineEnd + 2;
  for (;;) {
    if (i + 1 >= end) return false;
    if (b[i] === CR) {
      if (b[i + 1] !== LF) return false;
      i += 2;
      break; // the empty line ending the header section
    }
    const nameStart = i;
    while (i < end && TOKEN[b[i]] === 1) i++;
    const nameEnd = i;
    // HCOLON = *( SP / HTAB ) ":" SWS (RFC 3261 §25.1)
    while (i < end && (b[i] === SP || b[i] === 0x09)) i++;
    if (nameEnd === nameStart || i >= end || b[i] !== COLON) return false;
    i++;
    while (i < end && (b[i] === SP || b[i] === 0x09)) i++;
    const valueStart = i;
    const id = headerId(b, nameStart, nameEnd);
    const bit = 1 << id;
    if (id !== H.Other && id !== H.Via && id !== H.Contact && (seen & bit) !== 0) return false;
    seen |= bit;
    // Each case consumes the value with the grammar of its header (one pass) and leaves `i` after it;
    // the line must then end right there with CRLF.
    switch (id) {
      case H.Other:
        // A header this subset does not interpret: the full parser only splits it into name and value.
        // (A plain loop beats TypedArray indexOf here: most lines are short and the call costs more.)
        while (i < end && b[i] !== CR && b[i] !== LF) i++;
        break;
      case H.Via:
        i = via(b, valueStart, end);
        if (i < 0) return false;
        if (!haveTopVia) {
          haveTopVia = true;
          out.branchStart = branchSpan[0];
          out.branchEnd = branchSpan[1];
        }
        break;
      case H.From:
      case H.To:
        i = nameAddr(b, valueStart, end, false);
        if (i < 0) return false;
        if (id === H.From) {
          out.fromUriStart = uriSpan[0];
          out.fromUriEnd = uriSpan[1];
          out.fromTagStart = tagSpan[0];
          out.fromTagEnd = tagSpan[1];
        } else {
          out.toUriStart = uriSpan[0];
          out.toUriEnd = uriSpan[1];
          out.toTagStart = tagSpan[0];
          out.toTagEnd = tagSpan[1];
        }
        break;
      case H.CallId:
        while (i < end && b[i] > SP && b[i] < 0x7f) i++;
        out.callIdStart = valueStart;
        out.callIdEnd = i;
        break;
      case H.CSeq: {
        const numberEnd = skipDigits(b, valueStart, end);
        const seq = digits(b, valueStart, numberEnd);
        if (seq < 0 || seq > MAX_CSEQ || b[numberEnd] !== SP) return false;
        i = numberEnd + 1;
        while (i < end && UPPER[b[i]] === 1) i++;
        if (i === numberEnd + 1) return false;
        out.cseqSeq = seq;
        out.cseqMethodStart = numberEnd + 1;
        out.cseqMethodEnd = i;
        break;
      }
      case H.Contact:
        i = nameAddr(b, valueStart, end, true);
        if (i < 0) return false;
        break;
      case H.ContentLength:
        i = skipDigits(b, valueStart, end);
        if (i - valueStart > 9) return false;
        contentLength = digits(b, valueStart, i);
        if (contentLength < 0) return false;
        break;
      case H.ContentType: {
        while (i < end && TOKEN[b[i]] === 1) i++;
        if (i === valueStart || b[i] !== 0x2f) return false;
        const subtype = ++i;
        while (i < end && TOKEN[b[i]] === 1) i++;
        if (i === subtype) return false;
        i = headerParams(b, i, end, false);
        if (i < 0) return false;
        break;
      }
      case H.MaxForwards:
        i = skipDigits(b, valueStart, end);
        maxForwards = digits(b, valueStart, i);
        if (maxForwards < 1 || maxForwards > 255) return false;
        break;
      case H.DeltaSeconds: {
        i = skipDigits(b, valueStart, end);
        const value = digits(b, valueStart, i);
        if (value < 0 || value > MAX_UINT32) return false;
        break;
      }
      case H.SessionExpires: {
        // RFC 4028 §4: delta-seconds *(SEMI se-params), refresher = "uac" / "uas"
        i = skipDigits(b, valueStart, end);
        const value = digits(b, valueStart, i);
        if (value < 0 || value > MAX_UINT32) return false;
        if (b[i] === SEMI) {
          if (!startsWith(b, i, end, ';refresher=') || !(startsWith(b, i + 11, end, 'uac') || startsWith(b, i + 11, end, 'uas'))) return false;
          i += 14;
        }
        break;
      }
      case H.RSeq: {
        i = skipDigits(b, valueStart, end);
        const value = digits(b, valueStart, i);
        if (value < 1 || value > MAX_UINT32) return false;
        break;
      }
      case H.RAck: {
        // RFC 3262 §7.2: response-num LWS CSeq-num LWS Method
        const aEnd = skipDigits(b, valueStart, end);
        const a = digits(b, valueStart, aEnd);
        if (a < 1 || a > MAX_UINT32 || b[aEnd] !== SP) return false;
        const bEnd = skipDigits(b, aEnd + 1, end);
        const c = digits(b, aEnd + 1, bEnd);
        if (c < 0 || c > MAX_CSEQ || b[bEnd] !== SP) return false;
        i = bEnd + 1;
        while (i < end && UPPER[b[i]] === 1) i++;
        if (i === bEnd + 1) return false;
        break;
      }
      case H.Date:
        i = rfc1123Date(b, valueStart, end);
        if (i < 0) return false;
        break;
      default:
        return false; // H.Refuse
    }
    // CRLF right after the value: no trailing whitespace, no bare LF, no empty value, no folding.
    if (i === valueStart || i + 2 >= end || b[i] !== CR || b[i + 1] !== LF) return false;
    if (b[i + 2] === SP || b[i + 2] === 0x09) return false;
    i += 2;
  }
  const required = (1 << H.Via) | (1 << H.From) | (1 << H.To) | (1 << H.CallId) | (1 << H.CSeq);
  if ((seen & required) !== required) return false;
  // A datagram may omit Content-Length (the body is the rest); a stream may not (RFC 3261 §18.3, §20.14).
  if (contentLength < 0) {
    if (stream) return false;
    contentLength = end - i;
  }
  if (out.request) {
    if (maxForwards < 1) return false;
    // RFC 3261 §8.1.1.5: the CSeq method matches the request method.
    const length = out.methodEnd - out.methodStart;
    if (out.cseqMethodEnd - out.cseqMethodStart !== length) return false;
    for (let k = 0; k < length; k++) if (b[out.methodStart + k] !== b[out.cseqMethodStart + k]) return false;
  }
  // ---- body: Content-Length must describe it exactly (RFC 3261 §18.3)
  const messageEnd = i + contentLength;
  if (stream ? messageEnd > end : messageEnd !== end) return false;
  out.end = messageEnd;
  return true;
}
