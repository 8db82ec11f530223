/**
 * Opening capture files from disk (shared by the CLI and the Electron main process).
 *
 * - Plain pcap/pcapng: read in ~8 MiB chunks with two reused buffers, the next read in flight while the
 *   current chunk is parsed (async double buffering; as fast as readSync and non-blocking, see `readPlain`).
 *   Memory is two chunks plus the reader's leftover, whatever the file size.
 * - gzip (magic 1f8b, detected by content, not by name): streamed through node:zlib; the inner format is
 *   detected from the first decompressed bytes. Packets' `dataOffset` then refers to the DECOMPRESSED
 *   stream. To re-read packet bytes later either pass `spillDecompressedTo` (the decompressed stream is
 *   written there while reading; `summary.dataPath` names it and `readPacketData(dataPath, ...)` is a plain
 *   positioned read), or call `readPacketData` on the .gz itself, which decompresses from the start up to
 *   the offset each time: constant memory, but O(offset) time — fine for one packet, slow for browsing.
 * - Damage: a corrupt or cut-short gzip stream after at least one packet does NOT throw: the packets
 *   decoded before the damage stay delivered, the problem goes to the sink as a diagnostic (layer `gzip`,
 *   `truncated` for a cut-short file, `malformed` for corrupt data) and the summary says `complete: false`.
 *   Only when nothing usable came out (no packet) does it throw a CaptureFileError. Damage inside a
 *   pcap/pcapng stream is the readers' business: diagnostics, never a throw.
 */
import { closeSync, createReadStream, openSync, writeSync } from 'node:fs';
import type { Stats } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import { basename, extname, join, dirname } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import { describeUnknownFormat, detectCaptureFormat } from '../core/capture/detect.js';
import { createCaptureReader } from '../core/capture/open.js';
import type { CaptureFileInfo, CaptureReader, CaptureSink } from '../core/capture/types.js';

export const DEFAULT_CHUNK_SIZE = 8 * 1024 * 1024;
/** Bytes of decompressed data gathered before detecting the format inside a gzip file. */
const DETECT_BYTES = 64;
/** readPacketData refuses more than this in one call (a packet is at most 256 KiB in practice). */
const MAX_READ = 64 * 1024 * 1024;

export type CaptureFileErrorCode =
  | 'not-found'
  | 'permission-denied'
  | 'is-directory'
  | 'not-a-file'
  | 'empty'
  | 'unknown-format'
  | 'netmon'
  | 'corrupt-gzip'
  | 'read-error'
  | 'bad-argument';

/** A problem opening or reading a capture file, with a message meant for the user (it names the file). */
export class CaptureFileError extends Error {
  constructor(
    readonly path: string,
    readonly code: CaptureFileErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'CaptureFileError';
  }
}

export interface OpenCaptureFileOptions {
  /** Called after each chunk: bytes read from the file so far (compressed bytes for gzip) and its size. */
  onProgress?(bytesRead: number, totalBytes: number): void;
  /** Bytes per read, default 8 MiB. */
  chunkSize?: number;
  /**
   * Bytes of the first read of an uncompressed file, when smaller than `chunkSize`: the app asks for a small
   * one so that the first screen of messages is indexed (and shown) before a whole chunk is read and framed.
   */
  firstChunkSize?: number;
  /**
   * gzip files only: write the decompressed stream to this path while reading, so that packets'
   * `dataOffset` can be re-read cheaply with `readPacketData(summary.dataPath, ...)`. The caller owns the
   * file (creates it in a temp dir, deletes it when done). Ignored for uncompressed files.
   */
  spillDecompressedTo?: string;
  /** Cancels reading between chunks; the promise rejects with the signal's reason. */
  signal?: AbortSignal;
}

export interface CaptureFileSummary {
  path: string;
  format: 'pcap' | 'pcapng';
  /** gzip-compressed on disk. */
  compressed: boolean;
  fileSize: number;
  /** Bytes read from the file (compressed bytes for gzip). */
  bytesRead: number;
  /** Bytes of the capture stream handed to the reader (the decompressed size for gzip). */
  streamBytes: number;
  info: CaptureFileInfo;
  packets: number;
  /**
   * The file whose offsets packets' `dataOffset` refer to: `path` itself, or for gzip the
   * `spillDecompressedTo` copy when one was written. Pass it to `readPacketData`.
   */
  dataPath: string;
  /** False when reading ended early at damage (a diagnostic says where): packets after it are missing. */
  complete: boolean;
}

