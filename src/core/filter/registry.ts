import { callFields } from '../calls/fields.js';
import { indexFields } from '../index/fields.js';
import { sdpBodies, sdpMessageFields } from '../sdp/fields.js';
import { HeaderLines, sipHeaderField, sipMessageFields } from '../sip/fields.js';
import { ByteInterner } from '../index/byte-interner.js';
import { decodeText } from '../util/text.js';
import type { FieldDeclaration, FieldReader, FieldValue, FilterContext, MessageFieldDeclaration } from './field.js';
import { NO_VALUES } from './readers.js';

/** A row whose key has not been read yet. */
const UNREAD = -2;

/**
 * A field read from the message bytes, bound as a keyed reader: each message is read the first time a
 * filter asks for it (so `sip.Method == "INVITE" && sip.User-Agent contains "x"` reads User-Agent of the
 * INVITEs only), its values interned, and kept in the trace's cache for later filters.
 */
function messageField(declaration: MessageFieldDeclaration): FieldDeclaration {
  return {
    name: declaration.name,
    type: declaration.type,
    description: declaration.description,
    values: declaration.values,
    source: 'message',
    bind(context) {
      const cacheKey = `message:${declaration.name}`;
      let reader = context.cache.get(cacheKey) as FieldReader | undefined;
      if (!reader) {
        reader = messageColumn(context, declaration);
        context.cache.set(cacheKey, reader);
      }
      return reader;
    },
  };
}

function messageColumn(context: FilterContext, declaration: MessageFieldDeclaration): FieldReader {
  const messages = context.messages;
  if (!messages) throw new Error(`display filter: ${declaration.name} needs the message bytes (keepMessageBytes)`);
  const lines = declaration.fromHeaderLines ? headerLinesOf(context) : undefined;
  let keys = new Int32Array(Math.max(1024, context.index.count)).fill(UNREAD);
  const keyOf = new Map<string, number>();
  /** One string value (the common case) is looked up as itself, without building a text key. */
  const keyOfSingle = new Map<string, number>();
  const valueLists: (readonly FieldValue[])[] = [];
  const intern = (values: readonly FieldValue[]): number => {
    if (values.length === 0) return -1;
    if (values.length === 1 && typeof values[0] === 'string') {
      let key = keyOfSingle.get(values[0]);
      if (key === undefined) {
        key = valueLists.length;
        valueLists.push(values);
        keyOfSingle.set(values[0], key);
      }
      return key;
    }
    const text = JSON.stringify(values);
    let key = keyOf.get(text);
    if (key === undefined) {
      key = valueLists.length;
      valueLists.push(values);
      keyOf.set(text, key);
    }
    return key;
  };
  // With the header-line index covering the trace, the whole column is read in one pass over the lines.
  if (lines && declaration.scanHeaderLines) {
    const rows = context.index.count;
    // Text values are interned from their bytes: a value repeated in every message is decoded once.
    const texts = new ByteInterner();
    const keyOfText = new Map<number, number>();
    // The value of the previous line, to skip hashing when the next one is the same (a header whose value is
    // the same in every message: P-Access-Network-Info from one UE, User-Agent...).
    let lastBytes = new Uint8Array(0);
    let lastId = -1;
    const internText = (bytes: Uint8Array, from: number, to: number): number => {
      const length = to - from;
      if (lastId >= 0 && length === lastBytes.length) {
        let same = true;
        for (let i = 0; i < length; i++) {
          if (bytes[from + i] !== lastBytes[i]) {
            same = false;
            break;
          }
        }
        if (same) return lastId;
      }
      lastId = texts.intern(bytes, from, to);
      lastBytes = bytes.slice(from, to);
      return lastId;
    };
    let currentRow = -1;
    let current: FieldValue[] = [];
    let currentText = -1;
    const flush = () => {
      if (currentRow < 0) return;
      if (currentText >= 0) {
        let key = keyOfText.get(currentText);
        if (key === undefined) {
          key = intern([texts.get(currentText)]);
          keyOfText.set(currentText, key);
        }
        keys[currentRow] = key;
      } else keys[currentRow] = intern(current);
    };
    const start = (row: number) => {
      flush();
      currentRow = row;
      current = [];
      currentText = -1;
    };
    const scanned = declaration.scanHeaderLines(
      lines,
      rows,
      (row) => messages.bytesOf(row),
      (row, value) => {
        if (row !== currentRow) start(row);
        if (currentText >= 0) current.push(texts.get(currentText));
        currentText = -1;
        current.push(value);
      },
      (row, bytes, from, to) => {
        if (row !== currentRow) start(row);
        else if (currentText >= 0 || current.length > 0) {
          // A second value in the row: keep the values as a list.
          if (currentText >= 0) current.push(texts.get(currentText));
          currentText = -1;
          current.push(texts.get(internText(bytes, from, to)));
          return;
        }
        currentText = internText(bytes, from, to);
      },
    );
    if (scanned) {
      flush();
      for (let row = 0; row < rows; row++) if (keys[row] === UNREAD) keys[row] = -1;
    }
  }
  return {
    kind: 'keyed',
    key(row) {
      if (row >= keys.length) {
        // A live trace grows: widen the column.
        const wider = new Int32Array(Math.max(row + 1, keys.length * 2)).fill(UNREAD);
        wider.set(keys);
        keys = wider;
      }
      let key = keys[row];
      if (key !== UNREAD) return key;
      const bytes = messages.bytesOf(row);
      const values = bytes ? ((lines && declaration.fromHeaderLines?.(lines, row, bytes)) ?? declaration.extract(bytes, 0, bytes.length)) : NO_VALUES;
      key = intern(values);
      keys[row] = key;
      return key;
    },
    values: (key) => (key < 0 ? NO_VALUES : valueLists[key]),
  };
}

