/**
 * The Pratt parser of the display-filter language: tokens (scanner.ts) → syntax tree (ast.ts).
 *
 * Grammar and precedence are Wireshark's (epan/dfilter/grammar.lemon, wireshark-filter(4) "Logical
 * expressions"), checked against `tshark -Y` 4.0.17: `not`/`!` binds tightest, then `and`/`&&`, then
 * `xor`/`^^` (Wireshark 4.2; tshark 4.0 has no xor), then `or`/`||`; the binary ones are left-associative.
 * Where 4.0 reads `a == b == c` as a chain of and-ed comparisons, we ask for the `and` to be written.
 * Left out, each with a message saying so: arithmetic, bitwise `&`, layers `#`, `${field}` references,
 * character constants, `all` with ordering operators or `in`.
 * A relation is `[any|all] operand (compare-op operand | [not|!] in {set})` or a bare operand (a presence
 * test); operands are words, strings, `name(args)` calls, with `[slice]` / `["key"]` suffixes.
 *
 * Only syntax is checked here: whether a word is a field or a literal, and whether types match, is the
 * checker's business (`foo.bar == 1` parses). The first problem is returned as a `FilterError` value.
 */

import type { CompareOp, Expr, FilterError, Operand, ParseResult, SetElement, SliceRange, Span } from './ast.js';
import { scanFilter, type Token } from './scanner.js';

/**
 * Binding power of the binary logical operators, loosest first: Wireshark 4.0's grammar.lemon declares
 * `%left TEST_OR. %left TEST_AND. %right TEST_NOT.`; `xor` (Wireshark 4.2) sits between `or` and `and`.
 */
enum Precedence {
  None = 0,
  Or = 1,
  Xor = 2,
  And = 3,
}

const BINARY_OPERATORS: Partial<Record<Token['kind'], { kind: 'and' | 'or' | 'xor'; precedence: Precedence }>> = {
  or: { kind: 'or', precedence: Precedence.Or },
  xor: { kind: 'xor', precedence: Precedence.Xor },
  and: { kind: 'and', precedence: Precedence.And },
};

/** Nesting limit (parentheses, `not`, calls, sets): a pathological filter gets an error, not a stack overflow. */
const MAX_NESTING = 200;

/** Function names as Wireshark's scanner reads them (`FunctionIdentifier`: `[[:alpha:]_][[:alnum:]_]*`). */
const FUNCTION_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** A longer token is cut in messages so that the message stays one readable line. */
const QUOTED_TEXT_LIMIT = 40;

/** Carries the first error out of the recursive descent to `parseFilter`, which returns it as a value. */
class ParseFailure {
  constructor(readonly error: FilterError) {}
}

function spanOf(token: Token): Span {
  return { start: token.start, length: token.length };
}

function endOf(token: Token): number {
  return token.start + token.length;
}

function isBinary(token: Token | undefined): boolean {
  return token !== undefined && BINARY_OPERATORS[token.kind] !== undefined;
}

function startsOperand(token: Token | undefined): boolean {
  return token !== undefined && (token.kind === 'word' || token.kind === 'string');
}

/** How a token is named in a message: `"sip.Method"`, `"=="`; a string token is shown as written (already quoted). */
function quote(token: Token): string {
  const text = token.text.length > QUOTED_TEXT_LIMIT ? `${token.text.slice(0, QUOTED_TEXT_LIMIT - 3)}...` : token.text;
  return token.kind === 'string' ? text : `"${text}"`;
}

/** A small non-negative or negative integer of a slice, or undefined when it is not one we can index with. */
function sliceInteger(text: string): number | undefined {
  const value = Number(text);
  return Number.isSafeInteger(value) ? value + 0 : undefined; // `+ 0` turns -0 into 0
}

class Parser {
  private position = 0;
  private nesting = 0;
  /** End offset of the last consumed token: spans end there. */
  private lastEnd = 0;

  constructor(
    private readonly tokens: readonly Token[],
    private readonly scanError: FilterError | undefined,
  ) {}

  parseFilter(): Expr {
    const expr = this.parseExpression(Precedence.None, undefined);
    const rest = this.peek();
    if (rest !== undefined) this.unexpectedAfterExpression(rest);
    return expr;
  }

  // ---- token access ------------------------------------------------------------------------------------

