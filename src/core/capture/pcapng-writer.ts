/**
 * pcapng encoding (draft-ietf-opsawg-pcapng): one function per block type, each returning the complete
 * block (type, length, body, padding, options, trailing length). Little-endian unless asked otherwise.
 * Used by tests today (including files no real capture in the corpus has: big-endian sections, several
 * sections, SPB, NRB, custom blocks) and by exports / live capture later.
 */
import { concatBytes } from './pcap-writer.js';
import { BLOCK_CUSTOM, BLOCK_CUSTOM_NOCOPY, BLOCK_EPB, BLOCK_IDB, BLOCK_ISB, BLOCK_NRB, BLOCK_PB, BLOCK_SHB, BLOCK_SPB, BYTE_ORDER_MAGIC } from './pcapng.js';
import { encodeTsresol, MICROSECONDS, timeToTicks } from './ticks.js';
import type { TimestampResolution } from './ticks.js';

export { concatBytes } from './pcap-writer.js';

interface Endian {
  /** Default true. */
  littleEndian?: boolean;
}

interface Option {
  code: number;
  value: Uint8Array;
}

function pad4(n: number): number {
  return (n + 3) & ~3;
}

function u32(value: number, le: boolean): Uint8Array {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setUint32(0, value >>> 0, le);
  return b;
}

function u64(value: bigint, le: boolean): Uint8Array {
  const b = new Uint8Array(8);
  new DataView(b.buffer).setBigUint64(0, BigInt.asUintN(64, value), le);
  return b;
}

// Not util/text.ts: the lint rule's bare 'util' pattern (meant for node:util) also matches '../util/*'.
const encoder = new TextEncoder();

function text(s: string): Uint8Array {
  return encoder.encode(s);
}

/** Options list (§3.5) with its opt_endofopt, or nothing when there are none. */
function encodeOptions(options: Option[], le: boolean): Uint8Array {
  if (options.length === 0) return new Uint8Array(0);
  let size = 4;
  for (const o of options) size += 4 + pad4(o.value.length);
  const out = new Uint8Array(size);
  const dv = new DataView(out.buffer);
  let at = 0;
  for (const o of options) {
    dv.setUint16(at, o.code, le);
    dv.setUint16(at + 2, o.value.length, le);
    out.set(o.value, at + 4);
    at += 4 + pad4(o.value.length);
  }
  return out; // the final 4 zero bytes are opt_endofopt
}

/** Any block: type, total length, body (padded to 4), total length. */
export function encodeBlock(type: number, body: Uint8Array, littleEndian = true): Uint8Array {
  const total = 12 + pad4(body.length);
  const out = new Uint8Array(total);
  const dv = new DataView(out.buffer);
  dv.setUint32(0, type >>> 0, littleEndian);
  dv.setUint32(4, total, littleEndian);
  out.set(body, 8);
  dv.setUint32(total - 4, total, littleEndian);
  return out;
}

function commentOptions(comments: string[] | undefined): Option[] {
  return (comments ?? []).map((c) => ({ code: 1, value: text(c) }));
}

export interface SectionHeaderInput extends Endian {
  hardware?: string;
  os?: string;
  application?: string;
  comments?: string[];
  /** Default -1 (unspecified). */
  sectionLength?: bigint;
  /** Default 1.0; other values only to build damaged files for tests. */
  versionMajor?: number;
  versionMinor?: number;
}

/** Section Header Block (§4.1). */
export function encodeSectionHeader(o: SectionHeaderInput = {}): Uint8Array {
  const le = o.littleEndian ?? true;
  const fixed = new Uint8Array(16);
  const dv = new DataView(fixed.buffer);
  dv.setUint32(0, BYTE_ORDER_MAGIC, le);
  dv.setUint16(4, o.versionMajor ?? 1, le);
  dv.setUint16(6, o.versionMinor ?? 0, le);
  dv.setBigInt64(8, o.sectionLength ?? -1n, le);
  const options = commentOptions(o.comments);
  if (o.hardware !== undefined) options.push({ code: 2, value: text(o.hardware) });
  if (o.os !== undefined) options.push({ code: 3, value: text(o.os) });
  if (o.application !== undefined) options.push({ code: 4, value: text(o.application) });
  return encodeBlock(BLOCK_SHB, concatBytes([fixed, encodeOptions(options, le)]), le);
}

