// The call list as CSV (RFC 4180), for a spreadsheet. Cells are text from the capture, and a spreadsheet runs a
// cell that starts with `=`, `+`, `-` or `@` as a formula (CSV injection, OWASP): such cells, and those starting
// with TAB or CR (which some spreadsheets strip before looking), get a leading `'` so they stay text. Numbers this
// file computes itself (counts, milliseconds) are written as numbers.
import type { CallSummary } from '../../shared/api.js';
import { visibleText } from './escape.js';
import { formatTime } from './report-input.js';

export const CALLS_CSV_COLUMNS = [
  'index',
  'call_id',
  'state',
  'kind',
  'procedures',
  'from',
  'to',
  'start_utc',
  'end_utc',
  'messages',
  'post_dial_delay_ms',
  'answer_time_ms',
  'setup_time_ms',
  'duration_ms',
  'errors',
  'warnings',
  'findings',
] as const;

/** A text cell: defused against formula injection, quoted when it holds a comma, a quote or a line break. */
export function csvText(value: string): string {
  let text = visibleText(value);
  if (/^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** A number cell ('' for null). */
function csvNumber(value: number | null): string {
  return value === null || !Number.isFinite(value) ? '' : String(Math.round(value * 1000) / 1000);
}

/** The calls as CSV: a header line, one record per call, CRLF line ends (RFC 4180 §2). */
export function callsCsv(calls: readonly CallSummary[]): string {
  const lines = [CALLS_CSV_COLUMNS.join(',')];
  for (const c of calls) {
    lines.push(
      [
        String(c.index),
        csvText(c.callId),
        csvText(c.state),
        csvText(c.kind),
        csvText(c.procedures.join(' ')),
        csvText(c.from),
        csvText(c.to),
        csvText(formatTime(c.start)),
        csvText(formatTime(c.end)),
        String(c.messages),
        csvNumber(c.postDialDelayMs),
        csvNumber(c.answerTimeMs),
        csvNumber(c.setupTimeMs),
        csvNumber(c.durationMs),
        String(c.findings.filter((f) => f.severity === 'error').length),
        String(c.findings.filter((f) => f.severity === 'warning').length),
        csvText(c.findings.map((f) => `${f.severity}: ${f.message}`).join('; ')),
      ].join(','),
    );
  }
  return `${lines.join('\r\n')}\r\n`;
}
