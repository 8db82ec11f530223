import { useCallback, useEffect, useMemo, useRef, useState, type KeyboardEvent } from 'react';
import type { FilterFieldInfo, FilterOutcome, SipscopeApi, TraceSummary, ViewId } from '../../shared/api.js';
import { PROCEDURE_CHIPS, composeFilter, toggleChip } from './lib/compose-filter.js';
import { applyCompletion, completionsAt, type Completion } from './lib/filter-complete.js';
import { HISTORY_STORAGE_KEY, addToHistory, parseHistory, stepHistory } from './lib/filter-history.js';
import { matchSummary, splitAtSpan } from './lib/filter-text.js';

export { splitAtSpan, matchSummary };

/** What the bar shows under the input: nothing yet, a result or a bad filter (with the text it was about), or a refusal. */
type FilterState =
  | { kind: 'idle' }
  | { kind: 'applying'; text: string }
  | { kind: 'done'; text: string; outcome: FilterOutcome }
  | { kind: 'failed'; message: string };

/** A filter to apply from elsewhere (Reference "show in trace", a statistics bar); `seq` changes each time. */
export interface FilterRequest {
  text: string;
  seq: number;
}

export interface FilterBarProps {
  api: SipscopeApi;
  /** The open trace; null while none is (or while one is being read): filters then wait. */
  trace: TraceSummary | null;
  /** A filter was applied: its view (0 back to everything when the bar is cleared). */
  onView(view: ViewId): void;
  request?: FilterRequest | null;
  /**
   * The applied filter runs again when this changes (default: when `trace` does). A live capture's summary
   * changes with its counters, but its filter view is kept up to date by the back end: it runs again only
   * when the capture starts and stops.
   */
  reapplyKey?: string;
}

function loadHistory(): string[] {
  try {
    return parseHistory(localStorage.getItem(HISTORY_STORAGE_KEY));
  } catch {
    return [];
  }
}

function saveHistory(history: string[]): void {
  try {
    localStorage.setItem(HISTORY_STORAGE_KEY, JSON.stringify(history));
  } catch {
    // Not remembered; nothing else depends on it.
  }
}

/**
 * The display-filter bar (Wireshark syntax): Enter applies the filter to the open trace; the result says
 * how many messages and calls match, or shows the filter with the wrong part underlined. Autocomplete of
 * field names and of closed fields' values, a history (Up/Down or the ▾ list), and procedure chips that
 * narrow to IMS procedures and compose with the text. When the trace is reopened the applied filter runs again.
 */
