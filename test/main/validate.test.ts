/**
 * The argument checks of the trace operations (src/main/validate.ts), shared by the IPC handlers and
 * `sipscope serve`: what a hostile page could send, beyond the cases test/main/ipc.test.ts runs end to end.
 */
import { describe, expect, it } from 'vitest';
import { ArgumentError, validateCallList, validateHeaderName, validateRowId, validateRowsQuery, validateViewId } from '../../src/main/validate.js';

describe('validateRowsQuery', () => {
  it('keeps a full query, as a fresh object', () => {
    const raw = { view: 3, start: 40, count: 1000, sort: { column: 'header:X-Custom_1.a', descending: false }, headers: ['P-Asserted-Identity', 'i', 'v'] };
    const query = validateRowsQuery(raw);
    expect(query).toEqual(raw);
    expect(query).not.toBe(raw);
    expect(query.sort).not.toBe(raw.sort);
    expect(query.headers).not.toBe(raw.headers);
  });

  it.each(['frame', 'time', 'source', 'destination', 'transport', 'method', 'callId', 'cseq', 'procedure', 'info', 'size'])('accepts the column %s', (column) => {
    expect(validateRowsQuery({ view: 0, start: 0, count: 1, sort: { column, descending: true } }).sort).toEqual({ column, descending: true });
  });

  it('refuses prototype names as columns and as fields (JSON.parse makes "__proto__" an own key)', () => {
    for (const column of ['__proto__', 'constructor', 'toString', 'header', 'Frame']) {
      expect(() => validateRowsQuery({ view: 0, start: 0, count: 1, sort: { column, descending: true } })).toThrow(ArgumentError);
    }
    expect(() => validateRowsQuery(JSON.parse('{"view":0,"start":0,"count":1,"__proto__":{"polluted":true}}'))).toThrow('rows query has an unknown field "__proto__"');
    expect(() => validateRowsQuery({ view: 0, start: 0, count: 1, sort: { column: 'time', descending: true, extra: 1 } })).toThrow('sort has an unknown field "extra"');
  });

  it('accepts the RFC 3261 token characters in header names and nothing else', () => {
    expect(validateHeaderName("a-b.c!d%e*f_g+h`i'j~k9", 'header')).toBe("a-b.c!d%e*f_g+h`i'j~k9");
    for (const bad of ['To:', 'Call ID', 'Via\r\n', 'é', '<script>', 'a/b', '']) expect(() => validateHeaderName(bad, 'header'), bad).toThrow(ArgumentError);
  });
});

describe('ids and call lists', () => {
  it('accept non-negative integers within their range', () => {
    expect(validateViewId(0)).toBe(0);
    expect(validateViewId(Number.MAX_SAFE_INTEGER)).toBe(Number.MAX_SAFE_INTEGER);
    expect(validateRowId(0xffffffff)).toBe(0xffffffff);
    expect(validateCallList([])).toEqual([]);
    expect(validateCallList([5, 0, 5])).toEqual([5, 0, 5]);
  });

  it('refuse everything else, naming the argument', () => {
    expect(() => validateViewId(-0.5)).toThrow('view must be an integer, got -0.5');
    expect(() => validateViewId(2 ** 53)).toThrow(/^view must be between 0 and 9007199254740991/);
    expect(() => validateRowId(true)).toThrow('message row must be an integer, got a boolean');
    expect(() => validateCallList({ length: 1, 0: 1 })).toThrow('calls must be an array of call indexes, got an object');
    expect(() => validateCallList([1.5])).toThrow('call 1 must be an integer, got 1.5');
  });
});
