/** Content-Type / media-type (RFC 3261 §20.15, §25.1): m-type SLASH m-subtype *( SEMI m-parameter ). */
import { equalsLower, skipLws, trimEnd } from './chars.js';
import {
  addProblem,
  parseGenericParams,
  paramValue,
  scanTokenBytes,
  skipLwsBytes,
  trimEndBytes,
  unquote,
  type ProblemSink,
} from './scan.js';
import { sourceOf } from './source.js';
import type { Param } from './types.js';

export interface MediaType extends ProblemSink {
  /** Lower case, e.g. `application`. */
  type: string;
  /** Lower case, e.g. `sdp`. */
  subtype: string;
  params: Param[];
}

export function parseMediaType(text: string): MediaType {
  const mt: MediaType = { type: '', subtype: '', params: [] };
  const src = sourceOf(text);
  const b = src.bytes;
  const end = trimEndBytes(b, 0, b.length);
  let i = skipLwsBytes(b, 0, end);
  let j = scanTokenBytes(b, i, end);
  mt.type = src.str(i, j).toLowerCase();
  i = skipLwsBytes(b, j, end);
  if (i >= end || b[i] !== 0x2f || mt.type.length === 0) {
    addProblem(mt, 'error', `'${text.trim()}' is not a media type (type/subtype)`, i);
    return mt;
  }
  i = skipLwsBytes(b, i + 1, end);
  j = scanTokenBytes(b, i, end);
  mt.subtype = src.str(i, j).toLowerCase();
  if (mt.subtype.length === 0) addProblem(mt, 'error', 'media type has no subtype', i);
  parseGenericParams(src, j, end, mt, false);
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
