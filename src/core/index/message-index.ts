import type { Diagnostic } from '../diagnostics.js';
import { ByteInterner } from './byte-interner.js';

/** Where a message's bytes are in the (decompressed) capture: one run per contributing frame. */
export interface MessageChunk {
  frame: number;
  /** Byte offset in the capture stream. */
  fileOffset: number;
  length: number;
}

/** One SIP message as the engine hands it to the index. */
export interface MessageInput {
  /** The frame in which the message became complete (its last byte), as tshark numbers it. */
  frame: number;
  firstFrame: number;
  tsSec: number;
  tsNsec: number;
  src: string;
  dst: string;
  transport: string;
  /** Encapsulation stack, e.g. `eth/vlan/ipv4/udp`. */
  stack: string;
  method?: string;
  status?: number;
  reason?: string;
  callId?: string;
  cseqSeq?: number;
  cseqMethod?: string;
  fromUri?: string;
  fromTag?: string;
  toUri?: string;
  toTag?: string;
  branch?: string;
  size: number;
  chunks: MessageChunk[];
  diagnostics: Diagnostic[];
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
  Branch: 11,
} as const;
export type TextColumn = (typeof TextColumn)[keyof typeof TextColumn];
const TEXT_COLUMNS = 12;

const INITIAL_CAPACITY = 1024;

function grown<T extends Uint8Array | Uint16Array | Uint32Array | Float64Array>(column: T, capacity: number): T {
  const next = new (column.constructor as new (n: number) => T)(capacity);
  next.set(column);
  return next;
}

/**
 * The message index: one row per SIP message, in typed-array columns with interned strings, so that 300k
 * messages cost a few tens of MB and no per-message objects. Rows are appended as messages are found
 * (file, live capture or HEP feed alike). Message bytes are not kept: `chunks` say where to re-read them.
 *
 * Two ways in: `add()` with a MessageInput of strings, and the row API (`appendRow`, `setText`, ...)
 * with ids interned straight from packet bytes by `strings.intern(bytes, start, end)`, which the engine
 * uses on its hot path.
 */
export class MessageIndex {
  readonly strings = new ByteInterner();
  private capacity = INITIAL_CAPACITY;
  private length = 0;

  private frame = new Uint32Array(INITIAL_CAPACITY);
  private firstFrame = new Uint32Array(INITIAL_CAPACITY);
  private tsSec = new Float64Array(INITIAL_CAPACITY);
  private tsNsec = new Uint32Array(INITIAL_CAPACITY);
  private readonly text: Uint32Array[] = Array.from({ length: TEXT_COLUMNS }, () => new Uint32Array(INITIAL_CAPACITY));
  private status = new Uint16Array(INITIAL_CAPACITY);
  private cseqSeq = new Float64Array(INITIAL_CAPACITY);
  private size = new Uint32Array(INITIAL_CAPACITY);
  private fileOffset = new Float64Array(INITIAL_CAPACITY);
  private flags = new Uint8Array(INITIAL_CAPACITY);
  /** Sparse: only messages that have diagnostics. */
  private readonly diagnostics = new Map<number, Diagnostic[]>();
  /** Sparse: only messages assembled from more than one frame. */
  private readonly multiChunk = new Map<number, MessageChunk[]>();

  get count(): number {
    return this.length;
  }

  private grow(): void {
    const capacity = this.capacity * 2;
    this.frame = grown(this.frame, capacity);
    this.firstFrame = grown(this.firstFrame, capacity);
    this.tsSec = grown(this.tsSec, capacity);
    this.tsNsec = grown(this.tsNsec, capacity);
    for (let c = 0; c < TEXT_COLUMNS; c++) this.text[c] = grown(this.text[c], capacity);
    this.status = grown(this.status, capacity);
    this.cseqSeq = grown(this.cseqSeq, capacity);
    this.size = grown(this.size, capacity);
    this.fileOffset = grown(this.fileOffset, capacity);
    this.flags = grown(this.flags, capacity);
    this.capacity = capacity;
  }

  /**
   * Appends a row (every text empty, a response with status 0 until told otherwise); returns its number.
   * `fileOffset` is where the message starts in the capture; `chunks` only for a message assembled from
   * several frames (the index keeps them; a one-frame message costs no object).
   */
  appendRow(frame: number, firstFrame: number, tsSec: number, tsNsec: number, size: number, fileOffset: number, chunks?: MessageChunk[]): number {
    if (this.length === this.capacity) this.grow();
    const i = this.length++;
    this.frame[i] = frame;
    this.firstFrame[i] = firstFrame;
    this.tsSec[i] = tsSec;
    this.tsNsec[i] = tsNsec;
    for (let c = 0; c < TEXT_COLUMNS; c++) this.text[c][i] = 0;
    this.status[i] = 0;
    this.cseqSeq[i] = 0;
    this.size[i] = size;
    this.fileOffset[i] = fileOffset;
    this.flags[i] = 0;
    if (chunks !== undefined && chunks.length > 1) this.multiChunk.set(i, chunks);
    return i;
  }

  setText(row: number, column: TextColumn, id: number): void {
    this.text[column][row] = id;
  }

  setRequest(row: number, methodId: number): void {
    this.flags[row] |= Flag.Request;
    this.text[TextColumn.MethodOrReason][row] = methodId;
    this.status[row] = 0;
  }

