// The ladder diagram of a report as a standalone SVG document: what an engineer attaches to a bug report. It
// follows the app's ladder (src/renderer/src/calls/Ladder.tsx): host columns in order of first appearance named
// by their alias and address, a time gutter (seconds since the first message, delta to the previous one, frame
// number to find it in Wireshark), one arrow per message with its method or status, SDP offer/answer under it,
// retransmissions dashed, errors red, procedure bands on the right, pauses of a second or more marked; and,
// beyond the app, the notes beside the arrows they annotate and the call notes in a header band.
//
// Safety: the document has no script, no event attribute, no external reference (no href but same-document
// fragments when `links` is asked for, no image, no font), and every text from the capture or the annotations
// goes through escapeXml / escapeAttribute. Styling is presentation attributes, not CSS, so the file renders the
// same in a browser, in an SVG editor and in resvg (the PNG export), with generic font families only.
//
// Vertical spacing is one row per message, not proportional to time (a SIP exchange packs dozens of messages
// into milliseconds and then waits seconds); pauses get a marker instead, as in the app.
import type { LadderArrow } from '../../shared/api.js';
import { escapeAttribute, escapeXml, visibleText } from './escape.js';
import type { Report } from './report-input.js';

const SANS = 'sans-serif';
const MONO = 'monospace';
/** Average advance of a glyph, in em: DejaVu Sans (the widest common sans) is about 0.6, its mono exactly 0.602. */
const SANS_EM = 0.6;
const MONO_EM = 0.61;

const MARGIN = 16;
const GUTTER = 132;
const HOST_HEADER = 46;
const ROW = 36;
const GAP_SECONDS = 1;
const GAP_EXTRA = 20;
const BAND_WIDTH = 18;
const NOTE_WIDTH = 260;
const NOTE_FONT = 11;
const NOTE_LINE = 14;
const NOTE_MAX_LINES = 12;
const LABEL_FONT = 12;
const SDP_FONT = 10;
const LOOP_WIDTH = 40;
const LOOP_HEIGHT = 14;
const LEGEND = 30;

const COLOUR = {
  text: '#1a1a1a',
  muted: '#616161',
  line: '#333333',
  lifeline: '#9e9e9e',
  provisional: '#616161',
  success: '#2e7d32',
  redirect: '#b26a00',
  failure: '#c62828',
  warning: '#b26a00',
  offer: '#6a1b9a',
  answer: '#00695c',
  gutter: '#f4f4f4',
  hostFill: '#ffffff',
  hostNamed: '#e8eef8',
  hostStroke: '#9aa7b8',
  noteFill: '#fff8c4',
  noteStroke: '#c9a800',
  noteTag: '#7a5d00',
  gap: '#9e9e9e',
} as const;

const OUTCOME_COLOUR: Record<string, string> = {
  success: '#2e7d32',
  failure: '#c62828',
  cancelled: '#757575',
  timeout: '#e65100',
  incomplete: '#f9a825',
};

/** Per-call colours of the stripe in the gutter when several calls are merged (as the app's `call-0`…`call-7`). */
const CALL_COLOURS = ['#1565c0', '#ef6c00', '#2e7d32', '#6a1b9a', '#00838f', '#ad1457', '#5d4037', '#546e7a'];

export interface LadderSvgOptions {
  /** Only arrows `[first, last)` (a page of a long ladder); the columns and the time origin stay those of the whole ladder. */
  first?: number;
  last?: number;
  /** The header band (title, file, calls, call notes). Default true. */
  header?: boolean;
  /** The legend under the ladder. Default true. */
  legend?: boolean;
  /** Wrap each arrow in a link to `#message-N` (the HTML export's message details). Default false. */
  links?: boolean;
  /** `ladderGeometry(report)`, when the caller draws several pages of one ladder (computed once). */
  geometry?: LadderGeometry;
}

/** A number as an SVG coordinate: one decimal at most, no `-0`. */
function n(x: number): string {
  const r = Math.round(x * 10) / 10;
  return Object.is(r, -0) ? '0' : String(r);
}

export function textWidth(text: string, size: number, mono = false): number {
  return [...text].length * size * (mono ? MONO_EM : SANS_EM);
}

