import { parseIpv6 } from '../net/address.js';
import type { CompareOp, SliceRange } from './ast.js';
import type { CheckedExpr, CheckedOperand, CheckedSetElement, Constant } from './checker.js';
import type { FieldDeclaration, FieldReader, FieldValue, FilterContext } from './field.js';
import { asKeyed, NO_VALUES } from './readers.js';

/** A compiled filter: does message `row` match? */
export type RowPredicate = (row: number) => boolean;

/** Compiles a checked filter over a trace. An empty filter keeps every message. */
export function compileFilter(expr: CheckedExpr | undefined, context: FilterContext): RowPredicate {
  if (!expr) return () => true;
  return compileExpr(expr, context);
}

function compileExpr(expr: CheckedExpr, context: FilterContext): RowPredicate {
  switch (expr.kind) {
    case 'and': {
      const left = compileExpr(expr.left, context);
      const right = compileExpr(expr.right, context);
      return (row) => left(row) && right(row);
    }
    case 'or': {
      const left = compileExpr(expr.left, context);
      const right = compileExpr(expr.right, context);
      return (row) => left(row) || right(row);
    }
    case 'xor': {
      const left = compileExpr(expr.left, context);
      const right = compileExpr(expr.right, context);
      return (row) => left(row) !== right(row);
    }
    case 'not': {
      const operand = compileExpr(expr.operand, context);
      return (row) => !operand(row);
    }
    case 'test': {
      const source = compileOperand(expr.operand, context);
      // A boolean field is true when it is true (every message has our boolean fields); any other field
      // when it is present (Wireshark's presence test).
      const test = expr.operand.type === 'boolean' ? (values: readonly FieldValue[]) => values.includes(true) : (values: readonly FieldValue[]) => values.length > 0;
      return predicateOver(source, test);
    }
    case 'compare':
      return compileCompare(expr.op, expr.left, expr.right, context);
    case 'in': {
      const source = compileOperand(expr.operand, context);
      const members = expr.set.map((element) => memberTest(element, context));
      const constantMembers = members.every((m) => m !== undefined);
      if (constantMembers) {
        const tests = members as ((value: FieldValue) => boolean)[];
        const inSet = (values: readonly FieldValue[]) => values.some((v) => tests.some((t) => t(v)));
        const predicate = predicateOver(source, inSet);
        return expr.negated ? (row) => !predicate(row) : predicate;
      }
      // A set holding fields: evaluate per row.
      const parts = expr.set.map((element): RowPredicate => {
        if (element.kind === 'value') return compileCompare('==', expr.operand, element.value, context);
        const inRange = memberTest(element, context) as (value: FieldValue) => boolean;
        return predicateOver(source, (values) => values.some(inRange));
      });
      return expr.negated ? (row) => !parts.some((p) => p(row)) : (row) => parts.some((p) => p(row));
    }
  }
}

/** The test of one set element against a value, or undefined when the element is a field. */
function memberTest(element: CheckedSetElement, context: FilterContext): ((value: FieldValue) => boolean) | undefined {
  void context;
  if (element.kind === 'range') return (v) => typeof v === 'number' && v >= element.low && v <= element.high;
  if (element.value.kind !== 'constant') return undefined;
  return constantTest('==', element.value.constant);
}

/**
 * A predicate on a row from a test on the row's values. Rows that share a key share values, so the test runs once per
 * key and is remembered; numbers (frame.number, frame.time) have no useful key and are tested directly.
 */
function predicateOver(source: FieldReader, test: (values: readonly FieldValue[]) => boolean): RowPredicate {
  if (source.kind === 'number') {
    return (row) => {
      const n = source.number(row);
      return test(Number.isNaN(n) ? NO_VALUES : [n]);
    };
  }
  // 0: not computed yet, 1: false, 2: true. Index 0 is the "absent" key (-1).
  let results = new Uint8Array(1024);
  return (row) => {
    const key = source.key(row) + 1;
    if (key >= results.length) {
      const wider = new Uint8Array(Math.max(key + 1, results.length * 2));
      wider.set(results);
      results = wider;
    }
    const known = results[key];
    if (known !== 0) return known === 2;
    const result = test(key === 0 ? NO_VALUES : source.values(key - 1));
    results[key] = result ? 2 : 1;
    return result;
  };
}

const SWAPPED: Partial<Record<CompareOp, CompareOp>> = { '<': '>', '<=': '>=', '>': '<', '>=': '<=' };

