/**
 * Geometry of the ladder diagram (a message sequence chart, as Wireshark's Flow Graph and sngrep's call
 * flow draw it): one vertical lifeline per host, one arrow per message, time running down the page. Pure
 * functions of `LadderData` and options, so the component only draws what this returns and the tests can
 * check the geometry without a DOM.
 *
 * Vertical spacing is one row per message rather than proportional to time: a SIP exchange packs dozens of
 * messages into milliseconds and then waits seconds (ringing, talk time), so a time-proportional axis would
 * squash the interesting part into a line. Long silences get a little extra space and a marker instead.
 */
import type { LadderData } from '../../../shared/api.js';

export interface LadderLayoutOptions {
  /** Vertical scale: 1 is the normal row height; `fitZoom` computes the one that fits a viewport. */
  zoom: number;
  /** Pixels between two arrows at zoom 1. */
  rowHeight?: number;
  /** Pixels between two host lifelines (not zoomed: labels need the room whatever the zoom). */
  columnWidth?: number;
  /** Width of the time / delta gutter on the left. */
  gutterWidth?: number;
  /** Space above the first arrow (the host header sits there) and below the last. */
  topMargin?: number;
  bottomMargin?: number;
  /** Width of one lane of procedure bands, and the space between the last lifeline and the first lane. */
  bandWidth?: number;
  bandMargin?: number;
  /** A pause of at least this many seconds between two arrows gets `gapHeight` extra pixels (zoomed) and a marker. */
  gapSeconds?: number;
  gapHeight?: number;
  /** Host order (indexes into `data.hosts`); hosts missing from it follow in order of first appearance. */
  hostOrder?: readonly number[];
}

export const LADDER_DEFAULTS = {
  rowHeight: 30,
  columnWidth: 190,
  gutterWidth: 112,
  topMargin: 12,
  bottomMargin: 12,
  bandWidth: 18,
  bandMargin: 6,
  gapSeconds: 1,
  gapHeight: 18,
} as const;

/**
 * The lifeline spacing that fits `hosts` columns in `width` pixels beside the gutter and a few band lanes, kept
 * between 120 px (room for "183 Session Progress" at the label size) and the default 190 px: a ladder of a
 * few hosts keeps its comfortable spacing, one of many hosts narrows before it scrolls sideways.
 */
export function fittedColumnWidth(hosts: number, width: number, reserved = LADDER_DEFAULTS.gutterWidth + 4 * LADDER_DEFAULTS.bandWidth + LADDER_DEFAULTS.bandMargin): number {
  if (hosts <= 0 || !Number.isFinite(width) || width <= reserved) return LADDER_DEFAULTS.columnWidth;
  return Math.max(120, Math.min(LADDER_DEFAULTS.columnWidth, Math.floor((width - reserved) / hosts)));
}

/**
 * Zoom bounds. The lower one lets "fit" squeeze thousands of messages onto one screen (rows of a fraction of
 * a pixel: the ladder becomes a density picture of the exchange); above 4 rows are mostly air.
 */
export const MIN_ZOOM = 0.002;
export const MAX_ZOOM = 4;
/** Below this many pixels per row even small labels would overlap: the component draws bare arrows. */
export const MIN_LABELLED_ROW_HEIGHT = 11;
/** Below this many pixels per row labels are drawn small, without the delta and SDP lines. */
export const MIN_FULL_ROW_HEIGHT = 22;
/** Room kept right of a self-loop for its label (`200 OK (REGISTER)` at 12 px). */
export const SELF_LABEL_ROOM = 150;

export interface LadderColumn {
  /** Index into `data.hosts`. */
  host: number;
  address: string;
  /** X of the lifeline. */
  x: number;
}

export interface LadderArrowPosition {
  /** Index into `data.arrows`. */
  index: number;
  row: number;
  /** Y of the arrow (for a self-arrow, of its outgoing leg). */
  y: number;
  x1: number;
  x2: number;
  /** `right`/`left`: between two lifelines; `self`: source and destination are the same host (a loop). */
  direction: 'right' | 'left' | 'self';
  /** For a self-arrow: the loop goes out to `x1 + loopWidth` and comes back at `y + loopHeight`. */
  loopWidth: number;
  loopHeight: number;
  /** Where the label is centred (its baseline sits a little above `y`). */
  labelX: number;
  /** Seconds since the first arrow, and since the previous one (0 for the first). */
  relative: number;
  delta: number;
}

