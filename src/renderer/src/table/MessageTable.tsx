import {
  columnOrderingFeature,
  columnResizingFeature,
  columnSizingFeature,
  columnVisibilityFeature,
  createColumnHelper,
  functionalUpdate,
  rowSortingFeature,
  tableFeatures,
  useTable,
  type Header,
  type SortingState,
} from '@tanstack/react-table';
import { useVirtualizer } from '@tanstack/react-virtual';
import { memo, useCallback, useEffect, useLayoutEffect, useMemo, useRef, useState, type CSSProperties, type KeyboardEvent, type MouseEvent, type ReactElement } from 'react';
import type { MessageRow, RowsQuery, SipscopeApi, ViewId } from '../../../shared/api.js';
import {
  BUILTIN_COLUMNS,
  MAX_COLUMN_WIDTH,
  MIN_COLUMN_WIDTH,
  SETTINGS_STORAGE_KEY,
  clampWidth,
  customColumnId,
  moveColumn,
  normaliseOrder,
  parseColumnSettings,
  serialiseColumnSettings,
  widthVariable,
  type ColumnSettings,
} from '../lib/column-settings.js';
import { PAGE_SIZE, RowPageCache } from '../lib/page-cache.js';
import { RowSlots } from '../lib/row-slots.js';
import { nextPosition } from '../lib/table-keys.js';
import { BUILTIN_COLUMN_INFO, columnLabel, defaultColumnSize } from './column-defs.js';
import { MessageRowView, type RowContext } from './MessageRowView.js';
import { TableToolbar } from './TableToolbar.js';
import './table.css';

// The table instance manages columns only (definitions, order, visibility, sizes, sort state); rows never
// go through it: they come page by page from the back end, which sorts (`manualSorting`), and are drawn by
// the virtualizer. Feeding 300k rows to a client-side row model is what this design avoids.
const features = tableFeatures({ columnSizingFeature, columnResizingFeature, columnOrderingFeature, columnVisibilityFeature, rowSortingFeature });
const helper = createColumnHelper<typeof features, MessageRow>();
const NO_DATA: MessageRow[] = [];
type TableHeaderCell = Header<typeof features, MessageRow, unknown>;
const NO_HEADERS: TableHeaderCell[] = [];

export const ROW_HEIGHT = 22;
const HEADER_HEIGHT = 26;
/** Rows rendered beyond the visible ones, each way, unless the table scrolls faster than that per frame. */
const OVERSCAN = 5;
/** Rows fetched beyond the visible ones, each way. */
const FETCH_MARGIN = 100;
/** How often a growing view (the trace is still being read) is asked for its new rows. */
const GROWTH_POLL_MS = 250;

function readStorage(key: string): string | null {
  try {
    return localStorage.getItem(key);
  } catch {
    return null;
  }
}

function writeStorage(key: string, value: string): void {
  try {
    localStorage.setItem(key, value);
  } catch {
    // Storage full or disabled: the layout simply is not remembered.
  }
}

export interface MessageTableProps {
  api: SipscopeApi;
  /** The view shown: 0 (every message) or a filter's view. */
  view: ViewId;
  /** Changes whenever a trace is (re)opened. */
  traceKey: string;
  /** True while the trace is being read: view 0 grows, so its short pages are asked again. */
  growing: boolean;
  /** Messages read so far (from the progress events) while growing: each change asks for the new rows at once. */
  growth?: number;
  /**
   * A live capture's "follow": keep the newest row in sight as rows arrive. Scrolling up turns it off
   * (`onFollowChange(false)`), as in a terminal, so reading an older message is never yanked away.
   */
  follow?: boolean;
  onFollowChange?(follow: boolean): void;
  /** The selected message (`MessageRow.row`). */
  selectedRow: number | null;
  onSelect(row: number): void;
  /** Enter on the table: the app moves the focus to the detail pane. */
  onActivate(): void;
}

/**
 * The message list: a virtualized grid over a view of any size, fetched by pages of `getRows`. Column
 * layout (order, visibility, widths, custom header columns, time format, sort, colour rules) is kept in
 * localStorage.
 */
