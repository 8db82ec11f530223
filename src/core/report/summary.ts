import { TextColumn, type MessageIndex } from '../index/message-index.js';

export interface IndexSummary {
  messages: number;
  requests: number;
  responses: number;
  /** Request counts by method, most frequent first. */
  methods: [string, number][];
  /** Response counts by status code, ascending. */
  statusCodes: [number, number][];
  callIds: number;
  messagesWithErrors: number;
  messagesWithWarnings: number;
  /** Diagnostic texts on messages, with how many messages carry each, most frequent first. */
  diagnostics: { severity: string; layer: string; message: string; count: number; firstFrame: number }[];
}

/** Counts over the message index, for `analyze --summary` and the status bar. */
export function summarizeIndex(index: MessageIndex): IndexSummary {
  // Counted by interned id (no string per message); texts are looked up once per distinct value.
  const methodCounts = new Map<number, number>();
  const codes = new Map<number, number>();
  const seenCallId = new Uint8Array(index.strings.size);
  let callIds = 0;
  const diagnostics = new Map<string, { severity: string; layer: string; message: string; count: number; firstFrame: number }>();
  let requests = 0;
  let withErrors = 0;
  let withWarnings = 0;
  for (let i = 0; i < index.count; i++) {
    if (index.isRequest(i)) {
      requests++;
      const method = index.textId(i, TextColumn.MethodOrReason);
      methodCounts.set(method, (methodCounts.get(method) ?? 0) + 1);
    } else {
      const code = index.statusOf(i) ?? 0;
      codes.set(code, (codes.get(code) ?? 0) + 1);
    }
    const callId = index.textId(i, TextColumn.CallId);
    if (callId !== 0 && seenCallId[callId] === 0) {
      seenCallId[callId] = 1;
      callIds++;
    }
    if (index.hasError(i)) withErrors++;
    else if (index.hasWarning(i)) withWarnings++;
    for (const d of index.diagnosticsOf(i)) {
      // Group by the text without numbers so "Content-Length 12 exceeds..." variants count together.
      const key = `${d.severity}|${d.layer}|${d.message.replace(/\d+/g, 'N')}`;
      const entry = diagnostics.get(key);
      if (entry) entry.count++;
      else diagnostics.set(key, { severity: d.severity, layer: d.layer, message: d.message, count: 1, firstFrame: index.frameOf(i) });
    }
  }
  const methods = new Map<string, number>();
  for (const [id, count] of methodCounts) {
    const name = index.strings.get(id);
    methods.set(name, (methods.get(name) ?? 0) + count);
  }
  const severityRank: Record<string, number> = { error: 0, warning: 1, note: 2 };
  return {
    messages: index.count,
    requests,
    responses: index.count - requests,
    methods: [...methods].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])),
    statusCodes: [...codes].sort((a, b) => a[0] - b[0]),
    callIds,
    messagesWithErrors: withErrors,
    messagesWithWarnings: withWarnings,
    diagnostics: [...diagnostics.values()].sort((a, b) => (severityRank[a.severity] ?? 3) - (severityRank[b.severity] ?? 3) || b.count - a.count),
  };
}
