/**
 * Annotations: a note (and an optional tag) on a message or a call, and aliases for hosts. Pure data, so the
 * app, the CLI and the exports share one model; src/node/annotations/load.ts reads them from files.
 *
 * Where they live in a pcapng (draft-ietf-opsawg-pcapng):
 * - each message note is also an `opt_comment` (§3.5, option 1) on the Enhanced Packet Block of the frame
 *   the message ends in, so Wireshark's packet comments and `tshark -e frame.comment` show it;
 * - the whole model, as JSON, in one Custom Block (§4.8, type 0x00000BAD) owned by PEN 32473 — RFC 5612's
 *   documentation PEN, provisional until sipscope registers its own — whose data starts with the line
 *   `sipscope-annotations/1\n`. That block is authoritative on reading; frame comments without it
 *   (a capture commented in Wireshark) become message notes on the first message of their frame.
 *
 * The JSON comes from anyone (a shared capture, an autosave file): `parseAnnotations` checks every field
 * and bounds every size, and says what is wrong instead of throwing.
 */
import type { MessageIndex } from '../index/message-index.js';

export const ANNOTATIONS_VERSION = 1;

export interface MessageNote {
  /** The frame the message ends in (MessageIndex `frame`), and what identifies it among that frame's messages. */
  frame: number;
  callId: string;
  /** The CSeq number as decimal text, "" when the message had no CSeq. */
  cseq: string;
  /** method, or status code as text ("180") */
  kind: string;
  note: string;
  /** free text, e.g. "root cause", "expected", "vendor bug"; null when none */
  tag: string | null;
}

export interface CallNote {
  callId: string;
  note: string;
  tag: string | null;
}

export interface Annotations {
  version: 1;
  messages: MessageNote[];
  calls: CallNote[];
  /** Host aliases: key an address as the ladder shows hosts (`LadderHost` key in src/shared/api.ts), value e.g. "P-CSCF". */
  hosts: Record<string, string>;
}

export type NoteKey = Pick<MessageNote, 'frame' | 'callId' | 'cseq' | 'kind'>;

// ---------------------------------------------------------------------------------------------------------
// Bounds. A file from anyone must not make us allocate without limit or build text Wireshark cannot store.

/** Text of the whole JSON, in UTF-16 code units (checked before parsing). */
export const MAX_ANNOTATIONS_TEXT = 16 * 1024 * 1024;
export const MAX_MESSAGE_NOTES = 100_000;
export const MAX_CALL_NOTES = 100_000;
export const MAX_HOST_ALIASES = 10_000;
/**
 * A note's length in UTF-16 code units. Its UTF-8 form (at most 3 bytes per unit) plus the comment prefixes
 * stays under the 65,535 bytes an `opt_comment` can hold (pcapng §3.5: the option length is 16 bits).
 */
export const MAX_NOTE_LENGTH = 20_000;
export const MAX_TAG_LENGTH = 64;
/** RFC 3261 sets no limit on Call-IDs; real ones are under 100 characters. */
export const MAX_CALL_ID_LENGTH = 1024;
export const MAX_HOST_KEY_LENGTH = 256;
export const MAX_ALIAS_LENGTH = 200;

/** The Custom Block's owner: RFC 5612 §2's PEN for documentation, until sipscope has its own. */
export const ANNOTATIONS_PEN = 32473;
/** First line of the Custom Block's data; the number is the format version. */
export const ANNOTATIONS_BLOCK_PREFIX = 'sipscope-annotations/1\n';

export function emptyAnnotations(): Annotations {
  return { version: 1, messages: [], calls: [], hosts: emptyHosts() };
}

/** Host aliases live in a prototype-less object: `hosts["constructor"]` is an alias or undefined, nothing else. */
function emptyHosts(): Record<string, string> {
  return Object.create(null) as Record<string, string>;
}

// ---------------------------------------------------------------------------------------------------------
// Notes and index rows

/** The kind of a row: its method, or its status code as text; "" when it has neither (unparsed start line). */
function kindOfRow(index: MessageIndex, row: number): string {
  const method = index.methodOf(row);
  if (method !== undefined) return method;
  const status = index.statusOf(row);
  return status ? String(status) : '';
}

export function noteKeyOfRow(index: MessageIndex, row: number): NoteKey {
  const seq = index.cseqOf(row);
  return { frame: index.frameOf(row), callId: index.callIdOf(row), cseq: seq >= 0 ? String(seq) : '', kind: kindOfRow(index, row) };
}