export function MessageTable({ api, view, traceKey, growing, growth, follow = false, onFollowChange, selectedRow, onSelect, onActivate }: MessageTableProps) {
  const [settings, setSettings] = useState<ColumnSettings>(() => parseColumnSettings(readStorage(SETTINGS_STORAGE_KEY)));
  useEffect(() => {
    // Debounced: a column resize changes the settings on every mouse move.
    const timer = setTimeout(() => writeStorage(SETTINGS_STORAGE_KEY, serialiseColumnSettings(settings)), 300);
    return () => clearTimeout(timer);
  }, [settings]);

  const columns = useMemo(
    () =>
      helper.columns([...BUILTIN_COLUMNS, ...settings.headers.map(customColumnId)].map((id) =>
        // An accessor column (sorting needs one), though no row goes through it: the back end sorts.
        helper.accessor((row: MessageRow) => row.frame, { id, header: columnLabel(id), size: defaultColumnSize(id), minSize: MIN_COLUMN_WIDTH, maxSize: MAX_COLUMN_WIDTH, enableSorting: true }),
      )),
    [settings.headers],
  );
  const sorting = useMemo<SortingState>(() => (settings.sort ? [{ id: settings.sort.column, desc: settings.sort.descending }] : []), [settings.sort]);
  const columnVisibility = useMemo(() => Object.fromEntries(settings.hidden.map((id) => [id, false])), [settings.hidden]);

  const table = useTable({
    features,
    columns,
    data: NO_DATA,
    state: { columnOrder: settings.order, columnVisibility, columnSizing: settings.sizes, sorting },
    onColumnOrderChange: (update) => setSettings((s) => ({ ...s, order: normaliseOrder(functionalUpdate(update, s.order), s.headers) })),
    onColumnVisibilityChange: (update) =>
      setSettings((s) => {
        const next = functionalUpdate(update, Object.fromEntries(s.hidden.map((id) => [id, false])));
        return { ...s, hidden: Object.entries(next).filter(([, visible]) => !visible).map(([id]) => id) };
      }),
    onColumnSizingChange: (update) =>
      setSettings((s) => {
        const next = functionalUpdate(update, s.sizes);
        return { ...s, sizes: Object.fromEntries(Object.entries(next).map(([id, width]) => [id, clampWidth(width)])) };
      }),
    onSortingChange: (update) =>
      setSettings((s) => {
        const next = functionalUpdate(update, s.sort ? [{ id: s.sort.column, desc: s.sort.descending }] : []);
        return { ...s, sort: next[0] ? { column: next[0].id, descending: next[0].desc } : null };
      }),
    manualSorting: true,
    enableMultiSort: false,
    sortDescFirst: false,
    columnResizeMode: 'onChange',
    enableColumnResizing: true,
  });

  const visibleColumns = useMemo(() => settings.order.filter((id) => !settings.hidden.includes(id)), [settings.order, settings.hidden]);
  const widthOf = useCallback((id: string) => settings.sizes[id] ?? defaultColumnSize(id), [settings.sizes]);
  const totalWidth = visibleColumns.reduce((sum, id) => sum + widthOf(id), 0);
  // Widths as CSS variables on the grid: resizing a column changes this style only, and the rows (which
  // refer to the variables) are not re-rendered.
  const widthVariables = useMemo(() => {
    const style: Record<string, string> = { '--row-width': `${totalWidth}px` };
    for (const id of visibleColumns) style[widthVariable(id)] = `${widthOf(id)}px`;
    return style as CSSProperties;
  }, [visibleColumns, widthOf, totalWidth]);
  const cellStyles = useMemo(() => Object.fromEntries(visibleColumns.map((id) => [id, { width: `var(${widthVariable(id)})` }])), [visibleColumns]);

  // ---- rows, by pages -------------------------------------------------------------------------------
  const cache = useRef(new RowPageCache()).current;
  const rowSlots = useRef(new RowSlots()).current;
  const [, setVersion] = useState(0);
  const [rowsError, setRowsError] = useState<string | null>(null);
  const query = useMemo<Omit<RowsQuery, 'start' | 'count'>>(
    () => ({
      view,
      ...(settings.sort ? { sort: { column: settings.sort.column as NonNullable<RowsQuery['sort']>['column'], descending: settings.sort.descending } } : {}),
      ...(settings.headers.length > 0 ? { headers: settings.headers } : {}),
    }),
    [view, settings.sort, settings.headers],
  );
  const queryRef = useRef(query);
  const windowRef = useRef({ first: 0, last: 60 });
  const growingRef = useRef(growing);
  growingRef.current = growing;
  const onSelectRef = useRef(onSelect);
  onSelectRef.current = onSelect;
  const pendingSelection = useRef<number | null>(null);
  /** The last row this table selected itself; any other selection came from elsewhere (the ladder). */
  const selfSelected = useRef<number | null>(null);
  const [selectedPosition, setSelectedPosition] = useState<number | null>(null);
  const selectedRowRef = useRef(selectedRow);
  selectedRowRef.current = selectedRow;

  const fetchWindow = useCallback((probeGrowth = false) => {
    const { first, last } = windowRef.current;
    const pages = cache.wanted(first, last, FETCH_MARGIN);
    if (probeGrowth || growingRef.current) {
      const probe = cache.growthProbe();
      if (probe !== null && !pages.includes(probe)) pages.push(probe);
    }
    const current = queryRef.current;
    for (const page of pages) {
      const ticket = cache.begin(page);
      api.getRows({ ...current, start: page * PAGE_SIZE, count: PAGE_SIZE }).then(
        (reply) => {
          if (!cache.accept(ticket, reply)) return;
          setRowsError(null);
          const pending = pendingSelection.current;
          if (pending !== null) {
            const row = cache.rowAt(pending);
            if (row) {
              pendingSelection.current = null;
              selfSelected.current = row.row;
              onSelectRef.current(row.row);
            }
          }
          setVersion((v) => v + 1);
        },
        (err: unknown) => {
          cache.fail(ticket);
          // A filter's view rejects once a newer filter replaced it: expected, the new view is on its way.
          // View 0 always lives, so a failure there is a real one, except while the trace is being opened:
          // the first request may reach the back end before the trace does ("no trace is open"), and the
          // next growth refresh asks again (a failed open has its own alert).
          if (ticket.generation === cache.generation && current.view === 0 && !growingRef.current) setRowsError(err instanceof Error ? err.message : String(err));
        },
      );
    }
  }, [api, cache]);

  const scrollRef = useRef<HTMLDivElement>(null);
  const previousKey = useRef({ traceKey, view });
  // A new query (trace, view, sort, header columns) starts a new cache generation before the paint.
  useLayoutEffect(() => {
    queryRef.current = query;
    cache.reset();
    pendingSelection.current = null;
    setSelectedPosition(null);
    setRowsError(null);
    const moved = previousKey.current.traceKey !== traceKey || previousKey.current.view !== view;
    previousKey.current = { traceKey, view };
    if (moved && scrollRef.current) scrollRef.current.scrollTop = 0;
    setVersion((v) => v + 1);
    fetchWindow();
  }, [query, traceKey, view, cache, fetchWindow]);

  const refreshGrowing = useCallback(() => {
    // A sorted view changes anywhere as it grows; in frame order only the short pages at the end do.
    if (queryRef.current.sort) cache.markAllStale();
    else cache.markShortPagesStale();
    fetchWindow(true);
  }, [cache, fetchWindow]);

  useEffect(() => {
    if (growing) refreshGrowing();
  }, [growth, growing, refreshGrowing]);

  useEffect(() => {
    if (!growing) {
      // The last batch: whatever was short is asked once more, complete, and the final total with it.
      refreshGrowing();
      return;
    }
    // Progress events drive the refresh; the timer covers a back end that sends them rarely.
    const timer = setInterval(refreshGrowing, GROWTH_POLL_MS);
    return () => clearInterval(timer);
  }, [growing, refreshGrowing]);

  const total = Math.max(0, cache.total);
  const followRef = useRef(follow);
  followRef.current = follow;
  const onFollowChangeRef = useRef(onFollowChange);
  onFollowChangeRef.current = onFollowChange;
  const fastScroll = useRef(false);
  const lastScrollOffset = useRef(0);
  const virtualizer = useVirtualizer({
    count: total,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => ROW_HEIGHT,
    overscan: fastScroll.current ? 0 : OVERSCAN,
    scrollMargin: HEADER_HEIGHT,
    scrollPaddingStart: HEADER_HEIGHT,
    onChange: (instance) => {
      // Overscan keeps rows ready for a few frames the compositor scrolls before the table re-renders. A
      // scroll that moves further than that per event (a flick, a drag of the scroll bar) would redraw the
      // extra rows on every frame for nothing: they are left out until it slows down.
      const offset = instance.scrollOffset ?? 0;
      fastScroll.current = instance.isScrolling && Math.abs(offset - lastScrollOffset.current) > OVERSCAN * ROW_HEIGHT;
      // Only the user scrolls up: following scrolls down, always.
      if (followRef.current && instance.isScrolling && offset < lastScrollOffset.current - ROW_HEIGHT) onFollowChangeRef.current?.(false);
      lastScrollOffset.current = offset;
      const items = instance.getVirtualItems();
      if (items.length === 0) return;
      const first = items[0].index;
      const last = items[items.length - 1].index;
      if (first !== windowRef.current.first || last !== windowRef.current.last) {
        windowRef.current = { first, last };
        fetchWindow();
      }
    },
  });

  // Following: the last row in sight whenever the view grows (or following is turned back on).
  useEffect(() => {
    if (follow && total > 0) virtualizer.scrollToIndex(total - 1, { align: 'end' });
  }, [follow, total, virtualizer]);

  // Time of the first message of the trace, for relative times (view 0, frame order, row 0).
  const [timeReference, setTimeReference] = useState<{ traceKey: string; time: number } | null>(null);
  const referenceAsked = useRef<string | null>(null);
  useEffect(() => {
    if (settings.timeMode !== 'relative' || timeReference?.traceKey === traceKey || referenceAsked.current === traceKey || total === 0) return;
    referenceAsked.current = traceKey;
    api.getRows({ view: 0, start: 0, count: 1 }).then(
      (page) => {
        if (page.rows[0]) setTimeReference({ traceKey, time: page.rows[0].time });
        else referenceAsked.current = null;
      },
      () => {
        referenceAsked.current = null;
      },
    );
  }, [api, settings.timeMode, timeReference, traceKey, total]);

  const rowContext = useMemo<RowContext>(
    () => ({
      columns: visibleColumns,
      cellStyles,
      headers: settings.headers,
      timeMode: settings.timeMode,
      timeReference: timeReference?.traceKey === traceKey ? timeReference.time : null,
      rulesOff: settings.rulesOff,
    }),
    [visibleColumns, cellStyles, settings.headers, settings.timeMode, settings.rulesOff, timeReference, traceKey],
  );

  // Keep the selection's position when its message shows up in a page (after a new filter or sort).
  // Also follows a selection made elsewhere (an arrow of the ladder), so the keyboard continues from there.
  const atSelected = selectedPosition === null ? undefined : cache.rowAt(selectedPosition);
  if (selectedRow !== null && (selectedPosition === null || (atSelected !== undefined && atSelected.row !== selectedRow))) {
    const at = cache.positionOf(selectedRow);
    if (at !== selectedPosition) setSelectedPosition(at);
  }

  // A message selected elsewhere (an arrow of the ladder) is scrolled into view when its page is here.
  useEffect(() => {
    if (selectedRow === null || selectedRow === selfSelected.current || selectedPosition === null) return;
    if (cache.rowAt(selectedPosition)?.row !== selectedRow) return;
    selfSelected.current = selectedRow;
    virtualizer.scrollToIndex(selectedPosition, { align: 'center' });
  }, [selectedRow, selectedPosition, cache, virtualizer]);

  const selectPosition = useCallback(
    (position: number) => {
      setSelectedPosition(position);
      const row = cache.rowAt(position);
      if (row) {
        pendingSelection.current = null;
        selfSelected.current = row.row;
        onSelectRef.current(row.row);
      } else {
        pendingSelection.current = position;
        windowRef.current = { first: Math.max(0, position - 30), last: position + 30 };
        fetchWindow();
      }
    },
    [cache, fetchWindow],
  );

  const onKeyDown = (e: KeyboardEvent<HTMLDivElement>) => {
    if (e.target instanceof HTMLInputElement || e.target instanceof HTMLTextAreaElement || e.target instanceof HTMLSelectElement) return;
    if (e.key === 'Enter') {
      e.preventDefault();
      onActivate();
      return;
    }
    const height = scrollRef.current ? scrollRef.current.clientHeight - HEADER_HEIGHT : 400;
    const next = nextPosition(e.key, selectedPosition, total, Math.floor(height / ROW_HEIGHT));
    if (next === null) return;
    e.preventDefault();
    selectPosition(next);
    virtualizer.scrollToIndex(next, { align: 'auto' });
    // Keep the keyboard on the grid (a click may have focused a reference term inside a row that scrolls away).
    if (e.target !== e.currentTarget) e.currentTarget.focus({ preventScroll: true });
  };

  // One listener for all rows (no closure per row).
  const onRowMouseDown = (e: MouseEvent<HTMLDivElement>) => {
    if (e.button !== 0) return;
    const element = (e.target as HTMLElement).closest<HTMLElement>('[data-testid="message-row"]');
    const position = element?.dataset.position;
    if (position !== undefined) selectPosition(Number(position));
  };

  const headers = table.getHeaderGroups()[0]?.headers ?? NO_HEADERS;
  const moveTo = useCallback((dragged: string, target: string) => setSettings((s) => ({ ...s, order: moveColumn(s.order, dragged, target) })), []);
  const items = virtualizer.getVirtualItems();
  // Rows keyed by slot and rendered in slot order (see RowSlots): scrolling updates rows in place and never
  // moves one. At rest (the virtualizer's scrolling flag drops 150 ms after the last scroll event) the DOM
  // goes back to position order.
  const slots = rowSlots.assign(items[0]?.index ?? 0, items.length > 0 ? items[items.length - 1].index : -1, !virtualizer.isScrolling);
  const rowViews = new Array<ReactElement>(items.length);
  items.forEach((item, i) => {
    const row = cache.rowAt(item.index);
    rowViews[slots[i]] = (
      <MessageRowView key={slots[i]} row={row} position={item.index} top={item.start - HEADER_HEIGHT} selected={row !== undefined && row.row === selectedRow} context={rowContext} />
    );
  });

  return (
    <section className="message-table-pane" aria-label="Messages">
      <TableToolbar settings={settings} onChange={setSettings} total={cache.total >= 0 ? cache.total : null} />
      {rowsError && (
        <p className="error" role="alert">
          {rowsError}
        </p>
      )}
      <div
        ref={scrollRef}
        className="message-table"
        data-testid="message-table"
        role="grid"
        aria-rowcount={total + 1}
        aria-colcount={visibleColumns.length}
        aria-label="SIP messages"
        tabIndex={0}
        onKeyDown={onKeyDown}
        style={widthVariables}
      >
        <TableHeader headers={headers} cellStyles={cellStyles} sort={settings.sort} sizes={settings.sizes} onMove={moveTo} />
        <div className="message-table-body" style={{ height: virtualizer.getTotalSize() }} onMouseDown={onRowMouseDown} role="rowgroup">
          {rowViews}
        </div>
        {cache.total === 0 && !growing && <p className="hint empty-view">No messages{view !== 0 ? ' match the filter' : ''}.</p>}
      </div>
    </section>
  );
}

