/**
 * The reference tooltip's behaviour without a DOM: placement (flipping near the window's edges), the single
 * controller's hover/focus/leave timing, the delegated document listeners, and the "open in Reference" bus.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { onOpenReference, openReference } from '../../../src/renderer/src/reference/open-reference.js';
import { placeTooltip } from '../../../src/renderer/src/reference/tooltip-position.js';
import {
  HIDE_DELAY_MS,
  referenceTooltip,
  refTermProps,
  SHOW_DELAY_MS,
  TERM_SELECTOR,
  TOOLTIP_SELECTOR,
  TooltipController,
  TooltipDelegation,
  type DelegationElement,
  type TooltipTimers,
} from '../../../src/renderer/src/reference/tooltip-store.js';

const viewport = { width: 1000, height: 800 };
const size = { width: 300, height: 200 };
const rect = (left: number, top: number, width = 40, height = 16) => ({ left, top, right: left + width, bottom: top + height });

describe('placeTooltip', () => {
  it('goes below the term, left-aligned, with a gap', () => {
    expect(placeTooltip(rect(100, 100), size, viewport)).toEqual({ left: 100, top: 122, side: 'below' });
  });

  it('flips above a term near the bottom of the window', () => {
    expect(placeTooltip(rect(100, 700), size, viewport)).toEqual({ left: 100, top: 494, side: 'above' });
  });

  it('right-aligns with a term near the right edge', () => {
    // anchor.right (990) - width (300).
    expect(placeTooltip(rect(950, 100), size, viewport).left).toBe(690);
  });

  it('stays inside the window on both axes when neither side fits', () => {
    const tall = { width: 1200, height: 700 };
    const place = placeTooltip(rect(500, 400), tall, viewport);
    expect(place.left).toBe(8);
    expect(place.top).toBeGreaterThanOrEqual(8);
    expect(place.top + tall.height).toBeLessThanOrEqual(viewport.height - 8 + 0.5);
  });

  it('keeps below when below has more room even if it does not fit', () => {
    const place = placeTooltip(rect(10, 300), { width: 100, height: 600 }, viewport);
    expect(place.side).toBe('below');
    expect(place.top).toBe(192); // pushed up so it ends at the bottom margin
  });

  it('clamps a term partly off the left edge', () => {
    expect(placeTooltip(rect(-30, 100), size, viewport).left).toBe(8);
  });
});

/** Timers the test fires by hand. */
function manualTimers() {
  let next = 1;
  const pending = new Map<number, { fn: () => void; ms: number }>();
  const timers: TooltipTimers = {
    set: (fn, ms) => {
      pending.set(next, { fn, ms });
      return next++;
    },
    clear: (handle) => void pending.delete(handle as number),
  };
  const fire = (ms: number) => {
    for (const [id, t] of [...pending]) {
      if (t.ms === ms) {
        pending.delete(id);
        t.fn();
      }
    }
  };
  return { timers, pending, fire };
}

function anchor(left = 10, connected = true) {
  return { getBoundingClientRect: () => rect(left, 20), isConnected: connected };
}

