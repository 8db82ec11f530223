/**
 * Small pieces shared by the push-based capture readers (pcap.ts, pcapng.ts): the leftover buffer that
 * holds the one record spanning two pushed chunks, and a budget that stops a file with a systematic
 * defect (say, every record has incl_len > orig_len) from flooding the sink with identical diagnostics.
 */
import type { Diagnostic } from '../diagnostics.js';
import type { CaptureFileInfo, CaptureSink } from './types.js';

/**
 * The bytes of one record (pcap record, pcapng block) whose start arrived in one chunk and whose end is
 * still to come. Only this record is copied; everything else is parsed in place in the pushed chunk.
 * Grows to the largest record seen (bounded by the readers' sanity limits), never shrinks.
 */
export class Leftover {
  bytes = new Uint8Array(512);
  view = new DataView(this.bytes.buffer);
  /** Bytes held. */
  length = 0;
  /** Stream offset of `bytes[0]`. */
  fileOffset = 0;

  start(fileOffset: number): void {
    this.length = 0;
    this.fileOffset = fileOffset;
  }

  /**
   * Copies bytes from `chunk[pos..end)` until `length === want` (or the chunk runs out); returns the new
   * position in the chunk.
   */
  fill(chunk: Uint8Array, pos: number, end: number, want: number): number {
    const take = Math.min(want - this.length, end - pos);
    if (take <= 0) return pos;
    if (want > this.bytes.length) this.grow(want);
    this.bytes.set(chunk.subarray(pos, pos + take), this.length);
    this.length += take;
    return pos + take;
  }

  clear(): void {
    this.length = 0;
  }

  private grow(want: number): void {
    const next = new Uint8Array(Math.max(want, this.bytes.length * 2));
    next.set(this.bytes.subarray(0, this.length));
    this.bytes = next;
    this.view = new DataView(next.buffer);
  }
}

/** At most this many diagnostics of one kind (per key) per file; the rest are counted and summarised. */
export const DIAGNOSTICS_PER_KEY = 20;

export class DiagnosticBudget {
  private readonly counts = new Map<string, number>();

  constructor(private readonly sink: CaptureSink) {}

  /** Reports `d` unless `key` has used up its budget (then only counts it). */
  report(key: string, d: Diagnostic, fileOffset: number): void {
    const n = (this.counts.get(key) ?? 0) + 1;
    this.counts.set(key, n);
    if (n <= DIAGNOSTICS_PER_KEY) this.sink.diagnostic({ ...d, offset: fileOffset, fileOffset });
  }

  /** Emits one note per key that went over budget (called from the readers' `end()`). */
  flush(layer: string, fileOffset: number): void {
    for (const [key, n] of this.counts) {
      if (n > DIAGNOSTICS_PER_KEY) {
        this.sink.diagnostic({
          kind: 'note',
          severity: 'note',
          layer,
          message: `${n - DIAGNOSTICS_PER_KEY} more "${key}" problem(s) like the ones above were not listed one by one`,
          offset: fileOffset,
          fileOffset,
        });
      }
    }
    this.counts.clear();
  }
}

/** What a reader knows before it has read anything (filled in as headers and blocks arrive). */
export function emptyCaptureInfo(format: 'pcap' | 'pcapng'): CaptureFileInfo {
  return {
    format,
    littleEndian: true,
    versionMajor: 0,
    versionMinor: 0,
    interfaces: [],
    sections: 0,
    nameResolution: new Map(),
    interfaceStatistics: new Map(),
  };
}
