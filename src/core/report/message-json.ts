import type { LayerDetail, MessageRecord } from '../index/message-index.js';

/**
 * Epoch seconds as a JSON number literal with the capture's full precision (up to nanoseconds). Built as
 * text because a double cannot hold 10 integer digits and 9 fraction digits at once.
 */
export function epochSecondsText(tsSec: number, tsNsec: number): string {
  let fraction = String(tsNsec).padStart(9, '0');
  // Keep at least microseconds; drop trailing zeros beyond that (µs-resolution files print 6 digits).
  while (fraction.length > 6 && fraction.endsWith('0')) fraction = fraction.slice(0, -1);
  return `${tsSec}.${fraction}`;
}

/** The object `sipscope analyze --format ndjson|json` prints per message. Keys are part of the CLI contract. */
export interface MessageJson {
  frame: number;
  time: number;
  src: string;
  dst: string;
  transport: string;
  /** Layer short names, outermost first: `["sll","ipv4","udp","gtpu","ipv6","tcp"]`. */
  encapsulation: string[];
  method?: string;
  status?: number;
  reason?: string;
  callId: string | null;
  cseq: { seq: number; method: string } | null;
  from: string | null;
  fromTag: string | null;
  to: string | null;
  toTag: string | null;
  branch: string | null;
  size: number;
  frames: number[];
  /** Outer layers' fields (tunnel addresses, TEID, SPI...), outermost first; absent for plain IP. */
  outer?: LayerDetail[];
  /** Frames of the same message seen at other capture points; absent when none. */
  copies?: number[];
  diagnostics: { severity: string; kind: string; layer: string; message: string }[];
  /** From the call analysis (absent without it): numbers start at 1, null where the message has none. */
  transaction?: number;
  dialog?: number | null;
  call?: number;
  /** Procedure group (`registration`, `call-setup`...) and the instance number. */
  procedure?: string;
  procedureInstance?: number;
  retransmission?: boolean;
}

/** What the call analysis says of one message (see src/core/calls/analysis.ts). */
export interface MessageCallKeys {
  transaction: number;
  dialog: number;
  call: number;
  procedure: string | undefined;
  procedureInstance: number;
  retransmission: boolean;
}

export function messageJson(m: MessageRecord, calls?: MessageCallKeys): MessageJson {
  const frames: number[] = [];
  for (const chunk of m.chunks) if (frames[frames.length - 1] !== chunk.frame) frames.push(chunk.frame);
  const out: MessageJson = {
    frame: m.frame,
    time: 0, // replaced textually by messageJsonText for full precision
    src: m.src,
    dst: m.dst,
    transport: m.transport,
    encapsulation: m.stack === '' ? [] : m.stack.split('/'),
    callId: m.callId || null,
    cseq: m.cseq ?? null,
    from: m.fromUri || null,
    fromTag: m.fromTag || null,
    to: m.toUri || null,
    toTag: m.toTag || null,
    branch: m.branch || null,
    size: m.size,
    frames,
    diagnostics: m.diagnostics.map((d) => ({ severity: d.severity, kind: d.kind, layer: d.layer, message: d.message })),
  };
  if (calls) {
    out.transaction = calls.transaction + 1;
    out.dialog = calls.dialog >= 0 ? calls.dialog + 1 : null;
    out.call = calls.call + 1;
    if (calls.procedure !== undefined) {
      out.procedure = calls.procedure;
      out.procedureInstance = calls.procedureInstance + 1;
    }
    out.retransmission = calls.retransmission;
  }
  if (m.outer.length > 0) out.outer = m.outer;
  if (m.copies.length > 0) out.copies = m.copies.map((copy) => copy.frame);
  if (m.method !== undefined) out.method = m.method;
  else {
    out.status = m.status;
    out.reason = m.reason;
  }
  return out;
}

/** One message as a JSON text, with `time` printed at full precision. */
export function messageJsonText(m: MessageRecord, calls?: MessageCallKeys): string {
  const text = JSON.stringify(messageJson(m, calls));
  // `"time":0` is the second key of the object; splice the exact literal in.
  return text.replace('"time":0,', `"time":${epochSecondsText(m.tsSec, m.tsNsec)},`);
}
