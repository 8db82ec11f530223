import { truncated } from '../diagnostics.js';
import { u16, u32 } from './bounds.js';
import type { LayerDescriber } from './dispatch.js';
import { dispatchInnerEthernet, tooDeep, tunnelPayloadEnd } from './nesting.js';
import type { PacketDecodeState } from './packet.js';

const VXLAN_I = 0x08; // VNI valid (RFC 7348 §5)
const VXLAN_GBP_G = 0x80; // group policy extension (draft-smith-vxlan-group-policy): uses reserved bits 8-31

/**
 * VXLAN (RFC 7348 §5, UDP 4789): Flags(8, I = 0x08) Reserved(24) VNI(24) Reserved(8), then an Ethernet
 * frame. Reached by UDP port or decode-as: the header is accepted only when the I flag is set and the
 * reserved bytes after the flags are zero (RFC 7348 §5 has senders zero them; the group-policy extension,
 * G flag, uses them). Anything else on the port is left to SIP content detection, untouched.
 */
export function decodeVxlan(state: PacketDecodeState, offset: number): void {
  const b = state.bytes;
  const end = tunnelPayloadEnd(state, offset);
  if (offset + 8 > end) return;
  const flags = b[offset];
  if ((flags & VXLAN_I) === 0) return;
  if ((flags & VXLAN_GBP_G) === 0 && (b[offset + 1] | b[offset + 2] | b[offset + 3]) !== 0) return;
  if (tooDeep(state, 'vxlan', offset)) return;
  state.enterTunnel();
  state.end = end;
  state.push('vxlan', offset);
  if (offset + 8 + 14 > end) {
    state.diagnose(truncated('vxlan', `${end - offset - 8} byte(s) after the VXLAN header: no room for an Ethernet frame`, offset + 8));
    return;
  }
  dispatchInnerEthernet(state, offset + 8, 'vxlan');
}

/** VXLAN fields for the outer-layers view: the VXLAN network identifier. */
export const describeVxlan: LayerDescriber = (b, offset, end) => {
  if (offset + 8 > end) return undefined;
  const fields: Record<string, string | number> = { 'vxlan.vni': u32(b, offset + 4) >>> 8 };
  if (b[offset] & VXLAN_GBP_G) fields['vxlan.gbp'] = u16(b, offset + 2);
  return fields;
};
