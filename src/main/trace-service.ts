// The seam between the window's IPC handlers and the engine. Handlers only see the `TraceService` interface.
// Two implementations:
//  - `createInProcessTraceService`: the engine itself, in the calling thread. It runs inside the trace worker
//    (./trace-worker.ts), and in unit tests;
//  - `createEngineTraceService`: what the app and `sipscope serve` use, one per window / page: a proxy to a
//    worker thread running the former (./trace-worker-client.ts), so reading a 200 MB trace never blocks the
//    Electron main process (every window's IPC) or the server's event loop. Without a built worker file
//    (running from the TypeScript sources) it falls back to the in-process service.
import { analyzeCallsSteps, unanalysedCalls, type CallAnalysis } from '../core/calls/analysis.js';
import type { DecodeAsRule } from '../core/engine/decode-as.js';
import { TraceEngine } from '../core/engine/trace-engine.js';
import { formatDiagnostic } from '../core/diagnostics.js';
import type { FilterContext } from '../core/filter/field.js';
import { compileDisplayFilter, matchingCalls } from '../core/filter/filter.js';
import { indexHeaderLinesSteps } from '../core/filter/registry.js';
import { callSummaries, ladderData, messageDetail, messageRow, sortViewRows, traceStatistics, type TraceViewSource } from '../core/view/trace-view.js';
import { openCaptureFile, type CaptureFileSummary } from '../node/capture-file.js';
import type { CapturedPacket as EnginePacket } from '../core/capture/types.js';
import { AnnotationCollector, MAX_HOST_ALIASES, emptyAnnotations, noteKeyOfRow, resolveImportedNotes, rowOfNote, type Annotations, type NoteKey } from '../core/annotations/annotations.js';
import { clearAutosave, readAutosave, writeAutosave } from '../node/annotations/load.js';
import { writeCapture } from '../node/export/write-capture.js';
import { documentFiles } from '../node/export/documents.js';
import { writeFiles } from '../node/export/write-files.js';
import { AnonymizationMap, anonymizeData, anonymizingTransform } from '../core/export/anonymize.js';
import { callsCsv } from '../core/export/csv.js';
import { framesOfRows } from '../core/export/frames.js';
import { buildReport } from '../core/export/report-input.js';
import { notesOfSelection } from '../core/annotations/annotations.js';
import { basename } from 'node:path';
import { randomInt } from 'node:crypto';
import type { HelperOptions } from '../node/capture/capture-client.js';
import { startLiveCapture, type LiveCapture, type LiveCaptureCounters } from '../node/capture/live-capture.js';
import type {
  AnnotationsState,
  ExportRequest,
  NoteEdit,
  CallSummary,
  CaptureSettings,
  CaptureStatus,
  FilterFieldInfo,
  FilterOutcome,
  LadderData,
  MessageDetail,
  MessageRow,
  RowsPage,
  RowsQuery,
  TraceProgress,
  TraceStatistics,
  TraceSummary,
  ViewId,
} from '../shared/api.js';
import { createWorkerTraceService, findTraceWorkerFile } from './trace-worker-client.js';
import { filterFieldInfos, parseDecodeAsRules, ruleText } from './trace-worker-protocol.js';
import { MAX_LADDER_CALLS, MAX_ROWS_REQUEST as MAX_ROWS_PER_PAGE } from './validate.js';

export interface TraceService {
  /**
   * Opens the trace at `path` (already validated: absolute, normalised, no NUL) and keeps it as the trace
   * filters apply to. Rejects with an Error whose message is fit to show the user (it names the file and
   * says what is wrong). `onProgress` is called while reading (at most every ~100 ms) and once at the end.
   */
  open(path: string, onProgress?: (progress: TraceProgress) => void): Promise<TraceSummary>;
  /**
   * Stops the open in progress, if any: its `open` resolves with what was read (`complete: false`). While
   * reading, what was read is then analysed; while analysing the calls, the trace opens without calls.
   */
  cancelOpen(): Promise<void>;
  /** The contract's operations over the trace opened last (arguments already validated). */
  getRows(query: RowsQuery): Promise<RowsPage>;
  getMessage(row: number): Promise<MessageDetail>;
  getCalls(view: ViewId): Promise<CallSummary[]>;
  getLadder(calls: number[]): Promise<LadderData>;
  getStatistics(view: ViewId): Promise<TraceStatistics>;
  /** Frees the trace (its window closed, its page disconnected); the service is not used afterwards. */
  dispose(): void;
  /** The decode-as rules traces are opened with, as text. */
  decodeAs(): string[];
  /** Replaces the rules (each already a string); throws an Error naming the first bad one. Returns them normalised. */
  setDecodeAs(rules: readonly string[]): string[];
  /**
   * Applies a display filter (already a string) to the trace opened last. A filter that does not compile
   * is an `{ ok: false, error }` outcome; rejects with an Error for the user when no trace is open.
   */
  applyFilter(text: string): Promise<FilterOutcome>;
  /** Every display-filter field, sorted by name. */
  filterFields(): FilterFieldInfo[];
  /**
   * Starts a live capture (settings validated, `folder` resolved to an absolute path): it becomes the trace
   * operations apply to, growing as packets arrive. `onStatus` gets the counters about every
   * `CAPTURE_STATUS_INTERVAL_MS` until the capture ends, and once more at the end. Rejects with an Error for
   * the user when it cannot start. A running capture of this service is stopped first.
   */
  startCapture(settings: CaptureSettings & { folder: string }, onStatus: (status: CaptureStatus) => void): Promise<CaptureStatus>;
  /** Stops the live capture; resolves to the final counters once the last packets are decoded and analysed. */
  stopCapture(): Promise<CaptureStatus>;
  /** The notes of the trace opened last (issue 8). */
  getAnnotations(): Promise<AnnotationsState>;
  /** Sets or (null) removes a message's / a call's note; autosaved beside the trace shortly after. */
  setMessageNote(row: number, note: NoteEdit | null): Promise<AnnotationsState>;
  setCallNote(call: number, note: NoteEdit | null): Promise<AnnotationsState>;
  setHostAlias(address: string, alias: string | null): Promise<AnnotationsState>;
  /** Writes the trace with its notes as pcapng at `dest` (absolute; replaced if it exists: the caller asked). */
  saveAnnotated(dest: string): Promise<string>;
  /**
   * Exports calls (indexes validated) to `dest` in a document or capture format ('pdf' is the app's: it exports
   * 'html' and prints it); replaces existing files (the caller asked). Resolves to the files written.
   */
  exportCalls(dest: string, request: ExportRequest & { format: Exclude<ExportRequest['format'], 'pdf'> }): Promise<string[]>;
  /** Writes notes still waiting for their autosave (before the window closes or the worker ends). */
  flushNotes(): Promise<void>;
}

