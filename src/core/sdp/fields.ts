/**
 * Display-filter fields of the SDP carried in a SIP body (RFC 8866, offer/answer RFC 3264), with Wireshark
 * 4.0's names, types and values (epan/dissectors/packet-sdp.c): what `tshark -T fields -e sdp.X` prints.
 *
 * Where the SDP is: the SIP body when its Content-Type is `application/sdp`, and each `application/sdp` part
 * of a multipart body (RFC 2046 §5.1; nested multiparts too), as Wireshark's media-type table sends them.
 *
 * Wireshark's conventions, reproduced:
 * - one value per line of that type, the text after `x=` as written (no trimming: `s=  x  ` is `  x  `);
 * - the body is read line by line (CR LF, CR or LF; not inside double quotes) and an empty or one-character
 *   line ends it; a line whose second character is not '=' is `sdp.invalid`;
 * - `a=` lines before the first `m=` are `sdp.session_attr`, after it `sdp.media_attr`; their
 *   `.field`/`.value` exist only for `name:value` attributes; rtpmap and fmtp values are split into
 *   `sdp.media.format`, `sdp.mime.type`, `sdp.sample_rate` and `sdp.fmtp.parameter` instead of a value;
 * - `sdp.media.format` on an RTP m= line shows the payload type's name (`ITU-T G.711 PCMU`,
 *   `DynamicRTP-Type-97`), as Wireshark's rtp_payload_type_vals: the same text is the field's value.
 */
import type { FieldType, FieldValue, MessageFieldDeclaration } from '../filter/field.js';
import { multipartBoundary } from '../sip/content-type.js';
import { collector, NO_EMIT, put, sipBody, Tvb, wsStrtou32, type Emit } from '../sip/fields.js';
import { parseMultipart } from '../sip/multipart.js';
import type { MultipartPart } from '../sip/types.js';

/** The byte ranges [start, end) of the SDP bodies of a SIP message. */
export function sdpBodies(bytes: Uint8Array, start: number, end: number): Array<[number, number]> {
  const body = sipBody(bytes, start, end);
  if (!body || body.mediaType === undefined) return [];
  const from = body.offset;
  const to = body.offset + body.length;
  if (body.mediaType === 'application/sdp') {
    // Before dissecting an offer or answer (a request, a 2xx or a final error), the SIP dissector sets up
    // the RTP conversations from it (setup_sdp_transport, no tree): an exception there loses the whole SDP.
    const setup = 'method' in body.start || (body.start.status >= 200 && body.start.status < 300) || body.start.status >= 400;
    return setup && !dissectSdp(bytes, from, to, NO_EMIT, true) ? [] : [[from, to]];
  }
  if (!body.mediaType.startsWith('multipart/') || body.mediaParameters === undefined) return [];
  const boundary = multipartBoundary(`${body.mediaType};${body.mediaParameters}`);
  if (!boundary) return [];
  const out: Array<[number, number]> = [];
  const visit = (parts: MultipartPart[]) => {
    for (const part of parts) {
      const type = part.contentType.split(';')[0].trim().toLowerCase();
      if (type === 'application/sdp') out.push([part.bodyStart, part.bodyEnd]);
      else if (part.parts) visit(part.parts);
    }
  };
  visit(parseMultipart(bytes, from, to, boundary).parts);
  return out;
}

// ---- packet-sdp.c, line by line -------------------------------------------------------------------------

/**
 * find_next_optional_token_in_line: the next space-separated token from `at.offset` (empty tokens — two
 * spaces — skipped). Returns its length (0: none); `at.offset` moves to its start and `at.next` to the
 * space after it (-1 at the end of the line).
 */
function nextToken(t: Tvb, at: { offset: number; next: number }): number {
  let length = 0;
  let next = -1;
  let off = at.offset;
  if (off >= t.start && off < t.end) {
    while (length === 0) {
      next = t.find(off, -1, 0x20);
      if (next === -1) {
        length = t.end - off;
        break;
      }
      length = next - off;
      if (length === 0) off = next + 1;
    }
  }
  at.next = next;
  at.offset = off;
  return length;
}