export interface LadderBandPosition {
  /** Index into `data.bands`. */
  index: number;
  /** Lanes keep overlapping bands side by side (0 is nearest to the lifelines). */
  lane: number;
  x: number;
  width: number;
  y1: number;
  y2: number;
}

export interface LadderGap {
  /** The gap is before this arrow (index into `data.arrows`). */
  before: number;
  y: number;
  seconds: number;
}

export interface LadderLayout {
  width: number;
  height: number;
  /** Row height after zoom. */
  rowHeight: number;
  gutterWidth: number;
  columns: LadderColumn[];
  /** X of each host's lifeline, by host index (NaN for a host with no column, which does not happen). */
  hostX: number[];
  /** Same order as `data.arrows`. */
  arrows: LadderArrowPosition[];
  bands: LadderBandPosition[];
  gaps: LadderGap[];
  /**
   * How much text rows have room for: `full` (label, SDP marker, time and delta), `dense` (small label and
   * time only), `bare` (arrows only). See `MIN_FULL_ROW_HEIGHT` and `MIN_LABELLED_ROW_HEIGHT`.
   */
  density: 'full' | 'dense' | 'bare';
  /** Whether rows are tall enough for labels (density is not `bare`). */
  labelled: boolean;
}

export function clampZoom(zoom: number): number {
  if (!Number.isFinite(zoom)) return 1;
  return Math.min(MAX_ZOOM, Math.max(MIN_ZOOM, zoom));
}

/**
 * Host columns in order of first appearance (the sender of the first message leftmost, as Wireshark's Flow
 * Graph and sngrep place them), so a call reads left to right from its originator. An explicit order wins.
 */
export function columnOrder(data: LadderData, hostOrder?: readonly number[]): number[] {
  const order: number[] = [];
  const seen = new Set<number>();
  const add = (host: number) => {
    if (Number.isInteger(host) && host >= 0 && host < data.hosts.length && !seen.has(host)) {
      seen.add(host);
      order.push(host);
    }
  };
  for (const host of hostOrder ?? []) add(host);
  for (const arrow of data.arrows) {
    add(arrow.from);
    add(arrow.to);
  }
  for (let host = 0; host < data.hosts.length; host++) add(host);
  return order;
}

/**
 * Greedy interval colouring: each band takes the lowest lane whose previous band has ended, so nested or
 * overlapping procedures (a re-INVITE inside a call, a PRACK inside a set-up) stand side by side.
 */
function assignLanes(spans: { first: number; last: number }[]): number[] {
  const order = spans.map((_, i) => i).sort((a, b) => spans[a].first - spans[b].first || spans[b].last - spans[a].last);
  const laneEnds: number[] = [];
  const lanes = new Array<number>(spans.length).fill(0);
  for (const i of order) {
    let lane = laneEnds.findIndex((end) => end < spans[i].first);
    if (lane < 0) lane = laneEnds.length;
    laneEnds[lane] = spans[i].last;
    lanes[i] = lane;
  }
  return lanes;
}

