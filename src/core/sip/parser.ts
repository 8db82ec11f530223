/**
 * SIP message parser (RFC 3261 §7). Built for indexing large captures: one pass over the header bytes
 * finds lines, folds and header names (looked up from bytes, no lower-casing), the header section is
 * decoded once, and only the fields the index needs are parsed eagerly. Everything wrong becomes a
 * diagnostic on the message; the parser never throws.
 */
import { decoderBug, malformed, note, truncated, type Diagnostic } from '../diagnostics.js';
import { decodeLatin1, decodeUtf8 } from '../util/text.js';
import { CR, HTAB, LF, SP, TOKEN, isDigit } from './chars.js';
import { parseCSeq } from './cseq.js';
import { checkSipDate } from './date.js';
import { H, HEADERS, UNKNOWN_HEADER, lookupHeader, lookupHeaderBytes } from './header-names.js';
import { Header, SipMessageImpl, TextSource } from './message.js';
import { parseNameAddr, parseNameAddrList } from './name-addr.js';
import { MAX_UINT32, nextTopLevelComma, parseDecimal } from './scan.js';
import { findSipStart, looksLikeSipStart, parseStartLine } from './start-line.js';
import type { NameAddr, Problem, SipMessage } from './types.js';
import { parseViaList } from './via.js';

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

/** Per-message occurrence counts by header id (scratch, reset by each parse; parseSip is not re-entrant). */
const counts = new Uint16Array(HEADERS.length);

/**
 * Parses the SIP message that starts at `start` in bytes [start, end). A datagram (default) ends at `end`;
 * on a stream the message ends after Content-Length body bytes. Never throws.
 */
