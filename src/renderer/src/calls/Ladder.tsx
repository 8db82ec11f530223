// The ladder diagram of some calls: host lifelines with editable aliases, one arrow per message, procedure
// bands, zoom / fit, and vertical virtualization for calls with hundreds of messages. The geometry comes
// from ladder-layout.ts; this component only draws it and handles input.
//
// Everything, host header included, is inside the one <svg data-testid="ladder"> (so it can be saved or
// copied as a picture). SVG has no `position: sticky`, so the header group is moved to the scroll offset
// directly in the scroll handler (no React render per scroll event).
import { memo, useCallback, useEffect, useLayoutEffect, useMemo, useRef, useState, type KeyboardEvent } from 'react';
import type { LadderArrow, LadderData } from '../../../shared/api.js';
import {
  arrowClasses,
  arrowOfRow,
  clampZoom,
  fitZoom,
  fittedColumnWidth,
  formatDelta,
  formatOffset,
  formatPause,
  labelParts,
  layoutLadder,
  stepZoom,
  thinArrows,
  visibleArrows,
  type LadderArrowPosition,
  type LadderLayout,
} from './ladder-layout.js';
import { aliasOf, loadAliases, MAX_ALIAS_LENGTH, saveAliases, withAlias, type AliasStorage, type HostAliases } from './host-aliases.js';
import { SvgRefTerm } from './SvgRefTerm.js';

/** Above this many arrows only those near the viewport are in the DOM. */
const VIRTUALIZE_ABOVE = 500;
const HEADER_HEIGHT = 42;
/** Pixels above and below the viewport that are drawn too, so a fast scroll does not show blank rows. */
const OVERSCAN = 400;
const LAYOUT_OPTIONS = { topMargin: HEADER_HEIGHT + 10 } as const;
/** How many distinct per-call colours the CSS defines (`call-0` … `call-7`). */
const CALL_COLOURS = 8;

function browserStorage(): AliasStorage | null {
  try {
    return typeof localStorage === 'undefined' ? null : localStorage;
  } catch {
    return null;
  }
}

export interface LadderProps {
  data: LadderData;
  selectedRow: number | null;
  onSelectMessage(row: number): void;
  /** A host was (un)named: the app saves it with the trace's notes (the name is also kept for every trace, locally). */
  onRenameHost?(address: string, alias: string | null): void;
}

