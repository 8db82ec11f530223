import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { layerDescribers } from '../../../src/core/layers/dispatch.js';
import { dissectPacket } from '../../../src/core/layers/dissect.js';
import { decodeHep } from '../../../src/core/layers/hep.js';
import { PacketDecodeState, Transport } from '../../../src/core/layers/packet.js';
import { parseSip } from '../../../src/core/sip/parser.js';
import { ascii, concat, ethernet, ipv4, ipv4Bytes, ipv6Bytes, sampleInvite, udp } from '../../helpers/packet-builder.js';
import { decoded, dissect } from '../../helpers/dissect.js';
import { fixtures } from '../../helpers/paths.js';
import { readPcap } from '../../helpers/read-pcap.js';

/**
 * The reference decode of the capture sngrep replayed (test/fixtures/make-hep-fixtures.sh): tshark's
 * frame.time_epoch, ip/ipv6 src/dst, udp ports and length, method, status, Call-ID and CSeq per message.
 */
function reference(tsv: string) {
  return readFileSync(join(fixtures, tsv), 'utf8').split('\n').filter((l) => l !== '').map((line) => {
    const [time, ip4src, ip6src, ip4dst, ip6dst, srcPort, dstPort, udpLength, method, status, callId, cseq] = line.split('\t');
    return { time, src: ip4src || ip6src, dst: ip4dst || ip6dst, srcPort: Number(srcPort), dstPort: Number(dstPort), payloadLength: Number(udpLength) - 8, method, status, callId, cseq };
  });
}

/** Compares every HEP frame of a fixture with the source capture's tshark decode, message by message. */
function checkAgainstSource(hepFile: string, sourceTsv: string, version: 2 | 3, ipVersion: 4 | 6) {
  const packets = readPcap(join(fixtures, hepFile));
  const expected = reference(sourceTsv);
  expect(packets).toHaveLength(expected.length);
  const state = new PacketDecodeState();
  packets.forEach((p, i) => {
    dissectPacket(state, p.linkType, p.data);
    const r = decoded(state);
    const want = expected[i];
    expect(r.stack).toBe(`eth/ipv4/udp/hep${version}`);
    expect(r.diagnostics).toEqual([]);
    expect(state.ipVersion).toBe(ipVersion);
    expect(state.transport).toBe(Transport.UDP);
    expect([r.src, r.dst, state.srcPort, state.dstPort]).toEqual([want.src, want.dst, want.srcPort, want.dstPort]);
    expect(state.payloadEnd - state.payloadStart).toBe(want.payloadLength);
    const sip = parseSip(state.bytes, state.payloadStart, state.payloadEnd);
    expect([sip.method, sip.statusCode ? String(sip.statusCode) : '', sip.callId, `${sip.cseq?.seq} ${sip.cseq?.method}`]).toEqual([want.method, want.status, want.callId, want.cseq]);
    // The agent's capture time is the original packet's time (sngrep sends the pcap record's timestamp).
    const hep = state.hep!;
    expect(`${hep.tsSec}.${String(hep.tsUsec).padStart(6, '0')}000`).toBe(want.time);
    expect(hep.version).toBe(version);
  });
  return state;
}

