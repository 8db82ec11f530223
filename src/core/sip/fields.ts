/**
 * Display-filter fields read from a SIP message's bytes: every `sip.*` field of Wireshark 4.0 that comes from
 * the start line, a header or the body, with Wireshark's name, type and description, and — the point of this
 * file — Wireshark's *values*: what `tshark -T fields -e FIELD -E occurrence=a` prints for the same message.
 *
 * Users carry filters between Wireshark and sipscope, so a filter must select the same messages in both. That
 * means reproducing what epan/dissectors/packet-sip.c (Wireshark 4.0) does, quirks included, rather than what
 * RFC 3261 says:
 * - a header value runs from the first non-blank after the colon (SP, HTAB, CR and LF skipped: `tvb_skip_wsp`)
 *   to the end of the line; trailing blanks stay, and a folded header (RFC 3261 §7.3.1) keeps its CR LF and
 *   the continuation's leading blanks (`Subject: a\r\n  b`);
 * - the header name is everything before the first ':' of the line, lower-cased: `Via :` is not a Via;
 *   one-letter names are the compact forms (RFC 3261 §7.3.3, IANA "Header Fields" registry);
 * - each header line is one occurrence: `Via: a, b` is one `sip.Via` value while two Via lines are two;
 *   the sub-fields (`sip.Via.branch`, `sip.contact.uri`, `sip.Route.uri`...) are split per element;
 * - numbers are C `strtoul` of the value (`Expires: 0600` is 600, `Max-Forwards: -1` is 4294967295) or
 *   Wireshark's strict `ws_strtou32` (`Content-Length: 12 ` is 0);
 * - a CSeq without a method, or with one longer than 16 characters, ends the dissection there;
 * - when Wireshark throws while dissecting a header, every later header is lost too. The walk reproduces
 *   the causes seen in practice for every field (that CSeq, an Authorization-like value with no blank after
 *   the scheme, a Via `be-route` parameter: Wireshark 4.0's failed assertion); any other exception stops
 *   only the fields of the header being dissected, so on a damaged message a later header might keep a
 *   value tshark does not show (never seen on the captures nor on ~20000 bit-flipped copies of their
 *   messages).
 * Each quirk is commented where it is reproduced, with the Wireshark function it comes from.
 *
 * Speed: `extract` is called once per message per field. It walks header lines comparing names byte by byte
 * (no string is built for a header that is not wanted), stops at the empty line, and reads the body only for
 * body fields. It never throws and reads only within [start, end): where Wireshark would throw (a read past
 * the end of the message), the dissection stops and the values found so far are kept, as in Wireshark.
 */
import type { FieldType, FieldValue, MessageFieldDeclaration } from '../filter/field.js';
import { decodeText } from '../util/text.js';

// ---- a bounds-checked view of the message, with the semantics of Wireshark's tvbuff accessors ----------

/** Where Wireshark's tvbuff accessors throw (a read outside the message): the dissection stops there. */
const OUT_OF_BOUNDS = { outOfBounds: true } as const;

/** Byte sets for `tvb_ws_mempbrk_pattern_guint8` (packet-sip.c `proto_register_sip`). */
function byteSet(chars: string): Uint8Array {
  const set = new Uint8Array(256);
  for (let i = 0; i < chars.length; i++) set[chars.charCodeAt(i)] = 1;
  return set;
}
const PBRK_COMMA_SEMI = byteSet(',;');
const PBRK_WHITESPACE = byteSet(' \t\r\n');
const PBRK_PARAM_END = byteSet('>,;? \r');
const PBRK_PARAM_END_COLON_BRACKETS = byteSet('>,;? \r:[]');
const PBRK_HEADER_END_DQUOTE = byteSet('\r\n,;"');
const PBRK_TAB_SP_FSLASH = byteSet('\t /');
const PBRK_ADDR_END = byteSet('[] \t:;');
const PBRK_VIA_PARAM_END = byteSet('\t;, ');
const PBRK_CR_LF = byteSet('\r\n');

const SP = 0x20;
const HT = 0x09;
const CR = 0x0d;
const LF = 0x0a;

function isBlank(c: number): boolean {
  return c === SP || c === HT || c === CR || c === LF;
}
function isDigit(c: number): boolean {
  return c >= 0x30 && c <= 0x39;
}
function isAlpha(c: number): boolean {
  return (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a);
}
function lower(c: number): number {
  return c >= 0x41 && c <= 0x5a ? c + 32 : c;
}

/**
 * The message bytes [start, end) as Wireshark's dissector sees them: offsets are absolute indices into
 * `b`; an offset outside the message throws OUT_OF_BOUNDS where the tvbuff function would throw.
 */
export class Tvb {
  /** The byte found by the last `pbrk`. */
  found = 0;
  constructor(
    readonly b: Uint8Array,
    readonly start: number,
    readonly end: number,
  ) {}

  /** tvb_get_guint8 */
  get(off: number): number {
    if (off < this.start || off >= this.end) throw OUT_OF_BOUNDS;
    return this.b[off];
  }

  /** End of a search from `off` over at most `maxLength` bytes (a negative length: to the end), as tvb_find_guint8. */
  private limit(off: number, maxLength: number): number {
    if (off < this.start || off > this.end) throw OUT_OF_BOUNDS;
    return maxLength >= 0 && off + maxLength < this.end ? off + maxLength : this.end;
  }

  /** tvb_find_guint8: offset of `needle` in [off, off + maxLength), or -1. */
  find(off: number, maxLength: number, needle: number): number {
    const lim = this.limit(off, maxLength);
    const b = this.b;
    for (let i = off; i < lim; i++) if (b[i] === needle) return i;
    return -1;
  }

  /** tvb_find_guint16 (big-endian pair, as `0x3b2b` for ";+"). */
  find2(off: number, maxLength: number, first: number, second: number): number {
    const lim = this.limit(off, maxLength);
    const b = this.b;
    for (let i = off; i + 1 < lim; i++) if (b[i] === first && b[i + 1] === second) return i;
    return -1;
  }

  /** tvb_ws_mempbrk_pattern_guint8: offset of the first byte of `set`, or -1; the byte goes to `found`. */
  pbrk(off: number, maxLength: number, set: Uint8Array): number {
    const lim = this.limit(off, maxLength);
    const b = this.b;
    for (let i = off; i < lim; i++) {
      if (set[b[i]] === 1) {
        this.found = b[i];
        return i;
      }
    }
    return -1;
  }

  /** tvb_skip_wsp: first offset in [off, off + maxLength) that is not SP, HTAB, CR or LF. */
  skipWsp(off: number, maxLength: number): number {
    let end = off + maxLength;
    if (end >= this.end) end = this.end;
    let i = off;
    while (i < end && isBlank(this.get(i))) i++;
    return i;
  }

  /** tvb_skip_wsp_return: backwards from `off` over blanks; returns the offset after the last non-blank. */
  skipWspReturn(off: number): number {
    let i = off;
    while (i > this.start && isBlank(this.get(i))) i--;
    return i + 1;
  }

  /** tvb_strneql == 0: the bytes at `off` are `s` (false when fewer bytes remain; never throws). */
  strneql(off: number, s: string): boolean {
    if (off < this.start || off + s.length > this.end) return false;
    for (let k = 0; k < s.length; k++) if (this.b[off + k] !== s.charCodeAt(k)) return false;
    return true;
  }

  /** tvb_strncaseeql == 0, `s` in lower case. */
  strncaseeql(off: number, s: string): boolean {
    if (off < this.start || off + s.length > this.end) return false;
    for (let k = 0; k < s.length; k++) if (lower(this.b[off + k]) !== s.charCodeAt(k)) return false;
    return true;
  }

  /**
   * tvb_find_line_end (desegment FALSE): the length of the line at `off` (up to CR, LF or the end) and the
   * offset of the next line (after CR LF, CR or LF).
   */
  lineEnd(off: number, out: { length: number; next: number }): void {
    const eol = this.pbrk(off, -1, PBRK_CR_LF);
    if (eol < 0) {
      out.length = this.end - off;
      out.next = this.end;
      return;
    }
    out.length = eol - off;
    out.next = this.b[eol] === CR && eol + 1 < this.end && this.b[eol + 1] === LF ? eol + 2 : eol + 1;
  }

  /**
   * The FT_STRING value of an item at [off, off + length) (length -1: to the end), as
   * `tvb_get_string_enc(ENC_UTF_8)` then a C string: it stops at the first NUL. Throws where
   * proto_tree_add_item would (a span outside the message, a length below -1).
   */
  str(off: number, length: number): string {
    const limit = off + this.check(off, length);
    const b = this.b;
    let stop = off;
    while (stop < limit && b[stop] !== 0) stop++;
    return decodeText(b, off, stop);
  }

  /**
   * Throws where `str(off, length)` would, without decoding (for a value nobody asked for); returns the
   * item's length (the bytes to the end for -1).
   */
  check(off: number, length: number): number {
    // Wireshark 4.0 refuses an item "to the end" (-1) that starts at the end: ReportedBoundsError.
    if (length === -1) {
      if (off >= this.end) throw OUT_OF_BOUNDS;
      length = this.end - off;
    }
    if (length < 0 || off < this.start || off + length > this.end) throw OUT_OF_BOUNDS;
    return length;
  }

  /** `str` with ENC_ASCII: bytes above 0x7f become U+FFFD. */
  ascii(off: number, length: number): string {
    const s = this.str(off, length);
    // eslint-disable-next-line no-control-regex
    return /[^\x00-\x7f]/.test(s) ? latin(this.b, off, off + s.length) : s;
  }
}

function latin(b: Uint8Array, from: number, to: number): string {
  let s = '';
  for (let i = from; i < to && b[i] !== 0; i++) s += b[i] < 0x80 ? String.fromCharCode(b[i]) : '\ufffd';
  return s;
}

/** Runs a dissection; a read outside the message ends it (the values found so far stay), as in Wireshark. */
function guarded(run: () => void): void {
  try {
    run();
  } catch (e) {
    if (e !== OUT_OF_BOUNDS) {
      // A bug of ours: the filter must not die on one message. Keep what was found.
      return;
    }
  }
}

// ---- numbers, as the C library and wsutil convert them ----------------------------------------------------

const TWO_32 = 4294967296;

function isCSpace(c: number): boolean {
  return c === SP || (c >= 0x09 && c <= 0x0d);
}

/**
 * `(guint32) strtoul(s, NULL, 10)` (glibc, 64-bit long): leading white space and a sign are accepted, the
 * digits stop at the first non-digit, an overflow gives ULONG_MAX, a minus sign negates modulo 2^64; then
 * the low 32 bits. `"0600"` → 600, `"12abc"` → 12, `"-1"` → 4294967295, `"x"` → 0.
 */
export function strtoul32(s: string): number {
  let i = 0;
  while (i < s.length && isCSpace(s.charCodeAt(i))) i++;
  let negative = false;
  if (s[i] === '+' || s[i] === '-') negative = s[i++] === '-';
  let low = 0;
  let approx = 0;
  let digits = false;
  for (; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (!isDigit(c)) break;
    digits = true;
    low = (low * 10 + (c - 0x30)) % TWO_32;
    approx = approx * 10 + (c - 0x30);
  }
  if (!digits) return 0;
  if (approx >= 2 ** 64) return TWO_32 - 1; // overflow: ULONG_MAX
  return negative && low !== 0 ? TWO_32 - low : low;
}

/**
 * `ws_strtou32(s, NULL, &v)` (wsutil/strtoi.c) as the dissector uses it: the whole string must be a
 * decimal number (leading white space allowed, no sign, nothing after); otherwise 0, and an overflow gives
 * 2^32 - 1. Returns [value, valid].
 */
export function wsStrtou32(s: string): [number, boolean] {
  if (s[0] === '-' || s[0] === '+') return [0, false];
  let i = 0;
  while (i < s.length && isCSpace(s.charCodeAt(i))) i++;
  const first = i;
  let approx = 0;
  while (i < s.length && isDigit(s.charCodeAt(i))) approx = approx * 10 + (s.charCodeAt(i++) - 0x30);
  if (i === first || i !== s.length) return [0, false];
  if (approx > TWO_32 - 1) return [TWO_32 - 1, false];
  return [approx, true];
}

// ---- the start line (packet-sip.c sip_parse_line, dfilter_sip_request_line, dfilter_sip_status_line) ----

export interface StartLine {
  kind: 'request' | 'status';
  /** Offset and length of the line (without its CR LF). */
  offset: number;
  length: number;
  /** Length of the first token (the method of a request). */
  token1: number;
  /** Offset of the first header line. */
  next: number;
}

const line = { length: 0, next: 0 };

/**
 * The start line, or undefined when Wireshark would not take the bytes for SIP (dissect_sip_common returns
 * -2: first byte not printable, empty first line, a NUL in it, or neither a Request-Line nor a Status-Line
 * with the strict "SIP/2.0" version).
 */
export function parseStartLine(t: Tvb): StartLine | undefined {
  const { b, start, end } = t;
  if (end - start < 1 || b[start] < 0x20 || b[start] > 0x7e) return undefined;
  t.lineEnd(start, line);
  const length = line.length;
  const next = line.next;
  if (length === 0) return undefined;
  for (let i = start; i < start + length; i++) if (b[i] === 0) return undefined;
  // sip_parse_line: the spaces are searched to the end of the message, not of the line.
  let space = t.find(start, -1, SP);
  if (space === -1 || space === start) return undefined;
  const token1 = space - start;
  const token2Start = space + 1;
  space = t.find(token2Start, -1, SP);
  if (space === -1) return undefined;
  const token2Length = space - token2Start;
  const token3Start = space + 1;
  const token3Length = start + length - token3Start;
  if (token1 === 7 && t.strneql(start, 'SIP/2.0')) {
    if (token2Length !== 3 || !isDigit(b[token2Start]) || !isDigit(b[token2Start + 1]) || !isDigit(b[token2Start + 2])) return undefined;
    return { kind: 'status', offset: start, length, token1, next };
  }
  if (token2Length < 3) return undefined;
  const colon = t.find(token2Start + 1, -1, 0x3a);
  if (colon === -1 || colon >= token3Start) return undefined;
  if (token3Length !== 7 || !t.strneql(token3Start, 'SIP/2.0')) return undefined;
  return { kind: 'request', offset: start, length, token1, next };
}