  /**
   * The token `offset` ahead, undefined at the end of the filter. When the scanner stopped on bad text,
   * reaching that point is the next problem, so it is reported then (earlier syntax errors win).
   */
  private peek(offset = 0): Token | undefined {
    const index = this.position + offset;
    if (index < this.tokens.length) return this.tokens[index];
    if (this.scanError !== undefined) throw new ParseFailure(this.scanError);
    return undefined;
  }

  private advance(): Token {
    const token = this.tokens[this.position++];
    this.lastEnd = endOf(token);
    return token;
  }

  private spanFrom(start: number): Span {
    return { start, length: this.lastEnd - start };
  }

  private fail(message: string, start: number, length: number): never {
    throw new ParseFailure({ message, start, length });
  }

  private failOn(token: Token, message: string): never {
    return this.fail(message, token.start, token.length);
  }

  private enter(token: Token): void {
    if (++this.nesting > MAX_NESTING) this.failOn(token, `The filter is nested too deeply (more than ${MAX_NESTING} levels)`);
  }

  private leave(): void {
    this.nesting--;
  }

  // ---- expressions ----------------------------------------------------------------------------------------

  /**
   * Pratt loop over the binary logical operators: parses a unary expression, then folds in every operator
   * that binds tighter than `min` (left-associative: an equal precedence ends the inner call).
   * `after` is the token that asked for this expression, for the message when it is missing.
   */
  private parseExpression(min: Precedence, after: Token | undefined): Expr {
    const start = this.peek()?.start ?? this.lastEnd;
    let left = this.parseUnary(after);
    while (true) {
      const token = this.peek();
      const binary = token === undefined ? undefined : BINARY_OPERATORS[token.kind];
      if (token === undefined || binary === undefined || binary.precedence <= min) return left;
      this.advance();
      const right = this.parseExpression(binary.precedence, token);
      left = { kind: binary.kind, left, right, span: this.spanFrom(start), opSpan: spanOf(token) };
    }
  }

  /** `not` expr, `(` expr `)`, or a relation. */
  private parseUnary(after: Token | undefined): Expr {
    const token = this.peek();
    if (token?.kind === 'not') {
      this.enter(token);
      this.advance();
      const operand = this.parseUnary(token);
      this.leave();
      return { kind: 'not', operand, span: this.spanFrom(token.start) };
    }
    if (token?.kind === 'lparen') {
      this.enter(token);
      this.advance();
      const inner = this.parseExpression(Precedence.None, token);
      const close = this.peek();
      if (close === undefined) this.failOn(token, 'Unbalanced parenthesis: this "(" is never closed');
      if (close.kind !== 'rparen') this.unexpectedAfterExpression(close);
      this.advance();
      this.leave();
      // The parentheses are not a node: the parent's span (from its first token) covers them.
      return inner;
    }
    if (token?.kind === 'quantifier' || startsOperand(token)) return this.parseRelation();
    return this.missingExpression(after, token);
  }

  /** An expression was expected after `after` (a binary operator, `not`, `(` or nothing) but `token` came. */
  private missingExpression(after: Token | undefined, token: Token | undefined): never {
    if (token === undefined || token.kind === 'rparen' || isBinary(token)) {
      if (after !== undefined && isBinary(after)) this.failOn(after, `"${after.text}" needs an expression on both sides`);
      if (after?.kind === 'not') this.failOn(after, `"${after.text}" needs an expression after it`);
      if (after?.kind === 'lparen') {
        if (token === undefined) this.failOn(after, 'Unbalanced parenthesis: this "(" is never closed');
        if (token.kind === 'rparen') this.fail('Empty parentheses "()"', after.start, endOf(token) - after.start);
      }
      if (token === undefined) return this.fail('Expected a field, a value or "(" here', this.lastEnd, 0);
      if (token.kind === 'rparen') this.failOn(token, 'Unexpected ")"');
      this.failOn(token, `"${token.text}" needs an expression on both sides`);
    }
    if (token.kind === 'compare' || token.kind === 'in') this.failOn(token, `Missing field before "${token.text}"`);
    return this.failOn(token, 'Expected a field, a value or "(" here');
  }

