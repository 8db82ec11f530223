/**
 * Shared lexical helpers for SIP header values, all working on (string, start, end) ranges so that callers
 * parse pieces of a header value without slicing it first: quoted strings, top-level comma splitting,
 * generic `;name=value` parameter lists (RFC 3261 §25.1 `generic-param`), and problem reporting.
 */
import { HTAB, LF, CR, SP, TOKEN, equalsLower, skipLws, trimEnd } from './chars.js';
import type { Param, Problem } from './types.js';

/** Something a stand-alone parser can attach problems to (its result object). */
export interface ProblemSink {
  problems?: Problem[];
}

export function addProblem(sink: ProblemSink, severity: Problem['severity'], message: string, at: number): void {
  const p: Problem = { severity, message, at };
  if (sink.problems) sink.problems.push(p);
  else sink.problems = [p];
}

export function addProblems(sink: ProblemSink, from: Problem[] | undefined): void {
  if (!from) return;
  for (const p of from) addProblem(sink, p.severity, p.message, p.at);
}

/**
 * s[i] is an opening double quote: returns the index just after the closing quote, or -1 when the quoted
 * string is not terminated before `end`. quoted-pair (`\` + any char) is skipped (RFC 3261 §25.1).
 */
export function scanQuoted(s: string, i: number, end: number): number {
  i++;
  while (i < end) {
    const c = s.charCodeAt(i);
    if (c === 0x22) return i + 1;
    if (c === 0x5c) i += 2;
    else i++;
  }
  return -1;
}

/** Removes the surrounding quotes of a quoted-string and resolves its quoted-pairs; other text is returned as is. */
export function unquote(s: string): string {
  if (s.length < 2 || s.charCodeAt(0) !== 0x22 || s.charCodeAt(s.length - 1) !== 0x22) return s;
  const inner = s.substring(1, s.length - 1);
  if (inner.indexOf('\\') < 0) return inner;
  let out = '';
  for (let i = 0; i < inner.length; i++) {
    const c = inner.charAt(i);
    if (c === '\\' && i + 1 < inner.length) {
      out += inner.charAt(i + 1);
      i++;
    } else out += c;
  }
  return out;
}

/**
 * Index of the next comma at top level in s[i, end) — outside quoted strings and <...> — or `end`.
 * This is how list headers are split (RFC 3261 §7.3.1): `Contact: "Doe, J" <sip:a@b>, <sip:c@d>`.
 */
export function nextTopLevelComma(s: string, i: number, end: number): number {
  let angle = false;
  while (i < end) {
    const c = s.charCodeAt(i);
    if (c === 0x2c) {
      if (!angle) return i;
    } else if (c === 0x22) {
      const q = scanQuoted(s, i, end);
      if (q < 0) return end;
      i = q;
      continue;
    } else if (c === 0x3c) angle = true;
    else if (c === 0x3e) angle = false;
    i++;
  }
  return end;
}

/** Splits a list header value on top-level commas; items are trimmed, empty items are kept. */
export function splitList(s: string): string[] {
  const out: string[] = [];
  let i = 0;
  const end = s.length;
  while (true) {
    const comma = nextTopLevelComma(s, i, end);
    const a = skipLws(s, i, comma);
    out.push(s.substring(a, trimEnd(s, a, comma)));
    if (comma >= end) break;
    i = comma + 1;
  }
  return out;
}

/** Shared empty list for objects without parameters (frozen: parsers replace it on the first push). */
export const NO_PARAMS: Param[] = Object.freeze([]) as unknown as Param[];

export interface ParamOwner extends ProblemSink {
  params: Param[];
}

export function pushParam(owner: ParamOwner, param: Param): void {
  if (owner.params === NO_PARAMS) owner.params = [param];
  else owner.params.push(param);
}

function same(s: string, start: number, literal: string): boolean {
  for (let k = 1; k < literal.length; k++) if (s.charCodeAt(start + k) !== literal.charCodeAt(k)) return false;
  return true;
}

/**
 * The parameter name in s[start, end); the frequent ones come back as interned constants (no allocation,
 * and `name === 'tag'` then holds by identity).
 */
export function internParamName(s: string, start: number, end: number): string {
  const c = s.charCodeAt(start);
  switch (end - start) {
    case 1:
      if (c === 0x71) return 'q';
      break;
    case 2:
      if (c === 0x6c && s.charCodeAt(start + 1) === 0x72) return 'lr';
      break;
    case 3:
      if (c === 0x74 && same(s, start, 'tag')) return 'tag';
      if (c === 0x74 && same(s, start, 'ttl')) return 'ttl';
      break;
    case 4:
      if (c === 0x75 && same(s, start, 'user')) return 'user';
      break;
    case 5:
      if (c === 0x72 && same(s, start, 'rport')) return 'rport';
      if (c === 0x6d && same(s, start, 'maddr')) return 'maddr';
      break;
    case 6:
      if (c === 0x62 && same(s, start, 'branch')) return 'branch';
      if (c === 0x6d && same(s, start, 'method')) return 'method';
      break;
    case 7:
      if (c === 0x65 && same(s, start, 'expires')) return 'expires';
      break;
    case 8:
      if (c === 0x72 && same(s, start, 'received')) return 'received';
      break;
    case 9:
      if (c === 0x74 && same(s, start, 'transport')) return 'transport';
      break;
    case 13:
      if (c === 0x70 && same(s, start, 'phone-context')) return 'phone-context';
      if (c === 0x2b && same(s, start, '+sip.instance')) return '+sip.instance';
      break;
  }
  return s.substring(start, end);
}