export interface InterfaceDescriptionInput extends Endian {
  linkType: number;
  /** 0 = no limit (the default). */
  snapLength?: number;
  name?: string;
  description?: string;
  /** A libpcap filter string (if_filter type 0). */
  filter?: string;
  os?: string;
  /** if_tsresol; absent = microseconds (the pcapng default; no option written). */
  resolution?: TimestampResolution;
  /** if_tsoffset, seconds. */
  timestampOffsetSeconds?: number;
  /** FCS bytes per packet; written as if_fcslen, which counts bits. */
  fcsLength?: number;
}

/** Interface Description Block (§4.2). */
export function encodeInterfaceDescription(o: InterfaceDescriptionInput): Uint8Array {
  const le = o.littleEndian ?? true;
  const fixed = new Uint8Array(8);
  const dv = new DataView(fixed.buffer);
  dv.setUint16(0, o.linkType, le);
  dv.setUint32(4, o.snapLength ?? 0, le);
  const options: Option[] = [];
  if (o.name !== undefined) options.push({ code: 2, value: text(o.name) });
  if (o.description !== undefined) options.push({ code: 3, value: text(o.description) });
  if (o.resolution !== undefined) options.push({ code: 9, value: Uint8Array.of(encodeTsresol(o.resolution)) });
  if (o.filter !== undefined) options.push({ code: 11, value: concatBytes([Uint8Array.of(0), text(o.filter)]) });
  if (o.os !== undefined) options.push({ code: 12, value: text(o.os) });
  if (o.fcsLength !== undefined) options.push({ code: 13, value: Uint8Array.of(o.fcsLength * 8) });
  if (o.timestampOffsetSeconds !== undefined) options.push({ code: 14, value: u64(BigInt(o.timestampOffsetSeconds), le) });
  return encodeBlock(BLOCK_IDB, concatBytes([fixed, encodeOptions(options, le)]), le);
}

export interface PacketInput extends Endian {
  /** Interface index within the section. */
  interfaceId: number;
  tsSec: number;
  tsNsec?: number;
  /** The interface's if_tsresol (default microseconds): the timestamp is written in those units. */
  resolution?: TimestampResolution;
  data: Uint8Array;
  /** Default data.length. */
  originalLength?: number;
  comments?: string[];
  /** epb_flags direction: 1 inbound, 2 outbound. */
  direction?: number;
  /** Full epb_flags word (overrides `direction`). */
  flags?: number;
  /** Overrides the captured-length field (to build damaged files for tests). */
  capturedLengthField?: number;
}

function packetBody(o: PacketInput, first: Uint8Array, le: boolean): Uint8Array {
  const fixed = new Uint8Array(16);
  const dv = new DataView(fixed.buffer);
  const { hi, lo } = timeToTicks(o.tsSec, o.tsNsec ?? 0, o.resolution ?? MICROSECONDS);
  dv.setUint32(0, hi, le);
  dv.setUint32(4, lo, le);
  dv.setUint32(8, o.capturedLengthField ?? o.data.length, le);
  dv.setUint32(12, o.originalLength ?? o.data.length, le);
  const data = new Uint8Array(pad4(o.data.length));
  data.set(o.data);
  const options = commentOptions(o.comments);
  const flags = o.flags ?? o.direction;
  if (flags !== undefined) options.push({ code: 2, value: u32(flags, le) });
  return concatBytes([first, fixed, data, encodeOptions(options, le)]);
}

/** Enhanced Packet Block (§4.3) with opt_comment and epb_flags. */
export function encodeEnhancedPacket(o: PacketInput): Uint8Array {
  const le = o.littleEndian ?? true;
  return encodeBlock(BLOCK_EPB, packetBody(o, u32(o.interfaceId, le), le), le);
}

/** Obsolete Packet Block (Appendix A): 16-bit interface id + drops count; pack_flags like epb_flags. */
export function encodeObsoletePacket(o: PacketInput & { dropsCount?: number }): Uint8Array {
  const le = o.littleEndian ?? true;
  const first = new Uint8Array(4);
  const dv = new DataView(first.buffer);
  dv.setUint16(0, o.interfaceId, le);
  dv.setUint16(2, o.dropsCount ?? 0, le);
  return encodeBlock(BLOCK_PB, packetBody(o, first, le), le);
}

export interface SimplePacketInput extends Endian {
  data: Uint8Array;
  /** Default data.length. */
  originalLength?: number;
}

