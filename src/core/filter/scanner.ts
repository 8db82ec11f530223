/**
 * The scanner of the display-filter language: filter text → tokens, each with its span (UTF-16 offsets).
 *
 * The lexical rules follow Wireshark 4.0's `epan/dfilter/scanner.l` and wireshark-filter(4), checked against
 * `tshark -Y` 4.0.17:
 * - keywords and word operators are lowercase and case-sensitive (`and`, `eq`, `contains`; tshark rejects `AND`);
 * - an unquoted run of field/literal characters (letters, digits, `_`, `-`, `:`, `/`, and single dots) is ONE
 *   word: field names (`sip.Status-Code`), numbers (`42`, `0x1F`, `1.5`, `-3`), IPv4/IPv6 addresses and CIDR
 *   blocks (`10.0.0.0/8`, `fe80::1`, `2001:db8::/32`), MAC addresses and bare strings. The checker decides
 *   which. A word never contains `..` (the range operator of sets: `1..5`, `10.0.0.1..10.0.0.9`);
 * - strings are double-quoted with C escapes (`\" \\ \' \a \b \f \n \r \t \v \NNN \xNN \uNNNN \UNNNNNNNN`);
 *   raw strings `r"..."` keep every backslash;
 * - inside `[...]` the text is a slice (`0:2`, `3-5`, `-4:`, ranges separated by commas) or a quoted key
 *   (`sip.header["X-Foo"]`, ours), as Wireshark's RANGE start condition.
 *
 * Malformed text is never an exception: scanning stops at the first bad character and returns the tokens
 * before it with the error, so that the parser can report an earlier syntax error first.
 */

import type { CompareOp, FilterError } from './ast.js';

/** Tokens that are only their kind (punctuation and logical operators). */
export type PlainTokenKind =
  | 'and'
  | 'or'
  | 'xor'
  | 'not'
  | 'in'
  | 'lparen'
  | 'rparen'
  | 'lbrace'
  | 'rbrace'
  | 'lbracket'
  | 'rbracket'
  | 'comma'
  | 'dotdot';

interface TokenBase {
  /** The token's text as written (`&&`, `eq`, `"a\x41"`). */
  text: string;
  start: number;
  length: number;
}

export type Token =
  | (TokenBase & { kind: PlainTokenKind })
  /** An unquoted run of field/literal characters: a field name or a bare literal. */
  | (TokenBase & { kind: 'word' })
  /** A quoted string; `value` has the escapes resolved (raw strings keep their backslashes). */
  | (TokenBase & { kind: 'string'; value: string })
  /** A comparison operator in any of its spellings, `op` its symbol form. */
  | (TokenBase & { kind: 'compare'; op: CompareOp })
  /** The `any` / `all` modifiers of a comparison (wireshark-filter(4), "Comparison operators"). */
  | (TokenBase & { kind: 'quantifier'; quantifier: 'any' | 'all' })
  /** The text of one slice range between `[`/`,` and `,`/`]`, e.g. `0:2`, `-4:`, `3-5` (trimmed). */
  | (TokenBase & { kind: 'range' });

export interface ScanResult {
  /** The tokens in order; when `error` is set, the tokens before the bad text. */
  tokens: Token[];
  error?: FilterError;
}

/** Symbol and word spellings of the comparison operators (wireshark-filter(4); `~=` and `!==` are any_ne in 4.0.17). */
const COMPARE_WORDS: ReadonlyMap<string, CompareOp> = new Map<string, CompareOp>([
  ['eq', '=='],
  ['any_eq', '=='],
  ['ne', '!='],
  ['all_ne', '!='],
  ['all_eq', '==='],
  ['any_ne', '~='],
  ['gt', '>'],
  ['ge', '>='],
  ['lt', '<'],
  ['le', '<='],
  ['contains', 'contains'],
  ['matches', 'matches'],
]);

