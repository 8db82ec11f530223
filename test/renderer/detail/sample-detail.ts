/**
 * MessageDetail objects built from real messages of resources/sample-volte.pcap (SIPp, loopback, UDP), for the
 * detail pane's derivation tests: the engine dissects the frame and parses the SIP message, and this builds the
 * contract's DTO from it the way the back end's `getMessage` describes it (header offsets into `raw`, SDP lines
 * per section, preconditions as `curr:qos local none`). Only the fields the tests read need to be faithful.
 */
import { join } from 'node:path';
import { parseSip } from '../../../src/core/sip/parser.js';
import type { HeaderDetail, MessageDetail, SdpDetail } from '../../../src/shared/api.js';
import { dissect } from '../../helpers/dissect.js';
import { repoRoot } from '../../helpers/paths.js';
import { readPcap } from '../../helpers/read-pcap.js';

export const samplePath = join(repoRoot, 'resources/sample-volte.pcap');

let packets: ReturnType<typeof readPcap> | undefined;

/**
 * Header parameters (`;tag=…`, `;branch=…`) as parts after the value before them, like the detail tree shows.
 * Semicolons inside <…> (URI parameters) and quoted strings belong to the value (RFC 3261 §20.10).
 */
function partsOf(value: string): [string, string][] {
  const pieces: string[] = [];
  let depth = 0;
  let quoted = false;
  let from = 0;
  for (let i = 0; i < value.length; i++) {
    const c = value[i];
    if (c === '"' && value[i - 1] !== '\\') quoted = !quoted;
    else if (!quoted && c === '<') depth++;
    else if (!quoted && c === '>') depth--;
    else if (!quoted && depth === 0 && c === ';') {
      pieces.push(value.slice(from, i));
      from = i + 1;
    }
  }
  pieces.push(value.slice(from));
  const [first, ...params] = pieces;
  const parts: [string, string][] = [['value', first.trim()]];
  for (const p of params) {
    const eq = p.indexOf('=');
    parts.push(eq < 0 ? [p.trim(), ''] : [p.slice(0, eq).trim(), p.slice(eq + 1).trim()]);
  }
  return parts;
}

/** The MessageDetail of the SIP message in `frame` (1-based) of sample-volte.pcap. */
export function sampleDetail(frame: number): MessageDetail {
  packets ??= readPcap(samplePath);
  const packet = packets.find((p) => p.frame === frame);
  if (packet === undefined) throw new Error(`no frame ${frame} in ${samplePath}`);
  const { state } = dissect(packet.data);
  const m = parseSip(packet.data, state.payloadStart, state.payloadEnd, { body: 'eager' });
  const raw = new TextDecoder().decode(m.bytes.subarray(m.start, m.end));
  // The sample is ASCII, so byte offsets from the parser are UTF-16 offsets into raw.
  if ([...raw].some((c) => c.charCodeAt(0) > 0x7f)) throw new Error('sample message is not ASCII');
  const headers: HeaderDetail[] = m.headers.map((h) => ({
    name: h.name,
    canonicalName: h.canonical,
    value: h.value,
    start: h.start - m.start,
    end: h.end - m.start,
    parts: partsOf(h.value),
  }));
  let sdp: SdpDetail | null = null;
  if (m.sdp !== undefined) {
    const s = m.sdp;
    sdp = {
      session: s.lines.filter((l) => l.media < 0).map((l) => [l.type, l.value]),
      media: s.media.map((media, i) => {
        const lines = s.lines.filter((l) => l.media === i);
        return {
          line: lines.find((l) => l.type === 'm')?.value ?? '',
          lines: lines.filter((l) => l.type !== 'm').map((l): [string, string] => [l.type, l.value]),
          direction: media.directionAttribute ?? null,
          preconditions: media.preconditions.map((p) => [`${p.kind}:${p.type}`, p.strength, p.statusType, p.direction].filter((x) => x !== undefined).join(' ')),
        };
      }),
    };
  }
  const startLine = raw.slice(0, raw.indexOf('\r\n'));
  return {
    row: frame - 1,
    frame,
    annotation: null,
    frames: [frame],
    time: 1700000000.123456,
    source: '127.0.0.1:5060',
    destination: '127.0.0.1:5070',
    transport: 'UDP',
    encapsulation: state.stack.slice(),
    outer: [],
    raw,
    startLine,
    method: m.kind === 'request' ? m.method : null,
    status: m.kind === 'response' ? m.statusCode : null,
    headers,
    bodyStart: m.bodyStart < m.end ? m.bodyStart - m.start : null,
    contentType: m.contentType || null,
    sdp,
    notes: [],
    call: 0,
    transaction: 0,
    dialog: 0,
    procedure: 'call-setup',
    retransmission: false,
    copies: [],
  };
}
