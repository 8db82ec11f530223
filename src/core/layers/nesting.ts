import { malformed } from '../diagnostics.js';
import { captured } from './bounds.js';
import { dispatchEtherType, linkTypeDecoders } from './dispatch.js';
import { Transport, type PacketDecodeState } from './packet.js';

/**
 * Helpers shared by the tunnel decoders (GRE, ERSPAN, VXLAN, MPLS, GTP-U, ESP).
 *
 * Bound on the layers of one packet. Tunnels can nest (Ethernet in GRE in IP in MPLS in Ethernet...), and
 * each layer is a nested call: a crafted packet of repeated tunnel headers must stop with a diagnostic
 * long before the call stack runs out. No real capture comes near 32 layers.
 */
export const MAX_LAYERS = 32;

/**
 * True (with a `malformed` diagnostic for `layer`) when the packet already has `MAX_LAYERS` layers, so that
 * a tunnel decoder stops instead of nesting further.
 */
export function tooDeep(state: PacketDecodeState, layer: string, offset: number): boolean {
  if (state.stack.length < MAX_LAYERS) return false;
  state.diagnose(malformed(layer, `more than ${MAX_LAYERS} nested layers: decoding stopped`, offset));
  return true;
}

/** LINKTYPE_ETHERNET: tunnels that carry whole Ethernet frames hand them to the link-layer table. */
const LINKTYPE_ETHERNET = 1;

/** Decodes an Ethernet frame carried inside a tunnel (through the link-type table: no decoder imports another). */
export function dispatchInnerEthernet(state: PacketDecodeState, offset: number, layer: string): void {
  if (tooDeep(state, layer, offset)) return;
  linkTypeDecoders.get(LINKTYPE_ETHERNET)?.(state, offset);
}

/**
 * Decodes an IP packet carried without a type field (GTP-U G-PDU, MPLS, ERSPAN III IP frames): the version
 * nibble says IPv4 or IPv6. Returns false (nothing dispatched, nothing recorded) when it is neither, so the
 * caller can say what it expected.
 */
export function dispatchInnerIp(state: PacketDecodeState, offset: number, layer: string): boolean {
  if (!captured(state, offset, 1, layer) || tooDeep(state, layer, offset)) return true;
  const version = state.bytes[offset] >> 4;
  if (version === 4) dispatchEtherType(state, 0x0800, offset);
  else if (version === 6) dispatchEtherType(state, 0x86dd, offset);
  else return false;
  return true;
}

/**
 * End of a tunnel's bytes: a tunnel reached from UDP ends with the UDP payload (the UDP length), not with
 * the IP datagram (Ethernet padding or a trailer may follow).
 */
export function tunnelPayloadEnd(state: PacketDecodeState, offset: number): number {
  return state.transport === Transport.UDP && state.payloadEnd > offset && state.payloadEnd <= state.end ? state.payloadEnd : state.end;
}
