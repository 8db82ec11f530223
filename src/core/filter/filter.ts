import type { CallAnalysis } from '../calls/analysis.js';
import type { FilterError } from './ast.js';
import { checkFilter, type CheckedFilter } from './checker.js';
import { compileFilter, type RowPredicate } from './compiler.js';
import type { FieldSource, FilterContext } from './field.js';
import { parseFilter } from './parser.js';

/**
 * A display filter, parsed and checked: what it needs from the trace (`needs`: message bytes, facts, call
 * analysis) and a way to bind it to one. The stages are in their own files: scanner, parser (Pratt),
 * checker (fields, types, suggestions), compiler (closures over the message index).
 */
export interface DisplayFilter {
  text: string;
  /** True for an empty filter (keeps everything). */
  empty: boolean;
  needs: ReadonlySet<FieldSource>;
  fields: readonly string[];
  bind(context: FilterContext): RowPredicate;
}

export type FilterResult = { filter: DisplayFilter; error?: undefined } | { filter?: undefined; error: FilterError };

export function compileDisplayFilter(text: string): FilterResult {
  const parsed = parseFilter(text);
  if (parsed.error) return { error: parsed.error };
  const checked = checkFilter(parsed.expr);
  if (checked.error) return { error: checked.error };
  const filter: CheckedFilter = checked.filter;
  return {
    filter: {
      text,
      empty: filter.expr === undefined,
      needs: filter.needs,
      fields: filter.fields,
      bind: (context) => compileFilter(filter.expr, context),
    },
  };
}

/** The rows (in the order given, frame order by default) that match. */
export function matchingRows(predicate: RowPredicate, rows: ArrayLike<number>): Uint32Array {
  const out = new Uint32Array(rows.length);
  let n = 0;
  for (let i = 0; i < rows.length; i++) if (predicate(rows[i])) out[n++] = rows[i];
  return out.slice(0, n);
}

/** The calls with at least one matching message (issue 5: `sipscope calls --filter`), by call index. */
export function matchingCalls(predicate: RowPredicate, calls: CallAnalysis): number[] {
  return calls.calls.filter((call) => call.rows.some((row) => predicate(row))).map((call) => call.index);
}

/**
 * The filter with the error's span underlined, for a terminal:
 *
 *     sip.Mehtod == "INVITE"
 *     ^~~~~~~~~~
 *     Unknown field "sip.Mehtod": did you mean sip.Method?
 */
export function formatFilterError(text: string, error: FilterError): string {
  const start = Math.max(0, Math.min(error.start, text.length));
  const length = Math.max(1, Math.min(error.length, text.length - start + 1));
  // Tabs and other controls would shift the caret: show them as spaces.
  let shown = '';
  for (const c of text) shown += c.charCodeAt(0) < 0x20 || c.charCodeAt(0) === 0x7f ? ' ' : c;
  return `${shown}\n${' '.repeat(start)}^${'~'.repeat(length - 1)}\n${error.message}`;
}
