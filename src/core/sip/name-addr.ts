/**
 * name-addr / addr-spec with header parameters (RFC 3261 §20.10, §20.20, §20.39, §25.1):
 *
 *   ( name-addr / addr-spec ) *( SEMI generic-param )
 *   name-addr    = [ display-name ] LAQUOT addr-spec RAQUOT
 *   display-name = *(token LWS) / quoted-string
 *
 * Used for From, To, Contact, Route, Record-Route, P-Asserted-Identity and the other headers of that shape.
 */
import { CR, HTAB, LF, SP, TOKEN, equalsLower } from './chars.js';
import { NO_PARAMS, addProblem, addProblems, parseGenericParams, scanQuoted, unquote } from './scan.js';
import { emptyUri, parseUri } from './uri.js';
import type { NameAddr, Problem } from './types.js';

function isLws(c: number): boolean {
  return c === SP || c === HTAB || c === CR || c === LF;
}

function newNameAddr(): NameAddr {
  return {
    displayName: undefined,
    uri: '',
    parsedUri: undefined as unknown as NameAddr['parsedUri'],
    bracketed: false,
    tag: undefined,
    params: NO_PARAMS,
  };
}

/**
 * Parses one name-addr or addr-spec with its parameters from s[start, end). With `allowWildcard` (Contact),
 * a lone `*` is accepted (RFC 3261 §10.2.2). Never throws; problems are reported on the result.
 */
export function parseNameAddr(s: string, start = 0, end = s.length, allowWildcard = false): NameAddr {
  const na = newNameAddr();
  parseNameAddrAt(s, start, end, na, allowWildcard, false);
  return na;
}

/**
 * Parses into `na` from s[start, end); in a list (`inList`) stops at the top-level ',' that ends the element
 * and returns its index, otherwise returns `end`.
 */
function parseNameAddrAt(s: string, start: number, end: number, na: NameAddr, allowWildcard: boolean, inList: boolean): number {
  let i = start;
  while (i < end && isLws(s.charCodeAt(i))) i++;
  if (i >= end || (inList && s.charCodeAt(i) === 0x2c)) {
    addProblem(na, 'error', 'empty value: a URI was expected', i);
    na.parsedUri = emptyUri();
    return i;
  }
  let c = s.charCodeAt(i);
  if (allowWildcard && c === 0x2a) {
    let after = i + 1;
    while (after < end && isLws(s.charCodeAt(after))) after++;
    const next = after < end ? s.charCodeAt(after) : -1;
    if (next === -1 || next === 0x3b || (inList && next === 0x2c)) {
      na.wildcard = true;
      na.uri = '*';
      na.parsedUri = emptyUri();
      return parseGenericParams(s, after, end, na, inList);
    }
  }

  let laquot = -1;
  if (c === 0x22) {
    // quoted-string display name
    const q = scanQuoted(s, i, end);
    if (q < 0) {
      addProblem(na, 'error', 'unterminated quoted string in display name', i);
      // Recover the way a human reads it: the display name runs up to the '<' (RFC 4475 §3.1.2.6).
      let lt = i + 1;
      while (lt < end && s.charCodeAt(lt) !== 0x3c) lt++;
      let nameEnd = lt;
      while (nameEnd > i + 1 && isLws(s.charCodeAt(nameEnd - 1))) nameEnd--;
      na.displayName = s.substring(i + 1, nameEnd);
      if (lt >= end) {
        na.parsedUri = emptyUri();
        return end;
      }
      laquot = lt;
    } else {
      na.displayName = unquote(s.substring(i, q));
      i = q;
      while (i < end && isLws(s.charCodeAt(i))) i++;
      if (i < end && s.charCodeAt(i) === 0x3c) laquot = i;
      else {
        addProblem(na, 'error', 'a quoted display name must be followed by <URI>', i);
        i = parseAddrSpec(s, i, end, na, inList);
        return finish(na, parseGenericParams(s, i, end, na, inList));
      }
    }
  } else if (c !== 0x3c) {
    // Either `tokens <uri>` or an addr-spec: look for '<' before anything that can only follow a URI.
    let j = i;
    while (j < end) {
      c = s.charCodeAt(j);
      if (c === 0x3c || c === 0x3b || c === 0x22 || (inList && c === 0x2c)) break;
      j++;
    }
    if (j < end && c === 0x3c) {
      laquot = j;
      let nameEnd = j;
      while (nameEnd > i && isLws(s.charCodeAt(nameEnd - 1))) nameEnd--;
      na.displayName = s.substring(i, nameEnd);
      checkTokenDisplayName(s, i, nameEnd, na);
    } else if (j < end && c === 0x22) {
      addProblem(na, 'error', "unexpected '\"' in an addr-spec", j);
    }
  } else laquot = i;

  if (laquot >= 0) {
    na.bracketed = true;
    let close = laquot + 1;
    while (close < end && s.charCodeAt(close) !== 0x3e) close++;
    if (close >= end) addProblem(na, 'error', "missing '>' after the URI", end);
    let a = laquot + 1;
    let b = close;
    if (a < b && (isLws(s.charCodeAt(a)) || isLws(s.charCodeAt(b - 1)))) {
      // LAQUOT = SWS "<" and RAQUOT = ">" SWS: no whitespace inside the brackets (RFC 4475 §3.1.2.14).
      addProblem(na, 'error', 'whitespace inside <...> around the URI (RFC 3261 §25.1 LAQUOT/RAQUOT)', a);
      while (a < b && isLws(s.charCodeAt(a))) a++;
      while (b > a && isLws(s.charCodeAt(b - 1))) b--;
    }
    na.uri = s.substring(a, b);
    na.parsedUri = parseUri(s, a, b);
    addProblems(na, na.parsedUri.problems);
    i = close < end ? close + 1 : end;
  } else {
    i = parseAddrSpec(s, i, end, na, inList);
  }
  return finish(na, parseGenericParams(s, i, end, na, inList));
}

