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

/**
 * Parses `*( SEMI generic-param )` in s[i, end) (RFC 3261 §25.1: SEMI = SWS ";" SWS, EQUAL = SWS "=" SWS,
 * gen-value = token / host / quoted-string), appending to `out`. Anything that is not a parameter is a problem
 * on `sink` and is skipped up to the next ';'. Returns `end`.
 */
export function parseGenericParams(s: string, i: number, end: number, out: Param[], sink: ProblemSink): number {
  while (true) {
    i = skipLws(s, i, end);
    if (i >= end) return end;
    if (s.charCodeAt(i) !== 0x3b) {
      addProblem(sink, 'error', `unexpected '${s.charAt(i)}' where ';' and a parameter were expected`, i);
      const semi = s.indexOf(';', i);
      if (semi < 0 || semi >= end) return end;
      i = semi;
      continue;
    }
    const semiAt = i;
    i = skipLws(s, i + 1, end);
    const nameStart = i;
    while (i < end) {
      const c = s.charCodeAt(i);
      if (c > 0xff || TOKEN[c] === 0) break;
      i++;
    }
    if (i === nameStart) {
      const c = i < end ? s.charCodeAt(i) : -1;
      if (c === -1 || c === 0x3b) {
        addProblem(sink, 'error', "empty parameter (';' with no name)", semiAt);
        continue;
      }
      addProblem(sink, 'error', `parameter name expected but found '${s.charAt(i)}'`, i);
      const semi = s.indexOf(';', i);
      if (semi < 0 || semi >= end) return end;
      i = semi;
      continue;
    }
    const name = s.substring(nameStart, i);
    i = skipLws(s, i, end);
    let value: string | undefined;
    if (i < end && s.charCodeAt(i) === 0x3d) {
      i = skipLws(s, i + 1, end);
      if (i < end && s.charCodeAt(i) === 0x22) {
        const q = scanQuoted(s, i, end);
        if (q < 0) {
          addProblem(sink, 'error', `unterminated quoted string in the value of parameter '${name}'`, i);
          value = s.substring(i, end);
          i = end;
        } else {
          value = s.substring(i, q);
          i = q;
        }
      } else {
        const valueStart = i;
        while (i < end) {
          const c = s.charCodeAt(i);
          if (c === 0x3b || c === SP || c === HTAB || c === CR || c === LF) break;
          i++;
        }
        value = s.substring(valueStart, i);
        if (value.length === 0) addProblem(sink, 'error', `parameter '${name}' has '=' but no value`, valueStart);
      }
    }
    out.push({ name, value });
  }
}

/** Value of the first parameter named `name` (case-insensitive); '' for a valueless one; undefined if absent. */
export function paramValue(params: readonly Param[], name: string): string | undefined {
  for (const p of params) {
    if (equalsLower(p.name, name)) return p.value ?? '';
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