/**
 * `next_offset + 1` as the dissector computes it on the line's own tvbuff: after a last token (next -1) it is
 * 0, the start of the line — so `t=0` gives a stop time of "0" and a cut `c=IN IP4` an address of "IN IP4".
 */
function after(t: Tvb, next: number): number {
  return next === -1 ? t.start : next + 1;
}

/** rtp_payload_type_vals (epan/rtp_pt.h) as `val_to_str_ext(pt, ..., "%u")`. */
function payloadTypeName(pt: number): string {
  const name = RTP_PAYLOAD_TYPES[pt];
  if (name !== undefined) return name;
  if ((pt >= 20 && pt <= 24) || pt === 27 || pt === 29 || pt === 30 || (pt >= 35 && pt <= 71) || (pt >= 77 && pt <= 95)) return 'Unassigned';
  if (pt >= 72 && pt <= 76) return 'Reserved for RTCP conflict avoidance';
  if (pt >= 96 && pt <= 127) return `DynamicRTP-Type-${pt}`;
  return String(pt);
}

const RTP_PAYLOAD_TYPES: Record<number, string> = {
  0: 'ITU-T G.711 PCMU',
  1: 'USA Federal Standard FS-1016',
  2: 'ITU-T G.721',
  3: 'GSM 06.10',
  4: 'ITU-T G.723',
  5: 'DVI4 8000 samples/s',
  6: 'DVI4 16000 samples/s',
  7: 'Experimental linear predictive encoding from Xerox PARC',
  8: 'ITU-T G.711 PCMA',
  9: 'ITU-T G.722',
  10: '16-bit uncompressed audio, stereo',
  11: '16-bit uncompressed audio, monaural',
  12: 'Qualcomm Code Excited Linear Predictive coding',
  13: 'Comfort noise',
  14: 'MPEG-I/II Audio',
  15: 'ITU-T G.728',
  16: 'DVI4 11025 samples/s',
  17: 'DVI4 22050 samples/s',
  18: 'ITU-T G.729',
  19: 'Comfort noise (old)',
  25: 'Sun CellB video encoding',
  26: 'JPEG-compressed video',
  28: "'nv' program",
  31: 'ITU-T H.261',
  32: 'MPEG-I/II Video',
  33: 'MPEG-II transport streams',
  34: 'ITU-T H.263',
};

/** parse_sdp_media_protocol: the protos whose formats are RTP payload types. */
const RTP_PROTOS = new Set(['RTP/AVP', 'RTP/AVPF', 'RTP/SAVP', 'RTP/SAVPF', 'UDP/TLS/RTP/SAVP', 'UDP/TLS/RTP/SAVPF']);

/** C `strtoul(s, NULL, 10)` of a token starting with a digit (no overflow concern below 2^53). */
function leadingNumber(s: string): number {
  let v = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x30 || c > 0x39) break;
    v = v * 10 + (c - 0x30);
  }
  return v;
}

/** `ws_strtou8(s) && value < 128` (SDP_NO_OF_PT). */
function validPayloadType(s: string): boolean {
  const [v, ok] = wsStrtou32(s);
  return ok && v < 128;
}

/**
 * The leading space-separated tokens of an o=, c=, t= or m= line, one item each (find_next_optional_token_in_line
 * then proto_tree_add_item, as each of those dissectors repeats it): false when a token is missing (the
 * dissector returns there); `at.offset` ends after the last one.
 */
function tokenItems(t: Tvb, emit: Emit, at: { offset: number; next: number }, fields: readonly string[]): boolean {
  for (const field of fields) {
    const length = nextToken(t, at);
    if (length === 0) return false;
    put(t, emit, field, at.offset, length);
    at.offset = after(t, at.next);
  }
  return true;
}

const OWNER_TOKENS = ['sdp.owner.username', 'sdp.owner.sessionid', 'sdp.owner.version', 'sdp.owner.network_type', 'sdp.owner.address_type'];

function dissectOwner(t: Tvb, emit: Emit): void {
  const at = { offset: t.start, next: -1 };
  if (!tokenItems(t, emit, at, OWNER_TOKENS)) return;
  put(t, emit, 'sdp.owner.address', at.offset, -1);
}