/** The text cut with an ellipsis to fit `width` pixels at `size` (estimated: SVG has no layout without a renderer). */
export function fitText(text: string, width: number, size: number, mono = false): string {
  const chars = [...text];
  const max = Math.floor(width / (size * (mono ? MONO_EM : SANS_EM)));
  if (chars.length <= max) return text;
  if (max <= 1) return max === 1 ? '…' : '';
  return `${chars.slice(0, max - 1).join('')}…`;
}

/** Lines of at most `chars` characters, broken at spaces where possible; at most `maxLines` (the last ends with … when cut). */
export function wrapText(text: string, chars: number, maxLines: number): string[] {
  const lines: string[] = [];
  for (const paragraph of text.split(/\r\n|\r|\n/)) {
    let line = '';
    for (const word of paragraph.split(/[ \t]+/)) {
      let rest = [...word];
      while (rest.length > 0) {
        const current = [...line];
        const room = chars - current.length - (current.length > 0 ? 1 : 0);
        if (rest.length <= room) {
          line = current.length > 0 ? `${line} ${rest.join('')}` : rest.join('');
          rest = [];
        } else if (current.length > 0) {
          lines.push(line);
          line = '';
        } else {
          // A word longer than a line (a URI, a Call-ID) is cut where the line ends.
          lines.push(rest.slice(0, chars).join(''));
          rest = rest.slice(chars);
        }
      }
    }
    lines.push(line);
  }
  while (lines.length > 1 && lines[lines.length - 1] === '') lines.pop();
  if (lines.length > maxLines) {
    const kept = lines.slice(0, maxLines);
    kept[maxLines - 1] = fitText(`${kept[maxLines - 1]}…`, chars * NOTE_FONT * SANS_EM, NOTE_FONT);
    return kept;
  }
  return lines;
}

/** `1.234567`: seconds since the first arrow. */
function formatOffset(seconds: number): string {
  return seconds.toFixed(6);
}

/** `12.3 s`, `4 min 5 s`: the marker of a long pause. */
export function formatPause(seconds: number): string {
  if (seconds < 60) return `${seconds.toFixed(seconds < 10 ? 1 : 0)} s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes} min ${Math.round(seconds - minutes * 60)} s`;
  const hours = Math.floor(minutes / 60);
  return `${hours} h ${minutes - hours * 60} min`;
}

/** The colour of an arrow's label: its response class, or red / amber for an error / warning. */
function labelColour(arrow: LadderArrow): string {
  if (arrow.severity === 'error') return COLOUR.failure;
  const status = arrow.status;
  if (status === null) return COLOUR.text;
  if (status < 200) return COLOUR.provisional;
  if (status < 300) return COLOUR.success;
  if (status < 400) return COLOUR.redirect;
  return COLOUR.failure;
}

function lineColour(arrow: LadderArrow): string {
  if (arrow.severity === 'error') return COLOUR.failure;
  if (arrow.severity === 'warning') return COLOUR.warning;
  return COLOUR.line;
}

/** The label of an arrow with its marks (`BYE [retransmission]`). */
export function arrowText(arrow: LadderArrow): string {
  let text = arrow.label;
  if (arrow.retransmission) text += ' [retransmission]';
  if (arrow.duplicate) text += ' [copy]';
  return text;
}

/** `SDP offer: audio 49170 AMR-WB`. */
export function sdpText(arrow: LadderArrow): string | null {
  const sdp = arrow.sdp;
  if (!sdp) return null;
  const role = sdp.role === 'offer' ? 'SDP offer' : sdp.role === 'answer' ? 'SDP answer' : 'SDP';
  return sdp.summary ? `${role}: ${sdp.summary}` : role;
}

/** The note text of an annotation: `[tag] note`. */
export function noteText(note: { note: string; tag: string | null }): string {
  return note.tag ? `[${note.tag}] ${note.note}` : note.note;
}

interface ArrowBox {
  /** Y of the arrow, in body coordinates (0 = top of the first row). */
  y: number;
  /** The slice of the body this arrow owns: [top, bottom). */
  top: number;
  bottom: number;
  x1: number;
  x2: number;
  self: boolean;
  /** Its notes' lines (empty when none), and the top of the note box. */
  note: { lines: { tag: string | null; text: string }[]; top: number; height: number } | null;
}