/**
 * addr-spec without < >: the URI runs to the first ';' or whitespace (or ',' in a list); the rest are header
 * parameters (RFC 3261 §20: a URI with ',', '?' or ';' of its own must be enclosed in < >).
 */
function parseAddrSpec(s: string, i: number, end: number, na: NameAddr, inList: boolean): number {
  let j = i;
  let question = -1;
  let comma = -1;
  while (j < end) {
    const c = s.charCodeAt(j);
    if (c === 0x3b || isLws(c) || (inList && c === 0x2c)) break;
    if (c === 0x3f && question < 0) question = j;
    else if (c === 0x2c && comma < 0) comma = j;
    j++;
  }
  na.uri = s.substring(i, j);
  na.parsedUri = parseUri(s, i, j);
  addProblems(na, na.parsedUri.problems);
  const k = question >= 0 ? question : comma;
  if (k >= 0) addProblem(na, 'error', `a URI containing '${s.charAt(k)}' must be enclosed in < > (RFC 3261 §20)`, k);
  return j;
}

function checkTokenDisplayName(s: string, start: number, end: number, na: NameAddr): void {
  for (let k = start; k < end; k++) {
    const c = s.charCodeAt(k);
    if (isLws(c)) continue;
    if (c > 0xff || TOKEN[c] === 0) {
      addProblem(
        na,
        'error',
        `display name contains '${s.charAt(k)}': a display name that is not all tokens must be a quoted string (RFC 3261 §25.1)`,
        k,
      );
      return;
    }
  }
}

function finish(na: NameAddr, stop: number): number {
  const params = na.params;
  for (let k = 0; k < params.length; k++) {
    const p = params[k];
    if (p.name === 'tag' || equalsLower(p.name, 'tag')) {
      na.tag = p.value ?? '';
      if (na.tag.length === 0) addProblem(na, 'error', 'tag parameter without a value', 0);
      break;
    }
  }
  return stop;
}

/**
 * Parses a comma-separated list of name-addr values (Contact, Route, Record-Route, P-Asserted-Identity,
 * Path, Service-Route, P-Associated-URI, ...) in one pass, appending to `out`. Empty items (a stray ',')
 * are reported on `sink`.
 */
export function parseNameAddrList(
  s: string,
  start = 0,
  end = s.length,
  allowWildcard = false,
  sink: { problems?: Problem[] } = {},
  out: NameAddr[] = [],
): NameAddr[] {
  let i = start;
  while (true) {
    while (i < end && isLws(s.charCodeAt(i))) i++;
    if (i >= end || s.charCodeAt(i) === 0x2c) {
      addProblem(sink, 'error', i >= end && out.length === 0 ? 'empty value' : "empty list item (stray ',')", i);
    } else {
      const na = newNameAddr();
      i = parseNameAddrAt(s, i, end, na, allowWildcard, true);
      out.push(na);
    }
    if (i >= end) break;
    i++; // the ','
  }
  return out;
}
