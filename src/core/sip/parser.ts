/**
 * SIP message parser (RFC 3261 §7). Built for indexing large captures: the message is decoded once (strings
 * are then substrings of that text), one pass over the header lines finds folds and header names (looked up
 * from the bytes, no lower-casing), and only the fields the index needs are parsed eagerly, by scanners that
 * read the bytes where they lie. Everything wrong becomes a diagnostic on the message; it never throws.
 */
import { decoderBug, malformed, note, truncated, type Diagnostic } from '../diagnostics.js';
import { decodeLatin1, decodeUtf8 } from '../util/text.js';
import { CR, HTAB, LF, LWS_BYTE, SP, TOKEN, equalsLower, isDigit } from './chars.js';
import { parseCSeqAt } from './cseq.js';
import { checkSipDate } from './date.js';
import { H, HEADERS, lookupHeaderBytes } from './header-names.js';
import { HEADER_FIELDS, scanHeaderSection, type HeaderSectionScan } from './lines.js';
import { SipMessageImpl } from './message.js';
import { parseNameAddrAt, parseNameAddrListAt } from './name-addr.js';
import { MAX_UINT32, nextTopLevelComma, parseDecimal, parseDecimalBytes } from './scan.js';
import { TextSource, unfold } from './source.js';
import { findSipStart, looksLikeSipStart, parseStartLineAt } from './start-line.js';
import type { NameAddr, Problem, SipMessage } from './types.js';
import { parseViaListAt } from './via.js';

export { looksLikeSipStart, findSipStart } from './start-line.js';

export interface ParseSipOptions {
  /**
   * The bytes come from a stream transport (TCP, TLS, WebSocket payload reassembled by the caller): the
   * message ends after the header section plus Content-Length (RFC 3261 §18.3), and `end` of the result
   * tells the caller where the next message starts. Leading CRLFs (keep-alives, RFC 5626 §3.5.1) are skipped.
   */
  stream?: boolean;
  /** The capture cut the datagram (snap length): a short body is `truncated`, not `malformed`. */
  truncated?: boolean;
  /**
   * `eager` parses the multipart split and the SDP during parseSip, so their diagnostics are in
   * `diagnostics` right away. Default `lazy`: they are parsed (and their diagnostics appended) on first access.
   */
  body?: 'eager' | 'lazy';
}

const LAYER = 'sip';

/**
 * Header ids the parser works on (= H in header-names.ts, checked by test/core/sip/header-names.test.ts).
 * The hot `switch` below uses the numbers themselves: TypeScript emits a const enum as a runtime object under
 * isolatedModules, and a case label that loads a property cannot become a jump table.
 */
const Id = H;

/** Header ids above this one need no work in pass 2 (the headers the parser checks come first in H). */
const LAST_CHECKED = Id.MinSE;

/** Per-message occurrence counts of the checked headers (reset by each parse; parseSip is not re-entrant). */
const counts = new Int32Array(LAST_CHECKED + 1);

/**
 * Parses the SIP message that starts at `start` in bytes [start, end). A datagram (default) ends at `end`;
 * on a stream the message ends after Content-Length body bytes. Never throws.
 */
export function parseSip(bytes: Uint8Array, start: number, end: number, options?: ParseSipOptions): SipMessage {
  try {
    if (end > bytes.length) end = bytes.length;
    if (start < 0) start = 0;
    if (start > end) start = end;
    return parse(bytes, start, end, options);
  } catch (error) {
    const m = new SipMessageImpl(bytes, start, Math.max(start, end), []);
    m.body = { start: m.end, end: m.end };
    m.diagnostics.push(decoderBug(LAYER, error));
    return m;
  }
}

/**
 * For the TCP stream layer: the length of the SIP message starting at `start` (header section + Content-Length,
 * counting any keep-alive CRLFs before it), or -1 when more bytes are needed to know. A missing or invalid
 * Content-Length counts as 0 (parseSip then reports it). Never throws.
 */