// ---- URIs (packet-sip.c dissect_sip_uri, dissect_sip_name_addr_or_addr_spec, display_sip_uri) ------------

interface UriOffsets {
  sip: boolean;
  displayStart: number;
  displayEnd: number;
  uriStart: number;
  uriEnd: number;
  paramsStart: number;
  nameAddrStart: number;
  nameAddrEnd: number;
  userStart: number;
  userEnd: number;
  hostStart: number;
  hostEnd: number;
  portStart: number;
  portEnd: number;
}

function newUriOffsets(): UriOffsets {
  return {
    sip: false,
    displayStart: -1,
    displayEnd: -1,
    uriStart: -1,
    uriEnd: -1,
    paramsStart: -1,
    nameAddrStart: -1,
    nameAddrEnd: -1,
    userStart: -1,
    userEnd: -1,
    hostStart: -1,
    hostEnd: -1,
    portStart: -1,
    portEnd: -1,
  };
}

/** `tvb_find_guint8(...) + 1` as Wireshark computes it: a miss (-1) gives offset 0, the message start. */
function afterFound(t: Tvb, found: number): number {
  return found < 0 ? t.start : found + 1;
}

/** dissect_sip_uri: the user, host, port and parameter offsets of the URI at `start`. */
function dissectSipUri(t: Tvb, start: number, lineEnd: number, u: UriOffsets): number {
  const current = t.skipWsp(start, lineEnd - start);
  if (current >= lineEnd) return -1;
  u.uriStart = current;
  // Only "sip" (case-sensitive; "sips" too) URIs are split into parts; tel: and others stay whole.
  if (!t.strneql(current, 'sip')) return u.uriEnd !== -1 ? u.nameAddrEnd : -1;
  u.sip = true;
  if (u.uriEnd === -1) {
    // addr-spec without < >: the URI ends at the first ',' or ';' (then a header parameter), else at the line end.
    const endOffset = t.pbrk(current, lineEnd - current, PBRK_COMMA_SEMI);
    u.uriEnd = endOffset !== -1 ? endOffset - 1 : lineEnd - 3;
    u.nameAddrEnd = u.uriEnd;
  }
  const at = t.find(u.uriStart, u.uriEnd - u.uriStart, 0x40);
  if (at === -1) {
    u.hostStart = afterFound(t, t.find(u.uriStart, u.uriEnd - u.uriStart, 0x3a));
  } else {
    u.userStart = afterFound(t, t.find(u.uriStart, u.uriEnd - u.uriStart, 0x3a));
    u.userEnd = t.find(u.userStart, u.uriEnd - u.uriStart, 0x40) - 1;
    u.hostStart = u.userEnd + 2;
  }
  let p = u.hostStart;
  let c = 0;
  let inIpv6 = t.get(p) === 0x5b;
  hostLoop: while (p < lineEnd) {
    p++;
    p = t.pbrk(p, lineEnd - p, PBRK_PARAM_END_COLON_BRACKETS);
    if (p === -1) {
      p = lineEnd;
      break;
    }
    c = t.found;
    switch (c) {
      case 0x3b: // ';'
        u.paramsStart = p + 1;
        break hostLoop;
      case 0x3a: // ':'
        if (!inIpv6) break hostLoop;
        break;
      case 0x5b:
        inIpv6 = true;
        break;
      case 0x5d:
        inIpv6 = false;
        break;
      default: // '>' ',' '?' ' ' '\r'
        break hostLoop;
    }
  }
  u.hostEnd = p - 1;
  if (c === 0x3a) {
    u.portStart = p + 1;
    p = u.portStart;
    // Wireshark's port loop ends at its first search: the port runs to the next '>', ',', ';', '?', SP or CR.
    if (p < lineEnd) {
      p++;
      p = t.pbrk(p, lineEnd - p, PBRK_PARAM_END);
      if (p === -1) p = lineEnd;
      else if (t.found === 0x3b) u.paramsStart = p + 1;
    }
    u.portEnd = p - 1;
  }
  return u.nameAddrEnd;
}

/** dissect_sip_name_addr_or_addr_spec: display name, then `<URI>` or a bare URI. */
function dissectNameAddr(t: Tvb, start: number, lineEnd: number, u: UriOffsets): number {
  let current = t.skipWsp(start, lineEnd - start);
  if (current >= lineEnd) return -1;
  u.nameAddrStart = current;
  let bare = false;
  const c = t.get(current);
  if (c === 0x22) {
    // A quoted display name: up to the next '"' not escaped by an odd number of backslashes.
    u.displayStart = current;
    for (;;) {
      const q = t.find(current + 1, lineEnd - (current + 1), 0x22);
      if (q === -1) return -1;
      current = q;
      let i = 1;
      while (t.get(q - i) === 0x5c) i++;
      if ((i - 1) % 2 === 0) break;
      if (current >= lineEnd) break;
    }
    if (current >= lineEnd) return -1;
    u.displayEnd = current;
    const lt = t.find(current, lineEnd - current, 0x3c);
    if (lt === -1) return -1;
    current = lt + 1;
  } else if (c === 0x3c) {
    current++;
  } else {
    const lt = t.find(current, lineEnd - current, 0x3c);
    const colon = t.find(current, lineEnd - current, 0x3a);
    if (lt !== -1 && (colon === -1 || lt < colon)) {
      // A token display name, up to the '<' (its trailing blanks included, as Wireshark shows it).
      u.displayStart = current;
      u.displayEnd = lt - 1;
      current = lt + 1;
    } else if (colon !== -1) bare = true;
    else return -1;
  }
  u.uriStart = current;
  if (!bare) {
    const gt = t.find(current, lineEnd - current, 0x3e);
    if (gt === -1) return -1;
    u.nameAddrEnd = gt;
    u.uriEnd = gt - 1;
  }
  return dissectSipUri(t, current, lineEnd, u);
}

/**
 * display_sip_uri: emits the URI's items in Wireshark's order. Only the wanted field's values are decoded;
 * the others are bounds-checked all the same, so that a span Wireshark would refuse still ends the dissection.
 */
function displaySipUri(t: Tvb, u: UriOffsets, family: UriFamily, emit: Emit): void {
  const item = (field: string, off: number, length: number, alsoDisplay = false) => {
    // The display name is also a `sip.display.info` item (whichever header it is in).
    if (alsoDisplay && emit.wanted === 'sip.display.info') emit('sip.display.info', t.str(off, length));
    else put(t, emit, field, off, length);
  };
  if (u.displayEnd !== u.displayStart) item(family.display, u.displayStart, u.displayEnd - u.displayStart + 1, true);
  item(family.addr, u.uriStart, u.uriEnd - u.uriStart + 1);
  if (!u.sip) return;
  // A one-character user or port is not shown (`end > start`, not `>=`): Wireshark's test, kept.
  if (u.userEnd > u.userStart) item(family.user, u.userStart, u.userEnd - u.userStart + 1);
  item(family.host, u.hostStart, u.hostEnd - u.hostStart + 1);
  if (u.portEnd > u.portStart) item(family.port, u.portStart, u.portEnd - u.portStart + 1);
  if (u.paramsStart !== -1) {
    let current = u.paramsStart;
    let paramStart = current;
    while (current < u.nameAddrEnd) {
      const q = t.pbrk(current, u.nameAddrEnd - current, PBRK_COMMA_SEMI);
      let paramEnd: number;
      if (q === -1) {
        paramEnd = t.get(u.nameAddrEnd) === 0x3e ? u.nameAddrEnd - 1 : u.nameAddrEnd;
        current = u.nameAddrEnd;
      } else if (t.found === 0x2c) {
        paramEnd = q;
        current = q + 1;
      } else {
        paramEnd = q - 1;
        current = t.skipWsp(q + 1, u.nameAddrEnd - q + 1);
      }
      item(family.param, paramStart, paramEnd - paramStart + 1);
      paramStart = current;
    }
  }
}

// ---- the header section -------------------------------------------------------------------------------

/** One header field as dissect_sip_common sees it. */
export interface HeaderLine {
  /** Start of the line (the name). */
  offset: number;
  /** The first ':' of the (folded) line: the name is [offset, colon). */
  colon: number;
  /** First non-blank after the colon. */
  valueOffset: number;
  /** End of the (last, for a folded header) line, before its CR LF. */
  lineEnd: number;
  /** Start of the next header line. */
  next: number;
}

/** What the walk found besides the headers. */
interface WalkResult {
  /** Offset and length of the body (length 0: none). */
  bodyOffset: number;
  bodyLength: number;
  /** The last Content-Type value, lower-cased up to its parameters, and the parameters (for multipart). */
  mediaType?: string;
  mediaParameters?: string;
}

/** A header name as the walk compares it: lower-case bytes, and the compact letter. */
interface HeaderName {
  lower: Uint8Array;
  compact: number;
}

function headerName(name: string, compact?: string): HeaderName {
  const lowerName = name.toLowerCase();
  const bytes = new Uint8Array(lowerName.length);
  for (let i = 0; i < bytes.length; i++) bytes[i] = lowerName.charCodeAt(i);
  return { lower: bytes, compact: compact ? compact.charCodeAt(0) : -1 };
}

/** sip_is_known_sip_header: the name before the colon, lower-cased, is the full name or (one letter) the compact form. */
function nameIs(b: Uint8Array, h: HeaderLine, name: HeaderName): boolean {
  const length = h.colon - h.offset;
  if (length === 1) return lower(b[h.offset]) === name.compact;
  const l = name.lower;
  if (length !== l.length) return false;
  for (let i = 0; i < length; i++) if (lower(b[h.offset + i]) !== l[i]) return false;
  return true;
}

const CSEQ = headerName('CSeq');
const VIA = headerName('Via', 'v');
/** The headers whose value starts with an auth scheme (packet-sip.c: all the POS_AUTHORIZATION cases but Authentication-Info). */
const AUTH_WITH_SCHEME = ['Authorization', 'WWW-Authenticate', 'Proxy-Authenticate', 'Proxy-Authorization'].map((n) => headerName(n));
const NO_TARGETS: readonly HeaderName[] = [];
const CONTENT_LENGTH = headerName('Content-Length', 'l');
const CONTENT_TYPE = headerName('Content-Type', 'c');

/** Longest CSeq method Wireshark copies (MAX_CSEQ_METHOD_SIZE); a longer one ends the dissection. */
const MAX_CSEQ_METHOD = 16;

/**
 * The header loop of dissect_sip_common: calls `visit` for each header line (folded lines joined) until the
 * empty line, then works out the body. A CSeq without a method (or with a method of more than 16 characters)
 * ends the dissection after that header, as in Wireshark: no later header, no body.
 */
function walkHeaders(
  t: Tvb,
  startLine: StartLine,
  targets: readonly HeaderName[],
  visit: ((h: HeaderLine, target: number) => void) | undefined,
  wantBody: boolean,
  /** Called for every header line the walk reads (before any that ends the dissection): see HeaderLines. */
  record?: (h: HeaderLine) => void,
): WalkResult {
  const { b, end } = t;
  const result: WalkResult = { bodyOffset: end, bodyLength: 0 };
  let offset = startLine.next;
  let contentLength = -1;
  const h: HeaderLine = { offset: 0, colon: 0, valueOffset: 0, lineEnd: 0, next: 0 };
  let blank = false;
  while (offset < end) {
    // tvb_find_line_end, inlined: the hot loop of every field.
    let eol = offset;
    while (eol < end && b[eol] !== CR && b[eol] !== LF) eol++;
    let next = eol < end && b[eol] === CR && eol + 1 < end && b[eol + 1] === LF ? eol + 2 : eol < end ? eol + 1 : end;
    if (eol === offset) {
      offset = next;
      blank = true;
      break;
    }
    let lineEnd = eol;
    // Continuation lines (RFC 3261 §7.3.1) extend the header, their CR LF included.
    while (next < end && (b[next] === SP || b[next] === HT)) {
      t.lineEnd(next, line);
      lineEnd = next + line.length;
      next = line.next;
    }
    let colon = offset;
    while (colon < lineEnd && b[colon] !== 0x3a) colon++;
    if (colon < lineEnd) {
      h.offset = offset;
      h.colon = colon;
      h.lineEnd = lineEnd;
      h.next = next;
      if (record) record(h);
      let target = -1;
      for (let i = 0; i < targets.length; i++) {
        if (nameIs(b, h, targets[i])) {
          target = i;
          break;
        }
      }
      const cseq = nameIs(b, h, CSEQ);
      const via = nameIs(b, h, VIA) && mayHaveBeRoute(b, colon, lineEnd);
      let auth = false;
      if (colon - offset >= 13) {
        for (let i = 0; i < AUTH_WITH_SCHEME.length && !auth; i++) auth = nameIs(b, h, AUTH_WITH_SCHEME[i]);
      }
      const contentLengthHeader = wantBody && nameIs(b, h, CONTENT_LENGTH);
      const contentTypeHeader = wantBody && !contentLengthHeader && nameIs(b, h, CONTENT_TYPE);
      if (target >= 0 || cseq || via || auth || contentLengthHeader || contentTypeHeader) {
        h.valueOffset = t.skipWsp(colon + 1, lineEnd - (colon + 1));
        if (target >= 0 && visit) visit(h, target);
        if (via && viaEndsDissection(t, h)) return result;
        if (auth && authEndsDissection(t, h)) return result;
        if (cseq && cseqEndsDissection(t, h)) return result;
        // content_length is a C int filled by ws_strtou32: invalid → 0, overflow → -1 (no limit).
        if (contentLengthHeader) contentLength = wsStrtou32(t.str(h.valueOffset, lineEnd - h.valueOffset))[0] | 0;
        if (contentTypeHeader) readContentType(t, h, result);
      }
    }
    offset = next;
  }
  if (!blank) return result;
  let length = end - offset;
  if (contentLength !== -1 && length > contentLength) length = contentLength;
  if (length > 0) {
    result.bodyOffset = offset;
    result.bodyLength = length;
  }
  return result;
}

