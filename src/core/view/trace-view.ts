// The view builders: pure functions over the engine's results that build the DTOs of the UI contract
// (src/shared/api.ts) for the table, the detail pane, the calls list, the ladder and the statistics. The
// trace service (src/main/trace-service.ts) calls them; no Node, no DOM.
import type { CallAnalysis } from '../calls/analysis.js';
import type { FilterContext } from '../filter/field.js';
import type { TraceEngine } from '../engine/trace-engine.js';
import type { NoteEdit } from '../../shared/api.js';

/** What the view functions read: the engine (index, facts, message bytes) and, once the trace is read, the calls analysis. */
export interface TraceViewSource {
  engine: TraceEngine;
  /** Undefined while the trace is still being read (rows then have no procedure and no call). */
  calls: CallAnalysis | undefined;
  /** For custom header columns (sip.header[...] readers cache their columns here). */
  context: FilterContext | undefined;
  /** The user's notes (issue 8), when the trace has any: looked up by message row and by Call-ID. */
  notes?: ViewNotes;
}

/** The notes the views show beside messages and calls. */
export interface ViewNotes {
  ofRow(row: number): NoteEdit | null;
  ofCall(callId: string): NoteEdit | null;
  /** The alias of a ladder host (`ip:port`), or null. */
  aliasOf(address: string): string | null;
}

export { messageRow, sortViewRows } from './rows.js';
export { messageDetail } from './detail.js';
export { callSummaries, callsOfRows, traceStatistics } from './calls.js';
export { ladderData, sdpSummary } from './ladder.js';