export function sipFrameLength(bytes: Uint8Array, start: number, end: number): number {
  try {
    if (end > bytes.length) end = bytes.length;
    let p = start;
    while (p < end && (bytes[p] === CR || bytes[p] === LF)) p++;
    if (p >= end) return -1;
    let contentLength = -1;
    let lineStart = p;
    while (lineStart < end) {
      let e = lineStart;
      while (e < end && bytes[e] !== LF) e++;
      if (e >= end) return -1; // the header section is not complete yet
      const c = bytes[lineStart];
      if (c === LF || (c === CR && lineStart + 1 === e)) {
        const total = e + 1 - start + Math.max(0, contentLength);
        return total <= end - start ? total : -1; // the body is not all there yet
      }
      if (contentLength < 0 && lineStart > p) {
        let n = lineStart;
        while (n < e && TOKEN[bytes[n]] === 1) n++;
        if (lookupHeaderBytes(bytes, lineStart, n) === Id.ContentLength) {
          while (n < e && (bytes[n] === SP || bytes[n] === HTAB)) n++;
          if (bytes[n] === 0x3a) {
            n++;
            while (n < e && (bytes[n] === SP || bytes[n] === HTAB)) n++;
            let v = 0;
            const digits = n;
            while (n < e && isDigit(bytes[n]) && v < 1e12) v = v * 10 + (bytes[n++] - 0x30);
            if (n > digits) contentLength = v;
          }
        }
      }
      lineStart = e + 1;
    }
    return -1;
  } catch {
    return -1;
  }
}

