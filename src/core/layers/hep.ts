import { malformed, note, truncated, unsupported } from '../diagnostics.js';
import { u16, u32 } from './bounds.js';
import type { LayerDescriber } from './dispatch.js';
import { PacketDecodeState, Transport, type HepInfo } from './packet.js';

/**
 * HEP, the Homer Encapsulation Protocol (a.k.a. EEP): capture agents (heplify, Kamailio/OpenSIPS siptrace,
 * sngrep -H, FreeSWITCH, Asterisk res_hep) mirror each SIP packet to a collector with its original
 * addresses, ports and capture time. References: the sipcapture HEP3 specification ("HEP3 Network Protocol
 * Specification", rev. 36) for v3, and Kamailio's sipcapture module (hep.c/hep.h), the canonical v1/v2
 * receiver, for the older fixed-layout versions, which have no written specification.
 */
export const HEP_PORT = 9060;

/** Chunk types of the generic vendor (0x0000), HEP3 specification §3 ("generic chunk types"). */
const enum Chunk {
  IpFamily = 0x01,
  IpProtocol = 0x02,
  Ipv4Src = 0x03,
  Ipv4Dst = 0x04,
  Ipv6Src = 0x05,
  Ipv6Dst = 0x06,
  SrcPort = 0x07,
  DstPort = 0x08,
  TimeSec = 0x09,
  TimeUsec = 0x0a,
  ProtocolType = 0x0b,
  CaptureId = 0x0c,
  KeepAlive = 0x0d,
  AuthKey = 0x0e,
  Payload = 0x0f,
  CompressedPayload = 0x10,
  CorrelationId = 0x11,
  Vlan = 0x12,
  NodeName = 0x13,
}

/** The 6-byte chunk header: vendor id, type id, length (which counts the header). */
const CHUNK_HEADER = 6;
/** Address families as Linux numbers them (AF_INET, AF_INET6): what the agents write. */
const AF_INET = 2;
const AF_INET6 = 10;

const text = new TextDecoder('utf-8', { fatal: false });

/** True when `bytes[offset..]` starts with the HEP3 magic "HEP3" (0x48 0x45 0x50 0x33). */
export function isHep3(bytes: Uint8Array, offset: number, end: number): boolean {
  return offset + 4 <= end && bytes[offset] === 0x48 && bytes[offset + 1] === 0x45 && bytes[offset + 2] === 0x50 && bytes[offset + 3] === 0x33;
}

/** True when the bytes start like a HEP v1/v2 header (no magic: version 1 or 2, then a known family). */
function looksLikeHep2(bytes: Uint8Array, offset: number, end: number): boolean {
  if (offset + 8 > end) return false;
  const version = bytes[offset];
  const family = bytes[offset + 2];
  return (version === 1 || version === 2) && (family === AF_INET || family === AF_INET6);
}

function transportOf(ipProtocol: number): Transport {
  if (ipProtocol === 6) return Transport.TCP;
  if (ipProtocol === 132) return Transport.SCTP;
  // UDP (17), and anything else an agent labels oddly: the payload is a datagram as far as we can tell.
  return Transport.UDP;
}

/** Where the HEP packet ends: the UDP datagram end when reached from UDP, else the captured end. */
function packetEnd(state: PacketDecodeState, offset: number): number {
  if (state.transport !== Transport.None && state.payloadEnd > offset && state.payloadEnd <= state.end) return state.payloadEnd;
  return state.end;
}

/**
 * Decodes a HEP v3 packet (magic "HEP3") or a HEP v1/v2 packet at `offset`. When the bytes are not HEP it
 * returns without pushing a layer (the UDP payload then goes to SIP detection). On success it enters the
 * tunnel and sets addresses (the offsets of the address bytes inside the HEP packet), ports, transport,
 * the payload (the captured packet it carries) and `state.hep`. A malformed HEP packet gets a diagnostic
 * and leaves no payload. Works as well on a buffer that holds one HEP packet read from a TCP stream.
 */
export function decodeHep(state: PacketDecodeState, offset: number): void {
  const end = packetEnd(state, offset);
  if (isHep3(state.bytes, offset, end)) decodeHep3(state, offset, end);
  else if (looksLikeHep2(state.bytes, offset, end)) decodeHep2(state, offset, end);
}

