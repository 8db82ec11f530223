import { describe, expect, it } from 'vitest';
import type { CapturedPacket } from '../../../src/core/capture/types.js';
import { TraceEngine } from '../../../src/core/engine/trace-engine.js';
import { LinkType } from '../../../src/core/layers/registry.js';
import { ascii, concat, ethernet, ipv4, ipv6, sampleInvite, tcp, udp } from '../../helpers/packet-builder.js';

let frame = 0;

/** Errors and warnings (notes such as "no Max-Forwards" are fine for these hand-made messages). */
function problems(m: { diagnostics: { severity: string; message: string }[] }): string[] {
  return m.diagnostics.filter((d) => d.severity !== 'note').map((d) => d.message);
}
function packet(data: Uint8Array, linkType: number = LinkType.ETHERNET): CapturedPacket {
  frame++;
  return { frame, interfaceId: 0, linkType, tsSec: 1_700_000_000 + frame, tsNsec: 123_456_000, capturedLength: data.length, originalLength: data.length, dataOffset: frame * 10_000, data };
}

function engineWith(...packets: Uint8Array[]): TraceEngine {
  frame = 0;
  const engine = new TraceEngine();
  for (const p of packets) engine.addPacket(packet(p));
  engine.finish();
  return engine;
}

function sipMessage(method: string, cseq: number, body = ''): string {
  return [
    `${method} sip:bob@example.com SIP/2.0`,
    `Via: SIP/2.0/TCP 10.0.0.1:5060;branch=z9hG4bK-${cseq}`,
    'From: <sip:alice@example.com>;tag=a1',
    'To: <sip:bob@example.com>',
    'Call-ID: call-1@example.com',
    `CSeq: ${cseq} ${method}`,
    `Content-Length: ${ascii(body).length}`,
    '',
    body,
  ].join('\r\n');
}

const ok200 = ['SIP/2.0 200 OK', 'Via: SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bK776asdhds', 'To: Bob <sip:bob@example.com>;tag=b2', 'From: Alice <sip:alice@example.com>;tag=1928301774', 'Call-ID: a84b4c76e66710@pc33.example.com', 'CSeq: 314159 INVITE', 'Content-Length: 0', '', ''].join('\r\n');

function tcpPacket(payload: string | Uint8Array, seq: number, flags = 0x18): Uint8Array {
  return ethernet(0x0800, ipv4(tcp(typeof payload === 'string' ? ascii(payload) : payload, { seq, flags, srcPort: 40000, dstPort: 5060 }), { protocol: 6 }));
}

describe('UDP datagrams', () => {
  it('indexes requests and responses with their fields and addresses', () => {
    const engine = engineWith(
      ethernet(0x0800, ipv4(udp(ascii(sampleInvite), 5060, 5080), { src: '192.0.2.1', dst: '192.0.2.2' })),
      ethernet(0x86dd, ipv6(udp(ascii(ok200), 5080, 5060), { src: '2001:db8::2', dst: '2001:db8::1' })),
    );
    expect(engine.index.count).toBe(2);
    const invite = engine.index.get(0);
    expect(invite).toMatchObject({
      frame: 1,
      src: '192.0.2.1:5060',
      dst: '192.0.2.2:5080',
      transport: 'UDP',
      stack: 'eth/ipv4/udp',
      method: 'INVITE',
      callId: 'a84b4c76e66710@pc33.example.com',
      cseq: { seq: 314159, method: 'INVITE' },
      fromTag: '1928301774',
      toTag: '',
      branch: 'z9hG4bK776asdhds',
      size: ascii(sampleInvite).length,
      diagnostics: [],
    });
    expect(invite.chunks).toEqual([{ frame: 1, fileOffset: 10_000 + 42, length: ascii(sampleInvite).length }]);
    expect(engine.index.get(1)).toMatchObject({ frame: 2, src: '[2001:db8::2]:5080', status: 200, reason: 'OK', toTag: 'b2', stack: 'eth/ipv6/udp' });
    expect(engine.stats).toMatchObject({ packets: 2, sipMessages: 2, requests: 1, responses: 1 });
  });

  it('finds SIP on any port and ignores keep-alives and non-SIP payloads', () => {
    const engine = engineWith(
      ethernet(0x0800, ipv4(udp(ascii(sampleInvite), 33333, 44444))),
      ethernet(0x0800, ipv4(udp(ascii('\r\n\r\n')))),
      ethernet(0x0800, ipv4(udp(ascii('hello')))),
      ethernet(0x0800, ipv4(udp(ascii('GET / HTTP/1.1\r\nHost: x\r\n\r\n'), 5060, 80))),
      ethernet(0x0800, ipv4(udp(new Uint8Array(172).fill(0x80), 20000, 20002))),
    );
    expect(engine.index.count).toBe(1);
    expect(engine.index.get(0).frame).toBe(1);
  });

  it('keeps a message cut by the snap length, flagged truncated', () => {
    frame = 0;
    const engine = new TraceEngine();
    const full = ethernet(0x0800, ipv4(udp(ascii(sampleInvite))));
    engine.addPacket({ ...packet(full), capturedLength: 200 });
    engine.finish();
    expect(engine.index.count).toBe(1);
    const m = engine.index.get(0);
    expect(m.method).toBe('INVITE');
    expect(m.diagnostics.map((d) => `${d.kind} ${d.layer}`)).toContain('truncated udp');
  });
});

