import { describe, expect, it } from 'vitest';
import type { CapturedPacket } from '../../../src/core/capture/types.js';
import { parseDecodeAs } from '../../../src/core/engine/decode-as.js';
import { TraceEngine, type EngineOptions } from '../../../src/core/engine/trace-engine.js';
import { LinkType } from '../../../src/core/layers/registry.js';
import { ipv4Fragments, ipv6Fragments } from '../../helpers/fragments.js';
import { ascii, ethernet, ipv4, sampleInvite, udp } from '../../helpers/packet-builder.js';

function run(frames: Uint8Array[], options?: EngineOptions, interfaces?: number[]): TraceEngine {
  const engine = new TraceEngine(options);
  frames.forEach((data, i) => {
    const packet: CapturedPacket = {
      frame: i + 1,
      interfaceId: interfaces?.[i] ?? 0,
      linkType: LinkType.ETHERNET,
      tsSec: 1_700_000_000,
      tsNsec: (i + 1) * 1000,
      capturedLength: data.length,
      originalLength: data.length,
      dataOffset: (i + 1) * 100_000,
      data,
    };
    engine.addPacket(packet);
  });
  engine.finish();
  return engine;
}

/** A VoLTE-sized INVITE: the sample INVITE with P-headers and SDP padding, well over one MTU. */
const bigInvite = (() => {
  const headers = sampleInvite.replace('Content-Length: 0', '').trimEnd().split('\r\n').filter((l) => l !== '');
  const sdp = ['v=0', 'o=- 1 1 IN IP4 192.0.2.1', 's=-', 'c=IN IP4 192.0.2.1', 't=0 0', 'm=audio 49152 RTP/AVP 116 107 97 111 110', ...Array.from({ length: 60 }, (_, i) => `a=fmtp:${96 + (i % 30)} mode-change-capability=2;max-red=0;padding=${'x'.repeat(20)}`), ''].join('\r\n');
  return `${headers.join('\r\n')}\r\nContent-Type: application/sdp\r\nContent-Length: ${sdp.length}\r\n\r\n${sdp}`;
})();

describe('IP fragments through the engine', () => {
  const datagram = udp(ascii(bigInvite), 5060, 5060);

  it('finds a SIP message split over IPv4 fragments in any order, at the frame that completed it', () => {
    expect(bigInvite.length).toBeGreaterThan(3000);
    for (const order of ['in-order', 'reversed', { seed: 7 }, { seed: 99 }] as const) {
      const frames = ipv4Fragments(datagram, { mtu: 1500, order });
      expect(frames.length).toBeGreaterThanOrEqual(3);
      const engine = run(frames);
      expect(engine.index.count, JSON.stringify(order)).toBe(1);
      const m = engine.index.get(0);
      expect(m.method).toBe('INVITE');
      expect(m.size).toBe(bigInvite.length);
      expect(m.frame).toBe(frames.length); // the fragment that completed it: the last to arrive
      expect(m.stack).toBe('eth/ipv4/udp');
      expect(new Set(m.chunks.map((c) => c.frame))).toEqual(new Set(frames.map((_, i) => i + 1)));
      expect(m.chunks.reduce((n, c) => n + c.length, 0)).toBe(bigInvite.length);
      expect(m.diagnostics.filter((d) => d.severity !== 'note')).toEqual([]);
      expect(engine.stats).toMatchObject({ ipFragments: frames.length, ipReassembled: 1, ipIncomplete: 0 });
    }
  });

  it('finds it over IPv6 fragments, with duplicates and overlaps', () => {
    const frames = ipv6Fragments(datagram, { mtu: 1280, order: { seed: 3 }, duplicate: [1], overlap: [{ index: 2, bytes: 16 }] });
    const engine = run(frames);
    expect(engine.index.count).toBe(1);
    expect(engine.index.get(0)).toMatchObject({ method: 'INVITE', size: bigInvite.length, stack: 'eth/ipv6/ipv6-frag/udp' });
  });

  it('keeps and flags a message whose middle fragment was never captured', () => {
    const engine = run(ipv4Fragments(datagram, { mtu: 1500, drop: [1] }));
    expect(engine.index.count).toBe(1);
    const m = engine.index.get(0);
    expect(m.method).toBe('INVITE');
    expect(m.size).toBeLessThan(bigInvite.length);
    expect(m.diagnostics.some((d) => d.severity !== 'note' && /never captured|missing/i.test(d.message))).toBe(true);
    expect(engine.stats.ipIncomplete).toBe(1);
  });

  it('reports a datagram whose first fragment was never captured as a packet problem, not silence', () => {
    const engine = run(ipv4Fragments(datagram, { mtu: 1500, drop: [0] }));
    expect(engine.index.count).toBe(0);
    expect(engine.packetDiagnostics.map((d) => d.diagnostic.message)).toEqual([expect.stringMatching(/first fragment was never captured.*frames 1, 2/)]);
  });
});