const CONNECTION_TOKENS = ['sdp.connection_info.network_type', 'sdp.connection_info.address_type'];

function dissectConnection(t: Tvb, emit: Emit): void {
  const at = { offset: t.start, next: -1 };
  if (!tokenItems(t, emit, at, CONNECTION_TOKENS)) return;
  let offset = at.offset;
  let slash = t.find(offset, -1, 0x2f);
  put(t, emit, 'sdp.connection_info.address', offset, slash === -1 ? -1 : slash - offset);
  if (slash === -1) return;
  offset = slash + 1;
  slash = t.find(offset, -1, 0x2f);
  put(t, emit, 'sdp.connection_info.ttl', offset, slash === -1 ? -1 : slash - offset);
  if (slash !== -1) put(t, emit, 'sdp.connection_info.num_addr', slash + 1, -1);
}

function dissectBandwidth(t: Tvb, emit: Emit): void {
  const colon = t.find(t.start, -1, 0x3a);
  if (colon === -1) return;
  put(t, emit, 'sdp.bandwidth.modifier', t.start, colon - t.start);
  put(t, emit, 'sdp.bandwidth.value', colon + 1, -1);
}

const TIME_TOKENS = ['sdp.time.start'];

function dissectTime(t: Tvb, emit: Emit): void {
  const at = { offset: t.start, next: -1 };
  if (!tokenItems(t, emit, at, TIME_TOKENS)) return;
  put(t, emit, 'sdp.time.stop', at.offset, -1);
}

/** The name of an a= line, read by attributeName. */
const attribute = { name: '', colon: 0 };

/**
 * dissect_sdp_session_attribute / dissect_sdp_media_attribute: the attribute's name, up to the first ':',
 * emitted as `nameField` and left in `attribute` with the colon's offset; false for a property attribute
 * (no ':'), which has no items.
 */
function attributeName(t: Tvb, emit: Emit, nameField: string): boolean {
  const colon = t.find(t.start, -1, 0x3a);
  if (colon === -1) return false;
  attribute.colon = colon;
  attribute.name = t.str(t.start, colon - t.start);
  emit(nameField, attribute.name);
  return true;
}

function dissectSessionAttribute(t: Tvb, emit: Emit): void {
  if (!attributeName(t, emit, 'sdp.session_attr.field')) return;
  const field = attribute.name;
  const offset = attribute.colon + 1;
  // `a=name:` with nothing after the colon: the value item below throws (the SDP ends, "Malformed Packet").
  // ipbcp and key-mgmt have their own sub-fields instead of a value.
  if (field === 'ipbcp' || field === 'key-mgmt') return;
  put(t, emit, 'sdp.session_attr.value', offset, -1);
}

const MEDIA_TOKENS = ['sdp.media.media'];

function dissectMedia(t: Tvb, emit: Emit): void {
  const at = { offset: t.start, next: -1 };
  if (!tokenItems(t, emit, at, MEDIA_TOKENS)) return;
  let length = nextToken(t, at);
  if (length === 0) return;
  const slash = t.find(at.offset, length, 0x2f);
  const port = (offset: number, len: number) => {
    const text = t.str(offset, len);
    emit('sdp.media.port_string', text);
    const c = text.charCodeAt(0);
    if (c >= 0x30 && c <= 0x39) {
      // ws_strtou16: 0 when invalid, 65535 on overflow.
      const [v, ok] = wsStrtou32(text);
      emit('sdp.media.port', ok ? (v > 65535 ? 65535 : v) : v > 0 ? 65535 : 0);
    }
  };
  if (slash !== -1) {
    port(at.offset, slash - at.offset);
    at.offset = slash + 1;
    length = nextToken(t, at);
    if (length === 0) return;
    put(t, emit, 'sdp.media.portcount', at.offset, length);
    at.offset = after(t, at.next);
  } else {
    port(at.offset, length);
    at.offset = after(t, at.next);
  }
  length = nextToken(t, at);
  if (length === 0) return;
  const proto = t.str(at.offset, length);
  emit('sdp.media.proto', proto);
  const rtp = RTP_PROTOS.has(proto);
  do {
    at.offset = after(t, at.next);
    length = nextToken(t, at);
    if (length === 0) break;
    const format = t.str(at.offset, length);
    const c = format.charCodeAt(0);
    emit('sdp.media.format', rtp && c >= 0x30 && c <= 0x39 ? payloadTypeName(leadingNumber(format)) : format);
  } while (at.next !== -1);
}

