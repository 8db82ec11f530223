/** Parsers for the SDP attributes the analyser reads (rtpmap, fmtp, preconditions, direction, ptime). */
import type { SdpDirection, SdpFmtp, SdpPrecondition, SdpRtpMap } from './types.js';

/** Result of an attribute parser: the value, or the reason it could not be read. */
export type Parsed<T> = { ok: true; value: T } | { ok: false; error: string };

/** 1*DIGIT. */
export function isUint(s: string): boolean {
  if (s.length === 0) return false;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x30 || c > 0x39) return false;
  }
  return true;
}

/** Splits on runs of SP/HTAB, dropping empty pieces. */
export function fields(s: string): string[] {
  const out: string[] = [];
  let i = 0;
  while (i < s.length) {
    while (i < s.length && (s.charCodeAt(i) === 0x20 || s.charCodeAt(i) === 0x09)) i++;
    const start = i;
    while (i < s.length && s.charCodeAt(i) !== 0x20 && s.charCodeAt(i) !== 0x09) i++;
    if (i > start) out.push(s.substring(start, i));
  }
  return out;
}

/** a=rtpmap:<payload type> <encoding name>/<clock rate>[/<encoding parameters>] (RFC 8866 §6.6). */
export function parseRtpMap(value: string): Parsed<SdpRtpMap> {
  const f = fields(value);
  if (f.length !== 2 || !isUint(f[0])) return { ok: false, error: `rtpmap '${value}' is not '<payload type> <encoding>/<clock rate>'` };
  const payloadType = +f[0];
  if (payloadType > 127) return { ok: false, error: `rtpmap payload type ${payloadType} is above 127` };
  const parts = f[1].split('/');
  if (parts.length < 2 || parts.length > 3 || parts[0].length === 0 || !isUint(parts[1])) {
    return { ok: false, error: `rtpmap '${value}' is not '<payload type> <encoding>/<clock rate>[/<channels>]'` };
  }
  const map: SdpRtpMap = { payloadType, encoding: parts[0], clockRate: +parts[1] };
  if (parts.length === 3) {
    if (!isUint(parts[2])) return { ok: false, error: `rtpmap encoding parameters '${parts[2]}' are not a channel count` };
    map.channels = +parts[2];
  }
  return { ok: true, value: map };
}

/** a=fmtp:<format> <format specific parameters> (RFC 8866 §6.15). */
export function parseFmtp(value: string): Parsed<SdpFmtp> {
  const sp = value.search(/[ \t]/);
  const format = sp < 0 ? value : value.substring(0, sp);
  if (format.length === 0) return { ok: false, error: `fmtp '${value}' has no format` };
  const text = sp < 0 ? '' : value.substring(sp + 1).trim();
  const params: SdpFmtp['params'] = [];
  for (const piece of text.split(';')) {
    const t = piece.trim();
    if (t.length === 0) continue;
    const eq = t.indexOf('=');
    if (eq < 0) params.push({ name: t, value: undefined });
    else params.push({ name: t.substring(0, eq).trim(), value: t.substring(eq + 1).trim() });
  }
  return { ok: true, value: { format, value: text, params } };
}

const STATUS_TYPES = new Set(['e2e', 'local', 'remote']);
const DIRECTION_TAGS = new Set(['none', 'send', 'recv', 'sendrecv']);
const STRENGTH_TAGS = new Set(['mandatory', 'optional', 'none', 'failure', 'unknown']);

/**
 * RFC 3312 §5:
 *   current-status    = "a=curr:" precondition-type SP status-type SP direction-tag
 *   desired-status    = "a=des:" precondition-type SP strength-tag SP status-type SP direction-tag
 *   confirm-status    = "a=conf:" precondition-type SP status-type SP direction-tag
 */
export function parsePrecondition(kind: SdpPrecondition['kind'], value: string): Parsed<SdpPrecondition> {
  const f = fields(value);
  const expected = kind === 'des' ? 4 : 3;
  const shape =
    kind === 'des'
      ? 'des:<type> <strength> <e2e|local|remote> <none|send|recv|sendrecv>'
      : `${kind}:<type> <e2e|local|remote> <none|send|recv|sendrecv>`;
  if (f.length !== expected) return { ok: false, error: `a=${kind}:${value} is not a=${shape} (RFC 3312 §5)` };
  const p: SdpPrecondition =
    kind === 'des'
      ? { kind, type: f[0], strength: f[1].toLowerCase(), statusType: f[2].toLowerCase(), direction: f[3].toLowerCase() }
      : { kind, type: f[0], statusType: f[1].toLowerCase(), direction: f[2].toLowerCase() };
  if (p.strength !== undefined && !STRENGTH_TAGS.has(p.strength)) {
    return { ok: false, error: `a=des strength-tag '${f[1]}' is not mandatory/optional/none/failure/unknown (RFC 3312 §5)` };
  }
  if (!STATUS_TYPES.has(p.statusType)) {
    return { ok: false, error: `a=${kind} status-type '${p.statusType}' is not e2e/local/remote (RFC 3312 §5)` };
  }
  if (!DIRECTION_TAGS.has(p.direction)) {
    return { ok: false, error: `a=${kind} direction-tag '${p.direction}' is not none/send/recv/sendrecv (RFC 3312 §5)` };
  }
  return { ok: true, value: p };
}

export function directionOf(name: string): SdpDirection | undefined {
  switch (name) {
    case 'sendrecv':
    case 'sendonly':
    case 'recvonly':
    case 'inactive':
      return name;
  }
  return undefined;
}

export function parseMillis(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const v = value.trim();
  // ptime may carry a fraction (RFC 8866 §6.4: "Decimal values ... are allowed").
  const dot = v.indexOf('.');
  const ok = dot < 0 ? isUint(v) : isUint(v.substring(0, dot)) && isUint(v.substring(dot + 1));
  return ok ? +v : undefined;
}
