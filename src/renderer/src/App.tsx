import { useCallback, useEffect, useMemo, useReducer, useRef, useState, type KeyboardEvent, type PointerEvent } from 'react';
import type { AnnotationsState, AppInfo, CaptureSettings, CaptureStatus, SipscopeApi, TraceProgress, ViewId } from '../../shared/api.js';
import { CaptureDialog } from './capture/CaptureDialog.js';
import { LiveCaptureBar } from './capture/LiveCaptureBar.js';
import { CallsView } from './calls/CallsView.js';
import { DecodeAsSettings } from './DecodeAsSettings.js';
import { DetailPane } from './detail/DetailPane.js';
import { FilterBar, type FilterRequest } from './FilterBar.js';
import { baseName, clampSplit, openFailureText, progressFraction, progressText, splitAt, traceStatusParts } from './lib/shell.js';
import { TABS, liveSummary, reopenPath, shownTrace, tabAfterKey, traceReducer, type TabId, type TraceState } from './lib/trace-state.js';
import { ReferenceTooltipHost, onOpenReference, type ReferenceTarget } from './reference/RefTerm.js';
import { ReferenceView } from './reference/ReferenceView.js';
import { StatsView } from './stats/StatsView.js';
import { MessageTable } from './table/MessageTable.js';

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

const SPLIT_STORAGE_KEY = 'sipscope.layout.split.v1';

function initialSplit(): number {
  try {
    const stored = Number(localStorage.getItem(SPLIT_STORAGE_KEY));
    return stored > 0 ? clampSplit(stored) : 0.55;
  } catch {
    return 0.55;
  }
}

/**
 * The window: toolbar, open progress, trace status, the filter bar, and the Messages / Calls / Statistics /
 * Reference tabs. State transitions live in lib/trace-state.ts; this component wires them to the back end.
 */