function decodeHep3(state: PacketDecodeState, offset: number, end: number): void {
  const b = state.bytes;
  const cutByCapture = state.payloadTruncated;
  state.enterTunnel();
  state.push('hep3', offset);
  if (offset + 6 > end) {
    state.diagnose(truncated('hep3', `HEP3 header needs 6 bytes, ${end - offset} captured`, offset));
    return;
  }
  // HEP3 spec §2: "HEP3", then the total length in bytes (header included).
  const totalLength = u16(b, offset + 4);
  if (totalLength < 6) {
    state.diagnose(malformed('hep3', `total length ${totalLength} is below the 6-byte header`, offset));
    return;
  }
  let hepEnd = offset + totalLength;
  let cut = false;
  if (hepEnd > end) {
    if (!cutByCapture && state.stack.length > 1 && state.stack[state.stack.length - 2] === 'udp') {
      state.diagnose(malformed('hep3', `total length ${totalLength} exceeds the ${end - offset} bytes of the datagram`, offset));
      return;
    }
    state.diagnose(truncated('hep3', `HEP3 packet of ${totalLength} bytes, ${end - offset} captured`, offset));
    hepEnd = end;
    cut = true;
  }

  let family = 0;
  let ipProtocol = 17;
  let src4 = -1;
  let dst4 = -1;
  let src6 = -1;
  let dst6 = -1;
  let srcPort = 0;
  let dstPort = 0;
  let payloadStart = -1;
  let payloadEnd = -1;
  let payloadCut = false;
  let compressed = false;
  const info: HepInfo = { version: 3, tsSec: 0, tsUsec: 0, captureId: 0, protocolType: undefined, correlationId: undefined, nodeName: undefined };

  // Chunks are at least 6 bytes and the walk stays inside the 64 KiB total length: bounded.
  let at = offset + 6;
  while (at < hepEnd) {
    if (at + CHUNK_HEADER > hepEnd) {
      if (cut) state.diagnose(truncated('hep3', `chunk header cut after ${hepEnd - at} bytes`, at));
      else state.diagnose(malformed('hep3', `${hepEnd - at} bytes at the end are too few for a chunk header`, at));
      if (!cut) return;
      break;
    }
    const vendor = u16(b, at);
    const type = u16(b, at + 2);
    const length = u16(b, at + 4);
    if (length < CHUNK_HEADER) {
      state.diagnose(malformed('hep3', `chunk type 0x${type.toString(16)} has length ${length}, below its 6-byte header`, at));
      return;
    }
    const data = at + CHUNK_HEADER;
    let chunkEnd = at + length;
    if (chunkEnd > hepEnd) {
      if (!cut) {
        state.diagnose(malformed('hep3', `chunk type 0x${type.toString(16)} of ${length} bytes runs past the packet end`, at));
        return;
      }
      if (vendor !== 0 || type !== Chunk.Payload) {
        state.diagnose(truncated('hep3', `chunk type 0x${type.toString(16)} cut by the capture`, at));
        break;
      }
      chunkEnd = hepEnd;
      payloadCut = true;
    }
    const size = chunkEnd - data;
    // Vendor-specific chunks (vendor id != 0) are skipped, as every receiver does.
    if (vendor === 0) {
      const fixed = (want: number): boolean => {
        if (size === want) return true;
        state.diagnose(malformed('hep3', `chunk type 0x${type.toString(16)} has ${size} data bytes, expected ${want}`, at));
        return false;
      };
      switch (type) {
        case Chunk.IpFamily:
          if (fixed(1)) family = b[data];
          break;
        case Chunk.IpProtocol:
          if (fixed(1)) ipProtocol = b[data];
          break;
        case Chunk.Ipv4Src:
          if (fixed(4)) src4 = data;
          break;
        case Chunk.Ipv4Dst:
          if (fixed(4)) dst4 = data;
          break;
        case Chunk.Ipv6Src:
          if (fixed(16)) src6 = data;
          break;
        case Chunk.Ipv6Dst:
          if (fixed(16)) dst6 = data;
          break;
        case Chunk.SrcPort:
          if (fixed(2)) srcPort = u16(b, data);
          break;
        case Chunk.DstPort:
          if (fixed(2)) dstPort = u16(b, data);
          break;
        case Chunk.TimeSec:
          if (fixed(4)) info.tsSec = u32(b, data);
          break;
        case Chunk.TimeUsec:
          if (fixed(4)) info.tsUsec = u32(b, data);
          break;
        case Chunk.ProtocolType:
          if (fixed(1)) info.protocolType = b[data];
          break;
        case Chunk.CaptureId:
          // A 32-bit agent id (spec); some old agents wrote 16 bits.
          if (size === 2) info.captureId = u16(b, data);
          else if (fixed(4)) info.captureId = u32(b, data);
          break;
        case Chunk.Payload:
          payloadStart = data;
          payloadEnd = chunkEnd;
          break;
        case Chunk.CompressedPayload:
          compressed = true;
          break;
        case Chunk.CorrelationId:
          info.correlationId = text.decode(b.subarray(data, chunkEnd));
          break;
        case Chunk.NodeName:
          info.nodeName = text.decode(b.subarray(data, chunkEnd));
          break;
        // KeepAlive, AuthKey (a shared secret: never shown), Vlan and later types carry nothing we use.
        default:
          break;
      }
    }
    if (payloadCut) break;
    at += length;
  }

  state.hep = info;
  if (payloadStart < 0) {
    if (compressed) state.diagnose(unsupported('hep3', 'the payload is compressed (chunk 0x10, gzip): not decoded'));
    else if (cut) state.diagnose(truncated('hep3', 'the payload chunk (0x0f) was not captured', offset));
    else state.diagnose(malformed('hep3', 'no payload chunk (0x0f)', offset));
    return;
  }
  // The addresses of the mirrored packet: both IPv4 or both IPv6 chunks must be present.
  if (src4 >= 0 && dst4 >= 0 && family !== AF_INET6) {
    state.ipVersion = 4;
    state.srcAddrOffset = src4;
    state.dstAddrOffset = dst4;
  } else if (src6 >= 0 && dst6 >= 0 && family !== AF_INET) {
    state.ipVersion = 6;
    state.srcAddrOffset = src6;
    state.dstAddrOffset = dst6;
  } else {
    const report = cut ? truncated : malformed;
    state.diagnose(report('hep3', `no source and destination address chunks${family ? ` for address family ${family}` : ''}`, offset));
    return;
  }
  state.transport = transportOf(ipProtocol);
  state.srcPort = srcPort;
  state.dstPort = dstPort;
  state.payloadStart = payloadStart;
  state.payloadEnd = payloadEnd;
  state.payloadTruncated = payloadCut;
}