/** The CaptureFileError for a failed fs call on `path` (by errno code), with a message for the user. */
export function fileSystemError(path: string, error: unknown): CaptureFileError {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  const name = `"${path}"`;
  switch (code) {
    case 'ENOENT':
      return new CaptureFileError(path, 'not-found', `Cannot open capture file ${name}: there is no such file (check the path and the spelling).`, { cause: error });
    case 'EACCES':
    case 'EPERM':
      return new CaptureFileError(
        path,
        'permission-denied',
        `Cannot open capture file ${name}: permission denied. sipscope needs read access to it — captures written by tcpdump or dumpcap as root are often readable by root only: ask its owner, or run \`sudo chown $USER ${JSON.stringify(path)}\` (or copy it somewhere you can read) and open it again.`,
        { cause: error },
      );
    case 'EISDIR':
      return new CaptureFileError(path, 'is-directory', `Cannot open ${name}: it is a directory, not a capture file; choose a .pcap or .pcapng file inside it.`, { cause: error });
    case 'ENOTDIR':
      return new CaptureFileError(path, 'not-found', `Cannot open capture file ${name}: a part of the path is not a directory.`, { cause: error });
    default:
      return new CaptureFileError(path, 'read-error', `Cannot read capture file ${name}: ${(error as Error | undefined)?.message ?? String(error)}`, { cause: error });
  }
}

/** The capture file's metadata, or a CaptureFileError saying why it cannot be read as one (shared with exports). */
export async function statFile(path: string): Promise<Stats> {
  let s: Stats;
  try {
    s = await stat(path);
  } catch (error) {
    throw fileSystemError(path, error);
  }
  if (s.isDirectory()) throw fileSystemError(path, Object.assign(new Error('is a directory'), { code: 'EISDIR' }));
  if (!s.isFile()) {
    throw new CaptureFileError(path, 'not-a-file', `Cannot open "${path}": it is not a regular file (a pipe, socket or device); save the capture to a file first.`);
  }
  return s;
}

function unknownFormatError(path: string, first: Uint8Array, insideGzip: boolean): CaptureFileError {
  const netmon = detectCaptureFormat(first) === 'netmon';
  const stem = basename(path, extname(path)).replace(/\.(pcap|pcapng|cap)$/i, '');
  const converted = join(dirname(path), `${stem}.pcapng`);
  const what = describeUnknownFormat(first).replace('`editcap -F pcapng IN OUT`', `\`editcap -F pcapng ${JSON.stringify(path)} ${JSON.stringify(converted)}\``);
  const where = insideGzip ? ' (after gzip decompression)' : '';
  if (first.length === 0) {
    return new CaptureFileError(path, 'empty', `Cannot open capture file "${path}": ${insideGzip ? 'it decompresses to nothing (0 bytes)' : 'the file is empty (0 bytes)'}.`);
  }
  return new CaptureFileError(path, netmon ? 'netmon' : 'unknown-format', `Cannot open "${path}"${where}: ${what}.`);
}

/** Wraps a sink to count packets. */
function countingSink(sink: CaptureSink): CaptureSink & { packets: number } {
  const counted = {
    packets: 0,
    packet(p: Parameters<CaptureSink['packet']>[0]) {
      counted.packets++;
      sink.packet(p);
    },
    diagnostic(d: Parameters<CaptureSink['diagnostic']>[0]) {
      sink.diagnostic(d);
    },
    // pcapng Custom Blocks (sipscope's annotations) pass through to a sink that wants them.
    ...(sink.customBlock ? { customBlock: sink.customBlock.bind(sink) } : {}),
  };
  return counted;
}

/** A plain Uint8Array view (not a Buffer) so core code and tests see one type. */
function view(b: Buffer, length: number): Uint8Array {
  return new Uint8Array(b.buffer, b.byteOffset, length);
}

/**
 * Reads a capture file into `sink` (packets and file-level diagnostics, in file order) and resolves with a
 * summary. Rejects with CaptureFileError when the file cannot be read at all (see the module comment for
 * what counts as "at all").
 */
