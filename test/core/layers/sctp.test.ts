import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { encodePcapFile } from '../../../src/core/capture/pcap-writer.js';
import { Transport } from '../../../src/core/layers/packet.js';
import { LinkType } from '../../../src/core/layers/registry.js';
import { isIDataChunk, MAX_SCTP_CHUNKS } from '../../../src/core/layers/sctp.js';
import { ascii, concat, ethernet, ipv4, ipv6, sampleInvite, udp } from '../../helpers/packet-builder.js';
import { dissect, type DissectOptions } from '../../helpers/dissect.js';
import { haveSharedCaptures, sharedCapture } from '../../helpers/paths.js';
import { readPcap } from '../../helpers/read-pcap.js';
import { haveTshark } from '../../helpers/tshark.js';

// ---- SCTP packet builder (RFC 9260 §3; checksums left 0 as tshark does not verify them by default) ----
function be(n: number, bytes: number): number[] {
  const out: number[] = [];
  for (let i = bytes - 1; i >= 0; i--) out.push(Math.floor(n / 2 ** (8 * i)) & 0xff);
  return out;
}
function pad4(chunk: number[]): number[] {
  while (chunk.length % 4) chunk.push(0);
  return chunk;
}
interface DataOptions {
  tsn: number;
  sid?: number;
  ssn?: number;
  ppid?: number;
  b?: boolean;
  e?: boolean;
  u?: boolean;
}
/** DATA chunk (RFC 9260 §3.3.1), padded to 4 bytes. */
function dataChunk(payload: Uint8Array, o: DataOptions): Uint8Array {
  const flags = (o.u ? 4 : 0) | ((o.b ?? true) ? 2 : 0) | ((o.e ?? true) ? 1 : 0);
  return new Uint8Array(pad4([0, flags, ...be(16 + payload.length, 2), ...be(o.tsn, 4), ...be(o.sid ?? 0, 2), ...be(o.ssn ?? 0, 2), ...be(o.ppid ?? 0, 4), ...payload]));
}
/** I-DATA chunk (RFC 8260 §2.1): the last word is the PPID when B is set, else the FSN. */
function iDataChunk(payload: Uint8Array, o: { tsn: number; sid: number; mid: number; ppidOrFsn: number; b: boolean; e: boolean; u?: boolean }): Uint8Array {
  const flags = (o.u ? 4 : 0) | (o.b ? 2 : 0) | (o.e ? 1 : 0);
  return new Uint8Array(pad4([64, flags, ...be(20 + payload.length, 2), ...be(o.tsn, 4), ...be(o.sid, 2), 0, 0, ...be(o.mid, 4), ...be(o.ppidOrFsn, 4), ...payload]));
}
/** SACK chunk (RFC 9260 §3.3.4) with no gap blocks: a non-DATA chunk the decoder walks over. */
function sackChunk(cumulativeTsn: number): Uint8Array {
  return new Uint8Array([3, 0, 0, 16, ...be(cumulativeTsn, 4), ...be(65536, 4), 0, 0, 0, 0]);
}
function sctp(chunks: Uint8Array[], srcPort = 5060, dstPort = 5060, vtag = 0x11223344): Uint8Array {
  return concat(new Uint8Array([...be(srcPort, 2), ...be(dstPort, 2), ...be(vtag, 4), 0, 0, 0, 0]), ...chunks);
}
function frame(sctpPacket: Uint8Array): Uint8Array {
  return ethernet(0x0800, ipv4(sctpPacket, { protocol: 132, src: '192.0.2.10', dst: '192.0.2.20' }));
}

/** The frame dissected, with its SCTP chunks (each with its payload as text). */
function dissectSctp(bytes: Uint8Array, options: DissectOptions = {}) {
  const r = dissect(bytes, options);
  const chunks = r.state.sctpChunks.slice(0, r.state.sctpChunkCount).map((c) => ({ ...c, iData: isIDataChunk(c), text: new TextDecoder().decode(bytes.subarray(c.payloadStart, c.payloadEnd)) }));
  return { ...r, chunks };
}

/** tshark's SIP messages in a crafted capture (Call-ID and CSeq per message), the independent reference. */
function tsharkSip(frames: Uint8Array[]): string[] {
  const dir = mkdtempSync(join(tmpdir(), 'sctp-test-'));
  const file = join(dir, 'crafted.pcap');
  writeFileSync(file, encodePcapFile({ linkType: LinkType.ETHERNET }, frames.map((data, i) => ({ tsSec: 1_700_000_000 + i, data }))));
  const out = spawnSync('tshark', ['-r', file, '-Y', 'sip', '-T', 'fields', '-E', 'occurrence=a', '-e', 'frame.number', '-e', 'sip.Call-ID', '-e', 'sip.CSeq'], { encoding: 'utf8' });
  return out.stdout.split('\n').filter((l) => l !== '');
}

