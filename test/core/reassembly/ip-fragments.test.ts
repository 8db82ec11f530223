/**
 * IP fragment reassembly on real SIP bytes. References, independent of our own output:
 *  - the datagram before it was fragmented (reassembly must give back exactly those bytes);
 *  - tshark (`-2`, which reassembles IPv4 and IPv6 by default) on the shared captures with real fragments
 *    (`gprshome_sip.pcap`: IPv4, `sngrep_ipv6frag.pcap`: IPv6 over Linux cooked capture) and on the frames
 *    our fragment helpers build;
 *  - RFC 791 §3.2 / RFC 8200 §4.5 arithmetic for the missing ranges (fragment data sizes from the MTU).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { PcapReader } from '../../../src/core/capture/pcap.js';
import type { CapturedPacket } from '../../../src/core/capture/types.js';
import { dissectPacket } from '../../../src/core/layers/dissect.js';
import { PacketDecodeState } from '../../../src/core/layers/packet.js';
import { LinkType } from '../../../src/core/layers/registry.js';
import { IpFragmentTable, type IpFragmentOptions, type ReassembledDatagram } from '../../../src/core/reassembly/ip-fragments.js';
import type { TimedChunk } from '../../../src/core/stream/chunks.js';
import { fragmentDataSize, framesToPcap, ipv4Fragments, ipv6Fragments, planFragments, type FragmentOptions } from '../../helpers/fragments.js';
import { seededPermutation } from '../../helpers/random.js';
import { ascii, sampleInvite } from '../../helpers/packet-builder.js';
import { haveSharedCaptures, repoRoot, sharedCapture } from '../../helpers/paths.js';

// ---------------------------------------------------------------------------------------------------------
// Reading captures and feeding the table the way the engine will: dissect, and for every fragment build the
// key from the decoder state and pass the fragment's data range.

function readPcap(bytes: Uint8Array): CapturedPacket[] {
  const packets: CapturedPacket[] = [];
  const reader = new PcapReader({ packet: (p) => packets.push({ ...p, data: p.data.slice() }), diagnostic: () => {} });
  reader.push(bytes);
  reader.end();
  return packets;
}

/** Frames as the packets of a pcap written by `framesToPcap` (file offsets and times as in that file). */
function packetsOf(frames: Uint8Array[], stepSec = 0.001): { packets: CapturedPacket[]; file: Uint8Array } {
  const file = framesToPcap(frames, 1_700_000_000, stepSec);
  return { packets: readPcap(file), file };
}

interface Ctx {
  frame: number;
  stack: string;
}

const hex = (b: Uint8Array) => Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');

function fragmentKey(s: PacketDecodeState): string {
  const n = s.ipVersion === 4 ? 4 : 16;
  return `${s.ipVersion}|${hex(s.bytes.subarray(s.srcAddrOffset, s.srcAddrOffset + n))}|${hex(s.bytes.subarray(s.dstAddrOffset, s.dstAddrOffset + n))}|${s.fragmentId}|${s.fragmentProtocol}`;
}

interface Fed {
  table: IpFragmentTable<Ctx>;
  out: ReassembledDatagram<Ctx>[];
  /** For each emitted datagram, the frame being fed when it was emitted (0: at finish). */
  emittedAt: number[];
  fragmentFrames: number[];
}

function feed(packets: CapturedPacket[], options?: IpFragmentOptions, finish = true): Fed {
  const out: ReassembledDatagram<Ctx>[] = [];
  const emittedAt: number[] = [];
  let current = 0;
  const table = new IpFragmentTable<Ctx>((d) => {
    out.push(d);
    emittedAt.push(current);
  }, options);
  const state = new PacketDecodeState();
  const fragmentFrames: number[] = [];
  for (const p of packets) {
    current = p.frame;
    dissectPacket(state, p.linkType, p.data, p.capturedLength);
    if (!state.ipFragment) continue;
    fragmentFrames.push(p.frame);
    const chunk: TimedChunk = {
      frame: p.frame,
      fileOffset: p.dataOffset + state.fragmentPayloadStart,
      length: state.fragmentPayloadEnd - state.fragmentPayloadStart,
      tsSec: p.tsSec,
      tsNsec: p.tsNsec,
    };
    // The fragment's data length on the wire, from its IP header (differs from the captured range only when
    // the snap length cut the packet): IPv4 total length minus the header; IPv6 payload length minus the
    // extension headers up to and including the Fragment header.
    const ip = state.layerStarts[state.fragmentLayer];
    const headerBytes = state.fragmentPayloadStart - ip;
    const b = state.bytes;
    const wireLength = state.ipVersion === 4 ? ((b[ip + 2] << 8) | b[ip + 3]) - headerBytes : ((b[ip + 4] << 8) | b[ip + 5]) + 40 - headerBytes;
    table.add(
      fragmentKey(state), state.ipVersion === 6 ? 6 : 4, state.fragmentOffset * 8, state.moreFragments,
      state.bytes, state.fragmentPayloadStart, state.fragmentPayloadEnd, chunk,
      { frame: p.frame, stack: state.stack.slice(0, state.fragmentLayer + 1).join('/') },
      p.tsSec + p.tsNsec / 1e9, wireLength,
    );
  }
  current = 0;
  if (finish) table.finish();
  return { table, out, emittedAt, fragmentFrames };
}

