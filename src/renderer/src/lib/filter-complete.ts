import type { FilterFieldInfo } from '../../../shared/api.js';

/**
 * Autocomplete of the display-filter input: field names where a field may start, and a closed field's
 * values (`ims.procedure`, `call.state`...) after `==`, `!=` or inside `in { }`. Works on the text and the
 * caret only (no parse): a half-typed filter does not parse, and that is exactly when completion is wanted.
 */
export interface CompletionItem {
  label: string;
  /** What replaces `text.slice(from, to)`. */
  insert: string;
  detail: string;
}

export interface Completion {
  kind: 'field' | 'value';
  from: number;
  to: number;
  items: CompletionItem[];
}

/** Characters that end a word: spaces, brackets, operators, set separators. */
const DELIMITER = /[\s(){}!=<>&|,~^]/;

function wordBounds(text: string, cursor: number): [number, number] {
  let from = cursor;
  while (from > 0 && !DELIMITER.test(text[from - 1])) from--;
  let to = cursor;
  while (to < text.length && !DELIMITER.test(text[to])) to++;
  return [from, to];
}

function skipSpacesBack(text: string, at: number): number {
  while (at > 0 && /\s/.test(text[at - 1])) at--;
  return at;
}

/** The field name ending at `end` (after spaces), or null. */
function fieldBefore(text: string, end: number): string | null {
  const stop = skipSpacesBack(text, end);
  let start = stop;
  while (start > 0 && /[A-Za-z0-9_.-]/.test(text[start - 1])) start--;
  return start < stop ? text.slice(start, stop) : null;
}

/** The field whose value is being typed at `from`, when the text before is `FIELD ==`, `FIELD !=` or `FIELD in { …,`. */
function valueContext(text: string, from: number): string | null {
  const before = skipSpacesBack(text, from);
  const head = text.slice(0, before);
  const op = /(===|!==|==|!=|\beq|\bne|\bany_eq|\ball_ne)$/.exec(head);
  if (op) return fieldBefore(text, before - op[0].length);
  // Inside a set: an unclosed `{` before the word, preceded by `in` and the field.
  const open = head.lastIndexOf('{');
  if (open < 0 || head.indexOf('}', open) >= 0) return null;
  const beforeBrace = skipSpacesBack(text, open);
  if (!/\bin$/.test(text.slice(0, beforeBrace))) return null;
  return fieldBefore(text, beforeBrace - 2);
}

/** Whether a field name may start here: at the start, after `(`, `!`, `&&`, `||`, `and`, `or`, `not`. */
function fieldMayStart(text: string, from: number): boolean {
  const before = skipSpacesBack(text, from);
  const head = text.slice(0, before);
  if (head === '' || /(\(|!|&&|\|\||\^\^)$/.test(head)) return true;
  return /(?:^|[\s()])(and|or|not|xor)$/i.test(head);
}

const quote = (value: string) => `"${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;

/**
 * What to offer at `cursor`: null when nothing fits. `explicit` (Ctrl+Space) also offers every field on
 * an empty word; otherwise field completion starts with the first letter.
 */
export function completionsAt(text: string, cursor: number, fields: readonly FilterFieldInfo[], explicit = false, limit = 50): Completion | null {
  const at = Math.max(0, Math.min(cursor, text.length));
  const [from, to] = wordBounds(text, at);
  const word = text.slice(from, at);
  const fieldName = valueContext(text, from);
  if (fieldName !== null) {
    const field = fields.find((f) => f.name.toLowerCase() === fieldName.toLowerCase());
    if (!field?.values || field.values.length === 0) return null;
    const prefix = word.replace(/^"/, '').replace(/"$/, '').toLowerCase();
    const items = field.values
      .filter((v) => v.toLowerCase().startsWith(prefix) && quote(v) !== word)
      .slice(0, limit)
      .map((v) => ({ label: v, insert: quote(v), detail: field.name }));
    return items.length === 0 ? null : { kind: 'value', from, to, items };
  }
  if (!fieldMayStart(text, from)) return null;
  if (word === '' && !explicit) return null;
  if (word !== '' && !/^[A-Za-z][A-Za-z0-9_.-]*$/.test(word)) return null;
  const lower = word.toLowerCase();
  const starts = fields.filter((f) => f.name.toLowerCase().startsWith(lower));
  const contains = lower === '' ? [] : fields.filter((f) => !f.name.toLowerCase().startsWith(lower) && f.name.toLowerCase().includes(lower));
  const items = [...starts, ...contains]
    .filter((f) => f.name.toLowerCase() !== lower || starts.length > 1)
    .slice(0, limit)
    .map((f) => ({ label: f.name, insert: f.name, detail: `${f.type} · ${f.description}` }));
  return items.length === 0 ? null : { kind: 'field', from, to, items };
}

/** The text and caret after choosing `item`: a value is followed by a space, ready for `&&`. */
export function applyCompletion(text: string, completion: Completion, item: CompletionItem): { text: string; cursor: number } {
  const insert = completion.kind === 'value' && text[completion.to] !== ' ' && text[completion.to] !== '}' ? `${item.insert} ` : item.insert;
  return { text: text.slice(0, completion.from) + insert + text.slice(completion.to), cursor: completion.from + insert.length };
}
