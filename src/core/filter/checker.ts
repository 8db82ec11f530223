import { parseIpv4, parseIpv6 } from '../net/address.js';
import type { CompareOp, Expr, FilterError, Operand, SetElement, SliceRange, Span } from './ast.js';
import type { FieldDeclaration, FieldSource, FieldType, FieldValue } from './field.js';
import { compileFilterRegex, type FilterRegex } from './regex.js';
import { allFields, KEYED_FIELDS, lookupField, lookupKeyedField, protocolTextField } from './registry.js';

/**
 * The checker: resolves the words of a parsed filter into fields and typed constants, and refuses what
 * cannot be evaluated (unknown field, value of the wrong type, operator the field's type lacks, bad
 * regex) with a message and the span to underline. Its output is all the compiler needs.
 */

/** A constant, converted to the type of the field it is compared with. */
export type Constant =
  | { kind: 'value'; value: FieldValue }
  /** An address with a prefix length (`10.0.0.0/8`, `2001:db8::/32`): equality means "inside". */
  | { kind: 'network'; bytes: Uint8Array; prefix: number }
  | { kind: 'regex'; regex: FilterRegex };

export type CheckedOperand =
  | { kind: 'field'; field: FieldDeclaration; type: FieldType; span: Span }
  | { kind: 'constant'; type: FieldType; constant: Constant; span: Span }
  | { kind: 'slice'; operand: CheckedOperand; ranges: SliceRange[]; type: 'string'; span: Span }
  | { kind: 'call'; name: 'len' | 'count' | 'lower' | 'upper'; operand: CheckedOperand; type: FieldType; span: Span };

export type CheckedSetElement = { kind: 'value'; value: CheckedOperand } | { kind: 'range'; low: number; high: number };

export type CheckedExpr =
  | { kind: 'and' | 'or' | 'xor'; left: CheckedExpr; right: CheckedExpr }
  | { kind: 'not'; operand: CheckedExpr }
  | { kind: 'compare'; op: CompareOp; left: CheckedOperand; right: CheckedOperand }
  | { kind: 'in'; negated: boolean; operand: CheckedOperand; set: CheckedSetElement[] }
  | { kind: 'test'; operand: CheckedOperand };

export interface CheckedFilter {
  expr: CheckedExpr | undefined;
  /** What the host must provide to evaluate it (the index is always there). */
  needs: Set<FieldSource>;
  /** Field names it reads, in order of first use. */
  fields: string[];
}

export type CheckResult = { filter: CheckedFilter; error?: undefined } | { filter?: undefined; error: FilterError };

class CheckError extends Error {
  constructor(
    message: string,
    readonly span: Span,
  ) {
    super(message);
  }
}

const fail = (message: string, span: Span): never => {
  throw new CheckError(message, span);
};

const NUMERIC: ReadonlySet<FieldType> = new Set(['number', 'duration', 'time']);
const ADDRESS: ReadonlySet<FieldType> = new Set(['ipv4', 'ipv6', 'address']);

const TYPE_NAMES: Record<FieldType, string> = {
  string: 'a string',
  number: 'a number',
  boolean: 'a boolean',
  ipv4: 'an IPv4 address',
  ipv6: 'an IPv6 address',
  address: 'an IP address',
  time: 'a time',
  duration: 'a time in seconds',
  none: 'a protocol',
};

const FUNCTIONS: Record<string, { arg: 'string' | 'any'; result: FieldType | 'same' }> = {
  len: { arg: 'string', result: 'number' },
  count: { arg: 'any', result: 'number' },
  lower: { arg: 'string', result: 'same' },
  upper: { arg: 'string', result: 'same' },
};

/** Checks a parsed filter. */
export function checkFilter(expr: Expr | undefined): CheckResult {
  const needs = new Set<FieldSource>(['index']);
  const fields: string[] = [];
  const use = (field: FieldDeclaration): void => {
    needs.add(field.source);
    if (!fields.includes(field.name)) fields.push(field.name);
  };
  try {
    const checked = expr === undefined ? undefined : checkExpr(expr, use);
    return { filter: { expr: checked, needs, fields } };
  } catch (error) {
    if (error instanceof CheckError) return { error: { message: error.message, start: error.span.start, length: error.span.length } };
    throw error;
  }
}

type Use = (field: FieldDeclaration) => void;

