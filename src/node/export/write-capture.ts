/**
 * Writes a capture (all of a source file's frames, or some) as pcapng or pcap: the app's "Save" and the
 * CLI's `export --format pcapng|pcap`.
 *
 * - Frames keep their original timestamps at the resolution the reader keeps (nanoseconds): a pcapng
 *   interface keeps its decimal if_tsresol up to nanoseconds and gets nanoseconds otherwise; a pcap is
 *   microsecond only when the source was a microsecond pcap, nanosecond (magic a1b23c4d) otherwise.
 * - pcapng keeps each frame's interface (name, description, filter, OS, FCS length, snap length, link
 *   type), epb_flags direction, and carries the annotations: each message note as an opt_comment on its
 *   frame, the whole model in sipscope's Custom Block at the end (frame numbers renumbered to the new
 *   file's). Given annotations, the frame comments written are exactly the notes' (comments imported from
 *   the source became notes, so a deleted note stays deleted); without, the source's comments are copied.
 * - pcap has one link type per file (pcap-savefile(5)): frames of several link types are refused with a
 *   message pointing to pcapng, rather than silently dropping some. pcap has no comments: annotations are
 *   not written (the result says how many notes were left out).
 * - Safety: the output goes to a temporary file in the destination's folder, flushed to disk, and only
 *   then takes the destination's name (link without `force`, so a file created meanwhile is never
 *   replaced; rename with `force`, atomic). Any failure removes the temporary file: no partial output.
 *   The source is checked unchanged at the end (same size and modification time, every byte read, every
 *   requested frame found).
 */
import { randomBytes } from 'node:crypto';
import { lstat, open, stat, unlink } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { encodePcapHeader } from '../../core/capture/pcap-writer.js';
import { encodeCustomBlock, encodeInterfaceDescription, encodeSectionHeader } from '../../core/capture/pcapng-writer.js';
import type { TimestampResolution } from '../../core/capture/ticks.js';
import type { CaptureFileInfo, CaptureInterface, CapturedPacket, CaptureSink } from '../../core/capture/types.js';
import {
  annotationsForFrames,
  ANNOTATIONS_PEN,
  encodeAnnotationsBlock,
  frameComments,
  parseAnnotations,
  serialiseAnnotations,
  type Annotations,
} from '../../core/annotations/annotations.js';
import { errorText, existsError, ExportError, place } from './output-file.js';
import { streamCapture } from './stream-capture.js';

export { ExportError, type ExportErrorCode } from './output-file.js';



export interface WriteCaptureOptions {
  /** The capture to copy frames from (pcap, pcapng, gzip-compressed or not). */
  source: string;
  dest: string;
  format: 'pcapng' | 'pcap';
  /** Frame numbers of the source to write (all when absent). */
  frames?: ReadonlySet<number>;
  /** Notes and aliases to carry (pcapng only), frame numbers as in the source. */
  annotations?: Annotations;
  /** Replace an existing `dest`. */
  force?: boolean;
  signal?: AbortSignal;
  onProgress?(bytesRead: number, fileSize: number): void;
  /** Bytes per read of the source (default 4 MiB). */
  chunkSize?: number;
  /**
   * Rewrites each packet written (anonymisation): `learn` first sees every packet to write (a first reading of
   * the source, so pseudonyms are chosen knowing everything, IP fragments included), then `apply` gives the bytes to
   * write, of the same length; `text` rewrites the source's own packet comments; `notes` rewrites `annotations`
   * after the learning (so that their pseudonyms agree with the packets').
   */
  transform?: PacketTransform;
}

export interface PacketTransform {
  learn?(data: Uint8Array, linkType: number): void;
  apply(data: Uint8Array, linkType: number): Uint8Array;
  text?(value: string): string;
  notes?(annotations: Annotations): Annotations;
}

export interface WriteCaptureResult {
  path: string;
  /** Frames written. */
  frames: number;
  /** Message notes written (as comments and in the block); 0 for pcap. */
  notes: number;
  /** Message notes not written: their frame was not exported, or the format (pcap) cannot carry them. */
  notesLeftOut: number;
}

const NANOSECONDS: TimestampResolution = { base: 10, exponent: 9 };

/** The if_tsresol to write for an interface: its own when decimal and no finer than ns, else ns. */
function resolutionFor(iface: CaptureInterface): TimestampResolution | undefined {
  const units = iface.timestampUnitsPerSecond;
  if (units === 1e6) return undefined; // the pcapng default: no option
  for (let exponent = 0; exponent <= 9; exponent++) if (units === 10 ** exponent) return { base: 10, exponent };
  return NANOSECONDS;
}


