/**
 * The header section's lines (RFC 3261 §7, §7.3.1): the start line's end, then one span per header field —
 * continuation lines folded into the field they continue — up to the empty line. Shared by the parser (which
 * only needs the ids of the headers it decodes) and the lazy header list of a message (which resolves all).
 */
import { malformed, type Diagnostic } from '../diagnostics.js';
import { CR, HTAB, SP, TOKEN } from './chars.js';
import { lookupHeaderBytes, lookupParsedHeaderBytes } from './header-names.js';
import type { TextSource } from './source.js';

/** Ints per header in a span array: id, start, nameEnd, valueStart, valueEnd, end, folded (0/1). */
export const HEADER_FIELDS = 7;

export interface HeaderSectionScan {
  /** Ints written to the span array (HEADER_FIELDS per header). */
  n: number;
  /** End of the start line's content (before CR LF). */
  startLineEnd: number;
  /** Offset just after the empty line, or -1 when the section is not terminated. */
  headersEnd: number;
  /** Some line ends in LF without CR. */
  bareLf: boolean;
}

const LAYER = 'sip';

/**
 * Scans the header section of the message starting at byte `p` (whose decoded text `src` covers it) into
 * `sp`. `resolveAll` looks up every name (else only the ones the parser decodes: the rest get
 * UNRESOLVED_HEADER). Lines that are not header fields are skipped, and reported when `diagnostics` is given.
 */
export function scanHeaderSection(
  src: TextSource,
  p: number,
  sp: number[],
  resolveAll: boolean,
  diagnostics: Diagnostic[] | undefined,
  out: HeaderSectionScan,
): void {
  const bytes = src.bytes;
  const t = src.text;
  const L = p + t.length; // end of the decoded range
  let nl = indexOfLf(t, p, p, L);
  const startLineEnd = nl > p && bytes[nl - 1] === CR ? nl - 1 : nl;
  let bareLf = nl < L && startLineEnd === nl;
  let n = 0;
  let last = -1; // index in sp of the previous header, for continuation lines
  let headersEnd = -1;
  let q = nl + 1;
  while (q < L) {
    nl = indexOfLf(t, p, q, L);
    let contentEnd = nl;
    if (nl > q && bytes[nl - 1] === CR) contentEnd = nl - 1;
    else if (nl < L) bareLf = true;
    if (contentEnd === q) {
      headersEnd = nl < L ? nl + 1 : L;
      break;
    }
    const c = bytes[q];
    if (c === SP || c === HTAB) {
      // Continuation of the previous header field (RFC 3261 §7.3.1).
      if (last >= 0) {
        let vs = q;
        while (vs < contentEnd && (bytes[vs] === SP || bytes[vs] === HTAB)) vs++;
        let ve = contentEnd;
        while (ve > vs && (bytes[ve - 1] === SP || bytes[ve - 1] === HTAB)) ve--;
        if (ve > vs) {
          if (sp[last + 4] === sp[last + 3]) sp[last + 3] = vs;
          else sp[last + 6] = 1;
          sp[last + 4] = ve;
        }
        sp[last + 5] = contentEnd;
      } else if (n === 0 && diagnostics) {
        diagnostics.push(malformed(LAYER, 'line starting with whitespace right after the start line (RFC 3261 §7.1)', q));
      }
    } else {
      // field-name = token, then HCOLON = *( SP / HTAB ) ":" SWS (RFC 3261 §7.3, §25.1).
      // (No bounds test in the hot loop: CR, LF and an out-of-range read all end a token; clamp after.)
      let k = q;
      while (TOKEN[bytes[k]] === 1) k++;
      if (k > contentEnd) k = contentEnd;
      const nameEnd = k;
      while (k < contentEnd && (bytes[k] === SP || bytes[k] === HTAB)) k++;
      if (nameEnd === q || k >= contentEnd || bytes[k] !== 0x3a) {
        if (diagnostics) reportBadLine(src, q, contentEnd, diagnostics);
        last = -1;
      } else {
        let vs = k + 1;
        while (vs < contentEnd && (bytes[vs] === SP || bytes[vs] === HTAB)) vs++;
        let ve = contentEnd;
        while (ve > vs && (bytes[ve - 1] === SP || bytes[ve - 1] === HTAB)) ve--;
        sp[n] = resolveAll ? lookupHeaderBytes(bytes, q, nameEnd) : lookupParsedHeaderBytes(bytes, q, nameEnd);
        sp[n + 1] = q;
        sp[n + 2] = nameEnd;
        sp[n + 3] = vs;
        sp[n + 4] = ve;
        sp[n + 5] = contentEnd;
        sp[n + 6] = 0;
        last = n;
        n += HEADER_FIELDS;
      }
    }
    q = nl + 1;
  }
  out.n = n;
  out.startLineEnd = startLineEnd;
  out.headersEnd = headersEnd;
  out.bareLf = bareLf;
}

function reportBadLine(src: TextSource, q: number, contentEnd: number, diagnostics: Diagnostic[]): void {
  const colon = src.indexOf(':', q, contentEnd);
  const text = src.str(q, Math.min(contentEnd, q + 60));
  if (colon < 0) {
    diagnostics.push(malformed(LAYER, `header line without ':': '${text}' (RFC 3261 §7.3)`, q));
    return;
  }
  let nameEnd = colon;
  while (nameEnd > q && (src.bytes[nameEnd - 1] === SP || src.bytes[nameEnd - 1] === HTAB)) nameEnd--;
  diagnostics.push(malformed(LAYER, `header name '${src.str(q, nameEnd)}' is not a token (RFC 3261 §7.3)`, q));
}

/** Byte offset of the next LF at or after byte `from` (the text starts at byte `base`), or `limit`. */
function indexOfLf(t: string, base: number, from: number, limit: number): number {
  const k = t.indexOf('\n', from - base);
  return k < 0 ? limit : k + base;
}
