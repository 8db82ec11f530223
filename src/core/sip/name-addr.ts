/**
 * name-addr / addr-spec with header parameters (RFC 3261 §20.10, §20.20, §20.39, §25.1):
 *
 *   ( name-addr / addr-spec ) *( SEMI generic-param )
 *   name-addr    = [ display-name ] LAQUOT addr-spec RAQUOT
 *   display-name = *(token LWS) / quoted-string
 *
 * Used for From, To, Contact, Route, Record-Route, P-Asserted-Identity and the other headers of that shape.
 */
import { HTAB, LF, CR, SP, TOKEN, equalsLower, skipLws, trimEnd } from './chars.js';
import { addProblem, addProblems, nextTopLevelComma, parseGenericParams, scanQuoted, unquote } from './scan.js';
import { emptyUri, parseUri } from './uri.js';
import type { NameAddr, Problem } from './types.js';

function newNameAddr(): NameAddr {
  return {
    displayName: undefined,
    uri: '',
    parsedUri: undefined as unknown as NameAddr['parsedUri'],
    bracketed: false,
    tag: undefined,
    params: [],
  };
}

/**
 * Parses one name-addr or addr-spec with its parameters from s[start, end). With `allowWildcard` (Contact),
 * a lone `*` is accepted (RFC 3261 §10.2.2). Never throws; problems are reported on the result.
 */
export function parseNameAddr(s: string, start = 0, end = s.length, allowWildcard = false): NameAddr {
  const na = newNameAddr();
  let i = skipLws(s, start, end);
  end = trimEnd(s, i, end);
  if (i >= end) {
    addProblem(na, 'error', 'empty value: a URI was expected', i);
    na.parsedUri = emptyUri();
    return na;
  }
  let c = s.charCodeAt(i);
  if (allowWildcard && c === 0x2a) {
    const after = skipLws(s, i + 1, end);
    if (after >= end || s.charCodeAt(after) === 0x3b) {
      na.wildcard = true;
      na.uri = '*';
      na.parsedUri = emptyUri();
      parseGenericParams(s, after, end, na.params, na);
      return na;
    }
  }

  let laquot = -1;
  if (c === 0x22) {
    // quoted-string display name
    const q = scanQuoted(s, i, end);
    if (q < 0) {
      addProblem(na, 'error', 'unterminated quoted string in display name', i);
      // Recover the way a human reads it: the display name runs up to the '<' (RFC 4475 §3.1.2.6).
      const lt = s.indexOf('<', i);
      if (lt >= 0 && lt < end) {
        na.displayName = s.substring(i + 1, trimEnd(s, i + 1, lt));
        laquot = lt;
      } else {
        na.displayName = s.substring(i + 1, end);
        na.parsedUri = emptyUri();
        return na;
      }
    } else {
      na.displayName = unquote(s.substring(i, q));
      i = skipLws(s, q, end);
      if (i < end && s.charCodeAt(i) === 0x3c) laquot = i;
      else {
        addProblem(na, 'error', 'a quoted display name must be followed by <URI>', i);
        i = parseAddrSpec(s, i, end, na);
        parseGenericParams(s, i, end, na.params, na);
        finish(na);
        return na;
      }
    }
  } else {
    // Either `tokens <uri>` or an addr-spec: look for '<' before anything that can only follow a URI.
    let j = i;
    while (j < end) {
      c = s.charCodeAt(j);
      if (c === 0x3c || c === 0x3b || c === 0x22) break;
      j++;
    }
    if (j < end && s.charCodeAt(j) === 0x3c) {
      laquot = j;
      const nameEnd = trimEnd(s, i, j);
      if (nameEnd > i) {
        na.displayName = s.substring(i, nameEnd);
        checkTokenDisplayName(s, i, nameEnd, na);
      }
    } else if (j < end && s.charCodeAt(j) === 0x22) {
      addProblem(na, 'error', "unexpected '\"' in an addr-spec", j);
    }
  }

  if (laquot >= 0) {
    na.bracketed = true;
    const gt = s.indexOf('>', laquot + 1);
    const close = gt >= 0 && gt < end ? gt : end;
    if (close === end) addProblem(na, 'error', "missing '>' after the URI", end);
    let a = laquot + 1;
    let b = close;
    const ta = skipLws(s, a, b);
    const tb = trimEnd(s, ta, b);
    if (ta !== a || tb !== b) {
      // LAQUOT = SWS "<" and RAQUOT = ">" SWS: no whitespace inside the brackets (RFC 4475 §3.1.2.14).
      addProblem(na, 'error', 'whitespace inside <...> around the URI (RFC 3261 §25.1 LAQUOT/RAQUOT)', ta !== a ? a : tb);
      a = ta;
      b = tb;
    }
    na.uri = s.substring(a, b);
    na.parsedUri = parseUri(s, a, b);
    addProblems(na, na.parsedUri.problems);
    i = close < end ? close + 1 : end;
  } else {
    i = parseAddrSpec(s, i, end, na);
  }
  parseGenericParams(s, i, end, na.params, na);
  finish(na);
  return na;
}

/** addr-spec without < >: the URI runs to the first ';' (or whitespace before it); the rest are header params. */
function parseAddrSpec(s: string, i: number, end: number, na: NameAddr): number {
  let j = i;
  while (j < end) {
    const c = s.charCodeAt(j);
    if (c === 0x3b) break;
    j++;
  }
  const uriEnd = trimEnd(s, i, j);
  na.uri = s.substring(i, uriEnd);
  na.parsedUri = parseUri(s, i, uriEnd);
  addProblems(na, na.parsedUri.problems);
  // RFC 3261 §20: a URI containing a comma, question mark or semicolon must be enclosed in < >.
  for (let k = i; k < uriEnd; k++) {
    const c = s.charCodeAt(k);
    if (c === 0x3f || c === 0x2c) {
      addProblem(na, 'error', `a URI containing '${s.charAt(k)}' must be enclosed in < > (RFC 3261 §20)`, k);
      break;
    }
  }
  return j;
}

function checkTokenDisplayName(s: string, start: number, end: number, na: NameAddr): void {
  for (let k = start; k < end; k++) {
    const c = s.charCodeAt(k);
    if (c === SP || c === HTAB || c === CR || c === LF) continue;
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

function finish(na: NameAddr): void {
  for (const p of na.params) {
    if (equalsLower(p.name, 'tag')) {
      na.tag = p.value ?? '';
      if (na.tag.length === 0) addProblem(na, 'error', 'tag parameter without a value', 0);
      break;
    }
  }
}

/**
 * Parses a comma-separated list of name-addr values (Contact, Route, Record-Route, P-Asserted-Identity,
 * Path, Service-Route, P-Associated-URI, ...). Empty list items are reported on `problems`.
 */
export function parseNameAddrList(
  s: string,
  start = 0,
  end = s.length,
  allowWildcard = false,
  problems?: Problem[],
): NameAddr[] {
  const out: NameAddr[] = [];
  let i = start;
  while (true) {
    const comma = nextTopLevelComma(s, i, end);
    const a = skipLws(s, i, comma);
    if (a >= comma) {
      if (problems && (comma < end || out.length > 0 || a > start)) {
        problems.push({ severity: 'error', message: "empty list item (stray ',')", at: a });
      } else if (problems) problems.push({ severity: 'error', message: 'empty value', at: a });
    } else out.push(parseNameAddr(s, a, comma, allowWildcard));
    if (comma >= end) break;
    i = comma + 1;
  }
  return out;
}
