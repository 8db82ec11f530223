/**
 * Builds a synthetic Ethernet / IPv4-or-IPv6 / UDP frame around a payload, with every length field and
 * checksum right, so that what a socket received (a HEP packet) can be stored in a capture file and decoded
 * by tshark and by our own engine as if it had been sniffed on the wire. Node-side because the callers
 * (capture sources) are; the layout is the RFCs' and nothing here touches Node APIs but `node:net`'s
 * address checks.
 */
import { isIPv4, isIPv6 } from 'node:net';

/** LINKTYPE_ETHERNET (tcpdump.org/linktypes.html). */
export const LINKTYPE_ETHERNET = 1;

const ETHERNET_HEADER = 14;
const IPV4_HEADER = 20;
const IPV6_HEADER = 40;
const UDP_HEADER = 8;

/**
 * The largest payload one UDP datagram can carry: IPv4's total length (RFC 791 §3.1) is 16 bits and counts
 * the 20-byte IP header and the 8-byte UDP header; IPv6's payload length (RFC 8200 §3) counts the UDP
 * header only (jumbograms, RFC 2675, are not for this).
 */
export const MAX_UDP_PAYLOAD_IPV4 = 0xffff - IPV4_HEADER - UDP_HEADER;
export const MAX_UDP_PAYLOAD_IPV6 = 0xffff - UDP_HEADER;

export interface UdpEndpoint {
  /** IPv4 dotted quad or IPv6 text (IPv4-mapped `::ffff:a.b.c.d` allowed). */
  address: string;
  port: number;
}

/** Locally administered MAC addresses (IEEE 802 U/L bit set), so nobody mistakes them for real NICs. */
const SOURCE_MAC = [0x02, 0x00, 0x00, 0x00, 0x00, 0x01];
const DESTINATION_MAC = [0x02, 0x00, 0x00, 0x00, 0x00, 0x02];

/** The IPv4 address inside an IPv4-mapped IPv6 address (RFC 4291 §2.5.5.2), or the text itself. */
export function unmapIpv4(address: string): string {
  const match = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  return match ? match[1] : address;
}

function ipv4Bytes(address: string): Uint8Array | undefined {
  if (!isIPv4(address)) return undefined;
  return Uint8Array.from(address.split('.').map(Number));
}

function ipv6Bytes(address: string): Uint8Array | undefined {
  // Zone ids (fe80::1%eth0) name an interface, not part of the address.
  const bare = address.replace(/%.*$/, '');
  if (!isIPv6(bare)) return undefined;
  let text = bare;
  // An embedded dotted quad (::ffff:1.2.3.4) becomes its two 16-bit groups.
  const dotted = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (dotted) {
    const q = dotted[1].split('.').map(Number);
    text = text.slice(0, -dotted[1].length) + `${((q[0] << 8) | q[1]).toString(16)}:${((q[2] << 8) | q[3]).toString(16)}`;
  }
  const halves = text.split('::');
  const groups = (h: string): number[] => (h === '' ? [] : h.split(':').map((g) => parseInt(g, 16)));
  const head = groups(halves[0]);
  const tail = halves.length === 2 ? groups(halves[1]) : [];
  const all = [...head, ...new Array<number>(8 - head.length - tail.length).fill(0), ...tail];
  const out = new Uint8Array(16);
  all.forEach((g, i) => {
    out[2 * i] = g >> 8;
    out[2 * i + 1] = g & 0xff;
  });
  return out;
}

/**
 * The two addresses in one family: IPv4 when both are IPv4 (or IPv4-mapped, as a dual-stack socket reports
 * IPv4 peers), else IPv6 (an IPv4 one then written IPv4-mapped). Undefined when either is not an address.
 */
function addressPair(src: string, dst: string): { version: 4 | 6; src: Uint8Array; dst: Uint8Array } | undefined {
  const src4 = ipv4Bytes(unmapIpv4(src));
  // A dual-stack socket bound to `::` receiving from an IPv4 peer: the unspecified address of its family.
  const dst4 = ipv4Bytes(src4 && dst === '::' ? '0.0.0.0' : unmapIpv4(dst));
  if (src4 && dst4) return { version: 4, src: src4, dst: dst4 };
  const src6 = ipv6Bytes(src4 ? `::ffff:${unmapIpv4(src)}` : src);
  const dst6 = ipv6Bytes(dst4 ? `::ffff:${unmapIpv4(dst)}` : dst);
  if (src6 && dst6) return { version: 6, src: src6, dst: dst6 };
  return undefined;
}

