import { MESSAGE_COLUMNS, type MessageColumn } from '../../../shared/api.js';
import { TIME_MODES, type TimeMode } from './time-format.js';

/**
 * The message table's layout as the user left it: column order, hidden columns, widths, custom header
 * columns, time format, sort and colour rules. Stored in localStorage as JSON; whatever is read back is
 * checked field by field, so a hand-edited or older value degrades to the defaults instead of breaking the table.
 */
export interface ColumnSettings {
  /** Column ids, built-in (`frame`...) and custom (`header:P-Asserted-Identity`), left to right. */
  order: string[];
  hidden: string[];
  /** Widths in pixels of the columns the user resized. */
  sizes: Record<string, number>;
  /** SIP header names shown as custom columns, in the order they were added (at most 16, RowsQuery.headers). */
  headers: string[];
  timeMode: TimeMode;
  sort: { column: string; descending: boolean } | null;
  /** Colour rules switched off by the user (ids of COLOUR_RULES). */
  rulesOff: string[];
}

export const SETTINGS_STORAGE_KEY = 'sipscope.table.columns.v1';

/** Built-in columns in their default order (ids are the back end's sort keys, `MessageColumn`). */
export const BUILTIN_COLUMNS: readonly MessageColumn[] = MESSAGE_COLUMNS;
/** Shown unless the user asks: Size is useful but not in the issue's default set. */
export const DEFAULT_HIDDEN: readonly string[] = ['size'];
export const MAX_CUSTOM_HEADERS = 16;
export const MIN_COLUMN_WIDTH = 32;
export const MAX_COLUMN_WIDTH = 2000;

export function defaultColumnSettings(): ColumnSettings {
  return { order: [...BUILTIN_COLUMNS], hidden: [...DEFAULT_HIDDEN], sizes: {}, headers: [], timeMode: 'absolute', sort: null, rulesOff: [] };
}

const HEADER_PREFIX = 'header:';

export function customColumnId(header: string): `header:${string}` {
  return `${HEADER_PREFIX}${header}`;
}

/** The header name of a custom column id, or null for a built-in column. */
export function headerOfColumn(id: string): string | null {
  return id.startsWith(HEADER_PREFIX) ? id.slice(HEADER_PREFIX.length) : null;
}

