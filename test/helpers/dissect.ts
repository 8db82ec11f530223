/**
 * Dissecting one frame for the layer tests, and what they check about the result: the layer stack, the
 * innermost addresses, the payload text and the diagnostics.
 */
import { layerDescribers } from '../../src/core/layers/dispatch.js';
import { dissectPacket } from '../../src/core/layers/dissect.js';
import { PacketDecodeState } from '../../src/core/layers/packet.js';
import { LinkType } from '../../src/core/layers/registry.js';
import { formatIpv4, formatIpv6 } from '../../src/core/net/address.js';

/** `eth/ipv4/udp`, the addresses ('' without IP), the payload as text, and the diagnostics as `kind layer: message`. */
export function decoded(state: PacketDecodeState) {
  const b = state.bytes;
  const addr = (o: number) => (state.ipVersion === 4 ? formatIpv4(b, o) : formatIpv6(b, o));
  return {
    stack: state.stack.join('/'),
    src: state.ipVersion ? addr(state.srcAddrOffset) : '',
    dst: state.ipVersion ? addr(state.dstAddrOffset) : '',
    payload: new TextDecoder().decode(b.subarray(state.payloadStart, state.payloadEnd)),
    diagnostics: (state.diagnostics ?? []).map((d) => `${d.kind} ${d.layer}: ${d.message}`),
  };
}

export interface DissectOptions {
  /** Default Ethernet. */
  linkType?: number;
  /** Bytes captured (a snap length shorter than the frame); default all of it. */
  capturedLength?: number;
  /** The state to decode into (e.g. with decode-as rules set); default a fresh one. */
  state?: PacketDecodeState;
}

/**
 * Dissects `data` as one captured frame. Besides `decoded(state)`, `describe(layer)` gives what the layer's
 * describer (`layerDescribers`) says about it, `undefined` when the layer is not in the stack.
 */
export function dissect(data: Uint8Array, options: DissectOptions = {}) {
  const { linkType = LinkType.ETHERNET, capturedLength = data.length, state = new PacketDecodeState() } = options;
  dissectPacket(state, linkType, data, capturedLength);
  const describe = (layer: string) => {
    const i = state.stack.indexOf(layer);
    return i < 0 ? undefined : layerDescribers.get(layer)?.(state.bytes, state.layerStarts[i], capturedLength);
  };
  return { state, ...decoded(state), describe };
}
