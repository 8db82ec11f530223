/**
 * The detail pane: everything about the selected message, as Wireshark's packet details and bytes panes are for a
 * frame. Summary (time, endpoints, transport, size, frames, copies, place in the call analysis), notes, the
 * encapsulation stack, the SIP start line and headers as a tree (each header expandable to its parsed parts),
 * the SDP per media section with its precondition tables, and the raw text with the selected tree item's bytes
 * highlighted. All packet text is rendered as React text; the derivations live in detail-model.ts.
 */
import { Fragment, useCallback, useEffect, useMemo, useRef, useState, type KeyboardEvent, type MouseEvent, type ReactNode } from 'react';
import type { AnnotationsState, MessageDetail, SipscopeApi } from '../../../shared/api.js';
import { NoteEditor } from '../notes/NoteEditor.js';
import { RefTerm } from '../reference/RefTerm.js';
import { copyText, type CopyOutcome } from './copy.js';
import {
  SDP_LINE_NAMES,
  bodySpan,
  SEVERITY,
  detailTitle,
  encapsulationView,
  framesText,
  headerSelection,
  headerTree,
  headerValueTokens,
  membershipRows,
  notesView,
  sameSelection,
  sdpView,
  selectedHeader,
  selectionSpan,
  splitRaw,
  startLineTokens,
  stepSelection,
  timeText,
  treeItems,
  utf8Length,
  visibleText,
  selectionAt,
  type DetailSelection,
  type HeaderNode,
  type PreconditionTable,
  type SdpLineView,
  type SdpMediaView,
} from './detail-model.js';
import { createLatestLoader, idleState, type LatestLoader, type LoaderState } from './latest-loader.js';
import './detail.css';

export interface DetailPaneProps {
  api: SipscopeApi;
  /** The selected message (`MessageRow.row`), or null. */
  row: number | null;
  /** A note was saved: the app updates its notes status (unsaved, counts). */
  onNotesChanged?(state: AnnotationsState): void;
}

type SectionId = 'summary' | 'notes' | 'encapsulation' | 'sip' | 'sdp' | 'raw';

const INITIAL_SECTIONS: Record<SectionId, boolean> = { summary: true, notes: true, encapsulation: true, sip: true, sdp: true, raw: true };

/** What the pane remembers from one message to the next: open sections, expanded headers, the selected tree item. */
interface ViewState {
  sections: Record<SectionId, boolean>;
  /** Full header names (lower case) whose parts are shown. */
  expanded: ReadonlySet<string>;
  selection: DetailSelection;
}

export function DetailPane({ api, row, onNotesChanged }: DetailPaneProps) {
  const [load, setLoad] = useState<LoaderState<number, MessageDetail>>(idleState);
  const loader = useRef<LatestLoader<number> | null>(null);
  const [view, setView] = useState<ViewState>({ sections: INITIAL_SECTIONS, expanded: new Set(), selection: null });

  useEffect(() => {
    const created = createLatestLoader((key: number) => api.getMessage(key), setLoad);
    loader.current = created;
    return () => {
      created.dispose();
      if (loader.current === created) loader.current = null;
    };
  }, [api]);

  useEffect(() => {
    loader.current?.request(row);
  }, [api, row]);

  const detail = load.value;
  // While the next message loads, the previous one stays on screen, dimmed, so keyboard scrolling does not flicker.
  const stale = load.loading && detail !== null;

  return (
    <section data-testid="detail-pane" className="detail-pane" aria-label="Message detail" aria-busy={load.loading}>
      {row === null && <p className="detail-empty">No message selected</p>}
      {load.loading && detail === null && (
        <p className="detail-loading" data-testid="detail-loading" role="status">
          Loading message…
        </p>
      )}
      {load.error !== null && (
        <p className="detail-error" data-testid="detail-error" role="alert">
          Cannot show this message: {load.error}
        </p>
      )}
      {detail !== null && load.error === null && (
        <NoteEditor
          subject="message"
          value={detail.annotation}
          onSave={async (note) => {
            const state = await api.setMessageNote(detail.row, note);
            // The message on screen shows its new note at once; the next fetch of it agrees.
            setLoad((current) => (current.value?.row === detail.row ? { ...current, value: { ...current.value, annotation: note } } : current));
            onNotesChanged?.(state);
          }}
        />
      )}
      {detail !== null && load.error === null && <MessageView detail={detail} stale={stale} view={view} setView={setView} />}
    </section>
  );
}

