import type { Diagnostic } from '../diagnostics.js';
import { decodeText } from '../util/text.js';
import { ByteInterner, hashBytes } from './byte-interner.js';

/** Where a message's bytes are in the (decompressed) capture: one run per contributing frame. */
export interface MessageChunk {
  frame: number;
  /** Byte offset in the capture stream. */
  fileOffset: number;
  length: number;
}

/** A message read back from the index. */
export interface MessageRecord {
  index: number;
  frame: number;
  firstFrame: number;
  tsSec: number;
  tsNsec: number;
  src: string;
  dst: string;
  transport: string;
  stack: string;
  method?: string;
  status?: number;
  reason?: string;
  callId: string;
  cseq?: { seq: number; method: string };
  fromUri: string;
  fromTag: string;
  toUri: string;
  toTag: string;
  branch: string;
  size: number;
  chunks: MessageChunk[];
  diagnostics: Diagnostic[];
  /**
   * The layers around the message that `src`/`dst` do not show: outer IP addresses of tunnels, GTP-U TEID,
   * ESP SPI and sequence number, HEP capture agent... outermost first. Empty for plain IP/UDP/TCP.
   */
  outer: LayerDetail[];
  /** Other rows carrying the same message seen at another capture point (in clear and inside ESP, tunnelled and plain). */
  copies: { index: number; frame: number }[];
}

/** One outer layer's fields, as shown to the user. */
export interface LayerDetail {
  layer: string;
  [field: string]: string | number;
}

const enum Flag {
  Request = 1,
  Error = 2,
  Warning = 4,
  HasCSeq = 8,
}

/** The interned-text columns of the index. */
export const TextColumn = {
  Src: 0,
  Dst: 1,
  Transport: 2,
  Stack: 3,
  /** The method of a request, the reason phrase of a response. */
  MethodOrReason: 4,
  CallId: 5,
  CSeqMethod: 6,
  FromUri: 7,
  FromTag: 8,
  ToUri: 9,
  ToTag: 10,
  /** The outer layers (`LayerDetail[]` as JSON text), 0 for none: one interned text per distinct tunnel. */
  Outer: 11,
} as const;
export type TextColumn = (typeof TextColumn)[keyof typeof TextColumn];
const TEXT_COLUMNS = 12;

/** Rows per block: columns grow a block at a time, so nothing is copied and at most one block is unused. */
const BLOCK_BITS = 14;
const BLOCK_ROWS = 1 << BLOCK_BITS;
const BLOCK_MASK = BLOCK_ROWS - 1;

type TypedArray = Uint8Array | Uint16Array | Uint32Array | Float64Array;

/** Bytes per block of the raw-bytes store. A value never spans two blocks (values are at most 64 KiB). */
const BYTES_BLOCK = 256 * 1024;

/**
 * Values stored as raw bytes per row, not interned: for fields that are nearly unique per row (the Via
 * branch is one per transaction), hashing and probing would cost more than the bytes themselves.
 */
class RawBytesColumn {
  private readonly blocks: Uint8Array[] = [];
  private used = BYTES_BLOCK;
  private readonly offset = new BlockColumn(Float64Array);
  private readonly length = new BlockColumn(Uint16Array);
  private readonly encoder = new TextEncoder();

  addBlock(): void {
    this.offset.addBlock();
    this.length.addBlock();
  }

  set(row: number, bytes: Uint8Array, start: number, end: number): void {
    const length = Math.min(end - start, 0xffff);
    if (length <= 0) return;
    if (this.used + length > BYTES_BLOCK) {
      this.blocks.push(new Uint8Array(BYTES_BLOCK));
      this.used = 0;
    }
    const block = this.blocks.length - 1;
    this.blocks[block].set(bytes.subarray(start, start + length), this.used);
    this.offset.set(row, block * BYTES_BLOCK + this.used);
    this.length.set(row, length);
    this.used += length;
  }

  setString(row: number, value: string | undefined): void {
    if (value) {
      const bytes = this.encoder.encode(value);
      this.set(row, bytes, 0, bytes.length);
    }
  }

  get(row: number): string {
    const length = this.length.get(row);
    if (length === 0) return '';
    const offset = this.offset.get(row);
    const block = Math.floor(offset / BYTES_BLOCK);
    const start = offset - block * BYTES_BLOCK;
    return decodeText(this.blocks[block], start, start + length);
  }