  /** `[any|all] operand`, then a comparison, `[not] in {set}`, or nothing (a presence test). */
  private parseRelation(): Expr {
    const first = this.peek() as Token;
    let quantifier: (Token & { kind: 'quantifier' }) | undefined;
    if (first.kind === 'quantifier') {
      quantifier = first;
      this.advance();
      if (!startsOperand(this.peek())) this.needsComparison(first);
    }
    const left = this.parseOperand(undefined);
    const token = this.peek();
    if (token?.kind === 'compare') {
      this.advance();
      const right = this.parseOperand(token);
      const op = quantifier === undefined ? token.op : this.quantify(quantifier, token);
      this.refuseChain();
      return { kind: 'compare', op, left, right, span: this.spanFrom(first.start), opSpan: spanOf(token) };
    }
    const negated = token?.kind === 'not' && this.peek(1)?.kind === 'in';
    if (token?.kind === 'in' || negated) {
      const opStart = (token as Token).start;
      const opText = negated ? `${this.advance().text} in` : 'in';
      this.advance();
      const opSpan = this.spanFrom(opStart);
      if (quantifier?.quantifier === 'all' && !negated) {
        // tshark 4.0 accepts `all x in {…}` (every occurrence in the set); the tree has no place for it.
        this.fail('"all" with "in" is not supported: write "x in {…}" (any occurrence)', first.start, this.lastEnd - first.start);
      }
      const set = this.parseSet(opText, opSpan);
      this.refuseChain();
      return { kind: 'in', negated, operand: left, set, span: this.spanFrom(first.start), opSpan };
    }
    if (quantifier !== undefined) this.needsComparison(quantifier);
    return { kind: 'test', operand: left, span: left.span };
  }

  private needsComparison(quantifier: Token): never {
    return this.failOn(quantifier, `"${quantifier.text}" needs a comparison after it, e.g. "${quantifier.text} udp.port == 5060"`);
  }

  /**
   * wireshark-filter(4): "The 'any' and 'all' modifiers take precedence over comparison operators such as
   * '===' and 'any_eq'": the modifier picks any/all, the operator picks equal/not equal. The tree has only
   * the any-forms of the ordering operators, so `all` goes with `==` and `!=` alone.
   */
  private quantify(quantifier: Token & { kind: 'quantifier' }, operator: Token & { kind: 'compare' }): CompareOp {
    const equal = operator.op === '==' || operator.op === '===';
    const notEqual = operator.op === '!=' || operator.op === '~=';
    if (quantifier.quantifier === 'any') return equal ? '==' : notEqual ? '~=' : operator.op;
    if (equal) return '===';
    if (notEqual) return '!=';
    return this.fail(
      `"all" with "${operator.text}" is not supported: only "==" and "!=" can take "all"`,
      quantifier.start,
      endOf(operator) - quantifier.start,
    );
  }

  /** `a == b == c`: Wireshark 4.0 reads it as a chain, which the tree cannot hold; say how to write it. */
  private refuseChain(): void {
    const next = this.peek();
    if (next?.kind === 'compare' || next?.kind === 'in' || (next?.kind === 'not' && this.peek(1)?.kind === 'in')) {
      this.failOn(next, 'Comparisons cannot be chained: join them with "and"');
    }
  }

  /** A complete expression is followed by `token`, which does not continue it. */
  private unexpectedAfterExpression(token: Token): never {
    const previous = this.tokens[this.position - 1];
    switch (token.kind) {
      case 'rparen':
        return this.failOn(token, 'Unexpected ")"');
      case 'compare':
      case 'in':
        if (previous?.kind === 'rparen') {
          this.failOn(token, `"${token.text}" cannot follow ")": compare a field or a value, not an expression in parentheses`);
        }
        return this.failOn(token, 'Comparisons cannot be chained: join them with "and"');
      case 'not':
        if (token.text === '!') this.failOn(token, 'Unexpected "!": did you mean "!="?');
        break;
      case 'word':
      case 'string':
      case 'lparen':
      case 'quantifier':
        break;
      case 'dotdot':
        return this.failOn(token, 'Unexpected "..": a range a..b is only allowed in a set {…}');
      case 'lbrace':
        return this.failOn(token, 'Unexpected "{": a set {…} must follow "in"');
      default:
        return this.failOn(token, `Unexpected ${quote(token)}`);
    }
    return this.failOn(token, `Missing operator between ${quote(previous)} and ${quote(token)}`);
  }

  // ---- operands -------------------------------------------------------------------------------------------

