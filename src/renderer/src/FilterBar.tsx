import { useCallback, useEffect, useRef, useState } from 'react';
import type { FilterFieldInfo, FilterOutcome, SipscopeApi, TraceSummary } from '../../shared/api.js';

/** What the bar shows under the input: nothing yet, a result or a bad filter (with the text it was about), or a refusal. */
type FilterState =
  | { kind: 'idle' }
  | { kind: 'applying'; text: string }
  | { kind: 'done'; text: string; outcome: FilterOutcome }
  | { kind: 'failed'; message: string };

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

/** "12 of 81 messages · 2 of 6 calls match" (issue 5 item 4: a filter selects messages, and the calls holding them). */
export function matchSummary(outcome: Extract<FilterOutcome, { ok: true }>): string {
  return `${outcome.matching} of ${plural(outcome.messages, 'message', 'messages')} · ${outcome.matchingCalls} of ${plural(outcome.calls, 'call', 'calls')} match`;
}

/**
 * The display-filter bar (Wireshark syntax): Enter applies the filter to the open trace; the result says
 * how many messages and calls match, or shows the filter with the wrong part highlighted. Field names come
 * from the back end for the input's autocomplete. When the trace is reopened the applied filter runs again.
 */
export function FilterBar({ api, trace }: { api: SipscopeApi; trace: TraceSummary }) {
  const [text, setText] = useState('');
  const [state, setState] = useState<FilterState>({ kind: 'idle' });
  const [fields, setFields] = useState<FilterFieldInfo[]>([]);
  // Only the latest request may update the bar; an older one finishing late is ignored.
  const latest = useRef(0);
  // The filter last applied, run again on the next trace.
  const applied = useRef<string | null>(null);

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
    async (filter: string) => {
      const request = ++latest.current;
      applied.current = filter;
      setState({ kind: 'applying', text: filter });
      try {
        const outcome = await api.applyFilter(filter);
        if (request === latest.current) setState({ kind: 'done', text: filter, outcome });
      } catch (err) {
        if (request === latest.current) setState({ kind: 'failed', message: err instanceof Error ? err.message : String(err) });
      }
    },
    [api],
  );

  useEffect(() => {
    if (applied.current !== null) void apply(applied.current);
    else setState({ kind: 'idle' });
  }, [trace, apply]);

  return (
    <section className="filter-bar" aria-label="Display filter">
      <form
        onSubmit={(e) => {
          e.preventDefault();
          void apply(text);
        }}
      >
        <input
          type="text"
          value={text}
          onChange={(e) => setText(e.target.value)}
          list="filter-fields"
          placeholder='Display filter, e.g. sip.Method == "INVITE" && sip.Status-Code >= 400'
          spellCheck={false}
          autoComplete="off"
          aria-invalid={state.kind === 'done' && !state.outcome.ok}
        />
        <button type="submit" disabled={state.kind === 'applying'}>
          Apply
        </button>
        <datalist id="filter-fields">
          {fields.map((field) => (
            <option key={field.name} value={field.name} label={`${field.type} · ${field.description}`} />
          ))}
        </datalist>
      </form>
      <FilterResult state={state} />
    </section>
  );
}

function FilterResult({ state }: { state: FilterState }) {
  switch (state.kind) {
    case 'idle':
      return null;
    case 'applying':
      return <p className="hint">Filtering…</p>;
    case 'failed':
      return (
        <p className="error" role="alert">
          {state.message}
        </p>
      );
    case 'done': {
      const { outcome } = state;
      if (outcome.ok) return <p className="filter-count">{matchSummary(outcome)}</p>;
      const [before, span, after] = splitAtSpan(state.text, outcome.error.start, outcome.error.length);
      // Text nodes only: the filter is user text and is never parsed as markup.
      return (
        <div className="filter-error" role="alert">
          <code className="filter-text">
            {before}
            <mark>{span}</mark>
            {after}
          </code>
          <p className="error">{outcome.error.message}</p>
        </div>
      );
    }
  }
}
