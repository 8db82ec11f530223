import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { LadderData } from '../../../src/shared/api.js';
import {
  fittedColumnWidth,
  arrowClasses,
  arrowOfRow,
  clampZoom,
  columnOrder,
  fitZoom,
  formatDelta,
  formatOffset,
  formatPause,
  labelParts,
  LADDER_DEFAULTS,
  layoutLadder,
  MAX_ZOOM,
  MIN_ZOOM,
  SELF_LABEL_ROOM,
  stepZoom,
  thinArrows,
  visibleArrows,
} from '../../../src/renderer/src/calls/ladder-layout.js';
import { haveSharedCaptures, repoRoot, sharedCapture } from '../../helpers/paths.js';
import { haveTshark } from '../../helpers/tshark.js';
import { callIndexes, tsharkLadder, tsharkMessages } from './tshark-calls.js';

const sample = join(repoRoot, 'resources/sample-volte.pcap');
const withShared = haveTshark && haveSharedCaptures;

describe.skipIf(!haveTshark)('ladder layout of the bundled sample (tshark decode)', () => {
  const messages = tsharkMessages(sample);
  const data = tsharkLadder(messages);
  const layout = layoutLadder(data, { zoom: 1 });

  it('has one column per host, the first message’s sender leftmost, evenly spaced', () => {
    expect(messages).toHaveLength(36);
    expect(layout.columns.map((c) => c.address)).toEqual(['127.0.0.1:5060', '127.0.0.1:5070']);
    expect(layout.columns[1].x - layout.columns[0].x).toBe(LADDER_DEFAULTS.columnWidth);
    expect(layout.columns[0].x).toBeGreaterThan(layout.gutterWidth);
  });

  it('places every arrow between its hosts’ lifelines, pointing the way the message went', () => {
    layout.arrows.forEach((position, i) => {
      const m = messages[data.arrows[i].row];
      const xOf = (address: string) => layout.columns.find((c) => c.address === address)!.x;
      expect(position.x1).toBe(xOf(m.source));
      expect(position.x2).toBe(xOf(m.destination));
      // INVITE, PRACK, UPDATE, ACK, BYE go 5060 → 5070 (right); every response comes back (left).
      expect(position.direction).toBe(m.method !== null ? 'right' : 'left');
    });
  });

  it('runs down the page in frame order, one row per message (no pause of 1 s in this trace)', () => {
    expect(layout.gaps).toEqual([]);
    for (let i = 1; i < layout.arrows.length; i++) {
      expect(data.arrows[i].frame).toBeGreaterThan(data.arrows[i - 1].frame);
      expect(layout.arrows[i].y - layout.arrows[i - 1].y).toBeCloseTo(LADDER_DEFAULTS.rowHeight, 9);
    }
    expect(layout.height).toBeGreaterThan(layout.arrows[35].y);
  });

  it('gives the gutter the time since the first message and the delta to the previous one', () => {
    expect(layout.arrows[0].relative).toBe(0);
    expect(layout.arrows[0].delta).toBe(0);
    // Frame 2 (100 Trying) is 253 µs after frame 1 (tshark: 1795489147.982197 → .982450).
    expect(formatDelta(layout.arrows[1].delta)).toBe('+0.000253');
    // The last 200 OK (frame 36) is 0.307746 s after the first INVITE.
    expect(formatOffset(layout.arrows[35].relative)).toBe('0.307746');
  });

  it('draws bands over exactly their arrows, overlapping ones in separate lanes right of the lifelines', () => {
    // 3 calls × (INVITE+ACK, PRACK, UPDATE, BYE).
    expect(layout.bands).toHaveLength(12);
    const lastLifeline = layout.columns[layout.columns.length - 1].x;
    for (const position of layout.bands) {
      const band = data.bands[position.index];
      for (let a = band.firstArrow; a <= band.lastArrow; a++) {
        expect(position.y1).toBeLessThan(layout.arrows[a].y);
        expect(position.y2).toBeGreaterThan(layout.arrows[a].y);
      }
      // It does not reach the neighbouring rows' arrows.
      if (band.firstArrow > 0) expect(position.y1).toBeGreaterThan(layout.arrows[band.firstArrow - 1].y);
      expect(position.x).toBeGreaterThan(lastLifeline);
      expect(position.x + position.width).toBeLessThanOrEqual(layout.width);
    }
    // Call 1's set-up (frames 1-10) spans its PRACK (4-5) and UPDATE (6-7): three lanes at once.
    const setup = layout.bands.find((b) => data.bands[b.index].procedure === 'call-setup' && data.bands[b.index].call === 0)!;
    const prack = layout.bands.find((b) => data.bands[b.index].procedure === 'other' && data.bands[b.index].firstArrow === 3);
    expect(setup.lane).toBe(0);
    expect(data.bands[setup.index]).toMatchObject({ firstArrow: 0, lastArrow: 9, outcome: 'success' });
    expect(prack?.lane).toBe(1);
    // Bands that overlap never share a lane.
    for (const a of layout.bands) {
      for (const b of layout.bands) {
        if (a === b || a.lane !== b.lane) continue;
        expect(a.y2 < b.y1 || b.y2 < a.y1).toBe(true);
      }
    }
  });

  it('scales vertical distances with the zoom, keeps columns, and clamps it', () => {
    const double = layoutLadder(data, { zoom: 2 });
    const half = layoutLadder(data, { zoom: 0.5 });
    for (let i = 1; i < layout.arrows.length; i++) {
      expect(double.arrows[i].y - double.arrows[0].y).toBeCloseTo(2 * (layout.arrows[i].y - layout.arrows[0].y), 9);
      expect(half.arrows[i].y - half.arrows[0].y).toBeCloseTo(0.5 * (layout.arrows[i].y - layout.arrows[0].y), 9);
    }
    expect(double.columns).toEqual(layout.columns);
    expect(double.rowHeight).toBe(2 * LADDER_DEFAULTS.rowHeight);
    expect(layout.density).toBe('full');
    expect(half.density).toBe('dense'); // 15 px rows: small labels, no delta / SDP lines
    expect(half.labelled).toBe(true);
    const third = layoutLadder(data, { zoom: 0.3 });
    expect(third.density).toBe('bare'); // 9 px rows: arrows only
    expect(third.labelled).toBe(false);
    expect(clampZoom(100)).toBe(MAX_ZOOM);
    expect(clampZoom(0)).toBe(MIN_ZOOM);
    expect(clampZoom(Number.NaN)).toBe(1);
    expect(layoutLadder(data, { zoom: 1000 }).rowHeight).toBe(MAX_ZOOM * LADDER_DEFAULTS.rowHeight);
    expect(stepZoom(1, 1)).toBeCloseTo(1.25, 9);
    expect(stepZoom(stepZoom(1, 3), -3)).toBeCloseTo(1, 9);
  });

  it('fits: a 36-message ladder shrinks to 300 px, and is never enlarged', () => {
    const zoom = fitZoom(data, 300);
    expect(zoom).toBeLessThan(1);
    expect(layoutLadder(data, { zoom }).height).toBeLessThanOrEqual(300 + 1e-6);
    expect(layoutLadder(data, { zoom: zoom * 1.05 }).height).toBeGreaterThan(300);
    expect(fitZoom(data, 5000)).toBe(1);
  });

  it('draws the ladder of one call with only that call’s arrows and hosts', () => {
    const calls = callIndexes(messages);
    const second = tsharkLadder(messages, [calls.get('2-27294@127.0.0.1')!]);
    const l = layoutLadder(second, { zoom: 1 });
    expect(l.arrows.map((a) => second.arrows[a.index].frame)).toEqual([11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 33, 34]);
    expect(arrowOfRow(second, second.arrows[4].row)).toBe(4);
    expect(arrowOfRow(second, 0)).toBe(-1); // frame 1 is call 1's
    expect(arrowOfRow(second, null)).toBe(-1);
  });

  it('splits labels into the reference term and the rest', () => {
    expect(labelParts(data.arrows[0])).toEqual({ kind: 'method', term: 'INVITE', rest: '' });
    expect(labelParts(data.arrows[2])).toEqual({ kind: 'response', term: '183', rest: ' Session Progress (INVITE)' });
  });
});

