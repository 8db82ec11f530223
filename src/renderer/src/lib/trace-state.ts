import type { TraceProgress, TraceSummary } from '../../../shared/api.js';

/**
 * The app's trace lifecycle as a reducer: nothing open, opening (with progress; the table already shows
 * view 0 as it grows), open, or failed. Each open gets a new `key` (what views reload on); events of an
 * older open (a late reply, a late progress) are ignored by comparing keys.
 */
export type TraceState =
  | { kind: 'none' }
  | { kind: 'opening'; path: string; key: string; progress: TraceProgress | null; cancelling: boolean }
  | { kind: 'open'; summary: TraceSummary; key: string }
  | { kind: 'failed'; path: string | null; message: string };

export type TraceAction =
  | { type: 'open'; path: string; key: string }
  | { type: 'progress'; progress: TraceProgress }
  | { type: 'cancel' }
  | { type: 'opened'; key: string; summary: TraceSummary }
  | { type: 'failed'; key: string | null; path: string | null; message: string };

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
  return null;
}

/** The path to read again after the decode-as rules change. */
export function reopenPath(state: TraceState): string | null {
  switch (state.kind) {
    case 'open':
      return state.summary.path;
    case 'opening':
      return state.path;
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