/** What the CSeq case of dissect_sip_common finds in a CSeq value. */
interface CseqParts {
  /** The sequence number, when a non-digit follows the digits. */
  seq?: number;
  /** Offset (in the message) and length of the method item. */
  methodOffset?: number;
  methodLength?: number;
  /** A method longer than 16 bytes: the second sip.CSeq value Wireshark adds. */
  tooBig?: string;
  /** The dissection ends here (no method, or too long a one). */
  ends: boolean;
}

const utf8Encoder = new TextEncoder();

/**
 * The CSeq case, as Wireshark runs it: over the value converted to UTF-8 (an invalid byte becomes the
 * 3-byte U+FFFD) but bounded by the raw length, and the method item then taken from the raw bytes at the
 * index found in the converted text — so `2 \xc2YE` has no method (and ends the dissection) and
 * `1 I\xffNVITE` has the method "VITE", as tshark shows.
 */
function cseqParts(t: Tvb, h: HeaderLine, values = true): CseqParts {
  const valueLength = h.lineEnd - h.valueOffset;
  const converted = convertedValue(t, h);
  const parts: CseqParts = { ends: false };
  let i = skipDigits(converted, 0, valueLength);
  if (i < valueLength && values) parts.seq = strtoul32(cString(converted, 0));
  i = skipToLetter(converted, i, valueLength);
  if (i === valueLength) {
    parts.ends = true;
    return parts;
  }
  if (valueLength - i > MAX_CSEQ_METHOD) {
    if (values) parts.tooBig = cString(converted, i);
    parts.ends = true;
    return parts;
  }
  parts.methodOffset = h.valueOffset + i;
  parts.methodLength = valueLength - i;
  return parts;
}

/**
 * The header value as the dissector's `value` buffer holds it (tvb_get_string_enc, ENC_UTF_8): converted to
 * UTF-8 (an invalid byte becomes the 3 bytes of U+FFFD), NUL bytes kept — the C functions stop at them,
 * the loops that index the buffer do not.
 */
function convertedValue(t: Tvb, h: HeaderLine): Uint8Array {
  const raw = t.b.subarray(h.valueOffset, h.lineEnd);
  for (let i = 0; i < raw.length; i++) if (raw[i] >= 0x80) return utf8Encoder.encode(decodeText(t.b, h.valueOffset, h.lineEnd));
  return raw;
}

/** The byte at `i` of the `value` buffer (bounded by the raw length): past the converted text, its NUL. */
function valueByte(value: Uint8Array, i: number): number {
  return i < value.length ? value[i] : 0;
}

/** From `i`, the first index below `limit` whose byte is not a digit (`limit` when all are). */
function skipDigits(value: Uint8Array, i: number, limit: number): number {
  while (i < limit && isDigit(valueByte(value, i))) i++;
  return i;
}

/** From `i`, the first index below `limit` whose byte is a letter (`limit` when none is). */
function skipToLetter(value: Uint8Array, i: number, limit: number): number {
  while (i < limit && !isAlpha(valueByte(value, i))) i++;
  return i;
}

/** A C string read from `buffer` at `from` (up to its NUL), decoded. */
function cString(buffer: Uint8Array, from: number): string {
  let stop = from;
  while (stop < buffer.length && buffer[stop] !== 0) stop++;
  return from < stop ? decodeText(buffer, from, stop) : '';
}

/**
 * Whether the Authorization-like case ends the dissection: a value with no blank after the scheme
 * (`Digest,realm=...`) gives the scheme item a negative length, and Wireshark throws.
 */
function authEndsDissection(t: Tvb, h: HeaderLine): boolean {
  if (h.lineEnd === h.valueOffset) return false;
  const b = t.b;
  for (let i = h.valueOffset; i < h.lineEnd; i++) if (PBRK_WHITESPACE[b[i]] === 1) return false;
  return true;
}

/** Whether the Via case ends the dissection (a `be-route=` parameter: Wireshark's failed assertion). */
function viaEndsDissection(t: Tvb, h: HeaderLine): boolean {
  try {
    viaHeader(t, h, NO_EMIT, { cseqSeen: false });
  } catch (e) {
    if (e === BE_ROUTE_ASSERTION) return true;
    throw e;
  }
  return false;
}

/** The CSeq case of dissect_sip_common: true when it returns (no method after the number, or too long a one). */
function cseqEndsDissection(t: Tvb, h: HeaderLine): boolean {
  return cseqParts(t, h, false).ends;
}

/** POS_CONTENT_TYPE: the media type lower-cased (blanks before ';' dropped) and the parameters after ';'. */
function readContentType(t: Tvb, h: HeaderLine, out: WalkResult): void {
  const valueLength = h.lineEnd - h.valueOffset;
  let typeLength = valueLength;
  const semi = t.find(h.valueOffset, valueLength, 0x3b);
  out.mediaParameters = undefined;
  if (semi !== -1) {
    const parameters = t.skipWsp(semi + 1, h.valueOffset + valueLength - (semi + 1));
    typeLength = t.skipWspReturn(semi - 1) - h.valueOffset;
    out.mediaParameters = t.str(parameters, h.valueOffset + valueLength - parameters);
  }
  out.mediaType = t.str(h.valueOffset, typeLength).toLowerCase();
}

// ---- per-header dissection (the cases of the switch in dissect_sip_common) ------------------------------

/** Receives a sub-field value: the field's name and its value. */
export interface Emit {
  (field: string, value: FieldValue): void;
  /** The one field whose values are collected: the others need not be decoded. */
  readonly wanted: string;
}

/** Emits the string item [off, off + length) — decoded only when it is the wanted field, bounds-checked always. */
export function put(t: Tvb, emit: Emit, field: string, off: number, length: number): void {
  if (emit.wanted === field) emit(field, t.str(off, length));
  else t.check(off, length);
}

/** An emitter that wants nothing: runs a dissection for its side effects (where it ends). */
export const NO_EMIT: Emit = Object.assign(() => {}, { wanted: '' });

export function collector(field: string, out: FieldValue[]): Emit {
  const emit = (name: string, value: FieldValue) => {
    if (name === field) out.push(value);
  };
  return Object.assign(emit, { wanted: field });
}

/** Per-message state the header cases share. */
interface DissectState {
  /** A CSeq header was dissected (its subtree exists: RAck's method is only added under it). */
  cseqSeen: boolean;
}

type HeaderDissector = (t: Tvb, h: HeaderLine, emit: Emit, state: DissectState) => void;

/** A URI family: the field names display_sip_uri fills (`hf_sip_uri_t`). */
interface UriFamily {
  display: string;
  addr: string;
  user: string;
  host: string;
  port: string;
  param: string;
}

function uriFamily(prefix: string, addr: string): UriFamily {
  return {
    display: `${prefix}.display.info`,
    addr: `${prefix}.${addr}`,
    user: `${prefix}.user`,
    host: `${prefix}.host`,
    port: `${prefix}.port`,
    param: `${prefix}.param`,
  };
}

const RURI = uriFamily('sip.r-uri', '');
RURI.addr = 'sip.r-uri';
const TO = uriFamily('sip.to', 'addr');
const FROM = uriFamily('sip.from', 'addr');
const CONTACT = uriFamily('sip.contact', 'uri');
CONTACT.addr = 'sip.contact.uri';
const PAI = uriFamily('sip.pai', 'addr');
const PPI = uriFamily('sip.ppi', 'addr');
const PMISS = uriFamily('sip.pmiss', 'addr');
const ROUTE = uriFamily('sip.Route', 'uri');
const RECORD_ROUTE = uriFamily('sip.Record-Route', 'uri');
const SERVICE_ROUTE = uriFamily('sip.Service-Route', 'uri');
const PATH = uriFamily('sip.Path', 'uri');

/**
 * The name-addr at the start of a header value, parsed to the line end + 2 (CR LF included, as the To, From,
 * P-Asserted-Identity, P-Preferred-Identity and Permission-Missing cases pass it), and its items; returns the
 * offset after it, or -1 when it does not parse.
 */
function valueNameAddr(t: Tvb, h: HeaderLine, family: UriFamily, emit: Emit): number {
  const u = newUriOffsets();
  if (dissectNameAddr(t, h.valueOffset, h.lineEnd + 2, u) === -1) return -1;
  displaySipUri(t, u, family, emit);
  return u.nameAddrEnd + 1;
}

/** POS_TO / POS_FROM: the name-addr, then the first "tag=" after it (from the line start when it does not parse). */
function toOrFrom(family: UriFamily, tagField: string): HeaderDissector {
  return (t, h, emit) => {
    const nameAddrEnd = valueNameAddr(t, h, family, emit);
    let p = nameAddrEnd === -1 ? h.offset : nameAddrEnd;
    while (p < h.lineEnd && !t.strneql(p, 'tag=')) p++;
    if (p < h.lineEnd) {
      p += 4;
      let end = t.find(p, h.lineEnd - p, 0x3b);
      if (end === -1) end = h.lineEnd;
      const tag = t.str(p, end - p);
      emit(tagField, tag);
      emit('sip.tag', tag);
    }
  };
}

/** POS_P_ASSERTED_IDENTITY, POS_P_PREFERRED_IDENTITY, POS_PERMISSION_MISSING: the first name-addr only. */
function firstNameAddr(family: UriFamily): HeaderDissector {
  return (t, h, emit) => {
    valueNameAddr(t, h, family, emit);
  };
}

/** dissect_sip_route_header: Route, Record-Route, Service-Route, Path, split at the commas. */
function routeHeader(family: UriFamily): HeaderDissector {
  return (t, h, emit) => {
    const lineEnd = h.lineEnd;
    let start = h.valueOffset;
    let current = t.skipWsp(start, lineEnd - start);
    if (current >= lineEnd) return;
    while (current < lineEnd) {
      current = t.find(current, lineEnd - 1 - current, 0x2c);
      const u = newUriOffsets();
      if (current !== -1) {
        current = dissectNameAddr(t, start, current, u);
        if (current === -1) return;
        displaySipUri(t, u, family, emit);
        current++;
        start = current + 1;
      } else {
        if (dissectNameAddr(t, start, lineEnd, u) === -1) return;
        displaySipUri(t, u, family, emit);
        return;
      }
      current++;
    }
  };
}

/** POS_CONTACT: `*`, or contact items (dissect_sip_contact_item) up to the end of the line, CR LF included. */
const contactHeader: HeaderDissector = (t, h, emit) => {
  if (t.get(h.valueOffset) === 0x2a) return;
  commaSeparatedItems(t, h.valueOffset, h.next, emit, contactItem);
};

/**
 * The item loop of the Contact and Authorization-like cases: `item` dissects one item from `start` and
 * returns where it stopped (-1: give up); at a ',' there, the next item starts after it.
 */
function commaSeparatedItems(t: Tvb, start: number, lineEnd: number, emit: Emit, item: (t: Tvb, start: number, lineEnd: number, emit: Emit) => number): void {
  let comma = start;
  while ((comma = item(t, comma, lineEnd, emit)) !== -1) {
    if (comma === lineEnd) break;
    if (t.get(comma) !== 0x2c) break;
    comma++;
  }
}

function contactItem(t: Tvb, start: number, lineEnd: number, emit: Emit): number {
  start = t.skipWsp(start, lineEnd - start);
  if (start >= lineEnd) return -1;
  const u = newUriOffsets();
  if (dissectNameAddr(t, start, lineEnd, u) === -1) return -1;
  displaySipUri(t, u, CONTACT, emit);
  const comma = t.find(u.uriEnd, lineEnd - u.uriEnd, 0x2c);
  let paramStart = t.find(u.uriEnd, lineEnd - u.uriEnd, 0x3b);
  if (comma !== -1 && (comma < paramStart || paramStart === -1)) return comma;
  if (paramStart === -1) return lineEnd;
  paramStart++;
  let current = paramStart;
  let queried = current;
  let endOfHeader = false;
  while (current < lineEnd) {
    let c = 0;
    queried++;
    queried = queried < lineEnd ? t.pbrk(queried, lineEnd - queried, PBRK_HEADER_END_DQUOTE) : -1;
    if (queried !== -1) {
      c = t.found;
      if (c === CR || c === LF) endOfHeader = true;
    }
    if (queried === -1) current = lineEnd;
    else if (c === 0x22) {
      // A quoted value: after the closing quote the parameter runs to the next ',' or ';' — or to the
      // end of the line, its CR LF included (Wireshark shows `+sip.instance="<urn:...>"\r\n`).
      queried = t.find(queried + 1, lineEnd - queried, 0x22);
      if (queried === -1) current = lineEnd;
      else {
        current = t.pbrk(queried + 1, lineEnd - queried, PBRK_COMMA_SEMI);
        if (current === -1) current = lineEnd;
        else c = t.found;
      }
    } else current = queried;
    emit('sip.contact.parameter', t.str(paramStart, current - paramStart));
    paramStart = current + 1;
    queried = paramStart;
    if (endOfHeader) current = lineEnd;
    if (c === 0x2c) break;
  }
  return current;
}

/** dissect_sip_via_header. */
const VIA_PARAMETERS = new Map<string, string>([
  ['branch', 'sip.Via.branch'],
  ['maddr', 'sip.Via.maddr'],
  ['rport', 'sip.Via.rport'],
  ['received', 'sip.Via.received'],
  ['ttl', 'sip.Via.ttl'],
  ['comp', 'sip.Via.comp'],
  ['sigcomp-id', 'sip.Via.sigcomp-id'],
  ['oc', 'sip.Via.oc'],
  ['oc-validity', 'sip.Via.oc_validity'],
  ['oc-seq', 'sip.Via.oc_seq'],
  ['oc-algo', 'sip.Via.oc_algo'],
  ['be-route', 'sip.Via.be_route'],
]);

const BE_ROUTE_ASSERTION = { beRoute: true } as const;

