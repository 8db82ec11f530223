/**
 * HEP over TCP: HEPv3 packets back to back on a stream (github.com/sipcapture/HEP, HEP3 spec). Packets are
 * built here around the real SIP messages of resources/sample-volte.pcap (a HEPv3 writer written from the
 * spec, independent of the sink), and — when the HEP engineer's fixture is there — taken from real sngrep
 * HEPv3 datagrams (test/fixtures/hep3-udp.pcap), laid end to end as a TCP stream.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createCaptureReader } from '../../../src/core/capture/open.js';
import { dissectPacket } from '../../../src/core/layers/dissect.js';
import { PacketDecodeState } from '../../../src/core/layers/packet.js';
import { HepStreamSink, judgeHepPacket } from '../../../src/core/stream/hep-stream.js';
import { StreamProtocolSniffer } from '../../../src/core/stream/stream-sniffer.js';
import { fixtures, repoRoot } from '../../helpers/paths.js';
import { ascii, concat } from '../../helpers/packet-builder.js';
import { feedCut, MiniSipSink, Recorder } from './stream-support.js';

/** UDP payloads of a pcap, in file order. */
function udpPayloads(path: string): Uint8Array[] {
  const out: Uint8Array[] = [];
  const state = new PacketDecodeState();
  const reader = createCaptureReader('pcap', {
    packet: (p) => {
      dissectPacket(state, p.linkType, p.data, p.capturedLength);
      // The outermost UDP layer's payload, read from its header (whatever a HEP decoder did above it).
      const i = state.stack.indexOf('udp');
      if (i < 0 || state.ipFragment) return;
      const at = state.layerStarts[i];
      const length = (state.bytes[at + 4] << 8) | state.bytes[at + 5];
      out.push(state.bytes.slice(at + 8, Math.min(state.end, at + length)));
    },
    diagnostic: () => {},
  });
  reader.push(new Uint8Array(readFileSync(path)));
  reader.end();
  return out;
}

function chunk(vendor: number, type: number, value: Uint8Array): Uint8Array {
  const n = value.length + 6;
  return concat(new Uint8Array([vendor >> 8, vendor & 0xff, type >> 8, type & 0xff, n >> 8, n & 0xff]), value);
}
const u8 = (n: number) => new Uint8Array([n]);
const u16 = (n: number) => new Uint8Array([n >> 8, n & 0xff]);
const u32 = (n: number) => new Uint8Array([n >>> 24, (n >> 16) & 0xff, (n >> 8) & 0xff, n & 0xff]);

/** A HEPv3 packet (chunk types 1-12 and 15 of the HEP3 spec) carrying `sip` over IPv4/UDP. */
function hep3(sip: Uint8Array, i: number): Uint8Array {
  const body = concat(
    chunk(0, 1, u8(2)),
    chunk(0, 2, u8(17)),
    chunk(0, 3, new Uint8Array([10, 0, 0, 1])),
    chunk(0, 4, new Uint8Array([10, 0, 0, 2])),
    chunk(0, 7, u16(5060)),
    chunk(0, 8, u16(5060)),
    chunk(0, 9, u32(1700000000 + i)),
    chunk(0, 10, u32(i)),
    chunk(0, 11, u8(1)),
    chunk(0, 12, u32(2002)),
    chunk(0, 15, sip),
  );
  return concat(ascii('HEP3'), u16(body.length + 6), body);
}

const sips = udpPayloads(join(repoRoot, 'resources/sample-volte.pcap')).slice(0, 12);
const packets = sips.map((s, i) => hep3(s, i));
const stream = concat(...packets);
const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
const packetHex = packets.map(hex);
const boundaries = packets.reduce<number[]>((acc, p) => [...acc, (acc[acc.length - 1] ?? 0) + p.length], []);

function run(bytes: Uint8Array, cuts: number[]): { out: Recorder; sink: HepStreamSink<string> } {
  const out = new Recorder();
  const sink = new HepStreamSink('f', out);
  feedCut(sink, bytes, cuts);
  sink.close('FIN');
  expect(sink.stalls).toBe(0);
  return { out, sink };
}

