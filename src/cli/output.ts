import type { Writable } from 'node:stream';
import { formatDiagnostic } from '../core/diagnostics.js';
import type { MessageRecord } from '../core/index/message-index.js';
import { epochSecondsText } from '../core/report/message-json.js';

/**
 * Buffered text output that respects back-pressure and stops quietly when the reader goes away
 * (`sipscope analyze big.pcap | head` must not print an EPIPE stack trace).
 */
export class TextOutput {
  private buffer = '';
  closed = false;

  constructor(private readonly stream: Writable, private readonly flushAt = 1 << 20) {
    stream.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'EPIPE') this.closed = true;
      else throw error;
    });
  }

  async write(text: string): Promise<void> {
    if (this.closed) return;
    this.buffer += text;
    if (this.buffer.length >= this.flushAt) await this.flush();
  }

  async flush(): Promise<void> {
    if (this.closed || this.buffer.length === 0) return;
    const chunk = this.buffer;
    this.buffer = '';
    if (!this.stream.write(chunk)) {
      await new Promise<void>((resolve) => {
        const done = (): void => {
          this.stream.off('drain', done);
          this.stream.off('error', done);
          this.stream.off('close', done);
          resolve();
        };
        this.stream.on('drain', done);
        this.stream.on('error', done);
        this.stream.on('close', done);
      });
    }
  }
}

/**
 * Escapes control characters as `\xNN`: SIP content and command-line terms are hostile input, and no
 * terminal escape may reach the screen.
 */
export function escapeControls(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\u0000-\u001f\u007f-\u009f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
}

/**
 * The "Reading FILE: 42% ..." line on stderr while a capture is read, only when stderr is a terminal (and not
 * turned off): `onProgress` for `analyzeFile`, and `clear()` to erase the line before printing results.
 */
export function readingProgress(path: string, enabled = true): { onProgress: ((read: number, total: number, messages: number) => void) | undefined; clear(): void } {
  const show = enabled && process.stderr.isTTY === true;
  let last = 0;
  const mb = (bytes: number) => (bytes / 1e6).toFixed(1);
  return {
    onProgress: show
      ? (read, total, messages) => {
          const now = performance.now();
          if (now - last < 200) return;
          last = now;
          const percent = total > 0 ? Math.min(100, Math.floor((read / total) * 100)) : 0;
          process.stderr.write(`\rReading ${path}: ${percent}% (${mb(read)} of ${mb(total)} MB), ${messages} SIP messages `);
        }
      : undefined,
    clear() {
      if (show) process.stderr.write('\r\x1b[K');
    },
  };
}

// One message per row, as `sipscope analyze` and `sipscope capture` print them (table and tsv formats). A row
// takes one message, so the live capture prints each as it is indexed.
function messageLabel(m: MessageRecord): string {
  return m.method !== undefined ? m.method : `${m.status} ${m.reason ?? ''}`.trimEnd();
}

function cseqText(m: MessageRecord): string {
  return m.cseq ? `${m.cseq.seq} ${m.cseq.method}` : '';
}

function truncate(text: string, width: number): string {
  return text.length <= width ? text : `${text.slice(0, width - 1)}…`;
}

export const TABLE_HEADER = `${'No.'.padStart(7)}  ${'Time'.padStart(12)}  ${'Source'.padEnd(22)}  ${'Destination'.padEnd(22)}  ${'Proto'.padEnd(5)}  ${'Message'.padEnd(24)}  ${'CSeq'.padEnd(14)}  Call-ID\n`;
export const TSV_COLUMNS = ['frame', 'time', 'src', 'dst', 'transport', 'method', 'status', 'reason', 'call_id', 'cseq', 'from_tag', 'to_tag', 'branch', 'diagnostics'];

/** A table row (time relative to `first`, the trace's first message), its error and warning diagnostics under it. */
export function tableRow(m: MessageRecord, first: MessageRecord): string {
  const t = m.tsSec - first.tsSec + (m.tsNsec - first.tsNsec) / 1e9;
  const flag = m.diagnostics.some((d) => d.severity === 'error') ? ' !' : m.diagnostics.some((d) => d.severity === 'warning') ? ' ?' : '';
  let text = `${String(m.frame).padStart(7)}  ${t.toFixed(6).padStart(12)}  ${escapeControls(m.src).padEnd(22)}  ${escapeControls(m.dst).padEnd(22)}  ${m.transport.padEnd(5)}  ${truncate(escapeControls(messageLabel(m)), 24).padEnd(24)}  ${truncate(escapeControls(cseqText(m)), 14).padEnd(14)}  ${escapeControls(m.callId)}${flag}\n`;
  for (const d of m.diagnostics) if (d.severity !== 'note') text += `${''.padStart(9)}${escapeControls(formatDiagnostic(d))}\n`;
  return text;
}

/** A tsv row under `TSV_COLUMNS` (tabs inside values become spaces). */
export function tsvRow(m: MessageRecord): string {
  const fields = [
    String(m.frame),
    epochSecondsText(m.tsSec, m.tsNsec),
    m.src,
    m.dst,
    m.transport,
    m.method ?? '',
    m.status !== undefined ? String(m.status) : '',
    m.reason ?? '',
    m.callId,
    cseqText(m),
    m.fromTag,
    m.toTag,
    m.branch,
    m.diagnostics.map(formatDiagnostic).join('; '),
  ];
  return `${fields.map((f) => escapeControls(f.replace(/\t/g, ' '))).join('\t')}\n`;
}