/** Media attributes whose value Wireshark splits into sub-fields (no `sdp.media_attribute.value`). */
const SPECIAL_ATTRIBUTES = new Set(['rtpmap', 'fmtp', 'path', 'h248item', 'crypto', 'candidate']);

/** fmtp payload types given as names (media_format_str_types). */
const FMTP_NAMED_FORMATS = new Set(['ipdc-kmm', 'ipdc-ksm', 'mcptt', 'mcvideo', 'tbcp']);

function dissectMediaAttribute(t: Tvb, emit: Emit): void {
  if (!attributeName(t, emit, 'sdp.media_attribute.field')) return;
  const colon = attribute.colon;
  const offset = t.skipWsp(colon + 1, t.end - (colon + 1));
  if (offset >= t.end) return;
  const name = attribute.name.toLowerCase();
  if (name === 'rtpmap') return dissectRtpmap(t, offset, emit);
  if (name === 'fmtp') return dissectFmtp(t, offset, emit);
  if (SPECIAL_ATTRIBUTES.has(name)) return;
  put(t, emit, 'sdp.media_attribute.value', offset, -1);
}

/** dissect_sdp_media_attribute_rtpmap: `<pt> <encoding>/<clock rate>[/<channels>]` (RFC 8866 §6.6). */
function dissectRtpmap(t: Tvb, offset: number, emit: Emit): void {
  let next = t.find(offset, -1, 0x20);
  if (next === -1) return;
  const payloadType = t.str(offset, next - offset);
  emit('sdp.media.format', payloadType);
  offset = next + 1;
  next = t.find(offset, -1, 0x2f);
  if (next === -1) return;
  put(t, emit, 'sdp.mime.type', offset, next - offset);
  if (!validPayloadType(payloadType)) return;
  // Wireshark 4.0 keeps the clock rate's leading digits only (`8000|` → "8000", `8x00` → "8", `abc` → "").
  offset = next + 1;
  next = offset;
  while (next < t.end && t.b[next] >= 0x30 && t.b[next] <= 0x39) next++;
  put(t, emit, 'sdp.sample_rate', offset, next - offset);
}

/** dissect_sdp_media_attribute_fmtp: `<format> <param>[;<param>...]` (RFC 8866 §6.15). */
function dissectFmtp(t: Tvb, offset: number, emit: Emit): void {
  offset = t.skipWsp(offset, t.end - offset);
  let next = t.find(offset, -1, 0x20);
  if (next === -1) return;
  const format = t.str(offset, next - offset);
  emit('sdp.media.format', format);
  if (!FMTP_NAMED_FORMATS.has(format.toLowerCase()) && !validPayloadType(format.toLowerCase())) return;
  offset = next + 1;
  for (;;) {
    next = t.find(offset, -1, 0x3b);
    offset = t.skipWsp(offset, t.end - offset);
    const last = next === -1;
    if (last) next = t.end;
    put(t, emit, 'sdp.fmtp.parameter', offset, next - offset);
    if (last) return;
    offset = next + 1;
  }
}

/** tvb_find_line_end_unquoted: the line at `offset` (line ends inside double quotes do not count). */
function lineEndUnquoted(t: Tvb, offset: number, out: { length: number; next: number }): void {
  const b = t.b;
  let quoted = false;
  let cur = offset;
  for (;;) {
    let at = -1;
    for (let i = cur; i < t.end; i++) {
      const c = b[i];
      if (c === 0x22 || (!quoted && (c === 0x0d || c === 0x0a))) {
        at = i;
        break;
      }
    }
    if (at === -1) {
      out.length = t.end - offset;
      out.next = t.end;
      return;
    }
    if (quoted) quoted = false;
    else if (b[at] === 0x22) quoted = true;
    else {
      out.length = at - offset;
      let next = at + 1;
      if (b[at] === 0x0d && next < t.end && b[next] === 0x0a) next++;
      out.next = next;
      return;
    }
    cur = at + 1;
    if (cur >= t.end) {
      out.length = t.end - offset;
      out.next = t.end;
      return;
    }
  }
}