/**
 * HEP v1 and v2 (Kamailio sipcapture hep.h): `version u8, length u8, family u8, protocol u8, source port
 * u16, destination port u16` (8 bytes, network order), the two addresses (4 or 16 bytes each), and in v2
 * a time header `seconds u32, microseconds u32, capture id u16` padded to 12 bytes, written in the
 * agent's host byte order (little-endian on every agent in use; Kamailio reads it with to_le()). The
 * payload follows. The length byte is unreliable (agents disagree on what it counts; Kamailio ignores it),
 * so the layout comes from the version and family.
 */
function decodeHep2(state: PacketDecodeState, offset: number, end: number): void {
  const b = state.bytes;
  const version = b[offset];
  const family = b[offset + 2];
  const ipProtocol = b[offset + 3];
  const addressLength = family === AF_INET ? 4 : 16;
  const headerLength = 8 + 2 * addressLength + (version === 2 ? 12 : 0);
  const cutByCapture = state.payloadTruncated;
  state.enterTunnel();
  state.push('hep2', offset);
  if (offset + headerLength > end) {
    const report = cutByCapture ? truncated : malformed;
    state.diagnose(report('hep2', `HEP v${version} header needs ${headerLength} bytes, ${end - offset} available`, offset));
    return;
  }
  const info: HepInfo = { version: 2, tsSec: 0, tsUsec: 0, captureId: 0, protocolType: undefined, correlationId: undefined, nodeName: undefined };
  if (version === 2) {
    const t = offset + 8 + 2 * addressLength;
    info.tsSec = le32(b, t);
    info.tsUsec = le32(b, t + 4);
    info.captureId = b[t + 8] | (b[t + 9] << 8);
  } else {
    state.diagnose(note('hep2', 'HEP v1: no capture time or capture id in the header', offset));
  }
  state.hep = info;
  state.ipVersion = family === AF_INET ? 4 : 6;
  state.srcAddrOffset = offset + 8;
  state.dstAddrOffset = offset + 8 + addressLength;
  state.transport = transportOf(ipProtocol);
  state.srcPort = u16(b, offset + 4);
  state.dstPort = u16(b, offset + 6);
  state.payloadStart = offset + headerLength;
  state.payloadEnd = end;
  state.payloadTruncated = cutByCapture;
}

function le32(bytes: Uint8Array, offset: number): number {
  return (bytes[offset] | (bytes[offset + 1] << 8) | (bytes[offset + 2] << 16) | (bytes[offset + 3] << 24)) >>> 0;
}

/** Agent time as ISO 8601 UTC with microseconds. */
function agentTime(sec: number, usec: number): string {
  const iso = new Date(sec * 1000).toISOString();
  return `${iso.slice(0, 19)}.${String(usec % 1_000_000).padStart(6, '0')}Z`;
}

/** Scratch state for the describer, never the engine's: describing must not disturb a packet in progress. */
let describeState: PacketDecodeState | undefined;

/** The outer-layer view of a `hep3`/`hep2` layer: version, capture id, agent time, correlation id, node name. */
export const describeHep: LayerDescriber = (bytes, offset, end) => {
  const state = (describeState ??= new PacketDecodeState());
  state.reset(bytes, end);
  decodeHep(state, offset);
  const info = state.hep;
  state.reset(new Uint8Array(0), 0);
  if (!info) return undefined;
  // Field names in Wireshark's style (its HEP dissector names them hep.*), ready for display filters.
  const fields: Record<string, string | number> = { 'hep.version': info.version, 'hep.capture_id': info.captureId };
  if (info.tsSec || info.tsUsec) fields['hep.agent_time'] = agentTime(info.tsSec, info.tsUsec);
  if (info.protocolType !== undefined) fields['hep.protocol_type'] = info.protocolType;
  if (info.correlationId !== undefined) fields['hep.correlation_id'] = info.correlationId;
  if (info.nodeName !== undefined) fields['hep.node_name'] = info.nodeName;
  return fields;
};