/** A Via line that may carry a `be-route=` parameter (checked in full by running the Via case). */
function mayHaveBeRoute(b: Uint8Array, from: number, to: number): boolean {
  for (let i = b.indexOf(0x2d, from); i >= 0 && i + 6 < to; i = b.indexOf(0x2d, i + 1)) {
    if (lower(b[i + 1]) === 0x72 && lower(b[i + 2]) === 0x6f && lower(b[i + 3]) === 0x75 && lower(b[i + 4]) === 0x74 && lower(b[i + 5]) === 0x65) return true;
  }
  return false;
}

const viaHeader: HeaderDissector = (t, h, emit) => {
  const lineEnd = h.lineEnd;
  let current = h.valueOffset;
  for (;;) {
    let ipv6Reference = false;
    let ipv6Address = false;
    let c = 0;
    current = t.skipWsp(current, lineEnd - current);
    if (current >= lineEnd) return;
    // Past "SIP/2.0/" (two slashes) to the transport.
    current = t.find(current, lineEnd - current, 0x2f);
    if (current !== -1) {
      current++;
      current = t.find(current, lineEnd - current, 0x2f);
    }
    if (current !== -1) {
      current++;
      current = t.skipWsp(current, lineEnd - current);
    } else current = lineEnd;
    while (current < lineEnd) {
      const transportStart = current;
      current = t.pbrk(current, lineEnd - current, PBRK_TAB_SP_FSLASH);
      if (current !== -1) {
        c = t.found;
        put(t, emit, 'sip.Via.transport', transportStart, current - transportStart);
        if (c === 0x2f) {
          current++;
          continue;
        }
        current = t.skipWsp(current, lineEnd - current);
        c = t.get(current);
        if (c === 0x2f) {
          current++;
          continue;
        }
        break;
      } else current = lineEnd;
    }
    current = t.skipWsp(current, lineEnd - current);
    const addressStart = current;
    while (current < lineEnd) {
      current = t.pbrk(current, lineEnd - current, PBRK_ADDR_END);
      if (current === -1) {
        current = lineEnd;
        break;
      }
      c = t.found;
      if (c === 0x5b) {
        ipv6Reference = true;
        ipv6Address = true;
      } else if (c === 0x5d) ipv6Reference = false;
      if (c === SP || c === HT || (c === 0x3a && !ipv6Reference) || c === 0x3b) break;
      current++;
    }
    if (ipv6Address) put(t, emit, 'sip.Via.sent-by.address', addressStart + 1, current - addressStart - 2);
    else put(t, emit, 'sip.Via.sent-by.address', addressStart, current - addressStart);
    current = t.skipWsp(current, lineEnd - current);
    c = t.get(current);
    if (c === 0x3a) {
      current++;
      current = t.skipWsp(current, lineEnd - current);
      const portOffset = current;
      while (current < lineEnd) {
        c = t.get(current);
        if (!isDigit(c)) {
          if (current > portOffset) {
            // ws_strtou16: an out-of-range port is shown as 65535 (flagged by Wireshark).
            const port = wsStrtou32(t.str(portOffset, current - portOffset))[0];
            emit('sip.Via.sent-by.port', port > 65535 ? 65535 : port);
          } else return;
          break;
        }
        current++;
      }
    }
    current = t.skipWsp(current, lineEnd - current);
    let more = false;
    while (current < lineEnd) {
      let semicolon = 0;
      let endOfParameters = false;
      while (current < lineEnd) {
        c = t.get(current);
        if (c === 0x3b) {
          semicolon = current;
          current++;
          break;
        } else if (c !== SP && c !== HT) {
          endOfParameters = true;
          break;
        }
        current++;
      }
      if (endOfParameters) break;
      if (current === lineEnd) return;
      while (current < lineEnd) {
        c = t.get(current);
        if (!isAlpha(c) && c !== 0x2d) break;
        current++;
      }
      const equals = c === 0x3d;
      const nameEnd = current;
      current = t.pbrk(current, lineEnd - current, PBRK_VIA_PARAM_END);
      if (current === -1) current = lineEnd;
      const name = t.str(semicolon + 1, nameEnd - semicolon - 1).toLowerCase();
      const field = VIA_PARAMETERS.get(name);
      if (field) {
        if (equals) {
          const value = t.str(nameEnd + 1, current - nameEnd - 1);
          emit(field, value);
          if (name === 'oc') emit('sip.Via.oc_val', strtoul32(value));
          // Wireshark 4.0 hands a be-route value to a dissector it never registered: a failed assertion
          // ("Dissector bug") ends the SIP dissection right here, for every field (see walkHeaders).
          if (name === 'be-route') throw BE_ROUTE_ASSERTION;
        } else emit(field, t.str(semicolon + 1, current - semicolon - 1));
      }
      current = t.skipWsp(current, lineEnd - current);
      if (current < lineEnd && t.get(current) === 0x2c) {
        current++;
        more = true;
        break;
      }
    }
    // After a ',' — or at a character that is neither ';' nor ',' — Wireshark starts a new via-parm.
    if (!more && current >= lineEnd) return;
  }
};

/** POS_CSEQ: the number (strtoul of the value) when a non-digit follows it, and the method (from the first letter). */
const cseqHeader: HeaderDissector = (t, h, emit, state) => {
  state.cseqSeen = true;
  const parts = cseqParts(t, h);
  if (parts.seq !== undefined) emit('sip.CSeq.seq', parts.seq);
  // "String too big": Wireshark adds a second sip.CSeq item whose value is the method part.
  if (parts.tooBig !== undefined) emit('sip.CSeq', parts.tooBig);
  if (parts.methodOffset !== undefined) put(t, emit, 'sip.CSeq.method', parts.methodOffset, parts.methodLength as number);
};

/** POS_RACK: RSeq number, CSeq number, and the method (only under an earlier CSeq's subtree: `cseq_tree`). */
const rackHeader: HeaderDissector = (t, h, emit, state) => {
  const valueLength = h.lineEnd - h.valueOffset;
  const value = convertedValue(t, h);
  // As in the CSeq case, a number is added only when a non-digit follows it.
  let i = skipDigits(value, 0, valueLength);
  if (i < valueLength) emit('sip.RAck.RSeq.seq', strtoul32(cString(value, 0)));
  while (i < valueLength && (valueByte(value, i) === SP || valueByte(value, i) === HT)) i++;
  const cseqStart = i;
  i = skipDigits(value, i, valueLength);
  if (i < valueLength) emit('sip.RAck.CSeq.seq', strtoul32(cString(value, cseqStart)));
  i = skipToLetter(value, i, valueLength);
  // Wireshark compares with the line's length here, not the value's (so this almost never returns).
  if (i === h.lineEnd - h.offset) return;
  if (state.cseqSeen) put(t, emit, 'sip.RAck.CSeq.method', h.valueOffset + i, valueLength - i);
};

/** dissect_sip_reason_header: the first reason-value's protocol, cause and text. */
const reasonHeader: HeaderDissector = (t, h, emit) => {
  const lineEnd = h.lineEnd;
  const start = t.skipWsp(h.valueOffset, lineEnd - h.valueOffset);
  if (start >= lineEnd) return;
  let semi = t.find(start, lineEnd - start, 0x3b);
  if (semi === -1) return;
  const protocol = t.str(start, semi - start);
  emit('sip.reason_protocols', protocol);
  let current = afterFound(t, t.find(semi, lineEnd - semi, 0x3d));
  semi = t.find(current, lineEnd - current, 0x3b);
  const length = semi === -1 ? lineEnd - current : semi - current;
  const cause = strtoul32(t.str(current, length));
  const p = protocol.toLowerCase();
  emit(p === 'q.850' ? 'sip.reason_cause_q850' : p === 'sip' ? 'sip.reason_cause_sip' : 'sip.reason_cause_other', cause);
  if (semi === -1) return;
  // `tvb_find_guint8(...) + 1` is never -1: with no quote Wireshark searches from the message start.
  current = afterFound(t, t.find(semi, lineEnd - semi, 0x22));
  const endQuote = t.find(current, lineEnd - current, 0x22);
  if (endQuote === -1) return;
  emit('sip.reason_text', t.str(current, endQuote - current));
};

/** dissect_sip_authorization_item parameter names → fields. */
const AUTH_PARAMETERS = new Map<string, string>([
  ['response', 'sip.auth.digest.response'],
  ['nc', 'sip.auth.nc'],
  ['username', 'sip.auth.username'],
  ['realm', 'sip.auth.realm'],
  ['nonce', 'sip.auth.nonce'],
  ['algorithm', 'sip.auth.algorithm'],
  ['opaque', 'sip.auth.opaque'],
  ['qop', 'sip.auth.qop'],
  ['cnonce', 'sip.auth.cnonce'],
  ['uri', 'sip.auth.uri'],
  ['domain', 'sip.auth.domain'],
  ['stale', 'sip.auth.stale'],
  ['auts', 'sip.auth.auts'],
  ['rspauth', 'sip.auth.rspauth'],
  ['nextnonce', 'sip.auth.nextnonce'],
  ['ik', 'sip.auth.ik'],
  ['ck', 'sip.auth.ck'],
]);

/**
 * POS_AUTHORIZATION, POS_WWW_AUTHENTICATE, POS_PROXY_AUTHENTICATE, POS_PROXY_AUTHORIZATION,
 * POS_AUTHENTICATION_INFO: `sip.auth` (the whole line, name and CR LF included), the scheme, then each
 * parameter's value as written (quotes included).
 */
function authHeader(hasScheme: boolean): HeaderDissector {
  return (t, h, emit) => {
    emit('sip.auth', t.str(h.offset, h.next - h.offset));
    const lineEnd = h.lineEnd;
    if (lineEnd - h.valueOffset === 0) return;
    let comma = h.valueOffset;
    if (hasScheme) {
      comma = t.pbrk(h.valueOffset, lineEnd - h.valueOffset, PBRK_WHITESPACE);
      emit('sip.auth.scheme', t.str(h.valueOffset, comma - h.valueOffset));
    }
    commaSeparatedItems(t, comma, lineEnd, emit, authItem);
  };
}

function authItem(t: Tvb, start: number, lineEnd: number, emit: Emit): number {
  start = t.skipWsp(start, lineEnd - start);
  if (start >= lineEnd) return -1;
  const equals = t.find(start + 1, lineEnd - (start + 1), 0x3d);
  if (equals === -1) return -1;
  const nameEnd = t.skipWspReturn(equals - 1);
  const name = t.str(start, nameEnd - start).toLowerCase();
  const valueOffset = t.skipWsp(equals + 1, lineEnd - (equals + 1));
  let current: number;
  if (t.get(valueOffset) === 0x22) {
    let search = valueOffset;
    let q: number;
    do {
      search++;
      q = t.find(search, lineEnd - search, 0x22);
    } while (q !== -1 && t.get(q - 1) === 0x5c);
    current = q === -1 ? lineEnd : q + 1;
  } else {
    const q = t.find(valueOffset, lineEnd - valueOffset, 0x2c);
    current = q === -1 ? lineEnd : q;
  }
  const field = AUTH_PARAMETERS.get(name);
  if (field) emit(field, t.str(valueOffset, current - valueOffset));
  const q = t.find(current, lineEnd - current, 0x2c);
  return q === -1 ? lineEnd : q;
}

/** Parameter names (lower case) → [field, numeric: the value converted with strtoul]. */
type ParameterFields = ReadonlyMap<string, readonly [field: string, numeric: boolean]>;

/**
 * The `;name=value` parameter loop of dissect_sip_sec_mechanism, dissect_sip_p_access_network_info_header and
 * dissect_sip_p_charging_vector_header, from `current` to `lineEnd`: each parameter runs from its first
 * non-blank to the next ';' (or the line end), its name (compared lower-cased) to the first '=' after its
 * first character. A known name's value is emitted. A parameter without '=' ends the loop in the
 * Security-* case (`stopWithoutEquals`) and is passed over in the other two.
 */
function parameterValues(t: Tvb, current: number, lineEnd: number, fields: ParameterFields, stopWithoutEquals: boolean, emit: Emit): void {
  while (current < lineEnd) {
    current = t.skipWsp(current, lineEnd - current);
    let semi = t.find(current, lineEnd - current, 0x3b);
    if (semi === -1) semi = lineEnd;
    const equals = t.find(current + 1, semi - current, 0x3d);
    if (equals === -1) {
      if (stopWithoutEquals) return;
    } else {
      const known = fields.get(t.str(current, equals - current).toLowerCase());
      if (known) {
        const value = t.str(equals + 1, semi - equals - 1);
        emit(known[0], known[1] ? strtoul32(value) : value);
      }
    }
    current = semi + 1;
  }
}

/** dissect_sip_sec_mechanism parameters → [field, numeric]. */
const SEC_MECHANISM_PARAMETERS: ParameterFields = new Map<string, [string, boolean]>([
  ['alg', ['sip.sec_mechanism.alg', false]],
  ['ealg', ['sip.sec_mechanism.ealg', false]],
  ['prot', ['sip.sec_mechanism.prot', false]],
  ['spi-c', ['sip.sec_mechanism.spi_c', true]],
  ['spi-s', ['sip.sec_mechanism.spi_s', true]],
  ['port1', ['sip.sec_mechanism.port1', true]],
  ['port-c', ['sip.sec_mechanism.port_c', true]],
  ['port2', ['sip.sec_mechanism.port2', true]],
  ['port-s', ['sip.sec_mechanism.port_s', true]],
]);

/** POS_SECURITY_CLIENT / SERVER / VERIFY (RFC 3329 §2.2, TS 33.203): each mechanism, split at the commas. */
const securityHeader: HeaderDissector = (t, h, emit) => {
  const lineEnd = h.lineEnd;
  let valueOffset = h.valueOffset;
  let comma = t.find(valueOffset, lineEnd - valueOffset, 0x2c);
  while (comma < lineEnd) {
    comma = t.find(valueOffset, lineEnd - valueOffset, 0x2c);
    if (comma === -1) comma = lineEnd;
    secMechanism(t, valueOffset, comma, emit);
    comma = valueOffset = comma + 1;
  }
};

