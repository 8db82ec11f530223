/**
 * URI parser: sip/sips (RFC 3261 §19.1, §25.1), tel (RFC 3966), and any other scheme kept opaque
 * (urn:, http:, im:, ... — RFC 4475 §3.3.2-3.3.4 show they turn up in SIP). The core (`parseUriAt`) scans a
 * TextSource's bytes between absolute offsets, so the message parser reads a URI where it sits; `parseUri`
 * is the stand-alone string entry point.
 */
import { SCHEME, isDigit, isHexDigit, equalsLower } from './chars.js';
import { NO_PARAMS, addProblem, internParamName, paramValue, parseDecimalBytes, pushParam } from './scan.js';
import { sourceOf, type TextSource } from './source.js';
import { decodeText, encodeText } from '../util/text.js';
import type { HostType, Param, Problem, Uri } from './types.js';

/** Interned scheme strings: the common ones cost no allocation. */
function schemeName(src: TextSource, start: number, end: number): string {
  const b = src.bytes;
  const n = end - start;
  if (n === 3) {
    const c0 = b[start] | 0x20;
    const c1 = b[start + 1] | 0x20;
    const c2 = b[start + 2] | 0x20;
    if (c0 === 0x73 && c1 === 0x69 && c2 === 0x70) return 'sip';
    if (c0 === 0x74 && c1 === 0x65 && c2 === 0x6c) return 'tel';
    if (c0 === 0x75 && c1 === 0x72 && c2 === 0x6e) return 'urn';
  }
  const name = src.str(start, end);
  return equalsLower(name, 'sips') ? 'sips' : name.toLowerCase();
}

export function emptyUri(): Uri {
  return {
    scheme: '',
    user: undefined,
    password: undefined,
    host: '',
    hostType: '',
    port: undefined,
    params: NO_PARAMS,
    headers: NO_PARAMS,
    opaque: undefined,
  };
}

/** BAD_URI[b] = 1: whitespace, control characters, '<', '>', '"' never appear in a URI (RFC 3986 §2). */
const BAD_URI = new Uint8Array(256);
for (let c = 0; c <= 0x20; c++) BAD_URI[c] = 1;
BAD_URI[0x7f] = 1;
BAD_URI[0x3c] = 1;
BAD_URI[0x3e] = 1;
BAD_URI[0x22] = 1;

/** USER_CLASS[b]: 0 ordinary, 1 '@', 2 ':', 3 '%', 4 never in a URI (BAD_URI). One load per byte of a user part. */
const USER_CLASS = new Uint8Array(256);
for (let c = 0; c < 256; c++) if (BAD_URI[c] === 1) USER_CLASS[c] = 4;
USER_CLASS[0x40] = 1;
USER_CLASS[0x3a] = 2;
USER_CLASS[0x25] = 3;

/** TEL_CLASS[b]: 0 ordinary, 1 ';', 2 '=', 3 never in a URI. */
const TEL_CLASS = new Uint8Array(256);
for (let c = 0; c < 256; c++) if (BAD_URI[c] === 1) TEL_CLASS[c] = 3;
TEL_CLASS[0x3b] = 1;
TEL_CLASS[0x3d] = 2;

function reportBadChar(uri: Uri, src: TextSource, i: number): void {
  const c = src.bytes[i];
  const what = c === 0x20 || c === 0x09 ? 'whitespace' : c < 0x20 || c === 0x7f ? 'a control character' : `'${src.str(i, i + 1)}'`;
  addProblem(uri, 'error', `URI contains ${what}`, i);
}

/** Parses the URI in `text`. Problem offsets are UTF-8 byte offsets in `text` (string indices for ASCII). */
export function parseUri(text: string): Uri {
  const src = sourceOf(text);
  return parseUriAt(src, 0, src.bytes.length);
}