  setResponse(row: number, status: number, reasonId: number): void {
    this.flags[row] &= ~Flag.Request;
    this.text[TextColumn.MethodOrReason][row] = reasonId;
    this.status[row] = status;
  }

  setCSeq(row: number, seq: number, methodId: number): void {
    this.flags[row] |= Flag.HasCSeq;
    this.cseqSeq[row] = seq;
    this.text[TextColumn.CSeqMethod][row] = methodId;
  }

  setDiagnostics(row: number, diagnostics: Diagnostic[]): void {
    if (diagnostics.length === 0) return;
    this.diagnostics.set(row, diagnostics);
    let flags = this.flags[row];
    for (const d of diagnostics) {
      if (d.severity === 'error') flags |= Flag.Error;
      else if (d.severity === 'warning') flags |= Flag.Warning;
    }
    this.flags[row] = flags;
  }

  /** Appends a message given as strings; returns its row number. */
  add(m: MessageInput): number {
    const s = this.strings;
    const i = this.appendRow(m.frame, m.firstFrame, m.tsSec, m.tsNsec, m.size, m.chunks.length > 0 ? m.chunks[0].fileOffset : -1, m.chunks);
    const text = this.text;
    text[TextColumn.Src][i] = s.internString(m.src);
    text[TextColumn.Dst][i] = s.internString(m.dst);
    text[TextColumn.Transport][i] = s.internString(m.transport);
    text[TextColumn.Stack][i] = s.internString(m.stack);
    if (m.method !== undefined) this.setRequest(i, s.internString(m.method));
    else this.setResponse(i, m.status ?? 0, s.internString(m.reason));
    text[TextColumn.CallId][i] = s.internString(m.callId);
    if (m.cseqSeq !== undefined) this.setCSeq(i, m.cseqSeq, s.internString(m.cseqMethod));
    text[TextColumn.FromUri][i] = s.internString(m.fromUri);
    text[TextColumn.FromTag][i] = s.internString(m.fromTag);
    text[TextColumn.ToUri][i] = s.internString(m.toUri);
    text[TextColumn.ToTag][i] = s.internString(m.toTag);
    text[TextColumn.Branch][i] = s.internString(m.branch);
    this.setDiagnostics(i, m.diagnostics);
    return i;
  }

  isRequest(i: number): boolean {
    return (this.flags[i] & Flag.Request) !== 0;
  }

  frameOf(i: number): number {
    return this.frame[i];
  }

  methodOf(i: number): string | undefined {
    return this.isRequest(i) ? this.strings.get(this.text[TextColumn.MethodOrReason][i]) : undefined;
  }

  statusOf(i: number): number | undefined {
    return this.isRequest(i) ? undefined : this.status[i];
  }

  callIdOf(i: number): string {
    return this.strings.get(this.text[TextColumn.CallId][i]);
  }

  hasError(i: number): boolean {
    return (this.flags[i] & Flag.Error) !== 0;
  }

  hasWarning(i: number): boolean {
    return (this.flags[i] & Flag.Warning) !== 0;
  }

  diagnosticsOf(i: number): Diagnostic[] {
    return this.diagnostics.get(i) ?? [];
  }

  chunksOf(i: number): MessageChunk[] {
    return this.multiChunk.get(i) ?? [{ frame: this.frame[i], fileOffset: this.fileOffset[i], length: this.size[i] }];
  }

  get(i: number): MessageRecord {
    if (i < 0 || i >= this.length) throw new RangeError(`message ${i} is outside 0..${this.length - 1}`);
    const s = this.strings;
    const t = this.text;
    const request = this.isRequest(i);
    const record: MessageRecord = {
      index: i,
      frame: this.frame[i],
      firstFrame: this.firstFrame[i],
      tsSec: this.tsSec[i],
      tsNsec: this.tsNsec[i],
      src: s.get(t[TextColumn.Src][i]),
      dst: s.get(t[TextColumn.Dst][i]),
      transport: s.get(t[TextColumn.Transport][i]),
      stack: s.get(t[TextColumn.Stack][i]),
      callId: s.get(t[TextColumn.CallId][i]),
      fromUri: s.get(t[TextColumn.FromUri][i]),
      fromTag: s.get(t[TextColumn.FromTag][i]),
      toUri: s.get(t[TextColumn.ToUri][i]),
      toTag: s.get(t[TextColumn.ToTag][i]),
      branch: s.get(t[TextColumn.Branch][i]),
      size: this.size[i],
      chunks: this.chunksOf(i),
      diagnostics: this.diagnosticsOf(i),
    };
    if (request) record.method = s.get(t[TextColumn.MethodOrReason][i]);
    else {
      record.status = this.status[i];
      record.reason = s.get(t[TextColumn.MethodOrReason][i]);
    }
    if (this.flags[i] & Flag.HasCSeq) record.cseq = { seq: this.cseqSeq[i], method: s.get(t[TextColumn.CSeqMethod][i]) };
    return record;
  }

  /** Approximate bytes held by the columns (for the summary and the benchmark). */
  get columnBytes(): number {
    return this.capacity * (4 * (TEXT_COLUMNS + 4) + 8 * 3 + 2 + 1) + this.strings.byteSize;
  }
}
