/** Text helpers over raw bytes. SIP is UTF-8 (RFC 3261 §7.3.1) but almost always ASCII on the wire. */

const utf8 = new TextDecoder('utf-8', { fatal: false });

/**
 * Decodes bytes [start, end) as UTF-8. Short ASCII runs (the common case: tags, branches, Call-IDs) are
 * built directly, which is much faster than TextDecoder for strings of a few dozen bytes.
 */
export function decodeText(bytes: Uint8Array, start: number, end: number): string {
  const length = end - start;
  if (length <= 0) return '';
  if (length <= 64) {
    let ascii = true;
    for (let i = start; i < end; i++) {
      if (bytes[i] >= 0x80) {
        ascii = false;
        break;
      }
    }
    if (ascii) return String.fromCharCode.apply(null, bytes.subarray(start, end) as unknown as number[]);
  }
  return utf8.decode(bytes.subarray(start, end));
}

/** Decodes as Latin-1 (one char per byte): for byte-faithful display of binary-ish content. */
export function decodeLatin1(bytes: Uint8Array, start: number, end: number): string {
  let out = '';
  for (let i = start; i < end; i += 4096) {
    out += String.fromCharCode.apply(null, bytes.subarray(i, Math.min(end, i + 4096)) as unknown as number[]);
  }
  return out;
}

const encoder = new TextEncoder();
export function encodeText(text: string): Uint8Array {
  return encoder.encode(text);
}

/** `ignoreBOM: true` keeps a leading U+FEFF as a character instead of swallowing it (RFC 4475 §3.1.1.2 has one). */
const utf8KeepBom = new TextDecoder('utf-8', { fatal: false, ignoreBOM: true });

/**
 * Decodes bytes [start, end) as UTF-8 with one TextDecoder call, whatever the length, keeping a leading BOM.
 * For long runs (a whole SIP header section) this is far cheaper than building many short strings; callers
 * then take substrings.
 */
export function decodeUtf8(bytes: Uint8Array, start: number, end: number): string {
  return end > start ? utf8KeepBom.decode(bytes.subarray(start, end)) : '';
}