/** Parses the URI in bytes [start, end) of `src`. Never throws; problems are reported on the result. */
export function parseUriAt(src: TextSource, start: number, end: number): Uri {
  const b = src.bytes;
  const uri = emptyUri();
  let i = start;
  while (i < end && SCHEME[b[i]] === 1) i++;
  const first = start < end ? b[start] | 0x20 : 0;
  if (i >= end || b[i] !== 0x3a || i === start || first < 0x61 || first > 0x7a) {
    addProblem(uri, 'error', start >= end ? 'empty URI' : `URI '${src.str(start, end)}' has no scheme`, start);
    uri.opaque = src.str(start, end);
    return uri;
  }
  uri.scheme = schemeName(src, start, i);
  i++;
  if (uri.scheme === 'sip' || uri.scheme === 'sips') parseSipPart(src, i, end, uri);
  else if (uri.scheme === 'tel') parseTelPart(src, i, end, uri);
  else {
    uri.opaque = src.str(i, end);
    if (i >= end) addProblem(uri, 'error', `${uri.scheme}: URI is empty after the scheme`, i);
    for (let k = i; k < end; k++) {
      if (BAD_URI[b[k]] === 1) {
        reportBadChar(uri, src, k);
        break;
      }
    }
  }
  return uri;
}

function checkEscapes(uri: Uri, b: Uint8Array, start: number, end: number, what: string): void {
  for (let i = start; i < end; i++) {
    if (b[i] !== 0x25) continue;
    if (i + 2 >= end || !isHexDigit(b[i + 1]) || !isHexDigit(b[i + 2])) {
      addProblem(uri, 'error', `invalid %-escape in the ${what} (RFC 3261 §25.1: '%' HEXDIG HEXDIG)`, i);
      return;
    }
  }
}

/** sip/sips hier part: [ userinfo "@" ] hostport uri-parameters [ headers ] — RFC 3261 §25.1. */
function parseSipPart(src: TextSource, i: number, end: number, uri: Uri): void {
  const b = src.bytes;
  // userinfo may hold ';', '?', ':' and '&' (user-unreserved, RFC 3261 §25.1; RFC 4475 §3.1.1.2, §3.1.1.9),
  // but never an unescaped '@': the first '@' ends it.
  let at = -1;
  let colon = -1;
  let percent = false;
  let bad = -1;
  for (let k = i; k < end; k++) {
    const cls = USER_CLASS[b[k]];
    if (cls === 0) continue;
    if (cls === 1) {
      at = k;
      break;
    }
    if (cls === 2) {
      if (colon < 0) colon = k;
    } else if (cls === 3) percent = true;
    else if (bad < 0) bad = k;
  }
  if (at >= 0) {
    if (bad >= 0) reportBadChar(uri, src, bad);
    const userEnd = colon >= 0 ? colon : at;
    uri.user = src.str(i, userEnd);
    if (colon >= 0) uri.password = src.str(colon + 1, at);
    if (userEnd === i) addProblem(uri, 'error', "empty user part before '@'", i);
    if (percent) checkEscapes(uri, b, i, at, 'user part');
    i = at + 1;
  }
  i = parseHostPort(src, i, end, uri, 'URI');
  // uri-parameters: *( ";" pname [ "=" pvalue ] ), then [ "?" headers ]
  const paramsStart = i;
  percent = false;
  while (i < end && b[i] === 0x3b) {
    const nameStart = ++i;
    let c = 0;
    while (i < end) {
      c = b[i];
      if (c === 0x3d || c === 0x3b || c === 0x3f || BAD_URI[c] === 1) break;
      if (c === 0x25) percent = true;
      i++;
    }
    const nameEnd = i;
    let value: string | undefined;
    if (i < end && c === 0x3d) {
      const valueStart = ++i;
      while (i < end) {
        c = b[i];
        if (c === 0x3b || c === 0x3f || BAD_URI[c] === 1) break;
        if (c === 0x25) percent = true;
        i++;
      }
      value = src.str(valueStart, i);
    }
    if (nameEnd === nameStart) addProblem(uri, 'error', "empty URI parameter (';' with no name)", nameStart);
    else pushParam(uri, { name: internParamName(src, nameStart, nameEnd), value });
  }
  if (i < end && b[i] === 0x3f) {
    i = parseUriHeaders(src, i + 1, end, uri);
    percent = true;
  }
  if (i < end) {
    if (BAD_URI[b[i]] === 1) reportBadChar(uri, src, i);
    else addProblem(uri, 'error', `unexpected '${src.str(i, i + 1)}' in URI`, i);
  }
  if (percent) checkEscapes(uri, b, paramsStart, end, 'parameters or headers');
}

