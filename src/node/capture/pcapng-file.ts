/**
 * A pcapng file written as packets arrive (draft-ietf-opsawg-pcapng): section header and one interface
 * description up front, one Enhanced Packet Block per packet written synchronously, so that a crash of the
 * process loses nothing already handed over, and an Interface Statistics Block when it is finished.
 * The blocks come from `src/core/capture/pcapng-writer.ts`; this file only owns the descriptors.
 *
 * PcapngOutput adds what the capture helper needs on top: one file, or a ring buffer of files like dumpcap's
 * (`-b files:N -b filesize:K -b duration:S`), each file a complete pcapng of its own.
 */
import { closeSync, openSync, unlinkSync, writeSync } from 'node:fs';
import { dirname, extname } from 'node:path';
import { concatBytes, encodeEnhancedPacket, encodeInterfaceDescription, encodeInterfaceStatistics, encodeSectionHeader } from '../../core/capture/pcapng-writer.js';
import type { TimestampResolution } from '../../core/capture/ticks.js';

/** if_tsresol 9: nanoseconds, the resolution our arrival clock has (pcapng §4.2). */
const NANOSECONDS: TimestampResolution = { base: 10, exponent: 9 };

/** EPB fixed part before the packet data: block type, block length, interface id, timestamp (2×u32), two lengths (§4.3). */
const EPB_DATA_OFFSET = 28;

export interface PcapngFileOptions {
  linkType: number;
  /** if_name, e.g. `hep:udp:0.0.0.0:9060`. */
  interfaceName: string;
  interfaceDescription?: string;
  application?: string;
  /** if_snaplen; 0 (no limit) when absent. */
  snapLength?: number;
  /** if_filter: the capture filter the packets passed. */
  filter?: string;
}

/** One packet to append: its captured bytes and its timestamp (seconds and nanoseconds since the Unix epoch). */
export interface PcapngPacket {
  data: Uint8Array;
  tsSec: number;
  tsNsec: number;
}

export class PcapngFile {
  /** Bytes written so far: the file offset of the next block. */
  private offset = 0;
  private fd: number | undefined;
  packetsWritten = 0;

  /** Opens (truncates) `path` and writes the section header and the interface block; throws on an I/O error. */
  constructor(readonly path: string, options: PcapngFileOptions) {
    this.fd = openSync(path, 'w');
    try {
      this.write(encodeSectionHeader({ application: options.application ?? 'sipscope' }));
      this.write(
        encodeInterfaceDescription({
          linkType: options.linkType,
          name: options.interfaceName,
          description: options.interfaceDescription,
          resolution: NANOSECONDS,
          snapLength: options.snapLength,
          filter: options.filter,
        }),
      );
    } catch (error) {
      // Disk full right away: do not leak the descriptor of a file nobody will finish.
      this.abandon();
      throw error;
    }
  }

  /** Bytes written so far (the file's size). */
  get size(): number {
    return this.offset;
  }

  /**
   * Appends several packets with one write: a process killed between two calls leaves whole blocks only (a kill
   * inside the write itself can at worst cut the last block short). Throws on an I/O error.
   */
  writePackets(packets: readonly PcapngPacket[]): void {
    if (packets.length === 0) return;
    this.write(concatBytes(packets.map((p) => encodeEnhancedPacket({ interfaceId: 0, tsSec: p.tsSec, tsNsec: p.tsNsec, resolution: NANOSECONDS, data: p.data }))));
    this.packetsWritten += packets.length;
  }

  /**
   * Appends one packet; returns the file offset of its data (what `CapturedPacket.dataOffset` means: the
   * bytes can be read back from the file). Throws on an I/O error (the caller reports it).
   */
  writePacket(data: Uint8Array, tsSec: number, tsNsec: number): number {
    const dataOffset = this.offset + EPB_DATA_OFFSET;
    this.write(encodeEnhancedPacket({ interfaceId: 0, tsSec, tsNsec, resolution: NANOSECONDS, data }));
    this.packetsWritten++;
    return dataOffset;
  }

  /**
   * Writes the statistics block (isb_ifrecv: packets received; isb_ifdrop only when `dropped` is given, i.e. when
   * the kernel's drop count is known: a HEP socket has none, nor a capture without the packet-stats addon) and
   * closes the file. Idempotent; throws on an I/O error.
   */
  finish(tsSec: number, tsNsec: number, received: number, comment?: string, dropped?: number): void {
    if (this.fd === undefined) return;
    try {
      this.write(
        encodeInterfaceStatistics({
          interfaceId: 0,
          tsSec,
          tsNsec,
          resolution: NANOSECONDS,
          received: BigInt(received),
          dropped: dropped === undefined ? undefined : BigInt(dropped),
          comments: comment ? [comment] : undefined,
        }),
      );
    } finally {
      closeSync(this.fd);
      this.fd = undefined;
    }
  }

  /** Closes without the statistics block (after a write error). */
  abandon(): void {
    if (this.fd === undefined) return;
    const fd = this.fd;
    this.fd = undefined;
    try {
      closeSync(fd);
    } catch {
      // Already failing: the write error that led here was reported.
    }
  }

  get open(): boolean {
    return this.fd !== undefined;
  }

  private write(bytes: Uint8Array): void {
    if (this.fd === undefined) return;
    let at = 0;
    while (at < bytes.length) at += writeSync(this.fd, bytes, at, bytes.length - at);
    this.offset += bytes.length;
  }
}

/** Where and how the capture helper writes: one file at `path`, or a ring buffer when any ring option is set. */
export interface PcapngOutputTarget {
  path: string;
  /** Keep at most this many files, deleting the oldest (unlimited when absent). */
  ringFiles?: number;
  /** Start a new file once the current one has reached this many bytes. */
  ringBytes?: number;
  /** Start a new file once the current one is this many seconds old (checked as packets arrive). */
  ringSeconds?: number;
}

