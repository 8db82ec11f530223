/**
 * Where the reference tooltip goes: fixed (viewport) coordinates next to the hovered term, below it when it
 * fits, else above it, and kept inside the window horizontally. Pure, so the flipping is tested without a DOM.
 */

/** A rectangle in viewport coordinates, as `getBoundingClientRect()` gives it. */
export interface ViewportRect {
  left: number;
  top: number;
  right: number;
  bottom: number;
}

export interface Size {
  width: number;
  height: number;
}

export interface TooltipPlacement {
  left: number;
  top: number;
  /** Which side of the term the tooltip ended up on. */
  side: 'below' | 'above';
}

/**
 * Places a tooltip of `tooltip` size for a term at `anchor` in a `viewport`-sized window. `gap` is the space
 * between term and tooltip, `margin` the space kept from the window's edges.
 */
export function placeTooltip(anchor: ViewportRect, tooltip: Size, viewport: Size, gap = 6, margin = 8): TooltipPlacement {
  const spaceBelow = viewport.height - margin - (anchor.bottom + gap);
  const spaceAbove = anchor.top - gap - margin;
  // Below by default; above only when below is too short and above has more room.
  const side: TooltipPlacement['side'] = tooltip.height <= spaceBelow || spaceBelow >= spaceAbove ? 'below' : 'above';
  let top = side === 'below' ? anchor.bottom + gap : anchor.top - gap - tooltip.height;
  top = clamp(top, margin, viewport.height - margin - tooltip.height);

  // Left-aligned with the term; right-aligned with it when that would run past the right edge.
  let left = anchor.left;
  if (left + tooltip.width > viewport.width - margin) left = anchor.right - tooltip.width;
  left = clamp(left, margin, viewport.width - margin - tooltip.width);
  return { left: Math.round(left), top: Math.round(top), side };
}

/** `value` within [low, high]; `low` wins when the range is empty (a tooltip taller than the window starts at its top). */
function clamp(value: number, low: number, high: number): number {
  return Math.max(low, Math.min(value, high));
}
