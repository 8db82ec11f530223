/**
 * HEP over TCP (Homer encapsulation, github.com/sipcapture/HEP, "HEP3" spec): agents such as heplify,
 * Kamailio's siptrace and OpenSIPS' proto_hep send HEPv3 packets back to back on a TCP connection (port
 * 9060 by default). A HEPv3 packet is self-delimiting: the 4-byte id "HEP3", then the total length (u16,
 * network order) which counts those 6 header bytes, then chunks (vendor u16, type u16, length u16 counting
 * the chunk's own 6-byte header, value). This sink only cuts packets out of the stream; the engine's HEP
 * decoder reads their chunks (`StreamOutputs.hep`).
 *
 * HEPv1/v2 (first byte 0x01/0x02, no length field covering the payload) are sent over UDP only in practice
 * (the agents' TCP transports speak HEPv3), so on TCP they are treated as bytes that are not HEP.
 */
import type { TimedChunk } from './chunks.js';
import { sliceChunks } from './chunks.js';
import type { StreamOutputs } from './stream-sink.js';
import { NEED_MORE, UnitStreamSink } from './unit-stream.js';

const HEADER = 6;
const CHUNK_HEADER = 6;

/** "HEP3" */
const MAGIC = [0x48, 0x45, 0x50, 0x33];

function isMagic(b: Uint8Array, p: number): boolean {
  return b[p] === MAGIC[0] && b[p + 1] === MAGIC[1] && b[p + 2] === MAGIC[2] && b[p + 3] === MAGIC[3];
}

/**
 * Does a HEPv3 packet start at `p`? "HEP3", a total length of at least the header, and — when the packet has
 * room for one — a first chunk whose length fits in the packet. `more` when [p, end) is too short to tell.
 */
export function judgeHepPacket(bytes: Uint8Array, p: number, end: number): 'yes' | 'no' | 'more' {
  if (end > bytes.length) end = bytes.length;
  for (let i = 0; i < 4; i++) {
    if (p + i >= end) return 'more';
    if (bytes[p + i] !== MAGIC[i]) return 'no';
  }
  if (p + HEADER > end) return 'more';
  const total = (bytes[p + 4] << 8) | bytes[p + 5];
  if (total < HEADER) return 'no';
  if (total === HEADER) return 'yes';
  if (total < HEADER + CHUNK_HEADER) return 'no';
  if (p + HEADER + CHUNK_HEADER > end) return 'more';
  const chunkLength = (bytes[p + 10] << 8) | bytes[p + 11];
  return chunkLength >= CHUNK_HEADER && chunkLength <= total - HEADER ? 'yes' : 'no';
}

export interface HepStreamStats {
  packets: number;
  /** Packets cut by a gap (not delivered). */
  brokenPackets: number;
  gaps: number;
  /** Bytes that were not part of a HEPv3 packet (skipped while looking for "HEP3"). */
  discardedBytes: number;
}

type State = 'header' | 'skip' | 'resync';

/** Cuts one TCP direction into HEPv3 packets and hands each whole packet to `outputs.hep`. */
export class HepStreamSink<Flow> extends UnitStreamSink<Flow> {
  readonly stats: HepStreamStats = { packets: 0, brokenPackets: 0, gaps: 0, discardedBytes: 0 };
  private state: State;
  /** Bytes of a packet broken by a gap still to skip. */
  private remaining = 0;
  /** Bytes of the packet being waited for (known once its header is in), for gaps that fall inside it. */
  private pendingTotal = 0;

  constructor(flow: Flow, outputs: StreamOutputs<Flow>, options: { midStream?: boolean } = {}) {
    super(flow, outputs);
    this.state = options.midStream ? 'resync' : 'header';
  }

  protected streamLength(): number {
    return this.state === 'skip' ? this.remaining : 0;
  }

  protected stream(_bytes: Uint8Array, start: number, end: number, _chunk: TimedChunk): void {
    this.remaining -= end - start;
    if (this.remaining === 0) this.state = 'header';
  }

  protected unit(bytes: Uint8Array, pos: number, end: number, chunks: TimedChunk[], base: number): number {
    if (this.state === 'resync') return this.resync(bytes, pos, end, judgeHepPacket, () => (this.state = 'header'));
    if (pos + HEADER > end) {
      this.pendingTotal = 0;
      return NEED_MORE;
    }
    const total = (bytes[pos + 4] << 8) | bytes[pos + 5];
    if (!isMagic(bytes, pos) || total < HEADER) {
      this.state = 'resync';
      return 0;
    }
    if (pos + total > end) {
      this.pendingTotal = total;
      return NEED_MORE;
    }
    this.pendingTotal = 0;
    this.stats.packets++;
    this.outputs.hep(this.flow, bytes, pos, pos + total, sliceChunks(chunks, pos - base, pos + total - base));
    return total;
  }

  gap(missing: number, _frame: number): void {
    this.stats.gaps++;
    const have = this.held.length;
    this.held.clear();
    if (this.state === 'skip' && missing <= this.remaining) {
      this.remaining -= missing;
      if (this.remaining === 0) this.state = 'header';
      return;
    }
    if (this.state === 'header' && this.pendingTotal > 0 && have + missing <= this.pendingTotal) {
      // The hole falls inside a packet whose length we know: drop that packet, stay in step.
      this.stats.brokenPackets++;
      this.remaining = this.pendingTotal - have - missing;
      this.pendingTotal = 0;
      this.state = this.remaining > 0 ? 'skip' : 'header';
      return;
    }
    if (have > 0) this.stats.brokenPackets++;
    this.pendingTotal = 0;
    this.state = 'resync';
  }

  close(_reason: string): void {
    if (this.held.length > 0 && this.state === 'header') this.stats.brokenPackets++;
    this.held.clear();
    const s = this.stats;
    // Whole packets speak for themselves; a report only when something was lost or nothing was HEP.
    if (s.brokenPackets === 0 && s.discardedBytes === 0 && s.packets > 0) return;
    if (this.bytesSeen === 0) return;
    const lost: string[] = [];
    if (s.brokenPackets > 0) lost.push(`${s.brokenPackets} incomplete (gap or end of stream)`);
    if (s.discardedBytes > 0) lost.push(`${s.discardedBytes} bytes not HEPv3`);
    this.report('hep', s.packets, this.bytesSeen, `HEP over TCP, ${s.packets} packet${s.packets === 1 ? '' : 's'}${lost.length > 0 ? '; ' + lost.join(', ') : ''}`);
  }
}