export async function openCaptureFile(path: string, sink: CaptureSink, options: OpenCaptureFileOptions = {}): Promise<CaptureFileSummary> {
  const s = await statFile(path);
  const fileSize = s.size;
  if (fileSize === 0) throw new CaptureFileError(path, 'empty', `Cannot open capture file "${path}": the file is empty (0 bytes), there are no packets in it.`);
  // No 8 MiB buffers for a 3 KB file (reading still goes on to EOF if the file has grown since stat).
  const chunkSize = Math.max(4096, Math.min(fileSize, Math.floor(options.chunkSize ?? DEFAULT_CHUNK_SIZE)));

  let fh: FileHandle;
  try {
    fh = await open(path, 'r');
  } catch (error) {
    throw fileSystemError(path, error);
  }
  let first: Uint8Array;
  try {
    const head = Buffer.alloc(Math.min(DETECT_BYTES, fileSize));
    const { bytesRead } = await fh.read(head, 0, head.length, 0);
    first = view(head, bytesRead);
  } catch (error) {
    await fh.close();
    throw fileSystemError(path, error);
  }
  const format = detectCaptureFormat(first);
  if (format === 'gzip') {
    await fh.close();
    return readGzip(path, fileSize, chunkSize, sink, options);
  }
  if (format !== 'pcap' && format !== 'pcapng') {
    await fh.close();
    throw unknownFormatError(path, first, false);
  }
  const counted = countingSink(sink);
  const reader = createCaptureReader(format, counted);
  let bytesRead: number;
  try {
    bytesRead = await readPlain(path, fh, fileSize, chunkSize, reader, options);
  } finally {
    await fh.close();
  }
  const stopped = reader.stopped === true;
  reader.end();
  return {
    path,
    format,
    compressed: false,
    fileSize,
    bytesRead,
    streamBytes: reader.bytesConsumed,
    info: reader.info,
    packets: counted.packets,
    dataPath: path,
    complete: !stopped && bytesRead >= fileSize,
  };
}

/**
 * Async positioned reads into two reused buffers: while the reader parses one chunk, the next read runs on
 * libuv's thread pool. Measured with bench/capture-read-bench.mjs (200 MB cached pcap, 2-vCPU VM): this and
 * a readSync loop with one buffer are equal within run-to-run noise (both 1.6–2.7 GB/s median; framing
 * alone 2.9–3.7 GB/s). Async wins on what noise cannot hide: the event loop stays free between chunks
 * (progress events, cancellation, the Electron main process). Stops early once the reader gave up on
 * damaged framing.
 */
async function readPlain(
  path: string,
  fh: FileHandle,
  fileSize: number,
  chunkSize: number,
  reader: CaptureReader,
  options: OpenCaptureFileOptions,
): Promise<number> {
  let current = Buffer.allocUnsafe(chunkSize);
  let spare = Buffer.allocUnsafe(chunkSize);
  let position = 0;
  const firstRead = Math.max(4096, Math.min(chunkSize, Math.floor(options.firstChunkSize ?? chunkSize)));
  let inFlight = fh.read(current, 0, firstRead, position);
  try {
    while (true) {
      let got: number;
      try {
        got = (await inFlight).bytesRead;
      } catch (error) {
        throw fileSystemError(path, error);
      }
      if (got === 0) break;
      position += got;
      const chunk = current;
      current = spare;
      spare = chunk;
      inFlight = fh.read(current, 0, chunkSize, position);
      reader.push(view(chunk, got));
      options.onProgress?.(position, fileSize);
      if (reader.stopped) break;
      if (options.signal?.aborted) throw options.signal.reason;
    }
  } finally {
    // Never leave a read running into a buffer or a handle about to be closed.
    await inFlight.catch(() => undefined);
  }
  return position;
}

/** Bytes of decompressed output per chunk for gzip files (input is read in `chunkSize` pieces). */
const GZIP_OUTPUT_CHUNK = 16 * 1024;

/**
 * gzip: the file streams through node:zlib. Output is consumed in flowing mode ('data' events, handled
 * synchronously) rather than with an async iterator: zlib destroys the stream on an error, and anything
 * still buffered then would be lost, which is exactly the data before the damage we want to keep. The
 * small output chunk bounds what a failing inflate call can take with it (zlib reports the error of a
 * call instead of its output).
 */