describe('TCP streams', () => {
  const a = sipMessage('INVITE', 1, 'v=0\r\n');
  const b = sipMessage('BYE', 2);
  const c = sipMessage('OPTIONS', 3);

  it('splits several messages in one segment', () => {
    const engine = engineWith(tcpPacket(a + b + c, 1000));
    expect([...Array(engine.index.count)].map((_, i) => engine.index.get(i).method)).toEqual(['INVITE', 'BYE', 'OPTIONS']);
    expect(engine.index.get(1).chunks).toEqual([{ frame: 1, fileOffset: 10_000 + 54 + ascii(a).length, length: ascii(b).length }]);
  });

  it('joins one message across segments, timed by its last byte, and skips retransmissions', () => {
    const bytes = ascii(a + b);
    const cut1 = 30;
    const cut2 = ascii(a).length - 3;
    const engine = engineWith(
      tcpPacket(bytes.subarray(0, cut1), 1000),
      tcpPacket(bytes.subarray(cut1, cut2), 1000 + cut1),
      tcpPacket(bytes.subarray(cut1, cut2), 1000 + cut1), // retransmission
      tcpPacket(bytes.subarray(cut2), 1000 + cut2),
    );
    expect(engine.index.count).toBe(2);
    const invite = engine.index.get(0);
    expect(invite).toMatchObject({ method: 'INVITE', frame: 4, firstFrame: 1, tsSec: 1_700_000_004 });
    expect(problems(invite)).toEqual([]);
    expect(invite.chunks.map((c) => [c.frame, c.length])).toEqual([[1, cut1], [2, cut2 - cut1], [4, 3]]);
    expect(engine.index.get(1)).toMatchObject({ method: 'BYE', frame: 4 });
    expect(engine.stats.tcpRetransmittedSegments).toBe(1);
  });

  it('handles sequence numbers that wrap around 2^32', () => {
    const bytes = ascii(a);
    const engine = engineWith(tcpPacket(bytes.subarray(0, 20), 0xfffffff6), tcpPacket(bytes.subarray(20), 0x0000000a));
    expect(engine.index.count).toBe(1);
    expect(problems(engine.index.get(0))).toEqual([]);
  });

  it('trims overlapping retransmissions', () => {
    const bytes = ascii(a);
    const engine = engineWith(tcpPacket(bytes.subarray(0, 50), 1000), tcpPacket(bytes.subarray(40), 1040));
    expect(engine.index.count).toBe(1);
    expect(engine.index.get(0).size).toBe(bytes.length);
  });

  it('ignores CRLF keep-alives between messages (RFC 5626)', () => {
    const engine = engineWith(tcpPacket('\r\n\r\n', 1000), tcpPacket(a, 1004), tcpPacket('\r\n', 1004 + ascii(a).length), tcpPacket(b, 1006 + ascii(a).length));
    expect(engine.index.count).toBe(2);
  });

  it('resynchronises on the next start line when the capture starts mid-stream', () => {
    const bytes = ascii(a + b);
    const engine = engineWith(tcpPacket(bytes.subarray(25), 5000));
    expect(engine.index.count).toBe(1);
    expect(engine.index.get(0).method).toBe('BYE');
  });

  it('keeps a message broken by a gap, flagged, and resynchronises after it', () => {
    const bytes = ascii(a);
    const engine = engineWith(tcpPacket(bytes.subarray(0, 40), 1000), tcpPacket(ascii(b), 1000 + bytes.length + 100));
    expect(engine.index.count).toBe(2);
    const broken = engine.index.get(0);
    expect(broken.method).toBe('INVITE');
    expect(broken.diagnostics.map((d) => d.message).join('\n')).toMatch(/missing from the capture/);
    expect(engine.index.get(1).method).toBe('BYE');
    expect(engine.stats.tcpGaps).toBe(1);
  });

  it('reports a message left unfinished at the end of the capture', () => {
    const engine = engineWith(tcpPacket(ascii(a).subarray(0, 60), 1000));
    expect(engine.index.count).toBe(1);
    expect(engine.index.get(0).diagnostics.map((d) => d.message).join('\n')).toMatch(/capture ended before the message was complete/);
  });

  it('starts at a message boundary after SYN', () => {
    const engine = engineWith(tcpPacket(new Uint8Array(0), 999, 0x02), tcpPacket(concat(ascii(a), ascii(b)), 1000));
    expect(engine.index.count).toBe(2);
  });
});
