/**
 * Builds packets byte by byte for decoder tests (headers laid out as in the RFCs). Checksums are left 0:
 * no decoder here verifies them, and tshark does not by default either.
 */
import { concatBytes } from '../../src/core/capture/pcap-writer.js';

export function concat(...parts: Uint8Array[]): Uint8Array {
  return concatBytes(parts);
}

export function ascii(text: string): Uint8Array {
  return new TextEncoder().encode(text);
}

function u16(n: number): number[] {
  return [(n >> 8) & 0xff, n & 0xff];
}

function u32(n: number): number[] {
  return [(n >>> 24) & 0xff, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff];
}

export function ipv4Bytes(text: string): number[] {
  return text.split('.').map(Number);
}

export function ipv6Bytes(text: string): number[] {
  const [head, tail] = text.includes('::') ? text.split('::') : [text, undefined];
  const h = head ? head.split(':') : [];
  const t = tail !== undefined && tail !== '' ? tail.split(':') : [];
  const groups = [...h, ...Array(8 - h.length - t.length).fill('0'), ...t].map((g) => parseInt(g, 16));
  return groups.flatMap((g) => u16(g));
}

export function ethernet(etherType: number, payload: Uint8Array, vlanIds: number[] = [], tpid = 0x8100): Uint8Array {
  const header = [0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88, 0x99, 0xaa, 0xbb];
  for (const id of vlanIds) header.push(...u16(tpid), ...u16(id));
  header.push(...u16(etherType));
  return concat(new Uint8Array(header), payload);
}

export interface Ipv4Options {
  src?: string;
  dst?: string;
  protocol?: number;
  options?: number[];
  id?: number;
  moreFragments?: boolean;
  fragmentOffset?: number;
  totalLength?: number;
}

export function ipv4(payload: Uint8Array, o: Ipv4Options = {}): Uint8Array {
  const options = o.options ?? [];
  const headerLength = 20 + options.length;
  const total = o.totalLength ?? headerLength + payload.length;
  const flags = (o.moreFragments ? 0x2000 : 0) | ((o.fragmentOffset ?? 0) & 0x1fff);
  const header = [
    0x40 | (headerLength / 4), 0, ...u16(total), ...u16(o.id ?? 1), ...u16(flags), 64, o.protocol ?? 17, 0, 0,
    ...ipv4Bytes(o.src ?? '10.0.0.1'), ...ipv4Bytes(o.dst ?? '10.0.0.2'), ...options,
  ];
  return concat(new Uint8Array(header), payload);
}

export function ipv6(payload: Uint8Array, o: { src?: string; dst?: string; nextHeader?: number; extensions?: Uint8Array } = {}): Uint8Array {
  const ext = o.extensions ?? new Uint8Array(0);
  const header = [0x60, 0, 0, 0, ...u16(ext.length + payload.length), o.nextHeader ?? 17, 64, ...ipv6Bytes(o.src ?? '2001:db8::1'), ...ipv6Bytes(o.dst ?? '2001:db8::2')];
  return concat(new Uint8Array(header), ext, payload);
}

export function udp(payload: Uint8Array, srcPort = 5060, dstPort = 5060): Uint8Array {
  return concat(new Uint8Array([...u16(srcPort), ...u16(dstPort), ...u16(8 + payload.length), 0, 0]), payload);
}

export function tcp(payload: Uint8Array, o: { srcPort?: number; dstPort?: number; seq?: number; ack?: number; flags?: number; options?: number[] } = {}): Uint8Array {
  const options = o.options ?? [];
  const headerLength = 20 + options.length;
  const header = [
    ...u16(o.srcPort ?? 5060), ...u16(o.dstPort ?? 5060), ...u32(o.seq ?? 1000), ...u32(o.ack ?? 0),
    (headerLength / 4) << 4, o.flags ?? 0x18, ...u16(65535), 0, 0, 0, 0, ...options,
  ];
  return concat(new Uint8Array(header), payload);
}

/** Linux cooked v1 header (16 bytes) before an IP packet. */
export function sll(protocol: number, payload: Uint8Array): Uint8Array {
  return concat(new Uint8Array([0, 0, 0, 1, 0, 6, 0, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0, ...u16(protocol)]), payload);
}

/** Linux cooked v2 header (20 bytes). */
export function sll2(protocol: number, payload: Uint8Array): Uint8Array {
  return concat(new Uint8Array([...u16(protocol), 0, 0, ...u32(2), 0, 1, 0, 6, 0, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0]), payload);
}

/** BSD loopback header: address family in little-endian host order. */
export function nullLoopback(family: number, payload: Uint8Array, bigEndian = false): Uint8Array {
  const header = bigEndian ? u32(family) : u32(family).reverse();
  return concat(new Uint8Array(header), payload);
}

export function pppoeSession(pppProtocol: number, payload: Uint8Array): Uint8Array {
  return concat(new Uint8Array([0x11, 0x00, ...u16(0x1234), ...u16(payload.length + 2), ...u16(pppProtocol)]), payload);
}

export const sampleInvite = [
  'INVITE sip:bob@example.com SIP/2.0',
  'Via: SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bK776asdhds',
  'Max-Forwards: 70',
  'To: Bob <sip:bob@example.com>',
  'From: Alice <sip:alice@example.com>;tag=1928301774',
  'Call-ID: a84b4c76e66710@pc33.example.com',
  'CSeq: 314159 INVITE',
  'Contact: <sip:alice@10.0.0.1>',
  'Content-Length: 0',
  '',
  '',
].join('\r\n');
