import { describe, expect, it } from 'vitest';
import type { FilterFieldInfo } from '../../../src/shared/api.js';
import { applyCompletion, completionsAt } from '../../../src/renderer/src/lib/filter-complete.js';
import { addToHistory, parseHistory, stepHistory } from '../../../src/renderer/src/lib/filter-history.js';
import { formatElapsed, matchSummary, splitAtSpan } from '../../../src/renderer/src/lib/filter-text.js';

const fields: FilterFieldInfo[] = [
  { name: 'call.state', type: 'string', description: 'state', values: ['CALL SETUP', 'IN CALL', 'REJECTED'] },
  { name: 'ims.procedure', type: 'string', description: 'procedure', values: ['registration', 'call-setup', 'messaging'] },
  { name: 'ip.addr', type: 'address', description: 'address' },
  { name: 'sip.Method', type: 'string', description: 'method' },
  { name: 'sip.Status-Code', type: 'number', description: 'status' },
];
const labels = (text: string, cursor = text.length, explicit = false) => completionsAt(text, cursor, fields, explicit)?.items.map((i) => i.label) ?? null;

describe('completionsAt', () => {
  it('offers fields by prefix, then by substring, where a field may start', () => {
    expect(labels('sip.')).toEqual(['sip.Method', 'sip.Status-Code']);
    expect(labels('sip.Method == "INVITE" && ip')).toEqual(['ip.addr', 'sip.Method', 'sip.Status-Code']);
    expect(labels('(ims')).toEqual(['ims.procedure']);
    expect(labels('!sip.M')).toEqual(['sip.Method']);
    expect(labels('x or st')).toEqual(['call.state', 'sip.Status-Code']);
    expect(labels('')).toBeNull();
    expect(labels('', 0, true)).toHaveLength(5);
  });
  it('offers nothing after a field (an operator is expected) or for a value of an open field', () => {
    expect(labels('sip.Method ')).toBeNull();
    expect(labels('sip.Method co')).toBeNull();
    expect(labels('sip.Method == ')).toBeNull();
  });
  it('offers a closed field’s values after == / != and inside in { }', () => {
    expect(labels('ims.procedure == ')).toEqual(['registration', 'call-setup', 'messaging']);
    expect(labels('ims.procedure=="c')).toEqual(['call-setup']);
    expect(labels('call.state != I')).toEqual(['IN CALL']);
    expect(labels('ims.procedure in {"registration", m')).toEqual(['messaging']);
    expect(labels('ims.procedure in {"registration"} && ims.procedure == r')).toEqual(['registration']);
  });
  it('applying replaces the word (and only it) and puts the caret after', () => {
    const text = 'ims.procedure == "ca && x';
    const completion = completionsAt(text, 20, fields)!;
    expect(completion.kind).toBe('value');
    const result = applyCompletion(text, completion, completion.items[0]);
    expect(result.text).toBe('ims.procedure == "call-setup" && x');
    expect(result.cursor).toBe('ims.procedure == "call-setup"'.length);
    const f = completionsAt('sip.Me', 6, fields)!;
    expect(applyCompletion('sip.Me', f, f.items[0])).toEqual({ text: 'sip.Method', cursor: 10 });
    const v = completionsAt('call.state == ', 14, fields)!;
    expect(applyCompletion('call.state == ', v, v.items[1]).text).toBe('call.state == "IN CALL" ');
  });
});

describe('filter history', () => {
  it('keeps the newest 50, moving repeats to the front, ignoring empty filters', () => {
    let h: string[] = [];
    for (let i = 0; i < 60; i++) h = addToHistory(h, `f${i}`);
    expect(h).toHaveLength(50);
    expect(h[0]).toBe('f59');
    h = addToHistory(h, ' f30 ');
    expect(h[0]).toBe('f30');
    expect(h.filter((x) => x === 'f30')).toHaveLength(1);
    expect(addToHistory(h, '  ')).toEqual(h);
  });
  it('parses stored history defensively', () => {
    expect(parseHistory(JSON.stringify(['a', 3, '', 'b']))).toEqual(['a', 'b']);
    expect(parseHistory('{')).toEqual([]);
    expect(parseHistory(null)).toEqual([]);
  });
  it('Up/Down steps like a shell history', () => {
    expect(stepHistory(3, -1, 'up')).toBe(0);
    expect(stepHistory(3, 2, 'up')).toBe(2);
    expect(stepHistory(3, 0, 'down')).toBe(-1);
    expect(stepHistory(0, -1, 'up')).toBe(-1);
  });
});

describe('filter texts', () => {
  it('splits around the error span, clamped, with a visible placeholder past the end', () => {
    expect(splitAtSpan('sip.Method == ', 14, 1)).toEqual(['sip.Method == ', '\u00a0', '']);
    expect(splitAtSpan('foo && bar', 7, 3)).toEqual(['foo && ', 'bar', '']);
    expect(splitAtSpan('abc', -5, 2)).toEqual(['', 'ab', 'c']);
  });
  it('summarises counts and time', () => {
    expect(matchSummary({ ok: true, text: '', messages: 81, matching: 12, calls: 6, matchingCalls: 1, firstFrames: [], view: 3, elapsedMs: 3.14 })).toBe(
      '12 of 81 messages, 1 of 6 calls, 3.1 ms',
    );
    expect(formatElapsed(250.4)).toBe('250 ms');
    expect(formatElapsed(1530)).toBe('1.5 s');
  });
});