function secMechanism(t: Tvb, start: number, lineEnd: number, emit: Emit): void {
  start = t.skipWsp(start, lineEnd - start);
  if (start >= lineEnd) return;
  let semi = t.find(start, lineEnd - start, 0x3b);
  if (semi === -1) semi = lineEnd;
  emit('sip.sec_mechanism', t.str(start, semi - start));
  parameterValues(t, semi + 1, lineEnd, SEC_MECHANISM_PARAMETERS, true, emit);
}

/** The one P-Access-Network-Info parameter Wireshark 4.0 makes a field of. */
const PANI_PARAMETERS: ParameterFields = new Map([['utran-cell-id-3gpp', ['sip.P-Access-Network-Info.utran-cell-id-3gpp', false]]]);

/** dissect_sip_p_access_network_info_header (TS 24.229 §7.2A.4): the access type (only when a ';' follows) and the cell id. */
const paniHeader: HeaderDissector = (t, h, emit) => {
  const lineEnd = h.lineEnd;
  const start = t.skipWsp(h.valueOffset, lineEnd - h.valueOffset);
  if (start >= lineEnd) return;
  const semi = t.find(start, lineEnd - start, 0x3b);
  if (semi === -1) return;
  emit('sip.P-Access-Network-Info.access-type', t.str(start, semi - start));
  parameterValues(t, semi + 1, lineEnd, PANI_PARAMETERS, false, emit);
};

/** The one P-Charging-Vector parameter Wireshark 4.0 looks for by name. */
const PCV_PARAMETERS: ParameterFields = new Map([['icid-gen-addr', ['sip.icid_gen_addr', false]]]);

/**
 * dissect_sip_p_charging_vector_header (RFC 7315 §4.6): the value of the first parameter, whatever its name,
 * is the icid-value; `icid-gen-addr` is looked for by that name (not RFC 7315's `icid-generated-at`). Its start
 * only looks like P-Access-Network-Info's: here a value without ';' is one parameter, there it has no access type.
 */
const pcvHeader: HeaderDissector = (t, h, emit) => {
  const lineEnd = h.lineEnd;
  const start = t.skipWsp(h.valueOffset, lineEnd - h.valueOffset);
  if (start >= lineEnd) return;
  let semi = t.find(start, lineEnd - start, 0x3b);
  if (semi === -1) semi = lineEnd;
  const equals = t.find(start + 1, semi - start, 0x3d);
  if (equals === -1) return;
  emit('sip.icid_value', t.str(equals + 1, semi - equals - 1));
  parameterValues(t, semi + 1, lineEnd, PCV_PARAMETERS, false, emit);
};

/** dissect_sip_p_feature_caps (RFC 6809): the pieces between ";+". */
const featureCapsHeader: HeaderDissector = (t, h, emit) => {
  const lineEnd = h.lineEnd;
  let next = t.skipWsp(h.valueOffset, lineEnd - h.valueOffset);
  while (next < lineEnd) {
    const current = next;
    next = t.find2(current, lineEnd - current, 0x3b, 0x2b);
    let length: number;
    if (next === -1) {
      length = lineEnd - current;
      next = lineEnd;
    } else {
      length = next - current;
      next += 2;
    }
    emit('sip.feature_cap', t.str(current, length));
  }
};

// ---- the header fields (hf_header_array) ------------------------------------------------------------------

/** How a header's own field reads its value. */
type HeaderValueKind = 'string' | 'strtoul' | 'ws_strtou32';

/**
 * Wireshark 4.0's SIP header table (packet-sip.c `sip_headers`, `hf_header_array`): the header name, its
 * compact form, the filter field and its type, and the field's description — generated from
 * `tshark -G fields` (4.0.17). The field name is not always `sip.<Header>`: `sip.ETag`, `sip.If_Match`,
 * `sip.Suppress_If_Match`, `sip.Policy_Contact`, `sip.Policy_ID`, `sip.uui`, `sip.Referred-by`...
 */
const HEADER_TABLE: ReadonlyArray<[name: string, compact: string | undefined, field: string, type: 'string' | 'number', description: string]> = [
  ['Accept', undefined, 'sip.Accept', 'string', 'RFC 3261: Accept Header'],
  ['Accept-Contact', 'a', 'sip.Accept-Contact', 'string', 'RFC 3841: Accept-Contact Header'],
  ['Accept-Encoding', undefined, 'sip.Accept-Encoding', 'string', 'RFC 3841: Accept-Encoding Header'],
  ['Accept-Language', undefined, 'sip.Accept-Language', 'string', 'RFC 3261: Accept-Language Header'],
  ['Accept-Resource-Priority', undefined, 'sip.Accept-Resource-Priority', 'string', 'Draft: Accept-Resource-Priority Header'],
  ['Additional-Identity', undefined, 'sip.Additional-Identity', 'string', 'Additional-Identity'],
  ['Alert-Info', undefined, 'sip.Alert-Info', 'string', 'RFC 3261: Alert-Info Header'],
  ['Allow', undefined, 'sip.Allow', 'string', 'RFC 3261: Allow Header'],
  ['Allow-Events', 'u', 'sip.Allow-Events', 'string', 'RFC 3265: Allow-Events Header'],
  ['Answer-Mode', undefined, 'sip.Answer-Mode', 'string', 'RFC 5373: Answer-Mode Header'],
  ['Attestation-Info', undefined, 'sip.Attestation-Info', 'string', 'Attestation-Info'],
  ['Authentication-Info', undefined, 'sip.Authentication-Info', 'string', 'RFC 3261: Authentication-Info Header'],
  ['Authorization', undefined, 'sip.Authorization', 'string', 'RFC 3261: Authorization Header'],
  ['Call-ID', 'i', 'sip.Call-ID', 'string', 'RFC 3261: Call-ID Header'],
  ['Call-Info', undefined, 'sip.Call-Info', 'string', 'RFC 3261: Call-Info Header'],
  ['Cellular-Network-Info', undefined, 'sip.Cellular-Network-Info', 'string', 'Cellular-Network-Info'],
  ['Contact', 'm', 'sip.Contact', 'string', 'RFC 3261: Contact Header'],
  ['Content-Disposition', undefined, 'sip.Content-Disposition', 'string', 'RFC 3261: Content-Disposition Header'],
  ['Content-Encoding', 'e', 'sip.Content-Encoding', 'string', 'RFC 3261: Content-Encoding Header'],
  ['Content-Language', undefined, 'sip.Content-Language', 'string', 'RFC 3261: Content-Language Header'],
  ['Content-Length', 'l', 'sip.Content-Length', 'number', 'RFC 3261: Content-Length Header'],
  ['Content-Type', 'c', 'sip.Content-Type', 'string', 'RFC 3261: Content-Type Header'],
  ['CSeq', undefined, 'sip.CSeq', 'string', 'RFC 3261: CSeq Header'],
  ['Date', undefined, 'sip.Date', 'string', 'RFC 3261: Date Header'],
  ['Error-Info', undefined, 'sip.Error-Info', 'string', 'RFC 3261: Error-Info Header'],
  ['Event', 'o', 'sip.Event', 'string', 'RFC 3265: Event Header'],
  ['Expires', undefined, 'sip.Expires', 'number', 'RFC 3261: Expires Header'],
  ['Feature-Caps', undefined, 'sip.Feature-Caps', 'string', 'RFC 6809: Feature-Caps'],
  ['Flow-Timer', undefined, 'sip.Flow-Timer', 'string', 'RFC 5626: Flow-Timer'],
  ['From', 'f', 'sip.From', 'string', 'RFC 3261: From Header'],
  ['Geolocation', undefined, 'sip.Geolocation', 'string', 'Geolocation'],
  ['Geolocation-Error', undefined, 'sip.Geolocation-Error', 'string', 'Geolocation-Error'],
  ['Geolocation-Routing', undefined, 'sip.Geolocation-Routing', 'string', 'Geolocation-Routing'],
  ['History-Info', undefined, 'sip.History-Info', 'string', 'RFC 4244: Request History Information'],
  ['Identity', 'y', 'sip.Identity', 'string', 'RFC 4474: Request Identity'],
  ['Identity-Info', 'n', 'sip.Identity-info', 'string', 'RFC 4474: Request Identity-info'],
  ['Info-Package', undefined, 'sip.Info-Package', 'string', 'Info-Package'],
  ['In-Reply-To', undefined, 'sip.In-Reply-To', 'string', 'RFC 3261: In-Reply-To Header'],
  ['Join', undefined, 'sip.Join', 'string', 'Draft: Join Header'],
  ['Max-Breadth', undefined, 'sip.Max-Breadth', 'number', 'RFC 5393: Max-Breadth Header'],
  ['Max-Forwards', undefined, 'sip.Max-Forwards', 'number', 'RFC 3261: Max-Forwards Header'],
  ['MIME-Version', undefined, 'sip.MIME-Version', 'string', 'RFC 3261: MIME-Version Header'],
  ['Min-Expires', undefined, 'sip.Min-Expires', 'string', 'RFC 3261: Min-Expires Header'],
  ['Min-SE', undefined, 'sip.Min-SE', 'string', 'Draft: Min-SE Header'],
  ['Organization', undefined, 'sip.Organization', 'string', 'RFC 3261: Organization Header'],
  ['Origination-Id', undefined, 'sip.Origination-Id', 'string', 'Origination-Id'],
  ['P-Access-Network-Info', undefined, 'sip.P-Access-Network-Info', 'string', 'P-Access-Network-Info Header'],
  ['P-Answer-State', undefined, 'sip.P-Answer-State', 'string', 'RFC 4964: P-Answer-State Header'],
  ['P-Asserted-Identity', undefined, 'sip.P-Asserted-Identity', 'string', 'RFC 3325: P-Asserted-Identity Header'],
  ['P-Asserted-Service', undefined, 'sip.P-Asserted-Service', 'string', 'P-Asserted-Service'],
  ['P-Associated-URI', undefined, 'sip.P-Associated-URI', 'string', 'RFC 3455: P-Associated-URI Header'],
  ['P-Called-Party-ID', undefined, 'sip.P-Called-Party-ID', 'string', 'RFC 3455: P-Called-Party-ID Header'],
  ['P-Charge-Info', undefined, 'sip.P-Charge-Info', 'string', 'P-Charge-Info'],
  ['P-Charging-Function-Addresses', undefined, 'sip.P-Charging-Function-Addresses', 'string', 'P-Charging-Function-Addresses'],
  ['P-Charging-Vector', undefined, 'sip.P-Charging-Vector', 'string', 'P-Charging-Vector Header'],
  ['P-DCS-Trace-Party-ID', undefined, 'sip.P-DCS-Trace-Party-ID', 'string', 'P-DCS-Trace-Party-ID Header'],
  ['P-DCS-OSPS', undefined, 'sip.P-DCS-OSPS', 'string', 'P-DCS-OSPS Header'],
  ['P-DCS-Billing-Info', undefined, 'sip.P-DCS-Billing-Info', 'string', 'P-DCS-Billing-Info Header'],
  ['P-DCS-LAES', undefined, 'sip.P-DCS-LAES', 'string', 'P-DCS-LAES Header'],
  ['P-DCS-Redirect', undefined, 'sip.P-DCS-Redirect', 'string', 'P-DCS-Redirect Header'],
  ['P-Early-Media', undefined, 'sip.P-Early-Media', 'string', 'P-Early-Media Header'],
  ['P-Media-Authorization', undefined, 'sip.P-Media-Authorization', 'string', 'RFC 3313: P-Media-Authorization Header'],
  ['P-Preferred-Identity', undefined, 'sip.P-Preferred-Identity', 'string', 'RFC 3325: P-Preferred-Identity Header'],
  ['P-Preferred-Service', undefined, 'sip.P-Preferred-Service', 'string', 'P-Preferred-Service'],
  ['P-Profile-Key', undefined, 'sip.P-Profile-Key', 'string', 'P-Profile-Key Header'],
  ['P-Refused-URI-List', undefined, 'sip.P-Refused-URI-List', 'string', 'P-Refused-URI-List Header'],
  ['P-Served-User', undefined, 'sip.P-Served-User', 'string', 'P-Served-User'],
  ['P-User-Database', undefined, 'sip.P-User-Database', 'string', 'P-User-Database Header'],
  ['P-Visited-Network-ID', undefined, 'sip.P-Visited-Network-ID', 'string', 'RFC 3455: P-Visited-Network-ID Header'],
  ['Path', undefined, 'sip.Path', 'string', 'RFC 3327: Path Header'],
  ['Permission-Missing', undefined, 'sip.Permission-Missing', 'string', 'RFC 5360: Permission Missing Header'],
  ['Policy-Contact', undefined, 'sip.Policy_Contact', 'string', 'Policy-Contact'],
  ['Policy-ID', undefined, 'sip.Policy_ID', 'string', 'Policy-ID'],
  ['Priority', undefined, 'sip.Priority', 'string', 'RFC 3261: Priority Header'],
  ['Priority-Share', undefined, 'sip.Priority-Share', 'string', 'Priority-Share'],
  ['Priv-Answer-Mode', undefined, 'sip.Priv-Answer-mode', 'string', 'Priv-Answer-mode'],
  ['Privacy', undefined, 'sip.Privacy', 'string', 'Privacy Header'],
  ['Proxy-Authenticate', undefined, 'sip.Proxy-Authenticate', 'string', 'RFC 3261: Proxy-Authenticate Header'],
  ['Proxy-Authorization', undefined, 'sip.Proxy-Authorization', 'string', 'RFC 3261: Proxy-Authorization Header'],
  ['Proxy-Require', undefined, 'sip.Proxy-Require', 'string', 'RFC 3261: Proxy-Require Header'],
  ['RAck', undefined, 'sip.RAck', 'string', 'RFC 3262: RAck Header'],
  ['Reason', undefined, 'sip.Reason', 'string', 'RFC 3326 Reason Header'],
  ['Reason-Phrase', undefined, 'sip.Reason-Phrase', 'string', 'Reason-Phrase'],
  ['Record-Route', undefined, 'sip.Record-Route', 'string', 'RFC 3261: Record-Route Header'],
  ['Recv-Info', undefined, 'sip.Recv-Info', 'string', 'Recv-Info'],
  ['Refer-Sub', undefined, 'sip.Refer-Sub', 'string', 'RFC 4488: Refer-Sub Header'],
  ['Refer-To', 'r', 'sip.Refer-To', 'string', 'RFC 3515: Refer-To Header'],
  ['Referred-By', 'b', 'sip.Referred-by', 'string', 'RFC 3892: Referred-by Header'],
  ['Reject-Contact', 'j', 'sip.Reject-Contact', 'string', 'RFC 3841: Reject-Contact Header'],
  ['Relayed-Charge', undefined, 'sip.Relayed-Charge', 'string', 'Relayed-Charge'],
  ['Replaces', undefined, 'sip.Replaces', 'string', 'RFC 3891: Replaces Header'],
  ['Reply-To', undefined, 'sip.Reply-To', 'string', 'RFC 3261: Reply-To Header'],
  ['Request-Disposition', 'd', 'sip.Request-Disposition', 'string', 'RFC 3841: Request-Disposition Header'],
  ['Require', undefined, 'sip.Require', 'string', 'RFC 3261: Require Header'],
  ['Resource-Priority', undefined, 'sip.Resource-Priority', 'string', 'Draft: Resource-Priority Header'],
  ['Resource-Share', undefined, 'sip.Resource-Share', 'string', 'Resource-Share'],
  ['Response-Source', undefined, 'sip.Response-Source', 'string', 'Response-Source'],
  ['Restoration-Info', undefined, 'sip.Restoration-Info', 'string', 'Restoration-Info'],
  ['Retry-After', undefined, 'sip.Retry-After', 'number', 'RFC 3261: Retry-After Header'],
  ['Route', undefined, 'sip.Route', 'string', 'RFC 3261: Route Header'],
  ['RSeq', undefined, 'sip.RSeq', 'number', 'RFC 3262: RSeq Header'],
  ['Security-Client', undefined, 'sip.Security-Client', 'string', 'RFC 3329 Security-Client Header'],
  ['Security-Server', undefined, 'sip.Security-Server', 'string', 'RFC 3329 Security-Server Header'],
  ['Security-Verify', undefined, 'sip.Security-Verify', 'string', 'RFC 3329 Security-Verify Header'],
  ['Server', undefined, 'sip.Server', 'string', 'RFC 3261: Server Header'],
  ['Service-Interact-Info', undefined, 'sip.Service-Interact-Info', 'string', 'Service-Interact-Info'],
  ['Service-Route', undefined, 'sip.Service-Route', 'string', 'RFC 3608: Service-Route Header'],
  ['Session-Expires', 'x', 'sip.Session-Expires', 'string', 'RFC 4028: Session-Expires Header'],
  ['Session-ID', undefined, 'sip.Session-ID', 'string', 'Session-ID'],
  ['SIP-ETag', undefined, 'sip.ETag', 'string', 'RFC 3903: SIP-ETag Header'],
  ['SIP-If-Match', undefined, 'sip.If_Match', 'string', 'RFC 3903: SIP-If-Match Header'],
  ['Subject', 's', 'sip.Subject', 'string', 'RFC 3261: Subject Header'],
  ['Subscription-State', undefined, 'sip.Subscription-State', 'string', 'RFC 3265: Subscription-State Header'],
  ['Supported', 'k', 'sip.Supported', 'string', 'RFC 3261: Supported Header'],
  ['Suppress-If-Match', undefined, 'sip.Suppress_If_Match', 'string', 'Suppress-If-Match'],
  ['Target-Dialog', undefined, 'sip.Target-Dialog', 'string', 'RFC 4538: Target-Dialog Header'],
  ['Timestamp', undefined, 'sip.Timestamp', 'string', 'RFC 3261: Timestamp Header'],
  ['To', 't', 'sip.To', 'string', 'RFC 3261: To Header'],
  ['Trigger-Consent', undefined, 'sip.Trigger-Consent', 'string', 'RFC 5380: Trigger Consent'],
  ['Unsupported', undefined, 'sip.Unsupported', 'string', 'RFC 3261: Unsupported Header'],
  ['User-Agent', undefined, 'sip.User-Agent', 'string', 'RFC 3261: User-Agent Header'],
  ['Via', 'v', 'sip.Via', 'string', 'RFC 3261: Via Header'],
  ['Warning', undefined, 'sip.Warning', 'string', 'RFC 3261: Warning Header'],
  ['WWW-Authenticate', undefined, 'sip.WWW-Authenticate', 'string', 'RFC 3261: WWW-Authenticate Header'],
  ['Diversion', undefined, 'sip.Diversion', 'string', 'RFC 5806: Diversion Header'],
  ['User-to-User', undefined, 'sip.uui', 'string', 'draft-johnston-sipping-cc-uui-09: User-to-User header'],
];