export function App({ api }: { api: SipscopeApi }) {
  const [info, setInfo] = useState<AppInfo | null>(null);
  const [trace, dispatch] = useReducer(traceReducer, { kind: 'none' } as TraceState);
  const [view, setView] = useState<ViewId>(0);
  const [tab, setTab] = useState<TabId>('messages');
  const [visited, setVisited] = useState<ReadonlySet<TabId>>(() => new Set<TabId>(['messages']));
  const [selectedRow, setSelectedRow] = useState<number | null>(null);
  const [filterRequest, setFilterRequest] = useState<FilterRequest | null>(null);
  const [split, setSplit] = useState(initialSplit);
  const [referenceFocus, setReferenceFocus] = useState<ReferenceTarget | null>(null);
  const [captureDialog, setCaptureDialog] = useState(false);
  const [paused, setPaused] = useState(false);
  const [follow, setFollow] = useState(true);
  const [stopping, setStopping] = useState(false);
  const [saveResult, setSaveResult] = useState<{ ok: boolean; text: string } | null>(null);
  /** The notes of the trace shown (counts, unsaved, problems); null before a trace is open. */
  const [notes, setNotes] = useState<AnnotationsState | null>(null);
  const [notesSaved, setNotesSaved] = useState<{ ok: boolean; text: string } | null>(null);
  /** Bumped on each note saved: the calls list and the ladder fetch again to show it. */
  const [notesRevision, setNotesRevision] = useState(0);
  const notesChanged = useCallback((state: AnnotationsState) => {
    setNotes(state);
    setNotesRevision((r) => r + 1);
  }, []);
  /** Messages the table was last told about while the display is paused. */
  const [shownMessages, setShownMessages] = useState(0);
  const openCount = useRef(0);
  const traceRef = useRef(trace);
  traceRef.current = trace;
  const detailRef = useRef<HTMLDivElement>(null);
  const splitContainer = useRef<HTMLDivElement>(null);

  const openPath = useCallback(
    async (path: string) => {
      const key = `${++openCount.current}:${path}`;
      dispatch({ type: 'open', path, key });
      setView(0);
      setSelectedRow(null);
      try {
        const summary = await api.openTrace(path);
        dispatch({ type: 'opened', key, summary });
      } catch (err) {
        dispatch({ type: 'failed', key, path, message: messageOf(err) });
      }
    },
    [api],
  );

  const startCapture = useCallback(
    async (settings: CaptureSettings) => {
      // Rejections reach the dialog, which shows them where they belong (the filter, the HEP port...).
      const status = await api.startCapture(settings);
      dispatch({ type: 'captureStarted', key: `${++openCount.current}:capture`, status });
      setView(0);
      setSelectedRow(null);
      setPaused(false);
      setFollow(true);
      setStopping(false);
      setSaveResult(null);
      setShownMessages(0);
      setCaptureDialog(false);
    },
    [api],
  );

  const stopCapture = useCallback(async () => {
    setStopping(true);
    try {
      dispatch({ type: 'captureStatus', status: await api.stopCapture() });
    } catch (err) {
      setSaveResult({ ok: false, text: `Stopping the capture failed: ${messageOf(err)}` });
    } finally {
      setStopping(false);
      setPaused(false);
    }
  }, [api]);

  const saveAnnotated = useCallback(async () => {
    try {
      const path = await api.saveAnnotatedTrace();
      if (path !== null) {
        setNotesSaved({ ok: true, text: `Saved with its notes to ${path}` });
        setNotes(await api.getAnnotations());
      }
    } catch (err) {
      setNotesSaved({ ok: false, text: messageOf(err) });
    }
  }, [api]);

  const saveAnnotatedRef = useRef(saveAnnotated);
  saveAnnotatedRef.current = saveAnnotated;
  const stopCaptureRef = useRef(stopCapture);
  stopCaptureRef.current = stopCapture;

  const saveCaptureAs = useCallback(async () => {
    try {
      const path = await api.saveCaptureAs();
      if (path !== null) setSaveResult({ ok: true, text: `Saved to ${path}` });
    } catch (err) {
      setSaveResult({ ok: false, text: messageOf(err) });
    }
  }, [api]);

  // After the decode-as rules change, the trace on screen is read again with them.
  const reopen = useCallback(async () => {
    const path = reopenPath(traceRef.current);
    if (path !== null) await openPath(path);
  }, [openPath]);

  const chooseAndOpen = useCallback(async () => {
    try {
      const path = await api.openTraceDialog();
      if (path !== null) await openPath(path);
    } catch (err) {
      dispatch({ type: 'failed', key: null, path: null, message: messageOf(err) });
    }
  }, [api, openPath]);

  useEffect(() => {
    let live = true;
    api.getAppInfo().then(
      (value) => {
        if (live) setInfo(value);
      },
      (err: unknown) => console.error('getAppInfo failed:', err),
    );
    api.getLaunchTrace().then(
      (path) => {
        if (live && path !== null) void openPath(path);
      },
      (err: unknown) => console.error('getLaunchTrace failed:', err),
    );
    const unsubscribeOpen = api.onOpenTraceRequest((path) => void openPath(path));
    const unsubscribeProgress = api.onTraceProgress((progress: TraceProgress) => dispatch({ type: 'progress', progress }));
    const unsubscribeCapture = api.onCaptureStatus((status: CaptureStatus) => dispatch({ type: 'captureStatus', status }));
    const unsubscribeSave = api.onSaveAnnotatedRequest(() => void saveAnnotatedRef.current());
    const unsubscribeCommand = api.onCaptureCommand((command) => {
      const capturingNow = traceRef.current.kind === 'live' && traceRef.current.status.state === 'capturing';
      if (command === 'start' && !capturingNow && traceRef.current.kind !== 'opening') setCaptureDialog(true);
      if (command === 'stop' && capturingNow) void stopCaptureRef.current();
    });
    return () => {
      live = false;
      unsubscribeOpen();
      unsubscribeProgress();
      unsubscribeCapture();
      unsubscribeCommand();
      unsubscribeSave();
    };
  }, [api, openPath]);

  // "More…" in a reference tooltip opens the entry in the Reference tab.
  useEffect(
    () =>
      onOpenReference((target) => {
        setReferenceFocus(target);
        setTab('reference');
        setVisited((v) => (v.has('reference') ? v : new Set([...v, 'reference'])));
      }),
    [],
  );

  const shown = shownTrace(trace);
  const liveStatus = trace.kind === 'live' ? trace.status : null;
  const capturing = liveStatus?.state === 'capturing';
  useEffect(() => {
    document.title = capturing ? `Capturing — sipscope` : shown ? `${baseName(shown.path)} — sipscope` : 'sipscope';
  }, [shown?.path, capturing]);
  // While the display is paused the table keeps the rows it had: the bar counts the ones not shown.
  useEffect(() => {
    if (liveStatus && !paused) setShownMessages(liveStatus.messages);
  }, [liveStatus?.messages, paused]);

  const selectTab = (id: TabId) => {
    setTab(id);
    setVisited((v) => (v.has(id) ? v : new Set([...v, id])));
  };

  const showInTrace = useCallback((filter: string) => {
    setFilterRequest((r) => ({ text: filter, seq: (r?.seq ?? 0) + 1 }));
    setTab('messages');
  }, []);

  const onTabKeyDown = (e: KeyboardEvent<HTMLButtonElement>) => {
    const next = tabAfterKey(tab, e.key);
    if (next === null) return;
    e.preventDefault();
    selectTab(next);
    document.getElementById(`tab-${next}`)?.focus();
  };

  const onSplitterPointerDown = (e: PointerEvent<HTMLDivElement>) => {
    e.currentTarget.setPointerCapture(e.pointerId);
  };
  const onSplitterPointerMove = (e: PointerEvent<HTMLDivElement>) => {
    if (!e.currentTarget.hasPointerCapture(e.pointerId) || !splitContainer.current) return;
    const rect = splitContainer.current.getBoundingClientRect();
    setSplit(splitAt(e.clientY, rect.top, rect.height));
  };
  const onSplitterPointerUp = (e: PointerEvent<HTMLDivElement>) => {
    e.currentTarget.releasePointerCapture(e.pointerId);
    try {
      localStorage.setItem(SPLIT_STORAGE_KEY, String(split));
    } catch {
      // not remembered
    }
  };
  const onSplitterKeyDown = (e: KeyboardEvent<HTMLDivElement>) => {
    if (e.key === 'ArrowUp' || e.key === 'ArrowDown') {
      e.preventDefault();
      setSplit((s) => clampSplit(s + (e.key === 'ArrowUp' ? -0.05 : 0.05)));
    }
  };

  // A live capture counts as an open trace (filters apply, calls list) from its start; its summary is made
  // again when it ends, so the applied filter runs once more over every message.
  const liveSummaryValue = useMemo(() => (liveStatus ? liveSummary(liveStatus) : null), [liveStatus]);
  const summary = trace.kind === 'open' ? trace.summary : liveSummaryValue;
  const reapplyKey = trace.kind === 'live' ? `${trace.key}\u0000${trace.status.state}` : undefined;

  // The notes of each trace once it is open (loaded with it: its sipscope block, its comments, the autosave).
  const notesKey = summary ? shown?.key : undefined;
  useEffect(() => {
    setNotes(null);
    setNotesSaved(null);
    if (notesKey === undefined) return;
    let live = true;
    api.getAnnotations().then(
      (state) => {
        if (live) setNotes(state);
      },
      () => {},
    );
    return () => {
      live = false;
    };
  }, [api, notesKey]);
  const cancelOpen = () => {
    dispatch({ type: 'cancel' });
    api.cancelOpen().catch((err: unknown) => console.error('cancelOpen failed:', err));
  };

  return (
    <main className="app">
      <ReferenceTooltipHost />
      <header className="toolbar">
        <button type="button" className="primary" onClick={() => void chooseAndOpen()} disabled={trace.kind === 'opening' || capturing}>
          Open trace…
        </button>
        <button type="button" onClick={() => setCaptureDialog(true)} disabled={trace.kind === 'opening' || capturing}>
          Capture…
        </button>
        <h1>
          {info ? info.name : 'sipscope'}
          {info && <span className="version">{info.version}</span>}
        </h1>
        {notes && (
          <span className={`notes-status${notes.unsaved ? ' unsaved' : ''}`} data-testid="notes-status" title={notes.problems.join('\n') || undefined}>
            {notesText(notes)}
          </span>
        )}
        <button type="button" onClick={() => void saveAnnotated()} disabled={!notes || (notes.messageNotes === 0 && notes.callNotes === 0) || capturing} title="Save the trace with its notes as pcapng (packet comments Wireshark shows)">
          Save annotated…
        </button>
        <DecodeAsSettings api={api} onApplied={() => void reopen()} />
      </header>
      {trace.kind === 'opening' && <OpenProgress path={trace.path} progress={trace.progress} cancelling={trace.cancelling} onCancel={cancelOpen} />}
      {liveStatus ? (
        <LiveCaptureBar
          status={liveStatus}
          paused={paused}
          follow={follow}
          shownMessages={shownMessages}
          stopping={stopping}
          saveResult={saveResult}
          onStop={() => void stopCapture()}
          onPause={setPaused}
          onFollow={setFollow}
          onSaveAs={() => void saveCaptureAs()}
        />
      ) : (
        <TraceStatus trace={trace} />
      )}
      {notesSaved && (
        <p className={notesSaved.ok ? 'hint' : 'error'} role={notesSaved.ok ? 'status' : 'alert'} data-testid="notes-saved">
          {notesSaved.text}
        </p>
      )}
      {captureDialog && <CaptureDialog api={api} onStart={startCapture} onClose={() => setCaptureDialog(false)} />}
      <FilterBar api={api} trace={summary} onView={setView} request={filterRequest} reapplyKey={reapplyKey} />
      <div className="tabs" role="tablist" aria-label="Views">
        {TABS.map((t) => (
          <button
            key={t.id}
            id={`tab-${t.id}`}
            type="button"
            role="tab"
            aria-selected={tab === t.id}
            aria-controls={`panel-${t.id}`}
            tabIndex={tab === t.id ? 0 : -1}
            onClick={() => selectTab(t.id)}
            onKeyDown={onTabKeyDown}
          >
            {t.label}
          </button>
        ))}
      </div>
      <div className="panels">
        <div id="panel-messages" role="tabpanel" aria-labelledby="tab-messages" className="panel messages-panel" hidden={tab !== 'messages'} ref={splitContainer}>
          {shown ? (
            <>
              <div className="split-top" style={{ flexBasis: `${split * 100}%` }}>
                <MessageTable
                  api={api}
                  view={view}
                  traceKey={shown.key}
                  growing={shown.growing && !paused}
                  growth={trace.kind === 'opening' ? (trace.progress?.messages ?? 0) : liveStatus ? liveStatus.messages + liveStatus.analysis : undefined}
                  follow={capturing && follow && !paused}
                  onFollowChange={setFollow}
                  selectedRow={selectedRow}
                  onSelect={setSelectedRow}
                  onActivate={() => detailRef.current?.focus()}
                />
              </div>
              <div
                className="splitter"
                role="separator"
                aria-orientation="horizontal"
                aria-label="Resize the table and the detail pane"
                aria-valuenow={Math.round(split * 100)}
                aria-valuemin={15}
                aria-valuemax={85}
                tabIndex={0}
                onPointerDown={onSplitterPointerDown}
                onPointerMove={onSplitterPointerMove}
                onPointerUp={onSplitterPointerUp}
                onKeyDown={onSplitterKeyDown}
              />
              <div className="split-bottom" ref={detailRef} tabIndex={-1}>
                {/* One detail pane in the page at a time (the calls tab has its own), so tests and screen readers find one. */}
                {tab === 'messages' && <DetailPane api={api} row={selectedRow} onNotesChanged={notesChanged} />}
              </div>
            </>
          ) : (
            <p className="hint">Open a trace to see its messages.</p>
          )}
        </div>
        {visited.has('calls') && (
          <div id="panel-calls" role="tabpanel" aria-labelledby="tab-calls" className="panel calls-panel" hidden={tab !== 'calls'}>
            {summary && shown ? (
              <>
                <div className="calls-main">
                  <CallsView api={api} view={view} traceKey={shown.key} revision={(liveStatus && !paused ? liveStatus.analysis : 0) + notesRevision} onSelectMessage={setSelectedRow} selectedRow={selectedRow} onNotesChanged={notesChanged} />
                </div>
                <div className="calls-detail">{tab === 'calls' && <DetailPane api={api} row={selectedRow} onNotesChanged={notesChanged} />}</div>
              </>
            ) : (
              <p className="hint">{shown ? 'Calls are listed once the trace has been read.' : 'Open a trace to see its calls.'}</p>
            )}
          </div>
        )}
        {visited.has('statistics') && (
          <div id="panel-statistics" role="tabpanel" aria-labelledby="tab-statistics" className="panel" hidden={tab !== 'statistics'}>
            {summary && shown ? (
              <StatsView api={api} view={view} traceKey={shown.key} revision={liveStatus && !paused ? liveStatus.analysis : 0} onShowInTrace={showInTrace} />
            ) : (
              <p className="hint">{shown ? 'Statistics are computed once the trace has been read.' : 'Open a trace to see its statistics.'}</p>
            )}
          </div>
        )}
        {visited.has('reference') && (
          <div id="panel-reference" role="tabpanel" aria-labelledby="tab-reference" className="panel" hidden={tab !== 'reference'}>
            <ReferenceView onShowInTrace={showInTrace} focus={referenceFocus} />
          </div>
        )}
      </div>
    </main>
  );
}