function rowMatches(index: MessageIndex, row: number, note: NoteKey): boolean {
  if (index.callIdOf(row) !== note.callId) return false;
  const seq = index.cseqOf(row);
  return (seq >= 0 ? String(seq) : '') === note.cseq && kindOfRow(index, row) === note.kind;
}

/** The rows whose message ends in `frame`, in row order (binary search in the frame order: O(log n)). */
export function rowsOfFrame(index: MessageIndex, frame: number): number[] {
  const order = index.frameOrder();
  let lo = 0;
  let hi = order.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (index.frameOf(order[mid]) < frame) lo = mid + 1;
    else hi = mid;
  }
  const rows: number[] = [];
  for (let i = lo; i < order.length && index.frameOf(order[i]) === frame; i++) rows.push(order[i]);
  return rows;
}

/** Per index (and its row count): Call-ID → rows, built the first time a note's frame does not match. */
const rowsByCallId = new WeakMap<MessageIndex, { count: number; rows: Map<string, number[]> }>();

function rowsOfCallId(index: MessageIndex, callId: string): number[] {
  let cached = rowsByCallId.get(index);
  if (!cached || cached.count !== index.count) {
    const rows = new Map<string, number[]>();
    for (let row = 0; row < index.count; row++) {
      const id = index.callIdOf(row);
      const list = rows.get(id);
      if (list) list.push(row);
      else rows.set(id, [row]);
    }
    cached = { count: index.count, rows };
    rowsByCallId.set(index, cached);
  }
  return cached.rows.get(callId) ?? [];
}

/**
 * Finds the row of a MessageNote in an index (null when the trace has no such message). The frame decides
 * first; when no message of that frame has the note's Call-ID, CSeq and kind (frames renumbered by a tool
 * that dropped packets but kept the block), the message with that identity nearest to the frame is taken.
 * A note with an empty Call-ID (a frame comment imported before the trace was indexed) belongs to the
 * frame's message with its CSeq and kind, or with those empty too to the first message of its frame.
 */
export function rowOfNote(index: MessageIndex, note: NoteKey): number | null {
  const inFrame = rowsOfFrame(index, note.frame);
  if (note.callId === '') {
    if (note.kind === '' && note.cseq === '') return inFrame.length > 0 ? inFrame[0] : null;
    for (const row of inFrame) if (rowMatches(index, row, { ...note, callId: index.callIdOf(row) })) return row;
    return null;
  }
  for (const row of inFrame) if (rowMatches(index, row, note)) return row;
  let best: number | null = null;
  let distance = Infinity;
  for (const row of rowsOfCallId(index, note.callId)) {
    if (!rowMatches(index, row, note)) continue;
    const d = Math.abs(index.frameOf(row) - note.frame);
    if (d < distance) {
      best = row;
      distance = d;
    }
  }
  return best;
}

/**
 * Fills in the identity of notes imported from frame comments (empty Call-ID), once the trace is indexed;
 * drops those whose frame carries no SIP message, and a second note on one message.
 */
export function resolveImportedNotes(index: MessageIndex, annotations: Annotations): Annotations {
  const messages: MessageNote[] = [];
  const seen = new Set<string>();
  for (const m of annotations.messages) {
    let note = m;
    if (m.callId === '') {
      const row = rowOfNote(index, m);
      if (row === null) continue; // a comment on a frame that carries no SIP message: nothing to attach it to
      note = { ...noteKeyOfRow(index, row), note: m.note, tag: m.tag };
    }
    const key = keyText(note);
    if (seen.has(key)) continue;
    seen.add(key);
    messages.push(note);
  }
  return { ...annotations, messages };
}

function keyText(n: NoteKey): string {
  return `${n.frame}\u0000${n.callId}\u0000${n.cseq}\u0000${n.kind}`;
}

// ---------------------------------------------------------------------------------------------------------
// Parsing untrusted JSON

type Parsed = { annotations: Annotations } | { error: string };

class Refused extends Error {}

function refuse(message: string): never {
  throw new Refused(message);
}

