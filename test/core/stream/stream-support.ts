/**
 * Helpers for the stream-sink tests (not a test file): TCP payloads of a real capture per direction, a
 * recording `StreamOutputs`, a minimal Content-Length SIP framer standing in for the real SIP sink, and
 * feeding a stream to a sink cut at chosen points.
 */
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { createCaptureReader } from '../../../src/core/capture/open.js';
import { concatBytes } from '../../../src/core/capture/pcap-writer.js';
import type { Diagnostic } from '../../../src/core/diagnostics.js';
import { dissectPacket } from '../../../src/core/layers/dissect.js';
import { PacketDecodeState, Transport } from '../../../src/core/layers/packet.js';
import { findSipStart, sipFrameLength } from '../../../src/core/sip/parser.js';
import type { TimedChunk } from '../../../src/core/stream/chunks.js';
import type { StreamOutputs, StreamReport, StreamSink } from '../../../src/core/stream/stream-sink.js';

export interface Segment {
  frame: number;
  seq: number;
  payload: Uint8Array;
  chunk: TimedChunk;
}

/** One TCP direction: `src:port>dst:port`, its TCP stream key `a|b` (both directions share it). */
export interface Direction {
  key: string;
  connection: string;
  srcPort: number;
  dstPort: number;
  segments: Segment[];
}

function addr(b: Uint8Array, at: number, v: number): string {
  return v === 4 ? Array.from(b.subarray(at, at + 4)).join('.') : Array.from(b.subarray(at, at + 16), (x) => x.toString(16).padStart(2, '0')).join('');
}

/**
 * The TCP payload segments of a pcap per direction, in sequence order, retransmissions dropped (these
 * captures have no holes). The file is read with our capture reader and layer decoders.
 */
export function tcpDirections(path: string): Direction[] {
  const raw = readFileSync(path);
  const bytes = new Uint8Array(path.endsWith('.gz') ? gunzipSync(raw) : raw);
  const state = new PacketDecodeState();
  const map = new Map<string, Direction>();
  const reader = createCaptureReader(bytes[0] === 0x0a ? 'pcapng' : 'pcap', {
    packet: (p) => {
      dissectPacket(state, p.linkType, p.data, p.capturedLength);
      if (state.transport !== Transport.TCP || state.payloadEnd <= state.payloadStart) return;
      const src = `${addr(state.bytes, state.srcAddrOffset, state.ipVersion)}:${state.srcPort}`;
      const dst = `${addr(state.bytes, state.dstAddrOffset, state.ipVersion)}:${state.dstPort}`;
      const key = `${src}>${dst}`;
      let d = map.get(key);
      if (!d) {
        d = { key, connection: [src, dst].sort().join('|'), srcPort: state.srcPort, dstPort: state.dstPort, segments: [] };
        map.set(key, d);
      }
      const length = state.payloadEnd - state.payloadStart;
      d.segments.push({
        frame: p.frame,
        seq: state.tcpSeq,
        payload: p.data.slice(state.payloadStart, state.payloadEnd),
        chunk: { frame: p.frame, fileOffset: p.dataOffset + state.payloadStart, length, tsSec: p.tsSec, tsNsec: p.tsNsec },
      });
    },
    diagnostic: () => {},
  });
  reader.push(bytes);
  reader.end();
  for (const d of map.values()) {
    d.segments.sort((a, b) => ((a.seq - b.seq) | 0));
    d.segments = d.segments.filter((s, i, all) => i === 0 || s.seq !== all[i - 1].seq);
  }
  return [...map.values()];
}

/** A direction's bytes joined, with the chunk of every byte run. */
export function joinSegments(segments: Segment[]): { bytes: Uint8Array; chunks: TimedChunk[] } {
  return { bytes: concatBytes(segments.map((s) => s.payload)), chunks: segments.map((s) => s.chunk) };
}

export interface Delivered {
  flow: string;
  bytes: Uint8Array;
  text: string;
  chunks: TimedChunk[];
  diagnostics: Diagnostic[];
  contentLengthFramed: boolean;
}

/** Records everything the sinks deliver (copies: the bytes may be views valid only during the call). */
export class Recorder implements StreamOutputs<string> {
  messages: Delivered[] = [];
  heps: { flow: string; bytes: Uint8Array; chunks: TimedChunk[] }[] = [];
  reports: { flow: string; report: StreamReport }[] = [];

