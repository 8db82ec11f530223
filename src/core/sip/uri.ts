/**
 * URI parser: sip/sips (RFC 3261 §19.1, §25.1), tel (RFC 3966), and any other scheme kept opaque
 * (urn:, http:, im:, ... — RFC 4475 §3.3.2-3.3.4 show they turn up in SIP). Works on a (string, start, end)
 * range so callers parse the URI inside a larger text without slicing it out; every scan is bounded by `end`.
 */
import { SCHEME, isDigit, isHexDigit, equalsLower } from './chars.js';
import { NO_PARAMS, addProblem, internParamName, parseDecimal, pushParam, type ParamOwner } from './scan.js';
import { decodeText, encodeText } from '../util/text.js';
import type { HostType, Param, Uri } from './types.js';

/** Interned scheme strings: the common ones cost no allocation. */
function schemeName(s: string, start: number, end: number): string {
  const n = end - start;
  if (n === 3) {
    const c0 = s.charCodeAt(start) | 0x20;
    const c1 = s.charCodeAt(start + 1) | 0x20;
    const c2 = s.charCodeAt(start + 2) | 0x20;
    if (c0 === 0x73 && c1 === 0x69 && c2 === 0x70) return 'sip';
    if (c0 === 0x74 && c1 === 0x65 && c2 === 0x6c) return 'tel';
    if (c0 === 0x75 && c1 === 0x72 && c2 === 0x6e) return 'urn';
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
    params: NO_PARAMS,
    headers: NO_PARAMS,
    opaque: undefined,
  };
}

/** A URI contains no whitespace, control characters, '<', '>' or '"' (RFC 3986 §2; RFC 3261 §25.1). */
function badUriChar(c: number): boolean {
  return c <= 0x20 || c === 0x7f || c === 0x3c || c === 0x3e || c === 0x22;
}

function reportBadChar(uri: Uri, s: string, i: number): void {
  const c = s.charCodeAt(i);
  const what =
    c === 0x20 || c === 0x09 ? 'whitespace' : c < 0x20 || c === 0x7f ? 'a control character' : `'${s.charAt(i)}'`;
  addProblem(uri, 'error', `URI contains ${what}`, i);
}

/** Parses the URI in s[start, end) (default: all of s). Never throws; problems are reported on the result. */
export function parseUri(s: string, start = 0, end = s.length): Uri {
  const uri = emptyUri();
  let i = start;
  while (i < end) {
    const c = s.charCodeAt(i);
    if (c >= 0x80 || SCHEME[c] === 0) break;
    i++;
  }
  const first = start < end ? s.charCodeAt(start) | 0x20 : 0;
  if (i >= end || s.charCodeAt(i) !== 0x3a || i === start || first < 0x61 || first > 0x7a) {
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
    for (let k = i; k < end; k++) {
      if (badUriChar(s.charCodeAt(k))) {
        reportBadChar(uri, s, k);
        break;
      }
    }
  }
  return uri;
}

function checkEscapes(uri: Uri, s: string, start: number, end: number, what: string): void {
  for (let i = start; i < end; i++) {
    if (s.charCodeAt(i) !== 0x25) continue;
    if (i + 2 >= end || !isHexDigit(s.charCodeAt(i + 1)) || !isHexDigit(s.charCodeAt(i + 2))) {
      addProblem(uri, 'error', `invalid %-escape in the ${what} (RFC 3261 §25.1: '%' HEXDIG HEXDIG)`, i);
      return;
    }
  }
}