/** How long after the last note change the notes are autosaved beside the trace. */
export const AUTOSAVE_DELAY_MS = 1000;

/** How often a live capture's counters are pushed. */
export const CAPTURE_STATUS_INTERVAL_MS = 500;
/**
 * Least time between two analyses of a live capture (calls, procedures, the filter view). An analysis takes
 * about 13 µs per message (4 s for 300k on the build machine), so the wait grows to twice the last analysis:
 * a huge capture spends at most a third of its time analysing (packets are decoded meanwhile, between its slices).
 */
export const LIVE_ANALYSIS_INTERVAL_MS = 1000;


/** How many frame numbers a filter outcome lists (the contract's `firstFrames`). */
export const FIRST_FRAMES_LIMIT = 50;
/** Least time between two 'reading' progress events. */
export const PROGRESS_INTERVAL_MS = 100;
/**
 * Bytes read per chunk while opening. The engine digests ~40 MB/s on the 2-core build machine, so 1 MiB is
 * ~25 ms of work: the first rows are indexed (and a progress event sent) within a few tens of milliseconds,
 * and `getRows` / `cancelOpen` requests get a turn between chunks. The default 8 MiB chunk made the first
 * progress of bench/data/volte-25k.pcap wait 550 ms.
 */
export const OPEN_CHUNK_BYTES = 1 << 20;
/** The first read: ~90 messages of an IMS trace, more than a screen of rows, indexed within a few ms. */
export const FIRST_CHUNK_BYTES = 64 << 10;
/**
 * Work done between two turns of the event loop while a trace is analysed (the calls; then, once the trace
 * is open, the header lines): the analysis of bench/data/volte-25k.pcap is ~4 s of work, so it runs in slices
 * of this long, and `getRows`, `getMessage` or `cancelOpen` wait at most about this long (plus one step of the
 * analysis, a few ms).
 */
export const ANALYSIS_SLICE_MS = 25;
/** Sorted orders kept (per view and sort key), so scrolling a sorted table does not sort again per page. */
const SORT_CACHE_SIZE = 8;

export const GONE_VIEW_MESSAGE = 'this filter result is gone; apply the filter again';
const NO_TRACE_MESSAGE = 'no trace is open: open a trace first';

/** The trace opened last: the engine (growing while it is read), then its calls analysis. */
interface OpenTrace {
  path: string;
  engine: TraceEngine;
  /**
   * Set once reading ended (complete or cancelled) and the calls were analysed; for a live capture, the latest
   * analysis, which covers the first `analysedRows` messages.
   */
  calls: CallAnalysis | undefined;
  analysedRows: number;
  /** The user's notes, loaded once the trace is open (from its sipscope block, its frame comments or the autosave). */
  notes: TraceNotes;
  /**
   * One per trace: its `cache` keeps the columns a filter built (a header read from every message, say),
   * so the next filter on the same field does not read the messages again. Made with the calls analysis.
   */
  context: FilterContext | undefined;
}

/** A filter's matching messages, in frame order, and the calls holding at least one of them. */
interface FilterView {
  id: ViewId;
  text: string;
  rows: Uint32Array;
  calls: number[];
}

/** The notes of one trace, with the lookups the views need. Notes whose message is not in the trace are kept (never lost). */
interface TraceNotes {
  annotations: Annotations;
  byRow: Map<number, NoteEdit>;
  byCall: Map<string, NoteEdit>;
  origin: AnnotationsState['origin'];
  problems: string[];
  unsaved: boolean;
  autosave: ReturnType<typeof setTimeout> | undefined;
}

function noNotes(): TraceNotes {
  return { annotations: emptyAnnotations(), byRow: new Map(), byCall: new Map(), origin: null, problems: [], unsaved: false, autosave: undefined };
}