/** Index of the first char at or after i that is not SP/HTAB/CR/LF (inlined by hand in the hot loops). */
function skipWs(s: string, i: number, end: number): number {
  while (i < end) {
    const c = s.charCodeAt(i);
    if (c !== SP && c !== HTAB && c !== CR && c !== LF) break;
    i++;
  }
  return i;
}

/** Skips to the next ';' (or top-level ',' in a list), stepping over quoted strings. */
function skipToNextParam(s: string, i: number, end: number, inList: boolean): number {
  while (i < end) {
    const c = s.charCodeAt(i);
    if (c === 0x3b || (inList && c === 0x2c)) return i;
    if (c === 0x22) {
      const q = scanQuoted(s, i, end);
      if (q < 0) return end;
      i = q;
    } else i++;
  }
  return end;
}

/**
 * Parses `*( SEMI generic-param )` from s[i, end) into `owner.params` (RFC 3261 §25.1: SEMI = SWS ";" SWS,
 * EQUAL = SWS "=" SWS, gen-value = token / host / quoted-string). In a list header (`inList`) a top-level ','
 * ends the element and its index is returned; otherwise a ',' is a problem and `end` is returned. Anything
 * else that is not a parameter is a problem on `owner` and is skipped.
 */
export function parseGenericParams(s: string, i: number, end: number, owner: ParamOwner, inList: boolean): number {
  while (true) {
    i = skipWs(s, i, end);
    if (i >= end) return end;
    let c = s.charCodeAt(i);
    if (c !== 0x3b) {
      if (c === 0x2c && inList) return i;
      addProblem(
        owner,
        'error',
        c === 0x2c ? "unexpected ',': this header takes a single value" : `unexpected '${s.charAt(i)}' where ';' and a parameter were expected`,
        i,
      );
      i = skipToNextParam(s, i + 1, end, inList);
      continue;
    }
    const semiAt = i;
    i = skipWs(s, i + 1, end);
    const nameStart = i;
    while (i < end) {
      c = s.charCodeAt(i);
      if (c > 0xff || TOKEN[c] === 0) break;
      i++;
    }
    if (i === nameStart) {
      if (i >= end || c === 0x3b || c === 0x2c) addProblem(owner, 'error', "empty parameter (';' with no name)", semiAt);
      else {
        addProblem(owner, 'error', `parameter name expected but found '${s.charAt(i)}'`, i);
        i = skipToNextParam(s, i, end, inList);
      }
      continue;
    }
    const name = internParamName(s, nameStart, i);
    i = skipWs(s, i, end);
    let value: string | undefined;
    if (i < end && s.charCodeAt(i) === 0x3d) {
      i = skipWs(s, i + 1, end);
      if (i < end && s.charCodeAt(i) === 0x22) {
        const q = scanQuoted(s, i, end);
        if (q < 0) {
          addProblem(owner, 'error', `unterminated quoted string in the value of parameter '${name}'`, i);
          value = s.substring(i, end);
          i = end;
        } else {
          value = s.substring(i, q);
          i = q;
        }
      } else {
        const valueStart = i;
        while (i < end) {
          c = s.charCodeAt(i);
          if (c === 0x3b || c === 0x2c || c <= 0x20) break;
          i++;
        }
        value = s.substring(valueStart, i);
        if (i === valueStart) addProblem(owner, 'error', `parameter '${name}' has '=' but no value`, valueStart);
      }
    }
    pushParam(owner, { name, value });
  }
}

/** Value of the first parameter named `name` (case-insensitive); '' for a valueless one; undefined if absent. */
export function paramValue(params: readonly Param[], name: string): string | undefined {
  for (let i = 0; i < params.length; i++) {
    const p = params[i];
    if (p.name === name || equalsLower(p.name, name)) return p.value ?? '';
  }
  return undefined;
}

/** True when a parameter with this (lower-case) name is present. */
export function hasParam(params: readonly Param[], name: string): boolean {
  return paramValue(params, name) !== undefined;
}

/**
 * Parses a decimal scalar: returns the value (which may exceed 2^53 imprecisely: callers range-check it),
 * or -1 when s[start, end) is not 1*DIGIT.
 */
export function parseDecimal(s: string, start: number, end: number): number {
  if (start >= end) return -1;
  let v = 0;
  for (let i = start; i < end; i++) {
    const c = s.charCodeAt(i) - 0x30;
    if (c < 0 || c > 9) return -1;
    v = v * 10 + c;
  }
  return v;
}

/** 2^32 - 1: the largest delta-seconds / CSeq number a 32-bit field holds (RFC 3261 §8.1.1.5, §25.1). */
export const MAX_UINT32 = 4294967295;
