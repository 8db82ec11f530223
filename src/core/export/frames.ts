/**
 * Which frames of a capture a set of messages came from, so that exporting just those frames gives a file
 * that reopens to the same messages: every TCP segment (or SCTP chunk, WebSocket frame...) holding bytes of
 * the message, as the index's chunks record them; every IP fragment of a reassembled datagram, including a
 * fragment that only carried the transport header and the other fragments of a fragmented TCP segment
 * (MessageIndex.fragmentFramesOf); and the frame the message ends in.
 */
import type { MessageIndex } from '../index/message-index.js';

export interface FramesOfRowsOptions {
  /** Also the frames of the other captures of each message (the same message seen at another capture point). */
  copies?: boolean;
}

function addFrame(index: MessageIndex, frames: Set<number>, frame: number): void {
  frames.add(frame);
  for (const f of index.fragmentFramesOf(frame)) frames.add(f);
}

function addRow(index: MessageIndex, frames: Set<number>, row: number): void {
  addFrame(index, frames, index.frameOf(row));
  for (const chunk of index.chunksOf(row)) addFrame(index, frames, chunk.frame);
}

/** Every frame the messages of `rows` came from (rows outside the index are ignored). */
export function framesOfRows(index: MessageIndex, rows: Iterable<number>, options: FramesOfRowsOptions = {}): Set<number> {
  const frames = new Set<number>();
  for (const row of rows) {
    if (!Number.isInteger(row) || row < 0 || row >= index.count) continue;
    addRow(index, frames, row);
    if (options.copies) for (const copy of index.copiesOf(row)) addRow(index, frames, copy);
  }
  return frames;
}