/** Simple Packet Block (§4.4): no interface id (always 0), no timestamp, no options. */
export function encodeSimplePacket(o: SimplePacketInput): Uint8Array {
  const le = o.littleEndian ?? true;
  const data = new Uint8Array(pad4(o.data.length));
  data.set(o.data);
  return encodeBlock(BLOCK_SPB, concatBytes([u32(o.originalLength ?? o.data.length, le), data]), le);
}

export interface InterfaceStatisticsInput extends Endian {
  interfaceId: number;
  tsSec: number;
  tsNsec?: number;
  resolution?: TimestampResolution;
  /** isb_ifrecv */
  received?: bigint;
  /** isb_ifdrop */
  dropped?: bigint;
  comments?: string[];
}

/** Interface Statistics Block (§4.6). */
export function encodeInterfaceStatistics(o: InterfaceStatisticsInput): Uint8Array {
  const le = o.littleEndian ?? true;
  const fixed = new Uint8Array(12);
  const dv = new DataView(fixed.buffer);
  const { hi, lo } = timeToTicks(o.tsSec, o.tsNsec ?? 0, o.resolution ?? MICROSECONDS);
  dv.setUint32(0, o.interfaceId, le);
  dv.setUint32(4, hi, le);
  dv.setUint32(8, lo, le);
  const options = commentOptions(o.comments);
  if (o.received !== undefined) options.push({ code: 4, value: u64(o.received, le) });
  if (o.dropped !== undefined) options.push({ code: 5, value: u64(o.dropped, le) });
  return encodeBlock(BLOCK_ISB, concatBytes([fixed, encodeOptions(options, le)]), le);
}

export interface NameResolutionInput extends Endian {
  /** IPv4 dotted quads or IPv6 text (with "::" allowed), each with one or more names. */
  entries: { address: string; names: string[] }[];
}

/** Name Resolution Block (§4.5): nrb_record_ipv4 / nrb_record_ipv6 records, then nrb_record_end. */
export function encodeNameResolution(o: NameResolutionInput): Uint8Array {
  const le = o.littleEndian ?? true;
  const records: Option[] = o.entries.map((e) => {
    const v6 = e.address.includes(':');
    const address = v6 ? parseIpv6(e.address) : parseIpv4(e.address);
    const names = e.names.map((n) => concatBytes([text(n), Uint8Array.of(0)]));
    return { code: v6 ? 2 : 1, value: concatBytes([address, ...names]) };
  });
  // Same layout as options: the list ends with a zero record (nrb_record_end).
  const body = records.length > 0 ? encodeOptions(records, le) : new Uint8Array(4);
  return encodeBlock(BLOCK_NRB, body, le);
}

export interface CustomBlockInput extends Endian {
  /** IANA Private Enterprise Number of the block's owner. */
  pen: number;
  data: Uint8Array;
  /** Default true (type 0x00000BAD); false gives 0x40000BAD, "do not copy". */
  copyable?: boolean;
}

/** Custom Block (§4.7). */
export function encodeCustomBlock(o: CustomBlockInput): Uint8Array {
  const le = o.littleEndian ?? true;
  const data = new Uint8Array(pad4(o.data.length));
  data.set(o.data);
  return encodeBlock(o.copyable === false ? BLOCK_CUSTOM_NOCOPY : BLOCK_CUSTOM, concatBytes([u32(o.pen, le), data]), le);
}

function parseIpv4(s: string): Uint8Array {
  const parts = s.split('.').map(Number);
  if (parts.length !== 4 || parts.some((p) => !Number.isInteger(p) || p < 0 || p > 255)) throw new Error(`not an IPv4 address: ${s}`);
  return Uint8Array.from(parts);
}

function parseIpv6(s: string): Uint8Array {
  const halves = s.split('::');
  if (halves.length > 2) throw new Error(`not an IPv6 address: ${s}`);
  const groups = (h: string): number[] => (h === '' ? [] : h.split(':').map((g) => parseInt(g, 16)));
  const head = groups(halves[0]);
  const tail = halves.length === 2 ? groups(halves[1]) : [];
  const fill = halves.length === 2 ? 8 - head.length - tail.length : 0;
  const all = [...head, ...new Array<number>(fill).fill(0), ...tail];
  if (all.length !== 8 || all.some((g) => !(g >= 0 && g <= 0xffff))) throw new Error(`not an IPv6 address: ${s}`);
  const out = new Uint8Array(16);
  all.forEach((g, i) => {
    out[2 * i] = g >> 8;
    out[2 * i + 1] = g & 0xff;
  });
  return out;
}