describe('copies of one message seen at two capture points', () => {
  const plain = ethernet(0x0800, ipv4(udp(ascii(sampleInvite), 5060, 5060), { src: '10.1.1.1', dst: '10.2.2.2' }));
  const tunnelled = ethernet(0x0800, ipv4(ipv4(udp(ascii(sampleInvite), 5060, 5060), { src: '10.1.1.1', dst: '10.2.2.2' }), { protocol: 4, src: '172.16.0.1', dst: '172.16.0.2' }));

  it('links the copy inside IP-in-IP with the plain one; both stay in the list', () => {
    const engine = run([plain, tunnelled]);
    expect(engine.index.count).toBe(2);
    const [a, b] = [engine.index.get(0), engine.index.get(1)];
    expect(a.copies).toEqual([{ index: 1, frame: 2 }]);
    expect(b.copies).toEqual([{ index: 0, frame: 1 }]);
    expect(b.outer).toEqual([{ layer: 'ipv4', 'ip.src': '172.16.0.1', 'ip.dst': '172.16.0.2' }]);
    expect(a.outer).toEqual([]);
    expect(engine.stats.copies).toBe(1);
  });

  it('links the same datagram captured twice (same IP identification) at one capture point', () => {
    const once = ethernet(0x0800, ipv4(udp(ascii(sampleInvite), 5060, 5060), { src: '10.1.1.1', dst: '10.2.2.2', id: 77 }));
    const engine = run([once, once]);
    expect(engine.index.get(1).copies).toEqual([{ index: 0, frame: 1 }]);
    expect(engine.stats.copies).toBe(1);
  });

  it('links copies on two interfaces of one capture', () => {
    const engine = run([plain, plain], undefined, [0, 1]);
    expect(engine.index.get(1).copies).toEqual([{ index: 0, frame: 1 }]);
  });

  it('does not take a retransmission at the same capture point for a copy', () => {
    // A retransmission is a new datagram: a new IP identification (RFC 791 §3.2).
    const resent = (id: number) => ethernet(0x0800, ipv4(udp(ascii(sampleInvite), 5060, 5060), { src: '10.1.1.1', dst: '10.2.2.2', id }));
    const engine = run([resent(1), resent(2), resent(3)]);
    expect(engine.index.count).toBe(3);
    for (let i = 0; i < 3; i++) expect(engine.index.get(i).copies).toEqual([]);
  });

  it('does not link different messages', () => {
    const other = ethernet(0x0800, ipv4(ipv4(udp(ascii(sampleInvite.replace('CSeq: 314159', 'CSeq: 314160')), 5060, 5060)), { protocol: 4 }));
    const engine = run([plain, other]);
    expect(engine.index.get(1).copies).toEqual([]);
  });
});

describe('decode-as rules', () => {
  it('parses the Wireshark-style text', () => {
    expect(parseDecodeAs('tcp.port==6060,sip')).toEqual({ transport: 'tcp', port: 6060, protocol: 'sip' });
    expect(parseDecodeAs(' UDP.port = 2153 , GTPU ')).toEqual({ transport: 'udp', port: 2153, protocol: 'gtpu' });
  });

  it('says what is wrong with a bad rule', () => {
    expect(parseDecodeAs('tcp:6060=sip')).toEqual({ error: expect.stringContaining('TRANSPORT.port==PORT,PROTOCOL') });
    expect(parseDecodeAs('udp.port==70000,sip')).toEqual({ error: expect.stringContaining('outside 1–65535') });
    expect(parseDecodeAs('udp.port==5060,smtp')).toEqual({ error: expect.stringContaining("unknown protocol 'smtp'") });
    expect(parseDecodeAs('udp.port==5060,websocket')).toEqual({ error: expect.stringContaining('websocket does not run over udp') });
  });

  it("'none' skips a port the user says carries no SIP, and only that port", () => {
    const on5062 = ethernet(0x0800, ipv4(udp(ascii(sampleInvite), 5062, 5062)));
    const on5060 = ethernet(0x0800, ipv4(udp(ascii(sampleInvite), 5060, 5060)));
    expect(run([on5062, on5060]).index.count).toBe(2);
    const rule = parseDecodeAs('udp.port==5062,none');
    if ('error' in rule) throw new Error(rule.error);
    const engine = run([on5062, on5060], { decodeAs: [rule] });
    expect(engine.index.count).toBe(1);
    expect(engine.index.get(0).frame).toBe(2);
  });
});