/** Where everything goes, computed once for the whole ladder so that pages of it line up. */
export interface LadderGeometry {
  width: number;
  columnWidth: number;
  /** X of each host's lifeline, by index into `report.ladder.hosts`. */
  hostX: number[];
  contentRight: number;
  bandsLeft: number;
  lanes: number[];
  laneCount: number;
  noteX: number;
  arrows: ArrowBox[];
  gaps: { before: number; y: number; seconds: number }[];
  /** Height of the body (every row), without header and legend. */
  bodyHeight: number;
}

/** Greedy interval colouring (as the app): overlapping procedure bands stand side by side. */
function assignLanes(spans: { first: number; last: number }[]): number[] {
  const order = spans.map((_, i) => i).sort((a, b) => spans[a].first - spans[b].first || spans[b].last - spans[a].last);
  const ends: number[] = [];
  const lanes = new Array<number>(spans.length).fill(0);
  for (const i of order) {
    let lane = ends.findIndex((end) => end < spans[i].first);
    if (lane < 0) lane = ends.length;
    ends[lane] = spans[i].last;
    lanes[i] = lane;
  }
  return lanes;
}

export function ladderGeometry(report: Report): LadderGeometry {
  const ladder = report.ladder;
  const hostCount = ladder.hosts.length;
  // Column spacing: room for the widest host header and for each arrow's label over the columns it spans.
  let columnWidth = 150;
  for (const host of report.hosts) {
    columnWidth = Math.max(columnWidth, textWidth(visibleText(host.address), 10, true) + 28, textWidth(visibleText(host.alias ?? ''), 12) + 28);
  }
  for (const arrow of ladder.arrows) {
    const span = Math.abs(arrow.to - arrow.from);
    if (span === 0) continue;
    const label = textWidth(visibleText(arrowText(arrow)), LABEL_FONT) + 24;
    columnWidth = Math.max(columnWidth, Math.min(230, label / span));
  }
  columnWidth = Math.ceil(Math.min(230, columnWidth));

  const hostX = ladder.hosts.map((_, i) => GUTTER + (i + 0.5) * columnWidth);
  let contentRight = GUTTER + hostCount * columnWidth;

  const notesByArrow = new Map<number, { tag: string | null; text: string }[]>();
  // Wrapped at DejaVu Sans's width (what resvg uses for the PNG in CI): lines run a little short in narrower fonts, never out of the box.
  const chars = Math.floor((NOTE_WIDTH - 14) / (NOTE_FONT * SANS_EM));
  for (const note of report.notes.messages) {
    const list = notesByArrow.get(note.arrow) ?? [];
    const lines = wrapText(visibleText(noteText(note)), chars, NOTE_MAX_LINES);
    lines.forEach((text, i) => list.push({ tag: i === 0 ? note.tag : null, text }));
    notesByArrow.set(note.arrow, list);
  }

  const arrows: ArrowBox[] = [];
  const gaps: LadderGeometry['gaps'] = [];
  let y = ROW / 2;
  let noteFloor = -Infinity;
  ladder.arrows.forEach((arrow, i) => {
    if (i > 0) {
      y += ROW;
      const delta = arrow.time - ladder.arrows[i - 1].time;
      if (delta >= GAP_SECONDS) {
        gaps.push({ before: i, y: y - ROW / 2 + GAP_EXTRA / 2, seconds: delta });
        y += GAP_EXTRA;
      }
    }
    const lines = notesByArrow.get(i) ?? null;
    // A note starts level with its arrow: when the note above still runs there, the arrow moves down.
    if (lines && y - 12 < noteFloor + 6) y = noteFloor + 18;
    const x1 = hostX[arrow.from] ?? GUTTER;
    const x2 = hostX[arrow.to] ?? GUTTER;
    const self = x1 === x2;
    if (self) contentRight = Math.max(contentRight, x1 + LOOP_WIDTH + 8 + textWidth(visibleText(arrowText(arrow)), LABEL_FONT));
    let note: ArrowBox['note'] = null;
    if (lines) {
      const height = lines.length * NOTE_LINE + 8;
      note = { lines, top: y - 12, height };
      noteFloor = y - 12 + height;
    }
    arrows.push({ y, top: y - ROW / 2, bottom: y + ROW / 2, x1, x2, self, note });
  });
  // Rows own the space down to the next row, so a page break between two rows loses nothing.
  for (let i = 0; i + 1 < arrows.length; i++) arrows[i].bottom = arrows[i + 1].top;
  let bodyHeight = arrows.length > 0 ? arrows[arrows.length - 1].bottom : 0;
  for (const a of arrows) if (a.note) bodyHeight = Math.max(bodyHeight, a.note.top + a.note.height + 4);
  if (arrows.length > 0) arrows[arrows.length - 1].bottom = bodyHeight;

  const bandsLeft = contentRight + 8;
  const lanes = assignLanes(ladder.bands.map((b) => ({ first: b.firstArrow, last: b.lastArrow })));
  const laneCount = lanes.reduce((max, lane) => Math.max(max, lane + 1), 0);
  const noteX = bandsLeft + laneCount * BAND_WIDTH + (laneCount > 0 ? 12 : 4);
  const width = noteX + (notesByArrow.size > 0 ? NOTE_WIDTH + MARGIN : 0) + (laneCount > 0 || notesByArrow.size > 0 ? 0 : 8);
  return { width: Math.ceil(width), columnWidth, hostX, contentRight, bandsLeft, lanes, laneCount, noteX, arrows, gaps, bodyHeight };
}