/** headers = hname "=" hvalue *( "&" hname "=" hvalue ). Returns where it stopped. */
function parseUriHeaders(src: TextSource, i: number, end: number, uri: Uri): number {
  const b = src.bytes;
  const out: Param[] = [];
  uri.headers = out;
  while (i < end) {
    let k = i;
    let eq = -1;
    while (k < end && b[k] !== 0x26 && BAD_URI[b[k]] === 0) {
      if (b[k] === 0x3d && eq < 0) eq = k;
      k++;
    }
    if (eq >= 0) out.push({ name: src.str(i, eq), value: src.str(eq + 1, k) });
    else if (k > i) out.push({ name: src.str(i, k), value: undefined });
    if (k >= end || b[k] !== 0x26) return k;
    i = k + 1;
  }
  return end;
}

/** HOST[b]: 1 digit, 2 letter / '-' / '_' ('_' is not in the grammar but common in lab setups), 3 '.'. */
const HOST = new Uint8Array(256);
for (let c = 0x30; c <= 0x39; c++) HOST[c] = 1;
for (let c = 0x41; c <= 0x5a; c++) HOST[c] = 2;
for (let c = 0x61; c <= 0x7a; c++) HOST[c] = 2;
HOST[0x2d] = 2;
HOST[0x5f] = 2;
HOST[0x2e] = 3;

/** What may follow a host: port, parameters, headers, and the callers' delimiters (LWS, ',', '>'). */
const AFTER_HOST = new Uint8Array(256);
for (const c of [0x3a, 0x3b, 0x3f, 0x20, 0x09, 0x2c, 0x0d, 0x0a, 0x3e]) AFTER_HOST[c] = 1;

/**
 * hostport = host [ ":" port ]; host = hostname / IPv4address / IPv6reference (RFC 3261 §25.1). Fills
 * host/hostType/port on `target` and returns the offset after the port. Used for URIs and Via sent-by.
 */
export function parseHostPort(
  src: TextSource,
  i: number,
  end: number,
  target: { host: string; hostType: HostType; port: number | undefined; problems?: Problem[] },
  what: string,
): number {
  const b = src.bytes;
  if (i < end && b[i] === 0x5b) {
    let close = i + 1;
    while (close < end && b[close] !== 0x5d) close++;
    target.hostType = 'ipv6';
    if (close >= end) {
      addProblem(target, 'error', `unterminated IPv6 reference in ${what} host`, i);
      target.host = src.str(i + 1, end);
      return end;
    }
    target.host = src.str(i + 1, close);
    if (!looksLikeIpv6(b, i + 1, close)) addProblem(target, 'error', `invalid IPv6 address '${target.host}' in ${what} host`, i);
    i = close + 1;
  } else {
    const hostStart = i;
    // One pass classifies the host and validates an IPv4 address on the way (four octets of 1-3 digits, ≤ 255).
    let dots = 0;
    let alpha = false;
    let octet = 0;
    let octetDigits = 0;
    let badIpv4 = false;
    while (i < end) {
      const c = b[i];
      const k = HOST[c];
      if (k === 0) break;
      if (k === 1) {
        octet = octet * 10 + (c - 0x30);
        if (++octetDigits > 3) badIpv4 = true;
      } else if (k === 3) {
        if (octetDigits === 0 || octet > 255) badIpv4 = true;
        dots++;
        octet = 0;
        octetDigits = 0;
      } else alpha = true;
      i++;
    }
    if (octetDigits === 0 || octet > 255) badIpv4 = true;
    if (i < end && AFTER_HOST[b[i]] === 0) {
      addProblem(target, 'error', `invalid character '${src.str(i, i + 1)}' in ${what} host`, i);
      while (i < end && AFTER_HOST[b[i]] === 0) i++;
      alpha = true;
    }
    target.host = src.str(hostStart, i);
    if (i === hostStart) {
      addProblem(target, 'error', `${what} has no host`, i);
      target.hostType = '';
    } else if (!alpha && dots === 3) {
      target.hostType = 'ipv4';
      if (badIpv4) addProblem(target, 'error', `invalid IPv4 address '${target.host}' in ${what}`, hostStart);
    } else target.hostType = 'name';
  }
  if (i < end && b[i] === 0x3a) {
    const portStart = ++i;
    while (i < end && isDigit(b[i])) i++;
    const port = parseDecimalBytes(b, portStart, i);
    if (port < 0 || port > 65535) addProblem(target, 'error', `invalid port in ${what}`, portStart);
    else target.port = port;
  }
  return i;
}