const LOGICAL_WORDS: ReadonlyMap<string, PlainTokenKind> = new Map<string, PlainTokenKind>([
  ['and', 'and'],
  ['or', 'or'],
  ['xor', 'xor'],
  ['not', 'not'],
  ['in', 'in'],
]);

/** Wireshark operators we do not implement: they get a message saying so rather than a puzzling syntax error. */
const UNSUPPORTED_WORDS: ReadonlyMap<string, string> = new Map([
  ['bitwise_and', 'bitwise operators are not supported'],
  ['bitand', 'bitwise operators are not supported'],
]);

/** Letters, digits and the characters that may continue a word (`.` is handled apart: never two in a row). */
function isWordChar(code: number): boolean {
  return (
    (code >= 0x30 && code <= 0x39) || // 0-9
    (code >= 0x41 && code <= 0x5a) || // A-Z
    (code >= 0x61 && code <= 0x7a) || // a-z
    code === 0x5f || // _
    code === 0x2d || // -
    code === 0x3a || // :
    code === 0x2f // /
  );
}

/** A word starts with a letter, digit, `_` or `:` (`::1`); `-` only before a digit (`-3`), `/` never. */
function startsWord(text: string, at: number): boolean {
  const code = text.charCodeAt(at);
  if (code === 0x2d) return isDigit(text.charCodeAt(at + 1));
  return isWordChar(code) && code !== 0x2f;
}

function isDigit(code: number): boolean {
  return code >= 0x30 && code <= 0x39;
}

function isHexDigit(code: number): boolean {
  return isDigit(code) || (code >= 0x41 && code <= 0x46) || (code >= 0x61 && code <= 0x66);
}

function isOctalDigit(code: number): boolean {
  return code >= 0x30 && code <= 0x37;
}

/** Blanks between tokens: Wireshark's `[[:blank:]\n\r]`, plus form feed and vertical tab. */
function isBlank(code: number): boolean {
  return code === 0x20 || code === 0x09 || code === 0x0a || code === 0x0d || code === 0x0c || code === 0x0b;
}