function checkExpr(expr: Expr, use: Use): CheckedExpr {
  switch (expr.kind) {
    case 'and':
    case 'or':
    case 'xor':
      return { kind: expr.kind, left: checkExpr(expr.left, use), right: checkExpr(expr.right, use) };
    case 'not':
      return { kind: 'not', operand: checkExpr(expr.operand, use) };
    case 'test': {
      const operand = resolveOperand(expr.operand, use, 'field');
      if (operand === undefined) return notAField(expr.operand);
      if (operand.kind === 'constant') return notAField(expr.operand);
      return { kind: 'test', operand };
    }
    case 'in':
      return checkIn(expr, use);
    case 'compare':
      return checkCompare(expr, use);
  }
}

function notAField(operand: Operand): never {
  if (operand.kind === 'word' && looksLikeFieldName(operand.text)) return unknownField(operand.text, operand.span);
  if (operand.kind === 'word' || operand.kind === 'string') return fail(`"${textOf(operand)}" is a value, not a field: a test needs a field, e.g. sip.Method == "INVITE"`, operand.span);
  return fail('A test needs a field here (write a comparison such as sip.Method == "INVITE")', operand.span);
}

/** A word that looks like a field name (`sip.Foo`, `ims.procedur`), not like a value. */
function looksLikeFieldName(text: string): boolean {
  return /^[A-Za-z_][A-Za-z0-9_-]*(\.[A-Za-z0-9_-]+)*$/.test(text) && /[A-Za-z]/.test(text) && !/^0x[0-9a-f]+$/i.test(text);
}

/** Edit distance with transpositions (Damerau–Levenshtein, optimal string alignment), case-insensitive. */
function editDistance(a: string, b: string): number {
  a = a.toLowerCase();
  b = b.toLowerCase();
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => [i, ...new Array<number>(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) d[0][j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
    }
  }
  return d[a.length][b.length];
}

/** The closest field names to a mistyped one (case differences first). */
export function suggestFields(name: string, limit = 3): string[] {
  const names = allFields().map((f) => f.name);
  const sameIgnoringCase = names.filter((n) => n.toLowerCase() === name.toLowerCase());
  if (sameIgnoringCase.length > 0) return sameIgnoringCase;
  const threshold = Math.max(1, Math.min(3, Math.floor(name.length / 4)));
  return names
    .map((n) => ({ n, d: editDistance(name, n) }))
    .filter(({ d }) => d <= threshold)
    .sort((x, y) => x.d - y.d || x.n.localeCompare(y.n))
    .slice(0, limit)
    .map(({ n }) => n);
}

function unknownField(name: string, span: Span): never {
  const suggestions = suggestFields(name);
  let message = `Unknown field "${name}"`;
  if (suggestions.length > 0) message += `: did you mean ${suggestions.join(', ')}?`;
  else if (/^sip\.[A-Za-z][A-Za-z0-9-]*$/.test(name)) message += `: for any header write sip.header["${name.slice(4)}"]`;
  else message += ' (sipscope fields lists them all)';
  return fail(message, span);
}

/**
 * Resolves an operand. A word is a field when a field has that name; otherwise it is a literal, kept as
 * `undefined` here and converted once the type it is compared with is known (Wireshark does the same:
 * `sip.Method == INVITE` compares with the string "INVITE").
 */
function resolveOperand(operand: Operand, use: Use, role: 'field' | 'either'): CheckedOperand | undefined {
  switch (operand.kind) {
    case 'word': {
      const field = lookupField(operand.text);
      if (field) {
        use(field);
        return { kind: 'field', field, type: field.type, span: operand.span };
      }
      if (role === 'field' && looksLikeFieldName(operand.text)) unknownField(operand.text, operand.span);
      return undefined;
    }
    case 'string':
      return undefined;
    case 'keyed': {
      const name = operand.field.text;
      if (!KEYED_FIELDS.includes(name)) {
        if (lookupField(name)) fail(`${name} does not take a key in brackets (only ${KEYED_FIELDS.join(', ')} does)`, operand.field.span);
        unknownField(name, operand.field.span);
      }
      if (!/^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/.test(operand.key)) fail(`"${operand.key}" is not a header name (RFC 3261 §25.1: a token)`, operand.keySpan);
      const field = lookupKeyedField(name, operand.key);
      if (!field) return unknownField(name, operand.field.span);
      use(field);
      return { kind: 'field', field, type: field.type, span: operand.span };
    }
    case 'slice': {
      const inner = resolveOperand(operand.operand, use, 'field');
      if (!inner || inner.kind === 'constant') return fail('Slices apply to fields', operand.operand.span);
      if (inner.type !== 'string') fail(`Slices apply to strings; ${describe(inner)} is ${TYPE_NAMES[inner.type]}`, operand.span);
      return { kind: 'slice', operand: inner, ranges: operand.ranges, type: 'string', span: operand.span };
    }
    case 'call': {
      const fn = FUNCTIONS[operand.name];
      if (!fn) return fail(`Unknown function "${operand.name}" (functions: ${Object.keys(FUNCTIONS).join(', ')})`, operand.nameSpan);
      if (operand.args.length !== 1) return fail(`${operand.name}() takes one field, got ${operand.args.length}`, operand.span);
      const inner = resolveOperand(operand.args[0], use, 'field');
      if (!inner || inner.kind === 'constant') return fail(`${operand.name}() takes a field`, operand.args[0].span);
      if (fn.arg === 'string' && inner.type !== 'string') fail(`${operand.name}() takes a string; ${describe(inner)} is ${TYPE_NAMES[inner.type]}`, operand.args[0].span);
      return { kind: 'call', name: operand.name as 'len', operand: inner, type: fn.result === 'same' ? inner.type : fn.result, span: operand.span };
    }
  }
}

