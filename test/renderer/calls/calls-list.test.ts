import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { CallSummary } from '../../../src/shared/api.js';
import {
  callsStatus,
  clickSelection,
  EMPTY_SELECTION,
  filterCalls,
  findingsTitle,
  formatMs,
  formatStart,
  kindText,
  ladderCalls,
  MAX_LADDER_CALLS,
  moveSelection,
  nextSort,
  sortCalls,
  stateClass,
  worstSeverity,
} from '../../../src/renderer/src/calls/calls-list.js';
import { haveSharedCaptures, repoRoot, sharedCapture } from '../../helpers/paths.js';
import { haveTshark } from '../../helpers/tshark.js';
import { tsharkCalls, tsharkMessages } from './tshark-calls.js';

const indexes = (calls: readonly CallSummary[]) => calls.map((c) => c.index);

describe.skipIf(!haveTshark || !haveSharedCaptures)('calls list over sngrep’s aaa.pcap (tshark decode)', () => {
  // 6 Call-IDs: 2 registrations (one failing with 403), a cancelled INVITE, 3 rejected INVITEs.
  const calls = tsharkCalls(tsharkMessages(sharedCapture('sngrep_aaa.pcap')));

  it('sorts by messages both ways, ties kept in list order', () => {
    expect(calls.map((c) => c.messages)).toEqual([26, 18, 8, 14, 7, 8]);
    expect(indexes(sortCalls(calls, { column: 'messages', descending: false }))).toEqual([4, 2, 5, 3, 1, 0]);
    expect(indexes(sortCalls(calls, { column: 'messages', descending: true }))).toEqual([0, 1, 3, 2, 5, 4]);
    expect(indexes(sortCalls(calls, null))).toEqual([0, 1, 2, 3, 4, 5]);
  });

  it('puts calls without a measurement last in both directions', () => {
    // Set-up time (INVITE → ACK) exists for the four INVITE calls only.
    const ascending = sortCalls(calls, { column: 'setupTime', descending: false });
    const descending = sortCalls(calls, { column: 'setupTime', descending: true });
    expect(indexes(ascending)).toEqual([4, 5, 2, 1, 0, 3]);
    expect(indexes(descending)).toEqual([1, 2, 5, 4, 0, 3]);
    expect(formatMs(ascending[0].setupTimeMs)).toBe('158 ms');
    expect(formatMs(descending[0].setupTimeMs)).toBe('36.8 s');
  });

  it('sorts by text columns case-insensitively and by findings worst first', () => {
    const byTo = sortCalls(calls, { column: 'to', descending: false }).map((c) => c.to);
    expect(byTo).toEqual([...byTo].sort((a, b) => a.toLowerCase().localeCompare(b.toLowerCase())));
    const byState = sortCalls(calls, { column: 'state', descending: false }).map((c) => c.state);
    expect(byState).toEqual(['CANCELLED', 'FAILED', 'REGISTERED', 'REJECTED', 'REJECTED', 'REJECTED']);
    // Two findings (a failure and retransmissions) outrank one; the finding-free registration comes last.
    expect(indexes(sortCalls(calls, { column: 'findings', descending: true }))).toEqual([1, 2, 0, 4, 5, 3]);
  });

  it('filters by words over from, to, Call-ID and state, case-insensitively', () => {
    expect(indexes(filterCalls(calls, 'rejected'))).toEqual([2, 4, 5]);
    expect(indexes(filterCalls(calls, '35104723'))).toEqual([3, 4, 5]);
    expect(indexes(filterCalls(calls, '35104723 REJECTED'))).toEqual([4, 5]);
    expect(indexes(filterCalls(calls, '446FAF7A'))).toEqual([1]); // a piece of a Call-ID
    expect(indexes(filterCalls(calls, 'brujula'))).toEqual([1]); // To: …@voip.brujula.net
    expect(indexes(filterCalls(calls, '  '))).toEqual([0, 1, 2, 3, 4, 5]);
    expect(filterCalls(calls, 'no-such-thing')).toEqual([]);
  });

  it('gives the worst severity and the findings as a title', () => {
    expect(worstSeverity(calls[1])).toBe('warning');
    expect(worstSeverity(calls[3])).toBeNull();
    expect(findingsTitle(calls[1])).toBe('warning: final 408 [failure-final]\nnote: retransmitted messages [retransmission]');
    // Worst first is the contract, but the cell does not rely on it.
    expect(worstSeverity({ ...calls[1], findings: [...calls[1].findings].reverse() })).toBe('warning');
    expect(worstSeverity({ ...calls[1], findings: [{ severity: 'note', code: 'x', message: 'x' }, { severity: 'error', code: 'y', message: 'y' }] })).toBe('error');
  });
});

