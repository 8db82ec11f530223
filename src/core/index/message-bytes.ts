/** Bytes per block of the store; a message longer than this gets a block of its own. */
const BLOCK_BYTES = 1 << 20;
/** Rows per block of the offset columns. */
const ROW_BLOCK_BITS = 14;
const ROW_BLOCK = 1 << ROW_BLOCK_BITS;
const ROW_MASK = ROW_BLOCK - 1;

/**
 * The bytes of every message, by row, for what the index does not keep: display filters on any header or
 * the body, the detail pane. Kept only when asked for (`keepMessageBytes`): a 300k-message trace holds some
 * 200 MB of SIP text, which a plain listing or the call analysis does not need.
 *
 * Messages are copied into 1 MiB blocks (a row is a block number and an offset, no object per message),
 * so the packet buffers they came from can be released as the capture is read.
 */
export class MessageBytesStore {
  private readonly blocks: Uint8Array[] = [];
  private used = BLOCK_BYTES;
  private readonly blockOf: Uint32Array[] = [];
  private readonly startOf: Uint32Array[] = [];
  private readonly lengthOf: Uint32Array[] = [];
  private rows = 0;
  private bytesHeld = 0;

  get count(): number {
    return this.rows;
  }

  /** Bytes held by the blocks. */
  get byteSize(): number {
    return this.bytesHeld;
  }

  /** Stores the bytes of `row` (rows are added in increasing order; a skipped row has no bytes). */
  set(row: number, bytes: Uint8Array, start: number, end: number): void {
    const length = Math.max(0, Math.min(end, bytes.length) - start);
    while (this.blockOf.length <= row >>> ROW_BLOCK_BITS) {
      this.blockOf.push(new Uint32Array(ROW_BLOCK));
      this.startOf.push(new Uint32Array(ROW_BLOCK));
      this.lengthOf.push(new Uint32Array(ROW_BLOCK));
    }
    let block: number;
    let at: number;
    if (length > BLOCK_BYTES) {
      // A message larger than a block (rare: SIP over TCP with a huge body) gets a block of its own; the
      // next message starts a new block (the rest of the current one is left unused).
      this.blocks.push(bytes.slice(start, start + length));
      this.bytesHeld += length;
      this.used = BLOCK_BYTES;
      block = this.blocks.length - 1;
      at = 0;
    } else {
      if (this.used + length > BLOCK_BYTES) {
        this.blocks.push(new Uint8Array(BLOCK_BYTES));
        this.bytesHeld += BLOCK_BYTES;
        this.used = 0;
      }
      block = this.blocks.length - 1;
      at = this.used;
      this.blocks[block].set(bytes.subarray(start, start + length), at);
      this.used += length;
    }
    const b = row >>> ROW_BLOCK_BITS;
    const i = row & ROW_MASK;
    // Block numbers are stored + 1 so that 0 means "no bytes".
    this.blockOf[b][i] = block + 1;
    this.startOf[b][i] = at;
    this.lengthOf[b][i] = length;
    this.rows = Math.max(this.rows, row + 1);
  }

  /** The bytes of `row` (a view, not a copy), or undefined when none were kept. */
  bytesOf(row: number): Uint8Array | undefined {
    if (row < 0 || row >= this.rows) return undefined;
    const b = row >>> ROW_BLOCK_BITS;
    const i = row & ROW_MASK;
    const block = this.blockOf[b][i];
    if (block === 0) return undefined;
    const start = this.startOf[b][i];
    return this.blocks[block - 1].subarray(start, start + this.lengthOf[b][i]);
  }
}