/** sip/sips hier part: [ userinfo "@" ] hostport uri-parameters [ headers ] — RFC 3261 §25.1. */
function parseSipPart(s: string, i: number, end: number, uri: Uri): void {
  // userinfo may hold ';', '?', ':' and '&' (user-unreserved, RFC 3261 §25.1; RFC 4475 §3.1.1.2, §3.1.1.9),
  // but never an unescaped '@': the first '@' ends it.
  let at = -1;
  let colon = -1;
  let percent = false;
  let bad = -1;
  for (let k = i; k < end; k++) {
    const c = s.charCodeAt(k);
    if (c === 0x40) {
      at = k;
      break;
    }
    if (c === 0x3a) {
      if (colon < 0) colon = k;
    } else if (c === 0x25) percent = true;
    else if (bad < 0 && badUriChar(c)) bad = k;
  }
  if (at >= 0) {
    if (bad >= 0) reportBadChar(uri, s, bad);
    const userEnd = colon >= 0 ? colon : at;
    uri.user = s.substring(i, userEnd);
    if (colon >= 0) uri.password = s.substring(colon + 1, at);
    if (userEnd === i) addProblem(uri, 'error', "empty user part before '@'", i);
    if (percent) checkEscapes(uri, s, i, at, 'user part');
    i = at + 1;
  }
  i = parseHostPort(s, i, end, uri, 'URI');
  // uri-parameters: *( ";" pname [ "=" pvalue ] ), then [ "?" headers ]
  const paramsStart = i;
  percent = false;
  while (i < end && s.charCodeAt(i) === 0x3b) {
    const nameStart = ++i;
    let c = 0;
    while (i < end) {
      c = s.charCodeAt(i);
      if (c === 0x3d || c === 0x3b || c === 0x3f || badUriChar(c)) break;
      if (c === 0x25) percent = true;
      i++;
    }
    const nameEnd = i;
    let value: string | undefined;
    if (c === 0x3d && i < end) {
      const valueStart = ++i;
      while (i < end) {
        c = s.charCodeAt(i);
        if (c === 0x3b || c === 0x3f || badUriChar(c)) break;
        if (c === 0x25) percent = true;
        i++;
      }
      value = s.substring(valueStart, i);
    }
    if (nameEnd === nameStart) addProblem(uri, 'error', "empty URI parameter (';' with no name)", nameStart);
    else pushParam(uri as ParamOwner, { name: internParamName(s, nameStart, nameEnd), value });
  }
  if (i < end && s.charCodeAt(i) === 0x3f) {
    i = parseUriHeaders(s, i + 1, end, uri);
    percent = true;
  }
  if (i < end) {
    if (badUriChar(s.charCodeAt(i))) reportBadChar(uri, s, i);
    else addProblem(uri, 'error', `unexpected '${s.charAt(i)}' in URI`, i);
  }
  if (percent) checkEscapes(uri, s, paramsStart, end, 'parameters or headers');
}

/** headers = hname "=" hvalue *( "&" hname "=" hvalue ). Returns where it stopped. */
function parseUriHeaders(s: string, i: number, end: number, uri: Uri): number {
  const out: Param[] = [];
  uri.headers = out;
  while (i <= end) {
    let amp = i;
    let eq = -1;
    while (amp < end) {
      const c = s.charCodeAt(amp);
      if (c === 0x26) break;
      if (badUriChar(c)) {
        if (amp > i) out.push(eq >= 0 ? { name: s.substring(i, eq), value: s.substring(eq + 1, amp) } : { name: s.substring(i, amp), value: undefined });
        return amp;
      }
      if (c === 0x3d && eq < 0) eq = amp;
      amp++;
    }
    if (eq >= 0) out.push({ name: s.substring(i, eq), value: s.substring(eq + 1, amp) });
    else if (amp > i) out.push({ name: s.substring(i, amp), value: undefined });
    i = amp + 1;
  }
  return end;
}

