/**
 * name-addr / addr-spec with header parameters (RFC 3261 §20.10, §20.20, §20.39, §25.1):
 *
 *   ( name-addr / addr-spec ) *( SEMI generic-param )
 *   name-addr    = [ display-name ] LAQUOT addr-spec RAQUOT
 *   display-name = *(token LWS) / quoted-string
 *
 * Used for From, To, Contact, Route, Record-Route, P-Asserted-Identity and the other headers of that shape.
 */
import { LWS_BYTE, TOKEN, equalsLower } from './chars.js';
import { NO_PARAMS, addProblem, addProblems, parseGenericParams, scanQuoted, unquote, type ProblemSink } from './scan.js';
import { sourceOf, unfold, type TextSource } from './source.js';
import { emptyUri, parseUriAt } from './uri.js';
import type { NameAddr } from './types.js';

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
 * Parses one name-addr or addr-spec with its parameters. With `allowWildcard` (Contact), a lone `*` is
 * accepted (RFC 3261 §10.2.2). Problem offsets are UTF-8 byte offsets in `text`. Never throws.
 */
export function parseNameAddr(text: string, allowWildcard = false): NameAddr {
  const src = sourceOf(text);
  return parseNameAddrAt(src, 0, src.bytes.length, allowWildcard);
}

/** Parses one name-addr or addr-spec from bytes [start, end) of `src`. */
export function parseNameAddrAt(src: TextSource, start: number, end: number, allowWildcard = false): NameAddr {
  const na = newNameAddr();
  parseInto(src, start, end, na, allowWildcard, false);
  return na;
}

/**
 * Parses into `na` from bytes [start, end); in a list (`inList`) stops at the top-level ',' that ends the
 * element and returns its offset, otherwise returns `end`.
 */
function parseInto(src: TextSource, start: number, end: number, na: NameAddr, allowWildcard: boolean, inList: boolean): number {
  const b = src.bytes;
  let i = start;
  while (i < end && LWS_BYTE[b[i]] === 1) i++;
  if (i >= end || (inList && b[i] === 0x2c)) {
    addProblem(na, 'error', 'empty value: a URI was expected', i);
    na.parsedUri = emptyUri();
    return i;
  }
  let c = b[i];
  if (allowWildcard && c === 0x2a) {
    let after = i + 1;
    while (after < end && LWS_BYTE[b[after]] === 1) after++;
    const next = after < end ? b[after] : -1;
    if (next === -1 || next === 0x3b || (inList && next === 0x2c)) {
      na.wildcard = true;
      na.uri = '*';
      na.parsedUri = emptyUri();
      return parseGenericParams(src, after, end, na, inList);
    }
  }

  let laquot = -1;
  if (c === 0x22) {
    // quoted-string display name
    const q = scanQuoted(b, i, end);
    if (q < 0) {
      addProblem(na, 'error', 'unterminated quoted string in display name', i);
      // Recover the way a human reads it: the display name runs up to the '<' (RFC 4475 §3.1.2.6).
      let lt = i + 1;
      while (lt < end && b[lt] !== 0x3c) lt++;
      let nameEnd = lt;
      while (nameEnd > i + 1 && LWS_BYTE[b[nameEnd - 1]] === 1) nameEnd--;
      na.displayName = unfold(src.str(i + 1, nameEnd));
      if (lt >= end) {
        na.parsedUri = emptyUri();
        return end;
      }
      laquot = lt;
    } else {
      na.displayName = unquote(src.str(i, q));
      i = q;
      while (i < end && LWS_BYTE[b[i]] === 1) i++;
      if (i < end && b[i] === 0x3c) laquot = i;
      else {
        addProblem(na, 'error', 'a quoted display name must be followed by <URI>', i);
        i = parseAddrSpec(src, i, end, na, inList);
        return finish(na, parseGenericParams(src, i, end, na, inList));
      }
    }
  } else if (c !== 0x3c) {
    // Either `tokens <uri>` or an addr-spec: look for '<' before anything that can only follow a URI.
    let j = i;
    while (j < end) {
      c = b[j];
      if (c === 0x3c || c === 0x3b || c === 0x22 || (inList && c === 0x2c)) break;
      j++;
    }
    if (j < end && c === 0x3c) {
      laquot = j;
      let nameEnd = j;
      while (nameEnd > i && LWS_BYTE[b[nameEnd - 1]] === 1) nameEnd--;
      na.displayName = unfold(src.str(i, nameEnd));
      checkTokenDisplayName(src, i, nameEnd, na);
    } else if (j < end && c === 0x22) {
      // A display name that is neither tokens nor one quoted-string (`\"arik\" <sip:...>`): when a '<'
      // follows, read it the way Wireshark and a human do, as a display name before <URI>.
      let lt = j;
      while (lt < end && b[lt] !== 0x3c && b[lt] !== 0x3b && !(inList && b[lt] === 0x2c)) {
        const q = b[lt] === 0x22 ? scanQuoted(b, lt, end) : -1;
        lt = q > lt ? q : lt + 1;
      }
      if (lt < end && b[lt] === 0x3c) {
        addProblem(na, 'error', 'the display name is neither tokens nor a quoted string (RFC 3261 §25.1 display-name)', i);
        laquot = lt;
        let nameEnd = lt;
        while (nameEnd > i && LWS_BYTE[b[nameEnd - 1]] === 1) nameEnd--;
        na.displayName = unfold(src.str(i, nameEnd));
      } else addProblem(na, 'error', "unexpected '\"' in an addr-spec", j);
    }
  } else laquot = i;

  if (laquot >= 0) {
    na.bracketed = true;
    let close = src.indexOf('>', laquot + 1, end);
    if (close < 0) {
      close = end;
      addProblem(na, 'error', "missing '>' after the URI", end);
    }
    let a = laquot + 1;
    let z = close;
    if (a < z && (LWS_BYTE[b[a]] === 1 || LWS_BYTE[b[z - 1]] === 1)) {
      // LAQUOT = SWS "<" and RAQUOT = ">" SWS: no whitespace inside the brackets (RFC 4475 §3.1.2.14).
      addProblem(na, 'error', 'whitespace inside <...> around the URI (RFC 3261 §25.1 LAQUOT/RAQUOT)', a);
      while (a < z && LWS_BYTE[b[a]] === 1) a++;
      while (z > a && LWS_BYTE[b[z - 1]] === 1) z--;
    }
    na.uri = src.str(a, z);
    na.parsedUri = parseUriAt(src, a, z);
    if (na.parsedUri.problems) addProblems(na, na.parsedUri.problems);
    i = close < end ? close + 1 : end;
  } else {
    i = parseAddrSpec(src, i, end, na, inList);
  }
  return finish(na, parseGenericParams(src, i, end, na, inList));
}

