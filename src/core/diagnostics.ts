/**
 * Diagnostics attached to a packet or a message. Wireshark keeps three outcomes apart and so do we:
 *  - `truncated`: the capture cut the bytes (snap length, end of file): not the sender's fault;
 *  - `malformed`: the bytes contradict themselves or the protocol's grammar;
 *  - `decoder-bug`: anything else thrown while decoding (caught per packet; one bad packet never breaks the list).
 * Plus `unsupported` (something we recognise but do not decode yet) and `note` (worth knowing, not wrong).
 */
export type DiagnosticKind = 'truncated' | 'malformed' | 'decoder-bug' | 'unsupported' | 'note';
export type DiagnosticSeverity = 'error' | 'warning' | 'note';

export interface Diagnostic {
  kind: DiagnosticKind;
  severity: DiagnosticSeverity;
  /** Short protocol name of the layer that raised it: `pcapng`, `ipv4`, `udp`, `sip`, `sdp`, ... */
  layer: string;
  message: string;
  /** Byte offset of the problem, relative to the start of the buffer the decoder was given (when known). */
  offset?: number;
}

export function truncated(layer: string, message: string, offset?: number): Diagnostic {
  return { kind: 'truncated', severity: 'warning', layer, message, offset };
}

export function malformed(layer: string, message: string, offset?: number): Diagnostic {
  return { kind: 'malformed', severity: 'error', layer, message, offset };
}

export function note(layer: string, message: string, offset?: number): Diagnostic {
  return { kind: 'note', severity: 'note', layer, message, offset };
}

export function unsupported(layer: string, message: string, offset?: number): Diagnostic {
  return { kind: 'unsupported', severity: 'note', layer, message, offset };
}

export function decoderBug(layer: string, error: unknown): Diagnostic {
  const text = error instanceof Error ? error.message : String(error);
  return { kind: 'decoder-bug', severity: 'error', layer, message: `decoder error: ${text}` };
}

/** One line per diagnostic, the way the CLI and exports show it. */
export function formatDiagnostic(d: Diagnostic): string {
  return `${d.severity} [${d.layer}] ${d.message}`;
}