/** Host characters: alphanumerics, '-', '.', and '_' (not in the grammar, but common in lab setups). */
const HOST = new Uint8Array(128);
for (let c = 0x30; c <= 0x39; c++) HOST[c] = 1;
for (let c = 0x41; c <= 0x5a; c++) HOST[c] = 2;
for (let c = 0x61; c <= 0x7a; c++) HOST[c] = 2;
HOST[0x2d] = 2;
HOST[0x5f] = 2;
HOST[0x2e] = 3;

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
    let close = i + 1;
    while (close < end && s.charCodeAt(close) !== 0x5d) close++;
    target.hostType = 'ipv6';
    if (close >= end) {
      addProblem(target, 'error', `unterminated IPv6 reference in ${what} host`, i);
      target.host = s.substring(i + 1, end);
      return end;
    }
    target.host = s.substring(i + 1, close);
    if (!looksLikeIpv6(target.host)) addProblem(target, 'error', `invalid IPv6 address '${target.host}' in ${what} host`, i);
    i = close + 1;
  } else {
    const hostStart = i;
    let dots = 0;
    let alpha = false;
    while (i < end) {
      const c = s.charCodeAt(i);
      const k = c < 128 ? HOST[c] : 0;
      if (k === 0) break;
      if (k === 3) dots++;
      else if (k === 2) alpha = true;
      i++;
    }
    target.host = s.substring(hostStart, i);
    if (i === hostStart) {
      addProblem(target, 'error', `${what} has no host`, i);
      target.hostType = '';
    } else if (!alpha && dots === 3) {
      target.hostType = 'ipv4';
      if (!validIpv4(target.host)) addProblem(target, 'error', `invalid IPv4 address '${target.host}' in ${what}`, hostStart);
    } else target.hostType = 'name';
    if (i < end) {
      const c = s.charCodeAt(i);
      // What may follow a host: port, parameters, headers; the caller's delimiters (LWS, ',', '>').
      if (!(c === 0x3a || c === 0x3b || c === 0x3f || c === 0x20 || c === 0x09 || c === 0x2c || c === 0x0d || c === 0x0a)) {
        addProblem(target, 'error', `invalid character '${s.charAt(i)}' in ${what} host`, i);
        while (i < end) {
          const d = s.charCodeAt(i);
          if (d === 0x3a || d === 0x3b || d === 0x3f || d === 0x20 || d === 0x09 || d === 0x2c) break;
          i++;
        }
        target.host = s.substring(hostStart, i);
      }
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
  while (i < end && s.charCodeAt(i) !== 0x3b) {
    if (badUriChar(s.charCodeAt(i))) {
      reportBadChar(uri, s, i);
      break;
    }
    i++;
  }
  uri.user = s.substring(numberStart, i);
  if (i === numberStart) addProblem(uri, 'error', 'tel URI has no number', numberStart);
  let hasContext = false;
  while (i < end && s.charCodeAt(i) === 0x3b) {
    const nameStart = ++i;
    let eq = -1;
    while (i < end) {
      const c = s.charCodeAt(i);
      if (c === 0x3b) break;
      if (badUriChar(c)) {
        reportBadChar(uri, s, i);
        break;
      }
      if (c === 0x3d && eq < 0) eq = i;
      i++;
    }
    if (nameStart === i) addProblem(uri, 'error', "empty tel URI parameter (';' with no name)", nameStart);
    else {
      const name = internParamName(s, nameStart, eq >= 0 ? eq : i);
      if (name === 'phone-context' || equalsLower(name, 'phone-context')) hasContext = true;
      pushParam(uri as ParamOwner, { name, value: eq >= 0 ? s.substring(eq + 1, i) : undefined });
    }
    if (i < end && s.charCodeAt(i) !== 0x3b) break;
  }
  // A local number is only meaningful with its phone-context (RFC 3966 §5.1.5, TS 24.229 §5.1.2A.1.5).
  if (uri.user.length > 0 && uri.user.charCodeAt(0) !== 0x2b && !hasContext) {
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
      for (const b of encodeText(String.fromCodePoint(cp))) bytes.push(b);
      if (cp > 0xffff) i++;
    }
  }
  return decodeText(Uint8Array.from(bytes), 0, bytes.length);
}

/** Value of a URI parameter (case-insensitive name): '' for a valueless one, undefined when absent. */
export function uriParam(uri: Uri, name: string): string | undefined {
  for (const p of uri.params) if (p.name === name || equalsLower(p.name, name)) return p.value ?? '';
  return undefined;
}
