import type { Diagnostic } from '../diagnostics.js';

/** Transport protocols we locate payloads for. */
export const enum Transport {
  None = 0,
  UDP = 1,
  TCP = 2,
  SCTP = 3,
}

export const transportNames = ['', 'UDP', 'TCP', 'SCTP'] as const;

/** One SCTP DATA or I-DATA chunk found in the packet (RFC 9260 §3.3.1, RFC 8260 §2.1). */
export interface SctpDataChunk {
  /** User data [payloadStart, payloadEnd) in `bytes` (chunk padding excluded). */
  payloadStart: number;
  payloadEnd: number;
  tsn: number;
  streamId: number;
  /** Stream sequence number (DATA) or message identifier (I-DATA). */
  streamSeq: number;
  /** Payload protocol identifier (0 = unspecified; SIP has none registered, so any PPID may carry it). */
  ppid: number;
  /** B (beginning), E (ending) and U (unordered) flags. */
  begin: boolean;
  end: boolean;
  unordered: boolean;
  /** I-DATA fragment sequence number (0 for DATA chunks). */
  fragmentSeq: number;
}

/** What a HEP (Homer encapsulation protocol) packet said about the message it carries. */
export interface HepInfo {
  version: 2 | 3;
  /** Capture time at the agent. */
  tsSec: number;
  tsUsec: number;
  captureId: number;
  /** HEP protocol type chunk (1 = SIP); undefined when absent. */
  protocolType: number | undefined;
  correlationId: string | undefined;
  nodeName: string | undefined;
}

/** Decode-as rules: a transport port forced to a protocol that content detection cannot recognise. */
export type DecodeAsProtocol = 'sip' | 'hep' | 'gtpu' | 'vxlan' | 'esp' | 'websocket' | 'tls' | 'none';
export interface DecodeAsTable {
  udp: Map<number, DecodeAsProtocol>;
  tcp: Map<number, DecodeAsProtocol>;
  sctp: Map<number, DecodeAsProtocol>;
}
export function emptyDecodeAs(): DecodeAsTable {
  return { udp: new Map(), tcp: new Map(), sctp: new Map() };
}

/**
 * The state of decoding one packet, filled in by the layer decoders as they walk down the stack. One
 * instance is reused for every packet (reset per packet) so that the per-packet path allocates nothing but
 * diagnostics. Addresses are kept as offsets into `bytes`; the engine formats them only for packets that
 * carry SIP. For tunnels, inner layers overwrite outer ones: the network and transport fields describe the
 * innermost packet, while `stack` keeps every layer in order.
 */
export class PacketDecodeState {
  bytes: Uint8Array = new Uint8Array(0);
  /** End of captured bytes (exclusive). */
  end = 0;
  /** Protocol short names from the link layer down: `eth`, `vlan`, `ipv4`, `udp`... */
  readonly stack: string[] = [];
  /** Start offset of each layer in `stack`. */
  readonly layerStarts: number[] = [];
  diagnostics: Diagnostic[] | undefined;

  /** 0 when no IP layer was found. */
  ipVersion: 0 | 4 | 6 = 0;
  /** Offsets of the innermost source/destination addresses in `bytes` (4 or 16 bytes). */
  srcAddrOffset = 0;
  dstAddrOffset = 0;
  /** The innermost IP datagram is a fragment (payload incomplete until reassembly). */
  ipFragment = false;
  /** IPv4 identification / IPv6 fragment id, offset in 8-byte units, more-fragments flag (for reassembly). */
  fragmentId = 0;
  fragmentOffset = 0;
  moreFragments = false;

  transport: Transport = Transport.None;
  srcPort = 0;
  dstPort = 0;
  /** Transport payload [payloadStart, payloadEnd) in `bytes`. */
  payloadStart = 0;
  payloadEnd = 0;
  /** Payload bytes the capture cut (snap length): the message is incomplete through no fault of the sender. */
  payloadTruncated = false;
  tcpSeq = 0;
  tcpAck = 0;
  tcpFlags = 0;