function sipMessage(callId: string, cseq: number, body = ''): Uint8Array {
  return ascii(sampleInvite.replace('a84b4c76e66710@pc33.example.com', callId).replace('CSeq: 314159 INVITE', `CSeq: ${cseq} INVITE`).replace('Content-Length: 0\r\n\r\n', `Content-Length: ${body.length}\r\n\r\n${body}`));
}

describe('SCTP decoder (RFC 9260 §3)', () => {
  it.skipIf(!haveSharedCaptures)('decodes heplify_sip_sctp.pcap frame 1 as tshark does', () => {
    const packets = readPcap(sharedCapture('heplify_sip_sctp.pcap'));
    expect(packets.map((p) => p.linkType)).toEqual([113, 113, 113, 113, 113]);
    const r = dissectSctp(packets[0].data, { linkType: packets[0].linkType });
    // tshark -V: Src Port 57098, Dst Port 5060, Verification tag 0x138d67a4; DATA chunk (unordered, first
    // segment, TSN 43003199, SID 0, SSN 0, PPID 0, payload length 1452 bytes), chunk length 1468.
    expect(r.stack).toBe('sll/ipv4/sctp');
    expect(r.state.transport).toBe(Transport.SCTP);
    expect([r.state.srcPort, r.state.dstPort, r.state.sctpVerificationTag]).toEqual([57098, 5060, 0x138d67a4]);
    expect(r.chunks).toHaveLength(1);
    const c = r.chunks[0];
    expect([c.tsn, c.streamId, c.streamSeq, c.ppid, c.payloadEnd - c.payloadStart]).toEqual([43003199, 0, 0, 0, 1452]);
    expect([c.begin, c.end, c.unordered, c.iData]).toEqual([true, false, true, false]);
    expect([r.state.payloadStart, r.state.payloadEnd]).toEqual([c.payloadStart, c.payloadEnd]);
    expect(c.text.startsWith('INVITE sip:')).toBe(true);
    expect(r.diagnostics).toEqual([]);
    // Frame 3: ordered, complete segment, TSN 3649385352, SSN 40846, payload 365 bytes, padding 3 bytes.
    const r3 = dissectSctp(packets[2].data, { linkType: packets[2].linkType });
    const c3 = r3.chunks[0];
    expect([r3.state.sctpVerificationTag, c3.tsn, c3.streamSeq, c3.payloadEnd - c3.payloadStart, c3.begin, c3.end, c3.unordered]).toEqual([0xf7ab41d3, 3649385352, 40846, 365, true, true, false]);
    expect(c3.text.startsWith('SIP/2.0 100 ')).toBe(true);
    expect(r3.diagnostics).toEqual([]);
  });

  it('walks bundled chunks: SACK, then three DATA chunks of odd lengths with padding', () => {
    const messages = [sipMessage('bundle-1@x', 1, 'a'), sipMessage('bundle-2@x', 2, 'bc'), sipMessage('bundle-3@x', 3, 'def')];
    const packet = frame(sctp([sackChunk(99), ...messages.map((m, i) => dataChunk(m, { tsn: 100 + i, sid: i, ssn: 7, ppid: 0 }))]));
    const r = dissectSctp(packet);
    expect(r.stack).toBe('eth/ipv4/sctp');
    expect(r.diagnostics).toEqual([]);
    expect(r.chunks.map((c) => [c.tsn, c.streamId, c.streamSeq, c.begin, c.end])).toEqual([
      [100, 0, 7, true, true],
      [101, 1, 7, true, true],
      [102, 2, 7, true, true],
    ]);
    expect(r.chunks.map((c) => c.text)).toEqual(messages.map((m) => new TextDecoder().decode(m)));
    expect(r.state.payloadEnd - r.state.payloadStart).toBe(messages[0].length);
    if (haveTshark) expect(tsharkSip([packet])).toEqual(['1\tbundle-1@x,bundle-2@x,bundle-3@x\t1 INVITE,2 INVITE,3 INVITE']);
  });

  it('reads I-DATA chunks: MID, and PPID on the first fragment, FSN on the others (RFC 8260 §2.1)', () => {
    const part = ascii('INVITE sip:x SIP/2.0\r\n');
    const r = dissectSctp(frame(sctp([
      iDataChunk(part, { tsn: 5, sid: 3, mid: 9, ppidOrFsn: 0x2a, b: true, e: false }),
      iDataChunk(part, { tsn: 6, sid: 3, mid: 9, ppidOrFsn: 1, b: false, e: false, u: true }),
    ])));
    expect(r.diagnostics).toEqual([]);
    expect(r.chunks.map((c) => [c.iData, c.tsn, c.streamId, c.streamSeq, c.ppid, c.fragmentSeq, c.begin, c.end, c.unordered, c.text])).toEqual([
      [true, 5, 3, 9, 0x2a, 0, true, false, false, 'INVITE sip:x SIP/2.0\r\n'],
      [true, 6, 3, 9, 0, 1, false, false, true, 'INVITE sip:x SIP/2.0\r\n'],
    ]);
  });

  it('decodes SCTP over UDP on port 9899 (RFC 6951) and IPv6', () => {
    const inner = sctp([dataChunk(ascii(sampleInvite), { tsn: 1 })], 5060, 5061);
    const r = dissectSctp(ethernet(0x86dd, ipv6(udp(inner, 40000, 9899), { src: '2001:db8::1', dst: '2001:db8::2' })));
    expect(r.stack).toBe('eth/ipv6/udp/sctp');
    expect([r.state.transport, r.state.srcPort, r.state.dstPort]).toEqual([Transport.SCTP, 5060, 5061]);
    expect(r.chunks.map((c) => c.text)).toEqual([sampleInvite]);
    const native = dissectSctp(ethernet(0x86dd, ipv6(inner, { nextHeader: 132 })));
    expect(native.stack).toBe('eth/ipv6/sctp');
    expect(native.chunks.map((c) => c.text)).toEqual([sampleInvite]);
    // Not SCTP on 9899 (a chunk length past the datagram): left as a UDP payload.
    const plain = dissectSctp(ethernet(0x0800, ipv4(udp(ascii(sampleInvite), 5060, 9899))));
    expect(plain.stack).toBe('eth/ipv4/udp');
    expect(plain.state.transport).toBe(Transport.UDP);
  });

  it('reports malformed chunk lengths and DATA chunks without user data', () => {
    const base = sctp([]);
    const lengthTwo = dissectSctp(frame(concat(base, new Uint8Array([0, 3, 0, 2]))));
    expect(lengthTwo.diagnostics).toEqual(['malformed sctp: chunk type 0 has length 2, below its 4-byte header']);
    expect(lengthTwo.chunks).toEqual([]);
    const pastEnd = dissectSctp(frame(concat(base, new Uint8Array([0, 3, 0, 40, 0, 0, 0, 1]))));
    expect(pastEnd.diagnostics).toEqual(['malformed sctp: chunk type 0 of 40 bytes runs past the packet end (8 bytes left)']);
    const empty = dissectSctp(frame(concat(base, new Uint8Array([0, 3, 0, 16, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0]))));
    expect(empty.diagnostics).toEqual(['malformed sctp: DATA chunk of 16 bytes carries no user data']);
    expect(empty.state.payloadEnd - empty.state.payloadStart).toBe(0);
    const tooMany = dissectSctp(frame(concat(base, new Uint8Array(4 * (MAX_SCTP_CHUNKS + 1)).map((_, i) => (i % 4 === 3 ? 4 : i % 4 === 0 ? 0x80 : 0)))));
    expect(tooMany.diagnostics).toEqual([`malformed sctp: more than ${MAX_SCTP_CHUNKS} chunks in one packet; the rest is not read`]);
  });

  it('survives truncation at every length: a cut DATA chunk keeps its captured bytes, flagged truncated', () => {
    const packet = frame(sctp([sackChunk(1), dataChunk(ascii(sampleInvite), { tsn: 2 }), dataChunk(ascii('OPTIONS sip:a SIP/2.0\r\n\r\n'), { tsn: 3 })]));
    for (let length = 0; length <= packet.length; length++) {
      const r = dissectSctp(packet, { capturedLength: length });
      for (const c of r.chunks) {
        expect(c.payloadStart).toBeLessThanOrEqual(c.payloadEnd);
        expect(c.payloadEnd).toBeLessThanOrEqual(length);
      }
      if (length < packet.length) {
        expect(r.diagnostics.some((d) => d.startsWith('truncated'))).toBe(true);
        expect(r.diagnostics.some((d) => d.startsWith('malformed') || d.startsWith('decoder-bug'))).toBe(false);
      } else {
        expect(r.diagnostics).toEqual([]);
        expect(r.chunks).toHaveLength(2);
      }
    }
    // Cut in the middle of the first DATA chunk's user data: its captured part, flagged.
    const cutAt = 14 + 20 + 12 + 16 + 16 + 100;
    const cut = dissectSctp(packet, { capturedLength: cutAt });
    expect(cut.chunks.map((c) => c.text)).toEqual([sampleInvite.slice(0, 100)]);
    expect(cut.state.payloadTruncated).toBe(true);
  });

  it('never throws on random bytes after an SCTP common header', () => {
    let seed = 12345;
    const random = () => (seed = (seed * 1103515245 + 12345) >>> 0) >>> 24;
    for (let i = 0; i < 2000; i++) {
      const body = new Uint8Array(random() + (random() & 3)).map(random);
      const packet = frame(sctp([body]));
      const r = dissectSctp(packet);
      expect(r.stack).toBe('eth/ipv4/sctp');
      expect(r.diagnostics.some((d) => d.startsWith('decoder-bug'))).toBe(false);
      for (const c of r.chunks) expect(c.payloadEnd).toBeLessThanOrEqual(packet.length);
    }
  });
});