/** How a character is named in a message: quoted when visible, `U+XXXX` when invisible or a control. */
export function describeCharacter(text: string, at: number): { name: string; length: number } {
  const codePoint = text.codePointAt(at) ?? 0;
  const length = codePoint > 0xffff ? 2 : 1;
  const invisible =
    codePoint <= 0x20 ||
    (codePoint >= 0x7f && codePoint <= 0xa0) ||
    (codePoint >= 0x2000 && codePoint <= 0x200f) ||
    (codePoint >= 0x2028 && codePoint <= 0x202f) ||
    (codePoint >= 0xd800 && codePoint <= 0xdfff) ||
    codePoint === 0xfeff;
  const name = invisible
    ? `U+${codePoint.toString(16).toUpperCase().padStart(4, '0')}`
    : `"${text.slice(at, at + length)}"`;
  return { name, length };
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Text of escaped bytes (`\xNN`, `\NNN`). Wireshark strings are bytes, so `"\xc3\xa9"` is "é" in UTF-8:
 * a run of escaped bytes is decoded as UTF-8 when it is valid, else byte by byte (Latin-1).
 */
function decodeBytes(bytes: number[]): string {
  try {
    return utf8.decode(new Uint8Array(bytes));
  } catch {
    return String.fromCharCode(...bytes);
  }
}

/** Scanning failed: carries the error out of the nested helpers to `scanFilter`, which returns it as a value. */
class ScanFailure {
  constructor(readonly error: FilterError) {}
}

function fail(message: string, start: number, length: number): never {
  throw new ScanFailure({ message, start, length });
}

/** Simple escapes of wireshark-filter(4) "The following table lists all escape sequences". */
const SIMPLE_ESCAPES: Readonly<Record<string, string>> = {
  "'": "'",
  '"': '"',
  '\\': '\\',
  a: '\x07',
  b: '\b',
  f: '\f',
  n: '\n',
  r: '\r',
  t: '\t',
  v: '\v',
};

/**
 * Scans the string starting at `start` (its opening quote, or the `r` of a raw string).
 * Returns the resolved value and the offset after the closing quote.
 */
function scanString(text: string, start: number, raw: boolean): { value: string; end: number } {
  let i = start + (raw ? 2 : 1);
  let value = '';
  let pendingBytes: number[] = [];
  const flushBytes = (): void => {
    if (pendingBytes.length > 0) {
      value += decodeBytes(pendingBytes);
      pendingBytes = [];
    }
  };
  const unterminated = (): never => fail('Unterminated string: the closing " is missing', start, text.length - start);
  while (true) {
    if (i >= text.length) unterminated();
    const char = text[i];
    if (char === '"') {
      flushBytes();
      return { value, end: i + 1 };
    }
    if (char !== '\\') {
      flushBytes();
      value += char;
      i++;
      continue;
    }
    // A backslash: an escape sequence.
    if (i + 1 >= text.length) unterminated();
    if (raw) {
      // Raw strings keep the backslash and the character after it (so `\"` does not close the string).
      flushBytes();
      value += text.slice(i, i + 2);
      i += 2;
      continue;
    }
    const next = text[i + 1];
    const simple = SIMPLE_ESCAPES[next];
    if (simple !== undefined) {
      flushBytes();
      value += simple;
      i += 2;
      continue;
    }
    if (isOctalDigit(next.charCodeAt(0))) {
      // \NNN: one to three octal digits, at most 255 (tshark: "\400 is larger than 255").
      let end = i + 1;
      while (end < text.length && end < i + 4 && isOctalDigit(text.charCodeAt(end))) end++;
      const byte = parseInt(text.slice(i + 1, end), 8);
      if (byte > 0xff) fail(`Invalid escape ${text.slice(i, end)} in string: the value is larger than 255`, i, end - i);
      pendingBytes.push(byte);
      i = end;
      continue;
    }
    if (next === 'x') {
      // \xNN: one or two hex digits.
      let end = i + 2;
      while (end < text.length && end < i + 4 && isHexDigit(text.charCodeAt(end))) end++;
      if (end === i + 2) fail('Invalid escape \\x in string: \\x needs one or two hex digits', i, 2);
      pendingBytes.push(parseInt(text.slice(i + 2, end), 16));
      i = end;
      continue;
    }
    if (next === 'u' || next === 'U') {
      const digits = next === 'u' ? 4 : 8;
      let end = i + 2;
      while (end < text.length && end < i + 2 + digits && isHexDigit(text.charCodeAt(end))) end++;
      const escape = text.slice(i, end);
      if (end - i - 2 !== digits) fail(`Invalid escape ${escape} in string: \\${next} needs ${digits} hex digits`, i, end - i);
      const codePoint = parseInt(text.slice(i + 2, end), 16);
      // Wireshark follows C's rule for universal character names: nothing below U+00A0 except $ @ `,
      // no surrogates, nothing above U+10FFFF.
      if (codePoint < 0xa0 && codePoint !== 0x24 && codePoint !== 0x40 && codePoint !== 0x60) {
        fail(`Invalid escape ${escape} in string: write characters below U+00A0 as \\x${codePoint.toString(16).padStart(2, '0')}`, i, end - i);
      }
      if ((codePoint >= 0xd800 && codePoint <= 0xdfff) || codePoint > 0x10ffff) {
        fail(`Invalid escape ${escape} in string: not a Unicode character`, i, end - i);
      }
      flushBytes();
      value += String.fromCodePoint(codePoint);
      i = end;
      continue;
    }
    const shown = describeCharacter(text, i + 1);
    const escaped = shown.name.startsWith('"') ? `\\${text.slice(i + 1, i + 1 + shown.length)}` : `\\ followed by ${shown.name}`;
    fail(`Invalid escape ${escaped} in string`, i, 1 + shown.length);
  }
}

/** Symbol operators, longest first so that `===` wins over `==` and `!=` over `!`. */
const SYMBOLS: ReadonlyArray<{ text: string; token: { kind: 'compare'; op: CompareOp } | { kind: PlainTokenKind } }> = [
  { text: '===', token: { kind: 'compare', op: '===' } },
  { text: '!==', token: { kind: 'compare', op: '~=' } },
  { text: '==', token: { kind: 'compare', op: '==' } },
  { text: '!=', token: { kind: 'compare', op: '!=' } },
  { text: '~=', token: { kind: 'compare', op: '~=' } },
  { text: '<=', token: { kind: 'compare', op: '<=' } },
  { text: '>=', token: { kind: 'compare', op: '>=' } },
  { text: '&&', token: { kind: 'and' } },
  { text: '||', token: { kind: 'or' } },
  { text: '^^', token: { kind: 'xor' } },
  { text: '..', token: { kind: 'dotdot' } },
  { text: '<', token: { kind: 'compare', op: '<' } },
  { text: '>', token: { kind: 'compare', op: '>' } },
  { text: '~', token: { kind: 'compare', op: 'matches' } },
  { text: '!', token: { kind: 'not' } },
  { text: '(', token: { kind: 'lparen' } },
  { text: ')', token: { kind: 'rparen' } },
  { text: '{', token: { kind: 'lbrace' } },
  { text: '}', token: { kind: 'rbrace' } },
  { text: ',', token: { kind: 'comma' } },
  { text: ']', token: { kind: 'rbracket' } },
];

/** Spellings from other languages that are never valid here (checked before the operators, longest first). */
const MISSPELLED_OPERATORS: ReadonlyArray<{ text: string; meant: string }> = [
  { text: '=>', meant: '>=' },
  { text: '=<', meant: '<=' },
  { text: '=!', meant: '!=' },
  { text: '<>', meant: '!=' },
];

/** Single characters that are a typo of an operator or a Wireshark feature we lack: what to tell the user. */
const MISTAKES: Readonly<Record<string, string>> = {
  '=': 'Unexpected "=": did you mean "=="?',
  '&': 'Unexpected "&": did you mean "&&"?',
  '|': 'Unexpected "|": did you mean "||"?',
  '^': 'Unexpected "^": did you mean "^^"?',
  '+': 'Unexpected "+": arithmetic is not supported',
  '-': 'Unexpected "-": arithmetic is not supported',
  '*': 'Unexpected "*": arithmetic is not supported',
  '/': 'Unexpected "/": arithmetic is not supported',
  '%': 'Unexpected "%": arithmetic is not supported',
  '#': 'Unexpected "#": the layer operator is not supported',
};

/**
 * Scans the inside of `[...]` after the `[` at `open`: a quoted key, or slice ranges separated by commas
 * (Wireshark's RANGE start condition: everything up to `,` or `]` is one range). Returns the offset after `]`.
 */
function scanBrackets(text: string, open: number, tokens: Token[]): number {
  let i = open + 1;
  while (true) {
    while (i < text.length && isBlank(text.charCodeAt(i))) i++;
    if (i >= text.length) fail('Unbalanced bracket: this "[" is never closed', open, 1);
    const char = text[i];
    if (char === ']') {
      tokens.push({ kind: 'rbracket', text: ']', start: i, length: 1 });
      return i + 1;
    }
    if (char === ',') {
      tokens.push({ kind: 'comma', text: ',', start: i, length: 1 });
      i++;
      continue;
    }
    const raw = (char === 'r' || char === 'R') && text[i + 1] === '"';
    if (char === '"' || raw) {
      const { value, end } = scanString(text, i, raw);
      tokens.push({ kind: 'string', text: text.slice(i, end), value, start: i, length: end - i });
      i = end;
      continue;
    }
    let end = i;
    while (end < text.length && text[end] !== ']' && text[end] !== ',' && text[end] !== '"') end++;
    let trimmed = end;
    while (isBlank(text.charCodeAt(trimmed - 1))) trimmed--;
    tokens.push({ kind: 'range', text: text.slice(i, trimmed), start: i, length: trimmed - i });
    i = end;
  }
}

/** Splits a filter into tokens. Never throws: a malformed filter gives the tokens before the problem and the error. */
export function scanFilter(text: string): ScanResult {
  const tokens: Token[] = [];
  try {
    let i = 0;
    while (i < text.length) {
      const code = text.charCodeAt(i);
      if (isBlank(code)) {
        i++;
        continue;
      }
      const char = text[i];
      // Strings: "..." and raw strings r"..." / R"..." (the r only at the start of a token).
      const raw = (char === 'r' || char === 'R') && text[i + 1] === '"';
      if (char === '"' || raw) {
        const { value, end } = scanString(text, i, raw);
        tokens.push({ kind: 'string', text: text.slice(i, end), value, start: i, length: end - i });
        i = end;
        continue;
      }
      if (startsWord(text, i)) {
        let end = i + 1;
        while (end < text.length) {
          const next = text.charCodeAt(end);
          if (isWordChar(next)) end++;
          // A dot continues the word only between word characters: `a..b` is a range, `sip.` ends at the dot.
          else if (next === 0x2e && isWordChar(text.charCodeAt(end + 1))) end += 2;
          else break;
        }
        const word = text.slice(i, end);
        const compare = COMPARE_WORDS.get(word);
        const logical = LOGICAL_WORDS.get(word);
        const unsupported = UNSUPPORTED_WORDS.get(word);
        if (compare !== undefined) tokens.push({ kind: 'compare', op: compare, text: word, start: i, length: end - i });
        else if (logical !== undefined) tokens.push({ kind: logical, text: word, start: i, length: end - i });
        else if (word === 'any' || word === 'all') tokens.push({ kind: 'quantifier', quantifier: word, text: word, start: i, length: end - i });
        else if (unsupported !== undefined) fail(`Unexpected "${word}": ${unsupported}`, i, end - i);
        else tokens.push({ kind: 'word', text: word, start: i, length: end - i });
        i = end;
        continue;
      }
      if (char === '[') {
        tokens.push({ kind: 'lbracket', text: '[', start: i, length: 1 });
        i = scanBrackets(text, i, tokens);
        continue;
      }
      const misspelled = MISSPELLED_OPERATORS.find((candidate) => text.startsWith(candidate.text, i));
      if (misspelled !== undefined) fail(`Unexpected "${misspelled.text}": did you mean "${misspelled.meant}"?`, i, 2);
      const symbol = SYMBOLS.find((candidate) => text.startsWith(candidate.text, i));
      if (symbol !== undefined) {
        tokens.push({ ...symbol.token, text: symbol.text, start: i, length: symbol.text.length } as Token);
        i += symbol.text.length;
        continue;
      }
      if (char === "'") {
        // Wireshark's character constants ('a', '\n'): not part of our language; say so over the whole constant.
        const close = text.indexOf("'", i + 1);
        const end = close < 0 ? text.length : close + 1;
        fail(`Character constants such as 'a' are not supported: write the number or a "string"`, i, end - i);
      }
      const mistake = MISTAKES[char];
      if (mistake !== undefined) fail(mistake, i, 1);
      const shown = describeCharacter(text, i);
      fail(`Unexpected character ${shown.name}`, i, shown.length);
    }
    return { tokens };
  } catch (caught) {
    // Keep only the tokens before the problem (an unclosed "[" fails after scanning what follows it).
    if (caught instanceof ScanFailure) return { tokens: tokens.filter((token) => token.start < caught.error.start), error: caught.error };
    throw caught;
  }
}