/** A `<text>` element; `content` is already-escaped markup (text and tspans). */
function text(x: number, y: number, content: string, attrs: Record<string, string | number> = {}): string {
  let a = '';
  for (const [name, value] of Object.entries(attrs)) a += ` ${name}="${escapeAttribute(String(value))}"`;
  return `<text x="${n(x)}" y="${n(y)}"${a}>${content}</text>`;
}

interface HeaderBand {
  height: number;
  markup: string;
}

/** The header band of a standalone ladder: title, file, calls (with their colours and states) and call notes. */
function headerBand(report: Report, width: number): HeaderBand {
  const parts: string[] = [];
  let y = MARGIN + 14;
  parts.push(text(MARGIN, y, escapeXml(fitText(visibleText(report.title), width - 2 * MARGIN, 16)), { 'font-size': 16, 'font-weight': 'bold', fill: COLOUR.text }));
  y += 17;
  const sub = `${report.file} · ${report.ladder.arrows.length} messages · ${report.hosts.length} hosts · generated ${report.generatedAt} by sipscope`;
  parts.push(text(MARGIN, y, escapeXml(fitText(visibleText(sub), width - 2 * MARGIN, 11)), { 'font-size': 11, fill: COLOUR.muted }));
  const multi = report.calls.length > 1;
  const chars = Math.max(20, Math.floor((width - 2 * MARGIN - 40) / (11 * SANS_EM)));
  report.calls.forEach((call, i) => {
    y += 16;
    if (multi) parts.push(`<rect x="${MARGIN}" y="${n(y - 9)}" width="10" height="10" fill="${CALL_COLOURS[i % CALL_COLOURS.length]}"/>`);
    const line = `Call-ID ${call.callId} · ${call.state} · ${call.from} → ${call.to}`;
    parts.push(text(MARGIN + (multi ? 16 : 0), y, escapeXml(fitText(visibleText(line), width - 2 * MARGIN - 16, 11)), { 'font-size': 11, fill: COLOUR.text }));
    for (const note of report.notes.calls.filter((c) => c.call === call.index)) {
      const lines = wrapText(visibleText(noteText(note)), chars, NOTE_MAX_LINES);
      const top = y + 6;
      const height = lines.length * NOTE_LINE + 8;
      parts.push(`<rect x="${MARGIN + 16}" y="${n(top)}" width="${n(width - 2 * MARGIN - 16)}" height="${n(height)}" rx="3" fill="${COLOUR.noteFill}" stroke="${COLOUR.noteStroke}"/>`);
      lines.forEach((line, j) => {
        parts.push(text(MARGIN + 23, top + 4 + (j + 1) * NOTE_LINE - 3, escapeXml(line), { 'font-size': NOTE_FONT, fill: COLOUR.text }));
      });
      y = top + height;
    }
  });
  return { height: y + 12, markup: `<g class="header">${parts.join('')}</g>` };
}

