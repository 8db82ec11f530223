/**
 * URI parser: sip/sips (RFC 3261 §19.1, §25.1), tel (RFC 3966), and any other scheme kept opaque
 * (urn:, http:, im:, ... — RFC 4475 §3.3.2-3.3.4 show they turn up in SIP). Works on a (string, start, end)
 * range so callers can parse the URI inside a header value without slicing it out first.
 */
import { SCHEME, isDigit, isHexDigit, equalsLower } from './chars.js';
import { addProblem, parseDecimal } from './scan.js';
import { decodeText, encodeText } from '../util/text.js';
import type { HostType, Param, Uri } from './types.js';

/** Interned scheme strings: the common ones cost no allocation. */
function schemeName(s: string, start: number, end: number): string {
  const n = end - start;
  const c0 = s.charCodeAt(start) | 0x20;
  if (n === 3 && c0 === 0x73 && (s.charCodeAt(start + 1) | 0x20) === 0x69 && (s.charCodeAt(start + 2) | 0x20) === 0x70) {
    return 'sip';
  }
  if (n === 3 && c0 === 0x74 && (s.charCodeAt(start + 1) | 0x20) === 0x65 && (s.charCodeAt(start + 2) | 0x20) === 0x6c) {
    return 'tel';
  }
  const name = s.substring(start, end);
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
    params: [],
    headers: [],
    opaque: undefined,
  };
}

/** Parses the URI in s[start, end) (default: all of s). Never throws; problems are reported on the result. */
export function parseUri(s: string, start = 0, end = s.length): Uri {
  const uri = emptyUri();
  // A URI contains no whitespace or control characters (RFC 3986 §2; RFC 3261 §25.1): report the first one.
  for (let i = start; i < end; i++) {
    const c = s.charCodeAt(i);
    if (c <= 0x20 || c === 0x7f) {
      addProblem(uri, 'error', c === 0x20 || c === 0x09 ? 'URI contains whitespace' : 'URI contains a control character', i);
      break;
    }
  }
  let i = start;
  while (i < end && s.charCodeAt(i) < 0x80 && SCHEME[s.charCodeAt(i)] === 1) i++;
  const firstIsAlpha = start < end && ((s.charCodeAt(start) | 0x20) >= 0x61 && (s.charCodeAt(start) | 0x20) <= 0x7a);
  if (i >= end || s.charCodeAt(i) !== 0x3a || i === start || !firstIsAlpha) {
    addProblem(uri, 'error', start >= end ? 'empty URI' : `URI '${s.substring(start, end)}' has no scheme`, start);
    uri.opaque = s.substring(start, end);
    return uri;
  }
  uri.scheme = schemeName(s, start, i);
  i++;
  if (uri.scheme === 'sip' || uri.scheme === 'sips') parseSipPart(s, i, end, uri);
  else if (uri.scheme === 'tel') parseTelPart(s, i, end, uri);
  else {
    uri.opaque = s.substring(i, end);
    if (i >= end) addProblem(uri, 'error', `${uri.scheme}: URI is empty after the scheme`, i);
  }
  return uri;
}

function checkEscapes(uri: Uri, s: string, start: number, end: number, what: string): void {
  let i = s.indexOf('%', start);
  while (i >= 0 && i < end) {
    if (i + 2 >= end || !isHexDigit(s.charCodeAt(i + 1)) || !isHexDigit(s.charCodeAt(i + 2))) {
      addProblem(uri, 'error', `invalid %-escape in the ${what} (RFC 3261 §25.1: '%' HEXDIG HEXDIG)`, i);
      return;
    }
    i = s.indexOf('%', i + 3);
  }
}