/**
 * addr-spec without < >: the URI runs to the first ';' or whitespace (or ',' in a list); the rest are header
 * parameters (RFC 3261 §20: a URI with ',', '?' or ';' of its own must be enclosed in < >).
 */
function parseAddrSpec(src: TextSource, i: number, end: number, na: NameAddr, inList: boolean): number {
  const b = src.bytes;
  let j = i;
  let question = -1;
  let comma = -1;
  while (j < end) {
    const c = b[j];
    if (c === 0x3b || LWS_BYTE[c] === 1 || (inList && c === 0x2c)) break;
    if (c === 0x3f && question < 0) question = j;
    else if (c === 0x2c && comma < 0) comma = j;
    j++;
  }
  na.uri = src.str(i, j);
  na.parsedUri = parseUriAt(src, i, j);
  if (na.parsedUri.problems) addProblems(na, na.parsedUri.problems);
  const k = question >= 0 ? question : comma;
  if (k >= 0) addProblem(na, 'error', `a URI containing '${src.str(k, k + 1)}' must be enclosed in < > (RFC 3261 §20)`, k);
  return j;
}

function checkTokenDisplayName(src: TextSource, start: number, end: number, na: NameAddr): void {
  const b = src.bytes;
  for (let k = start; k < end; k++) {
    const c = b[k];
    if (LWS_BYTE[c] === 1 || TOKEN[c] === 1) continue;
    addProblem(
      na,
      'error',
      `display name contains '${c < 0x80 ? src.str(k, k + 1) : 'non-ASCII text'}': a display name that is not all tokens must be a quoted string (RFC 3261 §25.1)`,
      k,
    );
    return;
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

/** Parses a comma-separated list of name-addr values (Contact, Route, P-Asserted-Identity, Path, ...). */
export function parseNameAddrList(text: string, allowWildcard = false, sink: ProblemSink = {}): NameAddr[] {
  const src = sourceOf(text);
  return parseNameAddrListAt(src, 0, src.bytes.length, allowWildcard, sink);
}

/**
 * Parses a comma-separated list of name-addr values from bytes [start, end) in one pass, appending to `out`.
 * Empty items (a stray ',') are reported on `sink`.
 */
export function parseNameAddrListAt(
  src: TextSource,
  start: number,
  end: number,
  allowWildcard = false,
  sink: ProblemSink = {},
  out: NameAddr[] = [],
): NameAddr[] {
  const b = src.bytes;
  let i = start;
  const before = out.length;
  while (true) {
    while (i < end && LWS_BYTE[b[i]] === 1) i++;
    if (i >= end || b[i] === 0x2c) {
      addProblem(sink, 'error', i >= end && out.length === before ? 'empty value' : "empty list item (stray ',')", i);
    } else {
      const na = newNameAddr();
      i = parseInto(src, i, end, na, allowWildcard, true);
      out.push(na);
    }
    if (i >= end) break;
    i++; // the ','
  }
  return out;
}