describe('HEP decoder', () => {
  it('decodes sngrep HEP v3 (IPv4 inside) to the messages, endpoints and times of the replayed capture', () => {
    const state = checkAgainstSource('hep3-udp.pcap', 'hep-source-sample-volte.tshark.tsv', 3, 4);
    // sngrep 1.6 writes the capture id (eep.send.id 2002 = 0x07d2) with htons() into the 32-bit chunk, so
    // on the wire it is 07 d2 00 00; read as the specification's network-order u32 that is 0x07d20000.
    expect(state.hep).toEqual({ version: 3, tsSec: state.hep!.tsSec, tsUsec: state.hep!.tsUsec, captureId: 0x07d20000, protocolType: 1, correlationId: undefined, nodeName: undefined });
  });

  it('decodes sngrep HEP v3 carrying IPv6 endpoints', () => {
    checkAgainstSource('hep3-ipv6-udp.pcap', 'hep-source-sipp-volte-ipv6.tshark.tsv', 3, 6);
  });

  it('decodes sngrep HEP v2 (little-endian time header, capture id 2002)', () => {
    const state = checkAgainstSource('hep2-udp.pcap', 'hep-source-sample-volte.tshark.tsv', 2, 4);
    expect(state.hep?.captureId).toBe(2002);
  });

  it('recognises HEP3 by its magic on any UDP port, unless a decode-as rule says otherwise', () => {
    const hep3 = readPcap(join(fixtures, 'hep3-udp.pcap'))[0].data;
    const moved = hep3.slice();
    moved[14 + 20 + 2] = 0x1b; // destination port 9060 -> 7000
    moved[14 + 20 + 3] = 0x58;
    const r = dissect(moved);
    expect(r.stack).toBe('eth/ipv4/udp/hep3');
    expect(r.payload.startsWith('INVITE tel:+15551')).toBe(true);
    const sipOn7000 = new PacketDecodeState();
    sipOn7000.decodeAs.udp.set(7000, 'sip');
    const forced = dissect(moved, { state: sipOn7000 });
    expect(forced.stack).toBe('eth/ipv4/udp');
    expect(forced.payload.startsWith('HEP3')).toBe(true);
    // HEP v2 has no magic: only on 9060 or by decode-as.
    const hep2 = readPcap(join(fixtures, 'hep2-udp.pcap'))[0].data.slice();
    hep2[14 + 20 + 2] = 0x1b;
    hep2[14 + 20 + 3] = 0x58;
    expect(dissect(hep2).stack).toBe('eth/ipv4/udp');
    const hepOn7000 = new PacketDecodeState();
    hepOn7000.decodeAs.udp.set(7000, 'hep');
    expect(dissect(hep2, { state: hepOn7000 }).stack).toBe('eth/ipv4/udp/hep2');
  });

  it('leaves SIP sent to port 9060 alone', () => {
    const r = dissect(ethernet(0x0800, ipv4(udp(ascii(sampleInvite), 5060, 9060))));
    expect(r.stack).toBe('eth/ipv4/udp');
    expect(r.payload).toBe(sampleInvite);
  });

  it('decodes one HEP packet given alone (as HEP over TCP delivers it) at offset 0', () => {
    const p = readPcap(join(fixtures, 'hep3-udp.pcap'))[1].data;
    const hep = p.subarray(14 + 20 + 8);
    const state = new PacketDecodeState();
    state.reset(hep, hep.length);
    decodeHep(state, 0);
    const r = decoded(state);
    expect(r.stack).toBe('hep3');
    expect([r.src, r.dst, state.srcPort, state.dstPort]).toEqual(['127.0.0.1', '127.0.0.1', 5070, 5060]);
    expect(r.payload.startsWith('SIP/2.0 100 Trying')).toBe(true);
    expect(state.payloadEnd).toBe(hep.length);
  });
});

// ---- crafted HEP3 (sipcapture HEP3 specification: chunk = vendor u16, type u16, length u16 incl. header) ----
function chunk(type: number, data: number[] | Uint8Array, vendor = 0): Uint8Array {
  const d = Array.from(data);
  const length = 6 + d.length;
  return new Uint8Array([vendor >> 8, vendor & 0xff, type >> 8, type & 0xff, length >> 8, length & 0xff, ...d]);
}
function hep3(chunks: Uint8Array[], totalLength?: number): Uint8Array {
  const body = concat(...chunks);
  const total = totalLength ?? 6 + body.length;
  return concat(ascii('HEP3'), new Uint8Array([total >> 8, total & 0xff]), body);
}
const u16be = (n: number) => [n >> 8, n & 0xff];
const u32be = (n: number) => [n >>> 24, (n >> 16) & 0xff, (n >> 8) & 0xff, n & 0xff];
const sip = ascii(sampleInvite);
function ipv6Chunks(): Uint8Array[] {
  return [
    chunk(1, [10]), chunk(2, [6]), chunk(5, ipv6Bytes('2001:db8::a')), chunk(6, ipv6Bytes('2001:db8::b')),
    chunk(7, u16be(5060)), chunk(8, u16be(5061)), chunk(9, u32be(1_700_000_000)), chunk(10, u32be(123456)),
    chunk(11, [1]), chunk(12, u32be(4242)),
  ];
}
function onUdp(hep: Uint8Array, port = 9060): Uint8Array {
  return ethernet(0x0800, ipv4(udp(hep, 40000, port), { src: '10.9.9.1', dst: '10.9.9.2' }));
}