describe.skipIf(!withShared)('ladder layout of real multi-host captures (tshark decode)', () => {
  it('orders columns by first appearance across a WebSocket leg and a UDP leg, whatever the hosts’ order in the data', () => {
    const data = tsharkLadder(tsharkMessages(sharedCapture('heplify_sip_tcp_websocket.pcap')));
    expect(data.hosts.map((h) => h.address)[0]).toBe('10.243.0.143:5060'); // sorted, not by appearance
    const layout = layoutLadder(data, { zoom: 1 });
    expect(layout.columns.map((c) => c.address)).toEqual([
      '10.243.0.157:5070', // OPTIONS, frame 1
      '10.243.0.143:5060',
      '10.243.17.55:43380', // INVITE over WebSocket, frame 11
      '10.243.0.157:8080',
      '10.243.0.157:5060',
      '10.243.1.36:5090',
      '18.214.104.248:5090',
    ]);
    // An explicit order (a user's drag) wins; hosts it leaves out follow by appearance.
    expect(columnOrder(data, [6, 0]).slice(0, 3).map((h) => data.hosts[h].address)).toEqual([
      data.hosts[6].address,
      data.hosts[0].address,
      '10.243.0.157:5070',
    ]);
    // Columns are never repeated or missed.
    expect(new Set(layout.columns.map((c) => c.host)).size).toBe(data.hosts.length);
  });

  it('adds a gap marker for each pause of a second or more, keeping y monotonic', () => {
    const data = tsharkLadder(tsharkMessages(sharedCapture('heplify_sip_tcp_websocket.pcap')));
    const layout = layoutLadder(data, { zoom: 1 });
    const pauses = data.arrows.map((a, i) => (i === 0 ? 0 : a.time - data.arrows[i - 1].time)).filter((d) => d >= 1);
    expect(pauses.length).toBeGreaterThan(3); // OPTIONS → INVITE 4.4 s, 183 → 183, 183 → 200, 200 → BYE...
    expect(layout.gaps.map((g) => g.seconds)).toEqual(pauses);
    for (const gap of layout.gaps) {
      expect(gap.y).toBeGreaterThan(layout.arrows[gap.before - 1].y);
      expect(gap.y).toBeLessThan(layout.arrows[gap.before].y);
      expect(layout.arrows[gap.before].y - layout.arrows[gap.before - 1].y).toBeCloseTo(LADDER_DEFAULTS.rowHeight + LADDER_DEFAULTS.gapHeight, 9);
    }
    expect(formatPause(layout.gaps[0].seconds)).toBe('4.4 s');
  });

  it('draws a message whose source and destination are the same host as a loop that stays in its row', () => {
    // Frames 4 onwards of this anonymised trace go from 212.97.251.45:9687 to itself.
    const data = tsharkLadder(tsharkMessages(sharedCapture('nokia_10_tcp_volte.pcap.gz')));
    const layout = layoutLadder(data, { zoom: 1 });
    const selfArrows = layout.arrows.filter((a) => data.arrows[a.index].from === data.arrows[a.index].to);
    expect(selfArrows.length).toBeGreaterThanOrEqual(4);
    const column = layout.columns.find((c) => c.address === '212.97.251.45:9687')!;
    for (const a of selfArrows) {
      expect(a.direction).toBe('self');
      expect(a.x1).toBe(column.x);
      expect(a.x2).toBe(column.x);
      expect(a.loopWidth).toBeGreaterThan(0);
      expect(a.loopWidth).toBeLessThan(LADDER_DEFAULTS.columnWidth / 2);
      expect(a.loopHeight).toBeGreaterThan(0);
      expect(a.labelX).toBeGreaterThan(a.x1 + a.loopWidth);
      const next = layout.arrows[a.index + 1];
      if (next) expect(a.y + a.loopHeight).toBeLessThan(next.y);
    }
    expect(layout.height).toBeGreaterThan(selfArrows[selfArrows.length - 1].y + selfArrows[selfArrows.length - 1].loopHeight);
    // The loop is on the last column: its label gets room before the procedure bands start.
    expect(column).toBe(layout.columns[layout.columns.length - 1]);
    for (const band of layout.bands) expect(band.x).toBeGreaterThanOrEqual(selfArrows[0].labelX + SELF_LABEL_ROOM);
    // Regular arrows of the same trace are not loops.
    expect(layout.arrows[0].direction).toBe('right');
  });

  it('marks retransmissions (dashed), copies (faded) and errors (red) with the classes the legend explains', () => {
    // Frames 225 and 227 resend the INVITE of frame 223 (tshark's sip.resend); 252 is a 408.
    const data = tsharkLadder(tsharkMessages(sharedCapture('sngrep_aaa.pcap')));
    const byFrame = (frame: number) => data.arrows.find((a) => a.frame === frame)!;
    expect(arrowClasses(byFrame(223), false)).toEqual(['ladder-arrow', 'request']);
    expect(arrowClasses(byFrame(225), false)).toEqual(['ladder-arrow', 'request', 'retransmission']);
    expect(arrowClasses(byFrame(227), true)).toEqual(['ladder-arrow', 'request', 'retransmission', 'selected']);
    expect(arrowClasses(byFrame(228), false)).toEqual(['ladder-arrow', 'status-provisional']);
    expect(arrowClasses(byFrame(252), false)).toEqual(['ladder-arrow', 'status-failure', 'severity-warning']);
    expect(arrowClasses({ ...byFrame(223), duplicate: true, severity: 'error' }, false)).toEqual(['ladder-arrow', 'request', 'duplicate', 'severity-error']);
    expect(arrowClasses(byFrame(182), false)).toContain('status-success');
  });

  it('virtualizes: the visible window of an 8989-message ladder is a small slice holding every arrow in view', () => {
    const data = tsharkLadder(tsharkMessages(sharedCapture('sipnab_sipp-branch-scenario.pcapng')));
    expect(data.arrows).toHaveLength(8989);
    const layout = layoutLadder(data, { zoom: 1 });
    for (const top of [0, 12_345, layout.height / 2, layout.height - 600]) {
      const { first, last } = visibleArrows(layout, top, 600, 100);
      expect(last - first).toBeLessThan(Math.ceil((600 + 200) / layout.rowHeight) + 4);
      layout.arrows.forEach((a, i) => {
        if (a.y >= top && a.y <= top + 600) {
          expect(i).toBeGreaterThanOrEqual(first);
          expect(i).toBeLessThan(last);
        }
      });
    }
    expect(visibleArrows(layout, layout.height + 10_000, 600, 0)).toEqual({ first: 8989, last: 8989 });
    // Fit brings all of it into 900 px (rows well under a pixel: arrows without labels).
    const zoom = fitZoom(data, 900);
    const fitted = layoutLadder(data, { zoom });
    expect(fitted.height).toBeLessThanOrEqual(900 + 1e-6);
    expect(fitted.labelled).toBe(false);
    // ~0.1 px rows: one arrow per 2 px is drawn, preferring what matters (the selected one, errors).
    const everything = { first: 0, last: fitted.arrows.length };
    const plain = thinArrows(data, fitted, everything, -1);
    expect(plain.length).toBeLessThanOrEqual(Math.ceil(900 / 2) + 1);
    expect(plain.length).toBeGreaterThan(900 / 2 - 40);
    for (let i = 1; i < plain.length; i++) expect(Math.floor(fitted.arrows[plain[i]].y / 2)).toBeGreaterThan(Math.floor(fitted.arrows[plain[i - 1]].y / 2));
    expect(thinArrows(data, fitted, everything, 4321)).toContain(4321);
    const firstError = data.arrows.findIndex((a, i) => i > 0 && a.severity !== null);
    expect(data.arrows[firstError].status).toBe(403); // tshark-derived: 4xx marked as warnings
    expect(thinArrows(data, fitted, everything, -1)).toContain(firstError);
    // At normal size nothing is thinned.
    expect(thinArrows(data, layout, { first: 10, last: 40 }, -1)).toEqual(Array.from({ length: 30 }, (_, i) => 10 + i));
  });
});

