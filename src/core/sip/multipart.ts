/**
 * multipart bodies (RFC 2046 §5.1.1), as SIP carries them: SDP + resource-lists for conference
 * (RFC 5366), SDP + PIDF-LO for emergency calls (RFC 6442), S/MIME (RFC 3261 §23), ISUP (RFC 3204).
 *
 *   multipart-body := [preamble CRLF] dash-boundary transport-padding CRLF body-part
 *                     *encapsulation close-delimiter [CRLF epilogue]
 *   encapsulation  := delimiter transport-padding CRLF body-part;  delimiter := CRLF dash-boundary
 */
import { decodeText } from '../util/text.js';
import { isMultipart, multipartBoundary } from './content-type.js';
import type { MultipartPart, Problem } from './types.js';

const MAX_DEPTH = 4;

function encodeAscii(s: string): Uint8Array {
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i) & 0xff;
  return out;
}

function matchAt(bytes: Uint8Array, i: number, end: number, pattern: Uint8Array): boolean {
  if (i + pattern.length > end) return false;
  for (let k = 0; k < pattern.length; k++) if (bytes[i + k] !== pattern[k]) return false;
  return true;
}

/** Next `dash-boundary` at the start of a line (or at `from` itself when `atStart`), or -1. */
function findDelimiter(bytes: Uint8Array, from: number, end: number, dash: Uint8Array, atStart: boolean): number {
  if (atStart && matchAt(bytes, from, end, dash)) return from;
  for (let i = from; i < end; i++) {
    if (bytes[i] === 0x0a && matchAt(bytes, i + 1, end, dash)) return i + 1;
  }
  return -1;
}

export interface MultipartResult {
  parts: MultipartPart[];
  problems: Problem[];
}

/** Splits bytes [start, end) into the parts delimited by `boundary`. Problems carry byte offsets in `at`. */
export function parseMultipart(
  bytes: Uint8Array,
  start: number,
  end: number,
  boundary: string,
  depth = 0,
  problems: Problem[] = [],
): MultipartResult {
  const parts: MultipartPart[] = [];
  const dash = encodeAscii('--' + boundary);
  let d = findDelimiter(bytes, start, end, dash, true);
  if (d < 0) {
    problems.push({ severity: 'error', message: `multipart body has no boundary delimiter '--${boundary}'`, at: start });
    return { parts, problems };
  }
  while (true) {
    let p = d + dash.length;
    if (p + 1 < end && bytes[p] === 0x2d && bytes[p + 1] === 0x2d) return { parts, problems }; // close-delimiter
    // transport-padding (LWSP) then CRLF
    while (p < end && (bytes[p] === 0x20 || bytes[p] === 0x09)) p++;
    if (p < end && bytes[p] === 0x0d) p++;
    if (p < end && bytes[p] === 0x0a) p++;
    else if (p < end) problems.push({ severity: 'error', message: 'text after a multipart boundary delimiter', at: p });
    const partStart = p;
    const next = findDelimiter(bytes, partStart, end, dash, false);
    // The CRLF before the next delimiter belongs to the delimiter, not to the part.
    let partEnd = next < 0 ? end : next - 1;
    if (next >= 0 && partEnd > partStart && bytes[partEnd - 1] === 0x0d) partEnd--;
    if (partEnd < partStart) partEnd = partStart;
    parts.push(parsePart(bytes, partStart, partEnd, depth, problems));
    if (next < 0) {
      problems.push({ severity: 'error', message: `multipart body has no close delimiter '--${boundary}--'`, at: end });
      return { parts, problems };
    }
    d = next;
  }
}

function parsePart(bytes: Uint8Array, start: number, end: number, depth: number, problems: Problem[]): MultipartPart {
  const headers: Array<{ name: string; value: string }> = [];
  let contentType = '';
  let p = start;
  // Part headers up to an empty line; a part may have none and start with CRLF (RFC 2046 §5.1.1).
  while (p < end) {
    let lineEnd = p;
    while (lineEnd < end && bytes[lineEnd] !== 0x0a) lineEnd++;
    const contentEnd = lineEnd > p && bytes[lineEnd - 1] === 0x0d ? lineEnd - 1 : lineEnd;
    if (contentEnd === p) {
      p = lineEnd + 1;
      break;
    }
    const line = decodeText(bytes, p, contentEnd);
    if ((line.charCodeAt(0) === 0x20 || line.charCodeAt(0) === 0x09) && headers.length > 0) {
      headers[headers.length - 1].value += ' ' + line.trim();
    } else {
      const colon = line.indexOf(':');
      if (colon <= 0) {
        problems.push({ severity: 'error', message: `multipart part header line without ':': '${line}'`, at: p });
      } else headers.push({ name: line.substring(0, colon).trim(), value: line.substring(colon + 1).trim() });
    }
    p = lineEnd + 1;
    if (lineEnd >= end) {
      problems.push({ severity: 'error', message: 'multipart part has no empty line after its headers', at: end });
      p = end;
    }
  }
  for (const h of headers) if (h.name.toLowerCase() === 'content-type') contentType = h.value;
  const part: MultipartPart = { start, end, headers, contentType, bodyStart: Math.min(p, end), bodyEnd: end };
  if (isMultipart(contentType) && depth + 1 < MAX_DEPTH) {
    const boundary = multipartBoundary(contentType);
    if (boundary) part.parts = parseMultipart(bytes, part.bodyStart, end, boundary, depth + 1, problems).parts;
  }
  return part;
}