/** Header fields whose value is a number, and how Wireshark converts it (sip_proto_tree_add_uint or ws_strtou32). */
const NUMERIC_HEADERS: Record<string, HeaderValueKind> = {
  'Content-Length': 'ws_strtou32',
  'Retry-After': 'ws_strtou32',
  Expires: 'strtoul',
  'Max-Breadth': 'strtoul',
  'Max-Forwards': 'strtoul',
  RSeq: 'strtoul',
};

/** Headers whose case in dissect_sip_common adds sub-fields. */
const HEADER_DISSECTORS: Record<string, HeaderDissector> = {
  To: toOrFrom(TO, 'sip.to.tag'),
  From: toOrFrom(FROM, 'sip.from.tag'),
  'P-Asserted-Identity': firstNameAddr(PAI),
  'P-Preferred-Identity': firstNameAddr(PPI),
  'Permission-Missing': firstNameAddr(PMISS),
  Contact: contactHeader,
  Route: routeHeader(ROUTE),
  'Record-Route': routeHeader(RECORD_ROUTE),
  'Service-Route': routeHeader(SERVICE_ROUTE),
  Path: routeHeader(PATH),
  Via: viaHeader,
  CSeq: cseqHeader,
  RAck: rackHeader,
  Reason: reasonHeader,
  Authorization: authHeader(true),
  'WWW-Authenticate': authHeader(true),
  'Proxy-Authenticate': authHeader(true),
  'Proxy-Authorization': authHeader(true),
  'Authentication-Info': authHeader(false),
  'Security-Client': securityHeader,
  'Security-Server': securityHeader,
  'Security-Verify': securityHeader,
  'P-Access-Network-Info': paniHeader,
  'P-Charging-Vector': pcvHeader,
  'Feature-Caps': featureCapsHeader,
};

const HEADER_NAMES = new Map<string, HeaderName>(HEADER_TABLE.map(([name, compact]) => [name, headerName(name, compact)]));
/** Lower-case name or compact letter → canonical (Wireshark) header name. */
const CANONICAL = new Map<string, string>();
for (const [name, compact] of HEADER_TABLE) {
  CANONICAL.set(name.toLowerCase(), name);
  if (compact) CANONICAL.set(compact, name);
}

// ---- extraction ---------------------------------------------------------------------------------------------

/**
 * Runs the dissection of one message for one field: the start line (when `startLine` is set), the headers
 * named in `headers` through `onHeader`, and the body (when `onBody` is set). `onHeader` gets the header's
 * canonical name.
 */
function dissectMessage(
  bytes: Uint8Array,
  start: number,
  end: number,
  options: {
    startLine?: (t: Tvb, sl: StartLine) => void;
    headers?: ReadonlyArray<[canonical: string, name: HeaderName]>;
    onHeader?: (t: Tvb, h: HeaderLine, canonical: string) => void;
    onBody?: (t: Tvb, body: WalkResult, sl: StartLine) => void;
  },
): void {
  if (start < 0 || end > bytes.length || start >= end) return;
  const t = new Tvb(bytes, start, end);
  guarded(() => {
    const sl = parseStartLine(t);
    if (!sl) return;
    options.startLine?.(t, sl);
    const { headers, onHeader, onBody } = options;
    if (!headers && !onBody) return;
    const targets = headers ? headers.map(([, name]) => name) : NO_TARGETS;
    const visit = headers && onHeader ? (h: HeaderLine, target: number) => onHeader(t, h, headers[target][0]) : undefined;
    const walk = walkHeaders(t, sl, targets, visit, onBody !== undefined);
    if (onBody) onBody(t, walk, sl);
  });
}

/** FNV-1a over the lower-cased bytes of a header name (bytes [start, end) of `b`), as a signed 32-bit integer (a small integer for V8). */
function nameKeyOf(b: Uint8Array, start: number, end: number): number {
  let hash = 0x811c9dc5 | 0;
  for (let i = start; i < end; i++) hash = Math.imul(hash ^ lower(b[i]), 0x01000193);
  return hash | 0;
}

/** Receives a text value as the bytes [start, end) of `bytes` (UTF-8, decoded as `Tvb.str` would). */
export type TextVisitor = (row: number, bytes: Uint8Array, start: number, end: number) => void;

/** Where `Tvb.str` stops a string: at the first NUL, as tvb_get_string_enc makes a C string. */
function textEnd(b: Uint8Array, start: number, end: number): number {
  let stop = start;
  while (stop < end && b[stop] !== 0) stop++;
  return stop;
}

/** No value (shared: never written to). */
const NO_FIELD_VALUES: FieldValue[] = [];

/**
 * Where the header lines of each message are (line start, name length, line length), recorded by one walk
 * of dissect_sip_common's header loop per message. A filter on a plain header (`sip.User-Agent contains
 * "x"`) then reads only the matching lines of each message instead of walking every line again: the walk
 * is the cost (~2 µs a message), paid once per trace instead of once per header. The recorded lines are
 * exactly those the walk visits (it stops where Wireshark's dissection stops), so values are identical.
 * About 10 bytes a header line; a row not yet recorded is recorded when first asked for.
 */
export class HeaderLines {
  private rowFirst: Int32Array;
  private rowCount: Uint16Array;
  private lineStart: Uint32Array;
  private nameLength: Uint16Array;
  private lineLength: Uint32Array;
  /** A hash of each line's lower-cased name, and the row it belongs to: for `scan`. */
  private nameKey: Int32Array;
  private rowOfLine: Uint32Array;
  private used = 0;

  /**
   * `expectedRows`: how many messages will be recorded, when known (the trace is read). The arrays are then
   * sized once (IMS messages have ~15–25 header lines) instead of doubling on the way: a doubling of five
   * arrays of millions of lines is a ~150 MB allocation that often costs a full garbage collection.
   */
  constructor(expectedRows = 0) {
    const rows = Math.max(1024, expectedRows);
    const lines = Math.max(16384, expectedRows * 20);
    this.rowFirst = new Int32Array(rows).fill(-1);
    this.rowCount = new Uint16Array(rows);
    this.lineStart = new Uint32Array(lines);
    this.nameLength = new Uint16Array(lines);
    this.lineLength = new Uint32Array(lines);
    this.nameKey = new Int32Array(lines);
    this.rowOfLine = new Uint32Array(lines);
  }
  /** Rows 0..recordedThrough-1 are all recorded. */
  private recordedThrough = 0;
  private readonly scratch: HeaderLine = { offset: 0, colon: 0, valueOffset: 0, lineEnd: 0, next: 0 };

  /** Header lines recorded so far (for the benchmark's memory figure). */
  get lines(): number {
    return this.used;
  }

  private ensureRow(row: number): void {
    if (row < this.rowFirst.length) return;
    const size = Math.max(row + 1, this.rowFirst.length * 2);
    const first = new Int32Array(size).fill(-1);
    first.set(this.rowFirst);
    const count = new Uint16Array(size);
    count.set(this.rowCount);
    this.rowFirst = first;
    this.rowCount = count;
  }

  private push(row: number, start: number, name: number, length: number, key: number): void {
    if (this.used === this.lineStart.length) {
      const grow = <A extends Uint32Array | Uint16Array | Int32Array>(a: A, make: new (n: number) => A): A => {
        const wider = new make(a.length * 2);
        wider.set(a);
        return wider;
      };
      this.lineStart = grow(this.lineStart, Uint32Array);
      this.nameLength = grow(this.nameLength, Uint16Array);
      this.lineLength = grow(this.lineLength, Uint32Array);
      this.nameKey = grow(this.nameKey, Int32Array);
      this.rowOfLine = grow(this.rowOfLine, Uint32Array);
    }
    this.lineStart[this.used] = start;
    this.nameLength[this.used] = name;
    this.lineLength[this.used] = length;
    this.nameKey[this.used] = key;
    this.rowOfLine[this.used] = row;
    this.used++;
  }

  /** Records the header lines of `row` (once; later calls do nothing). */
  record(row: number, bytes: Uint8Array): void {
    this.ensureRow(row);
    if (this.rowFirst[row] !== -1) return;
    const first = this.used;
    let count = 0;
    if (bytes.length > 0) {
      const t = new Tvb(bytes, 0, bytes.length);
      guarded(() => {
        const sl = parseStartLine(t);
        if (!sl) return;
        walkHeaders(t, sl, NO_TARGETS, undefined, false, (h) => {
          // More lines than a count can hold, or a name too long to store: the row falls back to the walk.
          if (count === 0xffff || h.colon - h.offset > 0xffff) {
            count = -1;
            return;
          }
          if (count >= 0) {
            this.push(row, h.offset, h.colon - h.offset, h.lineEnd - h.offset, nameKeyOf(bytes, h.offset, h.colon));
            count++;
          }
        });
      });
    }
    if (count < 0) {
      this.used = first;
      this.rowFirst[row] = -2;
    } else {
      this.rowFirst[row] = first;
      this.rowCount[row] = count;
    }
    while (this.recordedThrough < this.rowFirst.length && this.rowFirst[this.recordedThrough] !== -1) this.recordedThrough++;
  }