/** Rebuilds the lookups from the annotations (after loading them, or once the index knows more rows). */
function indexNotes(notes: TraceNotes, trace: OpenTrace): void {
  notes.byRow.clear();
  notes.byCall.clear();
  let unresolved = 0;
  for (const m of notes.annotations.messages) {
    const row = rowOfNote(trace.engine.index, m);
    if (row === null) unresolved++;
    else notes.byRow.set(row, { note: m.note, tag: m.tag });
  }
  for (const c of notes.annotations.calls) notes.byCall.set(c.callId, { note: c.note, tag: c.tag });
  notes.problems = notes.problems.filter((p) => !p.includes('refer to messages this trace does not have'));
  if (unresolved > 0) notes.problems.push(`${unresolved} note(s) refer to messages this trace does not have; they are kept and saved with the others`);
}

function notesState(notes: TraceNotes): AnnotationsState {
  return {
    messageNotes: notes.annotations.messages.length,
    callNotes: notes.annotations.calls.length,
    aliases: Object.keys(notes.annotations.hosts).length,
    unsaved: notes.unsaved,
    origin: notes.origin,
    problems: [...notes.problems],
  };
}

function viewSource(trace: OpenTrace): TraceViewSource {
  const { byRow, byCall } = trace.notes;
  const hosts = trace.notes.annotations.hosts;
  return {
    engine: trace.engine,
    calls: trace.calls,
    context: trace.context,
    notes: {
      ofRow: (row) => byRow.get(row) ?? null,
      ofCall: (callId) => byCall.get(callId) ?? null,
      aliasOf: (address) => (Object.prototype.hasOwnProperty.call(hosts, address) ? hosts[address] : null),
    },
  };
}

/**
 * The notes of a trace just opened: its sipscope block (or, without one, its frame comments), replaced by the
 * autosave beside it when that is of this very file (size and time unchanged) — the autosave holds the latest edits.
 */
async function loadNotes(path: string, trace: OpenTrace, collector: AnnotationCollector): Promise<TraceNotes> {
  const notes = noNotes();
  const found = collector.result();
  notes.problems.push(...found.problems);
  if (found.annotations) {
    notes.annotations = found.origin === 'comments' ? resolveImportedNotes(trace.engine.index, found.annotations) : found.annotations;
    notes.origin = found.origin === 'block' ? 'capture' : 'comments';
  }
  try {
    const autosaved = await readAutosave(path);
    if (autosaved?.traceChanged) {
      notes.problems.push(`notes autosaved on ${autosaved.savedAt} beside this trace belong to an earlier version of the file; they were not loaded (${path}.sipscope-notes.json)`);
    } else if (autosaved) {
      notes.annotations = autosaved.annotations;
      notes.origin = 'autosave';
      notes.unsaved = true;
    }
  } catch (err) {
    notes.problems.push(err instanceof Error ? err.message : String(err));
  }
  indexNotes(notes, trace);
  return notes;
}

const sameKey = (a: NoteKey, b: NoteKey): boolean => a.frame === b.frame && a.callId === b.callId && a.cseq === b.cseq && a.kind === b.kind;

/** Evaluates `text` over `trace`: matching messages in frame order, and the calls holding at least one. */
function filterTrace(trace: OpenTrace & { calls: CallAnalysis; context: FilterContext }, text: string, id: ViewId): { outcome: FilterOutcome; view?: FilterView } {
  const started = performance.now();
  const compiled = compileDisplayFilter(text);
  if (compiled.error) {
    const { message, start, length } = compiled.error;
    return { outcome: { ok: false, error: { message, start, length } } };
  }
  const predicate = compiled.filter.bind(trace.context);
  const index = trace.engine.index;
  const order = index.frameOrder();
  // Each message is evaluated once; the call scope then reads the marks rather than the filter again.
  const matched = new Uint8Array(index.count);
  const rows: number[] = [];
  // A live capture's newest messages are not analysed yet (no call, no procedure): they join the view
  // at the next analysis rather than being judged without their call.
  const analysed = trace.analysedRows;
  for (let i = 0; i < order.length; i++) {
    const row = order[i];
    if (row >= analysed || !predicate(row)) continue;
    matched[row] = 1;
    rows.push(row);
  }
  const calls = matchingCalls((row) => matched[row] === 1, trace.calls);
  const firstFrames = rows.slice(0, FIRST_FRAMES_LIMIT).map((row) => index.frameOf(row));
  return {
    outcome: {
      ok: true,
      text,
      messages: index.count,
      matching: rows.length,
      calls: trace.calls.calls.length,
      matchingCalls: calls.length,
      firstFrames,
      view: id,
      elapsedMs: performance.now() - started,
    },
    view: { id, text, rows: Uint32Array.from(rows), calls },
  };
}

/** Why an open stopped early: the user's Cancel, a newer open of the same service, or `dispose`. */
class OpenStopped extends Error {
  constructor(readonly reason: 'cancelled' | 'replaced' | 'closed') {
    super(`opening ${reason}`);
  }
}

function stoppedOpenError(path: string, stopped: OpenStopped): Error {
  return new Error(stopped.reason === 'closed' ? `the opening of ${path} stopped: its window or page closed` : `the opening of ${path} was replaced by a newer one`);
}