describe('TooltipController', () => {
  it('opens a hovered term after the show delay, not before', () => {
    const t = manualTimers();
    const c = new TooltipController(t.timers, 300, 200);
    const a = anchor();
    c.enterTerm('method', 'INVITE', a);
    expect(c.getState()).toBeNull();
    expect([...t.pending.values()].map((p) => p.ms)).toEqual([300]);
    t.fire(300);
    expect(c.getState()).toMatchObject({ kind: 'method', term: 'INVITE', anchor: a, rect: rect(10, 20) });
  });

  it('does not open when the pointer leaves before the delay (sweeping across the table)', () => {
    const t = manualTimers();
    const c = new TooltipController(t.timers, 300, 200);
    const a = anchor();
    c.enterTerm('method', 'INVITE', a);
    c.leaveTerm(a);
    expect(t.pending.size).toBe(0);
    expect(c.getState()).toBeNull();
  });

  it('only the last hovered term opens: one pending timer at a time', () => {
    const t = manualTimers();
    const c = new TooltipController(t.timers, 300, 200);
    c.enterTerm('method', 'INVITE', anchor(1));
    c.enterTerm('response', '183', anchor(2));
    expect(t.pending.size).toBe(1);
    t.fire(300);
    expect(c.getState()?.term).toBe('183');
  });

  it('hops to another term at once while a tooltip is open', () => {
    const t = manualTimers();
    const c = new TooltipController(t.timers, 300, 200);
    const a = anchor(1);
    const b = anchor(2);
    c.enterTerm('method', 'INVITE', a);
    t.fire(300);
    const first = c.getState()!;
    c.leaveTerm(a);
    c.enterTerm('header', 'Via', b);
    const second = c.getState()!;
    expect(second).toMatchObject({ term: 'Via', anchor: b });
    expect(second.serial).toBeGreaterThan(first.serial);
    expect(t.pending.size).toBe(0);
  });

  it('stays open while the pointer moves from the term into the tooltip, closes after leaving it', () => {
    const t = manualTimers();
    const c = new TooltipController(t.timers, 300, 200);
    const a = anchor();
    c.enterTerm('method', 'INVITE', a);
    t.fire(300);
    c.leaveTerm(a);
    c.enterTooltip();
    t.fire(200);
    expect(c.getState()).not.toBeNull();
    c.leaveTooltip();
    t.fire(200);
    expect(c.getState()).toBeNull();
  });

  it('closes after the hide delay when the pointer leaves the term for elsewhere', () => {
    const t = manualTimers();
    const c = new TooltipController(t.timers, 300, 200);
    const a = anchor();
    c.enterTerm('method', 'INVITE', a);
    t.fire(300);
    c.leaveTerm(a);
    expect(c.getState()).not.toBeNull();
    t.fire(200);
    expect(c.getState()).toBeNull();
  });

  it('re-entering the same term keeps it open and cancels the hide', () => {
    const t = manualTimers();
    const c = new TooltipController(t.timers, 300, 200);
    const a = anchor();
    c.enterTerm('method', 'INVITE', a);
    t.fire(300);
    const state = c.getState();
    c.leaveTerm(a);
    c.enterTerm('method', 'INVITE', a);
    expect(t.pending.size).toBe(0);
    expect(c.getState()).toBe(state);
  });

  it('opens at once on keyboard focus and closes soon after blur', () => {
    const t = manualTimers();
    const c = new TooltipController(t.timers, 300, 200);
    const a = anchor();
    c.focusTerm('header', 'Via', a);
    expect(c.getState()?.term).toBe('Via');
    c.blurTerm(a);
    expect(c.getState()).not.toBeNull();
    t.fire(200);
    expect(c.getState()).toBeNull();
  });

  it('close() (Escape) closes now and drops pending timers', () => {
    const t = manualTimers();
    const c = new TooltipController(t.timers, 300, 200);
    c.focusTerm('header', 'Via', anchor());
    c.enterTerm('method', 'BYE', anchor(5));
    c.close();
    expect(c.getState()).toBeNull();
    expect(t.pending.size).toBe(0);
  });

  it('does not open for an element that left the document (virtualised row scrolled away)', () => {
    const t = manualTimers();
    const c = new TooltipController(t.timers, 300, 200);
    c.enterTerm('method', 'INVITE', anchor(1, false));
    t.fire(300);
    expect(c.getState()).toBeNull();
  });

  it('notifies subscribers on open and close only, and unsubscribes', () => {
    const t = manualTimers();
    const c = new TooltipController(t.timers, 300, 200);
    const listener = vi.fn();
    const unsubscribe = c.subscribe(listener);
    const a = anchor();
    c.enterTerm('method', 'INVITE', a);
    expect(listener).not.toHaveBeenCalled();
    t.fire(300);
    expect(listener).toHaveBeenCalledTimes(1);
    c.close();
    c.close();
    expect(listener).toHaveBeenCalledTimes(2);
    unsubscribe();
    c.focusTerm('method', 'ACK', a);
    expect(listener).toHaveBeenCalledTimes(2);
  });
});

