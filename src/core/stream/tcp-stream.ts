import type { Diagnostic } from '../diagnostics.js';
import { TCP_FIN, TCP_RST, TCP_SYN } from '../layers/tcp.js';
import type { TimedChunk } from './chunks.js';
import { newSipFramerStats, SipStreamFramer, type SipFramerStats } from './sip-framer.js';
import type { StreamOutputs, StreamSink } from './stream-sink.js';
import { TcpReassembler, type TcpReassemblyLimits } from './tcp-reassembly.js';

/**
 * Where framed messages go: the bytes of one whole (or, with diagnostics, partial) SIP message.
 * `complete`: cut from the stream by its Content-Length (RFC 3261 §18.3) — `StreamOutputs.message`'s
 * `contentLengthFramed`; false for a partial message.
 */
export type StreamMessageHandler<Flow> = (
  flow: Flow,
  bytes: Uint8Array,
  start: number,
  end: number,
  chunks: TimedChunk[],
  diagnostics: Diagnostic[],
  complete: boolean,
) => void;

/** Makes the sink of one new direction; `outputs` is where it delivers what it finds. */
export type StreamSinkFactory<Flow> = (flow: Flow, outputs: StreamOutputs<Flow>) => StreamSink;

/**
 * TCP streams of a capture: `TcpReassembler` (segments in sequence order, retransmissions, overlaps,
 * out-of-order segments, gaps) feeding, per direction, a sink made by `createSink` — by default a
 * `SipStreamFramer` (SIP messages framed by Content-Length, RFC 3261 §18.3).
 */
export class TcpStreamTable<Flow> {
  readonly reassembler: TcpReassembler<Flow>;
  /** Counters of the default SIP framers (sinks from a custom factory may share it: `framerStats`). */
  readonly framerStats: SipFramerStats = newSipFramerStats();
  private readonly outputs: StreamOutputs<Flow>;

  /**
   * `emit`: a message handler (the SIP framer's only output), or full `StreamOutputs` when the sinks also
   * report HEP packets or stream summaries. `createSink` picks the sink of each new direction (a protocol
   * sniffer choosing SIP, WebSocket, TLS or HEP); default: a `SipStreamFramer`.
   */
  constructor(
    emit: StreamMessageHandler<Flow> | StreamOutputs<Flow>,
    createSink?: StreamSinkFactory<Flow>,
    limits?: Partial<TcpReassemblyLimits>,
  ) {
    this.outputs =
      typeof emit === 'function'
        ? {
            message: emit,
            // The default framer never produces these; a custom sink that does needs full outputs.
            hep: () => undefined,
            report: () => undefined,
          }
        : emit;
    const outputs = this.outputs;
    const stats = this.framerStats;
    const factory = createSink ?? ((flow: Flow, out: StreamOutputs<Flow>) => new SipStreamFramer(flow, out, stats));
    this.reassembler = new TcpReassembler<Flow>((flow) => factory(flow, outputs), limits);
  }

  /** Data segments all of whose bytes had been seen already. */
  get retransmittedSegments(): number {
    return this.reassembler.retransmittedSegments;
  }

  /** Holes (bytes never captured) found in the streams. */
  get gaps(): number {
    return this.reassembler.gaps;
  }

  /** Total bytes of those holes. */
  get gapBytes(): number {
    return this.reassembler.gapBytes;
  }

  /** Data segments that arrived ahead of a hole and were buffered until it filled (or was declared a gap). */
  get outOfOrderSegments(): number {
    return this.reassembler.outOfOrderSegments;
  }

  /** Bytes of partially overlapping segments dropped because another copy was seen first. */
  get overlapBytes(): number {
    return this.reassembler.overlapBytes;
  }

  /** Stream bytes that never formed the start of a SIP message (non-SIP traffic on a TCP flow). */
  get discardedBytes(): number {
    return this.framerStats.discardedBytes;
  }

  /** Directions (one per connection and direction) seen so far. */
  get streamCount(): number {
    return this.reassembler.directionCount;
  }

  /**
   * Feeds one segment. `payload[start, end)` are its data bytes; `seq` its sequence number; `syn`/`finOrRst`
   * its flags. `chunk` says where the payload is in the file (its frame, offset and time). `rst` (optional)
   * says that `finOrRst` was a RST, which closes the direction at once; otherwise it is taken as a FIN,
   * which closes the direction when every byte before it has been delivered.
   */
  segment(
    key: string,
    describeFlow: () => Flow,
    seq: number,
    syn: boolean,
    finOrRst: boolean,
    payload: Uint8Array,
    start: number,
    end: number,
    chunk: TimedChunk,
    rst = false,
  ): void {
    const flags = (syn ? TCP_SYN : 0) | (rst ? TCP_RST : finOrRst ? TCP_FIN : 0);
    this.reassembler.segment(key, describeFlow, seq, flags, payload, start, end, chunk);
  }

  /** End of the capture: buffered bytes delivered in order (holes reported), unfinished messages reported. */
  finish(): void {
    this.reassembler.finish();
  }
}