function parse(bytes: Uint8Array, start: number, end: number, options: ParseSipOptions | undefined): SipMessage {
  const stream = options?.stream === true;
  const diagnostics: Diagnostic[] = [];
  let p = start;
  // RFC 3261 §7.5: CRLFs before the start line are ignored (stream keep-alives, RFC 5626 §3.5.1).
  while (p < end && (bytes[p] === CR || bytes[p] === LF)) p++;
  if (p > start && !stream && p < end) {
    diagnostics.push(note(LAYER, `${p - start} CR/LF bytes before the start line ignored (RFC 3261 §7.5)`, start));
  }
  if (p < end && !startsLikeSip(bytes, p, end) && !looksLikeSipStart(bytes, p, end)) {
    const found = findSipStart(bytes, p, end);
    if (found > p) {
      diagnostics.push(malformed(LAYER, `${found - p} bytes of non-SIP data before the start line`, p));
      p = found;
    }
  }
  const msg = new SipMessageImpl(bytes, p, end, diagnostics);
  if (p >= end) {
    diagnostics.push(malformed(LAYER, 'no SIP message: the data is empty or only CR/LF', start));
    msg.body = { start: end, end };
    return msg;
  }

  // ---- decode once --------------------------------------------------------------------------------------
  // One TextDecoder call for the whole message; when it is ASCII (the usual case) string offsets equal byte
  // offsets and every later string is a substring. Scanning itself reads the bytes.
  const src = decodeMessage(bytes, p, end);
  msg.src = src;

  // ---- pass 1: lines, folding, header names -----------------------------------------------------------
  const sp = scratch;
  const scan = sectionScan;
  scanHeaderSection(src, p, sp, false, diagnostics, scan);
  const n = scan.n;
  const startLineEnd = scan.startLineEnd;
  const complete = scan.headersEnd >= 0;
  const headersEnd = complete ? scan.headersEnd : end;
  if (scan.bareLf) diagnostics.push(note(LAYER, 'lines end in LF without CR (RFC 3261 §7 requires CRLF)', p));

  // ---- start line ------------------------------------------------------------------------------------
  const sl = parseStartLineAt(src, p, startLineEnd);
  msg.kind = sl.kind;
  msg.method = sl.method;
  msg.requestUri = sl.requestUri;
  msg.parsedRequestUri = sl.parsedRequestUri;
  msg.statusCode = sl.statusCode;
  msg.reason = sl.reason;
  msg.version = sl.version;
  for (const pr of sl.problems) {
    diagnostics.push(pr.severity === 'error' ? malformed(LAYER, pr.message, pr.at) : note(LAYER, pr.message, pr.at));
  }

  // ---- pass 2: the index fields and per-header checks --------------------------------------------------
  // The value parsers read each value where it sits in the bytes (folded lines included: they treat CR/LF as
  // whitespace), so problem offsets are byte offsets.
  for (let i = 0; i <= LAST_CHECKED; i++) counts[i] = 0;
  let firstContentLength = -1; // index in sp of the first Content-Length
  let contentLengthsDiffer = false;
  for (let k = 0; k < n; k += HEADER_FIELDS) {
    const id = sp[k];
    if (id < 0 || id > LAST_CHECKED) continue; // UNRESOLVED_HEADER, unknown, or a header with nothing to check
    counts[id]++;
    const vs = sp[k + 3];
    const ve = sp[k + 4];
    switch (id) {
      case 0 /* Via */: {
        const before = msg.vias.length;
        listSink.problems = undefined;
        parseViaListAt(src, vs, ve, listSink, msg.vias);
        report(diagnostics, 'Via', listSink.problems);
        for (let i = before; i < msg.vias.length; i++) report(diagnostics, 'Via', msg.vias[i].problems);
        break;
      }
      case 1 /* From */:
      case 2 /* To */: {
        if (counts[id] > 1) break;
        const na = parseNameAddrAt(src, vs, ve);
        if (id === Id.From) msg.from = na;
        else msg.to = na;
        const label = id === Id.From ? 'From' : 'To';
        report(diagnostics, label, na.problems);
        checkScheme(diagnostics, vs, label, na);
        break;
      }
      case 3 /* CallId */:
        if (counts[id] === 1) {
          const v = valueString(src, sp, k);
          msg.callId = v;
          if (v.length === 0) diagnostics.push(malformed(LAYER, 'Call-ID is empty (RFC 3261 §20.8)', vs));
          else if (hasWhitespace(bytes, vs, ve)) {
            diagnostics.push(malformed(LAYER, `Call-ID '${v}' contains whitespace (RFC 3261 §25.1 callid)`, vs));
          }
        }
        break;
      case 4 /* CSeq */:
        if (counts[id] === 1) {
          msg.cseq = parseCSeqAt(src, vs, ve);
          report(diagnostics, 'CSeq', msg.cseq.problems);
        }
        break;
      case 5 /* Contact */: {
        const before = msg.contacts.length;
        listSink.problems = undefined;
        parseNameAddrListAt(src, vs, ve, true, listSink, msg.contacts);
        report(diagnostics, 'Contact', listSink.problems);
        for (let i = before; i < msg.contacts.length; i++) {
          const na = msg.contacts[i];
          if (na.params.length > 0 || na.wildcard) checkContactParams(na);
          report(diagnostics, 'Contact', na.problems);
        }
        break;
      }
      case 6 /* ContentLength */: {
        const value = parseDecimalBytes(bytes, vs, ve);
        if (counts[id] === 1) {
          firstContentLength = k;
          if (value < 0) {
            diagnostics.push(
              malformed(LAYER, `Content-Length '${valueString(src, sp, k)}' is not a non-negative decimal number (RFC 3261 §20.14)`, vs),
            );
          } else msg.contentLength = value;
        } else if (valueString(src, sp, k) !== valueString(src, sp, firstContentLength)) contentLengthsDiffer = true;
        break;
      }
      case 7 /* ContentType */:
        if (counts[id] === 1) {
          msg.contentType = valueString(src, sp, k);
          if (msg.contentType.indexOf('/') < 0) {
            diagnostics.push(malformed(LAYER, `Content-Type '${msg.contentType}' is not a media type (type/subtype)`, vs));
          }
        }
        break;
      case 8 /* MaxForwards */: {
        const value = parseDecimalBytes(bytes, vs, ve);
        if (value < 0) {
          diagnostics.push(malformed(LAYER, `Max-Forwards '${valueString(src, sp, k)}' is not a number (RFC 3261 §20.22)`, vs));
        } else {
          // RFC 4475 §3.1.2.4 treats a Max-Forwards above 255 as overlarge.
          if (value > 255) diagnostics.push(malformed(LAYER, `Max-Forwards ${value} exceeds 255 (RFC 4475 §3.1.2.4)`, vs));
          if (counts[id] === 1) msg.maxForwards = value;
        }
        break;
      }
      case 9 /* Expires */:
      case 15 /* MinExpires */: {
        const value = checkDeltaSeconds(diagnostics, src, vs, ve, HEADERS[id].name);
        if (id === Id.Expires && counts[id] === 1 && value >= 0) msg.expires = value;
        break;
      }
      case 11 /* RetryAfter */:
      case 18 /* SessionExpires */:
      case 19 /* MinSE */:
        checkDeltaSeconds(diagnostics, src, vs, ve, HEADERS[id].name);
        break;
      case 10 /* Date */: {
        const problem = checkSipDate(valueString(src, sp, k));
        if (problem) diagnostics.push(malformed(LAYER, `Date: ${problem}`, vs));
        break;
      }
      case 12 /* Warning */:
        checkWarning(diagnostics, vs, valueString(src, sp, k));
        break;
      case 16 /* RSeq */: {
        const value = parseDecimalBytes(bytes, vs, ve);
        if (value < 1 || value > MAX_UINT32) {
          diagnostics.push(malformed(LAYER, `RSeq '${valueString(src, sp, k)}' is not a number in 1..2^32-1 (RFC 3262 §7.1)`, vs));
        }
        break;
      }
      case 17 /* RAck */:
        checkRAck(diagnostics, src, vs, ve);
        break;
    }
  }

  // ---- message-level checks --------------------------------------------------------------------------
  if (missingAny()) {
    const missing: string[] = [];
    if (counts[Id.To] === 0) missing.push('To');
    if (counts[Id.From] === 0) missing.push('From');
    if (counts[Id.CallId] === 0) missing.push('Call-ID');
    if (counts[Id.CSeq] === 0) missing.push('CSeq');
    if (counts[Id.Via] === 0) missing.push('Via');
    diagnostics.push(
      malformed(LAYER, `missing mandatory header${missing.length > 1 ? 's' : ''}: ${missing.join(', ')} (RFC 3261 §8.1.1)`, p),
    );
  }
  if (msg.kind === 'request') {
    if (counts[Id.MaxForwards] === 0) {
      diagnostics.push(note(LAYER, 'no Max-Forwards header (required by RFC 3261 §8.1.1.6; RFC 2543 did not have it)', p));
    } else if (msg.maxForwards === 0) {
      diagnostics.push(note(LAYER, 'Max-Forwards is 0: the request must not be forwarded any further (RFC 3261 §16.3)', p));
    }
    const cseq = msg.cseq;
    if (cseq !== undefined && cseq.method !== msg.method && cseq.method !== '' && msg.method !== '') {
      diagnostics.push(
        malformed(LAYER, `CSeq method ${cseq.method} does not match the request method ${msg.method} (RFC 3261 §8.1.1.5)`, p),
      );
    }
  }
  for (let i = 0; i < SINGLE.length; i++) {
    const id = SINGLE[i];
    if (counts[id] > 1) {
      const name = HEADERS[id].name;
      diagnostics.push(
        malformed(LAYER, `${counts[id]} ${name} headers: ${name} takes a single value (RFC 3261 §7.3.1, RFC 4475 §3.3.8)`, p),
      );
    }
  }
  if (counts[Id.ContentLength] > 1) {
    diagnostics.push(
      contentLengthsDiffer
        ? malformed(LAYER, `${counts[Id.ContentLength]} Content-Length headers with different values: the body length is ambiguous (RFC 4475 §3.3.9)`, p)
        : note(LAYER, `${counts[Id.ContentLength]} Content-Length headers (same value)`, p),
    );
  }

  // ---- body ------------------------------------------------------------------------------------------
  msg.headersEnd = headersEnd;
  msg.bodyStart = headersEnd;
  const available = end - headersEnd;
  const cl = msg.contentLength;
  if (!complete) {
    const text = 'the header section has no terminating empty line (CRLF CRLF, RFC 3261 §7)';
    diagnostics.push(stream || options?.truncated ? truncated(LAYER, text, end) : malformed(LAYER, text, end));
    msg.body = { start: end, end };
    msg.end = end;
  } else if (stream) {
    if (counts[Id.ContentLength] === 0) {
      diagnostics.push(malformed(LAYER, 'no Content-Length on a stream transport, where it is mandatory (RFC 3261 §18.3): assuming 0', p));
    }
    const length = cl ?? 0;
    let bodyEnd = headersEnd + length;
    if (length > available) {
      diagnostics.push(truncated(LAYER, `Content-Length ${length} but only ${available} body bytes are available`, headersEnd));
      bodyEnd = end;
    }
    msg.body = { start: headersEnd, end: bodyEnd };
    msg.end = bodyEnd;
  } else {
    let bodyEnd = end;
    if (cl !== undefined && cl < available) {
      bodyEnd = headersEnd + cl;
      const extra = available - cl;
      const another = looksLikeSipStart(bytes, skipCrLf(bytes, bodyEnd, end), end) ? ': they hold another SIP message' : '';
      diagnostics.push(
        note(LAYER, `${extra} octets after the ${cl}-byte body (Content-Length) ignored${another} (RFC 3261 §18.3, RFC 4475 §3.1.1.8)`, bodyEnd),
      );
    } else if (cl !== undefined && cl > available) {
      const text = `Content-Length ${cl} exceeds the ${available} body bytes present (RFC 3261 §18.3)`;
      diagnostics.push(options?.truncated ? truncated(LAYER, text, headersEnd) : malformed(LAYER, text, headersEnd));
    }
    msg.body = { start: headersEnd, end: bodyEnd };
    msg.end = end;
  }
  if (options?.body === 'eager') {
    void msg.multipart;
    void msg.sdp;
  }
  return msg;
}

