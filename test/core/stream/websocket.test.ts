/**
 * SIP over WebSocket (RFC 7118 / RFC 6455 §5): the real heplify capture must yield exactly the SIP messages
 * tshark finds on its TCP leg (with tshark's WebSocket payload lengths), whatever the cut points; crafted
 * frames (RFC 6455 §5.7 examples, masked, 16/64-bit lengths, fragments with pings) and damage (gaps, close,
 * oversize, compression) behave as the file comment of websocket.ts says.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseSip } from '../../../src/core/sip/parser.js';
import type { StreamSink } from '../../../src/core/stream/stream-sink.js';
import { StreamProtocolSniffer } from '../../../src/core/stream/stream-sniffer.js';
import { judgeWebSocketFrame, readWebSocketFrameHeader, readWebSocketHandshake, WebSocketSink, webSocketMessageFromFrames } from '../../../src/core/stream/websocket.js';
import { haveSharedCaptures, sharedCaptures } from '../../helpers/paths.js';
import { haveTshark } from '../../helpers/tshark.js';
import { ascii, concat } from '../../helpers/packet-builder.js';
import { feedCut, feedSegments, joinSegments, MiniSipSink, Recorder, tcpDirections, wsFrame, type Direction } from './stream-support.js';

const FILE = 'heplify_sip_tcp_websocket.pcap';
const path = join(sharedCaptures, FILE);

interface Row {
  frame: number;
  method: string;
  status: string;
  callId: string;
  cseq: string;
}

function tsvRows(): Row[] {
  return readFileSync(`${path}.tshark.tsv`, 'utf8')
    .split('\n')
    .filter((l) => l)
    .map((l) => l.split('\t'))
    .map((f) => ({ frame: Number(f[0]), method: f[5], status: f[6], callId: f[7], cseq: f[8] }));
}

/** tshark's WebSocket payload length per frame (the reference for the message sizes). */
function tsharkPayloadLengths(): Map<number, number> {
  const out = execFileSync('tshark', ['-r', path, '-Y', 'websocket', '-T', 'fields', '-e', 'frame.number', '-e', 'websocket.payload_length', '-e', 'websocket.payload_length_ext_16'], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  const map = new Map<number, number>();
  for (const line of out.split('\n')) {
    if (!line) continue;
    const [frame, len7, len16] = line.split('\t');
    map.set(Number(frame), Number(len7) === 126 ? Number(len16) : Number(len7));
  }
  return map;
}

function describeMessage(bytes: Uint8Array): { method: string; status: string; callId: string; cseq: string } {
  const m = parseSip(bytes, 0, bytes.length);
  return { method: m.kind === 'request' ? m.method : '', status: m.kind === 'response' ? String(m.statusCode) : '', callId: m.callId ?? '', cseq: m.cseq ? `${m.cseq.seq} ${m.cseq.method}` : '' };
}

describe.skipIf(!haveSharedCaptures)('WebSocketSink on heplify_sip_tcp_websocket.pcap', () => {
  const directions = haveSharedCaptures ? tcpDirections(path) : [];
  const fileBytes = haveSharedCaptures ? new Uint8Array(readFileSync(path)) : new Uint8Array(0);
  const tcpFrames = new Set(directions.flatMap((d) => d.segments.map((s) => s.frame)));
  const expected = haveSharedCaptures ? tsvRows().filter((r) => tcpFrames.has(r.frame)) : [];

  function runAll(make: (d: Direction, out: Recorder) => StreamSink): Recorder {
    const out = new Recorder();
    for (const d of directions) {
      const sink = make(d, out);
      feedSegments(sink, d.segments);
      sink.close('end of capture');
    }
    out.messages.sort((a, b) => a.chunks[a.chunks.length - 1].frame - b.chunks[b.chunks.length - 1].frame);
    return out;
  }

  it('has one connection with the handshake in both directions (tshark: 11 SIP messages on TCP)', () => {
    expect(directions).toHaveLength(2);
    expect(expected).toHaveLength(11);
  });

  it('yields exactly the SIP messages tshark finds, framed by WebSocket, with tshark payload lengths', () => {
    const out = runAll((d, o) => new WebSocketSink(d.key, o));
    expect(out.messages.map((m) => ({ frame: m.chunks[m.chunks.length - 1].frame, ...describeMessage(m.bytes) }))).toEqual(expected);
    for (const m of out.messages) {
      expect(m.contentLengthFramed).toBe(false);
      expect(m.diagnostics).toEqual([]);
    }
    expect(out.reports).toEqual([]);
    if (haveTshark) {
      const lengths = tsharkPayloadLengths();
      expect(out.messages.map((m) => m.bytes.length)).toEqual(expected.map((r) => lengths.get(r.frame)));
    }
  });

  it('chunks point at the capture: exact payload bytes when unmasked, whole frames when masked', () => {
    const out = runAll((d, o) => new WebSocketSink(d.key, o));
    let masked = 0;
    for (const m of out.messages) {
      const raw = concat(...m.chunks.map((c) => fileBytes.subarray(c.fileOffset, c.fileOffset + c.length)));
      if (m.flow.startsWith('10.243.17.55')) {
        // Client to server: masked (RFC 6455 §5.3); the chunks re-read and unmasked give the message.
        masked++;
        expect(raw.length).toBeGreaterThan(m.bytes.length);
        expect(webSocketMessageFromFrames(raw)).toEqual(m.bytes);
      } else {
        expect(raw).toEqual(m.bytes);
      }
    }
    expect(masked).toBe(5);
  });

  it('the sniffer recognises the upgrade in both directions and delivers the same messages', () => {
    const sniffers: StreamProtocolSniffer<string>[] = [];
    const out = runAll((d, o) => {
      const s = new StreamProtocolSniffer(d.key, o, (f, oo) => new MiniSipSink(f, oo));
      sniffers.push(s);
      return s;
    });
    expect(sniffers.map((s) => s.protocol)).toEqual(['websocket', 'websocket']);
    expect(out.messages.map((m) => m.chunks[m.chunks.length - 1].frame)).toEqual(expected.map((r) => r.frame));
  });

  it('every cut point of the first 6 KiB of each direction (handshake and frames) gives the same messages', () => {
    for (const d of directions) {
      const { bytes } = joinSegments(d.segments);
      const head = bytes.subarray(0, Math.min(bytes.length, 6000));
      const whole = new Recorder();
      const ref = new WebSocketSink(d.key, whole);
      feedCut(ref, head, []);
      ref.close('end');
      expect(whole.messages.length).toBeGreaterThan(0);
      for (let k = 1; k < head.length; k++) {
        const out = new Recorder();
        const sink = new WebSocketSink(d.key, out);
        feedCut(sink, head, [k]);
        sink.close('end');
        expect(out.messages.map((m) => m.text), `cut at ${k}`).toEqual(whole.messages.map((m) => m.text));
        expect(sink.stalls).toBe(0);
      }
    }
  });

  it('through the sniffer, every cut point inside the handshake gives the same messages', () => {
    for (const d of directions) {
      const { bytes } = joinSegments(d.segments);
      const head = bytes.subarray(0, 4000);
      const ref = new Recorder();
      const refSink = new WebSocketSink(d.key, ref);
      feedCut(refSink, head, []);
      refSink.close('end');
      expect(ref.messages.length).toBeGreaterThanOrEqual(2);
      const hs = readWebSocketHandshake(head, 0, head.length);
      if (typeof hs !== 'object') throw new Error('no handshake');
      for (let k = 1; k <= hs.end + 2; k++) {
        const out = new Recorder();
        const sniffer = new StreamProtocolSniffer(d.key, out, (f, o) => new MiniSipSink(f, o));
        feedCut(sniffer, head, [k, k + 1]);
        sniffer.close('end');
        expect(sniffer.protocol, `cut at ${k}`).toBe('websocket');
        expect(out.messages.map((m) => m.text), `cut at ${k}`).toEqual(ref.messages.map((m) => m.text));
      }
    }
  });

  it('a direction picked up mid-frame (no handshake) is found by the sniffer and resynchronised', () => {
    for (const d of directions) {
      const { bytes } = joinSegments(d.segments);
      const all = new Recorder();
      feedCut(new WebSocketSink(d.key, all), bytes, []);
      // Start 700 bytes after the handshake: inside the first frame, which is lost.
      const hs = readWebSocketHandshake(bytes, 0, bytes.length);
      if (typeof hs !== 'object') throw new Error('no handshake');
      const out = new Recorder();
      const sniffer = new StreamProtocolSniffer(d.key, out, (f, o) => new MiniSipSink(f, o));
      feedCut(sniffer, bytes.subarray(hs.end + 300), [1000, 2000, 3000]);
      sniffer.close('end');
      expect(sniffer.protocol).toBe('websocket');
      expect(out.messages.map((m) => m.text)).toEqual(all.messages.slice(1).map((m) => m.text));
    }
  });
});

// RFC 6455 §5.7 examples, byte for byte.
const rfcHello = new Uint8Array([0x81, 0x05, 0x48, 0x65, 0x6c, 0x6c, 0x6f]);
const rfcMaskedHello = new Uint8Array([0x81, 0x85, 0x37, 0xfa, 0x21, 0x3d, 0x7f, 0x9f, 0x4d, 0x51, 0x58]);
const rfcFragments = new Uint8Array([0x01, 0x03, 0x48, 0x65, 0x6c, 0x80, 0x02, 0x6c, 0x6f]);
const rfcPing = new Uint8Array([0x89, 0x05, 0x48, 0x65, 0x6c, 0x6c, 0x6f]);
const rfcMaskedPong = new Uint8Array([0x8a, 0x85, 0x37, 0xfa, 0x21, 0x3d, 0x7f, 0x9f, 0x4d, 0x51, 0x58]);

describe('WebSocket framing (RFC 6455 §5.7 examples)', () => {
  it('decodes the single-frame, masked and fragmented "Hello"s and skips control frames', () => {
    const hello = ascii('Hello');
    expect(webSocketMessageFromFrames(rfcHello)).toEqual(hello);
    expect(webSocketMessageFromFrames(rfcMaskedHello)).toEqual(hello);
    expect(webSocketMessageFromFrames(concat(rfcFragments.subarray(0, 5), rfcPing, rfcMaskedPong, rfcFragments.subarray(5)))).toEqual(hello);
  });

  it('reads 16-bit and 64-bit extended lengths', () => {
    const h16 = readWebSocketFrameHeader(new Uint8Array([0x82, 0x7e, 0x01, 0x00]), 0, 4);
    expect(h16).toMatchObject({ opcode: 2, payloadLength: 256, headerLength: 4, masked: false });
    const h64 = readWebSocketFrameHeader(new Uint8Array([0x82, 0x7f, 0, 0, 0, 0, 0, 1, 0, 0]), 0, 10);
    expect(h64).toMatchObject({ opcode: 2, payloadLength: 65536, headerLength: 10 });
    expect(readWebSocketFrameHeader(new Uint8Array([0x82, 0x7f, 0, 0, 0, 0, 0, 1, 0]), 0, 9)).toBeUndefined();
    expect(readWebSocketFrameHeader(new Uint8Array([0x82, 0x7f, 0x80, 0, 0, 0, 0, 1, 0, 0]), 0, 10)).toMatch(/64-bit/);
    expect(readWebSocketFrameHeader(new Uint8Array([0x83, 0x00]), 0, 2)).toMatch(/reserved opcode/);
    expect(readWebSocketFrameHeader(new Uint8Array([0x09, 0x00]), 0, 2)).toMatch(/control frame/);
  });
});

const INVITE = [
  'INVITE sip:bob@example.net SIP/2.0',
  'Via: SIP/2.0/WSS df7jal23ls0d.invalid;branch=z9hG4bKqmw0,a0',
  'Max-Forwards: 70',
  'To: <sip:bob@example.net>',
  'From: <sip:alice@example.net>;tag=asdyka899',
  'Call-ID: asidkj3ss',
  'CSeq: 1 INVITE',
  'Contact: <sip:alice@df7jal23ls0d.invalid;transport=ws>',
  'Content-Type: application/sdp',
  'Content-Length: 0',
  '',
  '',
].join('\r\n');
const OK = ['SIP/2.0 200 OK', 'Via: SIP/2.0/WSS df7jal23ls0d.invalid;branch=z9hG4bKqmw0,a0', 'Call-ID: asidkj3ss', 'CSeq: 1 INVITE', 'Content-Length: 0', '', ''].join('\r\n');
const MASK = [0x37, 0xfa, 0x21, 0x3d];

function run(stream: Uint8Array, cuts: number[] = [], options = {}): { out: Recorder; sink: WebSocketSink<string> } {
  const out = new Recorder();
  const sink = new WebSocketSink('f', out, options);
  feedCut(sink, stream, cuts);
  sink.close('end of test');
  return { out, sink };
}

describe('WebSocketSink on crafted frames', () => {
  const invite = ascii(INVITE);
  const ok = ascii(OK);
  // A long message so that 16-bit lengths appear and can be forced to 64-bit.
  const bigInvite = ascii(INVITE.replace('Content-Length: 0\r\n\r\n', `Content-Length: 300\r\n\r\n${'v=0\r\n'.repeat(60)}`));

  it('masked 16-bit, unmasked 7-bit and forced 64-bit frames each carry one message', () => {
    const stream = concat(wsFrame(1, invite, { mask: MASK }), wsFrame(1, ok), wsFrame(2, bigInvite, { lengthBytes: 8, mask: MASK }), wsFrame(2, bigInvite, { lengthBytes: 8 }));
    const { out, sink } = run(stream);
    expect(out.messages.map((m) => m.text)).toEqual([INVITE, OK, new TextDecoder().decode(bigInvite), new TextDecoder().decode(bigInvite)]);
    expect(sink.stats).toMatchObject({ frames: 4, messages: 4, discardedBytes: 0 });
  });

  it('joins fragments around interleaved pings and pongs, at every cut point, with exact chunks', () => {
    const a = invite.subarray(0, 100);
    const b = invite.subarray(100, 101);
    const c = invite.subarray(101);
    for (const mask of [undefined, MASK]) {
      const stream = concat(
        wsFrame(1, a, { fin: false, mask }),
        mask ? rfcMaskedPong : rfcPing,
        wsFrame(0, b, { fin: false, mask }),
        wsFrame(0, new Uint8Array(0), { fin: false, mask }),
        rfcPing,
        wsFrame(0, c, { mask }),
        wsFrame(1, ok, { mask }),
      );
      for (let k = 0; k <= stream.length; k++) {
        for (const extra of k % 4 === 0 ? [[], [k + 3, k + 7]] : [[]]) {
          const { out, sink } = run(stream, [k, ...extra]);
          expect(out.messages.map((m) => m.text), `cut at ${k}`).toEqual([INVITE, OK]);
          expect(sink.stats.controlFrames).toBe(2);
          // feedCut gives stream offset o the file offset 1000 + o.
          for (const m of out.messages) {
            const raw = concat(...m.chunks.map((ch) => stream.subarray(ch.fileOffset - 1000, ch.fileOffset - 1000 + ch.length)));
            expect(mask ? webSocketMessageFromFrames(raw) : raw).toEqual(m.bytes);
          }
        }
      }
    }
  });

  it('consumes a handshake split at every byte, then frames', () => {
    const get = ascii('GET /ws HTTP/1.1\r\nHost: example.net\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Protocol: sip\r\nSec-WebSocket-Version: 13\r\n\r\n');
    const stream = concat(get, wsFrame(1, invite, { mask: MASK }));
    for (let k = 0; k <= get.length + 3; k++) {
      const { out, sink } = run(stream, [k]);
      expect(out.messages.map((m) => m.text), `cut at ${k}`).toEqual([INVITE]);
      expect(sink.stats.handshakes).toBe(1);
    }
    expect(readWebSocketHandshake(get, 0, get.length)).toMatchObject({ kind: 'request', upgrade: true, sip: true, deflate: false, end: get.length });
  });

  it('a gap inside a payload flags that message and stays in step; a gap across frames resynchronises', () => {
    const f1 = wsFrame(1, invite, { mask: MASK });
    const f2 = wsFrame(1, ok, { mask: MASK });
    const out = new Recorder();
    const sink = new WebSocketSink('f', out);
    feedCut(sink, f1.subarray(0, 50), []);
    sink.gap(40, 7);
    feedCut(sink, concat(f1.subarray(90), f2), [5]);
    sink.close('end');
    expect(out.messages.map((m) => m.text)).toEqual([INVITE.substring(0, 50 - 8), OK]);
    expect(out.messages[0].diagnostics).toMatchObject([{ kind: 'truncated', layer: 'websocket' }]);
    expect(out.messages[1].diagnostics).toEqual([]);
    expect(sink.stats.discardedBytes).toBe(0);

    const out2 = new Recorder();
    const sink2 = new WebSocketSink('f', out2);
    feedCut(sink2, f1.subarray(0, 50), []);
    sink2.gap(f1.length, 7); // more than the rest of the frame: out of step
    feedCut(sink2, concat(f1.subarray(50 + 30), f2), [3]);
    sink2.close('end');
    expect(out2.messages.map((m) => m.text)).toEqual([INVITE.substring(0, 50 - 8), OK]);
    expect(sink2.stats.discardedBytes).toBe(f1.length - 80);
  });

  it('close mid-message delivers the part seen, flagged', () => {
    const f1 = wsFrame(1, invite);
    const { out } = run(f1.subarray(0, 120), [60]);
    expect(out.messages.map((m) => m.text)).toEqual([INVITE.substring(0, 116)]);
    expect(out.messages[0].diagnostics[0]).toMatchObject({ kind: 'truncated', message: 'incomplete message: end of test' });
  });

  it('keeps at most maxMessage bytes of an oversize message and stays in step', () => {
    const { out } = run(concat(wsFrame(1, bigInvite, { mask: MASK }), wsFrame(1, ok)), [10, 300], { maxMessage: 200 });
    expect(out.messages.map((m) => m.text)).toEqual([INVITE.substring(0, 200), OK]);
    expect(out.messages[0].diagnostics[0]).toMatchObject({ kind: 'malformed', layer: 'websocket' });
  });

  it('permessage-deflate messages are counted and reported, not delivered; non-SIP messages are left out', () => {
    const { out, sink } = run(concat(wsFrame(1, ascii('{"json":1}')), wsFrame(1, invite, { rsv1: true }), wsFrame(1, ascii('\r\n\r\n')), wsFrame(1, ok)));
    expect(out.messages.map((m) => m.text)).toEqual([OK]);
    expect(sink.stats).toMatchObject({ compressed: 1, nonSip: 1, keepAlives: 1, messages: 1 });
    expect(out.reports[0].report).toMatchObject({ protocol: 'websocket', records: 4, message: 'WebSocket, 4 frames, messages: 1 compressed with permessage-deflate (not decoded), 1 not SIP, 1 SIP' });
  });

  it('judges frame starts for resynchronisation: SIP payload yes, other payload no, short input more', () => {
    const f = wsFrame(1, invite, { mask: MASK });
    expect(judgeWebSocketFrame(f, 0, f.length)).toBe('yes');
    expect(judgeWebSocketFrame(f, 0, 10)).toBe('more');
    expect(judgeWebSocketFrame(wsFrame(1, ascii('{"not":"sip","at":"all"}')), 0, 30)).toBe('no');
    expect(judgeWebSocketFrame(f, 1, f.length)).toBe('no');
  });
});