  /** A word, string or call, with its `[...]` suffixes. `after` is the operator before it, for messages. */
  private parseOperand(after: Token | undefined): Operand {
    const token = this.peek();
    if (token === undefined) {
      if (after !== undefined) this.failOn(after, `Missing value after "${after.text}"`);
      return this.fail('Expected a field or a value here', this.lastEnd, 0);
    }
    let operand: Operand;
    if (token.kind === 'string') {
      this.advance();
      operand = { kind: 'string', value: token.value, span: spanOf(token) };
    } else if (token.kind === 'word') {
      this.advance();
      const next = this.peek();
      operand =
        next?.kind === 'lparen' && FUNCTION_NAME.test(token.text)
          ? this.parseCall(token)
          : { kind: 'word', text: token.text, span: spanOf(token) };
    } else if (after !== undefined) {
      return this.failOn(token, `Expected a value after "${after.text}" but found ${quote(token)}`);
    } else {
      return this.failOn(token, 'Expected a field or a value here');
    }
    while (this.peek()?.kind === 'lbracket') operand = this.parseBrackets(operand);
    return operand;
  }

  /** `name(arg, ...)`: the name was consumed, the next token is `(`. Arguments are operands. */
  private parseCall(name: Token): Operand {
    const open = this.advance();
    this.enter(open);
    const args: Operand[] = [];
    const unclosed: () => never = () => this.failOn(open, 'Unbalanced parenthesis: this "(" is never closed');
    let token = this.peek();
    if (token?.kind === 'rparen') {
      this.advance();
    } else {
      while (true) {
        if (token === undefined) unclosed();
        if (token.kind === 'comma') this.failOn(token, 'Missing value before ","');
        if (!startsOperand(token)) this.failOn(token, `Expected a value in the arguments of "${name.text}" but found ${quote(token)}`);
        args.push(this.parseOperand(undefined));
        const separator = this.peek();
        if (separator === undefined) unclosed();
        if (separator.kind === 'rparen') {
          this.advance();
          break;
        }
        if (separator.kind !== 'comma') {
          this.failOn(separator, `Expected "," or ")" after an argument of "${name.text}" but found ${quote(separator)}`);
        }
        this.advance();
        token = this.peek();
        if (token?.kind === 'rparen') this.failOn(separator, 'Missing value after ","');
      }
    }
    this.leave();
    return { kind: 'call', name: name.text, nameSpan: spanOf(name), args, span: this.spanFrom(name.start) };
  }

  /** `operand[ranges]` (a slice) or `field["key"]` (a keyed field). The next token is `[`. */
  private parseBrackets(operand: Operand): Operand {
    const open = this.advance();
    const first = this.peek();
    // The scanner drops an unclosed "[" and what follows, so a "]" always comes; the checks stay for safety.
    if (first === undefined) return this.failOn(open, 'Unbalanced bracket: this "[" is never closed');
    if (first.kind === 'rbracket') {
      this.fail('Empty brackets "[]": write a slice such as [0:2] or a key such as ["X-Foo"]', open.start, endOf(first) - open.start);
    }
    if (first.kind === 'string') {
      this.advance();
      const close = this.peek();
      if (close?.kind !== 'rbracket') return this.failOn(close ?? open, 'A key in brackets must be alone, e.g. sip.header["X-Foo"]');
      this.advance();
      if (operand.kind !== 'word') {
        this.fail('Only a field name can take a key in brackets, e.g. sip.header["X-Foo"]', open.start, this.lastEnd - open.start);
      }
      return {
        kind: 'keyed',
        field: { text: operand.text, span: operand.span },
        key: first.value,
        keySpan: spanOf(first),
        span: this.spanFrom(operand.span.start),
      };
    }
    if (operand.kind === 'string') this.failOn(open, 'A quoted string cannot be sliced');
    const ranges: SliceRange[] = [];
    while (true) {
      const token = this.peek();
      if (token === undefined) return this.failOn(open, 'Unbalanced bracket: this "[" is never closed');
      if (token.kind === 'comma') this.failOn(token, 'Missing slice range before ","');
      if (token.kind === 'string') this.failOn(token, 'A key in brackets must be alone, e.g. sip.header["X-Foo"]');
      if (token.kind !== 'range') return this.failOn(token, 'Invalid slice');
      this.advance();
      ranges.push(this.sliceRange(token));
      const separator = this.peek();
      if (separator?.kind === 'rbracket') {
        this.advance();
        return { kind: 'slice', operand, ranges, span: this.spanFrom(operand.span.start) };
      }
      if (separator?.kind === 'comma') {
        this.advance();
        if (this.peek()?.kind === 'rbracket') this.failOn(separator, 'Missing slice range after ","');
      }
    }
  }

