/**
 * Splits a transport-layer datagram (e.g. `udp(sip)` from packet-builder) into IPv4 fragments (RFC 791 §3.2)
 * or IPv6 fragments with a Fragment extension header (RFC 8200 §4.5), at a given MTU, and returns whole
 * Ethernet frames. Options reorder, duplicate, overlap (with the same or with different bytes) and drop
 * fragments, so that reassembly can be tested every way and the same frames can be checked against tshark.
 */
import { encodePcapFile } from '../../src/core/capture/pcap-writer.js';
import { concat, ethernet, ipv4, ipv6 } from './packet-builder.js';
import { seededPermutation } from './random.js';

/** One fragment before it is wrapped: data at datagram byte `offset` (a multiple of 8), MF/M flag `more`. */
export interface FragmentSpec {
  /** Index of the fragment in datagram order (before reordering). */
  index: number;
  offset: number;
  more: boolean;
  data: Uint8Array;
}

export interface FragmentOverlap {
  /** Fragment (datagram order, > 0) made to start `bytes` earlier, re-sending the end of its predecessor. */
  index: number;
  /** A multiple of 8 (fragment offsets count 8-octet units). */
  bytes: number;
  /** Send different bytes in the overlapped part (each XOR 0x01) instead of the same ones. */
  differ?: boolean;
}

export interface FragmentOptions {
  /** IP protocol / next header of the transport bytes. Default 17 (UDP). */
  protocol?: number;
  src?: string;
  dst?: string;
  /** IPv4 identification (16 bits) or IPv6 fragment identification (32 bits). Default 0x1234. */
  id?: number;
  /** Link MTU: the largest IP packet, header included. Default 1500. */
  mtu?: number;
  /**
   * Sending order: datagram order (default), reversed, an explicit permutation of fragment indices, or a
   * permutation drawn from a seed (reproducible).
   */
  order?: 'in-order' | 'reversed' | number[] | { seed: number };
  /** Fragments (datagram indices) sent twice: the copy right after the original. */
  duplicate?: number[];
  overlap?: FragmentOverlap[];
  /** Fragments (datagram indices) never sent: a capture that missed them. */
  drop?: number[];
}

/** Data bytes per fragment for an MTU: header(s) subtracted, rounded down to 8 octets. */
export function fragmentDataSize(version: 4 | 6, mtu: number): number {
  const headers = version === 4 ? 20 : 40 + 8;
  const size = Math.floor((mtu - headers) / 8) * 8;
  if (size < 8) throw new Error(`MTU ${mtu} leaves no room for fragment data`);
  return size;
}

/** Fragments of `data` in sending order, after the options' overlap, order, drop and duplicate are applied. */
export function planFragments(data: Uint8Array, dataSize: number, o: FragmentOptions = {}): FragmentSpec[] {
  if (dataSize % 8 !== 0) throw new Error('fragment data size must be a multiple of 8');
  const specs: FragmentSpec[] = [];
  for (let offset = 0, index = 0; offset < data.length || index === 0; offset += dataSize, index++) {
    const end = Math.min(data.length, offset + dataSize);
    specs.push({ index, offset, more: end < data.length, data: data.slice(offset, end) });
  }
  for (const ov of o.overlap ?? []) {
    const spec = specs[ov.index];
    if (!spec || ov.index === 0 || ov.bytes % 8 !== 0 || ov.bytes > spec.offset) throw new Error(`bad overlap ${JSON.stringify(ov)}`);
    const head = data.slice(spec.offset - ov.bytes, spec.offset);
    if (ov.differ) for (let i = 0; i < head.length; i++) head[i] ^= 0x01;
    spec.data = concat(head, spec.data);
    spec.offset -= ov.bytes;
  }
  let order: number[];
  if (o.order === undefined || o.order === 'in-order') order = specs.map((_, i) => i);
  else if (o.order === 'reversed') order = specs.map((_, i) => specs.length - 1 - i);
  else if (Array.isArray(o.order)) order = o.order;
  else order = seededPermutation(specs.length, o.order.seed);
  if ([...order].sort((a, b) => a - b).join() !== specs.map((_, i) => i).join()) throw new Error(`order ${order.join()} is not a permutation of ${specs.length} fragments`);
  const drop = new Set(o.drop ?? []);
  const duplicate = new Set(o.duplicate ?? []);
  const out: FragmentSpec[] = [];
  for (const i of order) {
    if (drop.has(i)) continue;
    out.push(specs[i]);
    if (duplicate.has(i)) out.push(specs[i]);
  }
  return out;
}

/** IPv4 fragments of `transport` as Ethernet frames (RFC 791 §3.2: offset in 8-octet units, MF flag). */
export function ipv4Fragments(transport: Uint8Array, o: FragmentOptions = {}): Uint8Array[] {
  const specs = planFragments(transport, fragmentDataSize(4, o.mtu ?? 1500), o);
  return specs.map((s) =>
    ethernet(0x0800, ipv4(s.data, {
      src: o.src ?? '192.0.2.1',
      dst: o.dst ?? '192.0.2.2',
      protocol: o.protocol ?? 17,
      id: (o.id ?? 0x1234) & 0xffff,
      moreFragments: s.more,
      fragmentOffset: s.offset / 8,
    })),
  );
}

/** The 8-byte IPv6 Fragment header (RFC 8200 §4.5): next header, reserved, offset<<3 | M, identification. */
export function ipv6FragmentHeader(nextHeader: number, offsetBytes: number, more: boolean, id: number): Uint8Array {
  const offsetAndFlags = ((offsetBytes / 8) << 3) | (more ? 1 : 0);
  return new Uint8Array([nextHeader, 0, (offsetAndFlags >> 8) & 0xff, offsetAndFlags & 0xff, (id >>> 24) & 0xff, (id >>> 16) & 0xff, (id >>> 8) & 0xff, id & 0xff]);
}

/** IPv6 fragments of `transport` (no unfragmentable extension headers) as Ethernet frames. */
export function ipv6Fragments(transport: Uint8Array, o: FragmentOptions = {}): Uint8Array[] {
  const specs = planFragments(transport, fragmentDataSize(6, o.mtu ?? 1500), o);
  const id = (o.id ?? 0x1234) >>> 0;
  return specs.map((s) =>
    ethernet(0x86dd, ipv6(s.data, {
      src: o.src ?? '2001:db8::1',
      dst: o.dst ?? '2001:db8::2',
      nextHeader: 44,
      extensions: ipv6FragmentHeader(o.protocol ?? 17, s.offset, s.more, id),
    })),
  );
}

/** Ethernet frames as a classic pcap file, one per `stepSec` seconds from `startSec` (for tshark checks). */
export function framesToPcap(frames: Uint8Array[], startSec = 1_700_000_000, stepSec = 0.001): Uint8Array {
  return encodePcapFile(
    { linkType: 1 },
    frames.map((data, i) => {
      const t = startSec + i * stepSec;
      const tsSec = Math.floor(t);
      return { tsSec, tsNsec: Math.round((t - tsSec) * 1e6) * 1000, data };
    }),
  );
}
