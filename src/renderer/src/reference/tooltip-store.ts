/**
 * The one reference tooltip of the window. The message table renders hundreds of hoverable terms, so a term
 * holds no state, timer or listener of its own: it is an element with `data-ref-kind` / `data-ref-term`,
 * document-level listeners (`TooltipDelegation`, installed once by `ReferenceTooltipHost`) find it from the
 * event target and drive this single controller, and the host renders whatever the controller says is open. Hover opens after a short delay (so sweeping the pointer across the table
 * does not flash tooltips), keyboard focus at once; the tooltip stays open while the pointer is over it.
 */
import type { ViewportRect } from './tooltip-position.js';

/** What a term is anchored to: its element (an HTML span, an SVG text). */
export interface TooltipAnchor {
  getBoundingClientRect(): ViewportRect;
  /** False once the element left the document (a virtualised row scrolled away). */
  readonly isConnected?: boolean;
}

export interface OpenTooltip {
  kind: string;
  term: string;
  anchor: TooltipAnchor;
  /** The anchor's rectangle when the tooltip opened. */
  rect: ViewportRect;
  /** Increases with each opening, so the host re-measures when the pointer hops between terms. */
  serial: number;
}

export interface TooltipTimers {
  set(callback: () => void, ms: number): unknown;
  clear(handle: unknown): void;
}

const realTimers: TooltipTimers = {
  set: (callback, ms) => setTimeout(callback, ms),
  clear: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};

/** Delays in ms: before a hovered term opens, and before a tooltip the pointer left closes. */
export const SHOW_DELAY_MS = 300;
export const HIDE_DELAY_MS = 200;

export class TooltipController {
  private open: OpenTooltip | null = null;
  private pending: { kind: string; term: string; anchor: TooltipAnchor } | null = null;
  private showTimer: unknown = null;
  private hideTimer: unknown = null;
  private serial = 0;
  private readonly listeners = new Set<() => void>();

  constructor(
    private readonly timers: TooltipTimers = realTimers,
    private readonly showDelay = SHOW_DELAY_MS,
    private readonly hideDelay = HIDE_DELAY_MS,
  ) {}

  /** The open tooltip, or null (a stable value between changes, for useSyncExternalStore). */
  readonly getState = (): OpenTooltip | null => this.open;

  readonly subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  /** The pointer entered a term: open it after the delay, or at once when another tooltip is already open. */
  enterTerm(kind: string, term: string, anchor: TooltipAnchor): void {
    this.cancelHide();
    if (this.open?.anchor === anchor) return;
    this.cancelShow();
    if (this.open) {
      this.show(kind, term, anchor);
      return;
    }
    this.pending = { kind, term, anchor };
    this.showTimer = this.timers.set(() => {
      this.showTimer = null;
      const pending = this.pending;
      this.pending = null;
      if (pending) this.show(pending.kind, pending.term, pending.anchor);
    }, this.showDelay);
  }

  /** The pointer left a term: forget a pending opening; let an open tooltip close unless the pointer reaches it. */
  leaveTerm(anchor: TooltipAnchor): void {
    if (this.pending?.anchor === anchor) this.cancelShow();
    if (this.open) this.scheduleHide();
  }

  /** Keyboard focus reached a term: open at once. */
  focusTerm(kind: string, term: string, anchor: TooltipAnchor): void {
    this.cancelShow();
    this.cancelHide();
    if (this.open?.anchor === anchor) return;
    this.show(kind, term, anchor);
  }

  /** Focus left a term: close soon, unless it moved into the tooltip (its "More…" button). */
  blurTerm(_anchor: TooltipAnchor): void {
    this.cancelShow();
    if (this.open) this.scheduleHide();
  }

  /** The pointer or focus is in the tooltip: keep it open. */
  enterTooltip(): void {
    this.cancelHide();
  }

  leaveTooltip(): void {
    if (this.open) this.scheduleHide();
  }

  /** Escape, scrolling, "More…": close now. */
  close(): void {
    this.cancelShow();
    this.cancelHide();
    if (this.open) {
      this.open = null;
      this.emit();
    }
  }

  private show(kind: string, term: string, anchor: TooltipAnchor): void {
    if (anchor.isConnected === false) return;
    this.open = { kind, term, anchor, rect: anchor.getBoundingClientRect(), serial: ++this.serial };
    this.emit();
  }

  private scheduleHide(): void {
    this.cancelHide();
    this.hideTimer = this.timers.set(() => {
      this.hideTimer = null;
      this.close();
    }, this.hideDelay);
  }