async function readGzip(path: string, fileSize: number, chunkSize: number, sink: CaptureSink, options: OpenCaptureFileOptions): Promise<CaptureFileSummary> {
  const counted = countingSink(sink);
  let reader: CaptureReader | undefined;
  let format: 'pcap' | 'pcapng' | undefined;
  let head: Uint8Array[] = [];
  let headBytes = 0;
  let decompressed = 0;
  let spill: number | undefined;
  let formatError: CaptureFileError | undefined;
  let stoppedEarly = false;
  /** zlib's complaint (corrupt or cut-short data): reported, not thrown, once packets came out. */
  let damage: NodeJS.ErrnoException | undefined;
  /** Anything else (I/O error, cancellation, a failed spill write): thrown. */
  let failure: unknown;

  const startReader = (): void => {
    const first = head.length === 1 ? head[0] : new Uint8Array(Buffer.concat(head));
    const inner = detectCaptureFormat(first);
    if (inner !== 'pcap' && inner !== 'pcapng') {
      formatError =
        inner === 'gzip'
          ? new CaptureFileError(path, 'unknown-format', `Cannot open "${path}": it is gzip-compressed twice; decompress it once with \`gunzip\` and open the result.`)
          : unknownFormatError(path, first, true);
      return;
    }
    format = inner;
    reader = createCaptureReader(inner, counted);
    for (const h of head) reader.push(h);
    head = [];
  };

  if (options.spillDecompressedTo !== undefined) {
    try {
      spill = openSync(options.spillDecompressedTo, 'w');
    } catch (error) {
      throw new CaptureFileError(path, 'read-error', `Cannot write the decompressed copy of "${path}" to "${options.spillDecompressedTo}": ${(error as Error).message}`, { cause: error });
    }
  }

  const input = createReadStream(path, { highWaterMark: chunkSize });
  const gunzip = createGunzip({ chunkSize: GZIP_OUTPUT_CHUNK });
  try {
    await new Promise<void>((resolve) => {
      let done = false;
      const finish = (): void => {
        if (done) return;
        done = true;
        input.destroy();
        gunzip.destroy();
        resolve();
      };
      gunzip.on('data', (out: Buffer) => {
        if (done) return;
        try {
          const chunk = view(out, out.length);
          decompressed += chunk.length;
          if (spill !== undefined) writeAll(spill, chunk);
          if (reader) reader.push(chunk);
          else {
            head.push(chunk);
            headBytes += chunk.length;
            if (headBytes >= DETECT_BYTES) startReader();
          }
          options.onProgress?.(input.bytesRead, fileSize);
          if (options.signal?.aborted) failure = options.signal.reason;
        } catch (error) {
          failure = error;
        }
        if (reader?.stopped) stoppedEarly = true;
        if (formatError || stoppedEarly || failure !== undefined) finish();
      });
      gunzip.on('end', finish);
      gunzip.on('error', (error: NodeJS.ErrnoException) => {
        if (!done) damage = error;
        finish();
      });
      input.on('error', (error) => {
        if (!done) failure = error;
        finish();
      });
      input.pipe(gunzip);
    });
  } finally {
    if (spill !== undefined) closeSync(spill);
  }

  if (failure !== undefined) {
    if (options.signal?.aborted && failure === options.signal.reason) throw failure;
    if (failure instanceof CaptureFileError) throw failure;
    throw fileSystemError(path, failure);
  }
  if (formatError) throw formatError;
  if (!reader && !formatError && head.length > 0) {
    // Fewer than DETECT_BYTES decompressed bytes in all: detect on what there is.
    startReader();
    if (formatError) throw formatError;
  }
  if (damage) {
    const cutShort = damage.code === 'Z_BUF_ERROR';
    // "incorrect data check" / "incorrect length check": the CRC-32 or size in the gzip trailer does not
    // match, so the damage is somewhere in what was decompressed, not at a known place.
    const checksum = /check/.test(damage.message);
    const damaged = cutShort ? 'ends abruptly (the file was cut short)' : `is corrupt (${damage.message})`;
    const consequence = checksum
      ? `the ${counted.packets} packet(s) read may contain damaged bytes, and anything after that point is lost`
      : `the ${counted.packets} packet(s) before the damage were read, anything after it is lost`;
    if (!reader || counted.packets === 0) {
      throw new CaptureFileError(
        path,
        'corrupt-gzip',
        `Cannot read capture file "${path}": its gzip compression ${damaged} after ${decompressed} decompressed byte(s), before any complete packet; there is nothing to show. Try \`gzip -t\` on it, or fetch the file again.`,
        { cause: damage },
      );
    }
    counted.diagnostic({
      kind: cutShort ? 'truncated' : 'malformed',
      severity: cutShort ? 'warning' : 'error',
      layer: 'gzip',
      message: `the gzip stream ${damaged} after ${decompressed} decompressed byte(s): ${consequence}`,
      offset: decompressed,
      fileOffset: decompressed,
    });
  }
  if (!reader || !format) throw unknownFormatError(path, new Uint8Array(0), true);
  reader.end();
  return {
    path,
    format,
    compressed: true,
    fileSize,
    bytesRead: input.bytesRead,
    streamBytes: reader.bytesConsumed,
    info: reader.info,
    packets: counted.packets,
    dataPath: options.spillDecompressedTo ?? path,
    complete: !damage && !stoppedEarly && reader.stopped !== true,
  };
}

