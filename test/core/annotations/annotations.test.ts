import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  AnnotationCollector,
  ANNOTATIONS_BLOCK_PREFIX,
  ANNOTATIONS_PEN,
  annotationsForFrames,
  commentOfNote,
  decodeAnnotationsBlock,
  emptyAnnotations,
  encodeAnnotationsBlock,
  frameComments,
  MAX_ANNOTATIONS_TEXT,
  MAX_MESSAGE_NOTES,
  MAX_NOTE_LENGTH,
  noteKeyOfRow,
  notesFromComments,
  parseAnnotations,
  resolveImportedNotes,
  rowOfNote,
  serialiseAnnotations,
  type Annotations,
  type MessageNote,
} from '../../../src/core/annotations/annotations.js';
import type { MessageIndex } from '../../../src/core/index/message-index.js';
import { analyzeFile } from '../../../src/node/analyze.js';
import { fixtures } from '../../helpers/paths.js';

const note = (over: Partial<MessageNote> = {}): MessageNote => ({ frame: 3, callId: 'a@h', cseq: '1', kind: 'INVITE', note: 'n', tag: null, ...over });

function sample(): Annotations {
  const a = emptyAnnotations();
  a.messages.push(note({ note: 'the 183 has no SDP\nsecond line', tag: 'root cause' }), note({ frame: 9, kind: '180', note: 'ringing ✓ 🙂' }));
  a.calls.push({ callId: 'a@h', note: 'fails after PRACK', tag: 'vendor bug' }, { callId: 'b@h', note: '', tag: null });
  a.hosts['10.0.0.1:5060'] = 'P-CSCF';
  a.hosts['[2001:db8::1]:5060'] = 'UE';
  return a;
}

function errorOf(text: string): string {
  const r = parseAnnotations(text);
  if ('annotations' in r) throw new Error('expected a refusal');
  return r.error;
}

const wrap = (over: Record<string, unknown>): string => JSON.stringify({ version: 1, messages: [], calls: [], hosts: {}, ...over });