  get byteSize(): number {
    return this.blocks.length * BYTES_BLOCK;
  }

  /** A 32-bit hash of the row's bytes (0 for none), read in place: for matching without making strings. */
  hashOf(row: number): number {
    const length = this.length.get(row);
    if (length === 0) return 0;
    const offset = this.offset.get(row);
    const block = Math.floor(offset / BYTES_BLOCK);
    const start = offset - block * BYTES_BLOCK;
    return hashBytes(this.blocks[block], start, start + length) || 1;
  }

  /** The row's bytes start with `prefix` (ASCII). */
  startsWith(row: number, prefix: string): boolean {
    const length = this.length.get(row);
    if (length < prefix.length) return false;
    const offset = this.offset.get(row);
    const block = Math.floor(offset / BYTES_BLOCK);
    const start = offset - block * BYTES_BLOCK;
    const bytes = this.blocks[block];
    for (let i = 0; i < prefix.length; i++) if (bytes[start + i] !== prefix.charCodeAt(i)) return false;
    return true;
  }
}

/**
 * A column stored as fixed-size blocks. Doubling one big typed array would, at 300k rows, hold up to twice
 * the rows needed and copy them at each growth (old and new alive at once): blocks keep peak memory at the
 * data plus one block.
 */
class BlockColumn<A extends TypedArray> {
  private readonly blocks: A[] = [];
  constructor(private readonly make: new (length: number) => A) {}

  addBlock(): void {
    this.blocks.push(new this.make(BLOCK_ROWS));
  }

  get(i: number): number {
    return this.blocks[i >>> BLOCK_BITS][i & BLOCK_MASK];
  }

  set(i: number, value: number): void {
    this.blocks[i >>> BLOCK_BITS][i & BLOCK_MASK] = value;
  }
}

/**
 * The message index: one row per SIP message, in typed-array columns with interned strings, so that 300k
 * messages cost a few tens of MB and no per-message objects. Rows are appended as messages are found
 * (file, live capture or HEP feed alike). Message bytes are not kept: `chunks` say where to re-read them.
 *
 * Rows are written with `appendRow` and the setters, with ids interned straight from packet bytes
 * (`strings.intern(bytes, start, end)`) on the hot path, or from strings (`strings.internString`).
 */
export class MessageIndex {
  readonly strings = new ByteInterner();
  private capacity = 0;
  private length = 0;

  private readonly frame = new BlockColumn(Uint32Array);
  private readonly firstFrame = new BlockColumn(Uint32Array);
  private readonly tsSec = new BlockColumn(Float64Array);
  private readonly tsNsec = new BlockColumn(Uint32Array);
  private readonly text: BlockColumn<Uint32Array>[] = Array.from({ length: TEXT_COLUMNS }, () => new BlockColumn(Uint32Array));
  private readonly status = new BlockColumn(Uint16Array);
  private readonly cseqSeq = new BlockColumn(Float64Array);
  private readonly size = new BlockColumn(Uint32Array);
  private readonly fileOffset = new BlockColumn(Float64Array);
  private readonly flags = new BlockColumn(Uint8Array);
  /** The top Via branch of each message. */
  private readonly branch = new RawBytesColumn();
  /** Sparse: only messages that have diagnostics. */
  private readonly diagnostics = new Map<number, Diagnostic[]>();
  /** Sparse: only messages assembled from more than one frame. */
  private readonly multiChunk = new Map<number, MessageChunk[]>();
  /** Sparse: rows seen at several capture points, to the rows of their group (shared array). */
  private readonly copyGroups = new Map<number, number[]>();
  /** Sparse: rows that are a second capture of the same datagram. */
  private readonly duplicates = new Set<number>();
  /**
   * Sparse, by frame: the frame that completed an IP datagram put back together from fragments, to every
   * fragment's frame. Message chunks name the frames whose bytes a message holds, not a fragment that only
   * carried the transport header, a duplicate, or the other fragments of a TCP segment: an export needs them all.
   */
  private readonly fragmentFrames = new Map<number, number[]>();
  private orderCache: Uint32Array | undefined;
  /** Per frame (by frame number, not per message): the frame's length on the wire, for `frame.len`. */
  private readonly frameLength = new BlockColumn(Uint32Array);
  private frameCapacity = 0;
  private firstFrameTime: number | undefined;
  /** Sparse: outer-layer fields that change with every packet (the ESP sequence number), per row. */
  private readonly outerExtras = new Map<number, { layer: string; field: string; value: number }>();
  /** Parsed `Outer` texts by id. */
  private readonly outerCache = new Map<number, LayerDetail[]>();