  /**
   * Set when the innermost IP layer is a fragment (`ipFragment`): decoding stops there and the engine's
   * reassembly takes over. `fragmentLayer` is that IP layer's index in `stack`; the fragment's data is
   * [fragmentPayloadStart, fragmentPayloadEnd); `fragmentProtocol` is the protocol it carries.
   */
  fragmentLayer = -1;
  fragmentPayloadStart = 0;
  fragmentPayloadEnd = 0;
  fragmentProtocol = 0;
  /** The fragment's data length by its IP header (more than captured when the snap length cut it). */
  fragmentWireLength = 0;

  /** SCTP DATA chunks of this packet: the first `sctpChunkCount` entries (objects reused between packets). */
  readonly sctpChunks: SctpDataChunk[] = [];
  sctpChunkCount = 0;
  sctpVerificationTag = 0;

  /** Set by the HEP decoder: addresses, ports, transport and payload then describe the HEP-carried message. */
  hep: HepInfo | undefined;

  /** Ports forced to a protocol (`--decode-as`); kept across packets, set by the engine. */
  decodeAs: DecodeAsTable = emptyDecodeAs();

  reset(bytes: Uint8Array, end: number): void {
    this.bytes = bytes;
    this.end = end;
    this.stack.length = 0;
    this.layerStarts.length = 0;
    this.diagnostics = undefined;
    this.ipVersion = 0;
    this.srcAddrOffset = 0;
    this.dstAddrOffset = 0;
    this.ipFragment = false;
    this.fragmentId = 0;
    this.fragmentOffset = 0;
    this.moreFragments = false;
    this.clearTransport();
    this.tcpSeq = 0;
    this.tcpAck = 0;
    this.tcpFlags = 0;
    this.fragmentLayer = -1;
    this.fragmentPayloadStart = 0;
    this.fragmentPayloadEnd = 0;
    this.fragmentProtocol = 0;
    this.fragmentWireLength = 0;
    this.sctpVerificationTag = 0;
    this.hep = undefined;
  }

  /**
   * Called by a tunnel decoder once it has accepted its header, before it dispatches the inner packet:
   * forgets the outer transport so that the outer payload (the tunnel itself) is never searched for SIP.
   * The inner layers then set transport, ports and payload again. Outer IP addresses stay in the bytes
   * (see `layerStarts`) and are reported as the message's outer layers.
   */
  enterTunnel(): void {
    this.clearTransport();
  }

  /** What a transport layer sets: transport, ports, payload and SCTP chunks. */
  private clearTransport(): void {
    this.transport = Transport.None;
    this.srcPort = 0;
    this.dstPort = 0;
    this.payloadStart = 0;
    this.payloadEnd = 0;
    this.payloadTruncated = false;
    this.sctpChunkCount = 0;
  }

  /** Records one SCTP DATA chunk, reusing the entry objects of earlier packets. */
  addSctpChunk(): SctpDataChunk {
    let chunk = this.sctpChunks[this.sctpChunkCount];
    if (!chunk) {
      chunk = { payloadStart: 0, payloadEnd: 0, tsn: 0, streamId: 0, streamSeq: 0, ppid: 0, begin: false, end: false, unordered: false, fragmentSeq: 0 };
      this.sctpChunks.push(chunk);
    }
    this.sctpChunkCount++;
    return chunk;
  }

  push(protocol: string, offset: number): void {
    this.stack.push(protocol);
    this.layerStarts.push(offset);
  }

  diagnose(diagnostic: Diagnostic): void {
    (this.diagnostics ??= []).push(diagnostic);
  }
}

/** A layer decoder: decodes the layer at `offset` and dispatches to the next one. Never throws on bad bytes. */
export type LayerDecoder = (state: PacketDecodeState, offset: number) => void;