/**
 * The column headers: click sorts (in the back end), drag moves, the edge resizes. Memoised apart from the
 * rows so that scrolling, which re-renders the table for the virtualizer, does not touch them.
 */
const TableHeader = memo(function TableHeader({
  headers,
  cellStyles,
  onMove,
}: {
  headers: TableHeaderCell[];
  cellStyles: Record<string, CSSProperties>;
  /** Not read here: they are props so that a sort or resize re-renders the headers (their state lives in the table). */
  sort: ColumnSettings['sort'];
  sizes: ColumnSettings['sizes'];
  onMove(dragged: string, target: string): void;
}) {
  return (
    <div role="row" className="message-table-header" style={{ height: HEADER_HEIGHT }} aria-rowindex={1}>
      {headers.map((header) => {
        const id = header.column.id;
        const sorted = header.column.getIsSorted();
        const info = BUILTIN_COLUMN_INFO[id as keyof typeof BUILTIN_COLUMN_INFO];
        return (
          <div
            key={id}
            role="columnheader"
            className={`th c-${id.startsWith('header:') ? 'custom' : id}`}
            style={cellStyles[id]}
            aria-sort={sorted === 'asc' ? 'ascending' : sorted === 'desc' ? 'descending' : 'none'}
            onDragOver={(e) => {
              if (e.dataTransfer.types.includes('application/x-sipscope-column')) e.preventDefault();
            }}
            onDrop={(e) => {
              const dragged = e.dataTransfer.getData('application/x-sipscope-column');
              if (dragged) onMove(dragged, id);
            }}
          >
            <button
              type="button"
              className="th-label"
              draggable
              onDragStart={(e) => {
                e.dataTransfer.setData('application/x-sipscope-column', id);
                e.dataTransfer.effectAllowed = 'move';
              }}
              onClick={header.column.getToggleSortingHandler()}
              title={`${info?.title ?? `${columnLabel(id)} header`}. Click to sort, drag to move.`}
            >
              {columnLabel(id)}
              {sorted === 'asc' ? ' ▲' : sorted === 'desc' ? ' ▼' : ''}
            </button>
            <div
              className={`resizer${header.column.getIsResizing() ? ' resizing' : ''}`}
              role="separator"
              aria-orientation="vertical"
              aria-label={`Resize ${columnLabel(id)}`}
              onMouseDown={(e) => {
                // No text selection, and no HTML5 drag of the header label that slides under the pointer as the column widens.
                e.preventDefault();
                e.stopPropagation();
                header.getResizeHandler()(e);
              }}
              onTouchStart={(e) => header.getResizeHandler()(e)}
              onDoubleClick={() => header.column.resetSize()}
            />
          </div>
        );
      })}
    </div>
  );
});
