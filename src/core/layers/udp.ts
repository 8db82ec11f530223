import { malformed, truncated } from '../diagnostics.js';
import { captured, u16 } from './bounds.js';
import { dispatchUdpPayload, namedPayloadDecoders } from './dispatch.js';
import { Transport, type PacketDecodeState } from './packet.js';

/** UDP (RFC 768). The payload ends at the UDP length, clipped to what was captured. */
export function decodeUdp(state: PacketDecodeState, offset: number): void {
  if (!captured(state, offset, 8, 'udp')) return;
  const b = state.bytes;
  state.push('udp', offset);
  state.transport = Transport.UDP;
  state.srcPort = u16(b, offset);
  state.dstPort = u16(b, offset + 2);
  const length = u16(b, offset + 4);
  state.payloadStart = offset + 8;
  let end = offset + length;
  if (length < 8) {
    // Offloaded (length 0) or broken: use the IP payload.
    if (length !== 0) state.diagnose(malformed('udp', `length ${length} is below the 8-byte header`, offset));
    end = state.end;
  } else if (end > state.end) {
    state.diagnose(truncated('udp', `datagram of ${length} bytes, ${state.end - offset} captured`, offset));
    state.payloadTruncated = true;
    end = state.end;
  }
  state.payloadEnd = end;
  // Tunnels and mirrors carried over UDP (GTP-U, VXLAN, ESP-in-UDP, HEP), by port or decode-as.
  if (end <= state.payloadStart) return;
  const start = state.payloadStart;
  const depth = state.stack.length;
  dispatchUdpPayload(state, start);
  // HEP collectors listen on any port: a payload no port decoder took (and no decode-as rule names) that
  // starts with the HEP3 magic "HEP3" is HEP (sipcapture HEP3 specification §2).
  if (state.stack.length === depth && start + 4 <= end && b[start] === 0x48 && b[start + 1] === 0x45 && b[start + 2] === 0x50 && b[start + 3] === 0x33) {
    const rules = state.decodeAs.udp;
    if (!rules.has(state.dstPort) && !rules.has(state.srcPort)) namedPayloadDecoders.get('hep')?.(state, start);
  }
}
