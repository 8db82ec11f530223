import type { CaptureStatus, TraceProgress, TraceSummary } from '../../../shared/api.js';

/**
 * The app's trace lifecycle as a reducer: nothing open, opening (with progress; the table already shows
 * view 0 as it grows), open, or failed. Each open gets a new `key` (what views reload on); events of an
 * older open (a late reply, a late progress) are ignored by comparing keys.
 */
export type TraceState =
  | { kind: 'none' }
  | { kind: 'opening'; path: string; key: string; progress: TraceProgress | null; cancelling: boolean }
  | { kind: 'open'; summary: TraceSummary; key: string }
  /** A live capture (growing while `status.state` is 'capturing'; then it stays, browsable like an open trace). */
  | { kind: 'live'; key: string; status: CaptureStatus }
  | { kind: 'failed'; path: string | null; message: string };

export type TraceAction =
  | { type: 'open'; path: string; key: string }
  | { type: 'progress'; progress: TraceProgress }
  | { type: 'cancel' }
  | { type: 'opened'; key: string; summary: TraceSummary }
  | { type: 'failed'; key: string | null; path: string | null; message: string }
  | { type: 'captureStarted'; key: string; status: CaptureStatus }
  | { type: 'captureStatus'; status: CaptureStatus };

export function traceReducer(state: TraceState, action: TraceAction): TraceState {
  switch (action.type) {
    case 'open':
      return { kind: 'opening', path: action.path, key: action.key, progress: null, cancelling: false };
    case 'progress':
      return state.kind === 'opening' ? { ...state, progress: action.progress } : state;
    case 'cancel':
      return state.kind === 'opening' ? { ...state, cancelling: true } : state;
    case 'opened':
      return state.kind === 'opening' && state.key === action.key ? { kind: 'open', summary: action.summary, key: action.key } : state;
    case 'captureStarted':
      return { kind: 'live', key: action.key, status: action.status };
    case 'captureStatus':
      // Counters of a capture this window no longer shows (a trace was opened since) change nothing; once
      // stopped, a late 'capturing' status does not bring the capture back.
      if (state.kind !== 'live' || (state.status.state !== 'capturing' && action.status.state === 'capturing')) return state;
      return { ...state, status: action.status };
    case 'failed':
      // A failure of an open that was superseded says nothing about what is on screen now.
      if (action.key !== null && (state.kind !== 'opening' || state.key !== action.key)) return state;
      return { kind: 'failed', path: action.path, message: action.message };
  }
}

/** The trace being shown (opening or open): its key and path, or null. */
export function shownTrace(state: TraceState): { key: string; path: string; growing: boolean } | null {
  if (state.kind === 'opening') return { key: state.key, path: state.path, growing: true };
  if (state.kind === 'open') return { key: state.key, path: state.summary.path, growing: false };
  if (state.kind === 'live') return { key: state.key, path: state.status.files[0] ?? state.status.source, growing: state.status.state === 'capturing' };
  return null;
}

/**
 * The summary the filter bar and the other views treat as "a trace is open". For a live capture it is
 * made when the capture starts and again when it ends (the filter then runs once more, over every message),
 * not on every counter update.
 */
export function liveSummary(status: CaptureStatus): TraceSummary {
  return {
    path: status.files[0] ?? status.source,
    messages: status.messages,
    calls: status.calls,
    packets: status.packets,
    firstTime: status.startedAt,
    lastTime: status.startedAt + status.elapsedMs / 1000,
    errors: 0,
    warnings: 0,
    fileProblems: status.problem && status.state === 'failed' ? [status.problem] : [],
    complete: status.state !== 'failed',
    elapsedMs: status.elapsedMs,
  };
}

/** The path to read again after the decode-as rules change. */
export function reopenPath(state: TraceState): string | null {
  switch (state.kind) {
    case 'open':
      return state.summary.path;
    case 'opening':
      return state.path;
    case 'live':
      // A capture is read again from its file once it is stopped (a ring's first file only holds the start).
      return state.status.state === 'capturing' || state.status.files.length !== 1 ? null : state.status.files[0];
    case 'failed':
      return state.path;
    case 'none':
      return null;
  }
}

export type TabId = 'messages' | 'calls' | 'statistics' | 'reference';
export const TABS: readonly { id: TabId; label: string }[] = [
  { id: 'messages', label: 'Messages' },
  { id: 'calls', label: 'Calls' },
  { id: 'statistics', label: 'Statistics' },
  { id: 'reference', label: 'Reference' },
];

/** Left/Right/Home/End between tabs (WAI-ARIA tabs pattern). */
export function tabAfterKey(current: TabId, key: string): TabId | null {
  const at = TABS.findIndex((t) => t.id === current);
  const n = TABS.length;
  switch (key) {
    case 'ArrowRight':
      return TABS[(at + 1) % n].id;
    case 'ArrowLeft':
      return TABS[(at - 1 + n) % n].id;
    case 'Home':
      return TABS[0].id;
    case 'End':
      return TABS[n - 1].id;
    default:
      return null;
  }
}