describe.skipIf(!haveTshark)('calls list cells of the bundled sample (tshark decode)', () => {
  const calls = tsharkCalls(tsharkMessages(join(repoRoot, 'resources/sample-volte.pcap')));

  it('formats the KPIs the way the list shows them', () => {
    // Call 1: INVITE 1795489147.982197 → 183 .983639 → 200 .987306 → ACK .987352 → BYE 1795489148.094394.
    expect(calls[0]).toMatchObject({ state: 'IN CALL', messages: 12, postDialDelayMs: 1.442, answerTimeMs: 5.109, setupTimeMs: 5.155, durationMs: 107.042 });
    expect(formatMs(calls[0].postDialDelayMs)).toBe('1 ms');
    expect(formatMs(calls[0].durationMs)).toBe('107 ms');
    expect(formatStart(calls[0].start)).toBe('2026-11-24 02:59:07.982');
    expect(stateClass(calls[0].state)).toBe('state-ok');
    expect(kindText(calls[0])).toBe('call-setup + other, call-release');
  });
});

describe('calls list formatting and states', () => {
  it('formats durations across their ranges', () => {
    expect(formatMs(null)).toBe('—');
    expect(formatMs(999.4)).toBe('999 ms');
    expect(formatMs(1234)).toBe('1.234 s');
    expect(formatMs(12_345)).toBe('12.3 s');
    expect(formatMs(125_000)).toBe('2 min 05 s');
    expect(formatMs(3_720_000)).toBe('1 h 02 min');
    expect(formatStart(Number.NaN)).toBe('—');
  });

  it('colours every state of src/core/calls/analysis.ts', () => {
    expect(['IN CALL', 'COMPLETED', 'REGISTERED'].map(stateClass)).toEqual(['state-ok', 'state-ok', 'state-ok']);
    expect(['REJECTED', 'BUSY', 'FAILED'].map(stateClass)).toEqual(['state-failed', 'state-failed', 'state-failed']);
    expect(['CALL SETUP', 'RINGING', 'AUTH CHALLENGED', 'INCOMPLETE'].every((s) => stateClass(s) === 'state-progress')).toBe(true);
    expect(['CANCELLED', 'UNREGISTERED', 'DIVERTED'].every((s) => stateClass(s) === 'state-ended')).toBe(true);
    expect(stateClass('SOMETHING NEW')).toBe('state-other');
  });

  it('cycles a column’s sort: ascending, descending, off; another column starts ascending', () => {
    const a = nextSort(null, 'from');
    expect(a).toEqual({ column: 'from', descending: false });
    const b = nextSort(a, 'from');
    expect(b).toEqual({ column: 'from', descending: true });
    expect(nextSort(b, 'from')).toBeNull();
    expect(nextSort(b, 'to')).toEqual({ column: 'to', descending: false });
  });
});

