import type { FilterOutcome } from '../../../shared/api.js';

/**
 * Splits `text` around the error span `[start, start + length)`, clamped to the text, for display as
 * before / highlighted / after. A span past the end (a value missing at the end of the filter) becomes a
 * single no-break space, so the highlight still shows where something is expected.
 */
export function splitAtSpan(text: string, start: number, length: number): [string, string, string] {
  const from = Math.max(0, Math.min(start, text.length));
  const to = Math.max(from, Math.min(from + Math.max(length, 0), text.length));
  const span = text.slice(from, to);
  return [text.slice(0, from), span === '' ? '\u00a0' : span, text.slice(to)];
}

function plural(n: number, one: string, many: string): string {
  return `${n} ${n === 1 ? one : many}`;
}

/** Milliseconds as the status line shows them: `0.4 ms`, `12 ms`, `1.2 s`. */
export function formatElapsed(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return '';
  if (ms < 10) return `${ms.toFixed(1)} ms`;
  if (ms < 1000) return `${Math.round(ms)} ms`;
  return `${(ms / 1000).toFixed(1)} s`;
}

/**
 * "12 of 81 messages, 2 of 6 calls, 3.1 ms" (issue 5 item 4: a filter selects messages, and the calls
 * holding them); the time is the back end's evaluation time.
 */
export function matchSummary(outcome: Extract<FilterOutcome, { ok: true }>): string {
  return `${outcome.matching} of ${plural(outcome.messages, 'message', 'messages')}, ${outcome.matchingCalls} of ${plural(outcome.calls, 'call', 'calls')}, ${formatElapsed(outcome.elapsedMs)}`;
}
