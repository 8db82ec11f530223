import type { Diagnostic } from '../diagnostics.js';
import type { TimedChunk } from './chunks.js';

/**
 * One direction of a reassembled byte stream (TCP today; decrypted TLS later), as the layer above sees
 * it: bytes in sequence order, holes reported, the end announced. The SIP framer, the WebSocket and HEP
 * framers and the TLS record counter are all sinks; the TCP reassembly does not know which one it feeds.
 */
export interface StreamSink {
  /** The next in-order bytes `payload[start, end)`; `chunk` says where they are in the capture (`chunk.length === end - start`). */
  data(payload: Uint8Array, start: number, end: number, chunk: TimedChunk): void;
  /** `missing` bytes of the stream were never captured; the next `data` follows the hole (seen in `frame`). */
  gap(missing: number, frame: number): void;
  /** The stream ended (FIN, RST, or the end of the capture, as `reason` says): unfinished data is reported now. */
  close(reason: string): void;
}

/** A stream that carried nothing we can read as SIP, summarised once when it closes (e.g. TLS without keys). */
export interface StreamReport {
  protocol: string;
  /** Records (TLS) or frames seen. */
  records: number;
  bytes: number;
  firstFrame: number;
  lastFrame: number;
  /** What a user reads: `encrypted (TLS 1.2), 14 records, no keys`. */
  message: string;
}

/** Where sinks deliver what they find. `Flow` is the engine's description of the stream (addresses, layers). */
export interface StreamOutputs<Flow> {
  /**
   * A SIP message `bytes[start, end)`, whole or (with diagnostics saying so) partial. `chunks` list the
   * capture bytes it came from, in stream order. `contentLengthFramed`: the message was cut from a byte
   * stream by its Content-Length (RFC 3261 §18.3), so a missing Content-Length is an error; false when
   * the transport framed it (a WebSocket message, RFC 7118 §5).
   */
  message(flow: Flow, bytes: Uint8Array, start: number, end: number, chunks: TimedChunk[], diagnostics: Diagnostic[], contentLengthFramed: boolean): void;
  /** One whole HEP packet read from a stream (HEP over TCP); the engine decodes what it carries. */
  hep(flow: Flow, bytes: Uint8Array, start: number, end: number, chunks: TimedChunk[]): void;
  /** A stream summary (see `StreamReport`). */
  report(flow: Flow, report: StreamReport): void;
}