export function Ladder({ data, selectedRow, onSelectMessage, onRenameHost }: LadderProps) {
  const [zoom, setZoom] = useState(1);
  const [aliases, setAliases] = useState<HostAliases>(() => loadAliases(browserStorage()));
  const [editing, setEditing] = useState<string | null>(null);
  const editCancelled = useRef(false);
  const [viewport, setViewport] = useState({ top: 0, height: 800, width: 0 });
  const scrollRef = useRef<HTMLDivElement>(null);
  const headerRef = useRef<SVGGElement>(null);
  const scrollTop = useRef(0);
  // Keeps the point under the pointer (or the centre) in place across a zoom change.
  const zoomAnchor = useRef<{ fraction: number; offset: number } | null>(null);

  const columnWidth = fittedColumnWidth(data.hosts.length, viewport.width);
  const layout = useMemo(() => layoutLadder(data, { ...LAYOUT_OPTIONS, zoom, columnWidth }), [data, zoom, columnWidth]);
  const callColour = useMemo(() => new Map(data.calls.map((call, i) => [call, i % CALL_COLOURS])), [data.calls]);
  const virtualized = data.arrows.length > VIRTUALIZE_ABOVE;

  const renameHost = useCallback(
    (address: string, alias: string) => {
      setAliases((current) => {
        const next = withAlias(current, address, alias);
        saveAliases(browserStorage(), next);
        return next;
      });
      setEditing(null);
      const name = alias.trim().slice(0, MAX_ALIAS_LENGTH);
      onRenameHost?.(address, name === '' ? null : name);
    },
    [onRenameHost],
  );
  // The trace's own names (from its notes) first, then the ones kept locally for every trace.
  const hostAlias = (address: string): string | null => data.hosts.find((h) => h.address === address)?.alias ?? aliasOf(aliases, address);

  const changeZoom = useCallback(
    (next: number, pointerOffset?: number) => {
      const element = scrollRef.current;
      if (element) {
        const offset = pointerOffset ?? element.clientHeight / 2;
        zoomAnchor.current = { fraction: (element.scrollTop + offset) / Math.max(1, layout.height), offset };
      }
      setZoom(clampZoom(next));
    },
    [layout.height],
  );

  const fit = useCallback(() => {
    const element = scrollRef.current;
    if (!element) return;
    zoomAnchor.current = { fraction: 0, offset: 0 };
    // The horizontal scrollbar, when there is one, takes height too.
    setZoom(fitZoom(data, element.clientHeight - 2, { ...LAYOUT_OPTIONS, columnWidth }));
  }, [data, columnWidth]);

  const syncScroll = useCallback((element: HTMLDivElement) => {
    scrollTop.current = element.scrollTop;
    headerRef.current?.setAttribute('transform', `translate(0 ${element.scrollTop})`);
  }, []);

  useLayoutEffect(() => {
    const element = scrollRef.current;
    const anchor = zoomAnchor.current;
    if (!element || !anchor) return;
    zoomAnchor.current = null;
    element.scrollTop = Math.max(0, anchor.fraction * layout.height - anchor.offset);
    syncScroll(element);
    setViewport({ top: element.scrollTop, height: element.clientHeight, width: element.clientWidth });
  }, [layout, syncScroll]);

  // Ctrl+wheel zooms (and must not scroll or zoom the page), so the listener is registered as non-passive.
  useEffect(() => {
    const element = scrollRef.current;
    if (!element) return;
    const onWheel = (event: WheelEvent) => {
      if (!event.ctrlKey && !event.metaKey) return;
      event.preventDefault();
      const offset = event.clientY - element.getBoundingClientRect().top;
      changeZoom(stepZoom(zoom, event.deltaY < 0 ? 1 : -1), offset);
    };
    element.addEventListener('wheel', onWheel, { passive: false });
    return () => element.removeEventListener('wheel', onWheel);
  }, [zoom, changeZoom]);

  // The scroll position drives virtualization; those updates are coalesced to one per frame.
  const frame = useRef(0);
  const onScroll = useCallback(() => {
    const element = scrollRef.current;
    if (!element) return;
    syncScroll(element);
    if (!virtualized || frame.current !== 0) return;
    frame.current = requestAnimationFrame(() => {
      frame.current = 0;
      setViewport({ top: element.scrollTop, height: element.clientHeight, width: element.clientWidth });
    });
  }, [virtualized, syncScroll]);
  useEffect(() => () => cancelAnimationFrame(frame.current), []);
  useEffect(() => {
    const element = scrollRef.current;
    if (!element) return;
    setViewport({ top: element.scrollTop, height: element.clientHeight, width: element.clientWidth });
    const observer = new ResizeObserver(() => setViewport({ top: element.scrollTop, height: element.clientHeight, width: element.clientWidth }));
    observer.observe(element);
    return () => observer.disconnect();
  }, []);

  // A message selected elsewhere (the table, the keyboard) is scrolled into view when the ladder has it.
  const selectedArrow = useMemo(() => arrowOfRow(data, selectedRow), [data, selectedRow]);
  useEffect(() => {
    const element = scrollRef.current;
    if (!element || selectedArrow < 0) return;
    const y = layout.arrows[selectedArrow].y;
    if (y < element.scrollTop + HEADER_HEIGHT + layout.rowHeight || y > element.scrollTop + element.clientHeight - layout.rowHeight) {
      element.scrollTop = Math.max(0, y - element.clientHeight / 2);
    }
    // Only when the selection changes (layout deliberately left out): zooming must not yank the view back to
    // the selected arrow.
  }, [selectedArrow]);

  const onKeyDown = (event: KeyboardEvent) => {
    if (event.target instanceof HTMLInputElement) return;
    if (event.key === 'ArrowDown' || event.key === 'ArrowUp') {
      if (data.arrows.length === 0) return;
      event.preventDefault();
      const step = event.key === 'ArrowDown' ? 1 : -1;
      const next = selectedArrow < 0 ? 0 : Math.min(data.arrows.length - 1, Math.max(0, selectedArrow + step));
      onSelectMessage(data.arrows[next].row);
    } else if ((event.key === '+' || event.key === '=') && !event.altKey) {
      changeZoom(stepZoom(zoom, 1));
    } else if (event.key === '-' && !event.altKey) {
      changeZoom(stepZoom(zoom, -1));
    }
  };

  const range = virtualized ? visibleArrows(layout, viewport.top, viewport.height, OVERSCAN) : { first: 0, last: data.arrows.length };
  const windowTop = virtualized ? viewport.top - OVERSCAN : -Infinity;
  const windowBottom = virtualized ? viewport.top + viewport.height + OVERSCAN : Infinity;
  const drawn: LadderArrowPosition[] = thinArrows(data, layout, range, selectedArrow).map((i) => layout.arrows[i]);
  const multiCall = data.calls.length > 1;

  return (
    <div className="ladder">
      <div className="ladder-toolbar" role="toolbar" aria-label="Ladder">
        <button type="button" onClick={() => changeZoom(stepZoom(zoom, -1))} aria-label="Zoom out" title="Zoom out (Ctrl+wheel, −)">
          −
        </button>
        <span className="ladder-zoom" aria-live="polite">
          {zoom >= 0.1 ? Math.round(zoom * 100) : (zoom * 100).toFixed(1)}%
        </span>
        <button type="button" onClick={() => changeZoom(stepZoom(zoom, 1))} aria-label="Zoom in" title="Zoom in (Ctrl+wheel, +)">
          +
        </button>
        <button type="button" onClick={fit} title="Fit every message in the window">
          Fit
        </button>
        <button type="button" onClick={() => changeZoom(1)} title="Normal size">
          1:1
        </button>
        <span className="ladder-counts">
          {data.arrows.length} message{data.arrows.length === 1 ? '' : 's'}, {data.hosts.length} host{data.hosts.length === 1 ? '' : 's'}
          {multiCall ? `, ${data.calls.length} calls` : ''}
        </span>
        <span className="ladder-legend" aria-hidden="true">
          <span className="legend-retransmission">⟳ retransmission</span>
          <span className="legend-duplicate">[copy]</span>
          <span className="legend-error">error</span>
          <span className="legend-hint">click a host to name it</span>
        </span>
      </div>
      <div className="ladder-scroll" ref={scrollRef} onScroll={onScroll} onKeyDown={onKeyDown} tabIndex={0}>
        <svg
          data-testid="ladder"
          className={`ladder-svg ${layout.density}`}
          width={layout.width}
          height={layout.height}
          viewBox={`0 0 ${layout.width} ${layout.height}`}
          aria-label={`Ladder diagram of ${data.arrows.length} messages between ${data.hosts.length} hosts`}
        >
          <rect className="ladder-gutter" x={0} y={0} width={layout.gutterWidth - 8} height={layout.height} />
          {layout.columns.map((column) => (
            <line key={column.host} className="ladder-lifeline" x1={column.x} x2={column.x} y1={HEADER_HEIGHT} y2={layout.height} />
          ))}
          {layout.gaps
            .filter((gap) => gap.y >= windowTop && gap.y <= windowBottom)
            .map((gap) => (
              <g key={`gap-${gap.before}`} className="ladder-gap">
                <line x1={layout.gutterWidth - 8} x2={layout.width} y1={gap.y} y2={gap.y} />
                {layout.labelled && (
                  <text x={layout.gutterWidth - 14} y={gap.y + 4} textAnchor="end">
                    ⋯ {formatPause(gap.seconds)}
                  </text>
                )}
              </g>
            ))}
          {layout.bands
            .filter((band) => band.y2 >= windowTop && band.y1 <= windowBottom)
            .map((position) => {
              const band = data.bands[position.index];
              const firstRow = data.arrows[band.firstArrow].row;
              const height = position.y2 - position.y1;
              const cx = position.x + position.width / 2;
              return (
                <g
                  key={`band-${position.index}`}
                  className={`ladder-band outcome-${band.outcome}`}
                  data-procedure={band.procedure}
                  data-outcome={band.outcome}
                  onClick={() => onSelectMessage(firstRow)}
                >
                  <title>{`${band.procedure}: ${band.outcome}${multiCall ? ` (call ${band.call})` : ''}`}</title>
                  <rect x={position.x} y={position.y1} width={position.width} height={height} rx={3} />
                  {height > band.procedure.length * 6.5 + 8 && (
                    <text transform={`translate(${cx - 3.5} ${position.y1 + 5}) rotate(90)`} className="ladder-band-label">
                      <SvgRefTerm kind="procedure" term={band.procedure} />
                    </text>
                  )}
                </g>
              );
            })}
          {drawn.map((position) => (
            <Arrow
              key={position.index}
              arrow={data.arrows[position.index]}
              position={position}
              layout={layout}
              selected={position.index === selectedArrow}
              callColour={multiCall ? (callColour.get(data.arrows[position.index].call) ?? 0) : null}
              onSelect={onSelectMessage}
            />
          ))}
          <g className="ladder-header" ref={headerRef} transform={`translate(0 ${scrollTop.current})`}>
            <rect className="ladder-header-background" x={0} y={0} width={layout.width} height={HEADER_HEIGHT} />
            {layout.columns.map((column) => {
              const alias = hostAlias(column.address);
              const left = column.x - columnWidth / 2 + 6;
              const width = columnWidth - 12;
              return (
                <g
                  key={column.host}
                  className={alias !== null ? 'ladder-host named' : 'ladder-host'}
                  data-testid="ladder-host"
                  data-address={column.address}
                  onClick={() => {
                    editCancelled.current = false;
                    setEditing(column.address);
                  }}
                >
                  <title>{`${column.address}${alias !== null ? ` (${alias})` : ''}: click to name this host`}</title>
                  <rect x={left} y={5} width={width} height={HEADER_HEIGHT - 10} rx={4} />
                  {editing === column.address ? (
                    <foreignObject x={left} y={5} width={width} height={HEADER_HEIGHT - 10}>
                      <input
                        className="ladder-host-input"
                        aria-label={`Alias of ${column.address}`}
                        placeholder="P-CSCF, UE…"
                        defaultValue={alias ?? ''}
                        autoFocus
                        maxLength={MAX_ALIAS_LENGTH}
                        onKeyDown={(event) => {
                          event.stopPropagation();
                          if (event.key === 'Enter') renameHost(column.address, event.currentTarget.value);
                          else if (event.key === 'Escape') {
                            editCancelled.current = true;
                            setEditing(null);
                          }
                        }}
                        onBlur={(event) => {
                          // Removing the focused input can blur it: a cancelled edit must not be saved then.
                          if (!editCancelled.current) renameHost(column.address, event.currentTarget.value);
                        }}
                        onClick={(event) => event.stopPropagation()}
                      />
                    </foreignObject>
                  ) : alias !== null ? (
                    <>
                      <text className="ladder-host-name" x={column.x} y={19} textAnchor="middle">
                        {alias}
                      </text>
                      <text className="ladder-host-address" x={column.x} y={32} textAnchor="middle">
                        {column.address}
                      </text>
                    </>
                  ) : (
                    <text className="ladder-host-address alone" x={column.x} y={HEADER_HEIGHT / 2 + 4} textAnchor="middle">
                      {column.address}
                    </text>
                  )}
                </g>
              );
            })}
          </g>
        </svg>
      </div>
    </div>
  );
}