function looksLikeIpv6(b: Uint8Array, start: number, end: number): boolean {
  let colons = 0;
  for (let i = start; i < end; i++) {
    const c = b[i];
    if (c === 0x3a) colons++;
    else if (!(isHexDigit(c) || c === 0x2e)) return false;
  }
  return colons >= 2;
}

/** tel: telephone-subscriber *( ";" par ) — RFC 3966 §3. */
function parseTelPart(src: TextSource, i: number, end: number, uri: Uri): void {
  const b = src.bytes;
  const numberStart = i;
  let cls = 0;
  while (i < end && (cls = TEL_CLASS[b[i]]) !== 1) {
    if (cls === 3) {
      reportBadChar(uri, src, i);
      break;
    }
    i++;
  }
  uri.user = src.str(numberStart, i);
  if (i === numberStart) addProblem(uri, 'error', 'tel URI has no number', numberStart);
  let hasContext = false;
  while (i < end && b[i] === 0x3b) {
    const nameStart = ++i;
    let eq = -1;
    while (i < end && (cls = TEL_CLASS[b[i]]) !== 1) {
      if (cls === 3) {
        reportBadChar(uri, src, i);
        break;
      }
      if (cls === 2 && eq < 0) eq = i;
      i++;
    }
    if (nameStart === i) addProblem(uri, 'error', "empty tel URI parameter (';' with no name)", nameStart);
    else {
      const name = internParamName(src, nameStart, eq >= 0 ? eq : i);
      if (name === 'phone-context' || equalsLower(name, 'phone-context')) hasContext = true;
      pushParam(uri, { name, value: eq >= 0 ? src.str(eq + 1, i) : undefined });
    }
    if (i < end && b[i] !== 0x3b) break;
  }
  // A local number is only meaningful with its phone-context (RFC 3966 §5.1.5, TS 24.229 §5.1.2A.1.5).
  if (uri.user.length > 0 && b[numberStart] !== 0x2b && !hasContext) {
    addProblem(uri, 'error', 'local tel number without phone-context (RFC 3966 §5.1.5)', numberStart);
  }
}

/**
 * Resolves %-escapes (RFC 3261 §19.1.2; the octets are UTF-8). Invalid escapes are left as written
 * (RFC 4475 §3.1.1.5: `%Z` is not an escape).
 */
export function unescapeUri(s: string): string {
  if (s.indexOf('%') < 0) return s;
  const bytes: number[] = [];
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 0x25 && i + 2 < s.length && isHexDigit(s.charCodeAt(i + 1)) && isHexDigit(s.charCodeAt(i + 2))) {
      bytes.push(parseInt(s.substring(i + 1, i + 3), 16));
      i += 2;
    } else if (c < 0x80) bytes.push(c);
    else {
      const cp = s.codePointAt(i) as number;
      for (const x of encodeText(String.fromCodePoint(cp))) bytes.push(x);
      if (cp > 0xffff) i++;
    }
  }
  return decodeText(Uint8Array.from(bytes), 0, bytes.length);
}

/** Value of a URI parameter (case-insensitive name): '' for a valueless one, undefined when absent. */
export function uriParam(uri: Uri, name: string): string | undefined {
  return paramValue(uri.params, name);
}