/** One loaded message; the view state (open sections, expanded headers, selection) belongs to the pane. */
function MessageView({
  detail,
  stale,
  view,
  setView,
}: {
  detail: MessageDetail;
  stale: boolean;
  view: ViewState;
  setView: (update: (previous: ViewState) => ViewState) => void;
}) {
  const tree = useMemo(() => headerTree(detail.headers), [detail]);
  const sdp = useMemo(() => (detail.sdp === null ? null : sdpView(detail.sdp)), [detail]);
  const notes = useMemo(() => notesView(detail.notes), [detail]);
  const layers = useMemo(() => encapsulationView(detail), [detail]);
  const span = selectionSpan(detail, tree, view.selection);
  const raw = splitRaw(detail.raw, span);

  const toggleSection = useCallback(
    (id: SectionId, open: boolean) => setView((v) => (v.sections[id] === open ? v : { ...v, sections: { ...v.sections, [id]: open } })),
    [setView],
  );
  const select = useCallback((selection: DetailSelection) => setView((v) => ({ ...v, selection })), [setView]);
  const setExpanded = useCallback(
    (term: string, open: boolean) =>
      setView((v) => {
        const key = term.toLowerCase();
        if (v.expanded.has(key) === open) return v;
        const expanded = new Set(v.expanded);
        if (open) expanded.add(key);
        else expanded.delete(key);
        return { ...v, expanded };
      }),
    [setView],
  );

  const section = (id: SectionId, title: ReactNode, body: ReactNode) => (
    <details className="detail-section" data-section={id} open={view.sections[id]} onToggle={(e) => toggleSection(id, e.currentTarget.open)}>
      <summary>{title}</summary>
      <div className="detail-section-body">{body}</div>
    </details>
  );

  return (
    <div className={stale ? 'detail-message detail-stale' : 'detail-message'} data-row={detail.row} data-frame={detail.frame}>
      <Toolbar detail={detail} loading={stale} />
      {section('summary', 'Message', <Summary detail={detail} />)}
      {section(
        'notes',
        <>
          Notes <NoteCounts counts={notes.counts} />
        </>,
        notes.groups.length === 0 ? (
          <p className="detail-muted">No decoder diagnostics or analysis findings for this message.</p>
        ) : (
          notes.groups.map((group) => (
            <div key={group.source} className="detail-notes">
              <h4>{group.title}</h4>
              <ul>
                {group.notes.map((note, i) => (
                  <li key={i} className={`detail-note detail-sev-${note.severity}`} data-testid="detail-note" data-severity={note.severity}>
                    <span className="detail-sev-icon" aria-hidden="true">
                      {SEVERITY[note.severity].icon}
                    </span>
                    <span className="detail-sr">{SEVERITY[note.severity].label}: </span>
                    {note.code !== undefined && note.code !== note.severity && <code className="detail-note-code">{note.code}</code>}
                    <span className="detail-note-message">{visibleText(note.message)}</span>
                  </li>
                ))}
              </ul>
            </div>
          ))
        ),
      )}
      {section(
        'encapsulation',
        <>
          Encapsulation <span className="detail-summary-extra">{layers.map((l) => l.name).join(' › ')}</span>
        </>,
        <Encapsulation layers={layers} />,
      )}
      {section(
        'sip',
        <>
          SIP <span className="detail-summary-extra">{tree.length} headers</span>
        </>,
        <HeaderTree detail={detail} tree={tree} selection={view.selection} expanded={view.expanded} select={select} setExpanded={setExpanded} />,
      )}
      {sdp !== null &&
        section(
          'sdp',
          <>
            SDP <span className="detail-summary-extra">{sdp.media.map((m) => `${m.mediaType} ${m.direction}`).join(', ')}</span>
          </>,
          <SdpSectionView session={sdp.session} media={sdp.media} selection={view.selection} select={select} />,
        )}
      {section(
        'raw',
        <>
          Raw <span className="detail-summary-extra">{utf8Length(detail.raw)} bytes</span>
        </>,
        <RawText before={raw.before} selected={raw.selected} after={raw.after} onPick={(offset) => select(selectionAt(detail, tree, offset))} />,
      )}
    </div>
  );
}

