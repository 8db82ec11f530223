// A reference term inside SVG text. RefTerm (../reference/RefTerm.tsx) renders an HTML <span>, which is not
// valid inside <svg>; this is the same term as a <tspan>, with the same attributes (`refTermProps`), so the
// window's single tooltip (ReferenceTooltipHost finds terms by delegation, `closest('[data-ref-term]')`)
// serves the ladder exactly as it serves the table and the detail pane.
import type { ReactNode } from 'react';
import { refTermProps, type RefTermKind } from '../reference/RefTerm.js';

export interface SvgRefTermProps {
  kind: RefTermKind;
  term: string;
  children?: ReactNode;
}

export function SvgRefTerm({ kind, term, children }: SvgRefTermProps) {
  return (
    // Not a tab stop: a ladder has hundreds of labels; the keyboard walks its arrows instead (↑/↓), and the
    // detail pane shows the selected message's terms, focusable there.
    <tspan className="ref-term" {...refTermProps(kind, term)} tabIndex={-1}>
      {children ?? term}
    </tspan>
  );
}