/**
 * Runs resumable steps (src/core's `...Steps` generators) to their end in slices of `ANALYSIS_SLICE_MS`, with
 * a macrotask turn (`setImmediate`) before each slice, so that the requests that came meanwhile (the worker's
 * messages) are answered between slices. `stop` is asked before each slice: when it says to stop, the steps
 * are abandoned and the result is `undefined`.
 */
async function runInSlices<T>(steps: Generator<void, T>, stop: () => boolean): Promise<{ value: T } | undefined> {
  for (;;) {
    await new Promise<void>((resolve) => setImmediate(resolve));
    if (stop()) {
      steps.return(undefined as T);
      return undefined;
    }
    const sliceEnd = performance.now() + ANALYSIS_SLICE_MS;
    let step = steps.next();
    while (!step.done && performance.now() < sliceEnd) step = steps.next();
    if (step.done) return { value: step.value };
  }
}

/**
 * The engine in the calling thread. Reads the trace chunk by chunk, awaiting each read, so requests for
 * the rows indexed so far (and a cancel) are served while the file is read.
 */
export function createInProcessTraceService(helperOptions: HelperOptions = {}): TraceService {
  let rules: DecodeAsRule[] = [];
  let current: OpenTrace | undefined;
  /** The reading in progress, to cancel it. */
  let reading: AbortController | undefined;
  /** The open asked for last: only it may become the current trace. */
  let latest: AbortController | undefined;
  let disposed = false;
  let nextViewId = 1;
  let filterView: FilterView | undefined;
  const sortCache = new Map<string, Uint32Array>();

  function openTrace(): OpenTrace {
    if (!current) throw new Error(NO_TRACE_MESSAGE);
    return current;
  }

  function analysedTrace(what: string): OpenTrace & { calls: CallAnalysis; context: FilterContext } {
    const trace = openTrace();
    if (!trace.calls || !trace.context) throw new Error(`the trace is still being read: ${what} once it is open`);
    return trace as OpenTrace & { calls: CallAnalysis; context: FilterContext };
  }

  /** The rows of a view, in frame order (view 0 grows while the trace is read). */
  function viewRows(trace: OpenTrace, view: ViewId): Uint32Array {
    if (view === 0) return trace.engine.index.frameOrder();
    if (filterView?.id === view) return filterView.rows;
    throw new Error(GONE_VIEW_MESSAGE);
  }

  function sortedRows(trace: OpenTrace, view: ViewId, rows: Uint32Array, sort: RowsQuery['sort']): Uint32Array {
    if (!sort) return rows;
    // The row count is part of the key: view 0 grows while the trace is read.
    const key = `${view}\u0000${rows.length}\u0000${sort.descending ? 1 : 0}\u0000${sort.column}`;
    let sorted = sortCache.get(key);
    if (!sorted) {
      sorted = sortViewRows(viewSource(trace), rows, sort);
      sortCache.set(key, sorted);
      if (sortCache.size > SORT_CACHE_SIZE) sortCache.delete(sortCache.keys().next().value as string);
    } else {
      // Most recently used last, so the oldest goes first.
      sortCache.delete(key);
      sortCache.set(key, sorted);
    }
    return sorted;
  }

  function timeOf(trace: OpenTrace, row: number): number {
    return trace.engine.index.tsSecOf(row) + trace.engine.index.tsNsecOf(row) / 1e9;
  }


  /** The live capture of this service, while it runs and until the next open or capture replaces its trace. */
  let live: LiveSession | undefined;

  interface LiveSession {
    capture: LiveCapture;
    trace: OpenTrace;
    controller: AbortController;
    state: CaptureStatus['state'];
    problem: string | null;
    analysis: number;
    /** Resolves when the analysis loop has ended (after the capture stopped). */
    loop: Promise<void>;
    /** Ends the loop's wait between two analyses at once (the capture stopped). */
    wake: () => void;
    onStatus: (status: CaptureStatus) => void;
    statusTimer: ReturnType<typeof setInterval>;
    /** The final status once stopped. */
    stopped: Promise<CaptureStatus> | undefined;
    last: LiveCaptureCounters;
  }

  function liveStatus(session: LiveSession, counters: LiveCaptureCounters = session.capture.counters()): CaptureStatus {
    session.last = counters;
    const { trace } = session;
    return {
      state: session.state,
      source: session.capture.label,
      startedAt: session.capture.startedAt,
      elapsedMs: Math.max(0, Date.now() - session.capture.startedAt * 1000),
      packets: counters.packets,
      bytes: counters.bytes,
      messages: trace.engine.index.count,
      calls: trace.calls?.calls.length ?? 0,
      analysis: session.analysis,
      kernelReceived: counters.kernelReceived,
      kernelDropped: counters.kernelDropped,
      queueDepth: counters.queueDepth,
      queueDropped: counters.queueDropped,
      files: counters.files,
      problem: session.problem ?? (counters.kernelUnavailable ? `Kernel drop counts are not available: ${counters.kernelUnavailable}` : null),
    };
  }

  function addLivePackets(session: LiveSession, packets: EnginePacket[]): void {
    for (const packet of packets) session.trace.engine.addPacket(packet);
  }

  /**
   * Brings calls, procedures, the filter view and sorted orders up to date with the messages decoded so far. The
   * analysis reads a frozen view of the index (the messages there when it began), in slices: packets arriving
   * meanwhile are decoded at once (the table keeps growing; their call and procedure come with the next analysis).
   * Queued instead, they kept the table still for the whole analysis: 3 to 5 s at 12,000 messages/s after 30 s
   * (bench/capture-bench.mjs --app), 13 s after 2 minutes.
   */
  async function analyseLive(session: LiveSession): Promise<void> {
    const { trace } = session;
    const engine = trace.engine;
    const rows = engine.index.count;
    const analysed = await runInSlices(
      analyzeCallsSteps(engine.index.frozenView(rows), (row) => engine.facts.get(row), { sessionKeys: (row) => engine.facts.sessionKeys(row) }),
      () => latest !== session.controller,
    );
    if (!analysed) return;
    trace.calls = analysed.value;
    trace.analysedRows = rows;
    trace.context = { index: engine.index, messages: engine.messageBytes, facts: engine.facts, calls: analysed.value, cache: new Map() };
    sortCache.clear();
    // The applied filter follows the capture: same view, its rows brought up to date.
    if (filterView && current === trace) {
      const { view } = filterTrace(trace as OpenTrace & { calls: CallAnalysis; context: FilterContext }, filterView.text, filterView.id);
      if (view) filterView = view;
    }
    session.analysis++;
  }

  async function liveAnalysisLoop(session: LiveSession): Promise<void> {
    let wait = LIVE_ANALYSIS_INTERVAL_MS;
    while (session.state === 'capturing' && latest === session.controller) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, wait);
        session.wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      if (session.state !== 'capturing' || latest !== session.controller) return;
      const started = performance.now();
      const rowsBefore = session.trace.analysedRows;
      // Nothing new since the last analysis: nothing to redo.
      if (session.trace.engine.index.count === rowsBefore && session.analysis > 0) continue;
      await analyseLive(session);
      wait = Math.max(LIVE_ANALYSIS_INTERVAL_MS, 2 * (performance.now() - started));
    }
  }

  /** Ends a live capture (asked by the user, replaced by an open, the window closed, or failed); idempotent. */
  function endLive(session: LiveSession, failure: string | null): Promise<CaptureStatus> {
    if (session.stopped) return session.stopped;
    session.stopped = (async () => {
      const counters = await session.capture.stop().catch((error: unknown) => {
        failure ??= error instanceof Error ? error.message : String(error);
        return session.capture.counters();
      });
      clearInterval(session.statusTimer);
      session.state = failure ? 'failed' : 'stopped';
      if (failure) session.problem = failure;
      session.wake();
      await session.loop;
      // The messages still inside a TCP stream, or an unfinished datagram, are reported now.
      session.trace.engine.finish();
      if (latest === session.controller) await analyseLive(session);
      const status = liveStatus(session, counters);
      session.onStatus(status);
      return status;
    })();
    return session.stopped;
  }

  async function startLive(settings: CaptureSettings & { folder: string }, onStatus: (status: CaptureStatus) => void): Promise<CaptureStatus> {
    if (live && live.state === 'capturing') await endLive(live, null);
    reading?.abort(new OpenStopped('replaced'));
    const controller = new AbortController();
    latest = controller;
    current = undefined;
    filterView = undefined;
    sortCache.clear();
    // Packets and failures can come before the session exists (between the helpers' start and the engine's).
    const started: { session?: LiveSession } = {};
    const early: EnginePacket[][] = [];
    let earlyFailure: string | null = null;
    const capture = await startLiveCapture({
      source: settings.source,
      folder: settings.folder,
      ring: settings.ring,
      helper: helperOptions,
      onPackets: (packets) => (started.session ? addLivePackets(started.session, packets) : early.push(packets)),
      onError: (message) => {
        if (started.session) void endLive(started.session, message);
        else earlyFailure = message;
      },
    });
    if (latest !== controller) {
      await capture.stop();
      throw new Error('the capture was replaced by a newer open or capture before it started');
    }
    // The engine is made once the source is known: a HEP listener off port 9060 needs its decode-as rule.
    const engine = new TraceEngine({ decodeAs: [...rules, ...capture.decodeAs], messageFacts: true, keepMessageBytes: true });
    const counters = capture.counters();
    const trace: OpenTrace = { path: counters.files[0] ?? settings.folder, engine, calls: unanalysedCalls(0), analysedRows: 0, context: undefined, notes: noNotes() };
    trace.context = { index: engine.index, messages: engine.messageBytes, facts: engine.facts, calls: trace.calls as CallAnalysis, cache: new Map() };
    const created: LiveSession = {
      capture,
      trace,
      controller,
      state: 'capturing',
      problem: null,
      analysis: 0,
      loop: Promise.resolve(),
      wake: () => {},
      onStatus,
      statusTimer: setInterval(() => {
        if (created.state === 'capturing') onStatus(liveStatus(created));
      }, CAPTURE_STATUS_INTERVAL_MS),
      stopped: undefined,
      last: counters,
    };
    started.session = created;
    live = created;
    current = trace;
    for (const packets of early) addLivePackets(created, packets);
    created.loop = liveAnalysisLoop(created).catch((error: unknown) => {
      console.error('sipscope: analysing the live capture failed:', error);
    });
    if (earlyFailure) void endLive(created, earlyFailure);
    return liveStatus(created);
  }

  /** A note changed: unsaved, and autosaved beside the trace once the edits pause (a crash then loses nothing). */
  function changed(trace: OpenTrace): void {
    const { notes } = trace;
    notes.unsaved = true;
    clearTimeout(notes.autosave);
    notes.autosave = setTimeout(() => void autosave(trace), AUTOSAVE_DELAY_MS);
  }

  async function autosave(trace: OpenTrace): Promise<void> {
    const { notes } = trace;
    notes.autosave = undefined;
    const failure = 'the notes could not be autosaved';
    try {
      await writeAutosave(trace.path, notes.annotations);
      notes.problems = notes.problems.filter((p) => !p.startsWith(failure));
    } catch (err) {
      notes.problems = notes.problems.filter((p) => !p.startsWith(failure));
      notes.problems.push(`${failure} (${err instanceof Error ? err.message : String(err)}); save them with "Save annotated…"`);
    }
  }

  async function readTrace(path: string, onProgress: ((progress: TraceProgress) => void) | undefined): Promise<TraceSummary> {
    const started = performance.now();
    reading?.abort(new OpenStopped('replaced'));
    if (live && live.state === 'capturing') void endLive(live, null);
    // The trace on screen is replaced: its notes waiting for the autosave are written now.
    if (current?.notes.autosave !== undefined) {
      clearTimeout(current.notes.autosave);
      void autosave(current);
    }
    const controller = new AbortController();
    reading = controller;
    latest = controller;
    // The trace on screen is being replaced: nothing may run on the old one meanwhile.
    current = undefined;
    filterView = undefined;
    sortCache.clear();
    // A filter may read any header (message bytes) or any IMS fact and call field, so the app keeps
    // all of them, as the CLI does when its --filter needs them (src/cli/filter.ts).
    const engine = new TraceEngine({ decodeAs: rules, messageFacts: true, keepMessageBytes: true });
    const trace: OpenTrace = { path, engine, calls: undefined, analysedRows: 0, context: undefined, notes: noNotes() };
    // What the file says about notes (sipscope's block, or Wireshark's frame comments), read in the same pass.
    const collector = new AnnotationCollector();
    const fileProblems: string[] = [];
    let packets = 0;
    let firstTime: number | null = null;
    let lastTime: number | null = null;
    let bytesRead = 0;
    let totalBytes = 0;
    let lastProgress = -Infinity;
    const progress = (phase: TraceProgress['phase']): void => {
      lastProgress = performance.now();
      onProgress?.({ path, bytesRead, totalBytes, messages: engine.index.count, phase });
    };

    let file: CaptureFileSummary | undefined;
    try {
      file = await openCaptureFile(
        path,
        {
          packet(packet) {
            collector.packet(packet.frame, packet.comments);
            packets++;
            const time = packet.tsSec + packet.tsNsec / 1e9;
            if (firstTime === null) {
              firstTime = time;
              // Rows can be fetched from the first packet on (view 0 grows with the index), unless a newer
              // open took over meanwhile.
              if (latest === controller) current = trace;
            }
            lastTime = time;
            engine.addPacket(packet);
          },
          customBlock(pen, data) {
            collector.customBlock(pen, data);
          },
          diagnostic(diagnostic) {
            if (diagnostic.severity !== 'note') fileProblems.push(`${formatDiagnostic(diagnostic)} (file offset ${diagnostic.fileOffset})`);
          },
        },
        {
          chunkSize: OPEN_CHUNK_BYTES,
          firstChunkSize: FIRST_CHUNK_BYTES,
          signal: controller.signal,
          onProgress(read, total) {
            bytesRead = read;
            totalBytes = total;
            if (performance.now() - lastProgress >= PROGRESS_INTERVAL_MS) progress('reading');
          },
        },
      );
    } catch (err) {
      if (!(err instanceof OpenStopped)) {
        if (reading === controller) reading = undefined;
        if (latest === controller) current = undefined;
        throw err;
      }
      if (err.reason !== 'cancelled') throw stoppedOpenError(path, err);
      // Cancelled: what was read stays open, marked partial.
    }
    // A newer open (or dispose) may have come while the last chunk was finished, or after a cancel.
    if (latest !== controller) throw stoppedOpenError(path, new OpenStopped(disposed ? 'closed' : 'replaced'));
    engine.finish();
    current = trace;
    if (file) {
      bytesRead = file.bytesRead;
      totalBytes = file.fileSize;
    }
    // The analysis runs in slices (runInSlices): the rows read stay browsable meanwhile, and a cancel, a newer
    // open or dispose can come. It has its own controller, `reading` while it runs, so that `cancelOpen` stops
    // it, not the reading (a cancel while reading still has the messages read analysed).
    const analysing = new AbortController();
    reading = analysing;
    const stopAnalysing = (): boolean => {
      if (latest !== controller) throw stoppedOpenError(path, new OpenStopped(disposed ? 'closed' : 'replaced'));
      return analysing.signal.aborted;
    };
    progress('analysing');
    let analysed: { value: CallAnalysis } | undefined;
    let calls: CallAnalysis;
    let context: FilterContext;
    try {
      analysed = await runInSlices(analyzeCallsSteps(engine.index, (row) => engine.facts.get(row), { sessionKeys: (row) => engine.facts.sessionKeys(row) }), stopAnalysing);
      // Cancelled while the calls were analysed: the trace opens with every message read but no calls (an
      // empty analysis: the calls list is empty, filters on call fields match nothing), and says it is partial.
      calls = analysed?.value ?? unanalysedCalls(engine.index.count);
      context = { index: engine.index, messages: engine.messageBytes, facts: engine.facts, calls, cache: new Map() };
    } finally {
      if (reading === analysing) reading = undefined;
    }
    // The notes first (reading the autosave takes a turn of the event loop): the calls and the notes then
    // appear together, once the trace is open.
    trace.notes = await loadNotes(path, trace, collector);
    if (latest !== controller) throw stoppedOpenError(path, new OpenStopped(disposed ? 'closed' : 'replaced'));
    trace.calls = calls;
    trace.analysedRows = engine.index.count;
    trace.context = context;
    // Sorted orders made while reading lack the procedure and call columns.
    sortCache.clear();
    progress('done');
    // Where every message's header lines are, so that the first filter on any header is fast too (~1.5 s on
    // 300k messages): recorded after the trace is open, in slices between requests, until a newer open or
    // dispose. Only a speed-up: a filter that comes first records the lines of the messages it reads (HeaderLines
    // records a message once), so results never depend on how far this got.
    if (analysed) {
      const indexing = context;
      void runInSlices(indexHeaderLinesSteps(indexing), () => latest !== controller || disposed).catch((err: unknown) => {
        console.error('sipscope: indexing header lines failed (filters read the messages instead):', err);
      });
    }
    return {
      path,
      messages: engine.index.count,
      calls: calls.calls.length,
      packets,
      firstTime,
      lastTime,
      errors: engine.stats.messagesWithErrors,
      warnings: engine.stats.messagesWithWarnings,
      fileProblems,
      complete: file !== undefined && analysed !== undefined,
      elapsedMs: performance.now() - started,
    };
  }

  return {
    open: readTrace,
    async cancelOpen() {
      reading?.abort(new OpenStopped('cancelled'));
    },
    async getRows(query) {
      const trace = openTrace();
      const rows = sortedRows(trace, query.view, viewRows(trace, query.view), query.sort);
      const total = rows.length;
      const start = Math.max(0, Math.min(Math.floor(query.start), total));
      const count = Math.max(0, Math.min(Math.floor(query.count), MAX_ROWS_PER_PAGE, total - start));
      const headers = query.headers ?? [];
      const source = viewSource(trace);
      const page: MessageRow[] = [];
      let previousTime = start > 0 ? timeOf(trace, rows[start - 1]) : null;
      for (let position = start; position < start + count; position++) {
        const row = rows[position];
        page.push(messageRow(source, row, position, previousTime, headers));
        previousTime = timeOf(trace, row);
      }
      return { view: query.view, total, start, rows: page };
    },
    async getMessage(row) {
      const trace = openTrace();
      if (!Number.isInteger(row) || row < 0 || row >= trace.engine.index.count) {
        throw new Error(`there is no message ${row} in this trace (it has ${trace.engine.index.count})`);
      }
      return messageDetail(viewSource(trace), row);
    },
    async getCalls(view) {
      const trace = openTrace();
      if (view !== 0 && filterView?.id !== view) throw new Error(GONE_VIEW_MESSAGE);
      // While the trace is read there are no calls yet: the list fills when the trace is open.
      if (!trace.calls) return [];
      const indexes = view === 0 ? trace.calls.calls.map((call) => call.index) : (filterView as FilterView).calls;
      return callSummaries(viewSource(trace), indexes);
    },
    async getLadder(calls) {
      const trace = analysedTrace('the ladder diagram comes');
      if (calls.length > MAX_LADDER_CALLS) throw new Error(`a ladder diagram shows at most ${MAX_LADDER_CALLS} calls (${calls.length} asked)`);
      for (const call of calls) {
        if (!Number.isInteger(call) || call < 0 || call >= trace.calls.calls.length) {
          throw new Error(`there is no call ${call} in this trace (it has ${trace.calls.calls.length})`);
        }
      }
      return ladderData(viewSource(trace), calls);
    },
    async getStatistics(view) {
      const trace = analysedTrace('statistics come');
      const rows = view === 0 ? null : viewRows(trace, view);
      return traceStatistics(viewSource(trace), view, rows);
    },
    async getAnnotations() {
      return notesState(openTrace().notes);
    },
    async flushNotes() {
      if (current?.notes.autosave === undefined) return;
      clearTimeout(current.notes.autosave);
      await autosave(current);
    },
    async setMessageNote(row, edit) {
      const trace = openTrace();
      if (row >= trace.engine.index.count) throw new Error(`there is no message ${row} in this trace (it has ${trace.engine.index.count})`);
      const { notes } = trace;
      const key = noteKeyOfRow(trace.engine.index, row);
      notes.annotations.messages = notes.annotations.messages.filter((m) => !sameKey(m, key));
      if (edit && (edit.note.trim() !== '' || edit.tag !== null)) {
        notes.annotations.messages.push({ ...key, note: edit.note, tag: edit.tag });
        notes.byRow.set(row, { note: edit.note, tag: edit.tag });
      } else notes.byRow.delete(row);
      changed(trace);
      return notesState(notes);
    },
    async setCallNote(call, edit) {
      const trace = analysedTrace('notes on calls can be written');
      const target = trace.calls.calls[call];
      if (!target) throw new Error(`there is no call ${call} in this trace (it has ${trace.calls.calls.length})`);
      const { notes } = trace;
      notes.annotations.calls = notes.annotations.calls.filter((c) => c.callId !== target.callId);
      if (edit && (edit.note.trim() !== '' || edit.tag !== null)) {
        notes.annotations.calls.push({ callId: target.callId, note: edit.note, tag: edit.tag });
        notes.byCall.set(target.callId, { note: edit.note, tag: edit.tag });
      } else notes.byCall.delete(target.callId);
      changed(trace);
      return notesState(notes);
    },
    async setHostAlias(address, alias) {
      const trace = openTrace();
      const { hosts } = trace.notes.annotations;
      if (alias !== null && !Object.prototype.hasOwnProperty.call(hosts, address) && Object.keys(hosts).length >= MAX_HOST_ALIASES) {
        throw new Error(`a trace's notes name at most ${MAX_HOST_ALIASES} hosts`);
      }
      if (alias === null) delete hosts[address];
      else hosts[address] = alias;
      changed(trace);
      return notesState(trace.notes);
    },
    async exportCalls(dest, request) {
      const trace = analysedTrace('calls can be exported');
      const analysis = trace.calls;
      for (const call of request.calls) {
        if (call >= analysis.calls.length) throw new Error(`there is no call ${call} in this trace (it has ${analysis.calls.length})`);
      }
      const calls = [...new Set(request.calls)].sort((a, b) => a - b);
      const source = viewSource(trace);
      const { format } = request;
      if (format === 'pcap' || format === 'pcapng') {
        const index = trace.engine.index;
        const rows = calls.flatMap((c) => analysis.calls[c].rows);
        const notes = notesOfSelection(index, trace.notes.annotations, new Set(rows), new Set(calls.map((c) => analysis.calls[c].callId)));
        // Anonymised: every packet learnt, then rewritten (same lengths, checksums recomputed), notes included.
        const transform = request.anonymize ? anonymizingTransform(new AnonymizationMap({ seed: randomInt(0x7fffffff) })) : undefined;
        const written = await writeCapture({ source: trace.path, dest, format, frames: framesOfRows(index, rows), annotations: notes, force: true, transform });
        return [written.path];
      }
      // One map per export, randomly seeded: consistent within the export, unlinkable across exports.
      const map = request.anonymize ? new AnonymizationMap({ seed: randomInt(0x7fffffff) }) : undefined;
      if (format === 'csv') {
        const summaries = callSummaries(source, calls);
        return writeFiles([{ path: dest, data: callsCsv(map ? anonymizeData(summaries, map) : summaries) }], { force: true });
      }
      const title = calls.length === 1 ? `Call ${analysis.calls[calls[0]].callId}` : `${calls.length} calls of ${basename(trace.path)}`;
      const built = buildReport(source, { calls, annotations: trace.notes.annotations, title, file: basename(trace.path), generatedAt: new Date().toISOString() });
      const { files } = await documentFiles(format, map ? anonymizeData(built, map) : built, dest);
      return writeFiles(files, { force: true });
    },
    async saveAnnotated(dest) {
      const trace = openTrace();
      if (live?.trace === trace && live.state === 'capturing') throw new Error('stop the capture first: its file is still being written');
      const written = await writeCapture({ source: trace.path, dest, format: 'pcapng', annotations: trace.notes.annotations, force: true });
      // Saved: the notes are in that file now; the autosave (kept for a crash) is no longer needed.
      clearTimeout(trace.notes.autosave);
      trace.notes.autosave = undefined;
      trace.notes.unsaved = false;
      await clearAutosave(trace.path).catch(() => undefined);
      return written.path;
    },
    async startCapture(settings, onStatus) {
      return startLive(settings, onStatus);
    },
    async stopCapture() {
      if (!live) throw new Error('no capture is running in this window');
      return endLive(live, null);
    },
    dispose() {
      disposed = true;
      // Notes waiting for their autosave are written now: closing the window must not lose them.
      if (current?.notes.autosave !== undefined) {
        clearTimeout(current.notes.autosave);
        void autosave(current);
      }
      // The capture helpers are stopped (their files finished), not left running for a closed window.
      if (live) void endLive(live, null);
      latest = undefined;
      reading?.abort(new OpenStopped('closed'));
      current = undefined;
      filterView = undefined;
      sortCache.clear();
    },
    decodeAs: () => rules.map(ruleText),
    setDecodeAs(texts) {
      rules = parseDecodeAsRules(texts);
      return rules.map(ruleText);
    },
    async applyFilter(text) {
      if (!current) throw new Error('no trace is open: open a trace before applying a display filter');
      const trace = analysedTrace('filters apply');
      const { outcome, view } = filterTrace(trace, text, nextViewId);
      if (view) {
        nextViewId++;
        // The previous filter's view is dropped (the contract: a view lives until the next applyFilter).
        for (const key of sortCache.keys()) if (key.startsWith(`${filterView?.id}\u0000`)) sortCache.delete(key);
        filterView = view;
      }
      return outcome;
    },
    filterFields: filterFieldInfos,
  };
}

/**
 * The trace service of one window or served page: the engine in its own worker thread when the worker
 * file is built beside this module (out/main/ for the app, dist/main/ for the CLI), else in this thread.
 */
export function createEngineTraceService(): TraceService {
  const workerFile = findTraceWorkerFile();
  return workerFile ? createWorkerTraceService({ workerFile }) : createInProcessTraceService();
}