/** Every chunk points at the file bytes it came from, and together they spell the payload. */
function expectChunksMatchFile(d: ReassembledDatagram<Ctx>, file: Uint8Array): void {
  let at = 0;
  for (const c of d.chunks) {
    expect(hex(file.subarray(c.fileOffset, c.fileOffset + c.length))).toBe(hex(d.payload.subarray(at, at + c.length)));
    at += c.length;
  }
  expect(at).toBe(d.payload.length);
}

function messages(d: ReassembledDatagram<Ctx>): string[] {
  return d.diagnostics.map((x) => `${x.kind} ${x.layer}: ${x.message}`);
}

/** The UDP header of a reassembled datagram agrees with its length; returns the SIP text it carries. */
function udpSip(payload: Uint8Array): string {
  expect(payload.length).toBeGreaterThan(8);
  expect((payload[4] << 8) | payload[5]).toBe(payload.length);
  return new TextDecoder().decode(payload.subarray(8));
}

function header(sip: string, name: string): string {
  return new RegExp(`^${name}:\\s*(.*?)\\r?$`, 'mi').exec(sip)?.[1] ?? '';
}

// ---------------------------------------------------------------------------------------------------------
// tshark as the independent reassembler.

let tsharkAvailable = true;
try {
  execFileSync('tshark', ['-v'], { stdio: 'ignore' });
} catch {
  tsharkAvailable = false;
}
const tmp = mkdtempSync(join(tmpdir(), 'sipscope-frag-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function tshark(file: string, filter: string, fields: string[]): string[][] {
  const out = execFileSync('tshark', ['-2', '-r', file, '-Y', filter, '-T', 'fields', '-E', 'separator=/t', ...fields.flatMap((f) => ['-e', f])], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  return out.split('\n').filter((l) => l !== '').map((l) => l.split('\t'));
}

// ---------------------------------------------------------------------------------------------------------
// Real SIP: the VoLTE INVITE of resources/sample-volte.pcap frame 1 (2053 bytes of SIP with SDP, 2061 bytes of
// UDP; tshark shows it as frame 1, udp.length 2061).

const volte = readPcap(new Uint8Array(readFileSync(join(repoRoot, 'resources/sample-volte.pcap'))));
/** Ethernet(14) + IPv4(20, checked below) → the UDP datagram. */
const inviteUdp = volte[0].data.slice(14 + 20);
const inviteText = new TextDecoder().decode(inviteUdp.subarray(8));

describe('the test input', () => {
  it('is the real VoLTE INVITE, larger than an Ethernet MTU', () => {
    expect(volte[0].data[14]).toBe(0x45);
    expect(inviteUdp.length).toBe(2061);
    expect(inviteText.startsWith('INVITE tel:+15551;phone-context=ims.mnc001.mcc001.3gppnetwork.org SIP/2.0\r\n')).toBe(true);
    expect(header(inviteText, 'Content-Type')).toBe('application/sdp');
  });
});

const v4 = (o: FragmentOptions = {}) => ipv4Fragments(inviteUdp, { src: '10.1.1.1', dst: '10.2.2.2', id: 0x4321, ...o });
const v6 = (o: FragmentOptions = {}) => ipv6Fragments(inviteUdp, { src: '2001:db8:1::1', dst: '2001:db8:2::2', id: 0xdeadbeef, ...o });
const builders = [
  ['IPv4', v4, 4, 'eth/ipv4'],
  ['IPv6', v6, 6, 'eth/ipv6'],
] as const;

describe('the decoder state feeds the table', () => {
  for (const [name, build, version, stack] of builders) {
    it(`${name}: every fragment's offset, flag, data range, protocol and layer come from the decoder`, () => {
      const mtu = 576;
      const size = fragmentDataSize(version, mtu);
      const specs = planFragments(inviteUdp, size);
      const frames = build({ mtu });
      expect(frames.length).toBe(Math.ceil(2061 / size));
      const state = new PacketDecodeState();
      frames.forEach((frame, i) => {
        dissectPacket(state, LinkType.ETHERNET, frame);
        expect(state.ipFragment).toBe(true);
        expect(state.ipVersion).toBe(version);
        expect(state.fragmentOffset * 8).toBe(specs[i].offset);
        expect(state.moreFragments).toBe(specs[i].more);
        expect(state.fragmentProtocol).toBe(17);
        expect(state.fragmentId).toBe(version === 4 ? 0x4321 : 0xdeadbeef);
        expect(state.stack.slice(0, state.fragmentLayer + 1).join('/')).toBe(stack);
        expect(hex(state.bytes.subarray(state.fragmentPayloadStart, state.fragmentPayloadEnd))).toBe(hex(specs[i].data));
        // Decoding stops at every fragment, the first included: no transport was decoded.
        expect(state.payloadEnd).toBe(0);
      });
    });
  }
});

describe('reassembly of a real INVITE', () => {
  for (const [name, build, version, stack] of builders) {
    describe(name, () => {
      it('in order, at several MTUs: gives back the datagram the moment its last fragment arrives', () => {
        for (const mtu of [1500, 1280, 576, 68 + (version === 6 ? 48 : 0)]) {
          const frames = build({ mtu });
          const { packets, file } = packetsOf(frames);
          const r = feed(packets);
          expect(r.out.length).toBe(1);
          const d = r.out[0];
          expect(d.complete).toBe(true);
          expect(d.version).toBe(version);
          expect(hex(d.payload)).toBe(hex(inviteUdp));
          expect(d.totalLength).toBe(2061);
          expect(d.evicted).toBeUndefined();
          expect(d.context).toEqual({ frame: 1, stack });
          expect(d.frames).toEqual(frames.map((_, i) => i + 1));
          expect(r.emittedAt).toEqual([frames.length]);
          expect(d.diagnostics).toEqual([]);
          expect(r.table.pending).toBe(0);
          expect(r.table.stats.bufferedBytes).toBe(0);
          expect(udpSip(d.payload)).toBe(inviteText);
          expectChunksMatchFile(d, file);
          expect(d.chunks.map((c) => c.frame)).toEqual(d.frames);
        }
      });

      it('reversed and in 40 seeded random orders: same bytes, context from the offset-0 fragment wherever it comes', () => {
        const mtu = 256; // many fragments
        const n = Math.ceil(2061 / fragmentDataSize(version, mtu));
        expect(n).toBeGreaterThanOrEqual(9);
        const orders: number[][] = [Array.from({ length: n }, (_, i) => n - 1 - i)];
        for (let seed = 1; seed <= 40; seed++) orders.push(seededPermutation(n, seed));
        for (const order of orders) {
          const { packets, file } = packetsOf(build({ mtu, order }));
          const r = feed(packets);
          expect(r.out.length).toBe(1);
          const d = r.out[0];
          expect(d.complete).toBe(true);
          expect(hex(d.payload)).toBe(hex(inviteUdp));
          expect(d.context?.frame).toBe(order.indexOf(0) + 1);
          expect(d.frames).toEqual(order.map((_, i) => i + 1));
          expect(r.emittedAt).toEqual([n]);
          expect(d.diagnostics).toEqual([]);
          expectChunksMatchFile(d, file);
          // Chunks are in datagram order: frame of fragment k is where k was sent.
          expect(d.chunks.map((c) => c.frame)).toEqual(Array.from({ length: n }, (_, k) => order.indexOf(k) + 1));
        }
      });

      it('45 fragments: each stored once, nothing left buffered', () => {
        const size = 48; // smallest useful fragment: 2061 bytes in 43 pieces
        const mtu = version === 4 ? 20 + size : 48 + size;
        const frames = build({ mtu, order: { seed: 7 } });
        expect(frames.length).toBe(43);
        const r = feed(packetsOf(frames).packets);
        expect(hex(r.out[0].payload)).toBe(hex(inviteUdp));
        expect(r.table.stats.peakBufferedBytes).toBe(2061);
        expect(r.table.stats.fragments).toBe(43);
        expect(r.table.stats.reassembled).toBe(1);
      });

      it('duplicated fragments: noted, frames listed, bytes unchanged', () => {
        const frames = build({ mtu: 576, duplicate: [0, 2], order: [2, 1, 0, 3] });
        // Sent: 2, 2(dup), 1, 0, 0(dup), 3.
        expect(frames.length).toBe(6);
        const r = feed(packetsOf(frames).packets);
        expect(r.out.length).toBe(1);
        const d = r.out[0];
        expect(r.emittedAt).toEqual([6]);
        expect(hex(d.payload)).toBe(hex(inviteUdp));
        expect(d.frames).toEqual([1, 2, 3, 4, 5, 6]);
        const size = fragmentDataSize(version, 576);
        expect(messages(d)).toEqual([
          `note ipv${version}: duplicate fragment in frame 2: bytes ${2 * size}–${3 * size - 1} were already received in frame 1`,
          `note ipv${version}: duplicate fragment in frame 5: bytes 0–${size - 1} were already received in frame 4`,
        ]);
        expect(r.table.stats.duplicates).toBe(2);
        expect(r.table.stats.overlaps).toBe(0);
        expect(d.context?.frame).toBe(4);
      });

      it('an overlap with the same bytes: noted (and, for IPv6, that RFC 5722 receivers would drop it)', () => {
        const size = fragmentDataSize(version, 576);
        const r = feed(packetsOf(build({ mtu: 576, overlap: [{ index: 2, bytes: 16 }] })).packets);
        const d = r.out[0];
        expect(d.complete).toBe(true);
        expect(hex(d.payload)).toBe(hex(inviteUdp));
        const v6 = version === 6 ? '; an RFC 5722 receiver discards the whole datagram' : '';
        expect(messages(d)).toEqual([`note ipv${version}: fragment in frame 3 overlaps bytes ${2 * size - 16}–${2 * size - 1} received in frame 2, with identical content${v6}`]);
        expect(r.table.stats.overlaps).toBe(1);
        expect(r.table.stats.conflictingOverlaps).toBe(0);
      });

      it('an overlap with different bytes: malformed, and the first-received bytes win', () => {
        const size = fragmentDataSize(version, 576);
        const v6 = version === 6 ? '; an RFC 5722 receiver discards the whole datagram' : '';
        const overlap = [{ index: 2, bytes: 16, differ: true }];
        // In order: fragment 1 brought the true bytes first.
        const inOrder = feed(packetsOf(build({ mtu: 576, overlap })).packets).out[0];
        expect(hex(inOrder.payload)).toBe(hex(inviteUdp));
        expect(messages(inOrder)).toEqual([
          `malformed ipv${version}: fragment in frame 3 overlaps bytes ${2 * size - 16}–${2 * size - 1} received in frame 2 with different content (16 bytes differ); the first-received bytes are kept${v6}`,
        ]);
        // Reversed: the altered copy arrived first and is kept.
        const reversed = feed(packetsOf(build({ mtu: 576, overlap, order: 'reversed' })).packets);
        const d = reversed.out[0];
        const expected = inviteUdp.slice();
        for (let i = 2 * size - 16; i < 2 * size; i++) expected[i] ^= 0x01;
        expect(hex(d.payload)).toBe(hex(expected));
        expect(d.complete).toBe(true);
        expect(messages(d)[0]).toMatch(new RegExp(`^malformed ipv${version}: fragment in frame 3 overlaps bytes ${2 * size - 16}–${2 * size - 1} received in frame 2 with different content \\(16 bytes differ\\)`));
        expect(reversed.table.stats.conflictingOverlaps).toBe(1);
      });

      it('a missing middle fragment: kept, emitted at the end of the capture with the prefix and the hole named', () => {
        const size = fragmentDataSize(version, 576);
        const r = feed(packetsOf(build({ mtu: 576, drop: [1] })).packets, undefined, false);
        expect(r.out).toEqual([]);
        expect(r.table.pending).toBe(1);
        r.table.finish();
        expect(r.out.length).toBe(1);
        const d = r.out[0];
        expect(d.complete).toBe(false);
        expect(d.evicted).toBe('end-of-capture');
        expect(d.totalLength).toBe(2061);
        expect(d.context?.frame).toBe(1);
        expect(hex(d.payload)).toBe(hex(inviteUdp.subarray(0, size)));
        expect(d.chunks.map((c) => c.frame)).toEqual([1]);
        expect(messages(d)).toEqual([
          `truncated ipv${version}: incomplete datagram of 2061 bytes: the capture ended before all its fragments were seen; ${2061 - size} bytes captured in 3 frame(s)`,
          `truncated ipv${version}: bytes ${size}–${2 * size - 1} of the datagram were never captured`,
        ]);
        expect(r.table.stats.incomplete).toBe(1);
        expect(r.table.stats.bufferedBytes).toBe(0);
      });

      it('fragments cut by the snap length: reported missing (truncated) as soon as every fragment was seen', () => {
        const size = fragmentDataSize(version, 576);
        const headers = 14 + (version === 4 ? 20 : 48);
        for (const [cutIndex, order] of [[1, 'in-order'], [3, 'in-order'], [1, 'reversed']] as const) {
          const { packets } = packetsOf(build({ mtu: 576, order }));
          const p = packets.find((x) => x.frame === (order === 'in-order' ? cutIndex + 1 : 4 - cutIndex))!;
          p.capturedLength = headers + 100;
          p.data = p.data.subarray(0, p.capturedLength);
          const r = feed(packets, undefined, false);
          expect(r.out.length).toBe(1);
          expect(r.emittedAt).toEqual([4]);
          const d = r.out[0];
          expect(d.complete).toBe(false);
          expect(d.evicted).toBe('snap-length');
          expect(d.totalLength).toBe(2061); // from the headers, even when the last fragment is the one cut
          const hole = [cutIndex * size + 100, Math.min(2061, (cutIndex + 1) * size)];
          expect(hex(d.payload)).toBe(hex(inviteUdp.subarray(0, hole[0])));
          expect(messages(d)).toEqual([
            `truncated ipv${version}: incomplete datagram of 2061 bytes: the capture cut fragments short (snap length), so it can never be whole; ${2061 - (hole[1] - hole[0])} bytes captured in 4 frame(s)`,
            `truncated ipv${version}: bytes ${hole[0]}–${hole[1] - 1} of the datagram were never captured`,
          ]);
        }
      });

      it('a missing first fragment: no context, empty payload, bytes from 0 named', () => {
        const size = fragmentDataSize(version, 576);
        const d = feed(packetsOf(build({ mtu: 576, drop: [0] })).packets).out[0];
        expect(d.complete).toBe(false);
        expect(d.context).toBeUndefined();
        expect(d.payload.length).toBe(0);
        expect(d.chunks).toEqual([]);
        expect(messages(d)[1]).toBe(`truncated ipv${version}: bytes 0–${size - 1} of the datagram were never captured`);
      });

      it('a missing last fragment: length unknown, said so', () => {
        const size = fragmentDataSize(version, 576);
        const n = Math.ceil(2061 / size);
        const d = feed(packetsOf(build({ mtu: 576, drop: [n - 1] })).packets).out[0];
        expect(d.complete).toBe(false);
        expect(d.totalLength).toBeUndefined();
        expect(hex(d.payload)).toBe(hex(inviteUdp.subarray(0, (n - 1) * size)));
        expect(messages(d)).toEqual([
          `truncated ipv${version}: incomplete datagram of unknown length: the capture ended before all its fragments were seen; ${(n - 1) * size} bytes captured in ${n - 1} frame(s)`,
          `truncated ipv${version}: bytes from ${(n - 1) * size} on were never captured (nor the last fragment, which gives the datagram's length)`,
        ]);
      });
    });
  }
});

describe('bounded table', () => {
  const size = fragmentDataSize(4, 576);
  /** Frames of datagram `id` (IPv4, MTU 576: 4 fragments). */
  const dgram = (id: number, o: FragmentOptions = {}) => v4({ mtu: 576, id, ...o });

  it('times out in capture time, like ipfrag_time: 30 s after the first fragment', () => {
    const [f0, f1, f2, f3] = dgram(1);
    // Fragments 0-1 at t=0 and 1 s; fragment 2 at 31 s: the datagram expired before it (31 > 30).
    const packets = readPcap(framesToPcap([f0, f1, f2, f3], 1_700_000_000, 0));
    packets[1].tsSec += 1;
    packets[2].tsSec += 31;
    packets[3].tsSec += 31;
    const r = feed(packets, undefined, false);
    expect(r.out.length).toBe(1);
    expect(r.emittedAt).toEqual([3]);
    const d = r.out[0];
    expect(d.evicted).toBe('timeout');
    expect(d.frames).toEqual([1, 2]);
    expect(hex(d.payload)).toBe(hex(inviteUdp.subarray(0, 2 * size)));
    expect(messages(d)[0]).toBe(`truncated ipv4: incomplete datagram of unknown length: no fragment completed it within 30 s (capture time) of its first one; ${2 * size} bytes captured in 2 frame(s)`);
    expect(r.table.stats.evictedTimeout).toBe(1);
    // Fragments 2-3 started a new datagram, reported at the end of the capture without its first bytes.
    r.table.finish();
    expect(r.out.length).toBe(2);
    expect(r.out[1].frames).toEqual([3, 4]);
    expect(r.out[1].context).toBeUndefined();
    expect(r.out[1].evicted).toBe('end-of-capture');
  });

  it('does not time out at exactly the limit, and a custom timeout applies; expire() works without a fragment', () => {
    const [f0, f1, f2, f3] = dgram(1);
    const packets = readPcap(framesToPcap([f0, f1, f2, f3], 1_700_000_000, 10));
    // 0, 10, 20, 30 s: within 30 s of the first fragment.
    expect(feed(packets).out[0].complete).toBe(true);
    const short = feed(packets, { timeoutSec: 15 }, false);
    expect(short.out.map((d) => [d.evicted, d.frames])).toEqual([['timeout', [1, 2]]]);
    short.table.expire(1_700_000_000 + 20 + 15.5);
    expect(short.out.map((d) => [d.evicted, d.frames])).toEqual([['timeout', [1, 2]], ['timeout', [3, 4]]]);
    expect(short.table.pending).toBe(0);
  });

  it('evicts the oldest datagram when the table is full', () => {
    const a = dgram(1);
    const b = dgram(2);
    const c = dgram(3);
    // First fragments of 1, 2, 3 with room for two: datagram 1 goes at the third frame; 2 and 3 complete.
    const frames = [a[0], b[0], c[0], b[1], b[2], b[3], c[1], c[2], c[3]];
    const r = feed(packetsOf(frames).packets, { maxDatagrams: 2 });
    expect(r.out.map((d) => [d.complete, d.evicted, d.frames])).toEqual([
      [false, 'table-full', [1]],
      [true, undefined, [2, 4, 5, 6]],
      [true, undefined, [3, 7, 8, 9]],
    ]);
    expect(r.emittedAt).toEqual([3, 6, 9]);
    expect(messages(r.out[0])[0]).toBe(`truncated ipv4: incomplete datagram of unknown length: more than 2 datagrams were waiting for fragments and it was the oldest; ${size} bytes captured in 1 frame(s)`);
    expect(r.table.stats.evictedTableFull).toBe(1);
  });

  it('evicts the oldest datagrams when the buffered bytes exceed the limit', () => {
    const a = dgram(1);
    const b = dgram(2);
    // Limit: three fragments' worth, each charged its data plus 104 bytes of bookkeeping (a piece and a
    // frame number). Datagram 1 holds 2 fragments, datagram 2 brings a third and a fourth.
    const limit = 3 * (size + 104);
    const r = feed(packetsOf([a[0], a[1], b[0], b[1], b[2], b[3]]).packets, { maxBufferedBytes: limit });
    expect(r.out.map((d) => [d.complete, d.evicted, d.frames])).toEqual([
      [false, 'buffer-full', [1, 2]],
      [true, undefined, [3, 4, 5, 6]],
    ]);
    expect(messages(r.out[0])[0]).toContain(`the fragments waiting for reassembly exceeded ${limit} bytes`);
    expect(r.table.stats.evictedBufferFull).toBe(1);
    expect(r.table.stats.peakBufferedBytes).toBe(4 * size); // a0 a1 b0 b1 held at once, then datagram 1 went
    expect(r.table.stats.bufferedBytes).toBe(0);
  });

  it('a flood of tiny fragments is bounded by the buffer limit, bookkeeping included', () => {
    const out: ReassembledDatagram<undefined>[] = [];
    const t = new IpFragmentTable<undefined>((d) => out.push(d), { maxBufferedBytes: 1024 * 1024 });
    const zeros = new Uint8Array(8);
    // 2000 datagrams of 60 eight-byte fragments each, never finished: 120000 pieces of 8 bytes.
    for (let id = 0; id < 2000; id++) {
      for (let k = 0; k < 60; k++) t.add(`d${id}`, 4, k * 8, true, zeros, 0, 8, { frame: id * 60 + k + 1, fileOffset: 0, length: 8, tsSec: 0, tsNsec: 0 }, undefined, 0);
    }
    // Each fragment costs 8 + 96 + 8 = 112 bytes: about 9362 fit in 1 MiB, i.e. 156 datagrams of 60.
    expect(t.pending).toBeLessThanOrEqual(157);
    expect(t.stats.bufferedBytes).toBeLessThanOrEqual(Math.ceil((1024 * 1024) / 112) * 8);
    expect(t.stats.evictedBufferFull).toBe(2000 - t.pending);
    expect(out.every((d) => !d.complete && d.evicted === 'buffer-full')).toBe(true);
  });

  it('a flood of duplicates keeps 32 diagnostics and counts the rest', () => {
    const out: ReassembledDatagram<undefined>[] = [];
    const t = new IpFragmentTable<undefined>((d) => out.push(d));
    const data = ascii(sampleInvite);
    for (let frame = 1; frame <= 1000; frame++) t.add('k', 4, 0, true, data, 0, 64, { frame, fileOffset: 0, length: 64, tsSec: 0, tsNsec: 0 }, undefined, 0);
    t.add('k', 4, 64, false, data, 64, 80, { frame: 1001, fileOffset: 0, length: 16, tsSec: 0, tsNsec: 0 }, undefined, 0);
    expect(out.length).toBe(1);
    expect(out[0].complete).toBe(true);
    expect(new TextDecoder().decode(out[0].payload)).toBe(sampleInvite.slice(0, 80));
    expect(out[0].diagnostics.length).toBe(33);
    expect(out[0].diagnostics[32].message).toBe('967 more fragment diagnostic(s) not listed');
    expect(t.stats.duplicates).toBe(999);
    expect(out[0].frames.length).toBe(1001);
  });

  it('keeps datagrams apart by key: interleaved IPv4 and IPv6 datagrams with the same id', () => {
    const a = v4({ mtu: 576, id: 7 });
    const b = v6({ mtu: 576, id: 7, order: 'reversed' });
    const frames = a.flatMap((f, i) => [f, b[i]]);
    const r = feed(packetsOf(frames).packets);
    expect(r.out.map((d) => [d.version, d.complete, hex(d.payload) === hex(inviteUdp)])).toEqual([
      [4, true, true],
      [6, true, true],
    ]);
  });
});

describe('malformed fragment sets (direct table calls)', () => {
  const chunk = (frame: number, length: number): TimedChunk => ({ frame, fileOffset: frame * 1000, length, tsSec: 0, tsNsec: 0 });
  const data = ascii(sampleInvite);
  function table(options?: IpFragmentOptions) {
    const out: ReassembledDatagram<string>[] = [];
    const t = new IpFragmentTable<string>((d) => out.push(d), options);
    const add = (frame: number, offset: number, length: number, more: boolean, version: 4 | 6 = 4, bytes = data) =>
      t.add('k', version, offset, more, bytes, offset, offset + length, chunk(frame, length), `ctx${frame}`, 0);
    return { t, out, add };
  }
  const diag = (d: ReassembledDatagram<string>) => d.diagnostics.map((x) => `${x.kind}: ${x.message}`);

  it('bytes received before the last fragment but beyond its end are trimmed, the datagram still completes', () => {
    const { out, add } = table();
    add(1, 0, 96, true);
    add(2, 160, 48, true); // 160-207, later contradicted
    add(3, 96, 64, false); // ends the datagram at 160
    expect(out.length).toBe(1);
    expect(out[0].complete).toBe(true);
    expect(out[0].payload.length).toBe(160);
    expect(new TextDecoder().decode(out[0].payload)).toBe(sampleInvite.slice(0, 160));
    expect(diag(out[0])).toEqual(['malformed: frame 2 carried bytes 160–207, beyond the end of the datagram (160 bytes) set by the last fragment in frame 3; they are left out']);
  });

  it('a fragment arriving after the last one, past its end: malformed, only its part within counts', () => {
    const { out, add } = table();
    add(1, 96, 64, false); // total 160
    add(2, 48, 160, true); // 48-207
    expect(out).toEqual([]);
    add(3, 0, 48, true);
    expect(out.length).toBe(1);
    expect(new TextDecoder().decode(out[0].payload)).toBe(sampleInvite.slice(0, 160));
    expect(out[0].chunks.map((c) => [c.frame, c.fileOffset, c.length])).toEqual([[3, 3000, 48], [2, 2000, 48], [1, 1000, 64]]);
    expect(diag(out[0])).toEqual([
      'malformed: fragment in frame 2 has bytes 160–207, beyond the end of the datagram (160 bytes) set by the last fragment in frame 1; they are left out',
      'note: fragment in frame 2 overlaps bytes 96–159 received in frame 1, with identical content',
    ]);
  });

  it('two last fragments that disagree: the first wins, malformed', () => {
    const { out, add } = table();
    add(1, 96, 64, false); // total 160
    add(2, 96, 80, false); // says 176
    add(3, 0, 96, true);
    expect(out[0].payload.length).toBe(160);
    expect(diag(out[0])[0]).toBe('malformed: inconsistent last fragments: frame 2 ends the datagram at 176 bytes, frame 1 at 160; the first one is kept');
  });

  it('a non-last fragment whose length is not a multiple of 8 is malformed (RFC 791 §3.2 / RFC 8200 §4.5)', () => {
    const { out, add } = table();
    add(1, 0, 100, true, 6);
    add(2, 100, 60, false, 6);
    expect(out[0].complete).toBe(true);
    expect(diag(out[0])).toEqual(['malformed: fragment in frame 1 carries 100 bytes with more fragments to follow: not a multiple of 8 (RFC 8200 §4.5)']);
    expect(out[0].diagnostics[0].layer).toBe('ipv6');
  });

  it('a datagram over 65535 bytes is malformed (IPv4: 65515 bytes of data after a 20-byte header)', () => {
    const big = new Uint8Array(70_000).fill(0x41);
    const { out, add } = table();
    add(1, 65528, 100, false, 4, big);
    add(2, 0, 65528, true, 4, big);
    expect(out[0].complete).toBe(true);
    expect(out[0].payload.length).toBe(65628);
    expect(diag(out[0])).toEqual(['malformed: fragment in frame 1 reaches byte 65627: the reassembled datagram exceeds the 65535-byte maximum (RFC 791 §3.2)']);
  });

  it('an overlap spanning several earlier fragments, one differing byte: counted once, named with every frame', () => {
    const { out, add } = table();
    add(1, 0, 16, true);
    add(2, 32, 16, true);
    const altered = data.slice();
    altered[40] ^= 0x20;
    add(3, 8, 48, true, 4, altered); // 8-55: overlaps 8-15 (frame 1) and 32-47 (frame 2)
    add(4, 56, 8, false);
    expect(out.length).toBe(1);
    expect(new TextDecoder().decode(out[0].payload)).toBe(sampleInvite.slice(0, 64));
    expect(diag(out[0])).toEqual([
      'malformed: fragment in frame 3 overlaps bytes 8–47 (24 bytes) received in frames 1, 2 with different content (1 bytes differ); the first-received bytes are kept',
    ]);
    expect(out[0].chunks.map((c) => [c.frame, c.fileOffset, c.length])).toEqual([[1, 1000, 16], [3, 3008, 16], [2, 2000, 16], [3, 3040, 8], [4, 4000, 8]]);
  });

  it('thousands of 8-byte fragments in reverse order: linear, exact', () => {
    const big = new Uint8Array(60_000);
    for (let i = 0; i < big.length; i++) big[i] = (i * 7 + (i >> 8)) & 0xff;
    const { out, t, add } = table();
    const started = performance.now();
    for (let off = big.length - 8; off >= 0; off -= 8) add(off / 8 + 1, off, 8, off + 8 < big.length, 4, big);
    const elapsed = performance.now() - started;
    expect(out.length).toBe(1);
    expect(hex(out[0].payload)).toBe(hex(big));
    expect(out[0].chunks.length).toBe(7500);
    expect(t.stats.fragments).toBe(7500);
    expect(elapsed).toBeLessThan(2000); // ~20-50 ms measured; generous for a shared machine
  });

  it('missing ranges beyond eight are summed up', () => {
    const { out, t, add } = table();
    for (let i = 0; i < 12; i++) add(i + 1, i * 16, 8, true);
    add(13, 12 * 16, 8, false);
    t.finish();
    const m = diag(out[0]);
    expect(m.length).toBe(1 + 8 + 1);
    expect(m[1]).toBe('truncated: bytes 8–15 of the datagram were never captured');
    expect(m[9]).toBe('truncated: and 4 more missing ranges');
  });

  it('is re-entrant: emit may feed another fragment (a fragmented packet inside a reassembled tunnel)', () => {
    const out: string[] = [];
    const t: IpFragmentTable<string> = new IpFragmentTable<string>((d) => {
      out.push(`${d.key}:${d.complete}`);
      if (d.key === 'outer') {
        t.add('inner', 4, 0, true, data, 0, 8, chunk(9, 8), 'inner', 0);
        t.add('inner', 4, 8, false, data, 8, 16, chunk(9, 8), 'inner', 0);
      }
    });
    t.add('outer', 4, 8, false, data, 8, 16, chunk(1, 8), undefined, 0);
    t.add('outer', 4, 0, true, data, 0, 8, chunk(2, 8), 'outer', 0);
    expect(out).toEqual(['outer:true', 'inner:true']);
    expect(t.pending).toBe(0);
    expect(t.stats.bufferedBytes).toBe(0);
  });
});

describe.skipIf(!haveSharedCaptures)('real fragmented captures, against tshark', () => {
  const cases = [
    { file: 'gprshome_sip.pcap', version: 4 as const, fragField: 'ip.reassembled_in', lenField: 'ip.reassembled.length', filter: 'ip.flags.mf==1 || ip.frag_offset>0', datagrams: 16, fragments: 33 },
    { file: 'sngrep_ipv6frag.pcap', version: 6 as const, fragField: 'ipv6.reassembled.in', lenField: 'ipv6.reassembled.length', filter: 'ipv6.fraghdr', datagrams: 2, fragments: 4 },
  ];
  for (const c of cases) {
    it(`${c.file}: every datagram tshark reassembles, same frames, same length, same SIP`, () => {
      const file = new Uint8Array(readFileSync(sharedCapture(c.file)));
      const r = feed(readPcap(file));
      expect(r.fragmentFrames.length).toBe(c.fragments);
      expect(r.out.length).toBe(c.datagrams);
      expect(r.out.every((d) => d.complete && d.version === c.version && d.diagnostics.length === 0)).toBe(true);
      expect(r.table.stats.incomplete).toBe(0);

      // The stored reference decode: tshark's SIP row sits at the frame that completes each datagram.
      const tsv = new Map(readFileSync(sharedCapture(`${c.file}.tshark.tsv`), 'utf8').split('\n').filter(Boolean).map((l) => {
        const f = l.split('\t');
        return [Number(f[0]), { method: f[5], status: f[6], callId: f[7], cseq: f[8] }] as const;
      }));
      for (const d of r.out) {
        const last = d.frames[d.frames.length - 1];
        const row = tsv.get(last);
        expect(row, `tshark has SIP at frame ${last}`).toBeDefined();
        const sip = udpSip(d.payload);
        const startLine = sip.slice(0, sip.indexOf('\r\n'));
        if (row?.method) expect(startLine.startsWith(`${row.method} `)).toBe(true);
        else expect(startLine.split(' ')[1]).toBe(row?.status);
        expect(header(sip, 'Call-ID')).toBe(row?.callId);
        expect(header(sip, 'CSeq').replace(/\s+/g, ' ')).toBe(row?.cseq);
        expectChunksMatchFile(d, file);
      }

      if (!tsharkAvailable) return;
      // tshark -2: each fragment frame says which frame completes its datagram; the last one gives the length.
      const rows = tshark(sharedCapture(c.file), c.filter, ['frame.number', c.fragField, c.lenField]);
      const groups = new Map<number, { frames: number[]; length: number }>();
      for (const [frame, inFrame, length] of rows) {
        const last = inFrame ? Number(inFrame) : Number(frame);
        const g = groups.get(last) ?? { frames: [], length: 0 };
        g.frames.push(Number(frame));
        if (length) g.length = Number(length);
        groups.set(last, g);
      }
      const byLast = (x: { frames: number[] }, y: { frames: number[] }) => x.frames[x.frames.length - 1] - y.frames[y.frames.length - 1];
      expect(r.out.map((d) => ({ frames: d.frames, length: d.payload.length })).sort(byLast)).toEqual([...groups.values()].sort(byLast));
    });
  }
});

describe.skipIf(!tsharkAvailable)('the fragment helpers, checked by tshark', () => {
  const callId = header(inviteText, 'Call-ID');
  const cases: { name: string; frames: Uint8Array[]; completes: number; ip: string }[] = [
    { name: 'IPv4 in order', frames: v4({ mtu: 576 }), completes: 4, ip: 'ip' },
    { name: 'IPv4 reversed', frames: v4({ mtu: 576, order: 'reversed' }), completes: 4, ip: 'ip' },
    { name: 'IPv4 seeded permutation, MTU 256', frames: v4({ mtu: 256, order: { seed: 3 } }), completes: 9, ip: 'ip' },
    { name: 'IPv4 with a duplicate', frames: v4({ mtu: 576, duplicate: [1] }), completes: 5, ip: 'ip' },
    { name: 'IPv4 with an identical overlap', frames: v4({ mtu: 576, overlap: [{ index: 1, bytes: 24 }] }), completes: 4, ip: 'ip' },
    { name: 'IPv6 in order', frames: v6({ mtu: 1280 }), completes: 2, ip: 'ipv6' },
    { name: 'IPv6 reversed, MTU 576', frames: v6({ mtu: 576, order: 'reversed' }), completes: 4, ip: 'ipv6' },
    { name: 'IPv6 seeded permutation, MTU 256', frames: v6({ mtu: 256, order: { seed: 11 } }), completes: 10, ip: 'ipv6' },
  ];
  for (const c of cases) {
    it(`${c.name}: tshark reassembles the same SIP message, and the same bytes as we do`, () => {
      const path = join(tmp, `${c.name.replace(/\W+/g, '-')}.pcap`);
      const { packets, file } = packetsOf(c.frames);
      writeFileSync(path, file);
      const rows = tshark(path, 'sip', ['frame.number', 'sip.Call-ID', 'sip.CSeq', 'udp.length', `${c.ip}.reassembled.length`]);
      expect(rows).toEqual([[String(c.completes), callId, header(inviteText, 'CSeq'), '2061', '2061']]);
      const data = tshark(path, `frame.number==${c.completes}`, [c.ip === 'ip' ? 'ip.reassembled.data' : 'ipv6.reassembled.data']);
      const ours = feed(packets);
      expect(ours.out.length).toBe(1);
      expect(ours.emittedAt).toEqual([c.completes]);
      expect(hex(ours.out[0].payload)).toBe(data[0][0].replace(/:/g, ''));
      expect(hex(ours.out[0].payload)).toBe(hex(inviteUdp));
    });
  }

  for (const [name, build, version] of builders) {
    it(`${name}: an overlap with different bytes is flagged by tshark too; which copy is kept differs when it came first`, () => {
      const size = fragmentDataSize(version, 576);
      const ip = version === 4 ? 'ip' : 'ipv6';
      const overlap = [{ index: 2, bytes: 16, differ: true }];
      const altered = inviteUdp.slice();
      for (let i = 2 * size - 16; i < 2 * size; i++) altered[i] ^= 0x01;
      for (const order of ['in-order', 'reversed'] as const) {
        const path = join(tmp, `conflict-${version}-${order}.pcap`);
        const { packets, file } = packetsOf(build({ mtu: 576, overlap, order }));
        writeFileSync(path, file);
        const [row] = tshark(path, 'frame.number==4', [`${ip}.fragment.overlap`, `${ip}.fragment.overlap.conflict`, `${ip}.reassembled.data`]);
        expect(row.slice(0, 2)).toEqual(['1', '1']);
        const d = feed(packets).out[0];
        expect(d.diagnostics.map((x) => x.kind)).toEqual(['malformed']);
        // tshark lays fragments out by offset, the lower one winning; we keep the first-received bytes.
        // In order both are fragment 1's; reversed, we keep the altered copy that arrived first.
        expect(row[2].replace(/:/g, '')).toBe(hex(inviteUdp));
        expect(hex(d.payload)).toBe(hex(order === 'in-order' ? inviteUdp : altered));
      }
    });
  }
});
