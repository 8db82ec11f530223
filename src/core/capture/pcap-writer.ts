/**
 * Classic pcap encoding (draft-ietf-opsawg-pcap): the 24-byte file header and 16-byte record headers.
 * Used by tests today and by exports / live capture later. Little-endian unless asked otherwise.
 */

export interface PcapHeaderOptions {
  /** LINKTYPE_* value. */
  linkType: number;
  /** Default 262144 (libpcap's maximum). */
  snapLength?: number;
  /** Nanosecond magic 0xa1b23c4d instead of the microsecond 0xa1b2c3d4. */
  nanosecond?: boolean;
  /** Default true. */
  littleEndian?: boolean;
  /** FCS bytes at the end of each packet (even, <= 30): sets the FCS bits of the link-type field. */
  fcsLength?: number;
  /** Default 2.4; other values only to build damaged files for tests. */
  versionMajor?: number;
  versionMinor?: number;
}

export interface PcapRecordInput {
  tsSec: number;
  /** Nanoseconds within the second; written as µs (rounded down) for a microsecond file. */
  tsNsec?: number;
  data: Uint8Array;
  /** Default data.length. */
  originalLength?: number;
  /** Overrides the incl_len field (to build damaged files for tests); the data written is still `data`. */
  capturedLengthField?: number;
}

export interface PcapRecordOptions {
  nanosecond?: boolean;
  littleEndian?: boolean;
}

export function encodePcapHeader(o: PcapHeaderOptions): Uint8Array {
  const out = new Uint8Array(24);
  const dv = new DataView(out.buffer);
  const le = o.littleEndian ?? true;
  dv.setUint32(0, o.nanosecond ? 0xa1b23c4d : 0xa1b2c3d4, le);
  dv.setUint16(4, o.versionMajor ?? 2, le);
  dv.setUint16(6, o.versionMinor ?? 4, le);
  // thiszone and sigfigs: always 0 in practice (pcap-savefile(5)).
  dv.setUint32(16, o.snapLength ?? 262_144, le);
  let network = o.linkType & 0x03ff_ffff;
  if (o.fcsLength !== undefined) network = (network | 0x0400_0000 | ((o.fcsLength / 2) << 28)) >>> 0;
  dv.setUint32(20, network, le);
  return out;
}

export function encodePcapRecord(r: PcapRecordInput, o: PcapRecordOptions = {}): Uint8Array {
  const le = o.littleEndian ?? true;
  const out = new Uint8Array(16 + r.data.length);
  const dv = new DataView(out.buffer);
  const nsec = r.tsNsec ?? 0;
  dv.setUint32(0, r.tsSec, le);
  dv.setUint32(4, o.nanosecond ? nsec : Math.floor(nsec / 1000), le);
  dv.setUint32(8, r.capturedLengthField ?? r.data.length, le);
  dv.setUint32(12, r.originalLength ?? r.data.length, le);
  out.set(r.data, 16);
  return out;
}

/** A whole file in one buffer (tests, small exports). */
export function encodePcapFile(header: PcapHeaderOptions, records: PcapRecordInput[]): Uint8Array {
  const options = { nanosecond: header.nanosecond, littleEndian: header.littleEndian };
  return concatBytes([encodePcapHeader(header), ...records.map((r) => encodePcapRecord(r, options))]);
}

export function concatBytes(parts: Uint8Array[]): Uint8Array {
  let total = 0;
  for (const p of parts) total += p.length;
  const out = new Uint8Array(total);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
