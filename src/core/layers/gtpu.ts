import { malformed, truncated, unsupported } from '../diagnostics.js';
import { u16, u32 } from './bounds.js';
import type { LayerDescriber } from './dispatch.js';
import { dispatchInnerIp, tooDeep, tunnelPayloadEnd } from './nesting.js';
import type { PacketDecodeState } from './packet.js';

const GTP_E = 0x04; // next extension header present (TS 29.281 §5.1)
const GTP_S = 0x02; // sequence number present
const GTP_PN = 0x01; // N-PDU number present
/** TS 29.281 §6.1: G-PDU, the message that carries a user packet (T-PDU). */
const G_PDU = 255;
/** Bound on chained extension headers (TS 29.281 §5.2 defines a handful; N3 uses one or two). */
const MAX_EXTENSION_HEADERS = 16;

/**
 * GTPv1-U (3GPP TS 29.281 §5, UDP 2152, over IPv4 or IPv6): Version(3)=1 PT(1)=1 spare(1) E S PN,
 * message type(1), length(2) of what follows the first 8 bytes, TEID(4); when any of E/S/PN is set,
 * sequence number(2), N-PDU number(1) and next extension header type(1); then the extension headers
 * (§5.2: length(1) in 4-octet units, content, next type(1)), e.g. the PDU Session Container (0x85) on N3.
 * A G-PDU (255) carries the UE's IPv4 or IPv6 packet; other messages (echo, error indication, end marker)
 * carry none. Bytes on the port that are not GTPv1-U (version or PT wrong) are left to SIP content
 * detection: a SIP start line begins with an ASCII letter, which reads as version 2.
 */
export function decodeGtpu(state: PacketDecodeState, offset: number): void {
  const b = state.bytes;
  const end = tunnelPayloadEnd(state, offset);
  if (offset + 8 > end) return;
  const flags = b[offset];
  if (flags >> 5 !== 1 || (flags & 0x10) === 0) return;
  const length = u16(b, offset + 2);
  const declaredEnd = offset + 8 + length;
  if (tooDeep(state, 'gtpu', offset)) return;
  const cut = state.payloadTruncated;
  state.enterTunnel();
  state.push('gtpu', offset);
  if (declaredEnd > end) {
    // The capture cut the datagram, or the length contradicts the UDP length: decode what is there.
    if (cut) state.diagnose(truncated('gtpu', `message of ${8 + length} bytes, ${end - offset} captured`, offset));
    else state.diagnose(malformed('gtpu', `length ${length} runs past the end of the UDP datagram (${end - offset - 8} bytes after the header)`, offset));
  }
  const messageEnd = Math.min(declaredEnd, end);
  state.end = messageEnd;
  const messageType = b[offset + 1];
  let at = offset + 8;
  if (flags & (GTP_E | GTP_S | GTP_PN)) {
    if (at + 4 > declaredEnd) {
      state.diagnose(malformed('gtpu', `E/S/PN flags set but the length (${length}) leaves no room for the optional fields`, offset));
      return;
    }
    if (at + 4 > messageEnd) {
      state.diagnose(truncated('gtpu', 'optional fields cut by the capture', at));
      return;
    }
    let next = flags & GTP_E ? b[at + 3] : 0;
    at += 4;
    for (let count = 0; next !== 0; count++) {
      if (count === MAX_EXTENSION_HEADERS) {
        state.diagnose(malformed('gtpu', `more than ${MAX_EXTENSION_HEADERS} extension headers`, at));
        return;
      }
      if (at + 1 > messageEnd) {
        state.diagnose(truncated('gtpu', `extension header 0x${next.toString(16)} cut by the capture`, at));
        return;
      }
      // TS 29.281 §5.2.1: the length counts the whole extension header in 4-octet units; 0 is invalid.
      const extensionLength = b[at] * 4;
      if (extensionLength === 0) {
        state.diagnose(malformed('gtpu', `extension header 0x${next.toString(16)} with length 0`, at));
        return;
      }
      if (at + extensionLength > declaredEnd) {
        state.diagnose(malformed('gtpu', `extension header 0x${next.toString(16)} of ${extensionLength} bytes runs past the message`, at));
        return;
      }
      if (at + extensionLength > messageEnd) {
        state.diagnose(truncated('gtpu', `extension header 0x${next.toString(16)} cut by the capture`, at));
        return;
      }
      next = b[at + extensionLength - 1];
      at += extensionLength;
    }
  }
  if (messageType !== G_PDU) return; // echo, error indication, end marker...: signalling of the tunnel itself
  if (at >= messageEnd) {
    if (at < declaredEnd) state.diagnose(truncated('gtpu', 'T-PDU cut by the capture', at));
    return;
  }
  if (!dispatchInnerIp(state, at, 'gtpu')) {
    // Ethernet and unstructured PDU sessions (TS 29.281 §5.1 NOTE, TS 23.501 §5.6.10) carry no IP packet.
    state.diagnose(unsupported('gtpu', `T-PDU is not IPv4 or IPv6 (first nibble ${b[at] >> 4})`, at));
  }
}

/** GTP-U fields for the outer-layers view: the tunnel endpoint identifier and the message type. */
export const describeGtpu: LayerDescriber = (b, offset, end) => {
  if (offset + 8 > end) return undefined;
  return { 'gtp.teid': `0x${u32(b, offset + 4).toString(16).padStart(8, '0')}`, 'gtp.message': b[offset + 1] };
};