function Toolbar({ detail, loading }: { detail: MessageDetail; loading: boolean }) {
  const [copyState, setCopyState] = useState<CopyOutcome | null>(null);
  const timer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  useEffect(() => () => clearTimeout(timer.current), []);
  const copy = async () => {
    const outcome = await copyText(typeof navigator === 'undefined' ? undefined : navigator.clipboard, detail.raw);
    setCopyState(outcome);
    clearTimeout(timer.current);
    timer.current = setTimeout(() => setCopyState(null), 2500);
  };
  return (
    <div className="detail-toolbar">
      <h3 className="detail-title" title={visibleText(detail.startLine)}>
        {visibleText(detailTitle(detail))}
      </h3>
      {loading && (
        <span className="detail-loading-badge" data-testid="detail-loading" role="status">
          loading…
        </span>
      )}
      <button type="button" className="detail-copy" onClick={() => void copy()}>
        Copy raw message
      </button>
      <span className={copyState === 'copy failed' ? 'detail-copy-state detail-copy-failed' : 'detail-copy-state'} role="status" data-testid="detail-copy-state">
        {copyState}
      </span>
    </div>
  );
}

function Summary({ detail }: { detail: MessageDetail }) {
  return (
    <dl className="detail-grid">
      <dt>Time</dt>
      <dd>{timeText(detail.time)}</dd>
      <dt>Endpoints</dt>
      <dd>
        {detail.source} <span className="detail-arrow">→</span> {detail.destination}
      </dd>
      <dt>Transport</dt>
      <dd>
        {detail.transport} · {utf8Length(detail.raw)} bytes
      </dd>
      <dt>Frames</dt>
      <dd>{framesText(detail)}</dd>
      {detail.copies.length > 0 && (
        <>
          <dt>Copies</dt>
          <dd title="The same message seen at other capture points">frames {detail.copies.join(', ')}</dd>
        </>
      )}
      {membershipRows(detail).map(([label, value]) => (
        <Fragment key={label}>
          <dt>{label}</dt>
          <dd className={label === 'Retransmission' && detail.retransmission ? 'detail-retransmission' : undefined}>
            {label === 'Procedure' && detail.procedure !== null ? <RefTerm kind="procedure" term={detail.procedure} /> : value}
          </dd>
        </Fragment>
      ))}
    </dl>
  );
}

function NoteCounts({ counts }: { counts: Record<'error' | 'warning' | 'note', number> }) {
  const kinds = (['error', 'warning', 'note'] as const).filter((k) => counts[k] > 0);
  if (kinds.length === 0) return <span className="detail-summary-extra">none</span>;
  return (
    <span className="detail-summary-extra">
      {kinds.map((k) => (
        <span key={k} className={`detail-count detail-sev-${k}`}>
          <span aria-hidden="true">{SEVERITY[k].icon}</span> {counts[k]} {SEVERITY[k].label}
          {counts[k] === 1 ? '' : 's'}
        </span>
      ))}
    </span>
  );
}

function Encapsulation({ layers }: { layers: ReturnType<typeof encapsulationView> }) {
  return (
    <>
      <ol className="detail-stack" aria-label="Layers, outermost first">
        {layers.map((layer, i) => (
          <li key={i} className="detail-layer">
            {layer.name}
          </li>
        ))}
      </ol>
      {layers
        .filter((layer) => layer.fields.length > 0)
        .map((layer, i) => (
          <div key={i} className="detail-layer-fields">
            <h4>{layer.name}</h4>
            <dl className="detail-grid">
              {layer.fields.map(([name, value], j) => (
                <Fragment key={j}>
                  <dt>{name}</dt>
                  <dd>{visibleText(value)}</dd>
                </Fragment>
              ))}
            </dl>
          </div>
        ))}
    </>
  );
}

/** Keys that move the selection in the tree, and by how many items. */
const TREE_STEPS = new Map<string, number>([
  ['ArrowDown', 1],
  ['ArrowUp', -1],
  ['PageDown', 10],
  ['PageUp', -10],
  ['Home', -Infinity],
  ['End', Infinity],
]);

