// The calls list: a virtualized grid (tens of thousands of calls stay fluid: only the rows on screen are in
// the DOM) with sortable columns and file-manager multi-selection. Sorting, filtering and selection logic
// live in calls-list.ts.
import { useEffect, useRef, type KeyboardEvent, type MouseEvent } from 'react';
import { useVirtualizer } from '@tanstack/react-virtual';
import type { CallSummary } from '../../../shared/api.js';
import {
  findingsTitle,
  formatMs,
  formatStart,
  kindText,
  stateClass,
  worstSeverity,
  type CallColumn,
  type CallSort,
} from './calls-list.js';
import { RefTerm } from '../reference/RefTerm.js';

const ROW_HEIGHT = 26;

const COLUMNS: { id: CallColumn; label: string; title: string; numeric?: boolean }[] = [
  { id: 'start', label: 'Start', title: 'Time of the first message (UTC)' },
  { id: 'from', label: 'From', title: 'From URI of the first request' },
  { id: 'to', label: 'To', title: 'To URI of the first request' },
  { id: 'callId', label: 'Call-ID', title: 'Call-ID header' },
  { id: 'state', label: 'State', title: 'Call state (as Wireshark VoIP Calls / sngrep)' },
  { id: 'kind', label: 'Kind / procedures', title: 'The procedure that opened the call, and the others it contains' },
  { id: 'messages', label: 'Msgs', title: 'SIP messages', numeric: true },
  { id: 'duration', label: 'Duration', title: 'ACK → BYE', numeric: true },
  { id: 'postDialDelay', label: 'PDD', title: 'Post-dial delay: INVITE → first 180/183', numeric: true },
  { id: 'answerTime', label: 'Answer', title: 'Answer time: INVITE → 2xx', numeric: true },
  { id: 'setupTime', label: 'Setup', title: 'Set-up time: INVITE → ACK', numeric: true },
  { id: 'findings', label: 'Findings', title: 'Expert findings, worst severity first', numeric: true },
];

export interface CallsListProps {
  calls: readonly CallSummary[];
  selected: ReadonlySet<number>;
  sort: CallSort | null;
  onSort(column: CallColumn): void;
  onClickCall(index: number, modifiers: { toggle: boolean; range: boolean }): void;
  onKey(step: number, extend: boolean): void;
  onSelectAll(): void;
  /** The call to keep in view (the last one selected). */
  focusCall: number | null;
}

