import type { TraceProgress, TraceSummary } from '../../../shared/api.js';

/** Share of the file read, 0..1 (0 while the size is unknown). */
export function progressFraction(progress: Pick<TraceProgress, 'bytesRead' | 'totalBytes'> | null): number {
  if (!progress || !(progress.totalBytes > 0)) return 0;
  return Math.max(0, Math.min(1, progress.bytesRead / progress.totalBytes));
}

/** `12.3 MB of 80.0 MB` (decimal units, like the file managers users compare with). */
export function formatBytes(bytes: number): string {
  if (!Number.isFinite(bytes) || bytes < 0) return '';
  if (bytes < 1000) return `${bytes} B`;
  const units = ['kB', 'MB', 'GB', 'TB'];
  let value = bytes / 1000;
  let unit = 0;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit++;
  }
  return `${value.toFixed(1)} ${units[unit]}`;
}

/** The opening progress line: `Reading… 12.3 MB of 80.0 MB (15%) · 20411 messages`. */
export function progressText(progress: TraceProgress | null): string {
  if (!progress) return 'Starting…';
  const phase = progress.phase === 'reading' ? 'Reading' : progress.phase === 'analysing' ? 'Analysing calls' : 'Done';
  const percent = Math.round(progressFraction(progress) * 100);
  return `${phase}… ${formatBytes(progress.bytesRead)} of ${formatBytes(progress.totalBytes)} (${percent}%) · ${progress.messages} messages`;
}

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

/** The trace status line's parts after the path: `812 messages`, `6 calls`, `2 errors`, `1 warning`, `partial`. */
export function traceStatusParts(summary: TraceSummary): string[] {
  const parts = [plural(summary.messages, 'message'), plural(summary.calls, 'call')];
  if (summary.errors > 0) parts.push(plural(summary.errors, 'error'));
  if (summary.warnings > 0) parts.push(plural(summary.warnings, 'warning'));
  if (!summary.complete) parts.push('partial (reading was cancelled)');
  return parts;
}

/** The file name of a path (either separator), for the window and status line. */
export function baseName(path: string): string {
  const parts = path.split(/[\\/]/);
  return parts[parts.length - 1] || path;
}

/** Height share of the table above the detail pane, kept so that neither pane disappears. */
export function clampSplit(fraction: number, min = 0.15, max = 0.85): number {
  if (!Number.isFinite(fraction)) return 0.55;
  return Math.max(min, Math.min(max, fraction));
}

/** The split after dragging the splitter to `clientY` in a container spanning `[top, top + height)`. */
export function splitAt(clientY: number, top: number, height: number): number {
  return height > 0 ? clampSplit((clientY - top) / height) : 0.55;
}

/**
 * The line shown when a trace cannot be opened. The back end's messages usually name the file already
 * ("Cannot open "/x.pcap": not a pcap or pcapng capture..."): the path is added only when they do not.
 */
export function openFailureText(path: string | null, message: string): string {
  if (path === null || message.includes(path)) return message;
  return `Cannot open ${path}: ${message}`;
}
