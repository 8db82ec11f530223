// The Reference hub: browse and search the reference base (the same entries as `sipscope explain`), read an
// entry's page, and jump to where its term occurs in the open trace.
import { useMemo, useState, type KeyboardEvent } from 'react';
import {
  entryFor,
  entryId,
  filterForEntry,
  kindLabel,
  matchCounts,
  REFERENCE_TABS,
  searchEntries,
  seeAlsoEntry,
  sourceText,
  tabForSearch,
  type ReferenceEntry,
  type ReferenceKind,
} from './reference-data.js';
import './reference.css';

export interface ReferenceViewProps {
  /** Applies a display filter to the trace ("show the 183s in this trace": `sip.Status-Code == 183`). */
  onShowInTrace(filter: string): void;
  /** An entry to show first (`{kind, term}`), e.g. when the user clicked "more" in a tooltip. */
  focus?: { kind: string; term: string } | null;
}

export function ReferenceView({ onShowInTrace, focus }: ReferenceViewProps) {
  const initial = focus ? entryFor(focus.kind, focus.term) : null;
  const [kind, setKind] = useState<ReferenceKind>(initial?.kind ?? 'method');
  const [query, setQuery] = useState('');
  const [selected, setSelected] = useState<ReferenceEntry | null>(initial);
  // A new focus request (each "More…" click is a new object) shows its entry, like following a link.
  const [seenFocus, setSeenFocus] = useState(focus);
  if (focus !== seenFocus) {
    setSeenFocus(focus);
    if (focus) {
      const entry = entryFor(focus.kind, focus.term);
      setSelected(entry);
      setKind(entry.kind);
      setQuery('');
    }
  }

  const results = useMemo(() => searchEntries(kind, query), [kind, query]);
  const counts = useMemo(() => matchCounts(query), [query]);
  const shown = selected ?? results[0] ?? null;

  const show = (entry: ReferenceEntry) => {
    setSelected(entry);
    setKind(entry.kind);
  };

  const search = (text: string) => {
    setQuery(text);
    setKind(tabForSearch(text, kind));
  };

  // Enter looks the text up as `sipscope explain` does: '299', 'SIP/2.0 486 Busy Here', 'i', 'X-Custom'.
  const onSearchKey = (event: KeyboardEvent<HTMLInputElement>) => {
    if (event.key !== 'Enter') return;
    const first = results[0] ?? (query.trim() ? seeAlsoEntry(query) : null);
    if (first) show(first);
  };

  return (
    <section data-testid="reference-view" className="reference-view">
      <div className="reference-toolbar">
        <div role="tablist" aria-label="Reference kinds" className="reference-tabs">
          {REFERENCE_TABS.map((tab) => (
            <button
              key={tab.kind}
              type="button"
              role="tab"
              aria-selected={tab.kind === kind}
              data-ref-tab={tab.kind}
              className="reference-tab"
              onClick={() => setKind(tab.kind)}
            >
              {tab.label}
              <span className="reference-count">{counts[tab.kind]}</span>
            </button>
          ))}
        </div>
        <input
          type="search"
          className="reference-search"
          data-testid="reference-search"
          aria-label="Search the reference"
          placeholder="Search: 183, PRACK, P-Access-Network-Info, a=curr, registration…"
          value={query}
          onChange={(event) => search(event.target.value)}
          onKeyDown={onSearchKey}
        />
      </div>
      <div className="reference-body">
        <ul className="reference-list" data-testid="reference-list" aria-label={`${kindLabel(kind)} entries`}>
          {results.map((entry) => (
            <li key={entryId(entry)}>
              <button
                type="button"
                className="reference-item"
                data-ref-kind={entry.kind}
                data-ref-key={entry.key}
                aria-current={shown !== null && entryId(shown) === entryId(entry) ? 'true' : undefined}
                onClick={() => show(entry)}
              >
                <span className="reference-item-key">{entry.key}</span>
                {/* A method's title is its name: its summary says more. */}
                <span className="reference-item-title">{entry.title !== entry.key ? entry.title : entry.summary}</span>
              </button>
            </li>
          ))}
          {results.length === 0 && <li className="reference-empty">No entry matches “{query}”.</li>}
        </ul>
        {/* Keyed by entry: a new page starts scrolled to its top. */}
        {shown ? <EntryPage key={entryId(shown)} entry={shown} onOpen={show} onShowInTrace={onShowInTrace} /> : <div className="reference-entry" />}
      </div>
    </section>
  );
}

function EntryPage({ entry, onOpen, onShowInTrace }: { entry: ReferenceEntry; onOpen(entry: ReferenceEntry): void; onShowInTrace(filter: string): void }) {
  const filter = filterForEntry(entry);
  return (
    <article className="reference-entry" data-testid="reference-entry" data-ref-kind={entry.kind} data-ref-key={entry.key}>
      <header>
        <span className="reference-entry-kind">{kindLabel(entry.kind)}</span>
        <h2>
          <span className="reference-entry-key">{entry.key}</span> {entry.key !== entry.title && entry.title}
        </h2>
        {entry.generic && <p className="reference-generic">Not in the reference base: what any term of this kind means.</p>}
      </header>
      <p>{entry.summary}</p>
      {entry.ims && (
        <section className="reference-ims">
          <h3>In IMS</h3>
          <p>{entry.ims}</p>
        </section>
      )}
      {entry.flow && entry.flow.length > 0 && (
        <section>
          <h3>Typical flow</h3>
          <ol className="reference-flow" data-testid="reference-flow">
            {entry.flow.map((line, i) => (
              <li key={i}>{line}</li>
            ))}
          </ol>
        </section>
      )}
      {entry.sources.length > 0 && (
        <section>
          <h3>Specified in</h3>
          <ul className="reference-sources">
            {entry.sources.map((source, i) => (
              <li key={i}>{sourceText(source)}</li>
            ))}
          </ul>
        </section>
      )}
      {entry.seeAlso && entry.seeAlso.length > 0 && (
        <section>
          <h3>See also</h3>
          <p className="reference-see-also">
            {entry.seeAlso.map((key) => {
              const target = seeAlsoEntry(key);
              return (
                <button key={key} type="button" className="ref-link" disabled={target === null} onClick={() => target && onOpen(target)}>
                  {key}
                </button>
              );
            })}
          </p>
        </section>
      )}
      {filter !== null && (
        <p className="reference-show">
          <button type="button" data-testid="reference-show-in-trace" onClick={() => onShowInTrace(filter)}>
            Show {entry.key} in this trace
          </button>{' '}
          <code className="reference-filter">{filter}</code>
        </p>
      )}
    </article>
  );
}