export function CallsList({ calls, selected, sort, onSort, onClickCall, onKey, onSelectAll, focusCall }: CallsListProps) {
  const bodyRef = useRef<HTMLDivElement>(null);
  const headerRef = useRef<HTMLDivElement>(null);
  const virtualizer = useVirtualizer({
    count: calls.length,
    getScrollElement: () => bodyRef.current,
    estimateSize: () => ROW_HEIGHT,
    overscan: 12,
    // Rows for the first paint, before the scroll element has been measured.
    initialRect: { width: 1200, height: 600 },
  });

  useEffect(() => {
    if (focusCall === null) return;
    const position = calls.findIndex((call) => call.index === focusCall);
    if (position >= 0) virtualizer.scrollToIndex(position, { align: 'auto' });
  }, [focusCall, calls, virtualizer]);

  const onKeyDown = (event: KeyboardEvent) => {
    if (event.key === 'ArrowDown' || event.key === 'ArrowUp') {
      event.preventDefault();
      onKey(event.key === 'ArrowDown' ? 1 : -1, event.shiftKey);
    } else if (event.key === 'PageDown' || event.key === 'PageUp') {
      event.preventDefault();
      const page = Math.max(1, Math.floor((bodyRef.current?.clientHeight ?? ROW_HEIGHT * 10) / ROW_HEIGHT) - 1);
      onKey(event.key === 'PageDown' ? page : -page, event.shiftKey);
    } else if (event.key === 'Home' || event.key === 'End') {
      event.preventDefault();
      onKey(event.key === 'End' ? calls.length : -calls.length, event.shiftKey);
    } else if (event.key === 'a' && (event.ctrlKey || event.metaKey)) {
      event.preventDefault();
      onSelectAll();
    }
  };

  const click = (event: MouseEvent, index: number) => {
    if (event.shiftKey) event.preventDefault(); // no text selection on Shift-click
    onClickCall(index, { toggle: event.ctrlKey || event.metaKey, range: event.shiftKey });
  };

  return (
    <div className="calls-grid-wrap" role="grid" aria-multiselectable="true" aria-rowcount={calls.length + 1} data-testid="calls-list">
      <div className="calls-header" ref={headerRef} role="rowgroup">
        <div className="calls-row calls-columns" role="row" aria-rowindex={1}>
          {COLUMNS.map((column) => {
            const sorted = sort?.column === column.id ? (sort.descending ? 'descending' : 'ascending') : 'none';
            return (
              <div key={column.id} role="columnheader" aria-sort={sorted} className={column.numeric ? 'numeric' : undefined}>
                <button type="button" title={column.title} onClick={() => onSort(column.id)}>
                  {column.label}
                  {sorted === 'ascending' ? ' ▲' : sorted === 'descending' ? ' ▼' : ''}
                </button>
              </div>
            );
          })}
        </div>
      </div>
      <div
        className="calls-body"
        ref={bodyRef}
        role="rowgroup"
        tabIndex={0}
        onKeyDown={onKeyDown}
        onScroll={(event) => {
          if (headerRef.current) headerRef.current.scrollLeft = event.currentTarget.scrollLeft;
        }}
      >
        <div className="calls-rows" style={{ height: virtualizer.getTotalSize() }}>
          {virtualizer.getVirtualItems().map((item) => {
            const call = calls[item.index];
            const isSelected = selected.has(call.index);
            const worst = worstSeverity(call);
            return (
              <div
                key={call.index}
                className={isSelected ? 'calls-row selected' : 'calls-row'}
                role="row"
                aria-rowindex={item.index + 2}
                aria-selected={isSelected}
                data-testid="call-row"
                data-call={call.index}
                style={{ transform: `translateY(${item.start}px)`, height: ROW_HEIGHT }}
                onMouseDown={(event) => {
                  if (event.shiftKey) event.preventDefault();
                }}
                onClick={(event) => click(event, call.index)}
              >
                <div role="gridcell" className="mono">
                  {formatStart(call.start)}
                </div>
                <div role="gridcell" title={call.from}>
                  {call.from}
                </div>
                <div role="gridcell" title={call.to}>
                  {call.to}
                </div>
                <div role="gridcell" className="mono" title={call.callId}>
                  {call.callId}
                </div>
                <div role="gridcell">
                  <span className={`call-state ${stateClass(call.state)}`}>{call.state}</span>
                </div>
                <div role="gridcell" title={[call.kind, ...call.procedures.filter((p) => p !== call.kind)].join('\n')}>
                  <RefTerm kind="procedure" term={call.kind} />
                  {kindText(call).slice(call.kind.length)}
                </div>
                <div role="gridcell" className="numeric">
                  {call.messages}
                </div>
                <div role="gridcell" className="numeric">
                  {formatMs(call.durationMs)}
                </div>
                <div role="gridcell" className="numeric">
                  {formatMs(call.postDialDelayMs)}
                </div>
                <div role="gridcell" className="numeric">
                  {formatMs(call.answerTimeMs)}
                </div>
                <div role="gridcell" className="numeric">
                  {formatMs(call.setupTimeMs)}
                </div>
                <div role="gridcell" className="numeric" title={findingsTitle(call)}>
                  {worst !== null ? <span className={`call-findings severity-${worst}`}>{call.findings.length} {worst}</span> : ''}
                </div>
              </div>
            );
          })}
        </div>
      </div>
    </div>
  );
}
