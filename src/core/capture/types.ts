import type { Diagnostic } from '../diagnostics.js';

/** Capture container formats we recognise by their magic bytes (never by file name). */
export type CaptureFormat = 'pcap' | 'pcapng' | 'gzip' | 'netmon' | 'unknown';

/** One interface of a capture (pcap has exactly one; pcapng one per IDB, numbered across sections). */
export interface CaptureInterface {
  /** Global interface number: IDBs counted across all sections, in file order. */
  id: number;
  /** Section number (0-based) the IDB belongs to. */
  section: number;
  /** LINKTYPE_* value (tcpdump.org/linktypes.html). */
  linkType: number;
  snapLength: number;
  /** Units per second of this interface's timestamps (pcapng if_tsresol; pcap: 1e6 or 1e9). */
  timestampUnitsPerSecond: number;
  name?: string;
  description?: string;
  filter?: string;
  os?: string;
  /**
   * Bytes of frame check sequence at the end of each packet, when the file says (pcap: the FCS bits of the
   * header's link-type field; pcapng: if_fcslen). Absent when unknown.
   */
  fcsLength?: number;
  /** pcapng if_tsoffset: seconds already added to this interface's timestamps. */
  timestampOffsetSeconds?: number;
}

/** What a reader knows about the whole file, filled in as blocks arrive. */
export interface CaptureFileInfo {
  format: 'pcap' | 'pcapng';
  /** pcap: header byte order; pcapng: byte order of the first section. */
  littleEndian: boolean;
  /** pcap only: true for the nanosecond-resolution magic (0xa1b23c4d). */
  nanosecond?: boolean;
  versionMajor: number;
  versionMinor: number;
  interfaces: CaptureInterface[];
  sections: number;
  /** pcapng SHB options (shb_hardware, shb_os, shb_userappl) of the first section, when present. */
  hardware?: string;
  os?: string;
  application?: string;
  /** pcapng Name Resolution Block entries (address text -> names). */
  nameResolution: Map<string, string[]>;
  /** pcapng Interface Statistics Blocks, latest per interface. */
  interfaceStatistics: Map<number, { received?: bigint; dropped?: bigint; tsSec: number }>;
}

/**
 * One captured packet as a reader hands it to its sink. `data` is a view into the reader's working buffer:
 * it is valid only during the sink call (copy what must outlive it). Where the bytes sit in the file is in
 * `dataOffset`, so anything can be re-read later from the file instead of being kept in memory.
 */
export interface CapturedPacket {
  /** 1-based frame number in file order (counts every packet block, EPB, SPB and obsolete PB). */
  frame: number;
  interfaceId: number;
  linkType: number;
  /** Seconds since the Unix epoch (integer). */
  tsSec: number;
  /** Nanoseconds within that second (0..999_999_999), whatever the file's own resolution. */
  tsNsec: number;
  /** Bytes present in the file (may be less than originalLength: snap length). */
  capturedLength: number;
  /** Length of the packet on the wire. */
  originalLength: number;
  /** Byte offset of the packet data in the (decompressed) capture stream. */
  dataOffset: number;
  data: Uint8Array;
  /** pcapng opt_comment values of this packet, in order (absent when none). */
  comments?: string[];
  /** pcapng epb_flags direction bits: 1 inbound, 2 outbound (absent when unknown). */
  direction?: number;
  /** True for pcapng Simple Packet Blocks, which carry no timestamp (tsSec and tsNsec are then 0). */
  timestampUnknown?: boolean;
}

/** Where file-level problems go: a truncated last record, an unknown block skipped, a bad block length. */
export interface CaptureSink {
  packet(packet: CapturedPacket): void;
  diagnostic(diagnostic: Diagnostic & { fileOffset: number }): void;
  /**
   * pcapng Custom Blocks (§4.8, types 0x00000BAD and 0x40000BAD "do not copy"), for a sink that wants them
   * (sipscope keeps its annotations in one). `pen` is the owner's IANA Private Enterprise Number; `data` is
   * the block body after it, padding included (the format does not say where the owner's data ends, so its
   * owner's own framing must), and like packet data valid only during the call. Blocks larger than
   * CUSTOM_BLOCK_MAX are skipped with a note instead. Without this method custom blocks are skipped silently.
   */
  customBlock?(pen: number, data: Uint8Array, copyable: boolean): void;
}

/**
 * A push-based reader: bytes are fed in order as they come (from a file, a gunzip stream, a live helper),
 * in chunks of any size; whole records are handed to the sink as soon as they are complete. Memory stays
 * bounded by the largest record, not by the file.
 */
export interface CaptureReader {
  readonly info: CaptureFileInfo;
  /** Feeds the next bytes; they follow the previously fed bytes contiguously. */
  push(chunk: Uint8Array): void;
  /** No more bytes: reports a truncated trailing record as a diagnostic, if any. */
  end(): void;
  /** Total bytes consumed so far (decompressed). */
  readonly bytesConsumed: number;
  /**
   * True once the reader met damage it cannot frame past (a corrupt record or block length): a `malformed`
   * diagnostic said where, and further bytes are ignored. A file reader may stop reading then.
   */
  readonly stopped?: boolean;
}
