/** Content-Type / media-type (RFC 3261 §20.15, §25.1): m-type SLASH m-subtype *( SEMI m-parameter ). */
import { TOKEN, equalsLower, skipLws, trimEnd } from './chars.js';
import { addProblem, parseGenericParams, paramValue, unquote, type ProblemSink } from './scan.js';
import type { Param } from './types.js';

export interface MediaType extends ProblemSink {
  /** Lower case, e.g. `application`. */
  type: string;
  /** Lower case, e.g. `sdp`. */
  subtype: string;
  params: Param[];
}

function scanToken(s: string, i: number, end: number): number {
  while (i < end) {
    const c = s.charCodeAt(i);
    if (c > 0xff || TOKEN[c] === 0) break;
    i++;
  }
  return i;
}

export function parseMediaType(s: string): MediaType {
  const mt: MediaType = { type: '', subtype: '', params: [] };
  const end = trimEnd(s, 0, s.length);
  let i = skipLws(s, 0, end);
  let j = scanToken(s, i, end);
  mt.type = s.substring(i, j).toLowerCase();
  i = skipLws(s, j, end);
  if (i >= end || s.charCodeAt(i) !== 0x2f || mt.type.length === 0) {
    addProblem(mt, 'error', `'${s.trim()}' is not a media type (type/subtype)`, i);
    return mt;
  }
  i = skipLws(s, i + 1, end);
  j = scanToken(s, i, end);
  mt.subtype = s.substring(i, j).toLowerCase();
  if (mt.subtype.length === 0) addProblem(mt, 'error', 'media type has no subtype', i);
  parseGenericParams(s, j, end, mt, false);
  return mt;
}

/** True when the Content-Type value's media type is `type/subtype` (compared case-insensitively, no allocation). */
export function isMediaType(contentType: string, typeSlashSubtype: string): boolean {
  const end = contentType.indexOf(';');
  const a = skipLws(contentType, 0, contentType.length);
  const b = trimEnd(contentType, a, end < 0 ? contentType.length : end);
  if (b - a !== typeSlashSubtype.length) return false;
  for (let k = 0; k < typeSlashSubtype.length; k++) {
    let c = contentType.charCodeAt(a + k);
    if (c >= 0x41 && c <= 0x5a) c += 32;
    if (c !== typeSlashSubtype.charCodeAt(k)) return false;
  }
  return true;
}

export function isMultipart(contentType: string): boolean {
  const a = skipLws(contentType, 0, contentType.length);
  return equalsLower(contentType.substring(a, a + 10), 'multipart/');
}

/** The unquoted `boundary` parameter of a multipart Content-Type (RFC 2046 §5.1.1), if any. */
export function multipartBoundary(contentType: string): string | undefined {
  const v = paramValue(parseMediaType(contentType).params, 'boundary');
  return v === undefined || v === '' ? undefined : unquote(v);
}
