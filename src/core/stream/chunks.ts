import type { MessageChunk } from '../index/message-index.js';

/** A run of stream bytes with the frame they came from and its timestamp. */
export interface TimedChunk extends MessageChunk {
  tsSec: number;
  tsNsec: number;
}

/**
 * The chunks covering bytes [from, to) of a buffer whose bytes are described, in order, by `chunks`
 * (the first chunk starts at buffer offset 0). Used to say which frames a stream message came from.
 */
export function sliceChunks(chunks: readonly TimedChunk[], from: number, to: number): TimedChunk[] {
  const out: TimedChunk[] = [];
  let base = 0;
  for (const chunk of chunks) {
    const chunkEnd = base + chunk.length;
    if (chunkEnd > from && base < to) {
      const start = Math.max(from, base);
      const end = Math.min(to, chunkEnd);
      out.push({ ...chunk, fileOffset: chunk.fileOffset + (start - base), length: end - start });
    }
    base = chunkEnd;
    if (base >= to) break;
  }
  return out;
}