/** The host header: one box per column with the alias (bold) over the address, or the address alone. */
function hostHeader(report: Report, g: LadderGeometry, top: number): string {
  const parts: string[] = [];
  report.hosts.forEach((host, i) => {
    const x = g.hostX[i];
    const left = x - g.columnWidth / 2 + 6;
    const width = g.columnWidth - 12;
    const named = host.alias !== null;
    parts.push(`<g class="host" data-host="${i}">`);
    parts.push(`<title>${escapeXml(host.address)}${named ? escapeXml(` (${host.alias})`) : ''}</title>`);
    parts.push(`<rect x="${n(left)}" y="${n(top + 4)}" width="${n(width)}" height="${HOST_HEADER - 10}" rx="4" fill="${named ? COLOUR.hostNamed : COLOUR.hostFill}" stroke="${COLOUR.hostStroke}"/>`);
    if (named) {
      parts.push(text(x, top + 20, escapeXml(fitText(visibleText(host.alias ?? ''), width - 8, 12)), { 'text-anchor': 'middle', 'font-size': 12, 'font-weight': 'bold', fill: COLOUR.text, class: 'host-alias' }));
      parts.push(text(x, top + 34, escapeXml(fitText(visibleText(host.address), width - 8, 10, true)), { 'text-anchor': 'middle', 'font-size': 10, 'font-family': MONO, fill: COLOUR.muted, class: 'host-address' }));
    } else {
      parts.push(text(x, top + 27, escapeXml(fitText(visibleText(host.address), width - 8, 10, true)), { 'text-anchor': 'middle', 'font-size': 10, 'font-family': MONO, fill: COLOUR.text, class: 'host-address' }));
    }
    parts.push('</g>');
  });
  return parts.join('');
}

