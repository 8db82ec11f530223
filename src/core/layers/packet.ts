import type { Diagnostic } from '../diagnostics.js';

/** Transport protocols we locate payloads for. */
export const enum Transport {
  None = 0,
  UDP = 1,
  TCP = 2,
  SCTP = 3,
}

export const transportNames = ['', 'UDP', 'TCP', 'SCTP'] as const;

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
    this.transport = Transport.None;
    this.srcPort = 0;
    this.dstPort = 0;
    this.payloadStart = 0;
    this.payloadEnd = 0;
    this.payloadTruncated = false;
    this.tcpSeq = 0;
    this.tcpAck = 0;
    this.tcpFlags = 0;
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