async function exists(path: string): Promise<boolean> {
  try {
    await lstat(path);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw new ExportError('cannot-write', `Cannot write "${path}": ${errorText(error)}.`, { cause: error });
  }
}


/**
 * The output, built in one reused buffer: packets are encoded in place (no per-packet arrays: a 200 MB
 * save is millions of them) and the buffer is written out after each chunk of the source.
 */
class Output {
  bytes = new Uint8Array(1 << 20);
  view = new DataView(this.bytes.buffer);
  length = 0;

  /** Room for `n` more bytes; returns where they start. */
  reserve(n: number): number {
    if (this.length + n > this.bytes.length) {
      const next = new Uint8Array(Math.max(this.bytes.length * 2, this.length + n));
      next.set(this.bytes.subarray(0, this.length));
      this.bytes = next;
      this.view = new DataView(next.buffer);
    }
    const at = this.length;
    this.length += n;
    return at;
  }

  append(block: Uint8Array): void {
    this.bytes.set(block, this.reserve(block.length));
  }
}

/** The frame writer for one output format: encodes what the reader delivers into the output. */
interface FrameWriter {
  start(out: Output): void;
  packet(out: Output, packet: CapturedPacket, info: CaptureFileInfo, comments: readonly string[] | undefined): void;
  finish(out: Output): void;
}

const utf8 = new TextEncoder();

/**
 * `sec` + `nsec` as 64-bit ticks of `units` per second (at most 10^9), in exact integer arithmetic: the
 * product reaches 2^62, past a double's 53 bits, so it is split (no BigInt per packet).
 */
function ticks(sec: number, nsec: number, units: number): { hi: number; lo: number } {
  const frac = units === 1e9 ? nsec : Math.floor((nsec * units) / 1e9);
  const a = Math.floor(sec / 65536) * units; // < 2^46
  const x = (a % 65536) * 65536 + (sec % 65536) * units + frac; // < 2^48
  return { hi: Math.floor(a / 65536) + Math.floor(x / 4294967296), lo: x % 4294967296 };
}

class PcapngFrameWriter implements FrameWriter {
  /** Source interface id → output interface id and units per second, by order of first use (IDB written then). */
  private readonly interfaces = new Map<number, { id: number; units: number }>();

  constructor(private readonly block: () => Uint8Array | undefined) {}

  start(out: Output): void {
    out.append(encodeSectionHeader({ application: 'sipscope' }));
  }

  packet(out: Output, p: CapturedPacket, info: CaptureFileInfo, comments: readonly string[] | undefined): void {
    let iface = this.interfaces.get(p.interfaceId);
    if (!iface) {
      const source = info.interfaces[p.interfaceId];
      const resolution = source ? resolutionFor(source) : undefined;
      iface = { id: this.interfaces.size, units: resolution ? 10 ** resolution.exponent : 1e6 };
      this.interfaces.set(p.interfaceId, iface);
      out.append(
        encodeInterfaceDescription({
          linkType: p.linkType,
          snapLength: source?.snapLength ?? 0,
          name: source?.name,
          description: source?.description,
          filter: source?.filter,
          os: source?.os,
          fcsLength: source?.fcsLength,
          resolution,
        }),
      );
    }
    // Enhanced Packet Block (pcapng §4.3), little-endian, with opt_comment and epb_flags options (§3.5).
    const encoded = comments?.map((c) => utf8.encode(c));
    let options = 0;
    if (encoded) for (const c of encoded) options += 4 + ((c.length + 3) & ~3);
    if (p.direction !== undefined) options += 8;
    if (options > 0) options += 4; // opt_endofopt
    const cap = p.data.length;
    const total = 32 + ((cap + 3) & ~3) + options;
    const at = out.reserve(total);
    const b = out.bytes;
    const dv = out.view;
    const t = ticks(p.tsSec, p.tsNsec, iface.units);
    dv.setUint32(at, 0x00000006, true);
    dv.setUint32(at + 4, total, true);
    dv.setUint32(at + 8, iface.id, true);
    dv.setUint32(at + 12, t.hi, true);
    dv.setUint32(at + 16, t.lo, true);
    dv.setUint32(at + 20, cap, true);
    dv.setUint32(at + 24, p.originalLength, true);
    b.set(p.data, at + 28);
    let q = at + 28 + cap;
    const end = at + total - 4;
    b.fill(0, q, end); // padding and opt_endofopt (the reused buffer holds old bytes)
    q = at + 28 + ((cap + 3) & ~3);
    for (const c of encoded ?? []) {
      dv.setUint16(q, 1, true);
      dv.setUint16(q + 2, c.length, true);
      b.set(c, q + 4);
      q += 4 + ((c.length + 3) & ~3);
    }
    if (p.direction !== undefined) {
      dv.setUint16(q, 2, true);
      dv.setUint16(q + 2, 4, true);
      dv.setUint32(q + 4, p.direction, true);
    }
    dv.setUint32(end, total, true);
  }

