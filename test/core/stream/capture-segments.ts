/**
 * Test support for the TCP stream tests: the TCP segments of a real capture (read with the project's own
 * capture reader and layer decoders), a table run that collects the messages per direction, and a check
 * that every message's chunks point at exactly its bytes in the capture.
 */
import { expect } from 'vitest';
import { concatBytes } from '../../../src/core/capture/pcap-writer.js';
import { dissectPacket } from '../../../src/core/layers/dissect.js';
import { PacketDecodeState } from '../../../src/core/layers/packet.js';
import '../../../src/core/layers/registry.js';
import { TCP_FIN, TCP_SYN } from '../../../src/core/layers/tcp.js';
import type { TimedChunk } from '../../../src/core/stream/chunks.js';
import { TcpStreamTable } from '../../../src/core/stream/tcp-stream.js';
import type { TcpReassemblyLimits } from '../../../src/core/stream/tcp-reassembly.js';
import { openCaptureFile } from '../../../src/node/capture-file.js';

export interface Segment {
  key: string;
  seq: number;
  flags: number;
  payload: Uint8Array;
  frame: number;
  /** Where `payload` is in the (decompressed) capture. */
  fileOffset: number;
  tsSec: number;
  tsNsec: number;
}

export interface CaptureSegments {
  /** Every TCP segment, in file order. */
  segments: Segment[];
  /** Packet bytes by frame (synthetic segments add theirs), to check chunks against. */
  packets: Map<number, { data: Uint8Array; dataOffset: number }>;
}

function address(bytes: Uint8Array, offset: number, version: number): string {
  if (version === 4) return `${bytes[offset]}.${bytes[offset + 1]}.${bytes[offset + 2]}.${bytes[offset + 3]}`;
  const words: string[] = [];
  for (let i = 0; i < 16; i += 2) words.push(((bytes[offset + i] << 8) | bytes[offset + i + 1]).toString(16));
  return `[${words.join(':')}]`;
}

export async function readTcpSegments(path: string): Promise<CaptureSegments> {
  const segments: Segment[] = [];
  const packets = new Map<number, { data: Uint8Array; dataOffset: number }>();
  const state = new PacketDecodeState();
  await openCaptureFile(path, {
    packet(p) {
      dissectPacket(state, p.linkType, p.data, p.capturedLength);
      if (state.transport !== 2 /* Transport.TCP */) return;
      const data = p.data.slice(0, p.capturedLength);
      packets.set(p.frame, { data, dataOffset: p.dataOffset });
      const key = `${address(data, state.srcAddrOffset, state.ipVersion)}:${state.srcPort}>${address(data, state.dstAddrOffset, state.ipVersion)}:${state.dstPort}`;
      segments.push({
        key,
        seq: state.tcpSeq,
        flags: state.tcpFlags,
        payload: data.subarray(state.payloadStart, state.payloadEnd),
        frame: p.frame,
        fileOffset: p.dataOffset + state.payloadStart,
        tsSec: p.tsSec,
        tsNsec: p.tsNsec,
      });
    },
    diagnostic() {},
  });
  return { segments, packets };
}

export interface Message {
  text: string;
  complete: boolean;
  diagnostics: string[];
  chunks: TimedChunk[];
}

export interface Run {
  /** Messages per direction key, in the order the direction delivered them. */
  byKey: Map<string, Message[]>;
  all: Message[];
  table: TcpStreamTable<string>;
}

const latin1 = new TextDecoder('latin1');

/** Feeds segments (in the given order) to a fresh table and collects what comes out. */
export function run(segments: Iterable<Segment>, limits?: Partial<TcpReassemblyLimits>): Run {
  const byKey = new Map<string, Message[]>();
  const all: Message[] = [];
  const table = new TcpStreamTable<string>(
    (flow, bytes, start, end, chunks, diagnostics, complete) => {
      const message = { text: latin1.decode(bytes.subarray(start, end)), complete, diagnostics: diagnostics.map((d) => d.message), chunks };
      all.push(message);
      let list = byKey.get(flow);
      if (!list) byKey.set(flow, (list = []));
      list.push(message);
    },
    undefined,
    limits,
  );
  for (const s of segments) {
    const chunk: TimedChunk = { frame: s.frame, fileOffset: s.fileOffset, length: s.payload.length, tsSec: s.tsSec, tsNsec: s.tsNsec };
    const rst = (s.flags & 0x04) !== 0;
    table.segment(s.key, () => s.key, s.seq, (s.flags & TCP_SYN) !== 0, (s.flags & (TCP_FIN | 0x04)) !== 0, s.payload, 0, s.payload.length, chunk, rst);
  }
  table.finish();
  return { byKey, all, table };
}

/** The chunks of every message, read back from the packets, give exactly the message's bytes. */
export function expectChunksMatch(messages: Iterable<Message>, packets: CaptureSegments['packets']): void {
  for (const m of messages) {
    let text = '';
    for (const c of m.chunks) {
      const packet = packets.get(c.frame);
      expect(packet, `frame ${c.frame}`).toBeDefined();
      if (!packet) continue;
      const from = c.fileOffset - packet.dataOffset;
      expect(from).toBeGreaterThanOrEqual(0);
      expect(from + c.length).toBeLessThanOrEqual(packet.data.length);
      text += latin1.decode(packet.data.subarray(from, from + c.length));
    }
    expect(text).toBe(m.text);
  }
}

/** Per-direction message texts (what permutation tests compare). */
export function texts(r: Run): Map<string, string[]> {
  return new Map([...r.byKey].map(([k, v]) => [k, v.map((m) => m.text)]));
}

/** Reorders so that no item moves more than `window` places (sort by index + uniform noise). */
export function jitter<T>(items: T[], window: number, rnd: () => number): T[] {
  return items
    .map((item, i) => ({ item, k: i + rnd() * window }))
    .sort((a, b) => a.k - b.k)
    .map((x) => x.item);
}

/** The directions' data: each direction's segments in file order, and its first and end sequence numbers. */
export function directions(segments: Segment[]): Map<string, { segments: Segment[]; firstSeq: number; endSeq: number }> {
  const out = new Map<string, { segments: Segment[]; firstSeq: number; endSeq: number }>();
  for (const s of segments) {
    if (s.payload.length === 0) continue;
    let d = out.get(s.key);
    if (!d) out.set(s.key, (d = { segments: [], firstSeq: s.seq, endSeq: s.seq }));
    d.segments.push(s);
    d.endSeq = (s.seq + s.payload.length) >>> 0;
  }
  return out;
}

let syntheticFrame = 10_000_000;

/** A segment not in the capture (SYN, FIN, re-cut retransmission); its bytes are registered in `packets`. */
export function synthetic(packets: CaptureSegments['packets'], key: string, seq: number, flags: number, payload: Uint8Array, ts: { tsSec: number; tsNsec: number }): Segment {
  const frame = ++syntheticFrame;
  const dataOffset = frame * 100_000;
  packets.set(frame, { data: payload, dataOffset });
  return { key, seq: seq >>> 0, flags, payload, frame, fileOffset: dataOffset, tsSec: ts.tsSec, tsNsec: ts.tsNsec };
}

/** One direction's bytes, in order, from its in-order segments (the captures used have no retransmissions). */
export function streamBytes(segments: Segment[]): Uint8Array {
  return concatBytes(segments.map((s) => s.payload));
}