/** One's-complement sum of 16-bit big-endian words (RFC 1071 §4.1), not yet folded. */
function sum16(bytes: Uint8Array, start: number, end: number, sum: number): number {
  let i = start;
  for (; i + 1 < end; i += 2) sum += (bytes[i] << 8) | bytes[i + 1];
  if (i < end) sum += bytes[i] << 8;
  return sum;
}

function fold(sum: number): number {
  while (sum > 0xffff) sum = (sum & 0xffff) + Math.floor(sum / 0x10000);
  return sum;
}

export type UdpFrameResult = { frame: Uint8Array; ipVersion: 4 | 6 } | { error: string };

/**
 * Ethernet II (ethertype 0x0800 / 0x86dd) + IPv4 (RFC 791, header checksum per RFC 1071) or IPv6 (RFC 8200)
 * + UDP (RFC 768; checksum over the pseudo-header, mandatory on IPv6, RFC 8200 §8.1) carrying `payload`.
 * Returns an error text, never throws, when an address is not one or the payload cannot fit a datagram.
 */
export function buildUdpFrame(source: UdpEndpoint, destination: UdpEndpoint, payload: Uint8Array, ipIdentification = 0): UdpFrameResult {
  const pair = addressPair(source.address, destination.address);
  if (!pair) return { error: `cannot build an IP header from ${source.address} to ${destination.address}` };
  const max = pair.version === 4 ? MAX_UDP_PAYLOAD_IPV4 : MAX_UDP_PAYLOAD_IPV6;
  if (payload.length > max) return { error: `${payload.length} bytes do not fit one IPv${pair.version} UDP datagram (at most ${max})` };
  const ipHeader = pair.version === 4 ? IPV4_HEADER : IPV6_HEADER;
  const udpLength = UDP_HEADER + payload.length;
  const frame = new Uint8Array(ETHERNET_HEADER + ipHeader + udpLength);
  const dv = new DataView(frame.buffer);
  frame.set(DESTINATION_MAC, 0);
  frame.set(SOURCE_MAC, 6);
  dv.setUint16(12, pair.version === 4 ? 0x0800 : 0x86dd);
  const ip = ETHERNET_HEADER;
  const addressLength = pair.version === 4 ? 4 : 16;
  let srcAt: number;
  if (pair.version === 4) {
    frame[ip] = 0x45; // version 4, IHL 5 words
    dv.setUint16(ip + 2, IPV4_HEADER + udpLength);
    dv.setUint16(ip + 4, ipIdentification & 0xffff);
    dv.setUint16(ip + 6, 0x4000); // DF: the datagram is whole, never a fragment
    frame[ip + 8] = 64; // TTL
    frame[ip + 9] = 17; // UDP
    srcAt = ip + 12;
  } else {
    frame[ip] = 0x60; // version 6, traffic class and flow label 0
    dv.setUint16(ip + 4, udpLength);
    frame[ip + 6] = 17; // next header UDP
    frame[ip + 7] = 64; // hop limit
    srcAt = ip + 8;
  }
  frame.set(pair.src, srcAt);
  frame.set(pair.dst, srcAt + addressLength);
  if (pair.version === 4) dv.setUint16(ip + 10, ~fold(sum16(frame, ip, ip + IPV4_HEADER, 0)) & 0xffff);

  const udp = ip + ipHeader;
  dv.setUint16(udp, source.port);
  dv.setUint16(udp + 2, destination.port);
  dv.setUint16(udp + 4, udpLength);
  frame.set(payload, udp + UDP_HEADER);
  // Pseudo-header (RFC 768; RFC 8200 §8.1 for IPv6): addresses, protocol 17, UDP length.
  let sum = sum16(frame, srcAt, srcAt + 2 * addressLength, 0) + 17 + udpLength;
  sum = sum16(frame, udp, udp + udpLength, sum);
  // A computed 0 is sent as 0xffff (RFC 768): 0 means "no checksum".
  const checksum = ~fold(sum) & 0xffff;
  dv.setUint16(udp + 6, checksum === 0 ? 0xffff : checksum);
  return { frame, ipVersion: pair.version };
}