export function FilterBar({ api, trace, onView, request, reapplyKey }: FilterBarProps) {
  const [text, setText] = useState('');
  const [chips, setChips] = useState<string[]>([]);
  const [state, setState] = useState<FilterState>({ kind: 'idle' });
  const [fields, setFields] = useState<FilterFieldInfo[]>([]);
  const [history, setHistory] = useState<string[]>(loadHistory);
  const [historyIndex, setHistoryIndex] = useState(-1);
  const [draft, setDraft] = useState('');
  const [completion, setCompletion] = useState<Completion | null>(null);
  const [highlight, setHighlight] = useState(0);
  // Enter takes a completion only once the user moved into the list (Tab always does): otherwise Enter applies the filter.
  const [navigated, setNavigated] = useState(false);
  const [showHistory, setShowHistory] = useState(false);
  const input = useRef<HTMLInputElement>(null);
  // Only the latest request may update the bar; an older one finishing late is ignored.
  const latest = useRef(0);
  // The text and chips last applied, run again on the next trace.
  const applied = useRef<{ text: string; chips: string[] } | null>(null);
  const traceOpenRef = useRef(trace !== null);
  traceOpenRef.current = trace !== null;
  const onViewRef = useRef(onView);
  onViewRef.current = onView;

  useEffect(() => {
    let live = true;
    api.getFilterFields().then(
      (list) => {
        if (live) setFields(list);
      },
      (err: unknown) => console.error('getFilterFields failed:', err),
    );
    return () => {
      live = false;
    };
  }, [api]);

  const apply = useCallback(
    async (filterText: string, filterChips: string[]) => {
      const filter = composeFilter(filterText, filterChips);
      const request = ++latest.current;
      applied.current = { text: filterText, chips: filterChips };
      // While a trace is being read the filter waits: it runs when the trace is open (effect below).
      if (!traceOpenRef.current) return;
      setCompletion(null);
      setShowHistory(false);
      setHistoryIndex(-1);
      if (filterText.trim() !== '') {
        setHistory((h) => {
          const next = addToHistory(h, filterText);
          saveHistory(next);
          return next;
        });
      }
      setState({ kind: 'applying', text: filter });
      try {
        const outcome = await api.applyFilter(filter);
        if (request !== latest.current) return;
        setState({ kind: 'done', text: filter, outcome });
        if (outcome.ok) onViewRef.current(outcome.view);
      } catch (err) {
        if (request === latest.current) setState({ kind: 'failed', message: err instanceof Error ? err.message : String(err) });
      }
    },
    [api],
  );

  const traceOpen = trace !== null;
  useEffect(() => {
    if (!trace) {
      latest.current++;
      setState({ kind: 'idle' });
      return;
    }
    if (applied.current !== null) void apply(applied.current.text, applied.current.chips);
    else setState({ kind: 'idle' });
  }, [reapplyKey ?? trace, trace === null, apply]);

  useEffect(() => {
    if (!request) return;
    setText(request.text);
    setChips([]);
    void apply(request.text, []);
    // Only a new request (seq) applies; the trace opening later re-applies it through `applied`.
  }, [request?.seq]);

  const updateCompletion = (value: string, cursor: number, explicit = false) => {
    const next = completionsAt(value, cursor, fields, explicit);
    setCompletion(next);
    setHighlight(0);
    setNavigated(false);
  };

  const choose = (index: number) => {
    if (!completion) return;
    const item = completion.items[index];
    if (!item) return;
    const result = applyCompletion(text, completion, item);
    setText(result.text);
    setCompletion(null);
    requestAnimationFrame(() => {
      input.current?.setSelectionRange(result.cursor, result.cursor);
      // A field just completed may be followed by a value list only after an operator; a value completes the term.
    });
  };

  const onKeyDown = (e: KeyboardEvent<HTMLInputElement>) => {
    if (completion) {
      if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
        e.preventDefault();
        const n = completion.items.length;
        setHighlight((h) => (!navigated ? (e.key === 'ArrowDown' ? 0 : n - 1) : e.key === 'ArrowDown' ? (h + 1) % n : (h - 1 + n) % n));
        setNavigated(true);
        return;
      }
      if ((e.key === 'Enter' && navigated) || e.key === 'Tab') {
        e.preventDefault();
        choose(highlight);
        return;
      }
      if (e.key === 'Escape') {
        e.preventDefault();
        setCompletion(null);
        return;
      }
    }
    if (e.key === 'Enter') {
      // Applied here rather than by the form's implicit submission, which a scripted Enter (benchmarks, tests) does not trigger.
      e.preventDefault();
      void apply(text, chips);
      return;
    }
    if (e.key === ' ' && e.ctrlKey) {
      e.preventDefault();
      updateCompletion(text, e.currentTarget.selectionStart ?? text.length, true);
      return;
    }
    if (e.key === 'ArrowUp' || e.key === 'ArrowDown') {
      e.preventDefault();
      const index = stepHistory(history.length, historyIndex, e.key === 'ArrowUp' ? 'up' : 'down');
      if (historyIndex === -1 && index !== -1) setDraft(text);
      setHistoryIndex(index);
      setText(index === -1 ? draft : history[index]);
      return;
    }
    if (e.key === 'Escape') setShowHistory(false);
  };

  const status = useMemo(() => {
    switch (state.kind) {
      case 'idle':
        return trace ? `${trace.messages} messages, ${trace.calls} calls` : '';
      case 'applying':
        return 'Filtering…';
      case 'done':
        return state.outcome.ok ? matchSummary(state.outcome) : 'Filter not applied';
      case 'failed':
        return 'Filter not applied';
    }
  }, [state, trace]);

  return (
    <section className="filter-bar" aria-label="Display filter">
      <form
        onSubmit={(e) => {
          e.preventDefault();
          void apply(text, chips);
        }}
      >
        <div className="filter-input-wrap">
          <input
            ref={input}
            type="text"
            data-testid="filter-input"
            value={text}
            onChange={(e) => {
              setText(e.target.value);
              setHistoryIndex(-1);
              updateCompletion(e.target.value, e.target.selectionStart ?? e.target.value.length);
            }}
            onKeyDown={onKeyDown}
            onBlur={() => setTimeout(() => setCompletion(null), 150)}
            placeholder='Display filter, e.g. sip.Method == "INVITE" && sip.Status-Code >= 400   (Ctrl+Space: fields, ↑↓: history)'
            spellCheck={false}
            autoComplete="off"
            role="combobox"
            aria-autocomplete="list"
            aria-expanded={completion !== null}
            aria-controls="filter-completions"
            aria-label="Display filter"
            aria-invalid={state.kind === 'done' && !state.outcome.ok}
          />
          {completion && (
            <ul className="completions" id="filter-completions" role="listbox" aria-label="Completions">
              {completion.items.map((item, index) => (
                <li
                  key={item.label}
                  role="option"
                  aria-selected={navigated && index === highlight}
                  className={navigated && index === highlight ? 'active' : undefined}
                  onMouseDown={(e) => {
                    e.preventDefault();
                    choose(index);
                  }}
                >
                  <code>{item.label}</code> <span className="completion-detail">{item.detail}</span>
                </li>
              ))}
            </ul>
          )}
          {showHistory && history.length > 0 && (
            <ul className="completions history" role="listbox" aria-label="Filter history">
              {history.map((entry) => (
                <li
                  key={entry}
                  role="option"
                  aria-selected={false}
                  onMouseDown={(e) => {
                    e.preventDefault();
                    setText(entry);
                    void apply(entry, chips);
                  }}
                >
                  <code>{entry}</code>
                </li>
              ))}
            </ul>
          )}
        </div>
        <button type="button" className="history-button" aria-label="Filter history" title="Recent filters" aria-expanded={showHistory} onClick={() => setShowHistory((v) => !v)} disabled={history.length === 0}>
          ▾
        </button>
        <button type="submit" disabled={!traceOpen || state.kind === 'applying'}>
          Apply
        </button>
        <button
          type="button"
          disabled={!traceOpen || (text === '' && chips.length === 0)}
          onClick={() => {
            setText('');
            setChips([]);
            void apply('', []);
          }}
        >
          Clear
        </button>
      </form>
      <div className="chips" role="group" aria-label="Procedures">
        {PROCEDURE_CHIPS.map((chip) => {
          const on = chips.includes(chip.procedure);
          return (
            <button
              key={chip.procedure}
              type="button"
              className="chip"
              data-testid="procedure-chip"
              data-procedure={chip.procedure}
              aria-pressed={on}
              disabled={!traceOpen}
              onClick={() => {
                const next = toggleChip(chips, chip.procedure);
                setChips(next);
                void apply(text, next);
              }}
            >
              {chip.label}
            </button>
          );
        })}
        <span className="filter-status" data-testid="filter-status" aria-live="polite">
          {status}
        </span>
      </div>
      <FilterProblem state={state} />
    </section>
  );
}

function FilterProblem({ state }: { state: FilterState }) {
  if (state.kind === 'failed') {
    return (
      <p className="error" role="alert" data-testid="filter-error">
        {state.message}
      </p>
    );
  }
  if (state.kind !== 'done' || state.outcome.ok) return null;
  const [before, span, after] = splitAtSpan(state.text, state.outcome.error.start, state.outcome.error.length);
  // Text nodes only: the filter is user text and is never parsed as markup.
  return (
    <div className="filter-error" role="alert" data-testid="filter-error">
      <code className="filter-text">
        {before}
        <mark data-testid="filter-error-span">{span}</mark>
        {after}
      </code>
      <p className="error">{state.outcome.error.message}</p>
    </div>
  );
}