describe('TooltipDelegation (document listeners for every term)', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => {
    referenceTooltip.close();
    vi.useRealTimers();
  });

  /** A fake DOM: elements with a parent chain, `closest()` over the two selectors the delegation uses. */
  function node(attributes: Record<string, string>, parent: DelegationElement | null = null, tooltip = false): DelegationElement {
    const self: DelegationElement = {
      getAttribute: (name) => attributes[name] ?? null,
      getBoundingClientRect: () => rect(0, 0),
      isConnected: true,
      closest: (selector) => {
        const matches = selector === TERM_SELECTOR ? 'data-ref-term' in attributes : selector === TOOLTIP_SELECTOR ? tooltip : false;
        return matches ? self : (parent?.closest(selector) ?? null);
      },
    };
    return self;
  }
  const cell = node({});
  const term = node({ 'data-ref-kind': 'header', 'data-ref-term': 'P-Access-Network-Info' }, cell);
  const inner = node({}, term); // a child of the term (<b> inside the span)
  const other = node({ 'data-ref-kind': 'response', 'data-ref-term': '183' }, cell);
  const tooltip = node({}, null, true);
  const button = node({}, tooltip);

  it('refTermProps carries the term as data attributes, and is focusable', () => {
    expect(refTermProps('response', '183')).toEqual({ 'data-ref-kind': 'response', 'data-ref-term': '183', tabIndex: 0 });
  });

  it('opens the term under the pointer after the real delay, also from a child element', () => {
    const d = new TooltipDelegation(referenceTooltip);
    d.pointerOver(inner);
    vi.advanceTimersByTime(SHOW_DELAY_MS - 1);
    expect(referenceTooltip.getState()).toBeNull();
    vi.advanceTimersByTime(1);
    expect(referenceTooltip.getState()).toMatchObject({ kind: 'header', term: 'P-Access-Network-Info', anchor: term });
    // Moving within the term changes nothing.
    d.pointerOver(term);
    vi.advanceTimersByTime(HIDE_DELAY_MS);
    expect(referenceTooltip.getState()?.anchor).toBe(term);
  });

  it('keeps the tooltip while the pointer is in it, closes once it leaves to elsewhere', () => {
    const d = new TooltipDelegation(referenceTooltip);
    d.pointerOver(term);
    vi.advanceTimersByTime(SHOW_DELAY_MS);
    d.pointerOver(button);
    vi.advanceTimersByTime(HIDE_DELAY_MS * 3);
    expect(referenceTooltip.getState()).not.toBeNull();
    d.pointerOver(cell);
    vi.advanceTimersByTime(HIDE_DELAY_MS);
    expect(referenceTooltip.getState()).toBeNull();
  });

  it('hops straight to the next term, and closes when the pointer leaves the window', () => {
    const d = new TooltipDelegation(referenceTooltip);
    d.pointerOver(term);
    vi.advanceTimersByTime(SHOW_DELAY_MS);
    d.pointerOver(other);
    expect(referenceTooltip.getState()?.term).toBe('183');
    d.pointerLeftWindow();
    vi.advanceTimersByTime(HIDE_DELAY_MS);
    expect(referenceTooltip.getState()).toBeNull();
  });

  it('opens on keyboard focus only, and survives focus moving into the tooltip', () => {
    const d = new TooltipDelegation(referenceTooltip);
    d.focusIn(term, false); // a mouse click focused it
    expect(referenceTooltip.getState()).toBeNull();
    d.focusIn(term, true);
    expect(referenceTooltip.getState()?.term).toBe('P-Access-Network-Info');
    d.focusOut(term);
    d.focusIn(button, true);
    vi.advanceTimersByTime(HIDE_DELAY_MS * 2);
    expect(referenceTooltip.getState()).not.toBeNull();
    d.focusOut(button);
    vi.advanceTimersByTime(HIDE_DELAY_MS);
    expect(referenceTooltip.getState()).toBeNull();
  });

  it('ignores targets that are not terms, and a term without its kind', () => {
    const d = new TooltipDelegation(referenceTooltip);
    d.pointerOver(null);
    d.pointerOver(cell);
    d.focusIn(node({ 'data-ref-term': 'x' }), true);
    vi.advanceTimersByTime(SHOW_DELAY_MS);
    expect(referenceTooltip.getState()).toBeNull();
  });
});

describe('openReference', () => {
  it('delivers each request to the listeners as a new object until they unsubscribe', () => {
    const seen: unknown[] = [];
    const stop = onOpenReference((target) => seen.push(target));
    const target = { kind: 'response', term: '183' };
    openReference(target);
    openReference(target);
    expect(seen).toEqual([target, target]);
    expect(seen[0]).not.toBe(seen[1]);
    stop();
    openReference(target);
    expect(seen).toHaveLength(2);
  });
});
