// Argument checks for everything that reaches the main process from a renderer (or the command line).
// The renderer is treated as untrusted: a compromised page can send any value on any channel, so each
// handler validates its arguments here before they touch the file system or the engine.
import { isAbsolute, normalize } from 'node:path';
import { MAX_ALIAS_LENGTH, MAX_HOST_KEY_LENGTH, MAX_NOTE_LENGTH, MAX_TAG_LENGTH } from '../core/annotations/annotations.js';
import { EXPORT_FORMATS, MESSAGE_COLUMNS, type ExportRequest, type NoteEdit, type CaptureSettings, type CaptureSource, type InvokeArgs, type InvokeOperation, type MessageColumn, type RowsQuery, type ViewId } from '../shared/api.js';

/** Longest path we accept. Linux PATH_MAX is 4096 bytes including the terminating NUL. */
export const MAX_PATH_LENGTH = 4095;

/** A rejected argument. Its message is shown to the user as is, so it says what was wrong. */
export class ArgumentError extends Error {
  override name = 'ArgumentError';
}

function describe(value: unknown): string {
  if (value === null || value === undefined) return String(value);
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}

/**
 * Returns `value` as a normalised absolute path, or throws `ArgumentError`.
 * `what` names the argument in the message ("trace path").
 */
export function validateAbsolutePath(value: unknown, what: string): string {
  if (typeof value !== 'string') throw new ArgumentError(`${what} must be a string, got ${describe(value)}`);
  if (value.length === 0) throw new ArgumentError(`${what} is empty`);
  if (value.length > MAX_PATH_LENGTH) {
    throw new ArgumentError(`${what} is too long (${value.length} characters; the limit is ${MAX_PATH_LENGTH})`);
  }
  // A NUL would truncate the path inside the C APIs underneath fs (Node refuses it too, less clearly).
  if (value.includes('\0')) throw new ArgumentError(`${what} contains a NUL character`);
  if (!isAbsolute(value)) throw new ArgumentError(`${what} must be absolute, got "${value}"`);
  return normalize(value);
}

/** Throws `ArgumentError` unless exactly `expected` arguments were sent. */
export function checkArity(operation: string, args: readonly unknown[], expected: number): void {
  if (args.length !== expected) {
    const noun = expected === 1 ? 'argument' : 'arguments';
    throw new ArgumentError(`${operation} expects ${expected} ${noun}, got ${args.length}`);
  }
}

/** Most decode-as rules accepted at once, and the longest rule text (a rule is ~25 characters). */
export const MAX_DECODE_AS_RULES = 64;
export const MAX_DECODE_AS_RULE_LENGTH = 100;

/** Returns `value` as a list of decode-as rule texts (syntax is checked by the engine), or throws `ArgumentError`. */
export function validateRuleList(value: unknown): string[] {
  if (!Array.isArray(value)) throw new ArgumentError(`decode-as rules must be an array of strings, got ${describe(value)}`);
  if (value.length > MAX_DECODE_AS_RULES) throw new ArgumentError(`too many decode-as rules (${value.length}; the limit is ${MAX_DECODE_AS_RULES})`);
  return value.map((rule, i) => {
    if (typeof rule !== 'string') throw new ArgumentError(`decode-as rule ${i + 1} must be a string, got ${describe(rule)}`);
    if (rule.length > MAX_DECODE_AS_RULE_LENGTH) throw new ArgumentError(`decode-as rule ${i + 1} is too long (${rule.length} characters; the limit is ${MAX_DECODE_AS_RULE_LENGTH})`);
    return rule;
  });
}

/**
 * Longest display filter accepted, in characters (UTF-16 code units). Real filters are a few hundred
 * characters; the bound keeps a hostile page from making the scanner and checker chew megabytes.
 */
export const MAX_FILTER_LENGTH = 64 * 1024;

/** Returns `value` as display-filter text (its syntax is the engine's business), or throws `ArgumentError`. */
export function validateFilterText(value: unknown): string {
  if (typeof value !== 'string') throw new ArgumentError(`display filter must be a string, got ${describe(value)}`);
  if (value.length > MAX_FILTER_LENGTH) {
    throw new ArgumentError(`display filter is too long (${value.length} characters; the limit is ${MAX_FILTER_LENGTH})`);
  }
  return value;
}