  message(flow: string, bytes: Uint8Array, start: number, end: number, chunks: TimedChunk[], diagnostics: Diagnostic[], contentLengthFramed: boolean): void {
    const copy = bytes.slice(start, end);
    this.messages.push({ flow, bytes: copy, text: new TextDecoder('latin1').decode(copy), chunks: chunks.map((c) => ({ ...c })), diagnostics: [...diagnostics], contentLengthFramed });
  }

  hep(flow: string, bytes: Uint8Array, start: number, end: number, chunks: TimedChunk[]): void {
    this.heps.push({ flow, bytes: bytes.slice(start, end), chunks: chunks.map((c) => ({ ...c })) });
  }

  report(flow: string, report: StreamReport): void {
    this.reports.push({ flow, report });
  }
}

/**
 * A deliberately small SIP stream framer for these tests (the real one is the SIP engineer's): resync on a
 * start line, cut by Content-Length (RFC 3261 §18.3), deliver with `contentLengthFramed = true`.
 */
export class MiniSipSink implements StreamSink {
  private buf = new Uint8Array(0);
  private chunks: TimedChunk[] = [];
  constructor(
    private readonly flow: string,
    private readonly outputs: StreamOutputs<string>,
  ) {}

  data(payload: Uint8Array, start: number, end: number, chunk: TimedChunk): void {
    const joined = new Uint8Array(this.buf.length + end - start);
    joined.set(this.buf, 0);
    joined.set(payload.subarray(start, end), this.buf.length);
    this.buf = joined;
    this.chunks.push(chunk);
    for (;;) {
      const s = findSipStart(this.buf, 0, this.buf.length);
      if (s < 0) return;
      const n = sipFrameLength(this.buf, s, this.buf.length);
      if (n < 0) return;
      this.outputs.message(this.flow, this.buf, s, s + n, [], [], true);
      this.buf = this.buf.slice(s + n);
    }
  }

  gap(): void {
    this.buf = new Uint8Array(0);
  }

  close(): void {}
}

/** Feeds `bytes` (described by `chunks`) to `sink`, cut at the given offsets, each call with its exact chunk. */
export function feedCut(sink: StreamSink, bytes: Uint8Array, cuts: number[], frame = 1, fileOffset = 1000): void {
  const points = [0, ...cuts.filter((c) => c > 0 && c < bytes.length).sort((a, b) => a - b), bytes.length];
  for (let i = 0; i + 1 < points.length; i++) {
    const a = points[i];
    const b = points[i + 1];
    if (b <= a) continue;
    // Each call gets its own buffer with junk around the range: sinks must honour start/end.
    const view = new Uint8Array(b - a + 6).fill(0xee);
    view.set(bytes.subarray(a, b), 3);
    sink.data(view, 3, 3 + b - a, { frame: frame + i, fileOffset: fileOffset + a, length: b - a, tsSec: 100 + i, tsNsec: 0 });
  }
}

/** Feeds a real direction's segments in order. */
export function feedSegments(sink: StreamSink, segments: Segment[]): void {
  for (const s of segments) sink.data(s.payload, 0, s.payload.length, s.chunk);
}

/**
 * A WebSocket frame written from RFC 6455 §5.2 (independently of the decoder under test): `length` picks the
 * smallest encoding unless `lengthBytes` forces 16- or 64-bit.
 */
export function wsFrame(opcode: number, payload: Uint8Array, options: { fin?: boolean; mask?: number[]; lengthBytes?: 0 | 2 | 8; rsv1?: boolean } = {}): Uint8Array {
  const fin = options.fin ?? true;
  const n = payload.length;
  const lengthBytes = options.lengthBytes ?? (n < 126 ? 0 : n < 65536 ? 2 : 8);
  const head: number[] = [(fin ? 0x80 : 0) | (options.rsv1 ? 0x40 : 0) | opcode];
  const m = options.mask ? 0x80 : 0;
  if (lengthBytes === 0) head.push(m | n);
  else if (lengthBytes === 2) head.push(m | 126, n >> 8, n & 0xff);
  else head.push(m | 127, 0, 0, 0, 0, (n >>> 24) & 0xff, (n >> 16) & 0xff, (n >> 8) & 0xff, n & 0xff);
  const body = payload.slice();
  if (options.mask) {
    head.push(...options.mask);
    for (let i = 0; i < n; i++) body[i] ^= options.mask[i % 4];
  }
  const out = new Uint8Array(head.length + n);
  out.set(head, 0);
  out.set(body, head.length);
  return out;
}
