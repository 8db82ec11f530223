/**
 * Reads a capture file (pcap, pcapng, either gzip-compressed) through a core reader with an await between
 * chunks, for work that writes as it reads (exports) and must not outrun its output: openCaptureFile's
 * sink is synchronous and its chunk loop cannot wait for a slow disk. Also hands over pcapng Custom Blocks
 * (annotations), which openCaptureFile's counting sink does not forward.
 */
import { createReadStream } from 'node:fs';
import type { Stats } from 'node:fs';
import { open } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { describeUnknownFormat, detectCaptureFormat } from '../../core/capture/detect.js';
import { createCaptureReader } from '../../core/capture/open.js';
import type { CaptureFileInfo, CaptureReader, CaptureSink } from '../../core/capture/types.js';
import { CaptureFileError, fileSystemError, statFile } from '../capture-file.js';

export interface StreamCaptureOptions {
  /** Bytes per read from the file (default 4 MiB). */
  chunkSize?: number;
  /** Awaited after each chunk has been handed to the reader: write out what the sink produced. */
  afterChunk?(): Promise<void>;
  /** Once the reader is made: its info, filled in as it reads (interfaces, formats), before any packet. */
  onReader?(info: CaptureFileInfo): void;
  /** After each chunk: bytes read from the file so far and its size at the start. */
  onProgress?(bytesRead: number, fileSize: number): void;
  signal?: AbortSignal;
}

export interface StreamedCapture {
  format: 'pcap' | 'pcapng';
  compressed: boolean;
  info: CaptureFileInfo;
  /** The file as it was when reading started. */
  fileSize: number;
  mtimeMs: number;
  /** Bytes read from the file (compressed bytes for gzip). */
  bytesRead: number;
  /** The reader met damage it cannot frame past and ignored the rest. */
  stopped: boolean;
}

const DETECT_BYTES = 64;

async function statSource(path: string): Promise<Stats> {
  const s = await statFile(path);
  if (s.size === 0) throw new CaptureFileError(path, 'empty', `Cannot open capture file "${path}": the file is empty (0 bytes).`);
  return s;
}

async function firstBytes(path: string): Promise<Uint8Array> {
  let fh;
  try {
    fh = await open(path, 'r');
  } catch (error) {
    throw fileSystemError(path, error);
  }
  try {
    const head = Buffer.alloc(DETECT_BYTES);
    const { bytesRead } = await fh.read(head, 0, DETECT_BYTES, 0);
    return new Uint8Array(head.buffer, head.byteOffset, bytesRead);
  } catch (error) {
    throw fileSystemError(path, error);
  } finally {
    await fh.close();
  }
}

/** Streams `path` into `sink` (packets, diagnostics, custom blocks), awaiting `afterChunk` after each chunk. */
export async function streamCapture(path: string, sink: CaptureSink, options: StreamCaptureOptions = {}): Promise<StreamedCapture> {
  const s = await statSource(path);
  const head = await firstBytes(path);
  const outer = detectCaptureFormat(head);
  if (outer !== 'gzip' && outer !== 'pcap' && outer !== 'pcapng') {
    throw new CaptureFileError(path, outer === 'netmon' ? 'netmon' : 'unknown-format', `Cannot open "${path}": ${describeUnknownFormat(head)}.`);
  }
  const compressed = outer === 'gzip';
  const file = createReadStream(path, { highWaterMark: options.chunkSize ?? 4 * 1024 * 1024 });
  let bytesRead = 0;
  file.on('data', (chunk) => {
    bytesRead += chunk.length;
  });
  let source: Readable = file;
  if (compressed) {
    const gunzip = createGunzip();
    // A read error must reach the consumer of the gunzip stream, not stay on the file stream.
    file.on('error', (error) => gunzip.destroy(error));
    source = file.pipe(gunzip);
  }
  let reader: CaptureReader | undefined;
  let format: 'pcap' | 'pcapng' | undefined;
  let pending: Uint8Array[] = [];
  let pendingBytes = 0;
  const start = (bytes: Uint8Array): void => {
    const inner = detectCaptureFormat(bytes);
    if (inner !== 'pcap' && inner !== 'pcapng') {
      throw new CaptureFileError(path, 'unknown-format', `Cannot open "${path}" (after gzip decompression): ${describeUnknownFormat(bytes)}.`);
    }
    format = inner;
    reader = createCaptureReader(inner, sink);
    options.onReader?.(reader.info);
  };
  try {
    for await (const data of source as AsyncIterable<Buffer>) {
      const chunk = new Uint8Array(data.buffer, data.byteOffset, data.length);
      if (!reader) {
        pending.push(chunk.slice());
        pendingBytes += chunk.length;
        if (pendingBytes < DETECT_BYTES) continue;
        const all = Buffer.concat(pending);
        pending = [];
        start(new Uint8Array(all.buffer, all.byteOffset, all.length));
        (reader as CaptureReader | undefined)?.push(new Uint8Array(all.buffer, all.byteOffset, all.length));
      } else reader.push(chunk);
      await options.afterChunk?.();
      options.onProgress?.(bytesRead, s.size);
      if (options.signal?.aborted) throw options.signal.reason;
      if (reader?.stopped) break;
    }
    if (!reader && pendingBytes > 0) {
      const all = Buffer.concat(pending);
      start(new Uint8Array(all.buffer, all.byteOffset, all.length));
      (reader as CaptureReader | undefined)?.push(new Uint8Array(all.buffer, all.byteOffset, all.length));
      await options.afterChunk?.();
    }
  } catch (error) {
    if (error instanceof CaptureFileError || error === options.signal?.reason) throw error;
    const code = (error as NodeJS.ErrnoException).code ?? '';
    if (code.startsWith('Z_')) {
      throw new CaptureFileError(path, 'corrupt-gzip', `Cannot read "${path}": its gzip compression is damaged (${(error as Error).message}).`, { cause: error });
    }
    throw fileSystemError(path, error);
  } finally {
    file.destroy();
    source.destroy();
  }
  if (!reader || !format) throw new CaptureFileError(path, 'empty', `Cannot open capture file "${path}": it decompresses to nothing.`);
  const stopped = reader.stopped === true;
  reader.end();
  await options.afterChunk?.();
  return { format, compressed, info: reader.info, fileSize: s.size, mtimeMs: s.mtimeMs, bytesRead, stopped };
}