/**
 * The first four bytes are those of a common method or of `SIP/`: the parser then skips the full detection
 * (the start-line parser reports anything wrong with the rest of the line).
 */
function startsLikeSip(b: Uint8Array, p: number, end: number): boolean {
  if (p + 4 > end) return false;
  switch (((b[p] << 24) | (b[p + 1] << 16) | (b[p + 2] << 8) | b[p + 3]) >>> 0) {
    case 0x5349502f: // SIP/
    case 0x494e5649: // INVI(TE)
    case 0x41434b20: // ACK
    case 0x42594520: // BYE
    case 0x50524143: // PRAC(K)
    case 0x55504441: // UPDA(TE)
    case 0x52454749: // REGI(STER)
    case 0x43414e43: // CANC(EL)
    case 0x4f505449: // OPTI(ONS)
    case 0x53554253: // SUBS(CRIBE)
    case 0x4e4f5449: // NOTI(FY)
    case 0x4d455353: // MESS(AGE)
    case 0x494e464f: // INFO
    case 0x52454645: // REFE(R)
    case 0x5055424c: // PUBL(ISH)
      return true;
  }
  return false;
}

function missingAny(): boolean {
  return counts[Id.To] === 0 || counts[Id.From] === 0 || counts[Id.CallId] === 0 || counts[Id.CSeq] === 0 || counts[Id.Via] === 0;
}

