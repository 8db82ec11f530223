/**
 * Shared lexical helpers for SIP header values. The scanners work on a TextSource's bytes with absolute
 * offsets, so a header value is parsed where it sits in the message (folded lines included: CR and LF count
 * as whitespace) without being copied out first. Strings are taken from the source's text.
 */
import { LWS_BYTE, TOKEN, equalsLower, skipLws, trimEnd } from './chars.js';
import type { TextSource } from './source.js';
import { unfold } from './source.js';
import type { Param, Problem } from './types.js';

/** Something a parser can attach problems to (its result object). */
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

/** Index of the first byte at or after i that is not SP/HTAB/CR/LF. */
export function skipLwsBytes(b: Uint8Array, i: number, end: number): number {
  while (i < end && LWS_BYTE[b[i]] === 1) i++;
  return i;
}

/** Index just after the last byte before `end` (and at or after `start`) that is not whitespace. */
export function trimEndBytes(b: Uint8Array, start: number, end: number): number {
  while (end > start && LWS_BYTE[b[end - 1]] === 1) end--;
  return end;
}

/** Index after the token that starts at i (i itself when there is none). */
export function scanTokenBytes(b: Uint8Array, i: number, end: number): number {
  while (i < end && TOKEN[b[i]] === 1) i++;
  return i;
}

/**
 * b[i] is an opening double quote: returns the index just after the closing quote, or -1 when the quoted
 * string is not terminated before `end`. quoted-pair (`\` + any char) is skipped (RFC 3261 §25.1).
 */
export function scanQuoted(b: Uint8Array, i: number, end: number): number {
  i++;
  while (i < end) {
    const c = b[i];
    if (c === 0x22) return i + 1;
    i += c === 0x5c ? 2 : 1;
  }
  return -1;
}