function writeAll(fd: number, bytes: Uint8Array): void {
  let at = 0;
  while (at < bytes.length) at += writeSync(fd, bytes, at, bytes.length - at);
}

/**
 * Re-reads `length` bytes at `dataOffset` of a capture (a packet's dataOffset/capturedLength from the
 * reader). For a gzip file the offset is in the decompressed stream: pass the summary's `dataPath` (the
 * spill copy) for a direct read; given the .gz itself it decompresses from the start up to the offset
 * (constant memory, O(offset) time). Rejects with CaptureFileError when the bytes are not there.
 */
export async function readPacketData(path: string, dataOffset: number, length: number): Promise<Uint8Array> {
  if (!Number.isSafeInteger(dataOffset) || dataOffset < 0 || !Number.isSafeInteger(length) || length < 0 || length > MAX_READ) {
    throw new CaptureFileError(path, 'bad-argument', `Cannot read from "${path}": invalid range (offset ${dataOffset}, length ${length}).`);
  }
  let fh: FileHandle;
  try {
    fh = await open(path, 'r');
  } catch (error) {
    throw fileSystemError(path, error);
  }
  let gzip = false;
  try {
    const magic = Buffer.alloc(2);
    await fh.read(magic, 0, 2, 0);
    gzip = magic[0] === 0x1f && magic[1] === 0x8b;
    if (!gzip) {
      const out = Buffer.alloc(length);
      let got = 0;
      while (got < length) {
        const { bytesRead } = await fh.read(out, got, length - got, dataOffset + got);
        if (bytesRead === 0) break;
        got += bytesRead;
      }
      if (got < length) throw shortRead(path, dataOffset, length, got);
      return view(out, length);
    }
  } catch (error) {
    if (error instanceof CaptureFileError) throw error;
    throw fileSystemError(path, error);
  } finally {
    await fh.close().catch(() => undefined);
  }
  return readFromGzip(path, dataOffset, length);
}

function shortRead(path: string, offset: number, length: number, got: number): CaptureFileError {
  return new CaptureFileError(
    path,
    'read-error',
    `Cannot read ${length} byte(s) at offset ${offset} of "${path}": only ${got} are there. The file is shorter than when it was opened — was it changed, truncated or replaced? Open it again.`,
  );
}

async function readFromGzip(path: string, offset: number, length: number): Promise<Uint8Array> {
  const out = new Uint8Array(length);
  let position = 0; // decompressed bytes seen
  let got = 0;
  const end = offset + length;
  try {
    await pipeline(createReadStream(path), createGunzip(), async (source: AsyncIterable<Buffer>) => {
      for await (const chunk of source) {
        const from = Math.max(offset, position);
        const to = Math.min(end, position + chunk.length);
        if (to > from) {
          out.set(chunk.subarray(from - position, to - position), from - offset);
          got += to - from;
        }
        position += chunk.length;
        if (position >= end) return;
      }
    });
  } catch (error) {
    if (got < length) {
      const code = (error as NodeJS.ErrnoException).code ?? '';
      if (!code.startsWith('Z_')) throw fileSystemError(path, error);
      throw new CaptureFileError(path, 'corrupt-gzip', `Cannot read ${length} byte(s) at decompressed offset ${offset} of "${path}": the gzip stream is damaged after ${position} byte(s) (${(error as Error).message}).`, { cause: error });
    }
  }
  if (got < length) throw shortRead(path, offset, length, got);
  return out;
}