/** sip/sips hier part: [ userinfo "@" ] hostport uri-parameters [ headers ] — RFC 3261 §25.1. */
function parseSipPart(s: string, i: number, end: number, uri: Uri): void {
  // userinfo may hold ';', '?', ':' and '&' (user-unreserved, RFC 3261 §25.1; RFC 4475 §3.1.1.2, §3.1.1.9),
  // but never an unescaped '@': the first '@' ends it.
  const at = s.indexOf('@', i);
  if (at >= 0 && at < end) {
    let userEnd = s.indexOf(':', i);
    if (userEnd >= 0 && userEnd < at) {
      uri.password = s.substring(userEnd + 1, at);
      checkEscapes(uri, s, userEnd + 1, at, 'password');
    } else userEnd = at;
    uri.user = s.substring(i, userEnd);
    if (userEnd === i) addProblem(uri, 'error', "empty user part before '@'", i);
    checkEscapes(uri, s, i, userEnd, 'user part');
    i = at + 1;
  }
  i = parseHostPort(s, i, end, uri, 'URI');
  // uri-parameters: *( ";" pname [ "=" pvalue ] )
  const paramsStart = i;
  while (i < end && s.charCodeAt(i) === 0x3b) {
    const nameStart = ++i;
    while (i < end) {
      const c = s.charCodeAt(i);
      if (c === 0x3d || c === 0x3b || c === 0x3f) break;
      i++;
    }
    const nameEnd = i;
    let value: string | undefined;
    if (i < end && s.charCodeAt(i) === 0x3d) {
      const valueStart = ++i;
      while (i < end) {
        const c = s.charCodeAt(i);
        if (c === 0x3b || c === 0x3f) break;
        i++;
      }
      value = s.substring(valueStart, i);
    }
    if (nameEnd === nameStart) addProblem(uri, 'error', "empty URI parameter (';' with no name)", nameStart);
    else uri.params.push({ name: s.substring(nameStart, nameEnd), value });
  }
  if (i < end && s.charCodeAt(i) === 0x3f) {
    parseUriHeaders(s, i + 1, end, uri.headers);
    i = end;
  }
  if (i < end) addProblem(uri, 'error', `unexpected '${s.charAt(i)}' in URI`, i);
  if (paramsStart < end) checkEscapes(uri, s, paramsStart, end, 'parameters or headers');
}

function parseUriHeaders(s: string, i: number, end: number, out: Param[]): void {
  while (i <= end) {
    let amp = s.indexOf('&', i);
    if (amp < 0 || amp > end) amp = end;
    const eq = s.indexOf('=', i);
    if (eq >= 0 && eq < amp) out.push({ name: s.substring(i, eq), value: s.substring(eq + 1, amp) });
    else if (amp > i) out.push({ name: s.substring(i, amp), value: undefined });
    i = amp + 1;
  }
}

/**
 * hostport = host [ ":" port ]; host = hostname / IPv4address / IPv6reference (RFC 3261 §25.1). Fills
 * host/hostType/port on `target` and returns the index after the port. Used for URIs and Via sent-by.
 */
export function parseHostPort(
  s: string,
  i: number,
  end: number,
  target: { host: string; hostType: HostType; port: number | undefined; problems?: Uri['problems'] },
  what: string,
): number {
  if (i < end && s.charCodeAt(i) === 0x5b) {
    const close = s.indexOf(']', i);
    if (close < 0 || close >= end) {
      addProblem(target, 'error', `unterminated IPv6 reference in ${what} host`, i);
      target.host = s.substring(i + 1, end);
      target.hostType = 'ipv6';
      return end;
    }
    target.host = s.substring(i + 1, close);
    target.hostType = 'ipv6';
    if (!looksLikeIpv6(target.host)) addProblem(target, 'error', `invalid IPv6 address '${target.host}' in ${what} host`, i);
    i = close + 1;
  } else {
    const hostStart = i;
    let dots = 0;
    let digitsAndDots = true;
    let bad = -1;
    while (i < end) {
      const c = s.charCodeAt(i);
      if (c === 0x3a || c === 0x3b || c === 0x3f || c === 0x20 || c === 0x09 || c === 0x2c || c === 0x3e) break;
      if (c === 0x2e) dots++;
      else if (!isDigit(c)) {
        digitsAndDots = false;
        // hostname = *( domainlabel "." ) toplabel [ "." ]; labels are alphanum and '-'. '_' is not allowed by
        // the grammar but common enough in lab setups that it is not worth an error.
        if (bad < 0 && !((c | 0x20) >= 0x61 && (c | 0x20) <= 0x7a) && c !== 0x2d && c !== 0x5f) bad = i;
      }
      i++;
    }
    target.host = s.substring(hostStart, i);
    if (i === hostStart) {
      addProblem(target, 'error', `${what} has no host`, i);
      target.hostType = '';
    } else if (digitsAndDots && dots === 3) {
      target.hostType = 'ipv4';
      if (!validIpv4(target.host)) addProblem(target, 'error', `invalid IPv4 address '${target.host}' in ${what}`, hostStart);
    } else {
      target.hostType = 'name';
      if (bad >= 0) addProblem(target, 'error', `invalid character '${s.charAt(bad)}' in ${what} host`, bad);
    }
  }
  if (i < end && s.charCodeAt(i) === 0x3a) {
    const portStart = ++i;
    while (i < end && isDigit(s.charCodeAt(i))) i++;
    const port = parseDecimal(s, portStart, i);
    if (port < 0 || port > 65535) addProblem(target, 'error', `invalid port in ${what}`, portStart);
    else target.port = port;
  }
  return i;
}

