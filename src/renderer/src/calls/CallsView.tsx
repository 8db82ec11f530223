// The calls view: the calls list of a view (Wireshark's VoIP Calls, sngrep's call list) above the ladder
// diagram of the selected calls. Data comes from `getCalls` / `getLadder`; derivations live in
// calls-list.ts and ladder-layout.ts.
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import type { AnnotationsState, CallSummary, LadderData, NoteEdit, SipscopeApi, ViewId } from '../../../shared/api.js';
import { NoteEditor } from '../notes/NoteEditor.js';
import { ExportDialog } from '../export/ExportDialog.js';
import {
  callsStatus,
  clickSelection,
  EMPTY_SELECTION,
  filterCalls,
  ladderCalls,
  moveSelection,
  nextSort,
  sortCalls,
  type CallColumn,
  type CallSelection,
  type CallSort,
} from './calls-list.js';
import { CallsList } from './CallsList.js';
import { Ladder } from './Ladder.js';
import './calls.css';

export interface CallsViewProps {
  api: SipscopeApi;
  /** The view whose calls are listed (0: all; a filter's view: the calls with a match). */
  view: ViewId;
  /** Changes whenever a trace is (re)opened, so the view reloads. */
  traceKey: string;
  /** Bumped while a live capture grows (each analysis): the list and the ladder are fetched again. */
  revision?: number;
  /** The user clicked an arrow: select that message (the app shows it in the detail pane). */
  onSelectMessage(row: number): void;
  /** The message selected elsewhere, highlighted on the ladder when it is there. */
  selectedRow: number | null;
  /** A call's note was saved: the app updates its notes status. */
  onNotesChanged?(state: AnnotationsState): void;
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** Selection changes (keyboard repeat, Shift-click sweeps) settle before the ladder is requested. */
const LADDER_DEBOUNCE_MS = 80;

export function CallsView({ api, view, traceKey, revision = 0, onSelectMessage, selectedRow, onNotesChanged }: CallsViewProps) {
  const [calls, setCalls] = useState<CallSummary[] | null>(null);
  const [callsError, setCallsError] = useState<string | null>(null);
  const [quickFilter, setQuickFilter] = useState('');
  const [sort, setSort] = useState<CallSort | null>(null);
  const [selection, setSelection] = useState<CallSelection>(EMPTY_SELECTION);
  const [ladder, setLadder] = useState<LadderData | null>(null);
  const [ladderError, setLadderError] = useState<string | null>(null);
  const [ladderLoading, setLadderLoading] = useState(false);
  const [exporting, setExporting] = useState(false);

  // A new trace starts with nothing selected; a new filter view keeps the calls it still lists.
  useEffect(() => {
    setSelection(EMPTY_SELECTION);
    setLadder(null);
    setCalls(null);
  }, [traceKey]);

  useEffect(() => {
    let live = true;
    setCallsError(null);
    api.getCalls(view).then(
      (value) => {
        if (live) setCalls(value);
      },
      (err: unknown) => {
        if (live) {
          setCalls(null);
          setCallsError(messageOf(err));
        }
      },
    );
    return () => {
      live = false;
    };
  }, [api, view, traceKey, revision]);

  const listed = useMemo(() => filterCalls(calls ?? [], quickFilter), [calls, quickFilter]);
  const sorted = useMemo(() => sortCalls(listed, sort), [listed, sort]);
  const visibleOrder = useMemo(() => sorted.map((call) => call.index), [sorted]);
  const inView = useMemo(() => new Set((calls ?? []).map((call) => call.index)), [calls]);
  const selectedSet = useMemo(() => new Set(selection.selected), [selection]);
  const wanted = useMemo(() => ladderCalls(selection, inView), [selection, inView]);
  const wantedKey = wanted.join(',');

  // Only the latest ladder request may update the screen.
  const ladderRequest = useRef(0);
  useEffect(() => {
    const request = ++ladderRequest.current;
    if (wantedKey === '') {
      setLadder(null);
      setLadderError(null);
      setLadderLoading(false);
      return;
    }
    const indexes = wantedKey.split(',').map(Number);
    setLadderLoading(true);
    const timer = setTimeout(() => {
      api.getLadder(indexes).then(
        (value) => {
          if (request !== ladderRequest.current) return;
          setLadder(value);
          setLadderError(null);
          setLadderLoading(false);
        },
        (err: unknown) => {
          if (request !== ladderRequest.current) return;
          setLadderError(messageOf(err));
          setLadderLoading(false);
        },
      );
    }, LADDER_DEBOUNCE_MS);
    return () => clearTimeout(timer);
  }, [api, wantedKey, traceKey, revision]);

  const onSort = useCallback((column: CallColumn) => setSort((current) => nextSort(current, column)), []);
  const onClickCall = useCallback(
    (index: number, modifiers: { toggle: boolean; range: boolean }) => setSelection((current) => clickSelection(current, index, modifiers, visibleOrder)),
    [visibleOrder],
  );
  const onKey = useCallback(
    (step: number, extend: boolean) => setSelection((current) => moveSelection(current, step, extend, visibleOrder)),
    [visibleOrder],
  );
  const onSelectAll = useCallback(() => {
    setSelection({ selected: visibleOrder.slice(), anchor: visibleOrder[0] ?? null });
  }, [visibleOrder]);

  const focusCall = selection.selected.length > 0 ? selection.selected[selection.selected.length - 1] : null;
  const total = calls?.length ?? 0;

  return (
    <section className="calls-view" data-testid="calls-view">
      <div className="calls-toolbar">
        <input
          type="search"
          className="calls-quick-filter"
          data-testid="calls-quick-filter"
          placeholder="Find calls: from, to, Call-ID, state…"
          aria-label="Find calls"
          value={quickFilter}
          onChange={(event) => setQuickFilter(event.target.value)}
          onKeyDown={(event) => {
            if (event.key === 'Escape') setQuickFilter('');
          }}
        />
        <span className="calls-status" data-testid="calls-status" aria-live="polite">
          {calls === null && callsError === null
            ? 'Loading calls…'
            : callsStatus(total, listed.length, selection.selected.filter((index) => inView.has(index)).length, wanted.length)}
        </span>
        {selection.selected.length > 0 && (
          <button type="button" onClick={() => setSelection(EMPTY_SELECTION)}>
            Clear selection
          </button>
        )}
        {wanted.length > 0 && (
          <button type="button" onClick={() => setExporting(true)} title="Export the calls of the ladder: HTML, PDF, PNG, SVG, Markdown, JSON, CSV, pcapng">
            Export…
          </button>
        )}
      </div>
      {callsError !== null && (
        <p className="error" role="alert">
          Cannot list the calls: {callsError}
        </p>
      )}
      <div className="calls-list-pane">
        <CallsList
          calls={sorted}
          selected={selectedSet}
          sort={sort}
          onSort={onSort}
          onClickCall={onClickCall}
          onKey={onKey}
          onSelectAll={onSelectAll}
          focusCall={focusCall}
        />
      </div>
      {exporting && <ExportDialog api={api} calls={wanted} onClose={() => setExporting(false)} />}
      {wanted.length === 1 && calls !== null && (
        <CallNote
          call={calls.find((c) => c.index === wanted[0]) ?? null}
          onSave={async (index, note) => {
            const state = await api.setCallNote(index, note);
            setCalls((list) => list?.map((c) => (c.index === index ? { ...c, annotation: note } : c)) ?? list);
            onNotesChanged?.(state);
          }}
        />
      )}
      <div className="calls-ladder-pane" aria-busy={ladderLoading}>
        {ladderError !== null ? (
          <p className="error" role="alert">
            Cannot draw the ladder: {ladderError}
          </p>
        ) : ladder !== null && wanted.length > 0 ? (
          // Keyed by its calls: another selection starts at the top, at normal size.
          <Ladder
            key={ladder.calls.join(',')}
            data={ladder}
            selectedRow={selectedRow}
            onSelectMessage={onSelectMessage}
            onRenameHost={(address, alias) => {
              api.setHostAlias(address, alias).then(
                (state) => onNotesChanged?.(state),
                (err: unknown) => setLadderError(messageOf(err)),
              );
            }}
          />
        ) : (
          <p className="hint">{ladderLoading ? 'Drawing the ladder…' : 'Select one or more calls (Ctrl/Cmd-click, Shift-click) to see their ladder diagram.'}</p>
        )}
      </div>
    </section>
  );
}

/** The note of the one call whose ladder is shown. */
function CallNote({ call, onSave }: { call: CallSummary | null; onSave(index: number, note: NoteEdit | null): Promise<void> }) {
  if (!call) return null;
  return (
    <div className="call-note" data-testid="call-note">
      <NoteEditor subject="call" value={call.annotation} onSave={(note) => onSave(call.index, note)} />
    </div>
  );
}
