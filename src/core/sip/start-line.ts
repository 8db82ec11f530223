/**
 * The start line (RFC 3261 §7.1, §7.2): detection on raw bytes, for SIP on any port, and parsing.
 *
 *   Request-Line = Method SP Request-URI SP SIP-Version CRLF
 *   Status-Line  = SIP-Version SP Status-Code SP Reason-Phrase CRLF
 *   SIP-Version  = "SIP" "/" 1*DIGIT "." 1*DIGIT
 */
import { CR, LF, SP, HTAB, TOKEN, isDigit } from './chars.js';
import { internMethodBytes, isKnownMethodBytes } from './methods.js';
import { sourceOf, type TextSource } from './source.js';
import { parseUriAt } from './uri.js';
import type { Problem, Uri } from './types.js';

/** A start line longer than this is not looked at by the detector (PROTOS c07 methods are ~4 KB). */
const MAX_START_LINE = 65536;

/** Matches `SIP/` 1*DIGIT "." 1*DIGIT at i ("SIP" case-insensitively, as ABNF literals are); returns the end or -1. */
function matchVersion(bytes: Uint8Array, i: number, end: number): number {
  if (i + 7 > end) return -1;
  if ((bytes[i] & 0xdf) !== 0x53 || (bytes[i + 1] & 0xdf) !== 0x49 || (bytes[i + 2] & 0xdf) !== 0x50 || bytes[i + 3] !== 0x2f) {
    return -1;
  }
  let p = i + 4;
  const major = p;
  while (p < end && isDigit(bytes[p])) p++;
  if (p === major || p >= end || bytes[p] !== 0x2e) return -1;
  const minor = ++p;
  while (p < end && isDigit(bytes[p])) p++;
  return p === minor ? -1 : p;
}

/** `SIP/x.y SP 1*DIGIT (SP / CRLF / end)` at i. Overlarge codes still count: the parser flags them (RFC 4475 §3.1.2.19). */
function matchStatusLine(bytes: Uint8Array, i: number, end: number): boolean {
  let p = matchVersion(bytes, i, end);
  if (p < 0 || p >= end || bytes[p] !== SP) return false;
  p++;
  const code = p;
  while (p < end && isDigit(bytes[p])) p++;
  return p > code && (p >= end || bytes[p] === SP || bytes[p] === CR || bytes[p] === LF);
}

/**
 * `token SP+ Request-URI SP+ SIP-Version` on one line at i, tolerating what RFC 4475 §3.1.2.8-3.1.2.10 throw at
 * a parser (several SPs, whitespace inside the URI, trailing whitespace). A known method followed by a sip:,
 * sips: or tel: URI is accepted without a version. Control characters reject the line: binary data is not SIP.
 */
function matchRequestLine(bytes: Uint8Array, i: number, end: number): boolean {
  let p = i;
  const limit = Math.min(end, i + MAX_START_LINE);
  while (p < limit && TOKEN[bytes[p]] === 1) p++;
  if (p === i || p >= limit || bytes[p] !== SP) return false;
  const methodEnd = p;
  while (p < limit && bytes[p] === SP) p++;
  const uriStart = p;
  let lineEnd = p;
  while (lineEnd < limit) {
    const c = bytes[lineEnd];
    if (c === CR || c === LF) break;
    if ((c < 0x20 && c !== HTAB) || c === 0x7f) return false;
    lineEnd++;
  }
  if (lineEnd === limit && limit < end) return false;
  let e = lineEnd;
  while (e > uriStart && (bytes[e - 1] === SP || bytes[e - 1] === HTAB)) e--;
  // The version is the last element: scan back over it to the SP before it.
  let v = e;
  while (v > uriStart && bytes[v - 1] !== SP && bytes[v - 1] !== HTAB) v--;
  if (v > uriStart && matchVersion(bytes, v, e) === e) {
    let u = v;
    while (u > uriStart && (bytes[u - 1] === SP || bytes[u - 1] === HTAB)) u--;
    return u > uriStart;
  }
  if (e > uriStart && isKnownMethodBytes(bytes, i, methodEnd)) {
    // RFC 4475 test.dat: "INVITE sip:alan@jasomi.com" with no SIP-Version.
    const s = bytes[uriStart] | 0x20;
    return (s === 0x73 || s === 0x74) && hasSchemePrefix(bytes, uriStart, e);
  }
  return false;
}