describe('multi-selection', () => {
  // The list as sorted on screen: call indexes in display order.
  const order = [5, 3, 8, 1, 0, 2];

  it('selects one call on a plain click, toggles with Ctrl/Cmd, ranges with Shift', () => {
    let s = clickSelection(EMPTY_SELECTION, 8, { toggle: false, range: false }, order);
    expect(s).toEqual({ selected: [8], anchor: 8 });
    s = clickSelection(s, 0, { toggle: true, range: false }, order);
    expect(s).toEqual({ selected: [8, 0], anchor: 0 });
    s = clickSelection(s, 8, { toggle: true, range: false }, order);
    expect(s).toEqual({ selected: [0], anchor: 8 });
    // Shift-click from the anchor (8) up to 5, in display order.
    s = clickSelection(s, 5, { toggle: false, range: true }, order);
    expect(s).toEqual({ selected: [5, 3, 8], anchor: 8 });
    // Shift-click again replaces the range (the anchor stays).
    s = clickSelection(s, 2, { toggle: false, range: true }, order);
    expect(s).toEqual({ selected: [8, 1, 0, 2], anchor: 8 });
    // Ctrl+Shift adds a range to what is selected.
    s = clickSelection({ selected: [5], anchor: 1 }, 2, { toggle: true, range: true }, order);
    expect(s).toEqual({ selected: [5, 1, 0, 2], anchor: 1 });
    // A plain click resets to one call.
    expect(clickSelection(s, 3, { toggle: false, range: false }, order)).toEqual({ selected: [3], anchor: 3 });
  });

  it('treats Shift-click without an anchor, or with the anchor filtered away, as a plain click', () => {
    expect(clickSelection(EMPTY_SELECTION, 1, { toggle: false, range: true }, order)).toEqual({ selected: [1], anchor: 1 });
    expect(clickSelection({ selected: [42], anchor: 42 }, 1, { toggle: false, range: true }, order)).toEqual({ selected: [1], anchor: 1 });
    // A toggled call hidden by the quick filter stays selected, after the visible ones.
    expect(clickSelection({ selected: [42], anchor: 42 }, 1, { toggle: true, range: false }, order).selected).toEqual([1, 42]);
  });

  it('moves with the arrow keys, extending with Shift', () => {
    let s = moveSelection(EMPTY_SELECTION, 1, false, order);
    expect(s.selected).toEqual([5]);
    s = moveSelection(s, 1, false, order);
    expect(s.selected).toEqual([3]);
    s = moveSelection(s, 1, true, order);
    expect(s).toEqual({ selected: [3, 8], anchor: 3 });
    s = moveSelection(s, 1, true, order);
    expect(s.selected).toEqual([3, 8, 1]);
    s = moveSelection(s, -1, true, order);
    expect(s.selected).toEqual([3, 8]);
    expect(moveSelection(s, 100, false, order).selected).toEqual([2]);
    expect(moveSelection(s, -100, false, order).selected).toEqual([5]);
    expect(moveSelection(s, 1, false, [])).toBe(s);
  });

  it('asks for the ladder of at most 64 listed calls', () => {
    const many = Array.from({ length: 100 }, (_, i) => i);
    const s = clickSelection({ selected: [], anchor: 0 }, 99, { toggle: false, range: true }, many);
    expect(s.selected).toHaveLength(100);
    expect(ladderCalls(s, new Set(many))).toEqual(many.slice(0, MAX_LADDER_CALLS));
    // Calls no longer in the view (a new filter) are left out.
    expect(ladderCalls({ selected: [3, 7, 9], anchor: 3 }, new Set([7, 9, 11]))).toEqual([7, 9]);
  });

  it('says how many calls are listed, selected and drawn', () => {
    expect(callsStatus(1, 1, 0, 0)).toBe('1 call');
    expect(callsStatus(340, 12, 3, 3)).toBe('12 of 340 calls, 3 selected');
    expect(callsStatus(25_000, 25_000, 25_000, MAX_LADDER_CALLS)).toBe('25000 calls, 25000 selected (the ladder shows the first 64)');
  });

  it('stays fast with 25k calls (sorting, filtering, a Shift-click over all of them)', () => {
    const base: CallSummary = {
      index: 0, callId: '', annotation: null, state: 'IN CALL', kind: 'call-setup', procedures: ['call-setup'], from: '', to: '', start: 0, end: 0,
      messages: 0, session: 0, postDialDelayMs: null, answerTimeMs: null, setupTimeMs: null, durationMs: null, findings: [],
    };
    const calls = Array.from({ length: 25_000 }, (_, i) => ({
      ...base, index: i, callId: `${i}@host`, from: `sip:${(i * 7919) % 25_000}@ims`, to: `sip:${i}@ims`, messages: (i * 31) % 97, start: i,
      durationMs: i % 5 === 0 ? null : (i * 13) % 1000,
    }));
    const t0 = performance.now();
    const sorted = sortCalls(calls, { column: 'from', descending: false });
    const filtered = filterCalls(sorted, '@ims 12');
    const order = sorted.map((c) => c.index);
    const all = clickSelection({ selected: [order[0]], anchor: order[0] }, order[order.length - 1], { toggle: false, range: true }, order);
    const elapsed = performance.now() - t0;
    expect(all.selected).toHaveLength(25_000);
    expect(filtered.length).toBeGreaterThan(0);
    expect(filtered.every((c) => c.from.includes('12') || c.to.includes('12') || c.callId.includes('12'))).toBe(true);
    expect(elapsed).toBeLessThan(1500);
  });
});