  /** One range of a slice, wireshark-filter(4) "The slice operator": `i:j`, `i-j`, `i`, `:j`, `i:`. */
  private sliceRange(token: Token): SliceRange {
    const text = token.text;
    const invalid: (why: string) => never = (why) => this.failOn(token, `Invalid slice "${text}": ${why}`);
    const integer = (digits: string): number => sliceInteger(digits) ?? invalid('the number is too large');
    const span = spanOf(token);
    let match = /^([+-]?\d+)$/.exec(text);
    if (match !== null) return { start: integer(match[1]), length: 1, span };
    match = /^([+-]?\d+)?\s*:\s*([+-]?\d+)?$/.exec(text);
    if (match !== null && (match[1] !== undefined || match[2] !== undefined)) {
      const start = match[1] === undefined ? 0 : integer(match[1]);
      if (match[2] === undefined) return { start, span };
      const length = integer(match[2]);
      if (length <= 0) invalid('the length must be positive');
      return { start, length, span };
    }
    match = /^([+-]?\d+)\s*-\s*([+-]?\d+)$/.exec(text);
    if (match !== null) {
      const start = integer(match[1]);
      const end = integer(match[2]);
      // As Wireshark's drange: offsets counted from the end cannot be mixed with offsets from the start.
      if (start < 0 !== end < 0) invalid('the start and the end must have the same sign');
      if (end < start) invalid('the end is before the start');
      return { start, length: end - start + 1, span };
    }
    return invalid('write i:j (start and length), i-j (start and end), i, :j or i:');
  }

  // ---- sets -----------------------------------------------------------------------------------------------

  /**
   * `{ a, b, low..high }`: values or inclusive ranges, separated by commas or blanks (Wireshark 3.x
   * accepted blanks; 4.0 wants commas: we take both).
   */
  private parseSet(opText: string, opSpan: Span): SetElement[] {
    const open = this.peek();
    if (open === undefined) return this.fail(`Expected "{" after "${opText}"`, opSpan.start, opSpan.length);
    if (open.kind !== 'lbrace') return this.failOn(open, `Expected "{" after "${opText}" but found ${quote(open)}`);
    this.advance();
    this.enter(open);
    const elements: SetElement[] = [];
    let pendingComma: Token | undefined;
    while (true) {
      const token = this.peek();
      if (token === undefined) return this.failOn(open, 'Unbalanced brace: this "{" is never closed');
      if (token.kind === 'rbrace') {
        if (elements.length === 0) this.fail('Empty set "{}"', open.start, endOf(token) - open.start);
        if (pendingComma !== undefined) this.failOn(pendingComma, 'Missing value after ","');
        this.advance();
        break;
      }
      if (token.kind === 'comma') this.failOn(token, 'Missing value before ","');
      if (token.kind === 'dotdot') this.failOn(token, 'Missing value before ".."');
      if (!startsOperand(token)) this.failOn(token, `Expected a value, "," or "}" in the set but found ${quote(token)}`);
      const low = this.parseOperand(undefined);
      if (this.peek()?.kind === 'dotdot') {
        const dots = this.advance();
        if (!startsOperand(this.peek())) this.failOn(dots, 'Missing value after ".."');
        const high = this.parseOperand(dots);
        const extra = this.peek();
        if (extra?.kind === 'dotdot') this.failOn(extra, 'A range has a single "..": write low..high');
        elements.push({ kind: 'range', low, high, span: this.spanFrom(low.span.start) });
      } else {
        elements.push({ kind: 'value', value: low, span: low.span });
      }
      pendingComma = undefined;
      if (this.peek()?.kind === 'comma') pendingComma = this.advance();
    }
    this.leave();
    return elements;
  }
}

/**
 * Parses a display filter. A blank filter gives `{ expr: undefined }` (keep everything); a malformed one
 * gives the first problem as `{ error: { message, start, length } }`. Never throws on any input.
 */
export function parseFilter(text: string): ParseResult {
  const scan = scanFilter(text);
  if (scan.tokens.length === 0 && scan.error === undefined) return { expr: undefined };
  try {
    return { expr: new Parser(scan.tokens, scan.error).parseFilter() };
  } catch (caught) {
    if (caught instanceof ParseFailure) return { error: caught.error };
    throw caught;
  }
}