function hasSchemePrefix(bytes: Uint8Array, i: number, end: number): boolean {
  const at = (k: number): number => (i + k < end ? bytes[i + k] : 0);
  if ((at(0) | 0x20) === 0x73 && (at(1) | 0x20) === 0x69 && (at(2) | 0x20) === 0x70) {
    return at(3) === 0x3a || ((at(3) | 0x20) === 0x73 && at(4) === 0x3a);
  }
  return (at(0) | 0x20) === 0x74 && (at(1) | 0x20) === 0x65 && (at(2) | 0x20) === 0x6c && at(3) === 0x3a;
}

/**
 * Cheap content-based detection, for SIP on any port: does a SIP request line or status line start at
 * `start`? Rejects HTTP/RTSP (their versions are not SIP/x.y), CRLF and 5-byte keep-alives, and binary data.
 */
export function looksLikeSipStart(bytes: Uint8Array, start: number, end: number): boolean {
  if (end > bytes.length) end = bytes.length;
  if (start < 0 || start + 8 > end) return false;
  const c = bytes[start];
  if (TOKEN[c] === 0) return false;
  if ((c & 0xdf) === 0x53 && matchStatusLine(bytes, start, end)) return true;
  return matchRequestLine(bytes, start, end);
}

/**
 * Offset of the first SIP start line in bytes [start, end), or -1. For a datagram that does not begin with a
 * start line (junk or padding before it): each line is tried at its beginning, then — when it ends in a
 * SIP-Version — from the method token before its Request-URI, then at any `SIP/` inside it (status line).
 * Linear in the data size. Junk made of token characters glued to the method cannot be told apart from it.
 */
export function findSipStart(bytes: Uint8Array, start: number, end: number): number {
  if (end > bytes.length) end = bytes.length;
  if (start < 0) start = 0;
  let lineStart = start;
  while (lineStart < end) {
    let lineEnd = lineStart;
    while (lineEnd < end && bytes[lineEnd] !== LF) lineEnd++;
    if (looksLikeSipStart(bytes, lineStart, end)) return lineStart;
    // Request line preceded by junk on the same line: walk back from a trailing SIP-Version.
    let e = lineEnd;
    while (e > lineStart && (bytes[e - 1] === CR || bytes[e - 1] === SP || bytes[e - 1] === HTAB)) e--;
    let v = e;
    while (v > lineStart && bytes[v - 1] !== SP) v--;
    if (v > lineStart && matchVersion(bytes, v, e) === e) {
      let u = v;
      while (u > lineStart && bytes[u - 1] === SP) u--;
      while (u > lineStart && bytes[u - 1] !== SP) u--; // the Request-URI
      while (u > lineStart && bytes[u - 1] === SP) u--;
      let m = u;
      while (m > lineStart && TOKEN[bytes[m - 1]] === 1) m--;
      if (m < u && looksLikeSipStart(bytes, m, end)) return m;
    }
    // Status line preceded by junk.
    for (let k = lineStart + 1; k + 8 <= lineEnd; k++) {
      if (bytes[k] === 0x53 && matchStatusLine(bytes, k, end)) return k;
    }
    lineStart = lineEnd + 1;
  }
  return -1;
}

/** What the start line says, with its problems (`at` = byte offset). */
export interface StartLine {
  kind: 'request' | 'response';
  method: string;
  requestUri: string;
  parsedRequestUri: Uri | undefined;
  statusCode: number;
  reason: string;
  version: string;
  problems: Problem[];
}