export function layoutLadder(data: LadderData, options: LadderLayoutOptions): LadderLayout {
  const o = { ...LADDER_DEFAULTS, ...options };
  const zoom = clampZoom(options.zoom);
  const rowHeight = o.rowHeight * zoom;
  const loopHeight = Math.max(2, rowHeight * 0.45);
  const loopWidth = Math.min(48, o.columnWidth * 0.3);

  const order = columnOrder(data, options.hostOrder);
  const hostX = new Array<number>(data.hosts.length).fill(Number.NaN);
  const columns: LadderColumn[] = order.map((host, i) => {
    const x = o.gutterWidth + (i + 0.5) * o.columnWidth;
    hostX[host] = x;
    return { host, address: data.hosts[host].address, x };
  });

  const arrows: LadderArrowPosition[] = [];
  const gaps: LadderGap[] = [];
  const firstTime = data.arrows.length > 0 ? data.arrows[0].time : 0;
  let y = o.topMargin + rowHeight / 2;
  for (let i = 0; i < data.arrows.length; i++) {
    const arrow = data.arrows[i];
    const delta = i === 0 ? 0 : arrow.time - data.arrows[i - 1].time;
    if (i > 0) {
      y += rowHeight;
      if (delta >= o.gapSeconds) {
        const extra = o.gapHeight * zoom;
        gaps.push({ before: i, y: y - rowHeight / 2 + extra / 2, seconds: delta });
        y += extra;
      }
    }
    // An arrow naming a host outside `hosts` (a malformed answer) is drawn on the first column rather than
    // at NaN, which would make the whole SVG path invalid.
    const x1 = hostX[arrow.from] ?? Number.NaN;
    const x2 = hostX[arrow.to] ?? Number.NaN;
    const from = Number.isNaN(x1) ? (columns[0]?.x ?? o.gutterWidth) : x1;
    const to = Number.isNaN(x2) ? (columns[0]?.x ?? o.gutterWidth) : x2;
    const self = from === to;
    arrows.push({
      index: i,
      row: arrow.row,
      y,
      x1: from,
      x2: to,
      direction: self ? 'self' : to > from ? 'right' : 'left',
      loopWidth: self ? loopWidth : 0,
      loopHeight: self ? loopHeight : 0,
      labelX: self ? from + loopWidth + 4 : (from + to) / 2,
      relative: arrow.time - firstTime,
      delta,
    });
  }
  const lastY = arrows.length > 0 ? arrows[arrows.length - 1].y + Math.max(rowHeight / 2, loopHeight) : o.topMargin;

  // Bands sit right of the last column's slot (half a column past its lifeline), or further right when a
  // self-loop's label (written after the loop) would run past it.
  let contentRight = o.gutterWidth + columns.length * o.columnWidth;
  for (const arrow of arrows) if (arrow.direction === 'self') contentRight = Math.max(contentRight, arrow.labelX + SELF_LABEL_ROOM);
  const bandsLeft = contentRight + o.bandMargin;
  const validBands = data.bands
    .map((band, index) => ({ band, index }))
    .filter(({ band }) => band.firstArrow >= 0 && band.lastArrow < arrows.length && band.firstArrow <= band.lastArrow);
  const lanes = assignLanes(validBands.map(({ band }) => ({ first: band.firstArrow, last: band.lastArrow })));
  const half = Math.max(1, rowHeight * 0.4);
  const bands: LadderBandPosition[] = validBands.map(({ band, index }, i) => ({
    index,
    lane: lanes[i],
    x: bandsLeft + lanes[i] * o.bandWidth,
    width: o.bandWidth - 4,
    y1: arrows[band.firstArrow].y - half,
    y2: arrows[band.lastArrow].y + Math.max(half, arrows[band.lastArrow].loopHeight),
  }));
  const laneCount = bands.reduce((max, band) => Math.max(max, band.lane + 1), 0);

  return {
    width: bandsLeft + laneCount * o.bandWidth + 8,
    height: lastY + o.bottomMargin,
    rowHeight,
    gutterWidth: o.gutterWidth,
    columns,
    hostX,
    arrows,
    bands,
    gaps,
    density: rowHeight >= MIN_FULL_ROW_HEIGHT ? 'full' : rowHeight >= MIN_LABELLED_ROW_HEIGHT ? 'dense' : 'bare',
    labelled: rowHeight >= MIN_LABELLED_ROW_HEIGHT,
  };
}

/** The zoom at which every arrow fits in `viewportHeight` pixels (clamped, never above 1: "fit" only shrinks). */
export function fitZoom(data: LadderData, viewportHeight: number, options: Omit<LadderLayoutOptions, 'zoom'> = {}): number {
  const natural = layoutLadder(data, { ...options, zoom: 1 });
  const margins = (options.topMargin ?? LADDER_DEFAULTS.topMargin) + (options.bottomMargin ?? LADDER_DEFAULTS.bottomMargin);
  // Height scales linearly with zoom except for the two fixed margins.
  const scalable = natural.height - margins;
  if (scalable <= 0 || viewportHeight <= margins) return 1;
  let zoom = clampZoom(Math.min(1, (viewportHeight - margins) / scalable));
  // Self-loops keep a minimum height, so the height is not quite linear in the zoom: correct the estimate.
  for (let i = 0; i < 4; i++) {
    const height = layoutLadder(data, { ...options, zoom }).height;
    if (height <= viewportHeight || zoom === MIN_ZOOM) break;
    zoom = clampZoom(zoom * ((viewportHeight - margins) / (height - margins)) * 0.999);
  }
  return zoom;
}

/** Zoom steps of the +/− buttons and Ctrl+wheel: multiplicative, so each step feels the same at any scale. */
export function stepZoom(zoom: number, steps: number): number {
  return clampZoom(zoom * Math.pow(1.25, steps));
}

