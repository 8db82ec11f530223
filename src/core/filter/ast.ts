/**
 * The syntax tree of a display filter, as the parser builds it and the checker reads it. Every node keeps
 * its span in the filter text so that errors can underline exactly what is wrong.
 *
 * The language is Wireshark's display-filter language (wireshark-filter(4), Wireshark 4.0): the same
 * operators, word forms, precedence and literals, so a filter written for Wireshark works here.
 */

/** A problem with a filter: a value, never an exception. `start`/`length` index the filter text (UTF-16 units). */
export interface FilterError {
  message: string;
  start: number;
  length: number;
}

export interface Span {
  start: number;
  length: number;
}

/**
 * Comparison operators, in their symbol form (the parser maps the word forms: `eq` → `==`, `ne` → `!=`,
 * `any_eq`, `all_ne`, `any_ne` (`~=`), `gt`, `ge`, `lt`, `le`, `contains`, `matches` (`~`)).
 * Wireshark 4.0: `==` is true when any occurrence equals; `!=` (`all_ne`) when every occurrence present
 * differs (and at least one is present); `~=` (`!==`, `any_ne`) when some occurrence differs; `===`
 * (`all_eq`) when every occurrence equals.
 */
export type CompareOp = '==' | '!=' | '===' | '~=' | '<' | '<=' | '>' | '>=' | 'contains' | 'matches';

/** One range of a slice, as Wireshark writes them: `[i:j]` (start, length), `[i-j]` (start, end inclusive), `[i]`, `[:j]`, `[i:]`. */
export interface SliceRange {
  /** May be negative: counted from the end. */
  start: number;
  /** Number of elements; undefined: to the end. */
  length?: number;
  span: Span;
}

export type Operand =
  /** A name that may be a field (`sip.Method`, `ip.addr`, `sip`) or a bare literal (`INVITE`, `10.0.0.0/8`, `0x1f`, `1.5`): the checker decides. */
  | { kind: 'word'; text: string; span: Span }
  /** A quoted string, escapes resolved (`"a\x41\n"`; raw strings `r"..."` keep backslashes). */
  | { kind: 'string'; value: string; span: Span }
  /** `field["key"]`: a keyed field such as `sip.header["X-Anything"]`. */
  | { kind: 'keyed'; field: { text: string; span: Span }; key: string; keySpan: Span; span: Span }
  /** `operand[ranges]`: a slice of a string field (several ranges are concatenated, as in Wireshark). */
  | { kind: 'slice'; operand: Operand; ranges: SliceRange[]; span: Span }
  /** `name(args)`: a function, e.g. `len(sip.Method)`, `lower(sip.From)`, `upper(...)`, `count(sip.Via)`. */
  | { kind: 'call'; name: string; nameSpan: Span; args: Operand[]; span: Span };

/** One element of a set: a value, or a range `a..b` (inclusive) of numbers. */
export type SetElement = { kind: 'value'; value: Operand; span: Span } | { kind: 'range'; low: Operand; high: Operand; span: Span };

export type Expr =
  | { kind: 'and' | 'or' | 'xor'; left: Expr; right: Expr; span: Span; opSpan: Span }
  | { kind: 'not'; operand: Expr; span: Span }
  | { kind: 'compare'; op: CompareOp; left: Operand; right: Operand; span: Span; opSpan: Span }
  /** `x in {…}`, `x not in {…}`. */
  | { kind: 'in'; negated: boolean; operand: Operand; set: SetElement[]; span: Span; opSpan: Span }
  /** A bare operand: true when the field is present (`sip`, `sip.P-Asserted-Identity`, `sdp`). */
  | { kind: 'test'; operand: Operand; span: Span };

/** What the parser returns: a tree or the first error. An empty (or blank) filter is `{ expr: undefined }` and keeps everything. */
export type ParseResult = { expr: Expr | undefined; error?: undefined } | { expr?: undefined; error: FilterError };
