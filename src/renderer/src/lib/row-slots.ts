/**
 * Which DOM row shows which position of the virtualized message table.
 *
 * Rows are keyed by slot, not by position: as the table scrolls, a position that comes into view takes the
 * slot a position scrolling out gave up, and React updates that row's text in place. Keying by position
 * would remove one row and create another per position scrolled; keying by `position % k` only reuses when
 * `k` is exactly the number of rows rendered, and even then React keeps the DOM in position order by moving
 * the reused rows, and a moved element loses its layout objects (style and layout again from scratch).
 *
 * Slots are rendered in slot order, so that no element ever moves. The DOM order then drifts from the
 * visual order while scrolling by small steps (each row carries `aria-rowindex`, which is what assistive
 * technology reads in a grid); `assign(…, settle = true)` puts it back in position order, for when the
 * table is at rest.
 */
export class RowSlots {
  /** Position → slot for the positions rendered last time. */
  private slotOf = new Map<number, number>();

  /**
   * Slots for positions `first..last` (inclusive; none when `last < first`), one per position, in
   * position order. Slots are `0..count-1`. Positions rendered last time keep their slot unless `settle`
   * (or nothing is kept anyway), in which case slot = position − first.
   */
  assign(first: number, last: number, settle = false): number[] {
    const count = Math.max(0, last - first + 1);
    const slots = new Array<number>(count);
    const next = new Map<number, number>();
    const taken = new Uint8Array(count);
    let kept = 0;
    if (!settle) {
      for (let i = 0; i < count; i++) {
        const slot = this.slotOf.get(first + i);
        // A slot past the new count (fewer rows fit now) is given up.
        if (slot !== undefined && slot < count && taken[slot] === 0) {
          slots[i] = slot;
          taken[slot] = 1;
          kept++;
        } else slots[i] = -1;
      }
    }
    if (kept === 0) {
      for (let i = 0; i < count; i++) {
        slots[i] = i;
        next.set(first + i, i);
      }
    } else {
      let free = 0;
      for (let i = 0; i < count; i++) {
        if (slots[i] < 0) {
          while (taken[free] === 1) free++;
          slots[i] = free;
          taken[free] = 1;
        }
        next.set(first + i, slots[i]);
      }
    }
    this.slotOf = next;
    return slots;
  }
}

/** True when the slots are in position order (what `settle` restores). */
export function inPositionOrder(slots: readonly number[]): boolean {
  for (let i = 0; i < slots.length; i++) if (slots[i] !== i) return false;
  return true;
}