  /**
   * Calls `visit` for every line named `name` (full or compact form) of rows 0..rows-1, grouped by row, lines
   * of a row in message order: the same lines `read` finds, row by row, but in one pass over the lines'
   * name hashes. Returns false (having visited nothing) unless every one of those rows is recorded and
   * could be: the caller then reads rows one by one.
   */
  scan(rows: number, bytesOf: (row: number) => Uint8Array | undefined, name: HeaderName, visit: (row: number, bytes: Uint8Array, h: HeaderLine) => void): boolean {
    if (this.recordedThrough < rows) return false;
    for (let row = 0; row < rows; row++) if (this.rowFirst[row] < 0) return false;
    const full = nameKeyOf(name.lower, 0, name.lower.length);
    // Without a compact form, a key no line has (the full name's key again).
    const compact = name.compact >= 0 ? nameKeyOf(Uint8Array.of(name.compact), 0, 1) : full;
    const keys = this.nameKey;
    const rowOfLine = this.rowOfLine;
    const used = this.used;
    const h = this.scratch;
    let bytes: Uint8Array | undefined;
    let bytesRow = -1;
    for (let i = 0; i < used; i++) {
      const key = keys[i];
      if (key !== full && key !== compact) continue;
      const row = rowOfLine[i];
      if (row >= rows) continue;
      if (row !== bytesRow) {
        bytes = bytesOf(row);
        bytesRow = row;
      }
      if (!bytes) continue;
      h.offset = this.lineStart[i];
      h.colon = h.offset + this.nameLength[i];
      // The hash only narrows the search: the name itself decides, as in `read`.
      if (!nameIs(bytes, h, name)) continue;
      h.lineEnd = h.offset + this.lineLength[i];
      // Tvb.skipWsp over [colon + 1, lineEnd), inlined (the line lies within the message).
      let value = h.colon + 1;
      while (value < h.lineEnd && isBlank(bytes[value])) value++;
      h.valueOffset = value;
      visit(row, bytes, h);
    }
    return true;
  }

  /**
   * Calls `read` for each recorded line of `row` named `name` (full or compact form), in message order.
   * Returns false when the row could not be recorded (the caller walks the message instead).
   */
  read(row: number, bytes: Uint8Array, name: HeaderName, read: (t: Tvb, h: HeaderLine) => void): boolean {
    this.record(row, bytes);
    const first = row < this.rowFirst.length ? this.rowFirst[row] : -1;
    if (first < 0) return false;
    const last = first + this.rowCount[row];
    let t: Tvb | undefined;
    const h = this.scratch;
    for (let i = first; i < last; i++) {
      const length = this.nameLength[i];
      if (length === 1 ? name.compact < 0 : length !== name.lower.length) continue;
      h.offset = this.lineStart[i];
      h.colon = h.offset + length;
      if (!nameIs(bytes, h, name)) continue;
      t ??= new Tvb(bytes, 0, bytes.length);
      h.lineEnd = h.offset + this.lineLength[i];
      h.valueOffset = t.skipWsp(h.colon + 1, h.lineEnd - (h.colon + 1));
      read(t, h);
    }
    return true;
  }
}

function headerList(names: readonly string[]): ReadonlyArray<[string, HeaderName]> {
  return names.map((n) => [n, HEADER_NAMES.get(n) as HeaderName]);
}

/**
 * The values of `field` in one message: runs the dissection over the listed headers, `onHeader` reading each
 * with an emitter that keeps `field`'s values and the message's DissectState.
 */
function headerValues(
  bytes: Uint8Array,
  start: number,
  end: number,
  field: string,
  headers: ReadonlyArray<[canonical: string, name: HeaderName]>,
  onHeader: (t: Tvb, h: HeaderLine, canonical: string, emit: Emit, state: DissectState) => void,
): FieldValue[] {
  const out: FieldValue[] = [];
  const emit = collector(field, out);
  const state: DissectState = { cseqSeen: false };
  dissectMessage(bytes, start, end, { headers, onHeader: (t, h, canonical) => onHeader(t, h, canonical, emit, state) });
  return out;
}

/** A field filled by header dissectors: runs them on the named headers and keeps this field's values. */
function subField(field: string, headers: readonly string[], type: FieldType, description: string): MessageFieldDeclaration {
  const list = headerList(headers.includes('CSeq') || !headers.includes('RAck') ? headers : [...headers, 'CSeq']);
  const dissect = (t: Tvb, h: HeaderLine, canonical: string, emit: Emit, state: DissectState) => HEADER_DISSECTORS[canonical](t, h, emit, state);
  return { name: field, type, description, extract: (bytes, start, end) => headerValues(bytes, start, end, field, list, dissect) };
}

/** The value of one header as its own field shows it. */
function headerValue(t: Tvb, h: HeaderLine, kind: HeaderValueKind): FieldValue {
  const value = t.str(h.valueOffset, h.lineEnd - h.valueOffset);
  if (kind === 'strtoul') return strtoul32(value);
  if (kind === 'ws_strtou32') return wsStrtou32(value)[0];
  return value;
}

function headerField(name: string, field: string, type: FieldType, description: string): MessageFieldDeclaration {
  const kind = NUMERIC_HEADERS[name] ?? 'string';
  const list = headerList([name]);
  const read = (t: Tvb, h: HeaderLine, _canonical: string, emit: Emit, state: DissectState) => {
    emit(field, headerValue(t, h, kind));
    // A too-long CSeq method adds a second sip.CSeq item (see cseqHeader).
    if (name === 'CSeq') cseqHeader(t, h, emit, state);
  };
  const target = list[0][1];
  // CSeq adds a second item in one case (see cseqHeader): it always takes the walk.
  const fromHeaderLines =
    name === 'CSeq'
      ? undefined
      : (lines: HeaderLines, row: number, bytes: Uint8Array): FieldValue[] | undefined => {
          let out: FieldValue[] | undefined;
          const found = lines.read(row, bytes, target, (t, h) => (out ??= []).push(headerValue(t, h, kind)));
          return found ? (out ?? NO_FIELD_VALUES) : undefined;
        };
  const scanHeaderLines =
    name === 'CSeq'
      ? undefined
      : (lines: HeaderLines, rows: number, bytesOf: (row: number) => Uint8Array | undefined, visit: (row: number, value: FieldValue) => void, visitText?: TextVisitor): boolean =>
          lines.scan(rows, bytesOf, target, (row, bytes, h) => {
            if (kind === 'string' && visitText) visitText(row, bytes, h.valueOffset, textEnd(bytes, h.valueOffset, h.lineEnd));
            else visit(row, headerValue(new Tvb(bytes, 0, bytes.length), h, kind));
          });
  return { name: field, type, description, extract: (bytes, start, end) => headerValues(bytes, start, end, field, list, read), fromHeaderLines, scanHeaderLines };
}

/** The fields of the start line. */
function startLineField(field: string, type: FieldType, description: string, read: (t: Tvb, sl: StartLine, out: FieldValue[]) => void): MessageFieldDeclaration {
  return {
    name: field,
    type,
    description,
    extract(bytes, start, end) {
      const out: FieldValue[] = [];
      dissectMessage(bytes, start, end, { startLine: (t, sl) => read(t, sl, out) });
      return out;
    },
  };
}

/** dfilter_sip_request_line: the Request-URI, parsed up to the first space after it (its parameters are never shown). */
function requestUriField(field: string, description: string): MessageFieldDeclaration {
  return startLineField(field, 'string', description, (t, sl, out) => {
    if (sl.kind !== 'request') return;
    const offset = sl.offset + sl.token1 + 1;
    const u = newUriOffsets();
    u.uriEnd = t.find(offset, sl.length, SP) - 1;
    dissectSipUri(t, offset, offset + sl.length, u);
    displaySipUri(t, u, RURI, collector(field, out));
  });
}

/** The message body [offset, offset + length), as the SIP dissector hands it to the media dissectors. */
export interface SipBody {
  offset: number;
  length: number;
  /** The request's method, or the response's status code. */
  start: { method: string } | { status: number };
  /** Content-Type lower-cased, up to its parameters (undefined without a Content-Type header). */
  mediaType?: string;
  /** Content-Type parameters (after the ';'). */
  mediaParameters?: string;
}

/**
 * The body of the SIP message in bytes [start, end), as dissect_sip_common delimits it (after the empty
 * line, at most Content-Length bytes; none when the dissection ended early), or undefined.
 */
export function sipBody(bytes: Uint8Array, start: number, end: number): SipBody | undefined {
  let body: SipBody | undefined;
  dissectMessage(bytes, start, end, {
    onBody: (t, walk, sl) => {
      if (walk.bodyLength === 0) return;
      const start = sl.kind === 'request' ? { method: t.ascii(sl.offset, sl.token1) } : { status: Number(t.str(sl.offset + 8, 3)) };
      body = { offset: walk.bodyOffset, length: walk.bodyLength, start, mediaType: walk.mediaType, mediaParameters: walk.mediaParameters };
    },
  });
  return body;
}

// ---- the declarations -------------------------------------------------------------------------------------