function HeaderTree({
  detail,
  tree,
  selection,
  expanded,
  select,
  setExpanded,
}: {
  detail: MessageDetail;
  tree: HeaderNode[];
  selection: DetailSelection;
  expanded: ReadonlySet<string>;
  select: (selection: DetailSelection) => void;
  setExpanded: (term: string, open: boolean) => void;
}) {
  const list = useRef<HTMLUListElement>(null);
  const movedByKey = useRef(false);
  const items = useMemo(() => treeItems(detail, tree), [detail, tree]);
  const hasBody = items[items.length - 1]?.kind === 'body';
  const body = bodySpan(detail);
  const bodyBytes = body === null ? 0 : utf8Length(detail.raw.slice(body.start, body.end));
  // The one item that takes Tab focus (roving tabindex): the selected one, else the start line.
  const focusable = items.some((item) => sameSelection(item, selection)) ? selection : items[0];

  useEffect(() => {
    if (!movedByKey.current) return;
    movedByKey.current = false;
    list.current?.querySelector<HTMLElement>('[role="treeitem"][aria-selected="true"]')?.focus();
  }, [selection]);

  const onKeyDown = (e: KeyboardEvent<HTMLUListElement>) => {
    const step = TREE_STEPS.get(e.key);
    const node = selectedHeader(tree, selection);
    if (step !== undefined) {
      movedByKey.current = true;
      select(stepSelection(items, selection, step));
    } else if ((e.key === 'ArrowRight' || e.key === 'ArrowLeft') && node !== undefined && node.parts.length > 0) {
      setExpanded(node.term, e.key === 'ArrowRight');
    } else if (e.key === 'Escape') {
      select(null);
    } else {
      return;
    }
    e.preventDefault();
    // The message table moves its selection with the same keys: they belong to the tree while it has focus.
    e.stopPropagation();
  };

  const itemProps = (item: NonNullable<DetailSelection>) => {
    const selected = sameSelection(item, selection);
    return {
      role: 'treeitem' as const,
      'aria-selected': selected,
      tabIndex: sameSelection(item, focusable) ? 0 : -1,
      onClick: (e: MouseEvent) => {
        // A click on a tooltip term or the twisty inside the row still selects the row; text selection for copying does not.
        if (window.getSelection()?.toString()) return;
        e.stopPropagation();
        select(item);
      },
    };
  };

  return (
    <ul className="detail-tree" role="tree" aria-label="SIP start line and headers" ref={list} onKeyDown={onKeyDown}>
      <li className="detail-item detail-start-line" data-testid="detail-start-line" {...itemProps({ kind: 'start-line' })}>
        <span className="detail-twisty" aria-hidden="true" />
        <span className="detail-value">
          {startLineTokens(detail).map((token, i) =>
            'ref' in token ? (
              <RefTerm key={i} kind={token.ref.kind} term={token.ref.term}>
                <span className={token.ref.kind === 'method' ? 'detail-method' : `detail-status detail-status-${String(detail.status ?? 0)[0]}xx`}>{visibleText(token.text)}</span>
              </RefTerm>
            ) : (
                <Fragment key={i}>{visibleText(token.text)}</Fragment>
            ),
          )}
        </span>
      </li>
      {tree.map((node) => {
        const open = node.parts.length > 0 && expanded.has(node.term.toLowerCase());
        return (
          <li
            // Keyed by header, not position: keyboard focus stays on the same header when the next message loads.
            key={`${node.term.toLowerCase()}#${node.occurrence}`}
            className="detail-item"
            data-testid="detail-header"
            data-header={node.term}
            aria-expanded={node.parts.length > 0 ? open : undefined}
            {...itemProps(headerSelection(node))}
          >
            <div className="detail-line">
              {node.parts.length > 0 ? (
                <button
                  type="button"
                  className="detail-twisty"
                  tabIndex={-1}
                  aria-label={open ? `Collapse ${node.term}` : `Expand ${node.term}`}
                  onClick={(e) => {
                    e.stopPropagation();
                    setExpanded(node.term, !open);
                  }}
                >
                  {open ? '▾' : '▸'}
                </button>
              ) : (
                <span className="detail-twisty" aria-hidden="true" />
              )}
              <span className="detail-name">
                <RefTerm kind="header" term={node.term}>
                    {visibleText(node.name)}
                </RefTerm>
                {node.alias && node.name.toLowerCase() !== node.term.toLowerCase() && <span className="detail-alias"> ({visibleText(node.term)})</span>}
                {node.of > 1 && <span className="detail-occurrence"> [{node.occurrence}/{node.of}]</span>}
              </span>
              <span className="detail-colon">:</span>
              <span className="detail-value">
                {headerValueTokens(node).map((token, i) =>
                  'ref' in token ? (
                    <RefTerm key={i} kind={token.ref.kind} term={token.ref.term}>
                      {visibleText(token.text)}
                    </RefTerm>
                  ) : (
                    <Fragment key={i}>{visibleText(token.text)}</Fragment>
                  ),
                )}
              </span>
            </div>
            {open && (
              <ul role="group" className="detail-parts">
                {node.parts.map(([name, value], i) => (
                  <li key={i} role="none" className="detail-part">
                    <span className="detail-part-name">{visibleText(name)}</span>
                    {value !== '' && (
                      <>
                        <span className="detail-colon">=</span>
                        <span className="detail-part-value">{visibleText(value)}</span>
                      </>
                    )}
                  </li>
                ))}
              </ul>
            )}
          </li>
        );
      })}
      {hasBody && (
        <li className="detail-item detail-body-item" data-testid="detail-body" {...itemProps({ kind: 'body' })}>
          <span className="detail-twisty" aria-hidden="true" />
          <span className="detail-name">Body</span>
          <span className="detail-colon">:</span>
          <span className="detail-value">
            {visibleText(detail.contentType ?? 'no Content-Type')} · {bodyBytes} bytes
          </span>
        </li>
      )}
    </ul>
  );
}