/** Line types → the field of the whole line (dissect_sdp). */
const LINE_FIELDS: Record<string, string> = {
  v: 'sdp.version',
  o: 'sdp.owner',
  s: 'sdp.session_name',
  u: 'sdp.uri',
  e: 'sdp.email',
  p: 'sdp.phone',
  c: 'sdp.connection_info',
  b: 'sdp.bandwidth',
  t: 'sdp.time',
  r: 'sdp.repeat_time',
  m: 'sdp.media',
  k: 'sdp.encryption_key',
  z: 'sdp.timezone',
};

/**
 * `sdp.attribute`: every a= line, session or media level, in order. Not a Wireshark 4.0 field (Wireshark has
 * sdp.session_attr and sdp.media_attr): ours, for `sdp.attribute contains "curr:qos"` whatever the level.
 */
const ATTRIBUTE = 'sdp.attribute';

/**
 * dissect_sdp over bytes [start, end): emits every field value in order. Returns false when Wireshark
 * would throw (a read past a line, an item "to the end" that starts at the end: `c=IN IP4 `, `t=0 `,
 * `b=AS:`, `a=x:`): the values before stay, the rest of the SDP is lost. With `setup`, it is
 * setup_sdp_transport's pass instead: the c=, m= and a= lines only.
 */
function dissectSdp(bytes: Uint8Array, start: number, end: number, emit: Emit, setup = false): boolean {
  const t = new Tvb(bytes, start, end);
  const line = { length: 0, next: 0 };
  let inMedia = false;
  let offset = start;
  while (offset < end) {
    lineEndUnquoted(t, offset, line);
    const length = line.length;
    if (length < 2) break;
    const type = String.fromCharCode(bytes[offset]);
    if (bytes[offset + 1] !== 0x3d) {
      put(t, emit, 'sdp.invalid', offset, length);
      offset = line.next;
      continue;
    }
    if (setup && type !== 'c' && type !== 'm' && type !== 'a') {
      offset = line.next;
      continue;
    }
    let field: string | undefined;
    if (type === 'i') field = inMedia ? 'sdp.media_title' : 'sdp.session_info';
    else if (type === 'a') field = inMedia ? 'sdp.media_attr' : 'sdp.session_attr';
    else field = LINE_FIELDS[type];
    if (type === 'm') inMedia = true;
    if (!field) {
      if (emit.wanted === 'sdp.unknown') emit('sdp.unknown', t.ascii(offset, length));
    } else {
      if (emit.wanted === field) emit(field, t.ascii(offset + 2, length - 2));
      else if (type === 'a' && emit.wanted === ATTRIBUTE) emit(ATTRIBUTE, t.ascii(offset + 2, length - 2));
      const sub = new Tvb(bytes, offset + 2, offset + length);
      try {
        if (type === 'o') dissectOwner(sub, emit);
        else if (type === 'c') dissectConnection(sub, emit);
        else if (type === 'b') dissectBandwidth(sub, emit);
        else if (type === 't') dissectTime(sub, emit);
        else if (type === 'm') dissectMedia(sub, emit);
        else if (type === 'a') (inMedia ? dissectMediaAttribute : dissectSessionAttribute)(sub, emit);
      } catch {
        // Wireshark's exception inside a sub-dissector: the rest of the SDP is lost.
        return false;
      }
    }
    offset = line.next;
  }
  return true;
}