describe('ladder layout edge cases', () => {
  it('lays out an empty ladder and tolerates arrows naming hosts that do not exist', () => {
    const empty = layoutLadder({ calls: [], hosts: [], arrows: [], bands: [] }, { zoom: 1 });
    expect(empty.arrows).toEqual([]);
    expect(empty.columns).toEqual([]);
    expect(empty.height).toBeGreaterThan(0);
    const bad: LadderData = {
      calls: [0],
      hosts: [{ address: '10.0.0.1:5060', alias: null }],
      arrows: [
        { row: 0, frame: 1, annotation: null, time: 1, from: 0, to: 7, method: 'OPTIONS', status: null, reason: null, label: 'OPTIONS', sdp: null, retransmission: false, duplicate: false, severity: null, call: 0, transport: 'UDP' },
      ],
      bands: [{ procedure: 'capability-query', outcome: 'incomplete', firstArrow: 0, lastArrow: 5, call: 0 }],
    };
    const layout = layoutLadder(bad, { zoom: 1 });
    expect(Number.isFinite(layout.arrows[0].x2)).toBe(true);
    expect(layout.bands).toEqual([]); // a band past the last arrow is dropped, not drawn at NaN
    expect(formatPause(75)).toBe('1 min 15 s');
    expect(formatPause(7260)).toBe('2 h 1 min');
  });
});