export function parseSip(bytes: Uint8Array, start: number, end: number, options?: ParseSipOptions): SipMessage {
  try {
    if (end > bytes.length) end = bytes.length;
    if (start < 0) start = 0;
    return parse(bytes, start, end, options);
  } catch (error) {
    const m = new SipMessageImpl(bytes, start, Math.max(start, end), []);
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
        return e + 1 - start + Math.max(0, contentLength);
      }
      if (contentLength < 0 && lineStart > p) {
        let n = lineStart;
        while (n < e && TOKEN[bytes[n]] === 1) n++;
        if (lookupHeaderBytes(bytes, lineStart, n) === H.ContentLength) {
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
  if (p < end && !looksLikeSipStart(bytes, p, end)) {
    const found = findSipStart(bytes, p, end);
    if (found > p) {
      diagnostics.push(malformed(LAYER, `${found - p} bytes of non-SIP data before the start line`, p));
      p = found;
    }
  }
  const msg = new SipMessageImpl(bytes, p, end, diagnostics);
  if (p >= end) {
    diagnostics.push(malformed(LAYER, 'no SIP message: the data is empty or only CR/LF', start));
    return msg;
  }

  // ---- decode once --------------------------------------------------------------------------------------
  // The whole message is decoded with one TextDecoder call; when it is ASCII (the usual case) string offsets
  // equal byte offsets and all later strings are substrings. Otherwise only the header section is decoded.
  const src = decodeMessage(bytes, p, end);
  msg.src = src;
  const t = src.text;
  const L = t.length;

  // ---- pass 1: lines, folding, header names -----------------------------------------------------------
  let nl = t.indexOf('\n');
  if (nl < 0) nl = L;
  const startLineEnd = nl > 0 && t.charCodeAt(nl - 1) === CR ? nl - 1 : nl;
  let bareLf = nl < L && startLineEnd === nl;
  const headers = msg.headers;
  let last: Header | undefined;
  let headersEnd = -1; // index in t
  let q = nl + 1;
  while (q < L) {
    nl = t.indexOf('\n', q);
    if (nl < 0) nl = L;
    let contentEnd = nl;
    if (nl > q && t.charCodeAt(nl - 1) === CR) contentEnd = nl - 1;
    else if (nl < L) bareLf = true;
    if (contentEnd === q) {
      headersEnd = nl < L ? nl + 1 : L;
      break;
    }
    const c = t.charCodeAt(q);
    if (c === SP || c === HTAB) {
      // Continuation of the previous header field (RFC 3261 §7.3.1).
      if (last !== undefined) {
        let vs = q;
        while (vs < contentEnd && isWs(t.charCodeAt(vs))) vs++;
        let ve = contentEnd;
        while (ve > vs && isWs(t.charCodeAt(ve - 1))) ve--;
        if (ve > vs) {
          if (last.valueEnd === last.valueStart) last.valueStart = p + vs;
          else last.folded = true;
          last.valueEnd = p + ve;
        }
        last.end = p + contentEnd;
      } else if (headers.length === 0) {
        diagnostics.push(malformed(LAYER, 'line starting with whitespace right after the start line (RFC 3261 §7.1)', p + q));
      }
    } else {
      const colon = t.indexOf(':', q);
      let nameEnd = colon < 0 || colon > contentEnd ? contentEnd : colon;
      while (nameEnd > q && isWs(t.charCodeAt(nameEnd - 1))) nameEnd--;
      let id = colon < 0 || colon > contentEnd ? BAD_LINE : lookupHeader(t, q, nameEnd);
      if (id === UNKNOWN_HEADER && !isTokenRange(t, q, nameEnd)) id = BAD_LINE;
      if (id === BAD_LINE) {
        const text = src.str(p + q, p + Math.min(contentEnd, q + 60));
        diagnostics.push(
          malformed(
            LAYER,
            colon < 0 || colon > contentEnd
              ? `header line without ':': '${text}' (RFC 3261 §7.3)`
              : `header name '${src.str(p + q, p + nameEnd)}' is not a token (RFC 3261 §7.3)`,
            p + q,
          ),
        );
        last = undefined;
      } else {
        let vs = colon + 1;
        while (vs < contentEnd && isWs(t.charCodeAt(vs))) vs++;
        let ve = contentEnd;
        while (ve > vs && isWs(t.charCodeAt(ve - 1))) ve--;
        last = new Header(src, id, p + q, p + nameEnd, p + vs, p + ve, p + contentEnd, false);
        headers.push(last);
      }
    }
    q = nl + 1;
  }
  const complete = headersEnd >= 0;
  headersEnd = complete ? p + headersEnd : end;
  if (bareLf) diagnostics.push(note(LAYER, 'lines end in LF without CR (RFC 3261 §7 requires CRLF)', p));

  // ---- start line ------------------------------------------------------------------------------------
  const sl = parseStartLine(src.str(p, p + startLineEnd));
  msg.kind = sl.kind;
  msg.method = sl.method;
  msg.requestUri = sl.requestUri;
  msg.parsedRequestUri = sl.parsedRequestUri;
  msg.statusCode = sl.statusCode;
  msg.reason = sl.reason;
  msg.version = sl.version;
  for (const pr of sl.problems) {
    diagnostics.push(pr.severity === 'error' ? malformed(LAYER, pr.message, p + pr.at) : note(LAYER, pr.message, p + pr.at));
  }

  // ---- pass 2: the index fields and per-header checks --------------------------------------------------
  counts.fill(0);
  let firstContentLength = '';
  let contentLengthsDiffer = false;
  for (let k = 0; k < headers.length; k++) {
    const h = headers[k];
    const id = h.id;
    if (id < 0) continue;
    counts[id]++;
    if (id > LAST_CHECKED) continue;
    // The value to parse: the decoded text itself (no copy) when it maps onto the bytes, else the value string.
    let vs: string;
    let va: number;
    let vb: number;
    let base: number; // byte offset of vs[0], or -1 when indices in vs do not map onto bytes
    if (!h.folded && src.ascii) {
      vs = t;
      va = h.valueStart - p;
      vb = h.valueEnd - p;
      base = p;
    } else {
      vs = h.value;
      va = 0;
      vb = vs.length;
      base = -1;
    }
    switch (id) {
      case H.Via: {
        const before = msg.vias.length;
        const listProblems: Problem[] = [];
        parseViaList(vs, va, vb, listProblems, msg.vias);
        report(diagnostics, h, base, 'Via', listProblems);
        for (let i = before; i < msg.vias.length; i++) report(diagnostics, h, base, 'Via', msg.vias[i].problems);
        break;
      }
      case H.From:
      case H.To: {
        if (counts[id] > 1) break;
        const na = parseNameAddr(vs, va, vb);
        if (id === H.From) msg.from = na;
        else msg.to = na;
        const label = id === H.From ? 'From' : 'To';
        report(diagnostics, h, base, label, na.problems);
        checkScheme(diagnostics, h, label, na);
        break;
      }
      case H.CallId:
        if (counts[id] === 1) {
          const v = h.value;
          msg.callId = v;
          if (v.length === 0) diagnostics.push(malformed(LAYER, 'Call-ID is empty (RFC 3261 §20.8)', h.valueStart));
          else if (hasWhitespace(vs, va, vb)) {
            diagnostics.push(malformed(LAYER, `Call-ID '${v}' contains whitespace (RFC 3261 §25.1 callid)`, h.valueStart));
          }
        }
        break;
      case H.CSeq:
        if (counts[id] === 1) {
          msg.cseq = parseCSeq(vs, va, vb);
          report(diagnostics, h, base, 'CSeq', msg.cseq.problems);
        }
        break;
      case H.Contact: {
        const listProblems: Problem[] = [];
        const list = parseNameAddrList(vs, va, vb, true, listProblems);
        report(diagnostics, h, base, 'Contact', listProblems);
        for (const na of list) {
          checkContactParams(na);
          report(diagnostics, h, base, 'Contact', na.problems);
          msg.contacts.push(na);
        }
        break;
      }
      case H.ContentLength: {
        const n = parseDecimal(vs, va, vb);
        if (counts[id] === 1) {
          firstContentLength = h.value;
          if (n < 0) {
            diagnostics.push(malformed(LAYER, `Content-Length '${h.value}' is not a non-negative decimal number (RFC 3261 §20.14)`, h.valueStart));
          } else msg.contentLength = n;
        } else if (h.value !== firstContentLength) contentLengthsDiffer = true;
        break;
      }
      case H.ContentType:
        if (counts[id] === 1) {
          msg.contentType = h.value;
          if (msg.contentType.indexOf('/') < 0) {
            diagnostics.push(malformed(LAYER, `Content-Type '${msg.contentType}' is not a media type (type/subtype)`, h.valueStart));
          }
        }
        break;
      case H.MaxForwards: {
        const n = parseDecimal(vs, va, vb);
        if (n < 0) diagnostics.push(malformed(LAYER, `Max-Forwards '${h.value}' is not a number (RFC 3261 §20.22)`, h.valueStart));
        else {
          // RFC 4475 §3.1.2.4 treats a Max-Forwards above 255 as overlarge.
          if (n > 255) diagnostics.push(malformed(LAYER, `Max-Forwards ${h.value} exceeds 255 (RFC 4475 §3.1.2.4)`, h.valueStart));
          if (counts[id] === 1) msg.maxForwards = n;
        }
        break;
      }
      case H.Expires:
      case H.MinExpires: {
        const n = checkDeltaSeconds(diagnostics, h, vs, va, vb, HEADERS[id].name);
        if (id === H.Expires && counts[id] === 1 && n >= 0) msg.expires = n;
        break;
      }
      case H.RetryAfter:
      case H.SessionExpires:
      case H.MinSE:
        checkDeltaSeconds(diagnostics, h, vs, va, vb, HEADERS[id].name);
        break;
      case H.Date: {
        const problem = checkSipDate(h.value);
        if (problem) diagnostics.push(malformed(LAYER, `Date: ${problem}`, h.valueStart));
        break;
      }
      case H.Warning:
        checkWarning(diagnostics, h);
        break;
      case H.RSeq: {
        const n = parseDecimal(vs, va, vb);
        if (n < 1 || n > MAX_UINT32) {
          diagnostics.push(malformed(LAYER, `RSeq '${h.value}' is not a number in 1..2^32-1 (RFC 3262 §7.1)`, h.valueStart));
        }
        break;
      }
      case H.RAck:
        checkRAck(diagnostics, h, vs, va, vb);
        break;
    }
  }

  // ---- message-level checks --------------------------------------------------------------------------
  const missing: string[] = [];
  if (counts[H.To] === 0) missing.push('To');
  if (counts[H.From] === 0) missing.push('From');
  if (counts[H.CallId] === 0) missing.push('Call-ID');
  if (counts[H.CSeq] === 0) missing.push('CSeq');
  if (counts[H.Via] === 0) missing.push('Via');
  if (missing.length > 0) {
    diagnostics.push(
      malformed(LAYER, `missing mandatory header${missing.length > 1 ? 's' : ''}: ${missing.join(', ')} (RFC 3261 §8.1.1)`, p),
    );
  }
  if (msg.kind === 'request') {
    if (counts[H.MaxForwards] === 0) {
      diagnostics.push(note(LAYER, 'no Max-Forwards header (required by RFC 3261 §8.1.1.6; RFC 2543 did not have it)', p));
    } else if (msg.maxForwards === 0) {
      diagnostics.push(note(LAYER, 'Max-Forwards is 0: the request must not be forwarded any further (RFC 3261 §16.3)', p));
    }
    if (msg.cseq && msg.cseq.method !== '' && msg.method !== '' && msg.cseq.method !== msg.method) {
      diagnostics.push(
        malformed(LAYER, `CSeq method ${msg.cseq.method} does not match the request method ${msg.method} (RFC 3261 §8.1.1.5)`, p),
      );
    }
  }
  for (const id of [H.From, H.To, H.CallId, H.CSeq, H.MaxForwards, H.ContentType, H.Expires]) {
    if (counts[id] > 1) {
      const name = HEADERS[id].name;
      diagnostics.push(
        malformed(LAYER, `${counts[id]} ${name} headers: ${name} takes a single value (RFC 3261 §7.3.1, RFC 4475 §3.3.8)`, p),
      );
    }
  }
  if (counts[H.ContentLength] > 1) {
    diagnostics.push(
      contentLengthsDiffer
        ? malformed(LAYER, `${counts[H.ContentLength]} Content-Length headers with different values: the body length is ambiguous (RFC 4475 §3.3.9)`, p)
        : note(LAYER, `${counts[H.ContentLength]} Content-Length headers (same value)`, p),
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
    if (counts[H.ContentLength] === 0) {
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
      const n = bytes[i + 1];
      if (n === LF) {
        headersEnd = i + 2;
        break;
      }
      if (n === CR && i + 2 < end && bytes[i + 2] === LF) {
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

function isTokenRange(s: string, start: number, end: number): boolean {
  if (start >= end) return false;
  for (let i = start; i < end; i++) {
    const c = s.charCodeAt(i);
    if (c > 0xff || TOKEN[c] === 0) return false;
  }
  return true;
}

function skipCrLf(bytes: Uint8Array, i: number, end: number): number {
  while (i < end && (bytes[i] === CR || bytes[i] === LF)) i++;
  return i;
}

function hasWhitespace(s: string, start: number, end: number): boolean {
  for (let i = start; i < end; i++) {
    const c = s.charCodeAt(i);
    if (c === SP || c === HTAB || c === CR || c === LF) return true;
  }
  return false;
}

/**
 * Problems of a header value → diagnostics. `base` is the byte offset of index 0 of the string the problems'
 * `at` refer to, or -1 when that string does not map onto the bytes (then the value start is used).
 */
function report(diagnostics: Diagnostic[], h: Header, base: number, label: string, problems: Problem[] | undefined): void {
  if (!problems) return;
  for (const pr of problems) {
    const offset = base >= 0 ? base + pr.at : h.valueStart;
    const text = `${label}: ${pr.message}`;
    diagnostics.push(pr.severity === 'error' ? malformed(LAYER, text, offset) : note(LAYER, text, offset));
  }
}

/** Header ids above this one need no work in pass 2 (see H: the checked headers come first). */
const LAST_CHECKED = H.MinSE;
/** Pseudo id for a line that is not a header field. */
const BAD_LINE = -2;

function checkScheme(diagnostics: Diagnostic[], h: Header, label: string, na: NameAddr): void {
  const scheme = na.parsedUri.scheme;
  if (scheme !== '' && scheme !== 'sip' && scheme !== 'sips' && scheme !== 'tel') {
    diagnostics.push(note(LAYER, `${label}: URI scheme '${scheme}' is not sip, sips or tel (RFC 4475 §3.3.4)`, h.valueStart));
  }
}

/** Contact `expires` is delta-seconds (≤ 2^32-1) and `q` a qvalue 0..1 (RFC 3261 §20.10, §25.1). */
function checkContactParams(na: NameAddr): void {
  for (const param of na.params) {
    const name = param.name;
    if (name.length === 7 && name.toLowerCase() === 'expires') {
      const v = param.value ?? '';
      const n = parseDecimal(v, 0, v.length);
      if (n < 0) addNaProblem(na, `expires parameter '${v}' is not a number of seconds`);
      else if (n > MAX_UINT32) addNaProblem(na, `expires parameter ${v} exceeds 2^32-1 (RFC 3261 §25.1 delta-seconds)`);
    } else if (name.length === 1 && (name === 'q' || name === 'Q')) {
      const v = param.value ?? '';
      const q = Number(v);
      if (v === '' || !(q >= 0 && q <= 1)) addNaProblem(na, `q parameter '${v}' is not a qvalue between 0 and 1`);
    }
  }
  if (na.wildcard && na.params.length > 0) {
    for (const param of na.params) {
      if (param.name.toLowerCase() !== 'expires') addNaProblem(na, `'*' Contact with parameter '${param.name}' (RFC 3261 §10.2.2)`);
    }
  }
}

function addNaProblem(na: NameAddr, message: string): void {
  (na.problems ??= []).push({ severity: 'error', message, at: 0 });
}

/** delta-seconds [ comment / params ]: the leading number must fit 32 bits (RFC 3261 §25.1; RFC 4475 §3.1.2.4-5). */
function checkDeltaSeconds(diagnostics: Diagnostic[], h: Header, s: string, start: number, end: number, name: string): number {
  let i = start;
  while (i < end && isDigit(s.charCodeAt(i))) i++;
  const n = parseDecimal(s, start, i);
  if (n < 0) {
    diagnostics.push(malformed(LAYER, `${name} '${h.value}' does not start with a number of seconds (RFC 3261 §25.1)`, h.valueStart));
  } else if (n > MAX_UINT32) {
    diagnostics.push(malformed(LAYER, `${name} value ${s.substring(start, i)} exceeds 2^32-1 (RFC 3261 §25.1 delta-seconds)`, h.valueStart));
  }
  return n;
}

/** warning-value = warn-code SP warn-agent SP warn-text, warn-code = 3DIGIT (RFC 3261 §20.43). */
function checkWarning(diagnostics: Diagnostic[], h: Header): void {
  const v = h.value;
  let i = 0;
  while (i <= v.length) {
    const comma = nextTopLevelComma(v, i, v.length);
    let a = i;
    while (a < comma && (v.charCodeAt(a) === SP || v.charCodeAt(a) === HTAB)) a++;
    let b = a;
    while (b < comma && isDigit(v.charCodeAt(b))) b++;
    if (b - a !== 3 || (b < comma && v.charCodeAt(b) !== SP)) {
      let t = a;
      while (t < comma && v.charCodeAt(t) !== SP) t++;
      diagnostics.push(
        malformed(LAYER, `Warning code '${v.substring(a, t)}' is not 3 digits (RFC 3261 §20.43)`, h.valueStart + a),
      );
    }
    i = comma + 1;
  }
}

/** RAck = response-num LWS CSeq-num LWS Method (RFC 3262 §7.2). */
function checkRAck(diagnostics: Diagnostic[], h: Header, s: string, start: number, end: number): void {
  let i = start;
  while (i < end && isDigit(s.charCodeAt(i))) i++;
  let ok = i > start;
  const a = i;
  while (i < end && isWs(s.charCodeAt(i))) i++;
  ok = ok && i > a;
  const b = i;
  while (i < end && isDigit(s.charCodeAt(i))) i++;
  ok = ok && i > b;
  const c = i;
  while (i < end && isWs(s.charCodeAt(i))) i++;
  ok = ok && i > c;
  const d = i;
  while (i < end && s.charCodeAt(i) <= 0xff && TOKEN[s.charCodeAt(i)] === 1) i++;
  ok = ok && i > d && i === end;
  if (!ok) diagnostics.push(malformed(LAYER, `RAck '${h.value}' is not 'RSeq CSeq-number Method' (RFC 3262 §7.2)`, h.valueStart));
}
