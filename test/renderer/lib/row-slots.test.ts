import { describe, expect, it } from 'vitest';
import { RowSlots, inPositionOrder } from '../../../src/renderer/src/lib/row-slots.js';

/** Position → slot of one assignment. */
function bySlot(first: number, slots: number[]): Map<number, number> {
  return new Map(slots.map((slot, i) => [first + i, slot]));
}

describe('RowSlots', () => {
  it('starts in position order, one distinct slot per position', () => {
    const slots = new RowSlots();
    expect(slots.assign(100, 104)).toEqual([0, 1, 2, 3, 4]);
    expect(slots.assign(0, -1)).toEqual([]);
  });

  it('scrolling by a few rows keeps the slots of the rows still shown and gives the freed ones to the new rows', () => {
    const slots = new RowSlots();
    const before = bySlot(0, slots.assign(0, 9));
    const after = slots.assign(3, 12);
    const now = bySlot(3, after);
    // Positions 3..9 stay where they were (no DOM change for them).
    for (let p = 3; p <= 9; p++) expect(now.get(p)).toBe(before.get(p));
    // Positions 10..12 take the slots of 0..2, in order.
    expect([now.get(10), now.get(11), now.get(12)]).toEqual([0, 1, 2]);
    expect(new Set(after).size).toBe(after.length);
    expect(inPositionOrder(after)).toBe(false);
    // Scrolling back up hands them back.
    expect(slots.assign(0, 9)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });

  it('a jump past the rendered rows restarts in position order', () => {
    const slots = new RowSlots();
    slots.assign(0, 9);
    slots.assign(4, 13);
    expect(slots.assign(5000, 5009)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });

  it('settle puts the slots back in position order', () => {
    const slots = new RowSlots();
    slots.assign(0, 9);
    expect(inPositionOrder(slots.assign(2, 11))).toBe(false);
    expect(slots.assign(2, 11, true)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    // And the next step reuses from there.
    expect(bySlot(3, slots.assign(3, 12)).get(12)).toBe(0);
  });

  it('keeps the slots distinct and within 0..count-1 when the number of rows changes', () => {
    const slots = new RowSlots();
    slots.assign(0, 19);
    slots.assign(7, 26);
    // Fewer rows (the overscan dropped during a fast scroll): slots past the count are given up.
    const fewer = slots.assign(10, 19);
    expect([...fewer].sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    // More rows again.
    const more = slots.assign(5, 29);
    expect([...more].sort((a, b) => a - b)).toEqual(Array.from({ length: 25 }, (_, i) => i));
    // Rows kept by the previous assignment, with a slot within the new count, kept it.
    const previous = bySlot(10, fewer);
    const now = bySlot(5, more);
    for (let p = 10; p <= 19; p++) expect(now.get(p)).toBe(previous.get(p));
  });

  it('stays a permutation over a long random walk', () => {
    const slots = new RowSlots();
    let first = 0;
    let seed = 7;
    const random = () => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    for (let step = 0; step < 500; step++) {
      first = Math.max(0, first + Math.floor((random() - 0.5) * 30));
      const count = 15 + Math.floor(random() * 12);
      const assigned = slots.assign(first, first + count - 1, random() < 0.05);
      expect([...assigned].sort((a, b) => a - b)).toEqual(Array.from({ length: count }, (_, i) => i));
    }
  });
});