/** RFC 3261 §25.1: a header name is a `token` (alphanumerics and `-.!%*_+`~'`). */
const TOKEN = /^[A-Za-z0-9\-.!%*_+`'~]+$/;

export function isHeaderName(name: string): boolean {
  return name.length <= 128 && TOKEN.test(name);
}

function isColumnId(id: string, headers: readonly string[]): boolean {
  const header = headerOfColumn(id);
  return header === null ? (BUILTIN_COLUMNS as readonly string[]).includes(id) : headers.some((h) => h.toLowerCase() === header.toLowerCase());
}

/**
 * Puts `order` in a consistent state: every known column exactly once (missing ones appended in their
 * default place at the end), unknown ids and duplicates dropped.
 */
export function normaliseOrder(order: readonly string[], headers: readonly string[]): string[] {
  const all = [...BUILTIN_COLUMNS, ...headers.map(customColumnId)];
  const seen = new Set<string>();
  const result: string[] = [];
  for (const id of order) {
    const known = all.find((c) => c.toLowerCase() === id.toLowerCase());
    if (known !== undefined && !seen.has(known)) {
      seen.add(known);
      result.push(known);
    }
  }
  for (const id of all) if (!seen.has(id)) result.push(id);
  return result;
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const strings = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []);

/** Reads stored settings; null, bad JSON or bad fields give the defaults (field by field). */
export function parseColumnSettings(text: string | null): ColumnSettings {
  const settings = defaultColumnSettings();
  if (text === null) return settings;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return settings;
  }
  if (!isRecord(value)) return settings;
  const headers: string[] = [];
  for (const h of strings(value.headers)) if (isHeaderName(h) && headers.length < MAX_CUSTOM_HEADERS && !headers.some((x) => x.toLowerCase() === h.toLowerCase())) headers.push(h);
  settings.headers = headers;
  if (Array.isArray(value.order)) settings.order = normaliseOrder(strings(value.order), headers);
  else settings.order = normaliseOrder(settings.order, headers);
  if (Array.isArray(value.hidden)) settings.hidden = strings(value.hidden).filter((id) => isColumnId(id, headers));
  if (isRecord(value.sizes)) {
    for (const [id, width] of Object.entries(value.sizes)) {
      if (isColumnId(id, headers) && typeof width === 'number' && Number.isFinite(width)) settings.sizes[id] = clampWidth(width);
    }
  }
  if (TIME_MODES.some((m) => m.mode === value.timeMode)) settings.timeMode = value.timeMode as TimeMode;
  if (isRecord(value.sort) && typeof value.sort.column === 'string' && isColumnId(value.sort.column, headers) && typeof value.sort.descending === 'boolean') {
    settings.sort = { column: value.sort.column, descending: value.sort.descending };
  }
  settings.rulesOff = strings(value.rulesOff);
  return settings;
}

export function serialiseColumnSettings(settings: ColumnSettings): string {
  return JSON.stringify(settings);
}

export function clampWidth(width: number): number {
  return Math.round(Math.min(MAX_COLUMN_WIDTH, Math.max(MIN_COLUMN_WIDTH, width)));
}

/** Adds a custom header column (shown, at the end); an error message when the name cannot be one. */
export function addHeaderColumn(settings: ColumnSettings, name: string): ColumnSettings | { error: string } {
  const header = name.trim().replace(/:$/, '');
  if (!isHeaderName(header)) return { error: `“${name.trim()}” is not a SIP header name` };
  const existing = settings.headers.find((h) => h.toLowerCase() === header.toLowerCase());
  if (existing !== undefined) return { error: `${existing} is already a column` };
  if (settings.headers.length >= MAX_CUSTOM_HEADERS) return { error: `at most ${MAX_CUSTOM_HEADERS} header columns` };
  const headers = [...settings.headers, header];
  return { ...settings, headers, order: normaliseOrder([...settings.order, customColumnId(header)], headers) };
}

export function removeHeaderColumn(settings: ColumnSettings, header: string): ColumnSettings {
  const id = customColumnId(header);
  const headers = settings.headers.filter((h) => h !== header);
  const sizes = { ...settings.sizes };
  delete sizes[id];
  return {
    ...settings,
    headers,
    order: settings.order.filter((c) => c !== id),
    hidden: settings.hidden.filter((c) => c !== id),
    sizes,
    sort: settings.sort?.column === id ? null : settings.sort,
  };
}

/** Moves column `id` to where `target` is (dropping a dragged header on another one). */
export function moveColumn(order: readonly string[], id: string, target: string): string[] {
  const from = order.indexOf(id);
  const to = order.indexOf(target);
  if (from < 0 || to < 0 || from === to) return [...order];
  const result = order.filter((c) => c !== id);
  result.splice(to, 0, id);
  return result;
}

/** Moves column `id` one place left (-1) or right (+1) among the visible columns. */
export function shiftColumn(order: readonly string[], hidden: readonly string[], id: string, step: -1 | 1): string[] {
  const visible = order.filter((c) => !hidden.includes(c));
  const at = visible.indexOf(id);
  const neighbour = visible[at + step];
  if (at < 0 || neighbour === undefined) return [...order];
  return moveColumn(order, id, neighbour);
}

export function toggleHidden(settings: ColumnSettings, id: string): ColumnSettings {
  const hidden = settings.hidden.includes(id) ? settings.hidden.filter((c) => c !== id) : [...settings.hidden, id];
  // The last visible column cannot be hidden: an empty table could not be brought back from its header.
  if (settings.order.every((c) => hidden.includes(c))) return settings;
  return { ...settings, hidden };
}

/** A CSS custom property name for a column's width (`header:X-Foo` → `--col-header_3aX-Foo`). */
export function widthVariable(id: string): string {
  return `--col-${id.replace(/[^A-Za-z0-9-]/g, (c) => `_${c.charCodeAt(0).toString(16)}`)}`;
}