/** Headers that take a single value: a second one is flagged (Content-Length has its own check). */
const SINGLE = [Id.From, Id.To, Id.CallId, Id.CSeq, Id.MaxForwards, Id.ContentType, Id.Expires, Id.RSeq, Id.RAck, Id.SessionExpires, Id.MinSE];

/**
 * Scratch for the header spans of the message being parsed (the message's own header list is built again
 * from the bytes on first access, so nothing is copied per message). parseSip is not re-entrant.
 */
const scratch: number[] = [];
const sectionScan: HeaderSectionScan = { n: 0, startLineEnd: 0, headersEnd: -1, bareLf: false };

/** Reused sink for list-level problems (stray commas) of Via and Contact. */
const listSink: { problems?: Problem[] } = {};

/** The value string of the header at `k` in `sp`, folded lines joined. */
function valueString(src: TextSource, sp: number[], k: number): string {
  const v = src.str(sp[k + 3], sp[k + 4]);
  return sp[k + 6] !== 0 ? unfold(v) : v;
}

/** Decodes the message (or, when it is not all ASCII, its header section) into a TextSource. */
function decodeMessage(bytes: Uint8Array, p: number, end: number): TextSource {
  const whole = decodeUtf8(bytes, p, end);
  if (whole.length === end - p) return new TextSource(bytes, p, whole, true);
  // Non-ASCII somewhere (a binary body, a UTF-8 display name): find the end of the header section on the
  // bytes, then decode just that.
  let i = p;
  let headersEnd = end;
  while (i + 1 < end) {
    if (bytes[i] === LF) {
      const c = bytes[i + 1];
      if (c === LF) {
        headersEnd = i + 2;
        break;
      }
      if (c === CR && i + 2 < end && bytes[i + 2] === LF) {
        headersEnd = i + 3;
        break;
      }
    }
    i++;
  }
  const head = decodeUtf8(bytes, p, headersEnd);
  if (head.length === headersEnd - p) return new TextSource(bytes, p, head, true);
  return new TextSource(bytes, p, decodeLatin1(bytes, p, headersEnd), false);
}

