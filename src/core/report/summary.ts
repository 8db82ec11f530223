import type { MessageIndex } from '../index/message-index.js';

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
  const methods = new Map<string, number>();
  const codes = new Map<number, number>();
  const callIds = new Set<string>();
  const diagnostics = new Map<string, { severity: string; layer: string; message: string; count: number; firstFrame: number }>();
  let requests = 0;
  let withErrors = 0;
  let withWarnings = 0;
  for (let i = 0; i < index.count; i++) {
    const method = index.methodOf(i);
    if (method !== undefined) {
      requests++;
      methods.set(method, (methods.get(method) ?? 0) + 1);
    } else {
      const code = index.statusOf(i) ?? 0;
      codes.set(code, (codes.get(code) ?? 0) + 1);
    }
    const callId = index.callIdOf(i);
    if (callId) callIds.add(callId);
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
  const severityRank: Record<string, number> = { error: 0, warning: 1, note: 2 };
  return {
    messages: index.count,
    requests,
    responses: index.count - requests,
    methods: [...methods].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])),
    statusCodes: [...codes].sort((a, b) => a[0] - b[0]),
    callIds: callIds.size,
    messagesWithErrors: withErrors,
    messagesWithWarnings: withWarnings,
    diagnostics: [...diagnostics.values()].sort((a, b) => (severityRank[a.severity] ?? 3) - (severityRank[b.severity] ?? 3) || b.count - a.count),
  };
}