function describe(operand: CheckedOperand): string {
  switch (operand.kind) {
    case 'field':
      return operand.field.name;
    case 'slice':
      return `a slice of ${describe(operand.operand)}`;
    case 'call':
      return `${operand.name}(${describe(operand.operand)})`;
    case 'constant':
      return 'the value';
  }
}

function checkCompare(expr: Extract<Expr, { kind: 'compare' }>, use: Use): CheckedExpr {
  const { op } = expr;
  let left = resolveOperand(expr.left, use, 'field');
  let right = resolveOperand(expr.right, use, 'either');
  if (!left && !right) return fail(`Compare a field with a value: "${textOf(expr.left)}" is not a field`, expr.left.span);
  // `contains`/`matches` on a protocol search its text (`sip contains "foo"`).
  // A protocol or label field searched as text: its bytes (`sip`) or its own text values (`sdp`, `sip.msg_body`).
  if (left?.kind === 'field' && left.type === 'none' && (op === 'contains' || op === 'matches')) {
    const text = protocolTextField(left.field.name);
    if (text) use(text);
    if (text || left.field.source === 'message') left = { kind: 'field', field: text ?? left.field, type: 'string', span: left.span };
  }
  const fieldSide = (left ?? right) as CheckedOperand;
  if (fieldSide.type === 'none') {
    fail(`${describe(fieldSide)} is a protocol: test it alone (${describe(fieldSide)}) or compare one of its fields`, fieldSide.span);
  }
  checkOperator(op, fieldSide, expr.opSpan);
  if (!left) left = literal(expr.left, fieldSide);
  if (!right) {
    right = op === 'matches' ? regexLiteral(expr.right) : literal(expr.right, fieldSide, op === 'contains');
  } else if (op === 'matches') {
    fail('matches needs a quoted regular expression on its right, not a field', expr.right.span);
  } else if (left.kind !== 'constant' && right.kind !== 'constant') {
    if (!compatible(left.type, right.type)) fail(`Cannot compare ${describe(left)} (${TYPE_NAMES[left.type]}) with ${describe(right)} (${TYPE_NAMES[right.type]})`, expr.span);
  }
  if (left.kind === 'constant' && (op === 'contains' || op === 'matches')) fail(`The left side of ${op} must be a field`, expr.left.span);
  return { kind: 'compare', op, left, right };
}

function textOf(operand: Operand): string {
  switch (operand.kind) {
    case 'word':
      return operand.text;
    case 'string':
      return operand.value;
    default:
      return '';
  }
}

function compatible(a: FieldType, b: FieldType): boolean {
  if (a === b) return true;
  if (NUMERIC.has(a) && NUMERIC.has(b)) return true;
  if (ADDRESS.has(a) && ADDRESS.has(b)) return true;
  return false;
}

function checkOperator(op: CompareOp, field: CheckedOperand, span: Span): void {
  const type = field.type;
  if ((op === 'contains' || op === 'matches') && type !== 'string') {
    fail(`"${op}" needs a string field; ${describe(field)} is ${TYPE_NAMES[type]}${op === 'contains' && NUMERIC.has(type) ? ' (use ==, <, > or in)' : ''}`, span);
  }
  if ((op === '<' || op === '<=' || op === '>' || op === '>=') && type === 'boolean') {
    fail(`"${op}" does not apply to ${describe(field)}, which is a boolean (use == or !=)`, span);
  }
}

