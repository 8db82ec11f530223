import { memo, type CSSProperties, type ReactNode } from 'react';
import type { MessageRow } from '../../../shared/api.js';
import { headerOfColumn } from '../lib/column-settings.js';
import { procedureLabel } from '../lib/compose-filter.js';
import { methodStatusText, rowClassName, statusClass } from '../lib/row-style.js';
import { formatDateTime, formatRowTime, type TimeMode } from '../lib/time-format.js';
import { RefTerm } from '../reference/RefTerm.js';

/** What every row of one render shares; one object (memoised by the table) so rows compare one prop. */
export interface RowContext {
  /** Visible column ids, left to right. */
  columns: readonly string[];
  /** `{ width: var(--col-…) }` per column id: widths live in CSS variables on the table, so resizing restyles without re-rendering rows. */
  cellStyles: Readonly<Record<string, CSSProperties>>;
  /** Custom header names in `RowsQuery.headers` order (index into `MessageRow.custom`). */
  headers: readonly string[];
  timeMode: TimeMode;
  /** Time of the trace's first message, for relative times. */
  timeReference: number | null;
  rulesOff: readonly string[];
}

function cellContent(id: string, row: MessageRow, context: RowContext): ReactNode {
  switch (id) {
    case 'frame':
      return (
        <>
          {row.frame}
          {row.retransmission && (
            <span className="mark mark-retransmission" title="Retransmission">
              ↻
            </span>
          )}
          {row.duplicate && (
            <span className="mark mark-duplicate" title="Copy of an earlier message seen at another capture point">
              copy
            </span>
          )}
        </>
      );
    case 'time':
      return formatRowTime(row.time, row.delta, context.timeMode, context.timeReference);
    case 'source':
      return row.source;
    case 'destination':
      return row.destination;
    case 'transport':
      return row.transport;
    case 'method': {
      const text = methodStatusText(row);
      const term = row.method ?? (row.status !== null ? String(row.status) : null);
      return (
        <span className={`ms ms-${statusClass(row.method, row.status)}`}>
          {term === null ? text : <RefTerm kind={row.method !== null ? 'method' : 'response'} term={term}>{text}</RefTerm>}
          {row.hasSdp && <span className="mark mark-sdp"> SDP</span>}
        </span>
      );
    }
    case 'callId':
      return row.callId;
    case 'cseq':
      return row.cseq;
    case 'procedure':
      return row.procedure === null ? '' : <RefTerm kind="procedure" term={row.procedure}>{procedureLabel(row.procedure)}</RefTerm>;
    case 'info':
      return row.info;
    case 'size':
      return row.size;
    default: {
      const header = headerOfColumn(id);
      const index = header === null ? -1 : context.headers.indexOf(header);
      return index >= 0 ? (row.custom[index] ?? '') : '';
    }
  }
}

function cellTitle(id: string, row: MessageRow, context: RowContext): string | undefined {
  if (id === 'time') return formatDateTime(row.time);
  if (id === 'callId') return row.callId;
  if (id === 'info') return row.info;
  const header = headerOfColumn(id);
  if (header !== null) return row.custom[context.headers.indexOf(header)];
  return undefined;
}

/**
 * One message of the table, or its placeholder while its page is on the way (`row` undefined; same element
 * type and cells, so the arriving row updates the placeholder's DOM instead of replacing it). Memoised on
 * its row object, position and the shared context: a change of selection re-renders two rows.
 */
export const MessageRowView = memo(function MessageRowView({
  row,
  position,
  top,
  selected,
  context,
}: {
  row: MessageRow | undefined;
  position: number;
  top: number;
  selected: boolean;
  context: RowContext;
}) {
  const stripe = position % 2 === 1 ? ' odd' : '';
  if (row === undefined) {
    return (
      <div role="row" className={`message-row placeholder${stripe}`} data-testid="message-row-placeholder" aria-rowindex={position + 2} style={{ transform: `translateY(${top}px)` }}>
        {context.columns.map((id) => (
          <div key={id} role="gridcell" className={`cell c-${id.startsWith('header:') ? 'custom' : id}`} style={context.cellStyles[id]}>
            {id === 'frame' ? '…' : ''}
          </div>
        ))}
      </div>
    );
  }
  return (
    <div
      role="row"
      className={rowClassName(row, context.rulesOff, selected) + stripe}
      data-testid="message-row"
      data-row={row.row}
      data-frame={row.frame}
      data-position={position}
      aria-rowindex={position + 2}
      aria-selected={selected}
      style={{ transform: `translateY(${top}px)` }}
    >
      {context.columns.map((id) => (
        <div key={id} role="gridcell" className={`cell c-${id.startsWith('header:') ? 'custom' : id}`} style={context.cellStyles[id]} title={cellTitle(id, row, context)}>
          {cellContent(id, row, context)}
        </div>
      ))}
    </div>
  );
});
