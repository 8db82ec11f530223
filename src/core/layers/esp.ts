import { note, truncated } from '../diagnostics.js';
import { u16, u32 } from './bounds.js';
import { dispatchIpProtocol, type LayerDescriber } from './dispatch.js';
import { tooDeep, tunnelPayloadEnd } from './nesting.js';
import type { PacketDecodeState } from './packet.js';

/**
 * ICV lengths tried, in this order: 12 (HMAC-SHA1-96 / HMAC-MD5-96, RFC 2404/2403, the IMS-AKA defaults of
 * TS 33.203 §6.3), 16 (HMAC-SHA-256-128, RFC 4868), then none (RFC 4303 §2.8: integrity may be absent),
 * 8, 24 (HMAC-SHA-384-192) and 32 (HMAC-SHA-512-256).
 */
export const ESP_ICV_LENGTHS = [12, 16, 0, 8, 24, 32] as const;

const UDP = 17;
const TCP = 6;
const IPV4 = 4;
const IPV6 = 41;
const SCTP = 132;
const GRE = 47;

/** Where a NULL-encrypted ESP packet's payload lies, once a layout validates. */
interface EspLayout {
  icvLength: number;
  nextHeader: number;
  /** Inner payload [start, end): after SPI and sequence number, before the padding. */
  payloadEnd: number;
}

/**
 * ESP (RFC 4303 §2, IP protocol 50) with NULL encryption (RFC 2410: no IV, the payload in clear). ESP does
 * not say where the trailer is: the ICV length belongs to the SA, which a capture does not have. So each
 * ICV length of `ESP_ICV_LENGTHS` is tried and the layout it implies must check out: a next header that
 * can carry SIP, a pad length that fits, padding bytes 1, 2, 3... (RFC 4303 §2.4, the default every
 * implementation we know uses), and an inner header consistent with the payload length. The first layout
 * that validates is decoded; when none does, the packet is encrypted (or uses a layout we do not guess)
 * and only SPI and sequence number are kept.
 */
export function decodeEsp(state: PacketDecodeState, offset: number): void {
  const end = state.end;
  if (offset + 8 > end) {
    state.diagnose(truncated('esp', `ESP header needs 8 bytes, ${Math.max(0, end - offset)} captured`, offset));
    return;
  }
  if (tooDeep(state, 'esp', offset)) return;
  decodeAcceptedEsp(state, offset, end);
}

/**
 * ESP in UDP (RFC 3948 §2.2, UDP 4500): the same header after the UDP one. A payload that starts with
 * the 4-byte non-ESP marker (zero) is IKE (RFC 3948 §2.2), and a single 0xff byte a NAT keep-alive
 * (§2.3): neither is ESP, and both are left alone, as is anything with an SPI in the reserved range
 * 1..255 (RFC 4303 §2.1). So is text (SIP sent to the port): SPI and sequence number all printable would
 * need a sequence number above 0x20202020, half a billion packets on one SA.
 */
export function decodeEspInUdp(state: PacketDecodeState, offset: number): void {
  const end = tunnelPayloadEnd(state, offset);
  if (offset + 8 > end) return;
  const b = state.bytes;
  const spi = u32(b, offset);
  if (spi < 256) return;
  let printable = true;
  for (let i = offset; i < offset + 8 && printable; i++) printable = b[i] >= 0x20 && b[i] < 0x7f;
  if (printable) return;
  if (tooDeep(state, 'esp', offset)) return;
  state.enterTunnel();
  decodeAcceptedEsp(state, offset, end);
}

function decodeAcceptedEsp(state: PacketDecodeState, offset: number, end: number): void {
  state.push('esp', offset);
  const layout = findNullEspLayout(state.bytes, offset, end);
  if (!layout) {
    state.diagnose(note('esp', 'encrypted or unknown ICV length: payload not decoded', offset));
    return;
  }
  state.end = layout.payloadEnd;
  dispatchIpProtocol(state, layout.nextHeader, offset + 8);
}

/**
 * Finds the layout of a NULL-encrypted ESP packet at `offset` ending at `end`, or undefined when no ICV
 * length gives a consistent one. Exported for the tests.
 */
export function findNullEspLayout(b: Uint8Array, offset: number, end: number): EspLayout | undefined {
  const payloadStart = offset + 8;
  for (const icvLength of ESP_ICV_LENGTHS) {
    // RFC 4303 §2: ... payload, padding(0-255), pad length(1), next header(1), ICV.
    const trailer = end - icvLength - 2;
    if (trailer < payloadStart) continue;
    const padLength = b[trailer];
    const nextHeader = b[trailer + 1];
    const payloadEnd = trailer - padLength;
    if (payloadEnd <= payloadStart) continue;
    let padded = true;
    for (let i = 0; i < padLength; i++) {
      if (b[payloadEnd + i] !== i + 1) {
        padded = false;
        break;
      }
    }
    if (!padded) continue;
    if (innerHeaderFits(b, nextHeader, payloadStart, payloadEnd)) return { icvLength, nextHeader, payloadEnd };
  }
  return undefined;
}

/** Does the inner header at [start, end) agree with its length? Only protocols that can lead to SIP. */
function innerHeaderFits(b: Uint8Array, nextHeader: number, start: number, end: number): boolean {
  const length = end - start;
  switch (nextHeader) {
    case UDP:
      // RFC 768: the UDP length is the whole datagram.
      return length >= 8 && u16(b, start + 4) === length;
    case TCP: {
      // RFC 9293 §3.1: data offset between 5 and what the payload holds; the reserved bits are zero.
      if (length < 20) return false;
      const headerLength = (b[start + 12] >> 4) * 4;
      return headerLength >= 20 && headerLength <= length && (b[start + 12] & 0x0e) === 0;
    }
    case IPV4: {
      if (length < 20) return false;
      const ihl = (b[start] & 0x0f) * 4;
      return b[start] >> 4 === 4 && ihl >= 20 && u16(b, start + 2) === length;
    }
    case IPV6:
      return length >= 40 && b[start] >> 4 === 6 && 40 + u16(b, start + 4) === length;
    case SCTP: {
      // RFC 9260 §3: 12-byte common header, then chunks of at least 4 bytes whose lengths add up.
      if (length < 16) return false;
      let at = start + 12;
      for (let count = 0; at < end && count < 64; count++) {
        if (at + 4 > end) return false;
        const chunkLength = u16(b, at + 2);
        if (chunkLength < 4) return false;
        at += (chunkLength + 3) & ~3;
      }
      return at === end || at - end < 4;
    }
    case GRE:
      // RFC 2784 §2: version 0 (or 1 for PPTP) and the reserved bits 5-12 clear.
      return length >= 4 && (b[start + 1] & 0x07) <= 1 && (b[start] & 0x07) === 0 && (b[start + 1] & 0x78) === 0;
    default:
      return false;
  }
}

/** ESP fields for the outer-layers view: SPI and sequence number (RFC 4303 §2.1, §2.2). */
export const describeEsp: LayerDescriber = (b, offset, end) => {
  if (offset + 8 > end) return undefined;
  return { 'esp.spi': `0x${u32(b, offset).toString(16).padStart(8, '0')}`, 'esp.sequence': u32(b, offset + 4) };
};