  private addBlock(): void {
    this.frame.addBlock();
    this.firstFrame.addBlock();
    this.tsSec.addBlock();
    this.tsNsec.addBlock();
    for (const column of this.text) column.addBlock();
    this.status.addBlock();
    this.cseqSeq.addBlock();
    this.size.addBlock();
    this.fileOffset.addBlock();
    this.flags.addBlock();
    this.branch.addBlock();
    this.capacity += BLOCK_ROWS;
  }

  get count(): number {
    return this.length;
  }

  /**
   * The first `count` rows as an index of their own, which keeps answering for exactly those rows while this one
   * grows: a live capture's calls are analysed over a fixed set of messages while new ones are appended between
   * the analysis's slices. It shares the columns (rows are only ever appended, so the rows it covers stay as they
   * are) and cannot be appended to (its `length` is read-only: appendRow throws in strict mode).
   */
  frozenView(count = this.length): MessageIndex {
    return Object.create(this, {
      length: { value: Math.min(count, this.length), writable: false },
      orderCache: { value: undefined, writable: true },
    }) as MessageIndex;
  }

  /**
   * Records a captured frame (every frame, SIP or not): its length on the wire, and the capture's first
   * time, which relative times count from (Wireshark's `frame.time_relative`).
   */
  noteFrame(frame: number, wireLength: number, tsSec: number, tsNsec: number): void {
    if (this.firstFrameTime === undefined) this.firstFrameTime = tsSec + tsNsec / 1e9;
    if (frame < 0 || frame > 0xffffffff) return;
    while (frame >= this.frameCapacity) {
      this.frameLength.addBlock();
      this.frameCapacity += BLOCK_ROWS;
    }
    this.frameLength.set(frame, wireLength);
  }

  /** The wire length of a frame noted with `noteFrame` (0 when not noted). */
  frameLengthOf(frame: number): number {
    return frame >= 0 && frame < this.frameCapacity ? this.frameLength.get(frame) : 0;
  }

  /** Epoch seconds of the capture's first frame (of the first message when frames were not noted). */
  get captureStart(): number {
    return this.firstFrameTime ?? (this.length > 0 ? this.tsSec.get(0) + this.tsNsec.get(0) / 1e9 : 0);
  }

  /**
   * Appends a row (every text empty, a response with status 0 until told otherwise); returns its number.
   * `fileOffset` is where the message starts in the capture; `chunks` only for a message assembled from
   * several frames (the index keeps them; a one-frame message costs no object).
   */
  appendRow(frame: number, firstFrame: number, tsSec: number, tsNsec: number, size: number, fileOffset: number, chunks?: MessageChunk[]): number {
    const i = this.length++;
    if (i === this.capacity) this.addBlock();
    this.frame.set(i, frame);
    this.firstFrame.set(i, firstFrame);
    this.tsSec.set(i, tsSec);
    this.tsNsec.set(i, tsNsec);
    // Rows are only ever appended and new blocks are zero-filled: text ids, status, CSeq and flags start at 0.
    this.size.set(i, size);
    this.fileOffset.set(i, fileOffset);
    if (chunks !== undefined && chunks.length > 1) this.multiChunk.set(i, chunks);
    return i;
  }

  setText(row: number, column: TextColumn, id: number): void {
    this.text[column].set(row, id);
  }

  /** The top Via branch, from the message bytes. */
  setBranch(row: number, bytes: Uint8Array, start: number, end: number): void {
    this.branch.set(row, bytes, start, end);
  }

  setBranchString(row: number, branch: string | undefined): void {
    this.branch.setString(row, branch);
  }

  branchOf(i: number): string {
    return this.branch.get(i);
  }

  /** A hash of the top Via branch (0 when none), without making its string. */
  branchHashOf(i: number): number {
    return this.branch.hashOf(i);
  }

