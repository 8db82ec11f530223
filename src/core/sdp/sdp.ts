/**
 * SDP parser (RFC 8866, which obsoletes RFC 4566), tolerant: every line is kept, problems become
 * diagnostics (layer `sdp`, offsets are character offsets in the text), and it never throws.
 */
import { decoderBug, malformed, note, type Diagnostic } from '../diagnostics.js';
import { directionOf, fields, isUint, parseFmtp, parseMillis, parsePrecondition, parseRtpMap } from './attributes.js';
import type { SdpAttribute, SdpBandwidth, SdpConnection, SdpMedia, SdpSession } from './types.js';

const LAYER = 'sdp';

/** Session-level line order (RFC 8866 §5): v o s i u e p c b t r z k a. t and r repeat together. */
const SESSION_RANK: Record<string, number> = { v: 0, o: 1, s: 2, i: 3, u: 4, e: 5, p: 6, c: 7, b: 8, t: 9, r: 9, z: 10, k: 11, a: 12 };
/** Media-level line order: m i c b k a. */
const MEDIA_RANK: Record<string, number> = { m: 0, i: 1, c: 2, b: 3, k: 4, a: 5 };

export function parseSdp(text: string): SdpSession {
  const session: SdpSession = {
    emails: [],
    phones: [],
    bandwidths: [],
    timings: [],
    attributes: [],
    direction: 'sendrecv',
    preconditions: [],
    media: [],
    lines: [],
    diagnostics: [],
  };
  try {
    parseLines(text, session);
  } catch (error) {
    session.diagnostics.push(decoderBug(LAYER, error));
  }
  return session;
}

