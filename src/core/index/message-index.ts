import type { Diagnostic } from '../diagnostics.js';
import { StringTable } from './string-table.js';

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

const INITIAL_CAPACITY = 1024;

/**
 * The message index: one row per SIP message, in typed-array columns with interned strings, so that 300k
 * messages cost a few tens of MB and no per-message objects. Rows are appended as messages are found
 * (file, live capture or HEP feed alike). Message bytes are not kept: `chunks` say where to re-read them.
 */
export class MessageIndex {
  readonly strings = new StringTable();
  private capacity = INITIAL_CAPACITY;
  private length = 0;

  private frame = new Uint32Array(INITIAL_CAPACITY);
  private firstFrame = new Uint32Array(INITIAL_CAPACITY);
  private tsSec = new Float64Array(INITIAL_CAPACITY);
  private tsNsec = new Uint32Array(INITIAL_CAPACITY);
  private src = new Uint32Array(INITIAL_CAPACITY);
  private dst = new Uint32Array(INITIAL_CAPACITY);
  private transport = new Uint32Array(INITIAL_CAPACITY);
  private stack = new Uint32Array(INITIAL_CAPACITY);
  /** Method for requests, reason phrase for responses. */
  private methodOrReason = new Uint32Array(INITIAL_CAPACITY);
  private status = new Uint16Array(INITIAL_CAPACITY);
  private callId = new Uint32Array(INITIAL_CAPACITY);
  private cseqSeq = new Float64Array(INITIAL_CAPACITY);
  private cseqMethod = new Uint32Array(INITIAL_CAPACITY);
  private fromUri = new Uint32Array(INITIAL_CAPACITY);
  private fromTag = new Uint32Array(INITIAL_CAPACITY);
  private toUri = new Uint32Array(INITIAL_CAPACITY);
  private toTag = new Uint32Array(INITIAL_CAPACITY);
  private branch = new Uint32Array(INITIAL_CAPACITY);
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
    const grow = <T extends Uint8Array | Uint16Array | Uint32Array | Float64Array>(column: T): T => {
      const next = new (column.constructor as new (n: number) => T)(capacity);
      next.set(column);
      return next;
    };
    this.frame = grow(this.frame);
    this.firstFrame = grow(this.firstFrame);
    this.tsSec = grow(this.tsSec);
    this.tsNsec = grow(this.tsNsec);
    this.src = grow(this.src);
    this.dst = grow(this.dst);
    this.transport = grow(this.transport);
    this.stack = grow(this.stack);
    this.methodOrReason = grow(this.methodOrReason);
    this.status = grow(this.status);
    this.callId = grow(this.callId);
    this.cseqSeq = grow(this.cseqSeq);
    this.cseqMethod = grow(this.cseqMethod);
    this.fromUri = grow(this.fromUri);
    this.fromTag = grow(this.fromTag);
    this.toUri = grow(this.toUri);
    this.toTag = grow(this.toTag);
    this.branch = grow(this.branch);
    this.size = grow(this.size);
    this.fileOffset = grow(this.fileOffset);
    this.flags = grow(this.flags);
    this.capacity = capacity;
  }

  /** Appends a message; returns its row number. */
  add(m: MessageInput): number {
    if (this.length === this.capacity) this.grow();
    const i = this.length++;
    const s = this.strings;
    this.frame[i] = m.frame;
    this.firstFrame[i] = m.firstFrame;
    this.tsSec[i] = m.tsSec;
    this.tsNsec[i] = m.tsNsec;
    this.src[i] = s.intern(m.src);
    this.dst[i] = s.intern(m.dst);
    this.transport[i] = s.intern(m.transport);
    this.stack[i] = s.intern(m.stack);
    let flags = 0;
    if (m.method !== undefined) {
      flags |= Flag.Request;
      this.methodOrReason[i] = s.intern(m.method);
      this.status[i] = 0;
    } else {
      this.methodOrReason[i] = s.intern(m.reason);
      this.status[i] = m.status ?? 0;
    }
    this.callId[i] = s.intern(m.callId);
    if (m.cseqSeq !== undefined) {
      flags |= Flag.HasCSeq;
      this.cseqSeq[i] = m.cseqSeq;
      this.cseqMethod[i] = s.intern(m.cseqMethod);
    } else {
      this.cseqSeq[i] = 0;
      this.cseqMethod[i] = 0;
    }
    this.fromUri[i] = s.intern(m.fromUri);
    this.fromTag[i] = s.intern(m.fromTag);
    this.toUri[i] = s.intern(m.toUri);
    this.toTag[i] = s.intern(m.toTag);
    this.branch[i] = s.intern(m.branch);
    this.size[i] = m.size;
    this.fileOffset[i] = m.chunks.length > 0 ? m.chunks[0].fileOffset : -1;
    if (m.chunks.length > 1) this.multiChunk.set(i, m.chunks);
    if (m.diagnostics.length > 0) {
      this.diagnostics.set(i, m.diagnostics);
      for (const d of m.diagnostics) {
        if (d.severity === 'error') flags |= Flag.Error;
        else if (d.severity === 'warning') flags |= Flag.Warning;
      }
    }
    this.flags[i] = flags;
    return i;
  }

  isRequest(i: number): boolean {
    return (this.flags[i] & Flag.Request) !== 0;
  }

  frameOf(i: number): number {
    return this.frame[i];
  }

  methodOf(i: number): string | undefined {
    return this.isRequest(i) ? this.strings.get(this.methodOrReason[i]) : undefined;
  }

  statusOf(i: number): number | undefined {
    return this.isRequest(i) ? undefined : this.status[i];
  }

  callIdOf(i: number): string {
    return this.strings.get(this.callId[i]);
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
    const request = this.isRequest(i);
    const record: MessageRecord = {
      index: i,
      frame: this.frame[i],
      firstFrame: this.firstFrame[i],
      tsSec: this.tsSec[i],
      tsNsec: this.tsNsec[i],
      src: s.get(this.src[i]),
      dst: s.get(this.dst[i]),
      transport: s.get(this.transport[i]),
      stack: s.get(this.stack[i]),
      callId: s.get(this.callId[i]),
      fromUri: s.get(this.fromUri[i]),
      fromTag: s.get(this.fromTag[i]),
      toUri: s.get(this.toUri[i]),
      toTag: s.get(this.toTag[i]),
      branch: s.get(this.branch[i]),
      size: this.size[i],
      chunks: this.chunksOf(i),
      diagnostics: this.diagnosticsOf(i),
    };
    if (request) record.method = s.get(this.methodOrReason[i]);
    else {
      record.status = this.status[i];
      record.reason = s.get(this.methodOrReason[i]);
    }
    if (this.flags[i] & Flag.HasCSeq) record.cseq = { seq: this.cseqSeq[i], method: s.get(this.cseqMethod[i]) };
    return record;
  }

  /** Approximate bytes held by the columns (for the summary and the benchmark). */
  get columnBytes(): number {
    return this.capacity * (4 * 16 + 8 * 3 + 2 + 1);
  }
}