function regexLiteral(operand: Operand): CheckedOperand {
  if (operand.kind !== 'string') return fail('matches needs a quoted regular expression, e.g. sip.From matches "^\\"?[A-Z]"', operand.span);
  const compiled = compileFilterRegex(operand.value);
  if ('message' in compiled) {
    // Point inside the quotes when the pattern has no escapes to shift offsets; else at the whole string.
    const inner = operand.span.length === operand.value.length + 2;
    const span = inner ? { start: operand.span.start + 1 + compiled.offset, length: Math.max(1, compiled.length) } : operand.span;
    return fail(compiled.message, span);
  }
  return { kind: 'constant', type: 'string', constant: { kind: 'regex', regex: compiled }, span: operand.span };
}

/** Converts a literal operand to the type of the field it is compared with. */
function literal(operand: Operand, field: CheckedOperand, substring = false): CheckedOperand {
  if (operand.kind !== 'word' && operand.kind !== 'string') return fail('Expected a value here', operand.span);
  const text = operand.kind === 'word' ? operand.text : operand.value;
  const constant = convert(text, field.type, substring);
  if (typeof constant === 'string') return fail(constant.replace('%F', describe(field)), operand.span);
  // A field with a closed set of values (ims.procedure, call.state...): a value outside it is a typo.
  if (!substring && field.kind === 'field' && field.field.values && !field.field.values.includes(text)) {
    const values = field.field.values;
    const close = values.filter((v) => v.toLowerCase() === text.toLowerCase() || editDistance(v, text) <= Math.max(1, Math.floor(text.length / 4)));
    const hint = close.length > 0 ? `did you mean ${close.map((v) => `"${v}"`).join(', ')}?` : `it is one of ${values.map((v) => `"${v}"`).join(', ')}`;
    return fail(`${field.field.name} is never "${text}": ${hint}`, operand.span);
  }
  return { kind: 'constant', type: field.type, constant, span: operand.span };
}

/** A literal in the given type, or the error text (`%F` stands for the field). */
function convert(text: string, type: FieldType, substring: boolean): Constant | string {
  switch (type) {
    case 'string':
      return { kind: 'value', value: text };
    case 'number':
    case 'duration': {
      const n = parseNumber(text);
      if (n === undefined) return `"${text}" is not a number (%F is ${TYPE_NAMES[type]})`;
      return { kind: 'value', value: n };
    }
    case 'time': {
      const t = parseNumber(text) ?? parseTime(text);
      if (t === undefined) return `"${text}" is not a time: write "2026-11-24 10:30:00", "Nov 24, 2026 10:30:00.5" or seconds since 1970`;
      return { kind: 'value', value: t };
    }
    case 'boolean': {
      const lower = text.toLowerCase();
      if (lower === '1' || lower === 'true') return { kind: 'value', value: true };
      if (lower === '0' || lower === 'false') return { kind: 'value', value: false };
      return `"${text}" is not a boolean: write 1, 0, true or false`;
    }
    case 'ipv4':
    case 'ipv6':
    case 'address': {
      const network = parseNetwork(text, type);
      if (typeof network === 'string') return network;
      return network;
    }
    case 'none':
      return substring ? { kind: 'value', value: text } : `%F is a protocol: test it alone`;
  }
}

/** Integers (decimal, 0x hex, 0 octal as Wireshark), decimals, negative numbers. */
function parseNumber(text: string): number | undefined {
  const t = text.trim();
  if (/^[+-]?0x[0-9a-f]+$/i.test(t)) return (t.startsWith('-') ? -1 : 1) * parseInt(t.replace(/^[+-]/, ''), 16);
  if (/^[+-]?0[0-7]+$/.test(t)) return (t.startsWith('-') ? -1 : 1) * parseInt(t.replace(/^[+-]/, ''), 8);
  if (/^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(t)) return Number(t);
  return undefined;
}

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];

/**
 * Absolute times as Wireshark reads them (wireshark-filter(4): "Nov 24, 2026 10:30:00.5" and ISO 8601
 * "2026-11-24 10:30:00"), in local time unless they end in `Z` or `UTC`. Returns epoch seconds.
 */