function parseLines(text: string, session: SdpSession): void {
  const diags: Diagnostic[] = session.diagnostics;
  let media: SdpMedia | undefined;
  let rank = -1;
  let seenAny = false;
  let pos = 0;
  while (pos < text.length) {
    let nl = text.indexOf('\n', pos);
    if (nl < 0) nl = text.length;
    const lineEnd = nl > pos && text.charCodeAt(nl - 1) === 0x0d ? nl - 1 : nl;
    const offset = pos;
    const line = text.substring(pos, lineEnd);
    pos = nl + 1;
    if (line.length === 0) {
      // A trailing empty line is common (an extra CRLF counted in Content-Length); elsewhere it is suspect.
      if (text.substring(pos).trim().length > 0) diags.push(note(LAYER, 'empty line inside the SDP (RFC 8866 §5)', offset));
      continue;
    }
    const type = line.charAt(0);
    if (line.length < 2 || line.charCodeAt(1) !== 0x3d || !(type >= 'a' && type <= 'z')) {
      diags.push(malformed(LAYER, `SDP line '${clip(line)}' is not of the form <type>=<value> (RFC 8866 §5)`, offset));
      continue;
    }
    const value = line.substring(2);
    session.lines.push({ type, value, offset, media: type === 'm' ? session.media.length : media ? session.media.length - 1 : -1 });
    if (!seenAny && type !== 'v') diags.push(malformed(LAYER, `SDP starts with '${type}=' instead of 'v=' (RFC 8866 §5)`, offset));
    seenAny = true;

    if (type === 'm') {
      media = parseMediaLine(value, offset, diags);
      session.media.push(media);
      rank = 0;
      continue;
    }
    const order = media ? MEDIA_RANK : SESSION_RANK;
    const r = order[type];
    if (r === undefined) {
      if ('vosiuepcbtrzkam'.indexOf(type) >= 0) {
        diags.push(malformed(LAYER, `'${type}=' line is not allowed inside a media section (RFC 8866 §5)`, offset));
      } else {
        diags.push(malformed(LAYER, `unknown SDP line type '${type}=' (RFC 8866 §5: a receiver ignores the whole description)`, offset));
      }
      continue;
    }
    if (r < rank) diags.push(note(LAYER, `'${type}=' line out of order (RFC 8866 §5 fixes the order of lines)`, offset));
    else rank = r;

    switch (type) {
      case 'v':
        if (session.version !== undefined) diags.push(malformed(LAYER, 'more than one v= line', offset));
        else if (value !== '0') diags.push(malformed(LAYER, `SDP version '${value}' is not 0 (RFC 8866 §5.1)`, offset));
        session.version = value === '0' ? 0 : Number(value);
        break;
      case 'o': {
        const f = fields(value);
        if (f.length !== 6) {
          diags.push(
            malformed(LAYER, `o= line '${value}' is not '<username> <sess-id> <sess-version> <nettype> <addrtype> <address>' (RFC 8866 §5.2)`, offset),
          );
        }
        session.origin = {
          username: f[0] ?? '',
          sessionId: f[1] ?? '',
          sessionVersion: f[2] ?? '',
          netType: f[3] ?? '',
          addrType: f[4] ?? '',
          address: f[5] ?? '',
        };
        break;
      }
      case 's':
        session.sessionName = value;
        if (value.length === 0) diags.push(note(LAYER, "s= is empty (RFC 8866 §5.3: use 's=-' when there is no name)", offset));
        break;
      case 'i':
        if (media) media.title = value;
        else session.information = value;
        break;
      case 'u':
        session.uri = value;
        break;
      case 'e':
        session.emails.push(value);
        break;
      case 'p':
        session.phones.push(value);
        break;
      case 'c': {
        const c = parseConnection(value, offset, diags);
        if (media) media.connections.push(c);
        else if (session.connection) diags.push(malformed(LAYER, 'more than one session-level c= line (RFC 8866 §5.7)', offset));
        else session.connection = c;
        break;
      }
      case 'b': {
        const b = parseBandwidth(value, offset, diags);
        if (b) (media ? media.bandwidths : session.bandwidths).push(b);
        break;
      }
      case 't': {
        const f = fields(value);
        const ok = f.length === 2 && isUint(f[0]) && isUint(f[1]);
        if (!ok) diags.push(malformed(LAYER, `t= line '${value}' is not '<start-time> <stop-time>' (RFC 8866 §5.9)`, offset));
        session.timings.push({ start: ok ? +f[0] : NaN, stop: ok ? +f[1] : NaN, repeats: [] });
        break;
      }
      case 'r': {
        const t = session.timings[session.timings.length - 1];
        if (t) t.repeats.push(value);
        else diags.push(malformed(LAYER, 'r= line without a preceding t= line (RFC 8866 §5.10)', offset));
        break;
      }
      case 'z':
        session.timeZones = value;
        break;
      case 'k':
        if (media) media.key = value;
        else session.key = value;
        break;
      case 'a':
        parseAttribute(value, offset, session, media, diags);
        break;
    }
  }

  // ---- whole-description checks ----------------------------------------------------------------------
  if (!seenAny) {
    diags.push(malformed(LAYER, 'empty SDP', 0));
    return;
  }
  const missing: string[] = [];
  if (session.version === undefined) missing.push('v=');
  if (session.origin === undefined) missing.push('o=');
  if (session.sessionName === undefined) missing.push('s=');
  if (session.timings.length === 0) missing.push('t=');
  if (missing.length > 0) diags.push(malformed(LAYER, `missing mandatory line${missing.length > 1 ? 's' : ''}: ${missing.join(' ')} (RFC 8866 §5)`, 0));
  for (let i = 0; i < session.media.length; i++) {
    const m = session.media[i];
    m.direction = m.directionAttribute ?? session.directionAttribute ?? 'sendrecv';
    if (!session.connection && m.connections.length === 0 && m.port !== 0) {
      diags.push(malformed(LAYER, `media ${i + 1} (${m.type}) has no c= line and there is no session-level c= (RFC 8866 §5.7)`, m.offset));
    }
    if (m.proto.toUpperCase().indexOf('RTP/') >= 0) checkRtpFormats(m, i, diags);
  }
}

function checkRtpFormats(m: SdpMedia, index: number, diags: Diagnostic[]): void {
  for (const f of m.formats) {
    const pt = Number(f);
    if (pt >= 96 && pt <= 127 && !m.rtpmaps.some((r) => r.payloadType === pt)) {
      diags.push(note(LAYER, `media ${index + 1}: dynamic payload type ${pt} has no a=rtpmap (RFC 8866 §6.6)`, m.offset));
    }
  }
  for (const r of m.rtpmaps) {
    if (!m.formats.includes(String(r.payloadType))) {
      diags.push(note(LAYER, `media ${index + 1}: a=rtpmap for payload type ${r.payloadType}, which the m= line does not list`, m.offset));
    }
  }
}