/** Types and descriptions of the sub-fields, from `tshark -G fields` (Wireshark 4.0.17). */
const SUB_FIELDS: Record<string, [FieldType, string]> = {
  'sip.Method': ['string', 'SIP Method'],
  'sip.Request-Line': ['string', 'SIP Request-Line'],
  'sip.Status-Code': ['number', 'SIP Status Code'],
  'sip.Status-Line': ['string', 'SIP Status-Line'],
  'sip.msg_hdr': ['string', 'Message Header in SIP message'],
  'sip.msg_body': ['none', 'Message Body in SIP message'],
  'sip.r-uri': ['string', 'RFC 3261: SIP R-URI'],
  'sip.r-uri.user': ['string', 'RFC 3261: SIP R-URI User'],
  'sip.r-uri.host': ['string', 'RFC 3261: SIP R-URI Host'],
  'sip.r-uri.port': ['string', 'RFC 3261: SIP R-URI Port'],
  'sip.r-uri.param': ['string', 'Request URI parameter'],
  'sip.display.info': ['string', 'RFC 3261: Display info'],
  'sip.tag': ['string', 'RFC 3261: tag'],
  'sip.to.display.info': ['string', 'RFC 3261: To Display info'],
  'sip.to.addr': ['string', 'RFC 3261: To Address'],
  'sip.to.user': ['string', 'RFC 3261: To Address User'],
  'sip.to.host': ['string', 'RFC 3261: To Address Host'],
  'sip.to.port': ['string', 'RFC 3261: To Address Port'],
  'sip.to.param': ['string', 'SIP To URI parameter'],
  'sip.to.tag': ['string', 'RFC 3261: to tag'],
  'sip.from.display.info': ['string', 'RFC 3261: From Display info'],
  'sip.from.addr': ['string', 'RFC 3261: From Address'],
  'sip.from.user': ['string', 'RFC 3261: From Address User'],
  'sip.from.host': ['string', 'RFC 3261: From Address Host'],
  'sip.from.port': ['string', 'RFC 3261: From Address Port'],
  'sip.from.param': ['string', 'SIP From URI parameter'],
  'sip.from.tag': ['string', 'RFC 3261: from tag'],
  'sip.contact.display.info': ['string', 'RFC 3261: SIP C-URI Display info'],
  'sip.contact.uri': ['string', 'RFC 3261: SIP C-URI'],
  'sip.contact.user': ['string', 'RFC 3261: SIP C-URI User'],
  'sip.contact.host': ['string', 'RFC 3261: SIP C-URI Host'],
  'sip.contact.port': ['string', 'RFC 3261: SIP C-URI Port'],
  'sip.contact.param': ['string', 'Contact URI parameter'],
  'sip.contact.parameter': ['string', 'RFC 3261: one contact parameter'],
  'sip.pai.display.info': ['string', 'RFC 3325: P-Asserted-Identity Display info'],
  'sip.pai.addr': ['string', 'RFC 3325: P-Asserted-Identity Address'],
  'sip.pai.user': ['string', 'RFC 3325: P-Asserted-Identity User'],
  'sip.pai.host': ['string', 'RFC 3325: P-Asserted-Identity Host'],
  'sip.pai.port': ['string', 'RFC 3325: P-Asserted-Identity Port'],
  'sip.pai.param': ['string', 'SIP PAI URI parameter'],
  'sip.ppi.display.info': ['string', 'RFC 3325: P-Preferred-Identity Display info'],
  'sip.ppi.addr': ['string', 'RFC 3325: P-Preferred-Identity Address'],
  'sip.ppi.user': ['string', 'RFC 3325: P-Preferred-Identity User'],
  'sip.ppi.host': ['string', 'RFC 3325: P-Preferred-Identity Host'],
  'sip.ppi.port': ['string', 'RFC 3325: P-Preferred-Identity Port'],
  'sip.ppi.param': ['string', 'SIP PPI URI parameter'],
  'sip.pmiss.display.info': ['string', 'RFC 3325: Permission Missing Display info'],
  'sip.pmiss.addr': ['string', 'RFC 3325: Permission Missing Address'],
  'sip.pmiss.user': ['string', 'RFC 3325: Permission Missing User'],
  'sip.pmiss.host': ['string', 'RFC 3325: Permission Missing Host'],
  'sip.pmiss.port': ['string', 'RFC 3325: Permission Missing Port'],
  'sip.pmiss.param': ['string', 'SIP PMISS URI parameter'],
  'sip.Route.display.info': ['string', 'Route display info'],
  'sip.Route.uri': ['string', 'Route URI'],
  'sip.Route.user': ['string', 'Route Userinfo'],
  'sip.Route.host': ['string', 'Route Host Part'],
  'sip.Route.port': ['string', 'Route Host Port'],
  'sip.Route.param': ['string', 'Route URI parameter'],
  'sip.Record-Route.display.info': ['string', 'Record-Route display info'],
  'sip.Record-Route.uri': ['string', 'Record-Route URI'],
  'sip.Record-Route.user': ['string', 'Record-Route Userinfo'],
  'sip.Record-Route.host': ['string', 'Record-Route Host Part'],
  'sip.Record-Route.port': ['string', 'Record-Route Host Port'],
  'sip.Record-Route.param': ['string', 'Record-Route URI parameter'],
  'sip.Service-Route.display.info': ['string', 'Service-Route display info'],
  'sip.Service-Route.uri': ['string', 'Service-Route URI'],
  'sip.Service-Route.user': ['string', 'Service-Route Userinfo'],
  'sip.Service-Route.host': ['string', 'Service-Route Host Part'],
  'sip.Service-Route.port': ['string', 'Service-Route Host Port'],
  'sip.Service-Route.param': ['string', 'Service-Route URI parameter'],
  'sip.Path.display.info': ['string', 'Path URI'],
  'sip.Path.uri': ['string', 'Path URI'],
  'sip.Path.user': ['string', 'Path Userinfo'],
  'sip.Path.host': ['string', 'Path Host Part'],
  'sip.Path.port': ['string', 'Path Host Port'],
  'sip.Path.param': ['string', 'Path URI parameter'],
  'sip.CSeq.seq': ['number', 'CSeq header sequence number'],
  'sip.CSeq.method': ['string', 'CSeq header method'],
  'sip.Via.transport': ['string', 'Via header Transport'],
  'sip.Via.sent-by.address': ['string', 'Via header Sent-by Address'],
  'sip.Via.sent-by.port': ['number', 'Via header Sent-by Port'],
  'sip.Via.branch': ['string', 'SIP Via Branch'],
  'sip.Via.maddr': ['string', 'SIP Via Maddr'],
  'sip.Via.rport': ['string', 'SIP Via RPort'],
  'sip.Via.received': ['string', 'SIP Via Received'],
  'sip.Via.ttl': ['string', 'SIP Via TTL'],
  'sip.Via.comp': ['string', 'SIP Via comp'],
  'sip.Via.sigcomp-id': ['string', 'SIP Via sigcomp identifier'],
  'sip.Via.oc': ['string', 'Overload Control'],
  'sip.Via.oc_val': ['number', 'Overload Control Value'],
  'sip.Via.oc_validity': ['string', 'Overload Control Validity'],
  'sip.Via.oc_seq': ['string', 'Overload Control Sequence'],
  'sip.Via.oc_algo': ['string', 'Overload Control Algorithm'],
  'sip.Via.be_route': ['string', 'be-route'],
  'sip.RAck.RSeq.seq': ['number', 'RAck RSeq header sequence number (from prov response)'],
  'sip.RAck.CSeq.seq': ['number', 'RAck CSeq header sequence number (from prov response)'],
  'sip.RAck.CSeq.method': ['string', 'RAck CSeq header method (from prov response)'],
  'sip.reason_protocols': ['string', 'Reason protocols'],
  'sip.reason_cause_q850': ['number', 'Cause (Reason: Q.850)'],
  'sip.reason_cause_sip': ['number', 'Cause (Reason: SIP)'],
  'sip.reason_cause_other': ['number', 'Cause (Reason: other protocol)'],
  'sip.reason_text': ['string', 'Text'],
  'sip.auth': ['string', 'SIP Authentication'],
  'sip.auth.scheme': ['string', 'SIP Authentication Scheme'],
  'sip.auth.digest.response': ['string', 'SIP Digest Authentication Response Value'],
  'sip.auth.nc': ['string', 'SIP Authentication Nonce count'],
  'sip.auth.username': ['string', 'SIP Authentication Username'],
  'sip.auth.realm': ['string', 'SIP Authentication Realm'],
  'sip.auth.nonce': ['string', 'SIP Authentication Nonce'],
  'sip.auth.algorithm': ['string', 'SIP Authentication Algorithm'],
  'sip.auth.opaque': ['string', 'SIP Authentication Opaque value'],
  'sip.auth.qop': ['string', 'SIP Authentication QOP'],
  'sip.auth.cnonce': ['string', 'SIP Authentication Client Nonce'],
  'sip.auth.uri': ['string', 'SIP Authentication URI'],
  'sip.auth.domain': ['string', 'SIP Authentication Domain'],
  'sip.auth.stale': ['string', 'SIP Authentication Stale Flag'],
  'sip.auth.auts': ['string', 'SIP Authentication Token'],
  'sip.auth.rspauth': ['string', 'SIP Authentication Response auth'],
  'sip.auth.nextnonce': ['string', 'SIP Authentication Next Nonce'],
  'sip.auth.ik': ['string', 'SIP Authentication Integrity Key'],
  'sip.auth.ck': ['string', 'SIP Authentication Cyphering Key'],
  'sip.sec_mechanism': ['string', '[Security-mechanism] (Security-Client/Server/Verify)'],
  'sip.sec_mechanism.alg': ['string', 'Security mechanism alg'],
  'sip.sec_mechanism.ealg': ['string', 'Security mechanism ealg'],
  'sip.sec_mechanism.prot': ['string', 'Security mechanism prot'],
  'sip.sec_mechanism.spi_c': ['number', 'Security mechanism spi-c'],
  'sip.sec_mechanism.spi_s': ['number', 'Security mechanism spi-s'],
  'sip.sec_mechanism.port1': ['number', 'Security mechanism port1'],
  'sip.sec_mechanism.port_c': ['number', 'Security mechanism port-c'],
  'sip.sec_mechanism.port2': ['number', 'Security mechanism port2'],
  'sip.sec_mechanism.port_s': ['number', 'Security mechanism port-s'],
  'sip.P-Access-Network-Info.access-type': ['string', 'SIP P-Access-Network-Info access-type'],
  'sip.P-Access-Network-Info.utran-cell-id-3gpp': ['string', 'SIP P-Access-Network-Info utran-cell-id-3gpp'],
  'sip.icid_value': ['string', 'icid-value'],
  'sip.icid_gen_addr': ['string', 'icid-gen-addr'],
  'sip.feature_cap': ['string', 'Feature Cap'],
};

function describe(field: string): [FieldType, string] {
  return SUB_FIELDS[field] ?? ['string', field];
}

function declare(field: string, headers: readonly string[]): MessageFieldDeclaration {
  const [type, description] = describe(field);
  return subField(field, headers, type, description);
}

function uriFamilyFields(family: UriFamily, headers: readonly string[]): MessageFieldDeclaration[] {
  return [family.display, family.addr, family.user, family.host, family.port, family.param].map((f) => declare(f, headers));
}

const URI_HEADERS = ['To', 'From', 'P-Asserted-Identity', 'P-Preferred-Identity', 'Permission-Missing', 'Contact', 'Route', 'Record-Route', 'Service-Route', 'Path'];
const AUTH_HEADERS = ['Authorization', 'WWW-Authenticate', 'Proxy-Authenticate', 'Proxy-Authorization', 'Authentication-Info'];
const SECURITY_HEADERS = ['Security-Client', 'Security-Server', 'Security-Verify'];

function bodyField(): MessageFieldDeclaration {
  const [, description] = describe('sip.msg_body');
  return {
    name: 'sip.msg_body',
    // FT_NONE in Wireshark: tshark refuses `sip.msg_body contains "x"` ("cannot participate in contains
    // comparison") and only tests presence. We give the body text as the value so that `contains` and
    // `matches` can search it; a presence test behaves as in Wireshark.
    type: 'none',
    description: `${description} (its text, for contains/matches)`,
    extract(bytes, start, end) {
      const body = sipBody(bytes, start, end);
      return body ? [decodeText(bytes, body.offset, body.offset + body.length)] : [];
    },
  };
}

function buildFields(): MessageFieldDeclaration[] {
  const fields: MessageFieldDeclaration[] = [];
  const [, methodDescription] = describe('sip.Method');
  fields.push(
    startLineField('sip.Method', 'string', methodDescription, (t, sl, out) => {
      if (sl.kind === 'request') out.push(t.ascii(sl.offset, sl.token1));
    }),
    startLineField('sip.Request-Line', 'string', describe('sip.Request-Line')[1], (t, sl, out) => {
      if (sl.kind === 'request') out.push(t.str(sl.offset, sl.length));
    }),
    startLineField('sip.Status-Line', 'string', describe('sip.Status-Line')[1], (t, sl, out) => {
      if (sl.kind === 'status') out.push(t.str(sl.offset, sl.length));
    }),
    startLineField('sip.Status-Code', 'number', describe('sip.Status-Code')[1], (t, sl, out) => {
      if (sl.kind === 'status') out.push(Number(t.str(sl.offset + 8, 3)));
    }),
    startLineField('sip.msg_hdr', 'string', describe('sip.msg_hdr')[1], (t, sl, out) => {
      // The item spans from the first header line to the end of the message (its length is set to the
      // header section only after the value was taken): the value includes the body.
      out.push(t.str(sl.next, t.end - sl.next));
    }),
    requestUriField('sip.r-uri', describe('sip.r-uri')[1]),
    requestUriField('sip.r-uri.user', describe('sip.r-uri.user')[1]),
    requestUriField('sip.r-uri.host', describe('sip.r-uri.host')[1]),
    requestUriField('sip.r-uri.port', describe('sip.r-uri.port')[1]),
    bodyField(),
  );
  for (const [name, , field, type, description] of HEADER_TABLE) fields.push(headerField(name, field, type, description));
  fields.push(
    declare('sip.display.info', URI_HEADERS),
    declare('sip.tag', ['To', 'From']),
    declare('sip.to.tag', ['To']),
    declare('sip.from.tag', ['From']),
    ...uriFamilyFields(TO, ['To']),
    ...uriFamilyFields(FROM, ['From']),
    ...uriFamilyFields(CONTACT, ['Contact']),
    declare('sip.contact.parameter', ['Contact']),
    ...uriFamilyFields(PAI, ['P-Asserted-Identity']),
    ...uriFamilyFields(PPI, ['P-Preferred-Identity']),
    ...uriFamilyFields(PMISS, ['Permission-Missing']),
    ...uriFamilyFields(ROUTE, ['Route']),
    ...uriFamilyFields(RECORD_ROUTE, ['Record-Route']),
    ...uriFamilyFields(SERVICE_ROUTE, ['Service-Route']),
    ...uriFamilyFields(PATH, ['Path']),
    declare('sip.CSeq.seq', ['CSeq']),
    declare('sip.CSeq.method', ['CSeq']),
    ...[...VIA_PARAMETERS.values(), 'sip.Via.transport', 'sip.Via.sent-by.address', 'sip.Via.sent-by.port', 'sip.Via.oc_val'].map((f) => declare(f, ['Via'])),
    ...['sip.RAck.RSeq.seq', 'sip.RAck.CSeq.seq', 'sip.RAck.CSeq.method'].map((f) => declare(f, ['RAck'])),
    ...['sip.reason_protocols', 'sip.reason_cause_q850', 'sip.reason_cause_sip', 'sip.reason_cause_other', 'sip.reason_text'].map((f) => declare(f, ['Reason'])),
    ...['sip.auth', 'sip.auth.scheme', ...AUTH_PARAMETERS.values()].map((f) => declare(f, AUTH_HEADERS)),
    ...['sip.sec_mechanism', ...[...SEC_MECHANISM_PARAMETERS.values()].map(([f]) => f)].map((f) => declare(f, SECURITY_HEADERS)),
    declare('sip.P-Access-Network-Info.access-type', ['P-Access-Network-Info']),
    declare('sip.P-Access-Network-Info.utran-cell-id-3gpp', ['P-Access-Network-Info']),
    declare('sip.icid_value', ['P-Charging-Vector']),
    declare('sip.icid_gen_addr', ['P-Charging-Vector']),
    declare('sip.feature_cap', ['Feature-Caps']),
  );
  return fields;
}

/** Every `sip.*` field read from the message bytes, with Wireshark 4.0's names, types and values. */
export const sipMessageFields: MessageFieldDeclaration[] = buildFields();

/**
 * The generic header field `sip.header["X-Anything"]`: the values of every header of that name (any case;
 * a known header's compact form counts too, as does the full name when the key is a compact letter), each
 * as Wireshark shows a header's value (from the first non-blank after the colon to the end of the line).
 * Wireshark has no such field: this is ours, with Wireshark's value convention.
 */
export function sipHeaderField(headerName: string): MessageFieldDeclaration {
  const key = headerName.trim();
  if (key.length === 0) return { name: `sip.header["${headerName}"]`, type: 'string', description: 'No header (empty name)', extract: () => [] };
  const canonical = CANONICAL.get(key.toLowerCase());
  const row = canonical ? HEADER_TABLE.find(([n]) => n === canonical) : undefined;
  const target: HeaderName = row ? (HEADER_NAMES.get(row[0]) as HeaderName) : headerNameOf(key);
  const name = `sip.header["${headerName}"]`;
  const list: ReadonlyArray<[string, HeaderName]> = [[canonical ?? key, target]];
  const read = (t: Tvb, h: HeaderLine, _canonical: string, emit: Emit) => emit(name, t.str(h.valueOffset, h.lineEnd - h.valueOffset));
  const fromHeaderLines = (lines: HeaderLines, row: number, bytes: Uint8Array): FieldValue[] | undefined => {
    let out: FieldValue[] | undefined;
    const found = lines.read(row, bytes, target, (t, h) => (out ??= []).push(t.str(h.valueOffset, h.lineEnd - h.valueOffset)));
    return found ? (out ?? NO_FIELD_VALUES) : undefined;
  };
  return {
    name,
    type: 'string',
    description: `The value of each ${canonical ?? key} header`,
    extract: (bytes, start, end) => headerValues(bytes, start, end, name, list, read),
    fromHeaderLines,
    scanHeaderLines: (lines: HeaderLines, rows: number, bytesOf: (row: number) => Uint8Array | undefined, visit: (row: number, value: FieldValue) => void, visitText?: TextVisitor): boolean =>
      lines.scan(rows, bytesOf, target, (row, bytes, h) => {
        if (visitText) visitText(row, bytes, h.valueOffset, textEnd(bytes, h.valueOffset, h.lineEnd));
        else visit(row, new Tvb(bytes, 0, bytes.length).str(h.valueOffset, h.lineEnd - h.valueOffset));
      }),
  };
}

/** An unknown header's name: matched whole, case-insensitively (no compact form). */
function headerNameOf(name: string): HeaderName {
  const n = headerName(name);
  if (name.length === 1) n.compact = lower(name.charCodeAt(0));
  return n;
}