  /** The branch carries RFC 3261's magic cookie `z9hG4bK` (§8.1.1.7). */
  branchHasMagicCookie(i: number): boolean {
    return this.branch.startsWith(i, 'z9hG4bK');
  }

  setRequest(row: number, methodId: number): void {
    this.flags.set(row, this.flags.get(row) | Flag.Request);
    this.text[TextColumn.MethodOrReason].set(row, methodId);
    this.status.set(row, 0);
  }

  setResponse(row: number, status: number, reasonId: number): void {
    this.flags.set(row, this.flags.get(row) & ~Flag.Request);
    this.text[TextColumn.MethodOrReason].set(row, reasonId);
    this.status.set(row, status);
  }

  setCSeq(row: number, seq: number, methodId: number): void {
    this.flags.set(row, this.flags.get(row) | Flag.HasCSeq);
    this.cseqSeq.set(row, seq);
    this.text[TextColumn.CSeqMethod].set(row, methodId);
  }

  setDiagnostics(row: number, diagnostics: Diagnostic[]): void {
    if (diagnostics.length === 0) return;
    this.diagnostics.set(row, diagnostics);
    let flags = this.flags.get(row);
    for (const d of diagnostics) {
      if (d.severity === 'error') flags |= Flag.Error;
      else if (d.severity === 'warning') flags |= Flag.Warning;
    }
    this.flags.set(row, flags);
  }

  /** Records that `row` carries the same message as `earlier`, seen at another capture point. */
  markCopy(earlier: number, row: number): void {
    let group = this.copyGroups.get(earlier);
    if (!group) {
      group = [earlier];
      this.copyGroups.set(earlier, group);
    }
    group.push(row);
    this.copyGroups.set(row, group);
  }

  /** Records that `row` is the very datagram of an earlier row captured a second time (not a second message on the wire). */
  markDuplicate(row: number): void {
    this.duplicates.add(row);
  }

  /** Records the fragments' frames of an IP datagram that `frame` completed (see `fragmentFramesOf`). */
  noteFragmentFrames(frame: number, frames: readonly number[]): void {
    const known = this.fragmentFrames.get(frame);
    if (!known) this.fragmentFrames.set(frame, [...frames]);
    else for (const f of frames) if (!known.includes(f)) known.push(f);
  }

  /** Every fragment's frame of the IP datagram(s) `frame` completed; empty when it completed none. */
  fragmentFramesOf(frame: number): readonly number[] {
    return this.fragmentFrames.get(frame) ?? [];
  }

  /** The row is a second capture of an earlier row's datagram (see `markDuplicate`). */
  isDuplicate(i: number): boolean {
    return this.duplicates.has(i);
  }

  /** The other rows carrying the same message (empty when it was seen once). */
  copiesOf(i: number): number[] {
    const group = this.copyGroups.get(i);
    return group ? group.filter((row) => row !== i) : [];
  }

  /** Adds a per-packet field to an outer layer of `row` (the layer's shared fields are in the `Outer` column). */
  setOuterField(row: number, layer: string, field: string, value: number): void {
    this.outerExtras.set(row, { layer, field, value });
  }

  outerOf(i: number): LayerDetail[] {
    const id = this.text[TextColumn.Outer].get(i);
    if (id === 0) return [];
    let outer = this.outerCache.get(id);
    if (!outer) {
      outer = JSON.parse(this.strings.get(id)) as LayerDetail[];
      this.outerCache.set(id, outer);
    }
    const extra = this.outerExtras.get(i);
    if (extra) outer = outer.map((detail) => (detail.layer === extra.layer ? { ...detail, [extra.field]: extra.value } : detail));
    return outer;
  }

  /** The interned id in a text column (compare ids instead of strings; `strings.get(id)` for the text). */
  textId(i: number, column: TextColumn): number {
    return this.text[column].get(i);
  }

  isRequest(i: number): boolean {
    return (this.flags.get(i) & Flag.Request) !== 0;
  }

  tsSecOf(i: number): number {
    return this.tsSec.get(i);
  }

  tsNsecOf(i: number): number {
    return this.tsNsec.get(i);
  }

  sizeOf(i: number): number {
    return this.size.get(i);
  }