/** The trace's header-line index (see HeaderLines), shared by every header field, recorded as messages are asked for. */
export function headerLinesOf(context: FilterContext): HeaderLines {
  let lines = context.cache.get('sip:header-lines') as HeaderLines | undefined;
  if (!lines) {
    lines = new HeaderLines(context.index.count);
    context.cache.set('sip:header-lines', lines);
  }
  return lines;
}

/**
 * Records the header lines of every message now (when a trace is opened), so that the first filter on any
 * header is as fast as the next ones. Returns the number of lines recorded.
 */
export function indexHeaderLines(context: FilterContext): number {
  const steps = indexHeaderLinesSteps(context);
  let step = steps.next();
  while (!step.done) step = steps.next();
  return step.value;
}

/** Messages recorded between two pauses of `indexHeaderLinesSteps`: a few milliseconds of work. */
const MESSAGES_PER_STEP = 2048;

/**
 * `indexHeaderLines` as resumable steps: it pauses (yields) every `MESSAGES_PER_STEP` messages, so that a
 * caller can drive it in time slices and answer requests in between. Stopped half-way, it leaves a valid
 * partial index: the rows not recorded are read from their bytes when a filter asks for them.
 */
export function* indexHeaderLinesSteps(context: FilterContext): Generator<void, number> {
  const lines = headerLinesOf(context);
  const messages = context.messages;
  if (!messages) return 0;
  for (let row = 0; row < context.index.count; row++) {
    if (row % MESSAGES_PER_STEP === MESSAGES_PER_STEP - 1) yield;
    const bytes = messages.bytesOf(row);
    if (bytes) lines.record(row, bytes);
  }
  return lines.lines;
}

/**
 * The whole message as text, for `sip contains "..."` and `sip matches "..."` (Wireshark searches the
 * protocol's bytes). Every message is its own value: decoded when tested, never kept (that would double
 * the memory of the message bytes).
 */
const sipText: FieldDeclaration = {
  name: 'sip',
  type: 'string',
  description: 'The whole SIP message as text (for `sip contains` and `sip matches`)',
  source: 'message',
  bind(context) {
    const messages = context.messages;
    if (!messages) throw new Error('display filter: sip contains/matches needs the message bytes (keepMessageBytes)');
    return {
      kind: 'keyed',
      key: (row) => row,
      values(row) {
        const bytes = messages.bytesOf(row);
        return bytes ? [decodeText(bytes, 0, bytes.length)] : NO_VALUES;
      },
    };
  },
};

/** SDP as a protocol: present when the message carries an SDP body (or multipart part); its text for `sdp contains`. */
const sdpText: MessageFieldDeclaration = {
  name: 'sdp',
  type: 'none',
  description: 'Session Description Protocol (an application/sdp body or multipart part)',
  extract: (bytes, start, end) => sdpBodies(bytes, start, end).map(([from, to]) => decodeText(bytes, from, to)),
};

/** Every field, by name: the index's first, so that fields the index holds are never read from the bytes. */
function buildRegistry(): Map<string, FieldDeclaration> {
  const registry = new Map<string, FieldDeclaration>();
  for (const field of [...indexFields, ...callFields]) registry.set(field.name, field);
  for (const field of [...sipMessageFields, sdpText, ...sdpMessageFields]) if (!registry.has(field.name)) registry.set(field.name, messageField(field));
  return registry;
}

let registry: Map<string, FieldDeclaration> | undefined;

/** All declared fields, sorted by name (for `sipscope fields` and autocomplete). */
export function allFields(): FieldDeclaration[] {
  registry ??= buildRegistry();
  return [...registry.values()].sort((a, b) => a.name.localeCompare(b.name));
}

export function lookupField(name: string): FieldDeclaration | undefined {
  registry ??= buildRegistry();
  return registry.get(name);
}

/** The keyed fields: `sip.header["X-Anything"]` (any header by name). */
export const KEYED_FIELDS: readonly string[] = ['sip.header'];

export function lookupKeyedField(name: string, key: string): FieldDeclaration | undefined {
  if (name !== 'sip.header') return undefined;
  return messageField(sipHeaderField(key));
}

/** The text of a protocol, for `contains`/`matches` on the protocol itself (only `sip` for now). */
export function protocolTextField(name: string): FieldDeclaration | undefined {
  return name === 'sip' ? sipText : undefined;
}