function isWs(c: number): boolean {
  return c === SP || c === HTAB;
}

function skipCrLf(bytes: Uint8Array, i: number, end: number): number {
  while (i < end && (bytes[i] === CR || bytes[i] === LF)) i++;
  return i;
}

function hasWhitespace(b: Uint8Array, start: number, end: number): boolean {
  for (let i = start; i < end; i++) if (LWS_BYTE[b[i]] === 1) return true;
  return false;
}

/** Problems of a header value (with byte offsets) → diagnostics. */
function report(diagnostics: Diagnostic[], label: string, problems: Problem[] | undefined): void {
  if (problems === undefined) return;
  for (const pr of problems) {
    const offset = pr.at;
    const text = `${label}: ${pr.message}`;
    // One diagnostic per distinct text: a 34-entry Via path without branches is one finding, not 34.
    let seen = false;
    for (const d of diagnostics) {
      if (d.message === text) {
        seen = true;
        break;
      }
    }
    if (!seen) diagnostics.push(pr.severity === 'error' ? malformed(LAYER, text, offset) : note(LAYER, text, offset));
  }
}

function checkScheme(diagnostics: Diagnostic[], valueStart: number, label: string, na: NameAddr): void {
  const scheme = na.parsedUri.scheme;
  if (scheme !== '' && scheme !== 'sip' && scheme !== 'sips' && scheme !== 'tel') {
    diagnostics.push(note(LAYER, `${label}: URI scheme '${scheme}' is not sip, sips or tel (RFC 4475 §3.3.4)`, valueStart));
  }
}