interface ArrowProps {
  arrow: LadderArrow;
  position: LadderArrowPosition;
  layout: LadderLayout;
  selected: boolean;
  callColour: number | null;
  onSelect(row: number): void;
}

const Arrow = memo(function Arrow({ arrow, position, layout, selected, callColour, onSelect }: ArrowProps) {
  const { x1, x2, y, direction } = position;
  const half = layout.rowHeight / 2;
  let shaft: string;
  let head: string;
  let right: number;
  let bottom: number;
  if (direction === 'self') {
    const loopRight = x1 + position.loopWidth;
    const loopBottom = y + position.loopHeight;
    shaft = `M ${x1} ${y} H ${loopRight} V ${loopBottom} H ${x1 + 6}`;
    head = `${x1},${loopBottom} ${x1 + 7},${loopBottom - 3.5} ${x1 + 7},${loopBottom + 3.5}`;
    right = loopRight + 90;
    bottom = Math.max(y + half, loopBottom + 4);
  } else {
    const sign = direction === 'right' ? 1 : -1;
    shaft = `M ${x1} ${y} H ${x2 - sign * 6}`;
    head = `${x2},${y} ${x2 - sign * 8},${y - 4} ${x2 - sign * 8},${y + 4}`;
    right = Math.max(x1, x2);
    bottom = y + Math.max(half, 4);
  }
  const top = y - Math.max(half, 4);
  const parts = labelParts(arrow);
  const labelAnchor = direction === 'self' ? 'start' : 'middle';
  const full = layout.density === 'full';
  const labelY = direction === 'self' ? y + position.loopHeight / 2 + 4 : y - (full ? 5 : 2);
  const markers = [arrow.retransmission ? 'retransmission' : null, arrow.duplicate ? 'copy' : null].filter((m) => m !== null);
  const sdp = arrow.sdp;
  const note = arrow.annotation;

  return (
    <g
      className={arrowClasses(arrow, selected).join(' ')}
      data-testid="ladder-arrow"
      data-row={arrow.row}
      data-frame={arrow.frame}
      aria-selected={selected}
      onClick={() => onSelect(arrow.row)}
    >
      <title>
        {`Frame ${arrow.frame} (${arrow.transport}): ${arrow.label}${markers.length > 0 ? ` [${markers.join(', ')}]` : ''}` +
          (sdp ? `\nSDP${sdp.role ? ` ${sdp.role}` : ''}: ${sdp.summary}` : '') +
          (note ? `\nNote${note.tag ? ` [${note.tag}]` : ''}: ${note.note}` : '')}
      </title>
      {/* One hit area from the gutter to the arrow's far end, so the whole row is clickable and has no hole. */}
      <rect className="ladder-arrow-hit" x={0} y={top} width={right} height={bottom - top} />
      {callColour !== null && <rect className={`ladder-call-stripe call-${callColour}`} x={0} y={y - half} width={4} height={Math.max(1, layout.rowHeight - 1)} />}
      <path className="ladder-arrow-line" d={shaft} />
      <polygon className="ladder-arrow-head" points={head} />
      {layout.labelled && (
        <>
          <text className="ladder-time" x={layout.gutterWidth - 14} y={full ? y - 2 : y + 4} textAnchor="end">
            {formatOffset(position.relative)}
          </text>
          {full && (
            <text className="ladder-delta" x={layout.gutterWidth - 14} y={y + 10} textAnchor="end">
              {formatDelta(position.delta)}
            </text>
          )}
          <text className="ladder-label" x={position.labelX} y={labelY} textAnchor={labelAnchor}>
            {parts.kind !== null && <SvgRefTerm kind={parts.kind} term={parts.term} />}
            {parts.rest}
            {arrow.retransmission && <tspan className="ladder-mark"> ⟳</tspan>}
            {arrow.duplicate && <tspan className="ladder-mark"> [copy]</tspan>}
            {note && <tspan className="ladder-note-mark"> ✎</tspan>}
          </text>
          {sdp && full && (
            <text className={`ladder-sdp sdp-${sdp.role ?? 'unknown'}`} x={position.labelX} y={direction === 'self' ? labelY + 11 : y + 11} textAnchor={labelAnchor}>
              {sdp.role === 'offer' ? 'SDP offer' : sdp.role === 'answer' ? 'SDP answer' : 'SDP'}
            </text>
          )}
          {note && (
            // Beside the arrow's head or tail, on the arrow's own row: no other arrow shares a row, so it never covers one.
            <text className="ladder-note" data-testid="ladder-note" x={right + 10} y={y + 4} textAnchor="start">
              {noteLine(note)}
            </text>
          )}
        </>
      )}
    </g>
  );
});

/** A note as one short line under its arrow (the whole note is in the arrow's tooltip). */
export function noteLine(note: { note: string; tag: string | null }, max = 48): string {
  const text = `${note.tag ? `[${note.tag}] ` : ''}${note.note.replace(/\s+/g, ' ').trim()}`;
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}