/** Removes the surrounding quotes of a quoted-string and resolves its quoted-pairs; other text is returned as is. */
export function unquote(s: string): string {
  if (s.length < 2 || s.charCodeAt(0) !== 0x22 || s.charCodeAt(s.length - 1) !== 0x22) return s;
  const inner = unfold(s.substring(1, s.length - 1));
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
      i++;
      while (i < end && s.charCodeAt(i) !== 0x22) i += s.charCodeAt(i) === 0x5c ? 2 : 1;
      if (i >= end) return end;
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

const LITERALS: Record<string, Uint8Array> = {};
for (const name of ['tag', 'ttl', 'user', 'rport', 'maddr', 'branch', 'method', 'expires', 'received', 'transport', 'phone-context', '+sip.instance']) {
  LITERALS[name] = Uint8Array.from(name, (c) => c.charCodeAt(0));
}
const L_TAG = LITERALS.tag;
const L_TTL = LITERALS.ttl;
const L_USER = LITERALS.user;
const L_RPORT = LITERALS.rport;
const L_MADDR = LITERALS.maddr;
const L_BRANCH = LITERALS.branch;
const L_METHOD = LITERALS.method;
const L_EXPIRES = LITERALS.expires;
const L_RECEIVED = LITERALS.received;
const L_TRANSPORT = LITERALS.transport;
const L_PHONE_CONTEXT = LITERALS['phone-context'];
const L_SIP_INSTANCE = LITERALS['+sip.instance'];

function same(b: Uint8Array, start: number, literal: Uint8Array): boolean {
  for (let k = 1; k < literal.length; k++) if (b[start + k] !== literal[k]) return false;
  return true;
}

/**
 * The parameter name at bytes [start, end); the frequent ones come back as interned constants (no
 * allocation, and `name === 'tag'` then holds by identity).
 */
export function internParamName(src: TextSource, start: number, end: number): string {
  const b = src.bytes;
  const c = b[start];
  switch (end - start) {
    case 1:
      if (c === 0x71) return 'q';
      break;
    case 2:
      if (c === 0x6c && b[start + 1] === 0x72) return 'lr';
      break;
    case 3:
      if (c === 0x74 && same(b, start, L_TAG)) return 'tag';
      if (c === 0x74 && same(b, start, L_TTL)) return 'ttl';
      break;
    case 4:
      if (c === 0x75 && same(b, start, L_USER)) return 'user';
      break;
    case 5:
      if (c === 0x72 && same(b, start, L_RPORT)) return 'rport';
      if (c === 0x6d && same(b, start, L_MADDR)) return 'maddr';
      break;
    case 6:
      if (c === 0x62 && same(b, start, L_BRANCH)) return 'branch';
      if (c === 0x6d && same(b, start, L_METHOD)) return 'method';
      break;
    case 7:
      if (c === 0x65 && same(b, start, L_EXPIRES)) return 'expires';
      break;
    case 8:
      if (c === 0x72 && same(b, start, L_RECEIVED)) return 'received';
      break;
    case 9:
      if (c === 0x74 && same(b, start, L_TRANSPORT)) return 'transport';
      break;
    case 13:
      if (c === 0x70 && same(b, start, L_PHONE_CONTEXT)) return 'phone-context';
      if (c === 0x2b && same(b, start, L_SIP_INSTANCE)) return '+sip.instance';
      break;
  }
  return src.str(start, end);
}

/** VALUE_STOP[b] = 1: what ends an unquoted parameter value (';', ',', whitespace, controls). */
const VALUE_STOP = new Uint8Array(256);
for (let c = 0; c <= 0x20; c++) VALUE_STOP[c] = 1;
VALUE_STOP[0x3b] = 1;
VALUE_STOP[0x2c] = 1;

/** Skips to the next ';' (or top-level ',' in a list), stepping over quoted strings. */
function skipToNextParam(b: Uint8Array, i: number, end: number, inList: boolean): number {
  while (i < end) {
    const c = b[i];
    if (c === 0x3b || (inList && c === 0x2c)) return i;
    if (c === 0x22) {
      const q = scanQuoted(b, i, end);
      if (q < 0) return end;
      i = q;
    } else i++;
  }
  return end;
}

/**
 * Parses `*( SEMI generic-param )` from bytes [i, end) into `owner.params` (RFC 3261 §25.1: SEMI = SWS ";" SWS,
 * EQUAL = SWS "=" SWS, gen-value = token / host / quoted-string). In a list header (`inList`) a top-level ','
 * ends the element and its index is returned; otherwise a ',' is a problem and `end` is returned. Anything
 * else that is not a parameter is a problem on `owner` and is skipped.
 */
export function parseGenericParams(src: TextSource, i: number, end: number, owner: ParamOwner, inList: boolean): number {
  const b = src.bytes;
  while (true) {
    while (i < end && LWS_BYTE[b[i]] === 1) i++;
    if (i >= end) return end;
    let c = b[i];
    if (c !== 0x3b) {
      if (c === 0x2c && inList) return i;
      addProblem(
        owner,
        'error',
        c === 0x2c ? "unexpected ',': this header takes a single value" : `unexpected '${src.str(i, i + 1)}' where ';' and a parameter were expected`,
        i,
      );
      i = skipToNextParam(b, i + 1, end, inList);
      continue;
    }
    const semiAt = i;
    i++;
    while (i < end && LWS_BYTE[b[i]] === 1) i++;
    const nameStart = i;
    while (i < end && TOKEN[b[i]] === 1) i++;
    if (i === nameStart) {
      c = i < end ? b[i] : -1;
      if (c === -1 || c === 0x3b || c === 0x2c) addProblem(owner, 'error', "empty parameter (';' with no name)", semiAt);
      else {
        addProblem(owner, 'error', `parameter name expected but found '${src.str(i, i + 1)}'`, i);
        i = skipToNextParam(b, i, end, inList);
      }
      continue;
    }
    const name = internParamName(src, nameStart, i);
    while (i < end && LWS_BYTE[b[i]] === 1) i++;
    let value: string | undefined;
    if (i < end && b[i] === 0x3d) {
      i++;
      while (i < end && LWS_BYTE[b[i]] === 1) i++;
      if (i < end && b[i] === 0x22) {
        const q = scanQuoted(b, i, end);
        if (q < 0) {
          addProblem(owner, 'error', `unterminated quoted string in the value of parameter '${name}'`, i);
          value = src.str(i, end);
          i = end;
        } else {
          value = src.str(i, q);
          i = q;
        }
      } else {
        const valueStart = i;
        while (i < end && VALUE_STOP[b[i]] === 0) i++;
        value = src.str(valueStart, i);
        if (i === valueStart) addProblem(owner, 'error', `parameter '${name}' has '=' but no value`, valueStart);
      }
    }
    pushParam(owner, { name, value });
  }
}

/** Value of the first parameter named `name` (case-insensitive); '' for a valueless one; undefined if absent. */
export function paramValue(params: readonly Param[], name: string): string | undefined {
  const lower = name.toLowerCase();
  for (let i = 0; i < params.length; i++) {
    const p = params[i];
    if (p.name === name || equalsLower(p.name, lower)) return p.value ?? '';
  }
  return undefined;
}

/** True when a parameter with this (lower-case) name is present. */
export function hasParam(params: readonly Param[], name: string): boolean {
  return paramValue(params, name) !== undefined;
}

/**
 * Parses a decimal scalar from a string: the value (which may exceed 2^53 imprecisely: callers range-check
 * it), or -1 when s[start, end) is not 1*DIGIT.
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

/** parseDecimal over bytes. */
export function parseDecimalBytes(b: Uint8Array, start: number, end: number): number {
  if (start >= end) return -1;
  let v = 0;
  for (let i = start; i < end; i++) {
    const c = b[i] - 0x30;
    if (c < 0 || c > 9) return -1;
    v = v * 10 + c;
  }
  return v;
}

/** 2^32 - 1: the largest delta-seconds / CSeq number a 32-bit field holds (RFC 3261 §8.1.1.5, §25.1). */
export const MAX_UINT32 = 4294967295;
