/**
 * The text a parser reads: bytes to scan (typed-array loads are much cheaper than `charCodeAt` in V8) and a
 * string image of the same bytes to take substrings from. `text[i - base]` is the character of byte `i`:
 * the UTF-8 decode when the range is ASCII (then every string is a cheap substring), otherwise a Latin-1
 * image, and strings holding non-ASCII bytes are decoded from their own bytes as UTF-8.
 */
import { decodeLatin1, decodeUtf8, encodeText } from '../util/text.js';

export class TextSource {
  constructor(
    readonly bytes: Uint8Array,
    /** Byte offset of text[0]. */
    readonly base: number,
    readonly text: string,
    /** `text` is the UTF-8 decode of an all-ASCII range; false: a Latin-1 image. */
    readonly ascii: boolean,
  ) {}

  /** The string of bytes [start, end). */
  str(start: number, end: number): string {
    const s = this.text.substring(start - this.base, end - this.base);
    if (this.ascii) return s;
    for (let i = start; i < end; i++) if (this.bytes[i] >= 0x80) return decodeUtf8(this.bytes, start, end);
    return s;
  }

  /**
   * Byte offset of the first `ch` (one ASCII character) in [from, end), or -1. Uses the native string search,
   * much faster than a byte loop when the character is a few dozen bytes away.
   */
  indexOf(ch: string, from: number, end: number): number {
    const k = this.text.indexOf(ch, from - this.base);
    if (k < 0) return -1;
    const at = k + this.base;
    return at < end ? at : -1;
  }

  /** True when bytes [start, end) are covered by `text` and ASCII, so `str` is a plain substring. */
  fast(start: number, end: number): boolean {
    return this.ascii && start >= this.base && end - this.base <= this.text.length;
  }
}

/**
 * A source for a stand-alone string (the string parsers' entry points). Offsets are then UTF-8 byte offsets,
 * equal to string indices for ASCII text.
 */
export function sourceOf(text: string): TextSource {
  let ascii = true;
  for (let i = 0; i < text.length; i++) {
    if (text.charCodeAt(i) >= 0x80) {
      ascii = false;
      break;
    }
  }
  if (ascii) {
    const bytes = new Uint8Array(text.length);
    for (let i = 0; i < text.length; i++) bytes[i] = text.charCodeAt(i);
    return new TextSource(bytes, 0, text, true);
  }
  const bytes = encodeText(text);
  return new TextSource(bytes, 0, decodeLatin1(bytes, 0, bytes.length), false);
}

/** Joins folded lines: CRLF (or LF) plus the whitespace that follows becomes one SP (RFC 3261 §7.3.1). */
export function unfold(s: string): string {
  if (s.indexOf('\n') < 0 && s.indexOf('\r') < 0) return s;
  let out = '';
  let from = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 0x0d || c === 0x0a) {
      let j = i;
      while (j < s.length && (s.charCodeAt(j) === 0x0d || s.charCodeAt(j) === 0x0a)) j++;
      while (j < s.length && (s.charCodeAt(j) === 0x20 || s.charCodeAt(j) === 0x09)) j++;
      out += s.substring(from, i) + ' ';
      from = j;
      i = j - 1;
    }
  }
  return out + s.substring(from);
}