  finish(out: Output): void {
    const block = this.block();
    if (block) out.append(block);
  }
}

class PcapFrameWriter implements FrameWriter {
  private linkType: number | undefined;
  private firstFrame = 0;

  constructor(
    private readonly nanosecond: boolean,
    private readonly dest: string,
  ) {}

  start(): void {
    // The header needs the link type of the first frame written.
  }

  packet(out: Output, p: CapturedPacket, info: CaptureFileInfo): void {
    if (this.linkType === undefined) {
      this.linkType = p.linkType;
      this.firstFrame = p.frame;
      let snapLength = 262_144;
      for (const i of info.interfaces) if (i.linkType === p.linkType && i.snapLength > snapLength) snapLength = i.snapLength;
      const fcs = info.interfaces[p.interfaceId]?.fcsLength;
      out.append(encodePcapHeader({ linkType: p.linkType, snapLength, nanosecond: this.nanosecond, fcsLength: fcs !== undefined && fcs > 0 && fcs <= 30 && fcs % 2 === 0 ? fcs : undefined }));
    } else if (p.linkType !== this.linkType) {
      throw new ExportError(
        'link-types',
        `Not writing "${this.dest}": a pcap file holds one link type, but frame ${this.firstFrame} is ${linkTypeName(this.linkType)} and frame ${p.frame} is ${linkTypeName(p.linkType)}. Export as pcapng, which keeps each frame's link type.`,
      );
    }
    // Record header (pcap-savefile(5)), little-endian like the file header.
    const cap = p.data.length;
    const at = out.reserve(16 + cap);
    const dv = out.view;
    dv.setUint32(at, p.tsSec, true);
    dv.setUint32(at + 4, this.nanosecond ? p.tsNsec : Math.floor(p.tsNsec / 1000), true);
    dv.setUint32(at + 8, cap, true);
    dv.setUint32(at + 12, p.originalLength, true);
    out.bytes.set(p.data, at + 16);
  }

  finish(out: Output): void {
    // No frame at all: still a valid (empty) pcap.
    if (this.linkType === undefined) out.append(encodePcapHeader({ linkType: 1, nanosecond: this.nanosecond }));
  }
}

const LINK_TYPE_NAMES: Record<number, string> = {
  0: 'BSD loopback',
  1: 'Ethernet',
  101: 'raw IP',
  113: 'Linux cooked (SLL)',
  228: 'raw IPv4',
  229: 'raw IPv6',
  276: 'Linux cooked v2 (SLL2)',
};

function linkTypeName(linkType: number): string {
  const name = LINK_TYPE_NAMES[linkType];
  return name ? `${name} (link type ${linkType})` : `link type ${linkType}`;
}

