/**
 * Derivations of the calls list (Wireshark's VoIP Calls, sngrep's call list): sorting, the quick filter,
 * multi-selection and cell formatting. Pure, so the component stays a thin renderer and the tests need no DOM.
 */
import type { CallSummary } from '../../../shared/api.js';

export type CallColumn =
  | 'start'
  | 'from'
  | 'to'
  | 'callId'
  | 'state'
  | 'kind'
  | 'messages'
  | 'duration'
  | 'postDialDelay'
  | 'answerTime'
  | 'setupTime'
  | 'findings';

export interface CallSort {
  column: CallColumn;
  descending: boolean;
}

export type Severity = 'error' | 'warning' | 'note';

const SEVERITY_RANK: Record<Severity, number> = { error: 3, warning: 2, note: 1 };

/** The worst severity among a call's findings (they come worst first, but a sloppy producer is not trusted). */
export function worstSeverity(call: CallSummary): Severity | null {
  let worst: Severity | null = null;
  for (const finding of call.findings) {
    if (worst === null || SEVERITY_RANK[finding.severity] > SEVERITY_RANK[worst]) worst = finding.severity;
  }
  return worst;
}

/** The findings' messages, one a line, for the cell's title. */
export function findingsTitle(call: CallSummary): string {
  return call.findings.map((f) => `${f.severity}: ${f.message} [${f.code}]`).join('\n');
}

/**
 * The value a column sorts by. KPIs that a call does not have (null) sort after every measured value in both
 * directions: "slowest set-up first" must not start with the calls that were never set up.
 */
function sortKey(call: CallSummary, column: CallColumn): string | number | null {
  switch (column) {
    case 'start':
      return call.start;
    case 'from':
      return call.from.toLowerCase();
    case 'to':
      return call.to.toLowerCase();
    case 'callId':
      return call.callId;
    case 'state':
      return call.state;
    case 'kind':
      return `${call.kind} ${call.procedures.join(' ')}`;
    case 'messages':
      return call.messages;
    case 'duration':
      return call.durationMs;
    case 'postDialDelay':
      return call.postDialDelayMs;
    case 'answerTime':
      return call.answerTimeMs;
    case 'setupTime':
      return call.setupTimeMs;
    case 'findings': {
      // Worst severity first, then how many.
      const worst = worstSeverity(call);
      return worst === null ? null : SEVERITY_RANK[worst] * 1e6 + call.findings.length;
    }
  }
}

/** A sorted copy; ties keep the list's order (order of first message), so sorting is stable across clicks. */
export function sortCalls(calls: readonly CallSummary[], sort: CallSort | null): CallSummary[] {
  if (sort === null) return calls.slice();
  const keyed = calls.map((call, position) => ({ call, position, key: sortKey(call, sort.column) }));
  const sign = sort.descending ? -1 : 1;
  keyed.sort((a, b) => {
    if (a.key === null || b.key === null) {
      if (a.key === b.key) return a.position - b.position;
      return a.key === null ? 1 : -1;
    }
    const order = typeof a.key === 'number' && typeof b.key === 'number' ? a.key - b.key : String(a.key).localeCompare(String(b.key));
    return order !== 0 ? sign * order : a.position - b.position;
  });
  return keyed.map((k) => k.call);
}

/** Next sort after a click on a column header: ascending, then descending, then back to the list's order. */
export function nextSort(current: CallSort | null, column: CallColumn): CallSort | null {
  if (current === null || current.column !== column) return { column, descending: false };
  if (!current.descending) return { column, descending: true };
  return null;
}

/**
 * The quick filter: every whitespace-separated word must occur (case-insensitively) in the call's from,
 * to, Call-ID, state or kind. This is a finder for the list, not the display filter (that one is the
 * filter bar's, and it already narrowed the calls to its view).
 */
export function filterCalls(calls: readonly CallSummary[], text: string): CallSummary[] {
  const words = text.toLowerCase().split(/\s+/).filter((w) => w.length > 0);
  if (words.length === 0) return calls.slice();
  return calls.filter((call) => {
    const haystack = `${call.from}\n${call.to}\n${call.callId}\n${call.state}\n${call.kind}`.toLowerCase();
    return words.every((word) => haystack.includes(word));
  });
}

/** `getLadder` takes at most this many calls (src/shared/api.ts). */
export const MAX_LADDER_CALLS = 64;

export interface CallSelection {
  /** Selected call indexes (`CallSummary.index`), in the order they appear in the list. */
  selected: number[];
  /** Where a Shift-click range starts: the last call clicked without Shift. */
  anchor: number | null;
}

export const EMPTY_SELECTION: CallSelection = { selected: [], anchor: null };

/**
 * A click on a call, as file managers do it: a plain click selects only that call; Ctrl/Cmd-click toggles
 * it; Shift-click selects the range from the anchor to it in the list's current (sorted, filtered) order,
 * added to the selection when Ctrl/Cmd is also held.
 */