  /** The CSeq number, or -1 when the message had none. */
  cseqOf(i: number): number {
    return this.flags.get(i) & Flag.HasCSeq ? this.cseqSeq.get(i) : -1;
  }

  frameOf(i: number): number {
    return this.frame.get(i);
  }

  methodOf(i: number): string | undefined {
    return this.isRequest(i) ? this.strings.get(this.text[TextColumn.MethodOrReason].get(i)) : undefined;
  }

  statusOf(i: number): number | undefined {
    return this.isRequest(i) ? undefined : this.status.get(i);
  }

  callIdOf(i: number): string {
    return this.strings.get(this.text[TextColumn.CallId].get(i));
  }

  hasError(i: number): boolean {
    return (this.flags.get(i) & Flag.Error) !== 0;
  }

  hasWarning(i: number): boolean {
    return (this.flags.get(i) & Flag.Warning) !== 0;
  }

  diagnosticsOf(i: number): Diagnostic[] {
    return this.diagnostics.get(i) ?? [];
  }

  chunksOf(i: number): MessageChunk[] {
    return this.multiChunk.get(i) ?? [{ frame: this.frame.get(i), fileOffset: this.fileOffset.get(i), length: this.size.get(i) }];
  }

  get(i: number): MessageRecord {
    if (i < 0 || i >= this.length) throw new RangeError(`message ${i} is outside 0..${this.length - 1}`);
    const s = this.strings;
    const t = this.text;
    const request = this.isRequest(i);
    const record: MessageRecord = {
      index: i,
      frame: this.frame.get(i),
      firstFrame: this.firstFrame.get(i),
      tsSec: this.tsSec.get(i),
      tsNsec: this.tsNsec.get(i),
      src: s.get(t[TextColumn.Src].get(i)),
      dst: s.get(t[TextColumn.Dst].get(i)),
      transport: s.get(t[TextColumn.Transport].get(i)),
      stack: s.get(t[TextColumn.Stack].get(i)),
      callId: s.get(t[TextColumn.CallId].get(i)),
      fromUri: s.get(t[TextColumn.FromUri].get(i)),
      fromTag: s.get(t[TextColumn.FromTag].get(i)),
      toUri: s.get(t[TextColumn.ToUri].get(i)),
      toTag: s.get(t[TextColumn.ToTag].get(i)),
      branch: this.branch.get(i),
      size: this.size.get(i),
      chunks: this.chunksOf(i),
      diagnostics: this.diagnosticsOf(i),
      outer: this.outerOf(i),
      copies: this.copiesOf(i).map((row) => ({ index: row, frame: this.frame.get(row) })),
    };
    if (request) record.method = s.get(t[TextColumn.MethodOrReason].get(i));
    else {
      record.status = this.status.get(i);
      record.reason = s.get(t[TextColumn.MethodOrReason].get(i));
    }
    if (this.flags.get(i) & Flag.HasCSeq) record.cseq = { seq: this.cseqSeq.get(i), method: s.get(t[TextColumn.CSeqMethod].get(i)) };
    return record;
  }

  /**
   * Rows in frame order (ties in row order). Rows are appended as messages complete, which is frame order
   * except where reassembly held data back (a TCP stream whose SYN was not captured, a datagram evicted
   * incomplete at the end of the capture): lists shown to users follow frames, as Wireshark does.
   */
  frameOrder(): Uint32Array {
    if (this.orderCache && this.orderCache.length === this.length) return this.orderCache;
    const order = new Uint32Array(this.length);
    let sorted = true;
    for (let i = 0; i < this.length; i++) {
      order[i] = i;
      if (i > 0 && this.frame.get(i) < this.frame.get(i - 1)) sorted = false;
    }
    if (!sorted) {
      const frames = new Uint32Array(this.length);
      for (let i = 0; i < this.length; i++) frames[i] = this.frame.get(i);
      order.sort((a, b) => frames[a] - frames[b] || a - b);
    }
    this.orderCache = order;
    return order;
  }

  /** Approximate bytes held by the columns (for the summary and the benchmark). */
  get columnBytes(): number {
    return this.capacity * (4 * (TEXT_COLUMNS + 4) + 8 * 3 + 2 + 1) + this.strings.byteSize + this.branch.byteSize;
  }
}