describe('HepStreamSink', () => {
  it('has real SIP to wrap', () => {
    expect(sips.length).toBe(12);
    expect(new TextDecoder().decode(sips[0].subarray(0, 7))).toMatch(/^[A-Z]/);
  });

  it('cuts back-to-back packets, whole and with exact chunks, at every cut point of the first three', () => {
    const end3 = boundaries[2];
    for (let k = 0; k <= end3 + 1; k++) {
      const { out } = run(stream, [k, k + 1, k + 6]);
      // Compared as hex: vitest's deep equality on byte arrays is too slow for thousands of runs.
      expect(out.heps.map((h) => hex(h.bytes)), `cut at ${k}`).toEqual(packetHex);
      for (const h of out.heps) {
        const raw = concat(...h.chunks.map((c) => stream.subarray(c.fileOffset - 1000, c.fileOffset - 1000 + c.length)));
        expect(hex(raw)).toBe(hex(h.bytes));
      }
    }
    expect(run(stream, []).out.reports).toEqual([]);
  });

  it('cuts at every packet boundary and one byte either side', () => {
    const { out } = run(stream, boundaries.flatMap((b) => [b - 1, b, b + 1]));
    expect(out.heps.map((h) => h.bytes)).toEqual(packets);
  });

  it('resynchronises on the next HEP3 after garbage and says how much was skipped', () => {
    const junk = ascii('HEP garbage HEP2\x00\x01 HEP3\x00\x02');
    const { out, sink } = run(concat(junk, packets[0], junk, packets[1]), [5, 40]);
    expect(out.heps.map((h) => h.bytes)).toEqual([packets[0], packets[1]]);
    expect(sink.stats.discardedBytes).toBe(2 * junk.length);
    expect(out.reports[0].report).toMatchObject({ protocol: 'hep', records: 2, message: `HEP over TCP, 2 packets; ${2 * junk.length} bytes not HEPv3` });
  });

  it('a gap inside a packet drops that packet and stays in step; a gap spanning packets resynchronises', () => {
    for (const at of [3, 8, 200]) {
      const out = new Recorder();
      const sink = new HepStreamSink('f', out);
      const b0 = boundaries[0];
      feedCut(sink, stream.subarray(0, b0 + at), [b0 + 1]);
      sink.gap(20, 9);
      feedCut(sink, stream.subarray(b0 + at + 20), [50]);
      sink.close('FIN');
      expect(out.heps.map((h) => h.bytes), `gap at ${at}`).toEqual(packets.filter((_, i) => i !== 1));
      expect(sink.stats).toMatchObject({ brokenPackets: 1, discardedBytes: at < 6 ? packets[1].length - at - 20 : 0 });
    }
    const out = new Recorder();
    const sink = new HepStreamSink('f', out);
    feedCut(sink, stream.subarray(0, boundaries[0] + 100), []);
    sink.gap(packets[1].length + 50, 9);
    feedCut(sink, stream.subarray(boundaries[1] + 50), []);
    sink.close('FIN');
    expect(out.heps.map((h) => h.bytes)).toEqual(packets.filter((_, i) => i !== 1 && i !== 2));
  });

  it('judges packet starts: HEP3 with a consistent first chunk', () => {
    expect(judgeHepPacket(packets[0], 0, packets[0].length)).toBe('yes');
    expect(judgeHepPacket(packets[0], 0, 8)).toBe('more');
    expect(judgeHepPacket(concat(ascii('HEP3'), u16(3)), 0, 6)).toBe('no');
    expect(judgeHepPacket(concat(ascii('HEP3'), u16(20), chunk(0, 1, new Uint8Array(30))), 0, 26)).toBe('no');
  });

  it('the sniffer picks HEP at the start and mid-stream', () => {
    const out = new Recorder();
    const s = new StreamProtocolSniffer('f', out, (f, o) => new MiniSipSink(f, o));
    feedCut(s, stream, [3, 500]);
    s.close('FIN');
    expect(s.protocol).toBe('hep');
    expect(out.heps).toHaveLength(12);
    const out2 = new Recorder();
    const s2 = new StreamProtocolSniffer('f', out2, (f, o) => new MiniSipSink(f, o));
    feedCut(s2, stream.subarray(boundaries[0] - 30), [10]);
    s2.close('FIN');
    expect(s2.protocol).toBe('hep');
    expect(out2.heps.map((h) => h.bytes)).toEqual(packets.slice(1));
  });

  const real = join(fixtures, 'hep3-udp.pcap');
  it.skipIf(!existsSync(real))('cuts sngrep HEPv3 datagrams laid end to end into exactly those datagrams', () => {
    const datagrams = udpPayloads(real).filter((d) => judgeHepPacket(d, 0, d.length) === 'yes');
    expect(datagrams.length).toBeGreaterThan(10);
    const all = concat(...datagrams);
    const ends = datagrams.reduce<number[]>((acc, p) => [...acc, (acc[acc.length - 1] ?? 0) + p.length], []);
    const { out } = run(all, ends.flatMap((e) => [e - 3, e + 2]));
    expect(out.heps.map((h) => h.bytes)).toEqual(datagrams);
  });
});