export function parseTime(text: string): number | undefined {
  let t = text.trim();
  let utc = false;
  if (/(Z|\s*UTC)$/i.test(t)) {
    utc = true;
    t = t.replace(/(Z|\s*UTC)$/i, '');
  }
  let year: number;
  let month: number;
  let day: number;
  let rest: string;
  let m = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](.*))?$/.exec(t);
  if (m) {
    [year, month, day, rest] = [Number(m[1]), Number(m[2]) - 1, Number(m[3]), m[4] ?? ''];
  } else {
    m = /^([A-Za-z]{3})\s+(\d{1,2}),\s*(\d{4})(?:\s+(.*))?$/.exec(t);
    if (!m) return undefined;
    month = MONTHS.indexOf(m[1].toLowerCase());
    if (month < 0) return undefined;
    [year, day, rest] = [Number(m[3]), Number(m[2]), m[4] ?? ''];
  }
  let hours = 0;
  let minutes = 0;
  let seconds = 0;
  if (rest !== '') {
    const clock = /^(\d{1,2}):(\d{2})(?::(\d{2}(?:\.\d+)?))?$/.exec(rest.trim());
    if (!clock) return undefined;
    [hours, minutes, seconds] = [Number(clock[1]), Number(clock[2]), Number(clock[3] ?? 0)];
  }
  if (month > 11 || day < 1 || day > 31 || hours > 23 || minutes > 59 || seconds >= 61) return undefined;
  const whole = Math.floor(seconds);
  const ms = utc ? Date.UTC(year, month, day, hours, minutes, whole) : new Date(year, month, day, hours, minutes, whole).getTime();
  return ms / 1000 + (seconds - whole);
}

function parseNetwork(text: string, type: FieldType): Constant | string {
  const slash = text.indexOf('/');
  const address = slash >= 0 ? text.slice(0, slash) : text;
  const v4 = parseIpv4(address);
  const v6 = v4 === undefined ? parseIpv6(address) : undefined;
  const expected = type === 'ipv4' ? 'an IPv4 address' : type === 'ipv6' ? 'an IPv6 address' : 'an IP address';
  if ((type === 'ipv4' && v4 === undefined) || (type === 'ipv6' && v6 === undefined) || (v4 === undefined && v6 === undefined)) {
    return `"${text}" is not ${expected} (%F is ${TYPE_NAMES[type]}; host names are not resolved)`;
  }
  const bytes = v4 !== undefined ? new Uint8Array([v4 >>> 24, (v4 >>> 16) & 255, (v4 >>> 8) & 255, v4 & 255]) : (v6 as Uint8Array);
  const bits = bytes.length * 8;
  let prefix = bits;
  if (slash >= 0) {
    const p = text.slice(slash + 1);
    prefix = /^\d{1,3}$/.test(p) ? Number(p) : -1;
    if (prefix < 0 || prefix > bits) return `"/${p}" is not a prefix length for ${v4 !== undefined ? 'IPv4 (0–32)' : 'IPv6 (0–128)'}`;
  }
  return { kind: 'network', bytes, prefix };
}

function checkIn(expr: Extract<Expr, { kind: 'in' }>, use: Use): CheckedExpr {
  const operand = resolveOperand(expr.operand, use, 'field');
  if (!operand || operand.kind === 'constant') return notAField(expr.operand);
  if (operand.type === 'none') fail(`${describe(operand)} is a protocol: test it alone`, operand.span);
  const set: CheckedSetElement[] = expr.set.map((element: SetElement): CheckedSetElement => {
    if (element.kind === 'value') {
      const field = resolveOperand(element.value, use, 'either');
      if (field) {
        if (!compatible(operand.type, field.type)) fail(`Cannot compare ${describe(operand)} with ${describe(field)}`, element.span);
        return { kind: 'value', value: field };
      }
      return { kind: 'value', value: literal(element.value, operand) };
    }
    if (!NUMERIC.has(operand.type)) fail(`Ranges (a..b) need a numeric field; ${describe(operand)} is ${TYPE_NAMES[operand.type]}`, element.span);
    const bound = (value: Operand): number => {
      const c = literal(value, operand);
      if (c.kind !== 'constant' || c.constant.kind !== 'value' || typeof c.constant.value !== 'number') return fail('Expected a number', value.span);
      return c.constant.value;
    };
    const low = bound(element.low);
    const high = bound(element.high);
    if (low > high) fail(`Empty range: ${low} is greater than ${high}`, element.span);
    return { kind: 'range', low, high };
  });
  return { kind: 'in', negated: expr.negated, operand, set };
}