/**
 * The arrows to draw for a vertical window `[top, top + height)`: indexes `[first, last)` into
 * `layout.arrows`, widened by `overscan` pixels each way. Binary search, since y grows with the index.
 */
export function visibleArrows(layout: LadderLayout, top: number, height: number, overscan = 200): { first: number; last: number } {
  const arrows = layout.arrows;
  const lowerBound = (y: number) => {
    let lo = 0;
    let hi = arrows.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (arrows[mid].y + arrows[mid].loopHeight < y) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };
  const first = lowerBound(top - overscan);
  let last = lowerBound(top + height + overscan);
  // Include the arrow straddling the bottom edge.
  if (last < arrows.length && arrows[last].y - layout.rowHeight <= top + height + overscan) last++;
  return { first, last: Math.max(first, last) };
}

/** The arrow index of a row (a message), or -1 when the ladder does not show it. */
export function arrowOfRow(data: LadderData, row: number | null): number {
  if (row === null) return -1;
  return data.arrows.findIndex((arrow) => arrow.row === row);
}

/** `12.345678` seconds since the first arrow, and `+0.000146` since the previous one (the gutter's two lines). */
export function formatOffset(seconds: number): string {
  return seconds.toFixed(6);
}

export function formatDelta(seconds: number): string {
  return `+${seconds.toFixed(6)}`;
}

/** `12.3 s`, `4 min 5 s`: the marker of a long pause. */
export function formatPause(seconds: number): string {
  if (seconds < 60) return `${seconds.toFixed(seconds < 10 ? 1 : 0)} s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes} min ${Math.round(seconds - minutes * 60)} s`;
  const hours = Math.floor(minutes / 60);
  return `${hours} h ${minutes - hours * 60} min`;
}

/** The label split for reference tooltips: the method or status code is a term, the rest plain text. */
export function labelParts(arrow: LadderData['arrows'][number]): { kind: 'method' | 'response' | null; term: string; rest: string } {
  const label = arrow.label;
  if (arrow.method !== null && label.startsWith(arrow.method)) {
    return { kind: 'method', term: arrow.method, rest: label.slice(arrow.method.length) };
  }
  if (arrow.status !== null) {
    const code = String(arrow.status);
    if (label.startsWith(code)) return { kind: 'response', term: code, rest: label.slice(code.length) };
  }
  return { kind: null, term: '', rest: label };
}

/**
 * The CSS classes of an arrow: its response class (label colour), and the marks the legend explains:
 * retransmissions dashed, copies seen at another capture point faded, errors red.
 */
export function arrowClasses(arrow: LadderData['arrows'][number], selected: boolean): string[] {
  const classes = ['ladder-arrow'];
  const status = arrow.status;
  classes.push(
    status === null
      ? 'request'
      : status < 200
        ? 'status-provisional'
        : status < 300
          ? 'status-success'
          : status < 400
            ? 'status-redirect'
            : 'status-failure',
  );
  if (arrow.retransmission) classes.push('retransmission');
  if (arrow.duplicate) classes.push('duplicate');
  if (arrow.severity !== null) classes.push(`severity-${arrow.severity}`);
  if (selected) classes.push('selected');
  return classes;
}

/**
 * When rows are thinner than `minGap` pixels (a fitted ladder of thousands of messages), several arrows
 * share a pixel row and drawing them all only costs DOM. Keeps one arrow per `minGap` pixels of height, the
 * one that matters most: the selected message, then an error, a warning, a retransmission, else the first.
 * Returns indexes into `layout.arrows`, in order; all of `[first, last)` when rows are tall enough.
 */
export function thinArrows(
  data: LadderData,
  layout: LadderLayout,
  range: { first: number; last: number },
  selected: number,
  minGap = 2,
): number[] {
  const all: number[] = [];
  if (layout.rowHeight >= minGap) {
    for (let i = range.first; i < range.last; i++) all.push(i);
    return all;
  }
  const rank = (i: number) => {
    const arrow = data.arrows[i];
    if (i === selected) return 5;
    if (arrow.severity === 'error') return 4;
    if (arrow.severity === 'warning') return 3;
    if (arrow.retransmission) return 2;
    return 1;
  };
  let bucket = Number.NaN;
  for (let i = range.first; i < range.last; i++) {
    const b = Math.floor(layout.arrows[i].y / minGap);
    if (b !== bucket) {
      bucket = b;
      all.push(i);
    } else if (rank(i) > rank(all[all.length - 1])) {
      all[all.length - 1] = i;
    }
  }
  return all;
}