/** Most rows a `getRows` request may ask for (the trace service clamps to its own page bound too). */
export const MAX_ROWS_REQUEST = 1000;
/** Largest row position, row id or view id accepted: message ids are 32-bit (src/core/index/message-index.ts). */
export const MAX_ROW_INDEX = 0xffffffff;
/** Most custom header columns at once, and the longest header name (the contract's `RowsQuery.headers`). */
export const MAX_HEADER_COLUMNS = 16;
export const MAX_HEADER_NAME_LENGTH = 64;
/** Most calls in one ladder diagram. */
export const MAX_LADDER_CALLS = 64;

/** The table's columns (the contract's `MessageColumn`), besides `header:NAME`. */
const MESSAGE_COLUMN_NAMES: ReadonlySet<string> = new Set<MessageColumn>(MESSAGE_COLUMNS);

/** RFC 3261 §25.1 `token`: what a header field name is made of (alphanumerics and `-.!%*_+\`'~`). */
const HEADER_NAME = /^[A-Za-z0-9\-.!%*_+`'~]+$/;

/** Returns `value` as an integer in [0, max], or throws `ArgumentError` naming `what`. */
export function validateIndex(value: unknown, what: string, max = MAX_ROW_INDEX): number {
  if (typeof value !== 'number' || !Number.isInteger(value)) throw new ArgumentError(`${what} must be an integer, got ${typeof value === 'number' ? String(value) : describe(value)}`);
  if (value < 0 || value > max) throw new ArgumentError(`${what} must be between 0 and ${max}, got ${value}`);
  return value;
}

/** A view id (`ViewId`): 0 for the whole trace, or the `view` of a filter outcome. */
export function validateViewId(value: unknown): ViewId {
  return validateIndex(value, 'view', Number.MAX_SAFE_INTEGER);
}

/** A message id (`MessageRow.row`). */
export function validateRowId(value: unknown): number {
  return validateIndex(value, 'message row');
}

/** A header name for a custom column: an RFC 3261 token of at most 64 characters. */
export function validateHeaderName(value: unknown, what: string): string {
  if (typeof value !== 'string') throw new ArgumentError(`${what} must be a string, got ${describe(value)}`);
  if (value.length === 0 || value.length > MAX_HEADER_NAME_LENGTH) {
    throw new ArgumentError(`${what} must be 1 to ${MAX_HEADER_NAME_LENGTH} characters long, got ${value.length}`);
  }
  if (!HEADER_NAME.test(value)) throw new ArgumentError(`${what} is not a SIP header name: ${JSON.stringify(value)}`);
  return value;
}

function checkKeys(value: Record<string, unknown>, allowed: readonly string[], what: string): void {
  for (const key of Object.keys(value)) {
    if (!allowed.includes(key)) throw new ArgumentError(`${what} has an unknown field ${JSON.stringify(key.slice(0, 64))}`);
  }
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Returns `value` as a `RowsQuery` (a fresh object holding only the known fields), or throws `ArgumentError`.
 * `start` and `count` are integers (`count` at most 1000); the sort column is one of the table's columns
 * or `header:` + a header name; at most 16 custom header names.
 */
export function validateRowsQuery(value: unknown): RowsQuery {
  if (!isPlainObject(value)) throw new ArgumentError(`rows query must be an object, got ${describe(value)}`);
  checkKeys(value, ['view', 'start', 'count', 'sort', 'headers'], 'rows query');
  const query: RowsQuery = {
    view: validateViewId(value['view']),
    start: validateIndex(value['start'], 'start'),
    count: validateIndex(value['count'], 'count', MAX_ROWS_REQUEST),
  };
  const sort = value['sort'];
  if (sort !== undefined) {
    if (!isPlainObject(sort)) throw new ArgumentError(`sort must be an object, got ${describe(sort)}`);
    checkKeys(sort, ['column', 'descending'], 'sort');
    const column = sort['column'];
    if (typeof column !== 'string') throw new ArgumentError(`sort column must be a string, got ${describe(column)}`);
    if (column.startsWith('header:')) validateHeaderName(column.slice('header:'.length), 'sort header');
    else if (!MESSAGE_COLUMN_NAMES.has(column)) throw new ArgumentError(`unknown sort column ${JSON.stringify(column.slice(0, 64))}`);
    if (typeof sort['descending'] !== 'boolean') throw new ArgumentError(`sort descending must be a boolean, got ${describe(sort['descending'])}`);
    query.sort = { column: column as MessageColumn | `header:${string}`, descending: sort['descending'] };
  }
  const headers = value['headers'];
  if (headers !== undefined) {
    if (!Array.isArray(headers)) throw new ArgumentError(`headers must be an array of header names, got ${describe(headers)}`);
    if (headers.length > MAX_HEADER_COLUMNS) throw new ArgumentError(`too many header columns (${headers.length}; the limit is ${MAX_HEADER_COLUMNS})`);
    query.headers = headers.map((name, i) => validateHeaderName(name, `header ${i + 1}`));
  }
  return query;
}

/** Returns `value` as a list of call indexes (`CallSummary.index`, at most 64), or throws `ArgumentError`. */
export function validateCallList(value: unknown): number[] {
  if (!Array.isArray(value)) throw new ArgumentError(`calls must be an array of call indexes, got ${describe(value)}`);
  if (value.length > MAX_LADDER_CALLS) throw new ArgumentError(`too many calls for one ladder diagram (${value.length}; the limit is ${MAX_LADDER_CALLS})`);
  return value.map((call, i) => validateIndex(call, `call ${i + 1}`));
}


/** Most interfaces captured at once, and the longest interface name (Windows NPF names are ~50 characters). */
export const MAX_CAPTURE_INTERFACES = 16;
export const MAX_INTERFACE_NAME_LENGTH = 256;
/** Longest BPF capture filter accepted. */
export const MAX_CAPTURE_FILTER_LENGTH = 8 * 1024;
/** Ring buffer bounds: files kept, and the largest file size (MB) and duration (s) a file may reach. */
export const MAX_RING_FILES = 100_000;
export const MAX_RING_MEGABYTES = 1_000_000;
export const MAX_RING_SECONDS = 31 * 24 * 3600;

function validateInterfaceName(value: unknown, what: string): string {
  if (typeof value !== 'string') throw new ArgumentError(`${what} must be a string, got ${describe(value)}`);
  if (value.length === 0 || value.length > MAX_INTERFACE_NAME_LENGTH) throw new ArgumentError(`${what} must be 1 to ${MAX_INTERFACE_NAME_LENGTH} characters long`);
  // Control characters have no place in an interface name, and a NUL would cut it short in libpcap.
  for (let i = 0; i < value.length; i++) {
    const code = value.charCodeAt(i);
    if (code < 0x20 || code === 0x7f) throw new ArgumentError(`${what} contains a control character`);
  }
  return value;
}

function validateCaptureSource(value: unknown): CaptureSource {
  if (!isPlainObject(value)) throw new ArgumentError(`capture source must be an object, got ${describe(value)}`);
  if (value['kind'] === 'interfaces') {
    checkKeys(value, ['kind', 'interfaces', 'filter'], 'capture source');
    const interfaces = value['interfaces'];
    if (!Array.isArray(interfaces) || interfaces.length === 0) throw new ArgumentError('capture needs at least one interface');
    if (interfaces.length > MAX_CAPTURE_INTERFACES) throw new ArgumentError(`too many interfaces (${interfaces.length}; the limit is ${MAX_CAPTURE_INTERFACES})`);
    const filter = value['filter'];
    if (typeof filter !== 'string') throw new ArgumentError(`capture filter must be a string, got ${describe(filter)}`);
    if (filter.length > MAX_CAPTURE_FILTER_LENGTH) throw new ArgumentError(`capture filter is too long (${filter.length} characters; the limit is ${MAX_CAPTURE_FILTER_LENGTH})`);
    if (filter.includes('\0')) throw new ArgumentError('capture filter contains a NUL character');
    return { kind: 'interfaces', interfaces: interfaces.map((name, i) => validateInterfaceName(name, `interface ${i + 1}`)), filter };
  }
  if (value['kind'] === 'hep') {
    checkKeys(value, ['kind', 'transport', 'host', 'port'], 'capture source');
    const transport = value['transport'];
    if (transport !== 'udp' && transport !== 'tcp') throw new ArgumentError(`HEP transport must be "udp" or "tcp", got ${JSON.stringify(transport) ?? 'undefined'}`);
    const host = value['host'];
    // An IP address or a host name (RFC 1123): letters, digits, '-', '.', and ':' for IPv6.
    if (typeof host !== 'string' || host.length === 0 || host.length > 255 || !/^[A-Za-z0-9.:%_-]+$/.test(host)) {
      throw new ArgumentError(`HEP listen address must be an IP address or a host name, got ${typeof host === 'string' ? JSON.stringify(host.slice(0, 64)) : describe(host)}`);
    }
    return { kind: 'hep', transport, host, port: validateIndex(value['port'], 'HEP port', 65535) };
  }
  throw new ArgumentError(`capture source kind must be "interfaces" or "hep", got ${JSON.stringify(value['kind']) ?? 'undefined'}`);
}

function positiveOrNull(value: unknown, what: string, max: number): number | null {
  if (value === null) return null;
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0 || value > max) throw new ArgumentError(`${what} must be a number above 0 and at most ${max}, or null`);
  return value;
}

/** Returns `value` as `CaptureSettings` (a fresh object with the known fields only), or throws `ArgumentError`. */
export function validateCaptureSettings(value: unknown): CaptureSettings {
  if (!isPlainObject(value)) throw new ArgumentError(`capture settings must be an object, got ${describe(value)}`);
  checkKeys(value, ['source', 'folder', 'ring'], 'capture settings');
  const source = validateCaptureSource(value['source']);
  const folder = value['folder'] === null || value['folder'] === undefined ? null : validateAbsolutePath(value['folder'], 'capture folder');
  let ring: CaptureSettings['ring'] = null;
  const rawRing = value['ring'];
  if (rawRing !== null && rawRing !== undefined) {
    if (!isPlainObject(rawRing)) throw new ArgumentError(`ring buffer must be an object or null, got ${describe(rawRing)}`);
    checkKeys(rawRing, ['files', 'megabytes', 'seconds'], 'ring buffer');
    const files = rawRing['files'];
    if (typeof files !== 'number' || !Number.isInteger(files) || files < 2 || files > MAX_RING_FILES) throw new ArgumentError(`ring buffer files must be a whole number from 2 to ${MAX_RING_FILES}`);
    const megabytes = positiveOrNull(rawRing['megabytes'] ?? null, 'ring buffer file size (MB)', MAX_RING_MEGABYTES);
    const seconds = positiveOrNull(rawRing['seconds'] ?? null, 'ring buffer file duration (s)', MAX_RING_SECONDS);
    if (megabytes === null && seconds === null) throw new ArgumentError('a ring buffer needs a file size (MB) or a file duration (seconds)');
    if (source.kind === 'hep') throw new ArgumentError('a HEP listener writes one file: the ring buffer applies to interface captures');
    ring = { files, megabytes, seconds };
  }
  return { source, folder, ring };
}

/**
 * Returns `value` as a note (or null: remove the note), or throws `ArgumentError`. Notes are text the user typed:
 * line breaks and tabs are kept, other control characters refused (they would reach pcapng comments and exports).
 */
export function validateNoteEdit(value: unknown): NoteEdit | null {
  if (value === null) return null;
  if (!isPlainObject(value)) throw new ArgumentError(`a note must be an object {note, tag} or null, got ${describe(value)}`);
  checkKeys(value, ['note', 'tag'], 'note');
  const note = value['note'];
  const tag = value['tag'] ?? null;
  if (typeof note !== 'string') throw new ArgumentError(`note text must be a string, got ${describe(note)}`);
  if (note.length > MAX_NOTE_LENGTH) throw new ArgumentError(`note is too long (${note.length} characters; the limit is ${MAX_NOTE_LENGTH})`);
  if (tag !== null && typeof tag !== 'string') throw new ArgumentError(`note tag must be a string or null, got ${describe(tag)}`);
  if (tag !== null && tag.length > MAX_TAG_LENGTH) throw new ArgumentError(`note tag is too long (${tag.length} characters; the limit is ${MAX_TAG_LENGTH})`);
  for (const [what, text] of [['note', note], ['tag', tag ?? '']] as const) {
    for (let i = 0; i < text.length; i++) {
      const code = text.charCodeAt(i);
      if ((code < 0x20 && code !== 0x0a && code !== 0x09 && code !== 0x0d) || code === 0x7f) throw new ArgumentError(`${what} contains a control character`);
    }
  }
  return { note, tag: tag === null || tag.trim() === '' ? null : tag.trim() };
}

/** Returns `value` as an ExportRequest (fresh object, known fields only), or throws `ArgumentError`. */
export function validateExportRequest(value: unknown): ExportRequest {
  if (!isPlainObject(value)) throw new ArgumentError(`export request must be an object, got ${describe(value)}`);
  checkKeys(value, ['calls', 'format', 'anonymize'], 'export request');
  const calls = validateCallList(value['calls']);
  if (calls.length === 0) throw new ArgumentError('choose at least one call to export');
  const format = value['format'];
  if (typeof format !== 'string' || !(EXPORT_FORMATS as readonly string[]).includes(format)) throw new ArgumentError(`export format must be one of ${EXPORT_FORMATS.join(', ')}`);
  if (typeof value['anonymize'] !== 'boolean') throw new ArgumentError(`anonymize must be a boolean, got ${describe(value['anonymize'])}`);
  return { calls, format: format as ExportRequest['format'], anonymize: value['anonymize'] };
}

/** A ladder host's address (`ip:port`, IPv6 in brackets), as a key of the notes' aliases. */
export function validateHostAddress(value: unknown): string {
  if (typeof value !== 'string') throw new ArgumentError(`host address must be a string, got ${describe(value)}`);
  if (value.length === 0 || value.length > MAX_HOST_KEY_LENGTH) throw new ArgumentError(`host address must be 1 to ${MAX_HOST_KEY_LENGTH} characters long`);
  // Addresses are made of hex digits, dots, colons, brackets, % (zone) and letters: nothing else is one.
  if (!/^[A-Za-z0-9.:[\]%_-]+$/.test(value)) throw new ArgumentError(`not a host address: ${JSON.stringify(value.slice(0, 64))}`);
  return value;
}

/** A host alias (null removes it): trimmed, at most MAX_ALIAS_LENGTH characters, no control character. */
export function validateAlias(value: unknown): string | null {
  if (value === null) return null;
  if (typeof value !== 'string') throw new ArgumentError(`alias must be a string or null, got ${describe(value)}`);
  const alias = value.trim();
  if (alias.length > MAX_ALIAS_LENGTH) throw new ArgumentError(`alias is too long (${alias.length} characters; the limit is ${MAX_ALIAS_LENGTH})`);
  for (let i = 0; i < alias.length; i++) {
    const code = alias.charCodeAt(i);
    if (code < 0x20 || code === 0x7f) throw new ArgumentError('alias contains a control character');
  }
  return alias === '' ? null : alias;
}

/**
 * The argument checks of every operation of the contract, in one table shared by both transports (the IPC
 * handlers of src/main/ipc.ts and `sipscope serve`'s src/node/serve/protocol.ts): each returns the arguments
 * typed, or throws `ArgumentError` naming the problem. The mapped type makes a new operation a compile error here.
 */
export const parseArguments: { [K in InvokeOperation]: (args: readonly unknown[]) => InvokeArgs<K> } = {
  getAppInfo: (args) => (checkArity('getAppInfo', args, 0), []),
  openTraceDialog: (args) => (checkArity('openTraceDialog', args, 0), []),
  openTrace: (args) => (checkArity('openTrace', args, 1), [validateAbsolutePath(args[0], 'trace path')]),
  getLaunchTrace: (args) => (checkArity('getLaunchTrace', args, 0), []),
  getDecodeAs: (args) => (checkArity('getDecodeAs', args, 0), []),
  setDecodeAs: (args) => (checkArity('setDecodeAs', args, 1), [validateRuleList(args[0])]),
  applyFilter: (args) => (checkArity('applyFilter', args, 1), [validateFilterText(args[0])]),
  getFilterFields: (args) => (checkArity('getFilterFields', args, 0), []),
  cancelOpen: (args) => (checkArity('cancelOpen', args, 0), []),
  getRows: (args) => (checkArity('getRows', args, 1), [validateRowsQuery(args[0])]),
  getMessage: (args) => (checkArity('getMessage', args, 1), [validateRowId(args[0])]),
  getCalls: (args) => (checkArity('getCalls', args, 1), [validateViewId(args[0])]),
  getLadder: (args) => (checkArity('getLadder', args, 1), [validateCallList(args[0])]),
  getStatistics: (args) => (checkArity('getStatistics', args, 1), [validateViewId(args[0])]),
  listCaptureSources: (args) => (checkArity('listCaptureSources', args, 0), []),
  getInterfaceCounters: (args) => (checkArity('getInterfaceCounters', args, 0), []),
  chooseCaptureFolder: (args) => (checkArity('chooseCaptureFolder', args, 0), []),
  startCapture: (args) => (checkArity('startCapture', args, 1), [validateCaptureSettings(args[0])]),
  stopCapture: (args) => (checkArity('stopCapture', args, 0), []),
  saveCaptureAs: (args) => (checkArity('saveCaptureAs', args, 0), []),
  getAnnotations: (args) => (checkArity('getAnnotations', args, 0), []),
  setMessageNote: (args) => (checkArity('setMessageNote', args, 2), [validateRowId(args[0]), validateNoteEdit(args[1])]),
  setCallNote: (args) => (checkArity('setCallNote', args, 2), [validateIndex(args[0], 'call'), validateNoteEdit(args[1])]),
  setHostAlias: (args) => (checkArity('setHostAlias', args, 2), [validateHostAddress(args[0]), validateAlias(args[1])]),
  saveAnnotatedTrace: (args) => (checkArity('saveAnnotatedTrace', args, 0), []),
  exportCalls: (args) => (checkArity('exportCalls', args, 1), [validateExportRequest(args[0])]),
};