describe('fittedColumnWidth', () => {
  it('keeps the default spacing while the hosts fit, narrows down to 120 px, then lets the ladder scroll', () => {
    const reserved = LADDER_DEFAULTS.gutterWidth + 4 * LADDER_DEFAULTS.bandWidth + LADDER_DEFAULTS.bandMargin;
    expect(fittedColumnWidth(3, 1400)).toBe(LADDER_DEFAULTS.columnWidth);
    expect(fittedColumnWidth(7, 1200)).toBe(Math.floor((1200 - reserved) / 7));
    expect(fittedColumnWidth(7, 1200)).toBeLessThan(LADDER_DEFAULTS.columnWidth);
    // Columns fill the width exactly when they are narrowed.
    const width = fittedColumnWidth(6, 1000);
    expect(reserved + 6 * width).toBeLessThanOrEqual(1000);
    expect(reserved + 6 * (width + 1)).toBeGreaterThan(1000);
    expect(fittedColumnWidth(40, 900)).toBe(120);
    // Not measured yet (0 wide) or no hosts: the default.
    expect(fittedColumnWidth(7, 0)).toBe(LADDER_DEFAULTS.columnWidth);
    expect(fittedColumnWidth(0, 900)).toBe(LADDER_DEFAULTS.columnWidth);
  });
});