describe('parseAnnotations / serialiseAnnotations', () => {
  it('round-trips every field, text in any script, multi-line notes', () => {
    const a = sample();
    const back = parseAnnotations(serialiseAnnotations(a));
    expect(back).toEqual({ annotations: a });
    expect(serialiseAnnotations(emptyAnnotations())).toBe('{"version":1,"messages":[],"calls":[],"hosts":{}}');
  });

  it('keeps host aliases in a prototype-less object', () => {
    const r = parseAnnotations(wrap({ hosts: { '10.0.0.1:5060': 'P-CSCF' } }));
    if (!('annotations' in r)) throw new Error(r.error);
    expect(Object.getPrototypeOf(r.annotations.hosts)).toBeNull();
    expect(r.annotations.hosts['constructor']).toBeUndefined();
    expect(Object.getPrototypeOf(emptyAnnotations().hosts)).toBeNull();
  });

  it.each([
    ['not JSON', '{"version":1,', /^annotations: not valid JSON \(/],
    ['a list at the top', '[]', 'annotations: the top level is a list, expected an object'],
    ['a newer version', wrap({ version: 2 }), 'annotations: version 2 was written by a newer sipscope; this one reads version 1'],
    ['a version as text', wrap({ version: '1' }), 'annotations: version is text, expected 1'],
    ['an unknown top-level field', wrap({ extra: 1 }), 'annotations: the top level has an unknown field "extra" (expected version, messages, calls, hosts)'],
    ['a __proto__ top-level field', '{"version":1,"messages":[],"calls":[],"hosts":{},"__proto__":{"polluted":1}}', 'annotations: the top level has an unknown field "__proto__" (expected version, messages, calls, hosts)'],
    ['messages not a list', wrap({ messages: {} }), 'annotations: messages is an object, expected a list'],
    ['a note as a number', wrap({ messages: [{ ...note(), note: 5 }] }), 'annotations: messages[0].note is a number, expected text'],
    ['a frame 0', wrap({ messages: [note({ frame: 0 })] }), 'annotations: messages[0].frame is 0, expected a frame number (1 to 4294967295)'],
    ['a fractional frame', wrap({ messages: [note({ frame: 1.5 })] }), 'annotations: messages[0].frame is 1.5, expected a frame number (1 to 4294967295)'],
    ['a frame as text', wrap({ messages: [{ ...note(), frame: '3' }] }), 'annotations: messages[0].frame is text, expected a frame number (1 to 4294967295)'],
    ['a bad kind', wrap({ messages: [note({ kind: '<script>' })] }), 'annotations: messages[0].kind "<script>" is neither a method nor a status code'],
    ['a bad CSeq', wrap({ messages: [note({ cseq: '1 INVITE' })] }), 'annotations: messages[0].cseq "1 INVITE" is not a CSeq number'],
    ['a NUL in a note', wrap({ messages: [note({ note: 'a\u0000b' })] }), 'annotations: messages[0].note contains a control character'],
    ['a lone surrogate', wrap({ messages: [note({ note: 'a\ud800b' })] }), 'annotations: messages[0].note is not valid Unicode text (a lone surrogate)'],
    ['a control in a Call-ID', wrap({ messages: [note({ callId: 'a\nb' })] }), 'annotations: messages[0].callId contains a control character'],
    ['an unknown note field', wrap({ messages: [{ ...note(), html: '<b>' }] }), 'annotations: messages[0] has an unknown field "html" (expected frame, callId, cseq, kind, note, tag)'],
    ['a tag with a bracket', wrap({ messages: [note({ tag: 'a]b' })] }), 'annotations: messages[0].tag "a]b" has a \']\' or surrounding spaces'],
    ['an empty tag', wrap({ messages: [note({ tag: '' })] }), 'annotations: messages[0].tag is empty'],
    ['a tag as a list', wrap({ messages: [{ ...note(), tag: ['x'] }] }), 'annotations: messages[0].tag is a list, expected text'],
    ['two notes on one message', wrap({ messages: [note(), note({ note: 'again' })] }), 'annotations: messages[1] annotates the same message as messages[0]'],
    ['two notes on one call', wrap({ calls: [{ callId: 'x', note: '', tag: null }, { callId: 'x', note: 'b', tag: null }] }), 'annotations: calls[1] annotates the same call as calls[0]'],
    ['a call without Call-ID', wrap({ calls: [{ callId: '', note: 'x', tag: null }] }), 'annotations: calls[0].callId is empty'],
    ['hosts as a list', wrap({ hosts: [] }), 'annotations: hosts is a list, expected an object'],
    ['a __proto__ host', '{"version":1,"messages":[],"calls":[],"hosts":{"__proto__":"x"}}', 'annotations: hosts["__proto__"] is not a host address'],
    ['a constructor host', wrap({ hosts: { constructor: 'x' } }), 'annotations: hosts["constructor"] is not a host address'],
    ['an alias as an object', wrap({ hosts: { '1.2.3.4:5060': {} } }), 'annotations: hosts["1.2.3.4:5060"] is an object, expected text'],
  ])('refuses %s', (_what, text, expected) => {
    const error = errorOf(text);
    if (typeof expected === 'string') expect(error).toBe(expected);
    else expect(error).toMatch(expected);
  });

  it('never pollutes Object.prototype', () => {
    parseAnnotations('{"version":1,"messages":[],"calls":[],"hosts":{"__proto__":{"polluted":"yes"}}}');
    parseAnnotations('{"__proto__":{"polluted":"yes"},"version":1,"messages":[],"calls":[],"hosts":{}}');
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('bounds sizes before and after parsing', () => {
    const huge = `{"version":1,"messages":[],"calls":[],"hosts":{},"x":"${'a'.repeat(MAX_ANNOTATIONS_TEXT)}"}`;
    expect(errorOf(huge)).toBe(`annotations: ${huge.length} characters of JSON, more than the ${MAX_ANNOTATIONS_TEXT} allowed`);
    const many = wrap({ messages: Array.from({ length: MAX_MESSAGE_NOTES + 1 }, () => 0) });
    expect(errorOf(many)).toBe(`annotations: messages has ${MAX_MESSAGE_NOTES + 1} entries, more than the ${MAX_MESSAGE_NOTES} allowed`);
    const long = wrap({ messages: [note({ note: 'x'.repeat(MAX_NOTE_LENGTH + 1) })] });
    expect(errorOf(long)).toBe(`annotations: messages[0].note is ${MAX_NOTE_LENGTH + 1} characters long, more than the ${MAX_NOTE_LENGTH} allowed`);
    // Deep nesting is only a JSON value like any other: refused by type, not by a stack overflow.
    const deep = (n: number): string => `{"version":1,"messages":[${'['.repeat(n)}${']'.repeat(n)}],"calls":[],"hosts":{}}`;
    expect(errorOf(deep(5000))).toBe('annotations: messages[0] is a list, expected an object');
    // Deeper than the parser's stack: a refusal too, never an exception.
    expect(errorOf(deep(3_000_000))).toMatch(/^annotations: (not valid JSON|messages\[0\] is a list)/);
  });

  it('keeps the longest note within what an opt_comment can hold (65,535 bytes of UTF-8)', () => {
    const longest = note({ note: '\u20ac'.repeat(MAX_NOTE_LENGTH), tag: '\u20ac'.repeat(64), cseq: '4294967295', kind: 'X'.repeat(32) });
    expect(new TextEncoder().encode(commentOfNote(longest, true)).length).toBeLessThanOrEqual(65535);
  });
});

describe('the pcapng forms', () => {
  it('writes comments per frame, prefixed with the CSeq when a frame carries several annotated messages', () => {
    const a = emptyAnnotations();
    a.messages.push(
      note({ frame: 5, note: 'only one', tag: 'expected' }),
      note({ frame: 7, cseq: '2', kind: 'PRACK', note: 'first' }),
      note({ frame: 7, cseq: '1', kind: '200', note: 'second', tag: 'root cause' }),
    );
    expect(frameComments(a)).toEqual(
      new Map([
        [5, ['[expected] only one']],
        [7, ['CSeq 2 PRACK: first', 'CSeq 1 200: [root cause] second']],
      ]),
    );
  });

  it('reads comments back as notes: ours by their prefix, others on the first message, several joined', () => {
    expect(notesFromComments(7, ['CSeq 2 PRACK: first', 'CSeq 1 200: [root cause] second'])).toEqual([
      { frame: 7, callId: '', cseq: '2', kind: 'PRACK', note: 'first', tag: null },
      { frame: 7, callId: '', cseq: '1', kind: '200', note: 'second', tag: 'root cause' },
    ]);
    expect(notesFromComments(5, ['[expected] only one'])).toEqual([{ frame: 5, callId: '', cseq: '', kind: '', note: 'only one', tag: 'expected' }]);
    expect(notesFromComments(5, ['retransmitted', 'see ticket 42'])).toEqual([{ frame: 5, callId: '', cseq: '', kind: '', note: 'retransmitted\nsee ticket 42', tag: null }]);
  });

  it('encodes the Custom Block data and reads it back, padding ignored; other owners are not ours', () => {
    const a = sample();
    const data = encodeAnnotationsBlock(a);
    expect(new TextDecoder().decode(data.subarray(0, ANNOTATIONS_BLOCK_PREFIX.length))).toBe('sipscope-annotations/1\n');
    const padded = new Uint8Array(data.length + 3);
    padded.set(data);
    expect(decodeAnnotationsBlock(ANNOTATIONS_PEN, padded)).toEqual({ annotations: a });
    expect(decodeAnnotationsBlock(12345, padded)).toBeNull();
    expect(decodeAnnotationsBlock(ANNOTATIONS_PEN, new TextEncoder().encode('something else'))).toBeNull();
    const bad = new Uint8Array([...new TextEncoder().encode(ANNOTATIONS_BLOCK_PREFIX), 0xff, 0xfe]);
    expect(decodeAnnotationsBlock(ANNOTATIONS_PEN, bad)).toEqual({ error: 'annotations: the block is not valid UTF-8 text' });
  });

  it('collects: the block is authoritative, comments imported without it, a refused block says why', () => {
    const withBlock = new AnnotationCollector();
    withBlock.packet(3, ['a Wireshark comment']);
    withBlock.customBlock(ANNOTATIONS_PEN, encodeAnnotationsBlock(sample()));
    expect(withBlock.result()).toEqual({ annotations: sample(), origin: 'block', problems: [] });

    const commentsOnly = new AnnotationCollector();
    commentsOnly.packet(3, ['look here']);
    commentsOnly.packet(4, undefined);
    expect(commentsOnly.result()).toEqual({
      annotations: { ...emptyAnnotations(), messages: [{ frame: 3, callId: '', cseq: '', kind: '', note: 'look here', tag: null }] },
      origin: 'comments',
      problems: [],
    });

    const hostile = new AnnotationCollector();
    hostile.packet(3, ['look here']);
    hostile.customBlock(ANNOTATIONS_PEN, new TextEncoder().encode(`${ANNOTATIONS_BLOCK_PREFIX}{"version":1,"messages":"x","calls":[],"hosts":{}}`));
    const r = hostile.result();
    expect(r.origin).toBe('comments');
    expect(r.problems).toEqual(['annotations: messages is text, expected a list']);

    const newer = new AnnotationCollector();
    newer.customBlock(ANNOTATIONS_PEN, new TextEncoder().encode('sipscope-annotations/2\n{}'));
    expect(newer.result()).toEqual({ annotations: null, origin: null, problems: ['the capture\'s annotations are in format version 2, written by a newer sipscope; this one reads version 1'] });
  });

  it('renumbers notes for an export of some frames and drops the others', () => {
    const a = sample();
    const kept = annotationsForFrames(a, new Map([[9, 2]]), new Set(['a@h']));
    expect(kept.messages).toEqual([{ ...a.messages[1], frame: 2 }]);
    expect(kept.calls).toEqual([a.calls[0]]);
    expect(kept.hosts).toBe(a.hosts);
  });
});

describe('notes and index rows (sipp-volte-tcp-loaded.pcap: several messages per frame)', () => {
  let index: MessageIndex;
  beforeAll(async () => {
    index = (await analyzeFile(join(fixtures, 'sipp-volte-tcp-loaded.pcap'))).engine.index;
  });

  it('finds every row from its key, also among the messages sharing its frame', () => {
    let shared = 0;
    for (let row = 0; row < index.count; row++) {
      const key = noteKeyOfRow(index, row);
      expect(rowOfNote(index, key)).toBe(row);
      if (index.frameOf(row) === index.frameOf(row === 0 ? 1 : row - 1) && row > 0) shared++;
    }
    expect(shared).toBeGreaterThan(0);
  });

  it('falls back to the nearest message with the same identity when the frame moved, null when there is none', () => {
    const row = 100;
    const key = noteKeyOfRow(index, row);
    expect(rowOfNote(index, { ...key, frame: key.frame + 3 })).toBe(row);
    expect(rowOfNote(index, { ...key, callId: 'no-such-call' })).toBeNull();
    expect(rowOfNote(index, { ...key, frame: 999_999, callId: '', cseq: '', kind: '' })).toBeNull();
  });

  it('resolves notes imported from comments to their frame\'s messages', () => {
    const row = 200;
    const key = noteKeyOfRow(index, row);
    const a = emptyAnnotations();
    a.messages.push({ frame: key.frame, callId: '', cseq: '', kind: '', note: 'from Wireshark', tag: null });
    a.messages.push({ frame: 999_999, callId: '', cseq: '', kind: '', note: 'no message there', tag: null });
    const first = rowOfNote(index, a.messages[0]) as number;
    expect(index.frameOf(first)).toBe(key.frame);
    expect(resolveImportedNotes(index, a).messages).toEqual([{ ...noteKeyOfRow(index, first), note: 'from Wireshark', tag: null }]);
  });
});