function parseMediaLine(value: string, offset: number, diags: Diagnostic[]): SdpMedia {
  const f = fields(value);
  const media: SdpMedia = {
    type: f[0] ?? '',
    port: NaN,
    proto: f[2] ?? '',
    formats: f.slice(3),
    connections: [],
    bandwidths: [],
    attributes: [],
    rtpmaps: [],
    fmtps: [],
    direction: 'sendrecv',
    preconditions: [],
    offset,
  };
  const portText = f[1] ?? '';
  const slash = portText.indexOf('/');
  const port = slash < 0 ? portText : portText.substring(0, slash);
  const portOk = isUint(port) && +port <= 65535;
  const countOk = slash < 0 || isUint(portText.substring(slash + 1));
  if (portOk) media.port = +port;
  if (slash >= 0 && countOk) media.portCount = +portText.substring(slash + 1);
  if (f.length < 4 || !portOk || !countOk) {
    diags.push(
      malformed(LAYER, `bad m= line '${value}': expected '<media> <port>[/<count>] <proto> <fmt> ...' (RFC 8866 §5.14)`, offset),
    );
  }
  return media;
}

function parseConnection(value: string, offset: number, diags: Diagnostic[]): SdpConnection {
  const f = fields(value);
  const parts = (f[2] ?? '').split('/');
  const c: SdpConnection = { netType: f[0] ?? '', addrType: f[1] ?? '', address: parts[0] };
  let ok = f.length === 3 && parts[0].length > 0 && parts.length <= 3;
  if (ok && parts.length >= 2) {
    const nums = parts.slice(1).map(Number);
    if (nums.some((n) => !Number.isInteger(n) || n < 0)) ok = false;
    else if (c.addrType.toUpperCase() === 'IP4') {
      c.ttl = nums[0];
      if (nums.length > 1) c.addressCount = nums[1];
    } else c.addressCount = nums[0];
  }
  if (!ok) diags.push(malformed(LAYER, `c= line '${value}' is not '<nettype> <addrtype> <address>' (RFC 8866 §5.7)`, offset));
  return c;
}

function parseBandwidth(value: string, offset: number, diags: Diagnostic[]): SdpBandwidth | undefined {
  const colon = value.indexOf(':');
  const type = colon < 0 ? '' : value.substring(0, colon);
  const amount = colon < 0 ? '' : value.substring(colon + 1);
  if (type.length === 0 || !isUint(amount)) {
    diags.push(malformed(LAYER, `b= line '${value}' is not '<bwtype>:<bandwidth>' (RFC 8866 §5.8)`, offset));
    return undefined;
  }
  return { type, value: +amount };
}

function parseAttribute(
  value: string,
  offset: number,
  session: SdpSession,
  media: SdpMedia | undefined,
  diags: Diagnostic[],
): void {
  const colon = value.indexOf(':');
  const attr: SdpAttribute = {
    name: colon < 0 ? value : value.substring(0, colon),
    value: colon < 0 ? undefined : value.substring(colon + 1),
    offset,
  };
  if (attr.name.length === 0) {
    diags.push(malformed(LAYER, `a= line '${value}' has no attribute name (RFC 8866 §5.13)`, offset));
    return;
  }
  (media ? media.attributes : session.attributes).push(attr);
  const where = media ?? session;
  const direction = directionOf(attr.name);
  if (direction) {
    if (where.directionAttribute) {
      diags.push(malformed(LAYER, `more than one direction attribute (${where.directionAttribute}, ${direction}) at the same level (RFC 3264 §5.1)`, offset));
    }
    where.directionAttribute = direction;
    if (!media) session.direction = direction;
    return;
  }
  const v = attr.value ?? '';
  switch (attr.name) {
    case 'curr':
    case 'des':
    case 'conf': {
      const r = parsePrecondition(attr.name, v);
      if (r.ok) where.preconditions.push(r.value);
      else diags.push(malformed(LAYER, r.error, offset));
      return;
    }
  }
  if (!media) return;
  switch (attr.name) {
    case 'rtpmap': {
      const r = parseRtpMap(v);
      if (r.ok) media.rtpmaps.push(r.value);
      else diags.push(malformed(LAYER, r.error, offset));
      break;
    }
    case 'fmtp': {
      const r = parseFmtp(v);
      if (r.ok) media.fmtps.push(r.value);
      else diags.push(malformed(LAYER, r.error, offset));
      break;
    }
    case 'ptime':
    case 'maxptime': {
      const ms = parseMillis(attr.value);
      if (ms === undefined) diags.push(malformed(LAYER, `a=${attr.name}:${v} is not a number of milliseconds (RFC 8866 §6.4-6.5)`, offset));
      else media[attr.name] = ms;
      break;
    }
  }
}

function clip(s: string): string {
  return s.length > 60 ? s.substring(0, 60) + '…' : s;
}

/** Attributes of a media section (or the session) with this name, in order. */
export function attributesNamed(where: { attributes: SdpAttribute[] }, name: string): SdpAttribute[] {
  return where.attributes.filter((a) => a.name === name);
}
