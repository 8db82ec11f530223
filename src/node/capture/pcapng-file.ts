/**
 * A pcapng file written as packets arrive (draft-ietf-opsawg-pcapng): section header and one interface
 * description up front, one Enhanced Packet Block per packet written synchronously, so that a crash of the
 * process loses nothing already handed over, and an Interface Statistics Block when it is finished.
 * The blocks come from `src/core/capture/pcapng-writer.ts`; this file only owns the descriptor.
 */
import { closeSync, openSync, writeSync } from 'node:fs';
import { encodeEnhancedPacket, encodeInterfaceDescription, encodeInterfaceStatistics, encodeSectionHeader } from '../../core/capture/pcapng-writer.js';
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
}

export class PcapngFile {
  /** Bytes written so far: the file offset of the next block. */
  private offset = 0;
  private fd: number | undefined;
  packetsWritten = 0;

  /** Opens (truncates) `path` and writes the section header and the interface block; throws on an I/O error. */
  constructor(readonly path: string, options: PcapngFileOptions) {
    this.fd = openSync(path, 'w');
    this.write(encodeSectionHeader({ application: options.application ?? 'sipscope' }));
    this.write(encodeInterfaceDescription({ linkType: options.linkType, name: options.interfaceName, description: options.interfaceDescription, resolution: NANOSECONDS }));
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
   * Writes the statistics block (isb_ifrecv: packets received; no isb_ifdrop, a socket has no kernel drop
   * count we could read) and closes the file. Idempotent; throws on an I/O error.
   */
  finish(tsSec: number, tsNsec: number, received: number, comment?: string): void {
    if (this.fd === undefined) return;
    try {
      this.write(encodeInterfaceStatistics({ interfaceId: 0, tsSec, tsNsec, resolution: NANOSECONDS, received: BigInt(received), comments: comment ? [comment] : undefined }));
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