function compileCompare(op: CompareOp, left: CheckedOperand, right: CheckedOperand, context: FilterContext): RowPredicate {
  if (left.kind === 'constant' && right.kind !== 'constant') return compileCompare(SWAPPED[op] ?? op, right, left, context);
  const source = compileOperand(left, context);
  if (right.kind === 'constant') {
    const test = constantTest(op, right.constant);
    return predicateOver(source, quantified(op, test));
  }
  // Field against field: per row, any pair (Wireshark compares every occurrence with every other).
  const other = compileOperand(right, context);
  const valuesOf = (s: FieldReader, row: number): readonly FieldValue[] => {
    if (s.kind === 'number') {
      const n = s.number(row);
      return Number.isNaN(n) ? NO_VALUES : [n];
    }
    const key = s.key(row);
    return key < 0 ? NO_VALUES : s.values(key);
  };
  const compare = valueComparison(op);
  return (row) => {
    const a = valuesOf(source, row);
    const b = valuesOf(other, row);
    if (a.length === 0 || b.length === 0) return false;
    if (op === '!=') return a.every((x) => b.every((y) => compare(x, y)));
    if (op === '===') return a.every((x) => b.some((y) => compare(x, y)));
    return a.some((x) => b.some((y) => compare(x, y)));
  };
}

/**
 * Wireshark 4.0's quantifiers over a field's occurrences: `==`, `~=`, ordering, `contains` and `matches`
 * hold when some occurrence passes; `!=` (all_ne) and `===` (all_eq) when every occurrence passes. An
 * absent field passes none of them.
 */
function quantified(op: CompareOp, test: (value: FieldValue) => boolean): (values: readonly FieldValue[]) => boolean {
  if (op === '!=' || op === '===') return (values) => values.length > 0 && values.every(test);
  return (values) => values.some(test);
}

/** The per-occurrence test of `value OP constant` (`!=` tests "differs"; the quantifier makes it all_ne). */
function constantTest(op: CompareOp, constant: Constant): (value: FieldValue) => boolean {
  if (constant.kind === 'regex') {
    const regex = constant.regex;
    return (v) => typeof v === 'string' && regex.test(v);
  }
  if (constant.kind === 'network') {
    const inside = networkTest(constant.bytes, constant.prefix);
    if (op === '==' || op === '===') return (v) => typeof v === 'string' && inside(v);
    if (op === '!=' || op === '~=') return (v) => typeof v === 'string' && !inside(v);
    const order = addressOrder(constant.bytes);
    return (v) => {
      if (typeof v !== 'string') return false;
      const c = order(v);
      return c !== undefined && orderHolds(op, c);
    };
  }
  const wanted = constant.value;
  if (op === 'contains') {
    const needle = String(wanted);
    return (v) => typeof v === 'string' && v.includes(needle);
  }
  const compare = valueComparison(op);
  return (v) => compare(v, wanted);
}

function orderHolds(op: CompareOp, c: number): boolean {
  switch (op) {
    case '<':
      return c < 0;
    case '<=':
      return c <= 0;
    case '>':
      return c > 0;
    case '>=':
      return c >= 0;
    default:
      return c === 0;
  }
}

/** `a OP b` for two values of compatible types. */
function valueComparison(op: CompareOp): (a: FieldValue, b: FieldValue) => boolean {
  switch (op) {
    case '==':
    case '===':
      return (a, b) => a === b;
    case '!=':
    case '~=':
      return (a, b) => a !== b;
    case 'contains':
      return (a, b) => typeof a === 'string' && a.includes(String(b));
    case 'matches':
      return () => false;
    default:
      return (a, b) => {
        if (typeof a !== typeof b || typeof a === 'boolean') return false;
        return orderHolds(op, a < b ? -1 : a > b ? 1 : 0);
      };
  }
}

/** Address bytes of a value (IPv4 dotted quad or IPv6 text). */
function addressBytes(text: string): Uint8Array | undefined {
  const parts = text.split('.');
  if (parts.length === 4 && !text.includes(':')) {
    const bytes = new Uint8Array(4);
    for (let i = 0; i < 4; i++) {
      const n = Number(parts[i]);
      if (!Number.isInteger(n) || n < 0 || n > 255 || parts[i] === '') return undefined;
      bytes[i] = n;
    }
    return bytes;
  }
  return parseIpv6Cached(text);
}