/** The counters an Interface Statistics Block carries when a file is closed (cumulative since the capture began). */
export interface PcapngOutputStatistics {
  received: number;
  dropped?: number;
  comment?: string;
}

/** An I/O failure on a capture file, with a message naming the file and saying what went wrong in plain words. */
export class PcapngOutputError extends Error {
  constructor(
    readonly path: string,
    cause: unknown,
  ) {
    super(describeFileError(path, cause));
    this.name = 'PcapngOutputError';
  }
}

function describeFileError(path: string, error: unknown): string {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  const why =
    code === 'ENOENT'
      ? `the folder ${dirname(path)} does not exist`
      : code === 'EACCES' || code === 'EPERM'
        ? 'permission denied'
        : code === 'ENOSPC'
          ? 'the disk is full'
          : code === 'EDQUOT'
            ? 'the disk quota is exhausted'
            : code === 'EROFS'
              ? 'the file system is read-only'
              : code === 'EISDIR'
                ? 'it is a folder'
                : error instanceof Error
                  ? error.message
                  : String(error);
  return `Cannot write the capture file ${path}: ${why}${code && !why.includes(code) ? ` (${code})` : ''}.`;
}

/** `YYYYMMDDhhmmss` in local time, as dumpcap names ring files. */
function fileStamp(date: Date): string {
  const two = (n: number) => String(n).padStart(2, '0');
  return `${date.getFullYear()}${two(date.getMonth() + 1)}${two(date.getDate())}${two(date.getHours())}${two(date.getMinutes())}${two(date.getSeconds())}`;
}

/**
 * The capture helper's output: packets appended synchronously, batch by batch, to one pcapng file or to a ring of
 * them named like dumpcap's (`<base>_00001_<YYYYMMDDhhmmss>.pcapng`, base = the path without its extension). Every
 * method throws a PcapngOutputError naming the file on an I/O failure; after one, call abandon().
 */
export class PcapngOutput {
  /** The files on disk, oldest first (the last one is being written until finish()). */
  readonly files: string[] = [];
  /** Packets written, in all files (including ring files since deleted). */
  written = 0;
  private current: PcapngFile | undefined;
  private currentOpenedMs = 0;
  private fileNumber = 0;
  private readonly ring: boolean;

  constructor(
    private readonly target: PcapngOutputTarget,
    private readonly file: PcapngFileOptions,
    /** The counters for each file's statistics block, read when that file is closed. */
    private readonly statistics: () => PcapngOutputStatistics,
  ) {
    this.ring = target.ringFiles !== undefined || target.ringBytes !== undefined || target.ringSeconds !== undefined;
    this.openNext();
  }

  /** Appends the packets; in a ring, moves to a new file first when the current one is full or old enough. */
  writePackets(packets: readonly PcapngPacket[]): void {
    let from = 0;
    if (!this.ring) {
      this.append(packets);
      return;
    }
    // Sizes are known before writing (EPB: 32 bytes of header and trailer + data padded to 4), so one batch is cut
    // into one write per file it spans.
    let size = this.current?.size ?? 0;
    let inFile = this.current?.packetsWritten ?? 0;
    for (let i = 0; i < packets.length; i++) {
      if (inFile > 0 && this.full(size)) {
        this.append(packets.slice(from, i));
        from = i;
        this.rotate();
        size = this.current?.size ?? 0;
        inFile = 0;
      }
      size += 32 + ((packets[i].data.length + 3) & ~3);
      inFile++;
    }
    this.append(packets.slice(from));
  }

  /** Writes the current file's statistics block and closes it. */
  finish(): void {
    const current = this.current;
    if (!current) return;
    this.current = undefined;
    const now = Date.now();
    const counts = this.statistics();
    try {
      current.finish(Math.floor(now / 1000), (now % 1000) * 1e6, counts.received, counts.comment, counts.dropped);
    } catch (error) {
      throw new PcapngOutputError(current.path, error);
    }
  }

  /** Closes the current file as it is (after a write error: no statistics block). */
  abandon(): void {
    this.current?.abandon();
    this.current = undefined;
  }

  private full(size: number): boolean {
    const { ringBytes, ringSeconds } = this.target;
    if (ringBytes !== undefined && size >= ringBytes) return true;
    return ringSeconds !== undefined && Date.now() - this.currentOpenedMs >= ringSeconds * 1000;
  }

  private append(packets: readonly PcapngPacket[]): void {
    if (packets.length === 0 || !this.current) return;
    try {
      this.current.writePackets(packets);
    } catch (error) {
      throw new PcapngOutputError(this.current.path, error);
    }
    this.written += packets.length;
  }

  private rotate(): void {
    this.finish();
    this.openNext();
    const keep = this.target.ringFiles;
    while (keep !== undefined && this.files.length > keep) {
      const oldest = this.files.shift() as string;
      try {
        unlinkSync(oldest);
      } catch (error) {
        // Someone removed it already: the ring is as small as it should be.
        if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw new PcapngOutputError(oldest, error);
      }
    }
  }

  private openNext(): void {
    const path = this.ring ? this.ringPath(++this.fileNumber, new Date()) : this.target.path;
    try {
      this.current = new PcapngFile(path, this.file);
    } catch (error) {
      throw new PcapngOutputError(path, error);
    }
    this.currentOpenedMs = Date.now();
    this.files.push(path);
  }

  private ringPath(n: number, when: Date): string {
    const extension = extname(this.target.path);
    const base = extension ? this.target.path.slice(0, -extension.length) : this.target.path;
    return `${base}_${String(n).padStart(5, '0')}_${fileStamp(when)}${extension || '.pcapng'}`;
  }
}