/** Where an SDP line is (`media` -1: session level; `line` -1: the m= line), and the pane's selection, to select it. */
interface SdpPick {
  media: number;
  line: number;
  selection: DetailSelection;
  select: (selection: DetailSelection) => void;
}

function SdpLine({ line, at }: { line: SdpLineView; at: SdpPick }) {
  const self: DetailSelection = { kind: 'sdp', media: at.media, line: at.line };
  return (
    <li
      className="detail-sdp-line"
      data-testid="detail-sdp-line"
      aria-current={sameSelection(self, at.selection) ? 'true' : undefined}
      onClick={() => {
        if (!window.getSelection()?.toString()) at.select(self);
      }}
    >
      <span className="detail-sdp-type" title={SDP_LINE_NAMES[line.type] ?? 'unknown line type'}>
        {line.type}=
      </span>
      {line.name !== null ? (
        <>
          {line.term !== null ? (
            <RefTerm kind="sdp-attribute" term={line.term}>
              <span className="detail-sdp-name">{visibleText(line.name)}</span>
            </RefTerm>
          ) : (
            <span className="detail-sdp-name">{visibleText(line.name)}</span>
          )}
          {line.value !== '' && (
            <>
              <span className="detail-sdp-colon">:</span>
              <span className="detail-sdp-value">{visibleText(line.value)}</span>
            </>
          )}
        </>
      ) : (
        <span className="detail-sdp-value">{visibleText(line.value)}</span>
      )}
    </li>
  );
}

function SdpSectionView({
  session,
  media,
  selection,
  select,
}: {
  session: SdpLineView[];
  media: SdpMediaView[];
  selection: DetailSelection;
  select: (selection: DetailSelection) => void;
}) {
  return (
    <div className="detail-sdp">
      <h4>Session</h4>
      <ul className="detail-sdp-lines">
        {session.map((line, i) => (
          <SdpLine key={i} line={line} at={{ media: -1, line: i, selection, select }} />
        ))}
      </ul>
      {media.map((m, i) => (
        <div key={i} className="detail-media" data-testid="detail-sdp-media">
          <h4
            className="detail-sdp-line"
            aria-current={sameSelection({ kind: 'sdp', media: i, line: -1 }, selection) ? 'true' : undefined}
            onClick={() => {
              if (!window.getSelection()?.toString()) select({ kind: 'sdp', media: i, line: -1 });
            }}
          >
            <span className="detail-sdp-type">m=</span>
            {visibleText(m.line)}
          </h4>
          <dl className="detail-grid">
            <dt>Direction</dt>
            <dd>
              <RefTerm kind="sdp-attribute" term={`a=${m.direction}`}>
                <span className={`detail-direction detail-direction-${m.direction}`}>{m.direction}</span>
              </RefTerm>
              {m.directionImplied && <span className="detail-muted"> (not written: the RFC 3264 §5.1 default)</span>}
            </dd>
            {m.codecs.length > 0 && (
              <>
                <dt>Codecs</dt>
                <dd>{visibleText(m.codecs.join(' · '))}</dd>
              </>
            )}
          </dl>
          {m.tables.map((table) => (
            <PreconditionTableView key={table.type} table={table} />
          ))}
          {m.preconditions
            .filter((p) => !p.ok)
            .map((p, j) => (
              <p key={j} className="detail-sev-warning detail-precondition-bad">
                <span aria-hidden="true">{SEVERITY.warning.icon}</span> a={visibleText(p.text)}: {!p.ok && p.error}
              </p>
            ))}
          <ul className="detail-sdp-lines">
            {m.lines.map((line, j) => (
              <SdpLine key={j} line={line} at={{ media: i, line: j, selection, select }} />
            ))}
          </ul>
        </div>
      ))}
    </div>
  );
}