/** One arrow: shaft, head, label over it, SDP under it, time and frame in the gutter; `dy` maps body to page y. */
function arrowMarkup(report: Report, g: LadderGeometry, i: number, dy: number, links: boolean, callColour: ReadonlyMap<number, number>): string {
  const arrow = report.ladder.arrows[i];
  const box = g.arrows[i];
  const y = box.y + dy;
  const colour = lineColour(arrow);
  const width = arrow.severity === 'error' ? 1.8 : 1.3;
  const dash = arrow.retransmission ? ' stroke-dasharray="6 4"' : '';
  const parts: string[] = [];
  const rowIndex = callColour.get(arrow.call) ?? -1;
  const classes = ['arrow', arrow.status === null ? 'request' : 'response'];
  if (arrow.retransmission) classes.push('retransmission');
  if (arrow.duplicate) classes.push('copy');
  if (arrow.severity) classes.push(`severity-${arrow.severity}`);
  parts.push(`<g class="${classes.join(' ')}" id="arrow-${i}" data-arrow="${i}" data-row="${arrow.row}" data-frame="${arrow.frame}"${arrow.duplicate ? ' opacity="0.5"' : ''}>`);
  const tip = `Frame ${arrow.frame} (${arrow.transport}) ${report.hosts[arrow.from]?.address ?? ''} → ${report.hosts[arrow.to]?.address ?? ''}: ${arrowText(arrow)}${arrow.sdp ? `\n${sdpText(arrow)}` : ''}`;
  parts.push(`<title>${escapeXml(tip)}</title>`);
  if (report.ladder.calls.length > 1 && rowIndex >= 0) {
    parts.push(`<rect x="${MARGIN - 10}" y="${n(y - ROW / 2 + 2)}" width="4" height="${ROW - 4}" fill="${CALL_COLOURS[rowIndex % CALL_COLOURS.length]}"/>`);
  }
  // The gutter: seconds since the first message, then the frame number and the delta to the previous message.
  const first = report.ladder.arrows[0].time;
  const delta = i === 0 ? 0 : arrow.time - report.ladder.arrows[i - 1].time;
  parts.push(text(GUTTER - 12, y - 1, escapeXml(formatOffset(arrow.time - first)), { 'text-anchor': 'end', 'font-size': 11, 'font-family': MONO, fill: COLOUR.text }));
  parts.push(text(GUTTER - 12, y + 11, escapeXml(`#${arrow.frame} +${delta.toFixed(6)}`), { 'text-anchor': 'end', 'font-size': 9, 'font-family': MONO, fill: COLOUR.muted }));
  const label = visibleText(arrowText(arrow));
  const sdp = sdpText(arrow);
  let labelX: number;
  let labelRoom: number;
  let anchor: 'middle' | 'start';
  let labelY: number;
  let sdpY: number;
  if (box.self) {
    const right = box.x1 + LOOP_WIDTH;
    const bottom = y + LOOP_HEIGHT;
    parts.push(`<path d="M ${n(box.x1)} ${n(y)} H ${n(right)} V ${n(bottom)} H ${n(box.x1 + 7)}" fill="none" stroke="${colour}" stroke-width="${width}"${dash}/>`);
    parts.push(`<polygon points="${n(box.x1)},${n(bottom)} ${n(box.x1 + 8)},${n(bottom - 4)} ${n(box.x1 + 8)},${n(bottom + 4)}" fill="${colour}"/>`);
    labelX = right + 6;
    labelRoom = g.contentRight - labelX;
    anchor = 'start';
    labelY = y + 4;
    sdpY = y + 15;
  } else {
    const sign = box.x2 > box.x1 ? 1 : -1;
    parts.push(`<line x1="${n(box.x1)}" y1="${n(y)}" x2="${n(box.x2 - sign * 7)}" y2="${n(y)}" stroke="${colour}" stroke-width="${width}"${dash}/>`);
    parts.push(`<polygon points="${n(box.x2)},${n(y)} ${n(box.x2 - sign * 9)},${n(y - 4)} ${n(box.x2 - sign * 9)},${n(y + 4)}" fill="${colour}"/>`);
    labelX = (box.x1 + box.x2) / 2;
    labelRoom = Math.abs(box.x2 - box.x1) - 14;
    anchor = 'middle';
    labelY = y - 5;
    sdpY = y + 12;
  }
  const labelAttrs = { 'text-anchor': anchor, 'font-size': LABEL_FONT, fill: labelColour(arrow), class: 'label' };
  // The method or status code is the term an engineer scans for: bold, the rest plain.
  const shown = fitText(label, labelRoom, LABEL_FONT);
  const term = arrow.method ?? (arrow.status !== null ? String(arrow.status) : '');
  const content =
    term !== '' && shown.startsWith(term) ? `<tspan font-weight="bold">${escapeXml(term)}</tspan>${escapeXml(shown.slice(term.length))}` : escapeXml(shown);
  parts.push(text(labelX, labelY, content, labelAttrs));
  if (sdp) {
    const colourOfRole = arrow.sdp?.role === 'answer' ? COLOUR.answer : COLOUR.offer;
    parts.push(text(labelX, sdpY, escapeXml(fitText(visibleText(sdp), labelRoom, SDP_FONT)), { 'text-anchor': anchor, 'font-size': SDP_FONT, 'font-style': 'italic', fill: colourOfRole, class: 'sdp' }));
  }
  parts.push('</g>');
  const markup = parts.join('');
  return links ? `<a href="#message-${i}">${markup}</a>` : markup;
}

/** The note box of an arrow, with a dotted leader from the arrow's end. */
function noteMarkup(g: LadderGeometry, i: number, dy: number): string {
  const box = g.arrows[i];
  const note = box.note;
  if (!note) return '';
  const end = box.self ? box.x1 + LOOP_WIDTH : Math.max(box.x1, box.x2);
  const top = note.top + dy;
  const parts: string[] = [`<g class="note" data-arrow="${i}">`];
  parts.push(`<polyline points="${n(end + 2)},${n(box.y + dy)} ${n(g.noteX - 6)},${n(box.y + dy)} ${n(g.noteX)},${n(top + 9)}" fill="none" stroke="${COLOUR.noteStroke}" stroke-width="1" stroke-dasharray="2 2"/>`);
  parts.push(`<circle cx="${n(end + 2)}" cy="${n(box.y + dy)}" r="2.5" fill="${COLOUR.noteStroke}"/>`);
  parts.push(`<rect x="${n(g.noteX)}" y="${n(top)}" width="${NOTE_WIDTH}" height="${n(note.height)}" rx="3" fill="${COLOUR.noteFill}" stroke="${COLOUR.noteStroke}"/>`);
  note.lines.forEach((line, j) => {
    const y = top + 4 + (j + 1) * NOTE_LINE - 3;
    let content = escapeXml(line.text);
    if (line.tag !== null && line.text.startsWith(`[${visibleText(line.tag)}]`)) {
      const tag = `[${visibleText(line.tag)}]`;
      content = `<tspan font-weight="bold" fill="${COLOUR.noteTag}">${escapeXml(tag)}</tspan>${escapeXml(line.text.slice(tag.length))}`;
    }
    parts.push(text(g.noteX + 7, y, content, { 'font-size': NOTE_FONT, fill: COLOUR.text }));
  });
  parts.push('</g>');
  return parts.join('');
}

