import { malformed, unsupported } from '../diagnostics.js';
import { captured, u16, u32 } from './bounds.js';
import { dispatchEtherType, type LayerDescriber } from './dispatch.js';
import { dispatchInnerEthernet, tooDeep } from './nesting.js';
import type { PacketDecodeState } from './packet.js';

const GRE_C = 0x80; // checksum present (RFC 2784 §2.1)
const GRE_R = 0x40; // routing present (RFC 1701 §2.1; RFC 2784 leaves it to RFC 1701 implementations)
const GRE_K = 0x20; // key present (RFC 2890 §2)
const GRE_S = 0x10; // sequence number present (RFC 2890 §2)
const GRE_STRICT = 0x08; // strict source route (RFC 1701)
const GRE_A = 0x80; // second byte: acknowledgment number present (enhanced GRE, RFC 2637 §4.1)

/** Protocol types that GRE carries and we treat specially (the rest go to the EtherType table). */
export const GRE_PPP = 0x880b;
export const GRE_ERSPAN_II = 0x88be;
export const GRE_ERSPAN_III = 0x22eb;
export const GRE_TRANSPARENT_ETHERNET = 0x6558;

/** Bound on RFC 1701 source route entries. */
const MAX_SRES = 16;

/**
 * GRE (IP protocol 47): RFC 2784 §2 with the key and sequence number of RFC 2890 §2 and the routing
 * field of RFC 1701 §2, and the enhanced GRE of PPTP (version 1, RFC 2637 §4.1). The protocol type is an
 * EtherType: IPv4, IPv6, transparent Ethernet bridging (0x6558), PPP (0x880b), MPLS, ERSPAN II/III.
 * ERSPAN type I has no header of its own: it is protocol 0x88be with the S bit clear (Wireshark's rule,
 * from draft-foschiano-erspan §4.1).
 */
export function decodeGre(state: PacketDecodeState, offset: number): void {
  if (!captured(state, offset, 4, 'gre') || tooDeep(state, 'gre', offset)) return;
  const b = state.bytes;
  const flags = b[offset];
  const version = b[offset + 1] & 0x07;
  const protocol = u16(b, offset + 2);
  state.push('gre', offset);
  state.enterTunnel();
  let at = offset + 4;
  if (version === 1) {
    // RFC 2637 §4.1: C, R, s and recursion are 0, K is 1 (the key holds payload length and call id),
    // protocol is PPP; then the key, the sequence number (S) and the acknowledgment number (A).
    if ((flags & (GRE_C | GRE_R | GRE_STRICT)) !== 0 || (flags & GRE_K) === 0 || protocol !== GRE_PPP) {
      state.diagnose(malformed('gre', `enhanced GRE (version 1) header with flags 0x${u16(b, offset).toString(16)} and protocol 0x${protocol.toString(16)}`, offset));
      return;
    }
    const headerLength = 8 + (flags & GRE_S ? 4 : 0) + (b[offset + 1] & GRE_A ? 4 : 0);
    if (!captured(state, offset, headerLength, 'gre')) return;
    const payloadLength = u16(b, offset + 4);
    at = offset + headerLength;
    // An acknowledgment-only packet (S clear) carries no payload.
    if (payloadLength === 0 || (flags & GRE_S) === 0) return;
    if (at + payloadLength < state.end) state.end = at + payloadLength;
    dispatchEtherType(state, protocol, at);
    return;
  }
  if (version !== 0) {
    // RFC 2784 §2.3.1: a receiver discards a packet of a version it does not implement.
    state.diagnose(unsupported('gre', `GRE version ${version} is not decoded`, offset));
    return;
  }
  // RFC 2784 §2.1 / RFC 1701 §2.1: checksum and offset are present together when either C or R is set.
  if (flags & (GRE_C | GRE_R)) at += 4;
  if (flags & GRE_K) at += 4;
  if (flags & GRE_S) at += 4;
  if (!captured(state, offset, at - offset, 'gre')) return;
  if (flags & GRE_R) {
    // RFC 1701 §2.1: source route entries, each address family(2) SRE offset(1) SRE length(1) routing
    // information(length), ending with a NULL SRE (family 0, length 0).
    for (let count = 0; ; count++) {
      if (count === MAX_SRES) {
        state.diagnose(malformed('gre', `more than ${MAX_SRES} source route entries`, at));
        return;
      }
      if (!captured(state, at, 4, 'gre')) return;
      const family = u16(b, at);
      const length = b[at + 3];
      at += 4 + length;
      if (family === 0 && length === 0) break;
    }
  }
  if (!captured(state, at, 1, 'gre')) return;
  if (protocol === GRE_ERSPAN_II && (flags & GRE_S) === 0) {
    // ERSPAN type I: the mirrored Ethernet frame follows the GRE header directly. The `erspan` layer
    // starts at the GRE protocol type field, the only thing that identifies it (see describeErspan).
    state.push('erspan', offset + 2);
    dispatchInnerEthernet(state, at, 'erspan');
    return;
  }
  dispatchEtherType(state, protocol, at);
}

/**
 * Transparent Ethernet bridging (protocol type 0x6558, RFC 1701 §3 "Ethernet" and RFC 7637): a whole
 * Ethernet frame, registered in the EtherType table so that GRE (and NVGRE) reach it.
 */
export function decodeTransparentEthernet(state: PacketDecodeState, offset: number): void {
  dispatchInnerEthernet(state, offset, 'gre');
}

/**
 * GRE fields for the outer-layers view: protocol type and key (PPTP: call id). Not the sequence number: it
 * changes with every packet, and the outer layers identify where a message was seen.
 */
export const describeGre: LayerDescriber = (b, offset, end) => {
  if (offset + 4 > end) return undefined;
  const flags = b[offset];
  const version = b[offset + 1] & 0x07;
  const fields: Record<string, string | number> = { 'gre.proto': `0x${u16(b, offset + 2).toString(16).padStart(4, '0')}` };
  if (version === 1) {
    fields['gre.version'] = 1;
    if (offset + 8 <= end) fields['gre.call_id'] = u16(b, offset + 6);
    return fields;
  }
  const at = offset + 4 + (flags & (GRE_C | GRE_R) ? 4 : 0);
  if (flags & GRE_K && at + 4 <= end) fields['gre.key'] = `0x${u32(b, at).toString(16).padStart(8, '0')}`;
  return fields;
};
