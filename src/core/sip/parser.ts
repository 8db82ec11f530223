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
  // Header spans go to the scratch buffer first (HEADER_FIELDS ints each), copied to the message at the end.
  let sp = scratch;
  let n = 0; // ints used
  let last = -1; // index in sp of the previous header, for continuation lines
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
      if (last >= 0) {
        let vs = q;
        while (vs < contentEnd && isWs(t.charCodeAt(vs))) vs++;
        let ve = contentEnd;
        while (ve > vs && isWs(t.charCodeAt(ve - 1))) ve--;
        if (ve > vs) {
          if (sp[last + 4] === sp[last + 3]) sp[last + 3] = p + vs;
          else sp[last + 6] = 1;
          sp[last + 4] = p + ve;
        }
        sp[last + 5] = p + contentEnd;
      } else if (n === 0) {
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
        last = -1;
      } else {
        let vs = colon + 1;
        while (vs < contentEnd && isWs(t.charCodeAt(vs))) vs++;
        let ve = contentEnd;
        while (ve > vs && isWs(t.charCodeAt(ve - 1))) ve--;
        if (n + HEADER_FIELDS > sp.length) sp = scratch = growScratch(sp);
        sp[n] = id;
        sp[n + 1] = p + q;
        sp[n + 2] = p + nameEnd;
        sp[n + 3] = p + vs;
        sp[n + 4] = p + ve;
        sp[n + 5] = p + contentEnd;
        sp[n + 6] = 0;
        last = n;
        n += HEADER_FIELDS;
      }
    }
    q = nl + 1;
  }
  const complete = headersEnd >= 0;
  headersEnd = complete ? p + headersEnd : end;
  msg.spans = sp.slice(0, n);
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

X