const RFC_71 = 'RFC 3261 §7.1';

/** Parses a start line given as text (without its CRLF). Problem offsets are byte offsets in `line`. */
export function parseStartLine(line: string): StartLine {
  const src = sourceOf(line);
  return parseStartLineAt(src, 0, src.bytes.length);
}

function isSipSlash(b: Uint8Array, i: number, end: number): boolean {
  return i + 4 <= end && (b[i] & 0xdf) === 0x53 && (b[i + 1] & 0xdf) === 0x49 && (b[i + 2] & 0xdf) === 0x50 && b[i + 3] === 0x2f;
}

/** `SIP/2.0` exactly at bytes [i, end). */
function isSip20(b: Uint8Array, i: number, end: number): boolean {
  return end - i === 7 && b[i] === 0x53 && b[i + 1] === 0x49 && b[i + 2] === 0x50 && b[i + 3] === 0x2f && b[i + 4] === 0x32 && b[i + 5] === 0x2e && b[i + 6] === 0x30;
}

/** Parses the start line in bytes [start, end) of `src` (without its CRLF). Never throws. */
export function parseStartLineAt(src: TextSource, start: number, end: number): StartLine {
  const b = src.bytes;
  const sl: StartLine = {
    kind: 'request',
    method: '',
    requestUri: '',
    parsedRequestUri: undefined,
    statusCode: 0,
    reason: '',
    version: '',
    problems: NO_PROBLEMS,
  };
  if (isSipSlash(b, start, end)) {
    sl.kind = 'response';
    let sp = start;
    while (sp < end && b[sp] !== SP) sp++;
    sl.version = isSip20(b, start, sp) ? 'SIP/2.0' : src.str(start, sp);
    if (sl.version !== 'SIP/2.0') problem(sl, 'error', `SIP version '${sl.version}' is not SIP/2.0 (RFC 3261 §7.2)`, start);
    let i = sp < end ? sp + 1 : end;
    if (i < end && b[i] === SP) {
      problem(sl, 'error', 'status line: more than one SP after the SIP version (RFC 3261 §7.2)', i);
      while (i < end && b[i] === SP) i++;
    }
    let codeEnd = i;
    while (codeEnd < end && b[codeEnd] !== SP) codeEnd++;
    if (codeEnd - i === 3 && isDigit(b[i]) && isDigit(b[i + 1]) && isDigit(b[i + 2])) {
      sl.statusCode = (b[i] - 0x30) * 100 + (b[i + 1] - 0x30) * 10 + (b[i + 2] - 0x30);
      if (sl.statusCode < 100 || sl.statusCode > 699) {
        problem(sl, 'error', `status code ${sl.statusCode} is outside 100-699 (RFC 3261 §7.2)`, i);
      }
    } else {
      problem(sl, 'error', `status code '${src.str(i, codeEnd)}' is not a 3-digit number (RFC 3261 §7.2)`, i);
    }
    if (codeEnd >= end) problem(sl, 'note', 'status line has no SP after the status code (RFC 3261 §7.2)', end);
    else sl.reason = src.str(codeEnd + 1, end);
    return sl;
  }

  // Request-Line
  let i = start;
  while (i < end && TOKEN[b[i]] === 1) i++;
  sl.method = internMethodBytes(src, start, i);
  if (i === start) {
    problem(sl, 'error', `start line is neither a request line nor a status line: '${clip(src.str(start, end))}'`, start);
    return sl;
  }
  if (i < end && b[i] !== SP) {
    problem(sl, 'error', `method '${sl.method}' is followed by '${src.str(i, i + 1)}' instead of SP (${RFC_71})`, i);
    while (i < end && b[i] !== SP) i++;
  }
  let lineEnd = end;
  while (lineEnd > i && (b[lineEnd - 1] === SP || b[lineEnd - 1] === HTAB)) lineEnd--;
  if (lineEnd < end) problem(sl, 'error', `request line ends with whitespace after the SIP version (${RFC_71})`, lineEnd);
  let uriStart = i;
  while (uriStart < lineEnd && (b[uriStart] === SP || b[uriStart] === HTAB)) uriStart++;
  if (uriStart - i > 1) problem(sl, 'error', `request line: more than one SP between method and Request-URI (${RFC_71})`, i);
  let versionStart = lineEnd;
  while (versionStart > uriStart && b[versionStart - 1] !== SP && b[versionStart - 1] !== HTAB) versionStart--;
  let uriEnd = lineEnd;
  if (versionStart > uriStart && isSipSlash(b, versionStart, lineEnd)) {
    sl.version = isSip20(b, versionStart, lineEnd) ? 'SIP/2.0' : src.str(versionStart, lineEnd);
    uriEnd = versionStart;
    while (uriEnd > uriStart && (b[uriEnd - 1] === SP || b[uriEnd - 1] === HTAB)) uriEnd--;
    if (versionStart - uriEnd > 1) problem(sl, 'error', `request line: more than one SP between Request-URI and SIP version (${RFC_71})`, uriEnd);
    if (sl.version !== 'SIP/2.0') problem(sl, 'error', `SIP version '${sl.version}' is not SIP/2.0 (${RFC_71})`, versionStart);
  } else {
    problem(sl, 'error', `request line has no SIP version (expected 'SIP/2.0' after the Request-URI) (${RFC_71})`, lineEnd);
  }
  sl.requestUri = src.str(uriStart, uriEnd);
  if (uriEnd === uriStart) {
    problem(sl, 'error', 'Request-URI is missing', uriStart);
    return sl;
  }
  let parseStart = uriStart;
  let parseEnd = uriEnd;
  for (let k = uriStart; k < uriEnd; k++) {
    if (b[k] === SP || b[k] === HTAB) {
      problem(sl, 'error', `Request-URI contains whitespace: '${sl.requestUri}' (${RFC_71}: no LWS inside the Request-Line)`, k);
      parseEnd = k;
      break;
    }
  }
  if (b[uriStart] === 0x3c) {
    problem(sl, 'error', `Request-URI is enclosed in < > (${RFC_71}: a bare URI is expected)`, uriStart);
    parseStart++;
    if (b[parseEnd - 1] === 0x3e) parseEnd--;
  }
  const parsed = parseUriAt(src, parseStart, parseEnd);
  sl.parsedRequestUri = parsed;
  if (parsed.problems) for (const p of parsed.problems) problem(sl, p.severity, `Request-URI: ${p.message}`, p.at);
  if (parsed.headers.length > 0 && (parsed.scheme === 'sip' || parsed.scheme === 'sips')) {
    let q = parseStart;
    while (q < parseEnd && b[q] !== 0x3f) q++;
    problem(
      sl,
      'error',
      `Request-URI contains headers ('${src.str(q, parseEnd)}'), which RFC 3261 §19.1.1 does not allow in a Request-URI`,
      q,
    );
  }
  if (parsed.scheme !== '' && parsed.scheme !== 'sip' && parsed.scheme !== 'sips' && parsed.scheme !== 'tel') {
    problem(sl, 'note', `Request-URI scheme '${parsed.scheme}' is not sip, sips or tel (RFC 4475 §3.3.2)`, parseStart);
  }
  return sl;
}

const NO_PROBLEMS: Problem[] = Object.freeze([]) as unknown as Problem[];

function problem(sl: StartLine, severity: Problem['severity'], message: string, at: number): void {
  if (sl.problems === NO_PROBLEMS) sl.problems = [];
  sl.problems.push({ severity, message, at });
}

function clip(s: string): string {
  return s.length > 40 ? s.substring(0, 40) + '…' : s;
}