/** Writes the capture; resolves once `dest` holds all of it, rejects (leaving nothing behind) otherwise. */
export async function writeCapture(options: WriteCaptureOptions): Promise<WriteCaptureResult> {
  const { source, format, frames } = options;
  let annotations = options.annotations;
  if (format !== 'pcapng' && format !== 'pcap') throw new ExportError('bad-argument', `Cannot write a capture as "${String(format)}": pcapng or pcap.`);
  const dest = resolve(options.dest);
  if (annotations) {
    // What is saved must open again: the notes go through the same checks as a file from anyone.
    const checked = parseAnnotations(serialiseAnnotations(annotations));
    if ('error' in checked) throw new ExportError('bad-argument', `Not writing "${dest}": the notes cannot be saved as they are (${checked.error.replace(/^annotations: /, '')}).`);
  }
  if (!options.force && (await exists(dest))) throw existsError(dest);
  try {
    if ((await stat(dest)).isDirectory()) throw new ExportError('cannot-write', `Cannot write "${dest}": it is a folder.`);
  } catch (error) {
    if (error instanceof ExportError) throw error;
  }

  const temp = join(dirname(dest), `.${basename(dest)}.${process.pid}-${randomBytes(4).toString('hex')}.tmp`);
  let fh: FileHandle;
  try {
    fh = await open(temp, 'wx', 0o644);
  } catch (error) {
    throw new ExportError('cannot-write', `Cannot write "${dest}": ${errorText(error)}.`, { cause: error });
  }

  let closed = false;
  try {
    const learn = options.transform?.learn;
    if (learn) {
      // The first reading: every packet to write, seen before any is written.
      await streamCapture(source, { packet: (p) => (frames && !frames.has(p.frame) ? undefined : learn(p.data, p.linkType)), diagnostic: () => undefined }, { chunkSize: options.chunkSize, signal: options.signal });
    }
    if (annotations && options.transform?.notes) annotations = options.transform.notes(annotations);
    const comments = annotations ? frameComments(annotations) : undefined;
    /** Old → new frame number, for the frames that carry notes (the block is renumbered at the end). */
    const renumber = new Map<number, number>();
    let written = 0;
    let info: CaptureFileInfo | undefined;
    let writer: FrameWriter | undefined;
    let failure: unknown;
    const output = new Output();
    const flush = async (): Promise<void> => {
      let at = 0;
      while (at < output.length) {
        const { bytesWritten } = await fh.write(output.bytes, at, output.length - at);
        at += bytesWritten;
      }
      output.length = 0;
    };
    const makeWriter = (): FrameWriter => {
      if (format === 'pcap') {
        // A microsecond pcap stays one; anything finer (ns pcap, pcapng) needs the nanosecond magic.
        const micro = info?.format === 'pcap' && info.nanosecond !== true;
        return new PcapFrameWriter(!micro, dest);
      }
      return new PcapngFrameWriter(() => {
        if (!annotations) return undefined;
        return encodeCustomBlock({ pen: ANNOTATIONS_PEN, data: encodeAnnotationsBlock(annotationsForFrames(annotations, renumber)) });
      });
    };
    const sink: CaptureSink = {
      packet(p) {
        if (failure !== undefined || (frames && !frames.has(p.frame))) return;
        try {
          if (!writer) {
            writer = makeWriter();
            writer.start(output);
          }
          const transform = options.transform;
          const packet = transform ? { ...p, data: transform.apply(p.data, p.linkType) } : p;
          const own = transform?.text && p.comments ? p.comments.map((c) => (transform.text as (value: string) => string)(c)) : p.comments;
          writer.packet(output, packet, info as CaptureFileInfo, comments ? comments.get(p.frame) : own);
          written++;
          if (comments?.has(p.frame)) renumber.set(p.frame, written);
        } catch (error) {
          failure = error;
        }
      },
      diagnostic() {
        // Damage in the source is reported when the capture is opened; what the reader delivers is written.
      },
    };
    let result;
    try {
      result = await streamCapture(source, sink, {
        chunkSize: options.chunkSize,
        signal: options.signal,
        onProgress: options.onProgress,
        onReader: (readerInfo) => {
          info = readerInfo;
        },
        afterChunk: async () => {
          if (failure !== undefined) throw failure;
          await flush();
        },
      });
    } catch (error) {
      throw failure ?? error;
    }
    if (failure !== undefined) throw failure;
    if (!writer) {
      writer = makeWriter();
      writer.start(output);
    }
    writer.finish(output);
    await flush();

    const after = await stat(source).catch(() => undefined);
    if (!after || after.size !== result.fileSize || after.mtimeMs !== result.mtimeMs || (!result.stopped && result.bytesRead !== result.fileSize)) {
      throw new ExportError(
        'source-changed',
        `Not writing "${dest}": the source "${source}" ${after ? 'changed' : 'disappeared'} while it was being read, so the export could be incomplete. Nothing was written; try again once the file is stable.`,
      );
    }
    if (frames && written < frames.size) {
      throw new ExportError(
        'frames-missing',
        `Not writing "${dest}": ${frames.size - written} of the ${frames.size} frames to export are not in "${source}"${result.stopped ? ' (its reading stopped at damage)' : ''}. Was it replaced since it was opened?`,
      );
    }
    await fh.sync();
    await fh.close();
    closed = true;
    await place(temp, dest, options.force === true);
    const notes = format === 'pcapng' && annotations ? annotations.messages.filter((m) => renumber.has(m.frame)).length : 0;
    return { path: dest, frames: written, notes, notesLeftOut: (annotations?.messages.length ?? 0) - notes };
  } catch (error) {
    if (!closed) await fh.close().catch(() => undefined);
    await unlink(temp).catch(() => undefined);
    throw error;
  }
}