describe('HEP3 chunks (crafted)', () => {
  it('reads IPv6 addresses, TCP, correlation id, node name; skips vendor and auth-key chunks', () => {
    const packet = onUdp(hep3([...ipv6Chunks(), chunk(0x0e, ascii('secret')), chunk(0x0f, [1, 2, 3], 0x1234), chunk(0x11, ascii('call-42')), chunk(0x13, ascii('edge-1')), chunk(0x0f, sip)]));
    const r = dissect(packet);
    expect(r.stack).toBe('eth/ipv4/udp/hep3');
    expect(r.diagnostics).toEqual([]);
    expect([r.src, r.dst, r.state.srcPort, r.state.dstPort, r.state.transport, r.state.ipVersion]).toEqual(['2001:db8::a', '2001:db8::b', 5060, 5061, Transport.TCP, 6]);
    expect(r.payload).toBe(sampleInvite);
    expect(r.state.hep).toEqual({ version: 3, tsSec: 1_700_000_000, tsUsec: 123456, captureId: 4242, protocolType: 1, correlationId: 'call-42', nodeName: 'edge-1' });
    const hepStart = r.state.layerStarts[r.state.stack.indexOf('hep3')];
    expect(layerDescribers.get('hep3')?.(packet, hepStart, packet.length)).toEqual({
      'hep.version': 3, 'hep.capture_id': 4242, 'hep.agent_time': '2023-11-14T22:13:20.123456Z', 'hep.protocol_type': 1, 'hep.correlation_id': 'call-42', 'hep.node_name': 'edge-1',
    });
  });

  it('maps the IP protocol chunk to the transport: 17 UDP, 6 TCP, 132 SCTP, others UDP', () => {
    for (const [proto, transport] of [[17, Transport.UDP], [6, Transport.TCP], [132, Transport.SCTP], [50, Transport.UDP]]) {
      const chunks = ipv6Chunks();
      chunks[1] = chunk(2, [proto]);
      expect(dissect(onUdp(hep3([...chunks, chunk(0x0f, sip)]))).state.transport).toBe(transport);
    }
  });

  it('reports a compressed payload as unsupported and leaves no payload', () => {
    const r = dissect(onUdp(hep3([...ipv6Chunks(), chunk(0x10, [0x1f, 0x8b, 8, 0])])));
    expect(r.stack).toBe('eth/ipv4/udp/hep3');
    expect(r.diagnostics).toEqual(['unsupported hep3: the payload is compressed (chunk 0x10, gzip): not decoded']);
    expect(r.state.payloadEnd - r.state.payloadStart).toBe(0);
    expect(r.state.transport).toBe(Transport.None);
  });

  it('reports malformed packets with a diagnostic and no payload', () => {
    const tooLong = hep3([...ipv6Chunks(), chunk(0x0f, sip)], 60000);
    const cases: [Uint8Array, string][] = [
      [hep3([...ipv6Chunks(), new Uint8Array([0, 0, 0, 0x0f, 0, 3]), chunk(0x0f, sip)]), 'malformed hep3: chunk type 0xf has length 3, below its 6-byte header'],
      // A total length that ends inside the first chunk (7 bytes at offset 6).
      [hep3([...ipv6Chunks(), chunk(0x0f, sip)], 12), 'malformed hep3: chunk type 0x1 of 7 bytes runs past the packet end'],
      [hep3([...ipv6Chunks(), chunk(0x0f, sip)], 3), 'malformed hep3: total length 3 is below the 6-byte header'],
      [tooLong, `malformed hep3: total length 60000 exceeds the ${tooLong.length} bytes of the datagram`],
      [hep3([chunk(7, u16be(5060)), chunk(0x0f, sip)]), 'malformed hep3: no source and destination address chunks'],
      [hep3([chunk(3, ipv4Bytes('10.0.0.1')), chunk(4, [10, 0, 0]), chunk(0x0f, sip)]), 'malformed hep3: chunk type 0x4 has 3 data bytes, expected 4'],
      [hep3([...ipv6Chunks()]), 'malformed hep3: no payload chunk (0x0f)'],
    ];
    for (const [hep, diagnostic] of cases) {
      const r = dissect(onUdp(hep));
      expect(r.stack).toBe('eth/ipv4/udp/hep3');
      expect(r.diagnostics).toContain(diagnostic);
      expect(r.state.payloadEnd - r.state.payloadStart).toBe(0);
    }
  });

  it('survives truncation at every length of a real HEP3 frame: truncated, never malformed', () => {
    const p = readPcap(join(fixtures, 'hep3-udp.pcap'))[2].data;
    const payloadChunk = 14 + 20 + 8 + 6 + 7 + 7 + 8 + 8 + 10 + 10 + 7 + 10 + 10 + 10;
    for (let length = 0; length < p.length; length++) {
      const r = dissect(p, { capturedLength: length });
      expect([length, r.diagnostics.filter((d) => d.startsWith('malformed') || d.startsWith('decoder-bug'))]).toEqual([length, []]);
      expect(r.state.payloadEnd).toBeLessThanOrEqual(length);
      if (length > payloadChunk + 6) {
        expect(r.state.payloadTruncated).toBe(true);
        expect(r.state.payloadStart).toBe(payloadChunk + 6);
        expect(r.state.payloadEnd).toBe(length);
      }
    }
  });

  it('never throws on random chunk bytes after the magic', () => {
    let seed = 99;
    const random = () => (seed = (seed * 1103515245 + 12345) >>> 0) >>> 24;
    for (let i = 0; i < 2000; i++) {
      const body = new Uint8Array(random() * 2).map(random);
      const packet = onUdp(hep3([body], random() < 128 ? undefined : random() * 4));
      const r = dissect(packet);
      expect(r.stack.startsWith('eth/ipv4/udp/hep3')).toBe(true);
      expect(r.diagnostics.some((d) => d.startsWith('decoder-bug'))).toBe(false);
      expect(r.state.payloadEnd).toBeLessThanOrEqual(packet.length);
    }
  });
});

