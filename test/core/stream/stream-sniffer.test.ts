/**
 * StreamProtocolSniffer: the first bytes of a TCP direction pick its sink (SIP, WebSocket, TLS, HEP), the
 * held bytes are replayed to it, decode-as rules force a sink, and a gap or the end decides with what is
 * there. Real SIP text comes from resources/sample-volte.pcap; the WebSocket/TLS/HEP captures are exercised
 * through the sniffer in their own test files as well.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createCaptureReader } from '../../../src/core/capture/open.js';
import { dissectPacket } from '../../../src/core/layers/dissect.js';
import { PacketDecodeState, Transport } from '../../../src/core/layers/packet.js';
import type { StreamOutputs, StreamSink } from '../../../src/core/stream/stream-sink.js';
import { SNIFF_LIMIT, sniffStreamProtocol, StreamProtocolSniffer } from '../../../src/core/stream/stream-sniffer.js';
import { HepStreamSink } from '../../../src/core/stream/hep-stream.js';
import { TlsRecordSink } from '../../../src/core/stream/tls-records.js';
import { WebSocketSink } from '../../../src/core/stream/websocket.js';
import { SipStreamFramer } from '../../../src/core/stream/sip-framer.js';
import { parseSip } from '../../../src/core/sip/parser.js';
import { haveSharedCaptures, repoRoot, sharedCaptures } from '../../helpers/paths.js';
import { ascii, concat } from '../../helpers/packet-builder.js';
import { feedCut, feedSegments, MiniSipSink, Recorder, tcpDirections, wsFrame } from './stream-support.js';

function sipMessages(): Uint8Array[] {
  const out: Uint8Array[] = [];
  const state = new PacketDecodeState();
  const reader = createCaptureReader('pcap', {
    packet: (p) => {
      dissectPacket(state, p.linkType, p.data, p.capturedLength);
      if (state.transport === Transport.UDP && !state.ipFragment) out.push(state.bytes.slice(state.payloadStart, state.payloadEnd));
    },
    diagnostic: () => {},
  });
  reader.push(new Uint8Array(readFileSync(join(repoRoot, 'resources/sample-volte.pcap'))));
  reader.end();
  return out;
}

const sips = sipMessages().slice(0, 4);
const sipStream = concat(ascii('\r\n\r\n'), ...sips);
const text = (b: Uint8Array) => new TextDecoder('latin1').decode(b);

function sniff(bytes: Uint8Array, cuts: number[] = [], forced?: Parameters<typeof makeSniffer>[1]) {
  const { sniffer, out, created } = makeSniffer(bytes, forced);
  feedCut(sniffer, bytes, cuts);
  sniffer.close('FIN');
  return { sniffer, out, created };
}

function makeSniffer(_bytes: Uint8Array, forced?: 'sip' | 'websocket' | 'tls' | 'hep' | 'none' | 'gtpu') {
  const out = new Recorder();
  const created: string[] = [];
  const sniffer = new StreamProtocolSniffer('flow-1', out, (flow: string, outputs: StreamOutputs<string>): StreamSink => {
    created.push(flow);
    return new MiniSipSink(flow, outputs);
  }, forced);
  return { sniffer, out, created };
}

describe('StreamProtocolSniffer', () => {
  it('SIP (after CRLF keep-alives) goes to the SIP sink, whole, at every cut point of the first message', () => {
    expect(sips).toHaveLength(4);
    const expected = sips.map(text);
    for (let k = 0; k <= sips[0].length + 4; k++) {
      const { sniffer, out, created } = sniff(sipStream, [k]);
      expect(sniffer.protocol, `cut at ${k}`).toBe('sip');
      expect(created).toEqual(['flow-1']);
      expect(out.messages.map((m) => m.text)).toEqual(expected);
      expect(out.messages.every((m) => m.contentLengthFramed)).toBe(true);
    }
  });

  it('waits for the first line before deciding, then decides', () => {
    const { sniffer } = makeSniffer(sipStream);
    feedCut(sniffer, sips[0].subarray(0, 20), []);
    expect(sniffer.protocol).toBeUndefined();
    feedCut(sniffer, sips[0].subarray(20), []);
    expect(sniffer.protocol).toBe('sip');
  });

  it('recognises the WebSocket upgrade request and response, and not other HTTP', () => {
    const get = 'GET /ws HTTP/1.1\r\nHost: a\r\nConnection: Upgrade\r\nUPGRADE: WebSocket\r\nSec-WebSocket-Protocol: sip\r\n\r\n';
    const resp = 'HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Protocol: sip\r\n\r\n';
    expect(sniffStreamProtocol(ascii(get), get.length, false)).toEqual({ protocol: 'websocket', midStream: false });
    expect(sniffStreamProtocol(ascii(resp), resp.length, false)).toEqual({ protocol: 'websocket', midStream: false });
    // Header block not finished: wait.
    expect(sniffStreamProtocol(ascii(get), get.length - 2, false)).toBeUndefined();
    const plain = 'GET /index.html HTTP/1.1\r\nHost: a\r\n\r\n';
    expect(sniffStreamProtocol(ascii(plain), plain.length, false)?.protocol).toBe('sip');
    const ok = 'HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n';
    expect(sniffStreamProtocol(ascii(ok), ok.length, false)?.protocol).toBe('sip');
    const refused = 'HTTP/1.1 400 Bad Request\r\nUpgrade: websocket\r\n\r\n';
    expect(sniffStreamProtocol(ascii(refused), refused.length, false)?.protocol).toBe('sip');
  });

  it('a WebSocket frame carrying SIP with no handshake is WebSocket; its messages come out', () => {
    const stream = concat(wsFrame(1, sips[0], { mask: [1, 2, 3, 4] }), wsFrame(1, sips[1], { mask: [5, 6, 7, 8] }));
    for (const k of [1, 2, 5, 9, 30]) {
      const { sniffer, out } = sniff(stream, [k]);
      expect(sniffer.protocol).toBe('websocket');
      expect(sniffer.sink).toBeInstanceOf(WebSocketSink);
      expect(out.messages.map((m) => m.text)).toEqual([text(sips[0]), text(sips[1])]);
    }
  });

  it('creates the TLS and HEP sinks for their headers', () => {
    expect(sniff(new Uint8Array([22, 3, 1, 0, 4, 1, 0, 0, 0])).sniffer.sink).toBeInstanceOf(TlsRecordSink);
    const hep = concat(ascii('HEP3'), new Uint8Array([0, 12, 0, 0, 0, 1, 0, 6]));
    const { sniffer, out } = sniff(hep, [2]);
    expect(sniffer.sink).toBeInstanceOf(HepStreamSink);
    expect(out.heps.map((h) => Array.from(h.bytes))).toEqual([Array.from(hep)]);
  });

  it('decode-as forces the sink, or discards with none; tunnel protocols leave detection on', () => {
    const tlsLike = new Uint8Array([22, 3, 1, 0, 4, 1, 0, 0, 0]);
    const forcedSip = sniff(tlsLike, [], 'sip');
    expect(forcedSip.sniffer.protocol).toBe('sip');
    expect(forcedSip.created).toEqual(['flow-1']);
    const forcedWs = sniff(sipStream, [], 'websocket');
    expect(forcedWs.sniffer.sink).toBeInstanceOf(WebSocketSink);
    expect(forcedWs.out.messages).toEqual([]);
    const none = sniff(sipStream, [], 'none');
    expect(none.sniffer.protocol).toBe('none');
    expect(none.sniffer.sink).toBeUndefined();
    expect(none.out.messages).toEqual([]);
    const gtpu = sniff(sipStream, [], 'gtpu');
    expect(gtpu.sniffer.protocol).toBe('sip');
    expect(gtpu.out.messages).toHaveLength(4);
  });

  it('a gap before the decision decides with what is there and passes the gap on', () => {
    const gaps: number[] = [];
    const out = new Recorder();
    const sniffer = new StreamProtocolSniffer('f', out, (f, o) => {
      const sink = new MiniSipSink(f, o);
      return { data: sink.data.bind(sink), gap: (n: number) => gaps.push(n), close: () => {} };
    });
    feedCut(sniffer, ascii('INVITE sip:bob@exa'), []);
    expect(sniffer.protocol).toBeUndefined();
    sniffer.gap(100, 5);
    expect(sniffer.protocol).toBe('sip');
    expect(gaps).toEqual([100]);
    // A gap before any byte is not passed on (the sink starts after it).
    const s2 = makeSniffer(sipStream).sniffer;
    s2.gap(50, 1);
    expect(s2.protocol).toBeUndefined();
  });

  it('close before the decision replays the held bytes to the chosen sink', () => {
    const partial = sips[0].subarray(0, sips[0].length - 10);
    const { sniffer } = sniff(concat(partial.subarray(0, 10)), []);
    expect(sniffer.protocol).toBe('sip');
    const frame = wsFrame(1, sips[0]);
    const { sniffer: s2, out } = sniff(frame.subarray(0, 200), []);
    expect(s2.protocol).toBe('websocket');
    expect(out.messages.map((m) => m.text)).toEqual([text(sips[0].subarray(0, 196))]);
    expect(out.messages[0].diagnostics[0]).toMatchObject({ kind: 'truncated' });
  });

  it('binary bytes with no recognisable boundary are held at most SNIFF_LIMIT bytes, then go to SIP', () => {
    const noise = new Uint8Array(SNIFF_LIMIT + 100);
    // A deterministic sequence with no SIP, HEP3, TLS or WebSocket boundary in it (bytes 0x80-0xff only).
    for (let i = 0; i < noise.length; i++) noise[i] = 0x80 | ((i * 37) & 0x7f);
    const { sniffer } = makeSniffer(noise);
    feedCut(sniffer, noise.subarray(0, SNIFF_LIMIT - 1), []);
    expect(sniffer.protocol).toBeUndefined();
    feedCut(sniffer, noise.subarray(SNIFF_LIMIT - 1), []);
    expect(sniffer.protocol).toBe('sip');
  });

  it('a SIP stream picked up mid-body resynchronises on the next start line', () => {
    const start = sips[0].length - 40;
    const { sniffer, out } = sniff(sipStream.subarray(4 + start), [3]);
    expect(sniffer.protocol).toBe('sip');
    expect(out.messages.map((m) => m.text)).toEqual(sips.slice(1).map(text));
  });
});

describe.skipIf(!haveSharedCaptures)('StreamProtocolSniffer with the real SIP framer on SIP over TCP captures', () => {
  for (const file of ['heplify_sip_ipv4_tcp.pcap', 'heplify_sip_ipv4_tcp_retrans.pcap']) {
    it(`${file}: SIP directions are SIP, TLS is TLS, and the messages are tshark's`, () => {
      const path = join(sharedCaptures, file);
      const directions = tcpDirections(path);
      const tcpFrames = new Set(directions.flatMap((d) => d.segments.map((x) => x.frame)));
      // tshark's SIP messages on TCP (the retrans capture also has SIP over UDP).
      const expected = readFileSync(`${path}.tshark.tsv`, 'utf8')
        .split('\n')
        .filter((l) => l)
        .map((l) => l.split('\t'))
        .filter((f) => tcpFrames.has(Number(f[0])))
        .map((f) => `${f[0]} ${f[5] || f[6]} ${f[7]} ${f[8]}`);
      expect(expected.length).toBeGreaterThanOrEqual(4);
      const out = new Recorder();
      for (const d of directions) {
        const sniffer = new StreamProtocolSniffer(d.key, out, (flow, outputs) => new SipStreamFramer(flow, outputs));
        feedSegments(sniffer, d.segments);
        sniffer.close('end of capture');
        // The retrans capture also holds a TLS alert on 443 and an encrypted stream on 60022 (tshark: no SIP).
        if (d.srcPort === 5060 || d.dstPort === 5060) expect(sniffer.protocol).toBe('sip');
        if (d.srcPort === 443) expect(sniffer.protocol).toBe('tls');
      }
      const got = out.messages.map((m) => {
        const p = parseSip(m.bytes, 0, m.bytes.length);
        return `${m.chunks[m.chunks.length - 1].frame} ${p.kind === 'request' ? p.method : p.statusCode} ${p.callId} ${p.cseq?.seq} ${p.cseq?.method}`;
      });
      expect(got.sort()).toEqual(expected.sort());
      expect(out.messages.every((m) => m.contentLengthFramed && m.diagnostics.length === 0)).toBe(true);
    });
  }
});

describe('robustness: damaged streams never throw nor stall', () => {
  it('random corruption, cuts and gaps over WebSocket, TLS, HEP and SIP streams', () => {
    let seed = 12345;
    const rand = (n: number) => {
      seed = (seed * 1103515245 + 12345) >>> 0;
      return (seed >>> 8) % n;
    };
    const tls = tcpDirections(join(repoRoot, 'test/fixtures/tls-5061.pcap')).map((d) => concat(...d.segments.map((x) => x.payload)));
    const ws = haveSharedCaptures ? tcpDirections(join(sharedCaptures, 'heplify_sip_tcp_websocket.pcap')).map((d) => concat(...d.segments.map((x) => x.payload))) : [];
    const hep = concat(ascii('HEP3'), new Uint8Array([0, 12, 0, 0, 0, 1, 0, 6]), ascii('HEP3'), new Uint8Array([0, 20, 0, 0, 0, 15, 0, 14]), sips[0].subarray(0, 8));
    const sources = [...tls, ...ws, hep, sipStream];
    for (let round = 0; round < 300; round++) {
      const src = sources[round % sources.length].slice();
      for (let i = rand(8); i > 0; i--) src[rand(src.length)] = rand(256);
      const out = new Recorder();
      const sniffer = new StreamProtocolSniffer('f', out, (f, o) => new SipStreamFramer(f, o));
      let at = 0;
      while (at < src.length) {
        const n = 1 + rand(700);
        if (rand(10) === 0) {
          sniffer.gap(n, 1);
          at += n;
          continue;
        }
        const end = Math.min(src.length, at + n);
        sniffer.data(src, at, end, { frame: 1, fileOffset: at, length: end - at, tsSec: 0, tsNsec: 0 });
        at = end;
      }
      sniffer.close('end');
      const sink = sniffer.sink as { stalls?: number } | undefined;
      expect(sink?.stalls ?? 0).toBe(0);
      for (const m of out.messages) for (const c of m.chunks) expect(c.length).toBeGreaterThan(0);
    }
  });
});