  private cancelShow(): void {
    this.pending = null;
    if (this.showTimer !== null) this.timers.clear(this.showTimer);
    this.showTimer = null;
  }

  private cancelHide(): void {
    if (this.hideTimer !== null) this.timers.clear(this.hideTimer);
    this.hideTimer = null;
  }

  private emit(): void {
    for (const listener of [...this.listeners]) listener();
  }
}

/** The window's tooltip. */
export const referenceTooltip = new TooltipController();

/** An element as the delegated listeners see it (an HTML or SVG element; a fake one in tests). */
export interface DelegationTarget {
  closest(selector: string): DelegationElement | null;
}

export interface DelegationElement extends DelegationTarget, TooltipAnchor {
  getAttribute(name: string): string | null;
}

/** What marks a term (RefTerm, refTermProps, the ladder's SvgRefTerm all carry these attributes). */
export const TERM_SELECTOR = '[data-ref-term]';
/** The tooltip's own box: the pointer or focus inside it keeps it open. */
export const TOOLTIP_SELECTOR = '.ref-tooltip';

/**
 * Turns the document's pointer and focus events into controller calls. One set of listeners on the document
 * (installed by `ReferenceTooltipHost`) serves every term, whatever renders it: a term is any element with
 * `data-ref-kind` / `data-ref-term`, found with `closest()` from the event target.
 */
export class TooltipDelegation {
  private hovered: DelegationElement | null = null;
  private overTooltip = false;

  constructor(private readonly controller: TooltipController) {}

  /** `mouseover` anywhere in the document. */
  pointerOver(target: DelegationTarget | null): void {
    if (target?.closest(TOOLTIP_SELECTOR)) {
      // Moving from the term into its tooltip is not leaving it.
      this.hovered = null;
      this.overTooltip = true;
      this.controller.enterTooltip();
      return;
    }
    if (this.overTooltip) {
      this.overTooltip = false;
      this.controller.leaveTooltip();
    }
    const term = target?.closest(TERM_SELECTOR) ?? null;
    if (term === this.hovered) return;
    if (this.hovered) this.controller.leaveTerm(this.hovered);
    this.hovered = term;
    const found = term ? termOf(term) : null;
    if (term && found) this.controller.enterTerm(found.kind, found.term, term);
  }

  /** `mouseout` of the window (no related target). */
  pointerLeftWindow(): void {
    if (this.hovered) this.controller.leaveTerm(this.hovered);
    if (this.overTooltip) this.controller.leaveTooltip();
    this.hovered = null;
    this.overTooltip = false;
  }

  /**
   * `focusin`. Only keyboard focus (`:focus-visible`) opens a term: a click on a table cell also focuses the
   * term inside it, and that should not pop a tooltip at once.
   */
  focusIn(target: DelegationTarget | null, keyboard: boolean): void {
    if (target?.closest(TOOLTIP_SELECTOR)) {
      this.controller.enterTooltip();
      return;
    }
    const term = target?.closest(TERM_SELECTOR) ?? null;
    const found = term ? termOf(term) : null;
    if (term && found && keyboard) this.controller.focusTerm(found.kind, found.term, term);
  }

  /** `focusout`. */
  focusOut(target: DelegationTarget | null): void {
    if (target?.closest(TOOLTIP_SELECTOR)) {
      this.controller.leaveTooltip();
      return;
    }
    const term = target?.closest(TERM_SELECTOR) ?? null;
    if (term) this.controller.blurTerm(term);
  }
}

/** Reads the term back from the element's data attributes. */
function termOf(element: DelegationElement): { kind: string; term: string } | null {
  const kind = element.getAttribute('data-ref-kind');
  const term = element.getAttribute('data-ref-term');
  return kind !== null && term !== null ? { kind, term } : null;
}

/** The attributes that make any element (HTML or SVG) a hoverable, focusable reference term. */
export interface RefTermAttributes {
  'data-ref-kind': string;
  'data-ref-term': string;
  tabIndex: number;
}

/**
 * Spread on an element to make it a reference term: `<text {...refTermProps('method', 'INVITE')}>INVITE</text>`.
 * Attributes only: the host's delegated document listeners do the rest, so a term costs nothing until it is
 * hovered. (An element with just the two data attributes, like the ladder's <tspan>, gets the tooltip on
 * hover too; `tabIndex` adds keyboard focus.)
 */
export function refTermProps(kind: string, term: string): RefTermAttributes {
  return { 'data-ref-kind': kind, 'data-ref-term': term, tabIndex: 0 };
}