function legend(y: number): string {
  const parts: string[] = ['<g class="legend" font-size="10">'];
  let x = MARGIN;
  const item = (draw: (x0: string, x1: string) => string, label: string) => {
    parts.push(draw(n(x), n(x + 24)));
    parts.push(text(x + 30, y + 4, escapeXml(label), { fill: COLOUR.muted }));
    x += 40 + textWidth(label, 10);
  };
  const line = (colour: string, width: number, dash = '') => (x0: string, x1: string) =>
    `<line x1="${x0}" y1="${n(y)}" x2="${x1}" y2="${n(y)}" stroke="${colour}" stroke-width="${width}"${dash}/>`;
  const word = (colour: string, style: string, content: string) => (x0: string) => `<text x="${x0}" y="${n(y + 4)}" ${style} fill="${colour}">${content}</text>`;
  item(line(COLOUR.line, 1.3), 'message');
  item(line(COLOUR.line, 1.3, ' stroke-dasharray="6 4"'), 'retransmission');
  item(line(COLOUR.failure, 1.8), 'error');
  item(line(COLOUR.warning, 1.3), 'warning');
  item(word(COLOUR.offer, 'font-style="italic"', 'SDP'), 'offer');
  item(word(COLOUR.answer, 'font-style="italic"', 'SDP'), 'answer');
  item(word(COLOUR.muted, `font-family="${MONO}"`, '#12'), 'frame number, +seconds since the previous message');
  parts.push('</g>');
  return parts.join('');
}

/**
 * The ladder of a report (or the arrows `[first, last)` of it, a page) as a standalone SVG document: one `<g
 * class="arrow">` per message, one `<g class="host">` per column.
 */
