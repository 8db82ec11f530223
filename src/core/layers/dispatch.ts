import { type LayerDecoder, type PacketDecodeState } from './packet.js';

/**
 * Dispatch tables, the way Wireshark's epan and gopacket pick the next dissector: by link type, by
 * ethertype, by IP protocol number and by PPP protocol. The tables are filled by `registry.ts`; decoders
 * only call the `dispatch*` functions, so no decoder imports another.
 */
export const linkTypeDecoders = new Map<number, LayerDecoder>();
export const etherTypeDecoders = new Map<number, LayerDecoder>();
export const ipProtocolDecoders = new Map<number, LayerDecoder>();
export const pppProtocolDecoders = new Map<number, LayerDecoder>();

/** Ethertypes of frames that are not IP and never carry SIP: stop quietly, nothing is wrong with them. */
const quietEtherTypes = new Set([0x0806 /* ARP */, 0x88cc /* LLDP */, 0x8035 /* RARP */, 0x88e5 /* MACsec */, 0x8809 /* slow protocols */]);

export function dispatchEtherType(state: PacketDecodeState, etherType: number, offset: number): void {
  const decoder = etherTypeDecoders.get(etherType);
  if (decoder) decoder(state, offset);
  else if (!quietEtherTypes.has(etherType)) state.push(`ethertype-0x${etherType.toString(16).padStart(4, '0')}`, offset);
}

export function dispatchIpProtocol(state: PacketDecodeState, protocol: number, offset: number): void {
  const decoder = ipProtocolDecoders.get(protocol);
  if (decoder) decoder(state, offset);
  else state.push(`ip-proto-${protocol}`, offset);
}

export function dispatchPppProtocol(state: PacketDecodeState, protocol: number, offset: number): void {
  const decoder = pppProtocolDecoders.get(protocol);
  if (decoder) decoder(state, offset);
  else state.push(`ppp-0x${protocol.toString(16).padStart(4, '0')}`, offset);
}