const ipv6Cache = new Map<string, Uint8Array | undefined>();
function parseIpv6Cached(text: string): Uint8Array | undefined {
  if (!ipv6Cache.has(text)) {
    if (ipv6Cache.size > 10_000) ipv6Cache.clear();
    ipv6Cache.set(text, parseIpv6(text));
  }
  return ipv6Cache.get(text);
}


/** Is an address inside `bytes/prefix`? (Families must match: an IPv4 network never holds an IPv6 address.) */
function networkTest(network: Uint8Array, prefix: number): (text: string) => boolean {
  return (text) => {
    const bytes = addressBytes(text);
    if (!bytes || bytes.length !== network.length) return false;
    let bits = prefix;
    for (let i = 0; i < bytes.length && bits > 0; i++, bits -= 8) {
      const mask = bits >= 8 ? 0xff : (0xff << (8 - bits)) & 0xff;
      if ((bytes[i] & mask) !== (network[i] & mask)) return false;
    }
    return true;
  };
}

function addressOrder(constant: Uint8Array): (text: string) => number | undefined {
  return (text) => {
    const bytes = addressBytes(text);
    if (!bytes || bytes.length !== constant.length) return undefined;
    for (let i = 0; i < bytes.length; i++) if (bytes[i] !== constant[i]) return bytes[i] < constant[i] ? -1 : 1;
    return 0;
  };
}

/**
 * A field bound to the trace, once per trace: the readers keep what they derived per key (the user part of
 * each From URI, the address of each endpoint), so the next filter on the same field starts from there.
 */
function boundField(field: FieldDeclaration, context: FilterContext): FieldReader {
  const key = `field:${field.name}`;
  let reader = context.cache.get(key) as FieldReader | undefined;
  if (!reader) {
    reader = field.bind(context);
    context.cache.set(key, reader);
  }
  return reader;
}

/** The values of an operand, row by row. */
function compileOperand(operand: CheckedOperand, context: FilterContext): FieldReader {
  switch (operand.kind) {
    case 'field':
      return boundField(operand.field, context);
    case 'constant':
      return { kind: 'keyed', key: () => 0, values: () => (operand.constant.kind === 'value' ? [operand.constant.value] : NO_VALUES) };
    case 'slice': {
      const inner = asKeyed(compileOperand(operand.operand, context));
      return mapValues(inner, (values) => values.map((v) => (typeof v === 'string' ? sliceText(v, operand.ranges) : v)));
    }
    case 'call': {
      const inner = asKeyed(compileOperand(operand.operand, context));
      switch (operand.name) {
        case 'len':
          return mapValues(inner, (values) => values.map((v) => (typeof v === 'string' ? new TextEncoder().encode(v).length : v)));
        case 'count':
          return { kind: 'keyed', key: (row) => inner.key(row), values: (key) => [key < 0 ? 0 : inner.values(key).length] };
        case 'lower':
          return mapValues(inner, (values) => values.map((v) => (typeof v === 'string' ? v.toLowerCase() : v)));
        case 'upper':
          return mapValues(inner, (values) => values.map((v) => (typeof v === 'string' ? v.toUpperCase() : v)));
      }
    }
  }
}

/** The same keys, with values transformed once per key. */
function mapValues(source: Extract<FieldReader, { kind: 'keyed' }>, map: (values: readonly FieldValue[]) => readonly FieldValue[]): FieldReader {
  const cache = new Map<number, readonly FieldValue[]>();
  return {
    kind: 'keyed',
    key: (row) => source.key(row),
    values(key) {
      let values = cache.get(key);
      if (!values) {
        values = map(source.values(key));
        cache.set(key, values);
      }
      return values;
    },
  };
}

/**
 * A slice of a string, as Wireshark's `[i:j]` (start, length), `[i-j]` (start to end inclusive), `[i]`,
 * `[i:]`; negative starts count from the end; several ranges are concatenated. Out-of-range parts are
 * empty (Wireshark: the slice then does not match).
 */
export function sliceText(text: string, ranges: readonly SliceRange[]): string {
  let out = '';
  for (const range of ranges) {
    const start = range.start < 0 ? text.length + range.start : range.start;
    if (start < 0 || start >= text.length) continue;
    const end = range.length === undefined ? text.length : start + range.length;
    out += text.slice(start, Math.min(end, text.length));
  }
  return out;
}