describe('HEP v1/v2 (crafted, Kamailio sipcapture layout)', () => {
  it('decodes HEP v2 with IPv6 addresses and a little-endian time header', () => {
    const header = [2, 0, 10, 17, ...u16be(5062), ...u16be(5063), ...ipv6Bytes('2001:db8::1'), ...ipv6Bytes('2001:db8::2'),
      0x00, 0xf1, 0x53, 0x65, 0x40, 0xe2, 0x01, 0x00, 0x39, 0x05, 0, 0];
    const r = dissect(onUdp(concat(new Uint8Array(header), sip)));
    expect(r.stack).toBe('eth/ipv4/udp/hep2');
    expect([r.src, r.dst, r.state.srcPort, r.state.dstPort]).toEqual(['2001:db8::1', '2001:db8::2', 5062, 5063]);
    expect(r.state.hep).toEqual({ version: 2, tsSec: 0x6553f100, tsUsec: 123456, captureId: 1337, protocolType: undefined, correlationId: undefined, nodeName: undefined });
    expect(r.payload).toBe(sampleInvite);
  });

  it('decodes HEP v1 (no time header) with a note', () => {
    const r = dissect(onUdp(concat(new Uint8Array([1, 16, 2, 6, ...u16be(5060), ...u16be(5060), ...ipv4Bytes('192.0.2.1'), ...ipv4Bytes('192.0.2.2')]), sip)));
    expect(r.stack).toBe('eth/ipv4/udp/hep2');
    expect([r.src, r.dst, r.state.transport]).toEqual(['192.0.2.1', '192.0.2.2', Transport.TCP]);
    expect(r.payload).toBe(sampleInvite);
    expect(r.diagnostics).toEqual(['note hep2: HEP v1: no capture time or capture id in the header']);
  });

  it('reports a HEP v2 header longer than the datagram as malformed', () => {
    const r = dissect(onUdp(new Uint8Array([2, 0, 10, 17, 0, 1, 0, 2, 1, 2, 3])));
    expect(r.diagnostics).toEqual(['malformed hep2: HEP v2 header needs 52 bytes, 11 available']);
    expect(r.state.payloadEnd - r.state.payloadStart).toBe(0);
  });
});