const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
/** C0 controls but TAB, LF, CR; DEL; C1 controls. */
// eslint-disable-next-line no-control-regex
const CONTROL_IN_TEXT = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]/;
// eslint-disable-next-line no-control-regex
const ANY_CONTROL = /[\u0000-\u001f\u007f-\u009f]/;
/** RFC 3261 §25.1 `token` (a method), or a 3-digit status code; "" for a message that has neither. */
const KIND = /^(?:[A-Za-z0-9\-.!%*_+`'~]{1,32}|[1-6]\d\d)?$/;
const CSEQ = /^(?:0|[1-9]\d{0,9})?$/;
/** Names that would reach Object.prototype through a plain object's properties. */
const PROTOTYPE_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'an object';
  if (typeof v === 'string') return 'text';
  return `a ${typeof v}`;
}

function onlyKeys(v: Record<string, unknown>, where: string, allowed: readonly string[]): void {
  for (const key of Object.keys(v)) {
    if (!allowed.includes(key)) refuse(`${where} has an unknown field ${JSON.stringify(key.slice(0, 40))} (expected ${allowed.join(', ')})`);
  }
}

function text(v: unknown, where: string, max: number, options: { multiline?: boolean; empty?: boolean } = {}): string {
  if (typeof v !== 'string') refuse(`${where} is ${describe(v)}, expected text`);
  if (v.length > max) refuse(`${where} is ${v.length} characters long, more than the ${max} allowed`);
  if (v.length === 0 && options.empty === false) refuse(`${where} is empty`);
  if ((options.multiline ? CONTROL_IN_TEXT : ANY_CONTROL).test(v)) refuse(`${where} contains a control character`);
  if (LONE_SURROGATE.test(v)) refuse(`${where} is not valid Unicode text (a lone surrogate)`);
  return v;
}

function tag(v: unknown, where: string): string | null {
  if (v === null) return null;
  const t = text(v, where, MAX_TAG_LENGTH, { empty: false });
  // The comment form writes a tag as "[tag] ": a bracket inside would not read back.
  if (t.includes(']') || t.trim() !== t) refuse(`${where} ${JSON.stringify(t)} has a ']' or surrounding spaces`);
  return t;
}

function list(v: unknown, where: string, max: number): unknown[] {
  if (!Array.isArray(v)) refuse(`${where} is ${describe(v)}, expected a list`);
  if (v.length > max) refuse(`${where} has ${v.length} entries, more than the ${max} allowed`);
  return v;
}

function messageNote(v: unknown, where: string): MessageNote {
  if (!isObject(v)) refuse(`${where} is ${describe(v)}, expected an object`);
  onlyKeys(v, where, ['frame', 'callId', 'cseq', 'kind', 'note', 'tag']);
  const frame = v.frame;
  if (typeof frame !== 'number' || !Number.isInteger(frame) || frame < 1 || frame > 0xffffffff) {
    refuse(`${where}.frame is ${typeof frame === 'number' ? String(frame) : describe(frame)}, expected a frame number (1 to 4294967295)`);
  }
  const callId = text(v.callId, `${where}.callId`, MAX_CALL_ID_LENGTH);
  const cseq = text(v.cseq, `${where}.cseq`, 10);
  if (!CSEQ.test(cseq)) refuse(`${where}.cseq ${JSON.stringify(cseq)} is not a CSeq number`);
  const kind = text(v.kind, `${where}.kind`, 32);
  if (!KIND.test(kind)) refuse(`${where}.kind ${JSON.stringify(kind)} is neither a method nor a status code`);
  return { frame, callId, cseq, kind, note: text(v.note, `${where}.note`, MAX_NOTE_LENGTH, { multiline: true }), tag: tag(v.tag, `${where}.tag`) };
}

function callNote(v: unknown, where: string): CallNote {
  if (!isObject(v)) refuse(`${where} is ${describe(v)}, expected an object`);
  onlyKeys(v, where, ['callId', 'note', 'tag']);
  return {
    callId: text(v.callId, `${where}.callId`, MAX_CALL_ID_LENGTH, { empty: false }),
    note: text(v.note, `${where}.note`, MAX_NOTE_LENGTH, { multiline: true }),
    tag: tag(v.tag, `${where}.tag`),
  };
}

function hosts(v: unknown): Record<string, string> {
  if (!isObject(v)) refuse(`hosts is ${describe(v)}, expected an object`);
  const keys = Object.keys(v);
  if (keys.length > MAX_HOST_ALIASES) refuse(`hosts has ${keys.length} entries, more than the ${MAX_HOST_ALIASES} allowed`);
  const out = emptyHosts();
  for (const key of keys) {
    const where = `hosts[${JSON.stringify(key.slice(0, 40))}]`;
    if (PROTOTYPE_KEYS.has(key)) refuse(`${where} is not a host address`);
    text(key, `the key of ${where}`, MAX_HOST_KEY_LENGTH, { empty: false });
    out[key] = text(v[key], where, MAX_ALIAS_LENGTH, { empty: false });
  }
  return out;
}

/** Parses untrusted JSON (a file from anyone): validated field by field, bounded sizes; errors as a message. */
export function parseAnnotations(textIn: string): Parsed {
  if (typeof textIn !== 'string') return { error: 'annotations: expected JSON text' };
  if (textIn.length > MAX_ANNOTATIONS_TEXT) {
    return { error: `annotations: ${textIn.length} characters of JSON, more than the ${MAX_ANNOTATIONS_TEXT} allowed` };
  }
  let value: unknown;
  try {
    value = JSON.parse(textIn);
  } catch (error) {
    return { error: `annotations: not valid JSON (${error instanceof Error ? error.message : String(error)})` };
  }
  try {
    if (!isObject(value)) refuse(`the top level is ${describe(value)}, expected an object`);
    const version = value.version;
    if (version !== ANNOTATIONS_VERSION) {
      if (typeof version === 'number' && Number.isInteger(version) && version > ANNOTATIONS_VERSION) {
        refuse(`version ${version} was written by a newer sipscope; this one reads version ${ANNOTATIONS_VERSION}`);
      }
      refuse(`version is ${typeof version === 'number' ? String(version) : describe(version)}, expected ${ANNOTATIONS_VERSION}`);
    }
    onlyKeys(value, 'the top level', ['version', 'messages', 'calls', 'hosts']);
    const messages = list(value.messages, 'messages', MAX_MESSAGE_NOTES).map((m, i) => messageNote(m, `messages[${i}]`));
    const seen = new Map<string, number>();
    messages.forEach((m, i) => {
      const key = keyText(m);
      const earlier = seen.get(key);
      if (earlier !== undefined) refuse(`messages[${i}] annotates the same message as messages[${earlier}]`);
      seen.set(key, i);
    });
    const calls = list(value.calls, 'calls', MAX_CALL_NOTES).map((c, i) => callNote(c, `calls[${i}]`));
    const callIds = new Map<string, number>();
    calls.forEach((c, i) => {
      const earlier = callIds.get(c.callId);
      if (earlier !== undefined) refuse(`calls[${i}] annotates the same call as calls[${earlier}]`);
      callIds.set(c.callId, i);
    });
    return { annotations: { version: 1, messages, calls, hosts: hosts(value.hosts) } };
  } catch (error) {
    if (error instanceof Refused) return { error: `annotations: ${error.message}` };
    throw error;
  }
}

/** The JSON form (fields in a fixed order; what parseAnnotations reads back to an equal value). */
export function serialiseAnnotations(a: Annotations): string {
  const hostsOut: Record<string, string> = {};
  for (const key of Object.keys(a.hosts)) {
    // defineProperty: a key named __proto__ stays an ordinary key (parse refuses it anyway).
    Object.defineProperty(hostsOut, key, { value: a.hosts[key], enumerable: true, writable: true, configurable: true });
  }
  return JSON.stringify({
    version: ANNOTATIONS_VERSION,
    messages: a.messages.map((m) => ({ frame: m.frame, callId: m.callId, cseq: m.cseq, kind: m.kind, note: m.note, tag: m.tag })),
    calls: a.calls.map((c) => ({ callId: c.callId, note: c.note, tag: c.tag })),
    hosts: hostsOut,
  });
}

// ---------------------------------------------------------------------------------------------------------
// The pcapng forms: frame comments and the Custom Block

const encoder = new TextEncoder();
const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * The comment text of a message note: the note, prefixed `[tag] ` when tagged; when its frame carries
 * several annotated messages, also prefixed `CSeq <cseq> <kind>: ` to say which one.
 */
export function commentOfNote(note: MessageNote, sharedFrame: boolean): string {
  const tagged = note.tag !== null ? `[${note.tag}] ${note.note}` : note.note;
  return sharedFrame ? `CSeq ${note.cseq} ${note.kind}: ${tagged}` : tagged;
}

/** The opt_comment values to write per frame, in note order. */
export function frameComments(annotations: Annotations): Map<number, string[]> {
  const perFrame = new Map<number, MessageNote[]>();
  for (const m of annotations.messages) {
    const notes = perFrame.get(m.frame);
    if (notes) notes.push(m);
    else perFrame.set(m.frame, [m]);
  }
  const out = new Map<number, string[]>();
  for (const [frame, notes] of perFrame) out.set(frame, notes.map((n) => commentOfNote(n, notes.length > 1)));
  return out;
}

const COMMENT_PREFIX = /^CSeq ((?:0|[1-9]\d{0,9})?) ((?:[A-Za-z0-9\-.!%*_+`'~]{1,32}|[1-6]\d\d)?): /;
// eslint-disable-next-line no-control-regex
const TAG_PREFIX = /^\[([^\]\u0000-\u001f]{1,64})\] /;

/**
 * Message notes from the comments of one frame in a pcapng without sipscope's block. A comment we wrote
 * for a shared frame (`CSeq 2 INVITE: ...`) names its message (Call-ID left empty: the frame's message with
 * that CSeq and kind); any other comment goes to the first message of the frame, several joined by lines.
 * Identities left empty are filled in by `resolveImportedNotes` once the trace is indexed.
 */
export function notesFromComments(frame: number, comments: readonly string[]): MessageNote[] {
  const out: MessageNote[] = [];
  const plain: string[] = [];
  for (const comment of comments) {
    const named = COMMENT_PREFIX.exec(comment);
    if (named) out.push({ frame, callId: '', cseq: named[1], kind: named[2], ...splitTag(comment.slice(named[0].length)) });
    else plain.push(comment);
  }
  if (plain.length > 0) {
    const first = plain.length === 1 ? splitTag(plain[0]) : { note: plain.join('\n'), tag: null };
    out.unshift({ frame, callId: '', cseq: '', kind: '', ...first });
  }
  return out;
}

function splitTag(comment: string): { note: string; tag: string | null } {
  const m = TAG_PREFIX.exec(comment);
  if (m && m[1].trim() === m[1]) return { note: comment.slice(m[0].length), tag: m[1] };
  return { note: comment, tag: null };
}

/** The Custom Block data (after the PEN) carrying `annotations`. */
export function encodeAnnotationsBlock(annotations: Annotations): Uint8Array {
  return encoder.encode(ANNOTATIONS_BLOCK_PREFIX + serialiseAnnotations(annotations));
}

/**
 * Reads a Custom Block's data (after the PEN): null when it is not sipscope's, else the annotations or why
 * they were refused. Trailing NUL bytes are the block's padding (pcapng §4.8), never part of the JSON.
 */
export function decodeAnnotationsBlock(pen: number, data: Uint8Array): Parsed | null {
  if (pen !== ANNOTATIONS_PEN) return null;
  const prefix = encoder.encode(ANNOTATIONS_BLOCK_PREFIX);
  if (data.length < prefix.length) return null;
  for (let i = 0; i < prefix.length; i++) if (data[i] !== prefix[i]) return null;
  let end = data.length;
  while (end > prefix.length && data[end - 1] === 0) end--;
  if (end - prefix.length > MAX_ANNOTATIONS_TEXT * 3) {
    return { error: `annotations: ${end - prefix.length} bytes of JSON, more than the ${MAX_ANNOTATIONS_TEXT} characters allowed` };
  }
  let json: string;
  try {
    json = strictUtf8.decode(data.subarray(prefix.length, end));
  } catch {
    return { error: 'annotations: the block is not valid UTF-8 text' };
  }
  return parseAnnotations(json);
}

/**
 * Whether a Custom Block starts like sipscope's but for another format version (written by a newer
 * sipscope), so the reader can say so instead of ignoring it.
 */
export function otherAnnotationsVersion(pen: number, data: Uint8Array): string | null {
  if (pen !== ANNOTATIONS_PEN) return null;
  const head = new TextDecoder('utf-8', { fatal: false }).decode(data.subarray(0, 40));
  const m = /^sipscope-annotations\/(\d{1,6})\n/.exec(head);
  return m && m[1] !== String(ANNOTATIONS_VERSION) ? m[1] : null;
}

/**
 * Collects what a capture says about annotations while it is read (give it the reader's custom blocks and
 * packets): sipscope's block when there is one, else the frame comments, with the bounds of the JSON model.
 */
export class AnnotationCollector {
  /** The block's result: annotations, or why they were refused; undefined when the capture has no block. */
  block: Parsed | undefined;
  /** Frame comments, by frame (stops growing at the model's bounds). */
  readonly comments = new Map<number, string[]>();
  /** Problems to show (a refused block, a newer version, too many comments). */
  readonly problems: string[] = [];
  private commentChars = 0;
  private commentsDropped = 0;

  customBlock(pen: number, data: Uint8Array): void {
    const version = otherAnnotationsVersion(pen, data);
    if (version !== null) {
      this.problems.push(`the capture's annotations are in format version ${version}, written by a newer sipscope; this one reads version ${ANNOTATIONS_VERSION}`);
      return;
    }
    const parsed = decodeAnnotationsBlock(pen, data);
    if (parsed === null) return;
    if (this.block !== undefined) {
      this.problems.push('the capture has more than one sipscope annotations block; the first one is used');
      return;
    }
    this.block = parsed;
    if ('error' in parsed) this.problems.push(parsed.error);
  }

  packet(frame: number, comments: readonly string[] | undefined): void {
    if (!comments || comments.length === 0) return;
    let size = 0;
    for (const c of comments) size += c.length;
    if (this.comments.size >= MAX_MESSAGE_NOTES || this.commentChars + size > MAX_ANNOTATIONS_TEXT) {
      this.commentsDropped++;
      return;
    }
    this.commentChars += size;
    this.comments.set(frame, comments.map((c) => (c.length > MAX_NOTE_LENGTH ? c.slice(0, MAX_NOTE_LENGTH) : c)));
  }

  /**
   * The annotations: the block's when it parsed; else (no block, or a refused one) the frame comments as
   * message notes; null when the capture has neither.
   */
  result(): { annotations: Annotations | null; origin: 'block' | 'comments' | null; problems: string[] } {
    const problems = [...this.problems];
    if (this.commentsDropped > 0) problems.push(`${this.commentsDropped} frame comment(s) beyond the ${MAX_MESSAGE_NOTES} notes / ${MAX_ANNOTATIONS_TEXT} characters sipscope keeps were ignored`);
    if (this.block && 'annotations' in this.block) return { annotations: this.block.annotations, origin: 'block', problems };
    if (this.comments.size === 0) return { annotations: null, origin: null, problems };
    const annotations = emptyAnnotations();
    for (const [frame, comments] of this.comments) {
      for (const note of notesFromComments(frame, comments)) {
        // Comment text that our own rules would refuse (control characters): cleaned rather than dropped.
        annotations.messages.push({ ...note, note: cleanText(note.note), tag: note.tag === null ? null : cleanText(note.tag) });
      }
    }
    return { annotations, origin: 'comments', problems };
  }
}

function cleanText(s: string): string {
  // eslint-disable-next-line no-control-regex
  return s.replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]/g, ' ').replace(LONE_SURROGATE, '\ufffd');
}