function OpenProgress({ path, progress, cancelling, onCancel }: { path: string; progress: TraceProgress | null; cancelling: boolean; onCancel(): void }) {
  const fraction = progressFraction(progress);
  return (
    <div className="open-progress" data-testid="open-progress" role="status" aria-live="polite">
      <span className="open-path">Opening {baseName(path)}</span>
      <progress max={1} value={progress ? fraction : undefined} aria-label="Reading the trace" />
      <span className="open-text">{progressText(progress)}</span>
      <button type="button" onClick={onCancel} disabled={cancelling}>
        {cancelling ? 'Cancelling…' : 'Cancel'}
      </button>
    </div>
  );
}

function TraceStatus({ trace }: { trace: TraceState }) {
  switch (trace.kind) {
    case 'none':
      return (
        <p className="hint" data-testid="trace-status">
          No trace open. Use “Open trace…” or File › Open….
        </p>
      );
    case 'opening':
      return (
        <p className="trace-status" data-testid="trace-status">
          <span className="trace-path">{trace.path}</span> · reading…
        </p>
      );
    case 'open': {
      const { summary } = trace;
      return (
        <div data-testid="trace-status">
          <p className="trace-status">
            <span className="trace-path" title={summary.path}>
              {summary.path}
            </span>
            {traceStatusParts(summary).map((part) => (
              <span key={part} className={part.startsWith('partial') ? 'status-part partial' : /error/.test(part) ? 'status-part errors' : /warning/.test(part) ? 'status-part warnings' : 'status-part'}>
                {part}
              </span>
            ))}
          </p>
          {summary.fileProblems.length > 0 && (
            <ul className="file-problems" aria-label="Problems in the file">
              {summary.fileProblems.map((problem, index) => (
                <li key={index}>{problem}</li>
              ))}
            </ul>
          )}
        </div>
      );
    }
    case 'failed':
      return (
        <p className="error" role="alert" data-testid="trace-status">
          {openFailureText(trace.path, trace.message)}
        </p>
      );
  }
}

/** "3 notes · unsaved" for the toolbar; the problems are in its tooltip. */
function notesText(notes: AnnotationsState): string {
  const count = notes.messageNotes + notes.callNotes;
  const parts = [count === 0 ? 'No notes' : `${count} note${count === 1 ? '' : 's'}`];
  if (notes.unsaved && count > 0) parts.push('unsaved (autosaved beside the trace)');
  if (notes.problems.length > 0) parts.push(`${notes.problems.length} problem${notes.problems.length === 1 ? '' : 's'}`);
  return parts.join(' · ');
}