/** Contact `expires` is delta-seconds (≤ 2^32-1) and `q` a qvalue 0..1 (RFC 3261 §20.10, §25.1). */
function checkContactParams(na: NameAddr): void {
  for (const param of na.params) {
    const name = param.name;
    if (name === 'expires' || equalsLower(name, 'expires')) {
      const v = param.value ?? '';
      const value = parseDecimal(v, 0, v.length);
      if (value < 0) addNaProblem(na, `expires parameter '${v}' is not a number of seconds`);
      else if (value > MAX_UINT32) addNaProblem(na, `expires parameter ${v} exceeds 2^32-1 (RFC 3261 §25.1 delta-seconds)`);
    } else if (name === 'q' || name === 'Q') {
      const v = param.value ?? '';
      const q = Number(v);
      if (v === '' || !(q >= 0 && q <= 1)) addNaProblem(na, `q parameter '${v}' is not a qvalue between 0 and 1`);
    } else if (na.wildcard) addNaProblem(na, `'*' Contact with parameter '${name}' (RFC 3261 §10.2.2)`);
  }
}

function addNaProblem(na: NameAddr, message: string): void {
  (na.problems ??= []).push({ severity: 'error', message, at: 0 });
}

/** delta-seconds [ comment / params ]: the leading number must fit 32 bits (RFC 3261 §25.1; RFC 4475 §3.1.2.4-5). */
function checkDeltaSeconds(diagnostics: Diagnostic[], src: TextSource, start: number, end: number, name: string): number {
  const b = src.bytes;
  let i = start;
  while (i < end && isDigit(b[i])) i++;
  const value = parseDecimalBytes(b, start, i);
  if (value < 0) {
    diagnostics.push(malformed(LAYER, `${name} '${src.str(start, end)}' does not start with a number of seconds (RFC 3261 §25.1)`, start));
  } else if (value > MAX_UINT32) {
    diagnostics.push(malformed(LAYER, `${name} value ${src.str(start, i)} exceeds 2^32-1 (RFC 3261 §25.1 delta-seconds)`, start));
  }
  return value;
}

/** warning-value = warn-code SP warn-agent SP warn-text, warn-code = 3DIGIT (RFC 3261 §20.43). */
function checkWarning(diagnostics: Diagnostic[], valueStart: number, v: string): void {
  let i = 0;
  while (i <= v.length) {
    const comma = nextTopLevelComma(v, i, v.length);
    let a = i;
    while (a < comma && isWs(v.charCodeAt(a))) a++;
    let b = a;
    while (b < comma && isDigit(v.charCodeAt(b))) b++;
    if (b - a !== 3 || (b < comma && v.charCodeAt(b) !== SP)) {
      let e = a;
      while (e < comma && v.charCodeAt(e) !== SP) e++;
      diagnostics.push(malformed(LAYER, `Warning code '${v.substring(a, e)}' is not 3 digits (RFC 3261 §20.43)`, valueStart + a));
    }
    i = comma + 1;
  }
}

/** RAck = response-num LWS CSeq-num LWS Method (RFC 3262 §7.2). */
function checkRAck(diagnostics: Diagnostic[], src: TextSource, start: number, end: number): void {
  const x = src.bytes;
  let i = start;
  while (i < end && isDigit(x[i])) i++;
  let ok = i > start;
  const a = i;
  while (i < end && LWS_BYTE[x[i]] === 1) i++;
  ok = ok && i > a;
  const b = i;
  while (i < end && isDigit(x[i])) i++;
  ok = ok && i > b;
  const c = i;
  while (i < end && LWS_BYTE[x[i]] === 1) i++;
  ok = ok && i > c;
  const d = i;
  while (i < end && TOKEN[x[i]] === 1) i++;
  ok = ok && i > d && i === end;
  if (!ok) {
    diagnostics.push(malformed(LAYER, `RAck '${src.str(start, end)}' is not 'RSeq CSeq-number Method' (RFC 3262 §7.2)`, start));
  }
}