/**
 * The annotations of an export of some frames: message notes of the exported frames only, renumbered to
 * the frame numbers they get in the new file (`renumber`: old frame → new frame). Call notes and aliases
 * are kept; pass `callIds` to keep only the notes of the exported calls (what is shared should not carry
 * notes about calls left out).
 */
export function annotationsForFrames(annotations: Annotations, renumber: ReadonlyMap<number, number>, callIds?: ReadonlySet<string>): Annotations {
  const messages: MessageNote[] = [];
  for (const m of annotations.messages) {
    const frame = renumber.get(m.frame);
    if (frame !== undefined) messages.push({ ...m, frame });
  }
  const calls = callIds ? annotations.calls.filter((c) => callIds.has(c.callId)) : annotations.calls;
  return { version: 1, messages, calls, hosts: annotations.hosts };
}

/**
 * The notes that go with an exported subset: those of its messages (keyed by where the message is in this
 * trace, one per message) and of its calls; host aliases all. Notes about what is left out do not travel.
 */
export function notesOfSelection(index: MessageIndex, annotations: Annotations, rows: ReadonlySet<number>, callIds: ReadonlySet<string>): Annotations {
  const messages: MessageNote[] = [];
  const noted = new Set<number>();
  for (const note of annotations.messages) {
    const row = rowOfNote(index, note);
    if (row === null || !rows.has(row) || noted.has(row)) continue;
    noted.add(row);
    messages.push({ ...note, ...noteKeyOfRow(index, row) });
  }
  return { version: 1, messages, calls: annotations.calls.filter((c) => callIds.has(c.callId)), hosts: annotations.hosts };
}