function validIpv4(host: string): boolean {
  let n = 0;
  let value = 0;
  let digits = 0;
  for (let i = 0; i <= host.length; i++) {
    const c = i < host.length ? host.charCodeAt(i) : 0x2e;
    if (c === 0x2e) {
      if (digits === 0 || value > 255) return false;
      n++;
      value = 0;
      digits = 0;
    } else {
      value = value * 10 + (c - 0x30);
      digits++;
      if (digits > 3) return false;
    }
  }
  return n === 4;
}

function looksLikeIpv6(host: string): boolean {
  if (host.length < 2 || host.indexOf(':') < 0) return false;
  for (let i = 0; i < host.length; i++) {
    const c = host.charCodeAt(i);
    if (!(isHexDigit(c) || c === 0x3a || c === 0x2e)) return false;
  }
  return true;
}

/** tel: telephone-subscriber *( ";" par ) — RFC 3966 §3. */
function parseTelPart(s: string, i: number, end: number, uri: Uri): void {
  const numberStart = i;
  let semi = s.indexOf(';', i);
  if (semi < 0 || semi > end) semi = end;
  uri.user = s.substring(i, semi);
  if (uri.user.length === 0) addProblem(uri, 'error', 'tel URI has no number', i);
  i = semi;
  while (i < end) {
    const nameStart = ++i;
    let next = s.indexOf(';', i);
    if (next < 0 || next > end) next = end;
    const eq = s.indexOf('=', i);
    if (nameStart === next) addProblem(uri, 'error', "empty tel URI parameter (';' with no name)", nameStart);
    else if (eq >= 0 && eq < next) uri.params.push({ name: s.substring(nameStart, eq), value: s.substring(eq + 1, next) });
    else uri.params.push({ name: s.substring(nameStart, next), value: undefined });
    i = next;
  }
  const number = uri.user;
  if (number.length > 0 && number.charCodeAt(0) !== 0x2b) {
    // A local number is only meaningful with its phone-context (RFC 3966 §5.1.5, TS 24.229 §5.1.2A.1.5).
    let hasContext = false;
    for (const p of uri.params) if (equalsLower(p.name, 'phone-context')) hasContext = true;
    if (!hasContext) addProblem(uri, 'error', 'local tel number without phone-context (RFC 3966 §5.1.5)', numberStart);
  }
}

/**
 * Resolves %-escapes (RFC 3261 §19.1.2; the octets are UTF-8). Invalid escapes are left as written, so
 * `%Z%45` stays `%ZE`-like text rather than failing (RFC 4475 §3.1.1.5).
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
      for (const b of encodeText(String.fromCodePoint(cp))) bytes.push(b);
      if (cp > 0xffff) i++;
    }
  }
  return decodeText(Uint8Array.from(bytes), 0, bytes.length);
}

/** Value of a URI parameter (case-insensitive name): '' for a valueless one, undefined when absent. */
export function uriParam(uri: Uri, name: string): string | undefined {
  for (const p of uri.params) if (equalsLower(p.name, name)) return p.value ?? '';
  return undefined;
}