/** Field names, types and descriptions, from `tshark -G fields` (Wireshark 4.0.17). */
const SDP_FIELDS: ReadonlyArray<[name: string, type: FieldType, description: string]> = [
  ['sdp.version', 'string', 'Session Description Protocol Version (v)'],
  ['sdp.owner', 'string', 'Owner/Creator, Session Id (o)'],
  ['sdp.owner.username', 'string', 'Owner Username'],
  ['sdp.owner.sessionid', 'string', 'Session ID'],
  ['sdp.owner.version', 'string', 'Session Version'],
  ['sdp.owner.network_type', 'string', 'Owner Network Type'],
  ['sdp.owner.address_type', 'string', 'Owner Address Type'],
  ['sdp.owner.address', 'string', 'Owner Address'],
  ['sdp.session_name', 'string', 'Session Name (s)'],
  ['sdp.session_info', 'string', 'Session Information (i)'],
  ['sdp.uri', 'string', 'URI of Description (u)'],
  ['sdp.email', 'string', 'E-mail Address'],
  ['sdp.phone', 'string', 'Phone Number (p)'],
  ['sdp.connection_info', 'string', 'Connection Information (c)'],
  ['sdp.connection_info.network_type', 'string', 'Connection Network Type'],
  ['sdp.connection_info.address_type', 'string', 'Connection Address Type'],
  ['sdp.connection_info.address', 'string', 'Connection Address'],
  ['sdp.connection_info.ttl', 'string', 'Connection TTL'],
  ['sdp.connection_info.num_addr', 'string', 'Connection Number of Addresses'],
  ['sdp.bandwidth', 'string', 'Bandwidth Information (b)'],
  ['sdp.bandwidth.modifier', 'string', 'Bandwidth Modifier'],
  ['sdp.bandwidth.value', 'string', 'Bandwidth Value (in kbits/s)'],
  ['sdp.time', 'string', 'Time Description, active time (t)'],
  ['sdp.time.start', 'string', 'Session Start Time'],
  ['sdp.time.stop', 'string', 'Session Stop Time'],
  ['sdp.repeat_time', 'string', 'Repeat Time (r)'],
  ['sdp.timezone', 'string', 'Time Zone Adjustments (z)'],
  ['sdp.encryption_key', 'string', 'Encryption Key (k)'],
  [ATTRIBUTE, 'string', 'Attribute (a), session or media level (sipscope; Wireshark: sdp.session_attr, sdp.media_attr)'],
  ['sdp.session_attr', 'string', 'Session Attribute (a)'],
  ['sdp.session_attr.field', 'string', 'Session Attribute Fieldname'],
  ['sdp.session_attr.value', 'string', 'Session Attribute Value'],
  ['sdp.media', 'string', 'Media Description, name and address (m)'],
  ['sdp.media.media', 'string', 'Media Type'],
  ['sdp.media.port', 'number', 'Media Port'],
  ['sdp.media.port_string', 'string', 'Media Port'],
  ['sdp.media.portcount', 'string', 'Media Port Count'],
  ['sdp.media.proto', 'string', 'Media Protocol'],
  ['sdp.media.format', 'string', 'Media Format'],
  ['sdp.media_title', 'string', 'Media Title'],
  ['sdp.media_attr', 'string', 'Media Attribute (a)'],
  ['sdp.media_attribute.field', 'string', 'Media Attribute Fieldname'],
  ['sdp.media_attribute.value', 'string', 'Media Attribute Value'],
  ['sdp.mime.type', 'string', 'SDP MIME Type'],
  ['sdp.sample_rate', 'string', 'Sample Rate'],
  ['sdp.fmtp.parameter', 'string', 'Format specific parameter(fmtp)'],
  ['sdp.unknown', 'string', 'Unknown'],
  ['sdp.invalid', 'string', 'Invalid line'],
];

function sdpField(name: string, type: FieldType, description: string): MessageFieldDeclaration {
  return {
    name,
    type,
    description,
    extract(bytes, start, end) {
      const out: FieldValue[] = [];
      if (start < 0 || end > bytes.length || start >= end) return out;
      try {
        for (const [from, to] of sdpBodies(bytes, start, end)) {
          dissectSdp(bytes, from, to, collector(name, out));
        }
      } catch {
        // Never throw out of a filter: keep what was found.
      }
      return out;
    },
  };
}

/** Every `sdp.*` field read from the SDP of a SIP message, with Wireshark 4.0's names, types and values. */
export const sdpMessageFields: MessageFieldDeclaration[] = SDP_FIELDS.map(([name, type, description]) => sdpField(name, type, description));
