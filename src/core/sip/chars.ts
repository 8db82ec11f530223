/**
 * Character classes of the SIP grammar (RFC 3261 §25.1), as 256-entry lookup tables so the hot loops
 * test a byte or a char code with one indexed load instead of a chain of comparisons.
 */

export function table(chars: string, ranges: Array<[number, number]> = []): Uint8Array {
  const t = new Uint8Array(256);
  for (let i = 0; i < chars.length; i++) t[chars.charCodeAt(i)] = 1;
  for (const [lo, hi] of ranges) for (let c = lo; c <= hi; c++) t[c] = 1;
  return t;
}

export const ALNUM: Array<[number, number]> = [
  [0x30, 0x39],
  [0x41, 0x5a],
  [0x61, 0x7a],
];

/** token = 1*(alphanum / "-" / "." / "!" / "%" / "*" / "_" / "+" / "`" / "'" / "~") — RFC 3261 §25.1 */
export const TOKEN = table("-.!%*_+`'~", ALNUM);

/** Characters allowed in a URI scheme name: ALPHA *( ALPHA / DIGIT / "+" / "-" / "." ) — RFC 3986 §3.1 */
export const SCHEME = table('+-.', ALNUM);

export const SP = 0x20;
export const HTAB = 0x09;
export const CR = 0x0d;
export const LF = 0x0a;

/** SP or HTAB: the whitespace of LWS (RFC 3261 §25.1). */
export function isWs(c: number): boolean {
  return c === SP || c === HTAB;
}

export function isDigit(c: number): boolean {
  return c >= 0x30 && c <= 0x39;
}

export function isHexDigit(c: number): boolean {
  return (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x46) || (c >= 0x61 && c <= 0x66);
}

/** Index of the first char at or after `i` that is not SP/HTAB/CR/LF. */
export function skipLws(s: string, i: number, end = s.length): number {
  while (i < end) {
    const c = s.charCodeAt(i);
    if (c !== SP && c !== HTAB && c !== CR && c !== LF) break;
    i++;
  }
  return i;
}

/** Index just after the last char before `end` (and at or after `start`) that is not whitespace. */
export function trimEnd(s: string, start: number, end: number): number {
  while (end > start) {
    const c = s.charCodeAt(end - 1);
    if (c !== SP && c !== HTAB && c !== CR && c !== LF) break;
    end--;
  }
  return end;
}

/** Case-insensitive ASCII equality of `s` with a lower-case literal. */
export function equalsLower(s: string, lower: string): boolean {
  if (s.length !== lower.length) return false;
  for (let i = 0; i < s.length; i++) {
    let c = s.charCodeAt(i);
    if (c >= 0x41 && c <= 0x5a) c += 32;
    if (c !== lower.charCodeAt(i)) return false;
  }
  return true;
}

/** LWS_BYTE[b] = 1 for SP, HTAB, CR, LF: whitespace in a header value, folded lines included. */
export const LWS_BYTE = table(' \t\r\n');
