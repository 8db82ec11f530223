// A hoverable term (method, status code, header name…) and the window's single reference tooltip.
import { useEffect, useLayoutEffect, useMemo, useRef, useState, useSyncExternalStore, type ReactNode } from 'react';
import { createPortal } from 'react-dom';
import { openReference } from './open-reference.js';
import { entryFor, kindLabel, sourceText, type ReferenceEntry } from './reference-data.js';
import { placeTooltip, type TooltipPlacement } from './tooltip-position.js';
import { referenceTooltip, refTermProps, TooltipDelegation } from './tooltip-store.js';
import './reference.css';

export { refTermProps } from './tooltip-store.js';
export type { RefTermAttributes } from './tooltip-store.js';
export { openReference, onOpenReference, type ReferenceTarget } from './open-reference.js';

export type RefTermKind = 'method' | 'response' | 'header' | 'procedure' | 'sdp-attribute' | 'option-tag' | 'feature-tag';

export interface RefTermProps {
  kind: RefTermKind;
  /** `INVITE`, `183`, `P-Access-Network-Info`, `registration`, `a=curr`, `100rel`. */
  term: string;
  /** What is shown; the term itself when absent. */
  children?: ReactNode;
  /**
   * False leaves it out of the Tab order (hover still shows the tooltip): for places with many terms and
   * their own keyboard navigation. Default true.
   */
  focusable?: boolean;
}

/**
 * A term with its reference entry on hover (after a short delay) or keyboard focus. Holds no state: the
 * tooltip is rendered once, by `ReferenceTooltipHost`, which the App mounts.
 */
export function RefTerm({ kind, term, children, focusable = true }: RefTermProps) {
  return (
    <span className="ref-term" {...refTermProps(kind, term)} tabIndex={focusable ? 0 : -1}>
      {children ?? term}
    </span>
  );
}

const TOOLTIP_ID = 'sipscope-ref-tooltip';

/**
 * Renders the open reference tooltip (if any) into document.body at fixed coordinates. Mount it once, at
 * the App's root. It listens on the document for pointer and focus events reaching any term (one set of
 * listeners for the whole window); its Escape, scroll and resize listeners exist only while a tooltip is open.
 */
export function ReferenceTooltipHost() {
  useEffect(() => {
    const delegation = new TooltipDelegation(referenceTooltip);
    const targetOf = (event: Event) => (event.target instanceof Element ? event.target : null);
    const onOver = (event: MouseEvent) => delegation.pointerOver(targetOf(event));
    const onOut = (event: MouseEvent) => {
      if (event.relatedTarget === null) delegation.pointerLeftWindow();
    };
    const onFocusIn = (event: FocusEvent) => {
      const target = targetOf(event);
      delegation.focusIn(target, target?.matches(':focus-visible') ?? false);
    };
    const onFocusOut = (event: FocusEvent) => delegation.focusOut(targetOf(event));
    document.addEventListener('mouseover', onOver);
    document.addEventListener('mouseout', onOut);
    document.addEventListener('focusin', onFocusIn);
    document.addEventListener('focusout', onFocusOut);
    return () => {
      document.removeEventListener('mouseover', onOver);
      document.removeEventListener('mouseout', onOut);
      document.removeEventListener('focusin', onFocusIn);
      document.removeEventListener('focusout', onFocusOut);
      referenceTooltip.close();
    };
  }, []);

  const open = useSyncExternalStore(referenceTooltip.subscribe, referenceTooltip.getState, referenceTooltip.getState);
  const box = useRef<HTMLDivElement>(null);
  const [placement, setPlacement] = useState<(TooltipPlacement & { serial: number }) | null>(null);
  const kind = open?.kind;
  const term = open?.term;
  const entry = useMemo(() => (kind !== undefined && term !== undefined ? entryFor(kind, term) : null), [kind, term]);

  // Measure the rendered tooltip, then place it next to its term (hidden until placed, so it never jumps).
  useLayoutEffect(() => {
    if (!open || !box.current) return;
    const size = box.current.getBoundingClientRect();
    const where = placeTooltip(open.rect, { width: size.width, height: size.height }, { width: window.innerWidth, height: window.innerHeight });
    setPlacement({ ...where, serial: open.serial });
  }, [open]);

  useEffect(() => {
    if (!open) return;
    const close = () => referenceTooltip.close();
    const onKey = (event: KeyboardEvent) => {
      if (event.key === 'Escape') close();
    };
    // The tooltip is placed for the term where it was; once the page under it scrolls it would point elsewhere.
    const onScroll = (event: Event) => {
      if (event.target instanceof Node && box.current?.contains(event.target)) return;
      close();
    };
    document.addEventListener('keydown', onKey);
    window.addEventListener('scroll', onScroll, true);
    window.addEventListener('resize', close);
    const anchor = open.anchor instanceof Element ? open.anchor : null;
    anchor?.setAttribute('aria-describedby', TOOLTIP_ID);
    return () => {
      document.removeEventListener('keydown', onKey);
      window.removeEventListener('scroll', onScroll, true);
      window.removeEventListener('resize', close);
      anchor?.removeAttribute('aria-describedby');
    };
  }, [open]);

  if (!open || !entry) return null;
  const placed = placement !== null && placement.serial === open.serial;
  return createPortal(
    <div
      ref={box}
      id={TOOLTIP_ID}
      role="tooltip"
      data-testid="ref-tooltip"
      data-ref-kind={entry.kind}
      data-ref-key={entry.key}
      className={`ref-tooltip${placed ? ` ref-tooltip-${placement.side}` : ''}`}
      style={placed ? { left: placement.left, top: placement.top } : { left: 0, top: 0, visibility: 'hidden' }}
    >
      <ReferenceCard entry={entry} />
    </div>,
    document.body,
  );
}

function ReferenceCard({ entry }: { entry: ReferenceEntry }) {
  const more = (kind: string, term: string) => {
    referenceTooltip.close();
    openReference({ kind, term });
  };
  return (
    <>
      <div className="ref-tooltip-head">
        <span className="ref-tooltip-key">{entry.key}</span>
        <span className="ref-tooltip-title">{entry.title !== entry.key && entry.title}</span>
        <span className="ref-tooltip-kind">{kindLabel(entry.kind)}</span>
      </div>
      <p className="ref-tooltip-summary">{entry.summary}</p>
      {entry.ims && (
        <p className="ref-tooltip-ims">
          <span className="ref-badge">IMS</span> {entry.ims}
        </p>
      )}
      {entry.sources.length > 0 && <p className="ref-tooltip-sources">{entry.sources.map(sourceText).join(' · ')}</p>}
      {entry.seeAlso && entry.seeAlso.length > 0 && (
        <p className="ref-tooltip-see-also">
          See also:{' '}
          {entry.seeAlso.map((key, i) => (
            <span key={key}>
              {i > 0 && ', '}
              <button type="button" className="ref-link" onClick={() => more('', key)}>
                {key}
              </button>
            </span>
          ))}
        </p>
      )}
      <button type="button" className="ref-link ref-tooltip-more" onClick={() => more(entry.kind, entry.key)}>
        More…
      </button>
    </>
  );
}