export function ladderSvg(report: Report, options: LadderSvgOptions = {}): string {
  const g = options.geometry ?? ladderGeometry(report);
  const count = report.ladder.arrows.length;
  const first = Math.max(0, Math.min(count, options.first ?? 0));
  const last = Math.max(first, Math.min(count, options.last ?? count));
  const width = Math.max(g.width, 480);
  const header = options.header === false ? { height: MARGIN / 2, markup: '' } : headerBand(report, width);
  const hostTop = header.height;
  const bodyTop = hostTop + HOST_HEADER + 6;
  const sliceTop = first < last ? g.arrows[first].top : 0;
  const sliceBottom = first < last ? g.arrows[last - 1].bottom : 0;
  // Notes of the slice may run below its last row.
  let bottom = sliceBottom;
  for (let i = first; i < last; i++) {
    const note = g.arrows[i].note;
    if (note) bottom = Math.max(bottom, note.top + note.height + 4);
  }
  const dy = bodyTop - sliceTop;
  const bodyBottom = bottom + dy;
  const withLegend = options.legend !== false;
  const height = Math.ceil(bodyBottom + (withLegend ? LEGEND : MARGIN / 2));

  const parts: string[] = [];
  parts.push(
    `<svg xmlns="http://www.w3.org/2000/svg" version="1.1" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="${SANS}" font-size="12" role="img" aria-label="${escapeAttribute(`Ladder diagram of ${last - first} messages between ${report.hosts.length} hosts`)}">`,
  );
  parts.push(`<title>${escapeXml(report.title)}</title>`);
  parts.push(`<rect x="0" y="0" width="${width}" height="${height}" fill="#ffffff"/>`);
  parts.push(header.markup);
  parts.push(`<rect x="${MARGIN - 12}" y="${n(bodyTop - 4)}" width="${GUTTER - MARGIN + 4}" height="${n(bodyBottom - bodyTop + 4)}" fill="${COLOUR.gutter}"/>`);
  for (const x of g.hostX) {
    parts.push(`<line x1="${n(x)}" y1="${n(hostTop + HOST_HEADER - 6)}" x2="${n(x)}" y2="${n(bodyBottom)}" stroke="${COLOUR.lifeline}" stroke-width="1" stroke-dasharray="4 3"/>`);
  }
  parts.push(hostHeader(report, g, hostTop));
  for (const gap of g.gaps) {
    if (gap.before <= first || gap.before >= last) continue;
    const y = gap.y + dy;
    parts.push(`<g class="gap"><line x1="${n(GUTTER - 6)}" y1="${n(y)}" x2="${n(g.contentRight)}" y2="${n(y)}" stroke="${COLOUR.gap}" stroke-dasharray="2 4"/>`);
    parts.push(text(GUTTER - 12, y + 4, escapeXml(`⋯ ${formatPause(gap.seconds)}`), { 'text-anchor': 'end', 'font-size': 10, fill: COLOUR.muted, 'font-style': 'italic' }));
    parts.push('</g>');
  }
  report.ladder.bands.forEach((band, b) => {
    if (band.lastArrow < first || band.firstArrow >= last) return;
    const from = Math.max(first, band.firstArrow);
    const to = Math.min(last - 1, band.lastArrow);
    const y1 = g.arrows[from].y - ROW * 0.4 + dy;
    const y2 = g.arrows[to].y + ROW * 0.4 + (g.arrows[to].self ? LOOP_HEIGHT : 0) + dy;
    const x = g.bandsLeft + g.lanes[b] * BAND_WIDTH;
    const colour = OUTCOME_COLOUR[band.outcome] ?? '#78909c';
    const label = `${band.procedure} (${band.outcome})`;
    parts.push(`<g class="band" data-procedure="${escapeAttribute(band.procedure)}" data-outcome="${escapeAttribute(band.outcome)}">`);
    parts.push(`<title>${escapeXml(label)}</title>`);
    parts.push(`<rect x="${n(x)}" y="${n(y1)}" width="${BAND_WIDTH - 4}" height="${n(y2 - y1)}" rx="3" fill="${colour}" fill-opacity="0.16" stroke="${colour}" stroke-width="1"/>`);
    const room = y2 - y1 - 8;
    const shown = textWidth(label, 10) <= room ? label : textWidth(band.procedure, 10) <= room ? band.procedure : '';
    if (shown !== '') {
      parts.push(`<text transform="translate(${n(x + (BAND_WIDTH - 4) / 2 - 3.5)} ${n(y1 + 5)}) rotate(90)" font-size="10" fill="${colour}">${escapeXml(shown)}</text>`);
    }
    parts.push('</g>');
  });
  const callColour = new Map(report.ladder.calls.map((call, i) => [call, i]));
  for (let i = first; i < last; i++) parts.push(arrowMarkup(report, g, i, dy, options.links === true, callColour));
  for (let i = first; i < last; i++) parts.push(noteMarkup(g, i, dy));
  if (withLegend) parts.push(legend(bodyBottom + 16));
  parts.push('</svg>');
  return parts.join('');
}

/**
 * Pages of the ladder: arrow ranges whose drawing fits `pageHeight` pixels (after scaling the ladder's width to
 * `pageWidth`), so a printed HTML report repeats the host header on each page instead of cutting arrows.
 */
export function ladderPages(report: Report, pageWidth: number, pageHeight: number, geometry?: LadderGeometry): { first: number; last: number }[] {
  const g = geometry ?? ladderGeometry(report);
  const scale = Math.min(1, pageWidth / Math.max(g.width, 480));
  const budget = pageHeight / scale - (HOST_HEADER + 6 + MARGIN / 2 + LEGEND);
  const pages: { first: number; last: number }[] = [];
  let first = 0;
  while (first < g.arrows.length) {
    let last = first + 1;
    const top = g.arrows[first].top;
    const extent = (i: number) => Math.max(g.arrows[i].bottom, g.arrows[i].note ? g.arrows[i].note.top + g.arrows[i].note.height + 4 : 0) - top;
    let reach = extent(first);
    while (last < g.arrows.length && Math.max(reach, extent(last)) <= budget) {
      reach = Math.max(reach, extent(last));
      last++;
    }
    pages.push({ first, last });
    first = last;
  }
  return pages;
}