function PreconditionTableView({ table }: { table: PreconditionTable }) {
  const mark = (value: boolean | null) => (value === null ? '—' : value ? 'yes' : 'no');
  return (
    <table className="detail-preconditions" data-testid="detail-preconditions">
      <caption>
        <RefTerm kind="option-tag" term="precondition">
          Preconditions
        </RefTerm>{' '}
        {table.type}:{' '}
        <span className={table.met ? 'detail-met' : 'detail-unmet'}>{table.met ? 'mandatory ones met' : 'mandatory ones not met'}</span>
      </caption>
      <thead>
        <tr>
          <th scope="col">Status</th>
          <th scope="col">Direction</th>
          <th scope="col">
            <RefTerm kind="sdp-attribute" term="a=curr">
              Current
            </RefTerm>
          </th>
          <th scope="col">
            <RefTerm kind="sdp-attribute" term="a=des">
              Desired
            </RefTerm>
          </th>
          <th scope="col">
            <RefTerm kind="sdp-attribute" term="a=conf">
              Confirm
            </RefTerm>
          </th>
        </tr>
      </thead>
      <tbody>
        {table.rows.map((row) => (
          <tr key={`${row.statusType} ${row.direction}`} className={row.blocking ? 'detail-blocking' : undefined}>
            <td>{row.statusType}</td>
            <td>{row.direction}</td>
            <td className={row.current === true ? 'detail-met' : row.current === false ? 'detail-unmet' : undefined}>{mark(row.current)}</td>
            <td>{row.desired ?? '—'}</td>
            <td>{row.confirm ? 'yes' : ''}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function RawText({ before, selected, after, onPick }: { before: string; selected: string; after: string; onPick: (offset: number) => void }) {
  const pre = useRef<HTMLPreElement>(null);
  const mark = useRef<HTMLElement>(null);
  useEffect(() => {
    // Bring the highlighted bytes into view by scrolling the raw box only: scrollIntoView would also scroll the
    // pane and carry the header the user just clicked out of sight. The box is position: relative, so the
    // mark's offsetTop is measured from it.
    const box = pre.current;
    const highlight = mark.current;
    if (box === null || highlight === null) return;
    const top = highlight.offsetTop;
    if (top < box.scrollTop || top + highlight.offsetHeight > box.scrollTop + box.clientHeight) {
      box.scrollTop = Math.max(0, top - box.clientHeight / 3);
    }
  }, [before.length, selected.length]);

  // A click in the text selects the tree item there (a drag that selects text for copying does not).
  const onClick = () => {
    const box = pre.current;
    const caret = window.getSelection();
    if (box === null || caret === null || !caret.isCollapsed || caret.anchorNode === null || !box.contains(caret.anchorNode)) return;
    const range = document.createRange();
    range.setStart(box, 0);
    range.setEnd(caret.anchorNode, caret.anchorOffset);
    // visibleText maps one character to one, so the length of the text before the caret is the offset in raw.
    onPick(range.toString().length);
  };

  return (
    <pre className="detail-raw" data-testid="detail-raw" ref={pre} onClick={onClick}>
      {visibleText(before)}
      {selected !== '' && (
        <mark ref={mark} className="detail-raw-selected" data-testid="detail-raw-selected">
          {visibleText(selected)}
        </mark>
      )}
      {visibleText(after)}
    </pre>
  );
}