export function clickSelection(
  selection: CallSelection,
  clicked: number,
  modifiers: { toggle: boolean; range: boolean },
  visibleOrder: readonly number[],
): CallSelection {
  // Selected calls hidden by the quick filter stay selected, after the visible ones.
  const inOrder = (set: Set<number>) => {
    const visible = new Set(visibleOrder);
    return visibleOrder.filter((index) => set.has(index)).concat([...set].filter((index) => !visible.has(index)));
  };
  if (modifiers.range && selection.anchor !== null) {
    const a = visibleOrder.indexOf(selection.anchor);
    const b = visibleOrder.indexOf(clicked);
    if (a >= 0 && b >= 0) {
      const range = visibleOrder.slice(Math.min(a, b), Math.max(a, b) + 1);
      const set = new Set(modifiers.toggle ? [...selection.selected, ...range] : range);
      return { selected: inOrder(set), anchor: selection.anchor };
    }
  }
  if (modifiers.toggle) {
    const set = new Set(selection.selected);
    if (set.has(clicked)) set.delete(clicked);
    else set.add(clicked);
    return { selected: inOrder(set), anchor: clicked };
  }
  return { selected: [clicked], anchor: clicked };
}

/** Keyboard: move the single selection up or down the visible list (Shift extends from the anchor). */
export function moveSelection(selection: CallSelection, step: number, extend: boolean, visibleOrder: readonly number[]): CallSelection {
  if (visibleOrder.length === 0) return selection;
  const current = selection.selected.length > 0 ? selection.selected[selection.selected.length - 1] : null;
  let position = current === null ? -1 : visibleOrder.indexOf(current);
  if (step < 0 && current !== null && extend && selection.anchor !== null) {
    // Extending upwards moves the edge that is not the anchor.
    const top = visibleOrder.indexOf(selection.selected[0]);
    if (top >= 0 && selection.selected[0] !== selection.anchor) position = top;
  }
  const target = visibleOrder[Math.min(visibleOrder.length - 1, Math.max(0, position + step))];
  return clickSelection(selection, target, { toggle: false, range: extend }, visibleOrder);
}

/** The calls to draw: the selection, without calls no longer listed, at most `MAX_LADDER_CALLS`. */
export function ladderCalls(selection: CallSelection, listed: ReadonlySet<number>): number[] {
  return selection.selected.filter((index) => listed.has(index)).slice(0, MAX_LADDER_CALLS);
}

/** `1.234 s`, `250 ms`, `2 min 05 s`, `1 h 02 min`, and `—` when not measured. */
export function formatMs(ms: number | null): string {
  if (ms === null || !Number.isFinite(ms)) return '—';
  if (ms < 0) return `−${formatMs(-ms)}`;
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(ms < 10_000 ? 3 : 1)} s`;
  const seconds = Math.round(ms / 1000);
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes} min ${String(seconds - minutes * 60).padStart(2, '0')} s`;
  const hours = Math.floor(minutes / 60);
  return `${hours} h ${String(minutes - hours * 60).padStart(2, '0')} min`;
}

/** A call's start as `YYYY-MM-DD HH:MM:SS.mmm` in UTC (a capture's clock is the capture host's, so no local-zone guess). */
export function formatStart(epochSeconds: number): string {
  if (!Number.isFinite(epochSeconds)) return '—';
  const date = new Date(Math.round(epochSeconds * 1000));
  if (Number.isNaN(date.getTime())) return '—';
  return date.toISOString().replace('T', ' ').replace('Z', '');
}

/** The CSS class of a state's colour: green established, amber in progress, red failed, grey ended or cancelled. */
export function stateClass(state: string): string {
  switch (state) {
    case 'IN CALL':
    case 'COMPLETED':
    case 'REGISTERED':
      return 'state-ok';
    case 'CALL SETUP':
    case 'RINGING':
    case 'AUTH CHALLENGED':
    case 'INCOMPLETE':
      return 'state-progress';
    case 'REJECTED':
    case 'BUSY':
    case 'FAILED':
      return 'state-failed';
    case 'CANCELLED':
    case 'UNREGISTERED':
    case 'DIVERTED':
      return 'state-ended';
    default:
      return 'state-other';
  }
}

/** The kind and its procedures, as a compact cell: `call-setup: call-setup, session-modification, call-release`. */
export function kindText(call: CallSummary): string {
  const others = call.procedures.filter((p) => p !== call.kind);
  return others.length > 0 ? `${call.kind} + ${others.join(', ')}` : call.kind;
}

/** The status line above the list: `12 of 340 calls, 3 selected`, and when the ladder leaves calls out. */
export function callsStatus(total: number, listed: number, selected: number, drawn: number): string {
  let text = `${listed === total ? `${total}` : `${listed} of ${total}`} call${total === 1 ? '' : 's'}`;
  if (selected > 0) text += `, ${selected} selected`;
  if (drawn < selected) text += ` (the ladder shows ${drawn === MAX_LADDER_CALLS ? `the first ${MAX_LADDER_CALLS}` : drawn})`;
  return text;
}
