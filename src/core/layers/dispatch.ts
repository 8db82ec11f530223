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
/**
 * UDP payload decoders by well-known port (GTP-U 2152, VXLAN 4789, ESP-in-UDP 4500, HEP 9060). A decoder
 * reached this way checks its header; when the bytes are not its protocol it returns without pushing a
 * layer, leaving the UDP payload for SIP content detection. When it accepts, it calls
 * `state.enterTunnel()` before dispatching what it carries.
 */
export const udpPortDecoders = new Map<number, LayerDecoder>();
/** 1 for the ports in `udpPortDecoders` (registered with `claimUdpPort`). */
const udpPortClaimed = new Uint8Array(65536);

export function claimUdpPort(port: number, decoder: LayerDecoder): void {
  udpPortDecoders.set(port, decoder);
  udpPortClaimed[port] = 1;
}
/** The same for decode-as rules: protocol name to the decoder of its header. */
export const namedPayloadDecoders = new Map<string, LayerDecoder>();

/** A layer's fields for the "outer layers" view (tunnel ids, outer addresses), read from its header. */
export type LayerDescriber = (bytes: Uint8Array, offset: number, end: number) => Record<string, string | number> | undefined;
/** Describers by layer short name (the names pushed on `state.stack`). */
export const layerDescribers = new Map<string, LayerDescriber>();

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

/**
 * Dispatches a UDP payload: a decode-as rule for either port first, then the well-known port table (the
 * destination port, then the source port). Returns true when a payload decoder was tried.
 */
export function dispatchUdpPayload(state: PacketDecodeState, offset: number): boolean {
  const rules = state.decodeAs.udp;
  if (rules.size > 0) {
    const forced = rules.get(state.dstPort) ?? rules.get(state.srcPort);
    if (forced !== undefined) {
      const decoder = namedPayloadDecoders.get(forced);
      if (decoder) decoder(state, offset);
      return true;
    }
  }
  // Most UDP is SIP or RTP on ports no decoder claims: a bitmap answers those without hashing.
  if (udpPortClaimed[state.dstPort] === 0 && udpPortClaimed[state.srcPort] === 0) return false;
  const decoder = udpPortDecoders.get(state.dstPort) ?? udpPortDecoders.get(state.srcPort);
  if (!decoder) return false;
  decoder(state, offset);
  return true;
}
