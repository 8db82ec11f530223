import { describe, expect, it } from 'vitest';
import { compileDisplayFilter, formatFilterError } from '../../../src/core/filter/filter.js';

/**
 * Malformed filters, as Wireshark keeps them: (filter, exact message, start, length of the span to
 * underline). Unknown fields, missing values, unbalanced parentheses, bad regular expressions, type
 * mismatches, unterminated strings, values a closed field never takes... each is a value, never an
 * exception, and says what to write instead where it can.
 */
const BAD: [filter: string, message: string, start: number, length: number][] = [
  ['sip.Mehtod == "INVITE"', 'Unknown field "sip.Mehtod": did you mean sip.Method?', 0, 10],
  ['sip.method == "INVITE"', 'Unknown field "sip.method": did you mean sip.Method?', 0, 10],
  ['sip.Status_Code == 200', 'Unknown field "sip.Status_Code": did you mean sip.Status-Code?', 0, 15],
  ['sip.X-Custom-Header', 'Unknown field "sip.X-Custom-Header": for any header write sip.header["X-Custom-Header"]', 0, 19],
  ['foo.bar', 'Unknown field "foo.bar" (sipscope fields lists them all)', 0, 7],
  ['ims.procedur == "registration"', 'Unknown field "ims.procedur": did you mean ims.procedure?', 0, 12],
  ['sip.Method ==', 'Missing value after "=="', 11, 2],
  ['== "INVITE"', 'Missing field before "=="', 0, 2],
  ['sip.Status-Code >= ', 'Missing value after ">="', 16, 2],
  ['(sip.Method == "INVITE"', 'Unbalanced parenthesis: this "(" is never closed', 0, 1],
  ['sip.Method == "INVITE")', 'Unexpected ")"', 22, 1],
  ['((sip)', 'Unbalanced parenthesis: this "(" is never closed', 0, 1],
  ['()', 'Empty parentheses "()"', 0, 2],
  ['sip.From matches "(a+"', 'Invalid regular expression: missing closing ) at "(a+"', 18, 3],
  ['sip.From matches "[abc"', 'Invalid regular expression: missing closing ] at "[abc"', 18, 4],
  ['sip.From matches "(a)\\\\1"', 'Backreferences (\\1) are not supported: patterns run in linear time so that no filter can hang', 17, 8],
  ['sip.From matches "x(?=y)"', 'Lookaround (?= is not supported: patterns run in linear time so that no filter can hang', 19, 3],
  ['sip.From matches sip.To', 'matches needs a quoted regular expression on its right, not a field', 17, 6],
  ['sip.Status-Code == "abc"', '"abc" is not a number (sip.Status-Code is a number)', 19, 5],
  ['sip.Status-Code contains "4"', '"contains" needs a string field; sip.Status-Code is a number (use ==, <, > or in)', 16, 8],
  ['sip.Status-Code == sip.Method', 'Cannot compare sip.Status-Code (a number) with sip.Method (a string)', 0, 29],
  ['ip.addr == 10.0.0.300', '"10.0.0.300" is not an IPv4 address (ip.addr is an IPv4 address; host names are not resolved)', 11, 10],
  ['ip.addr == 10.0.0.0/33', '"/33" is not a prefix length for IPv4 (0–32)', 11, 11],
  ['ipv6.addr == 10.0.0.1', '"10.0.0.1" is not an IPv6 address (ipv6.addr is an IPv6 address; host names are not resolved)', 13, 8],
  ['ip.addr == pcscf.example.com', '"pcscf.example.com" is not an IPv4 address (ip.addr is an IPv4 address; host names are not resolved)', 11, 17],
  ['frame.time > "yesterday"', '"yesterday" is not a time: write "2026-11-24 10:30:00", "Nov 24, 2026 10:30:00.5" or seconds since 1970', 13, 11],
  ['sip == 1', 'sip is a protocol: test it alone (sip) or compare one of its fields', 0, 3],
  ['sip.Method == "INVITE', 'Unterminated string: the closing " is missing', 14, 7],
  ['sip.Method == "INV\\q"', 'Invalid escape \\q in string', 18, 2],
  ['sip.Method = "INVITE"', 'Unexpected "=": did you mean "=="?', 11, 1],
  ['sip.Method == "INVITE" &&', '"&&" needs an expression on both sides', 23, 2],
  ['and sip', '"and" needs an expression on both sides', 0, 3],
  ['sip.Method == "INVITE" sip.Status-Code == 200', 'Missing operator between "INVITE" and "sip.Status-Code"', 23, 15],
  ['sip.Status-Code in {}', 'Empty set "{}"', 19, 2],
  ['sip.Status-Code in {200..100}', 'Empty range: 200 is greater than 100', 20, 8],
  ['sip.Method in {"A".."B"}', 'Ranges (a..b) need a numeric field; sip.Method is a string', 15, 8],
  ['sip.Status-Code[0:2] == "20"', 'Slices apply to strings; sip.Status-Code is a number', 0, 20],
  ['len(sip.Status-Code) == 3', 'len() takes a string; sip.Status-Code is a number', 4, 15],
  ['size(sip.Method) == 6', 'Unknown function "size" (functions: len, count, lower, upper)', 0, 4],
  ['sip.Method[x] == "I"', 'Invalid slice "x": write i:j (start and length), i-j (start and end), i, :j or i:', 11, 1],
  ['transaction.retransmission > 1', '">" does not apply to transaction.retransmission, which is a boolean (use == or !=)', 27, 1],
  ['transaction.retransmission == 2', '"2" is not a boolean: write 1, 0, true or false', 30, 1],
  ['"INVITE"', '"INVITE" is a value, not a field: a test needs a field, e.g. sip.Method == "INVITE"', 0, 8],
  ['42', '"42" is a value, not a field: a test needs a field, e.g. sip.Method == "INVITE"', 0, 2],
  ['sip.Method["X"] == 1', 'sip.Method does not take a key in brackets (only sip.header does)', 0, 10],
  ['sip.header["Bad Name"]', '"Bad Name" is not a header name (RFC 3261 §25.1: a token)', 11, 10],
  ['sip.Method == "a" == "b"', 'Comparisons cannot be chained: join them with "and"', 18, 2],
  ['sip.Method $ "x"', 'Unexpected character "$"', 11, 1],
  ['call.state == IN CALL', 'Missing operator between "IN" and "CALL"', 17, 4],
  ['frame.len contains 1', '"contains" needs a string field; frame.len is a number (use ==, <, > or in)', 10, 8],
  ['gtp.teid == 0xZZ', '"0xZZ" is not a number (gtp.teid is a number)', 12, 4],
  ['ims.procedure == "registraton"', 'ims.procedure is never "registraton": did you mean "registration"?', 17, 13],
  ['call.state == "in call"', 'call.state is never "in call": did you mean "IN CALL"?', 14, 9],
  ['expert.severity == "fatal"', 'expert.severity is never "fatal": it is one of "error", "warning", "note"', 19, 7],
];

describe('bad display filters', () => {
  it.each(BAD)('%s → %s', (filter, message, start, length) => {
    const result = compileDisplayFilter(filter);
    expect(result.error).toEqual({ message, start, length });
    // The span lies within the filter (or just past its end, for "missing value" at the end).
    expect(start + length).toBeLessThanOrEqual(filter.length + 1);
  });

  it('underline the span under the filter, for the CLI', () => {
    const filter = 'sip.Mehtod == "INVITE" && sip.Status-Code >= 400';
    const result = compileDisplayFilter(filter);
    expect(result.error && formatFilterError(filter, result.error)).toBe(
      ['sip.Mehtod == "INVITE" && sip.Status-Code >= 400', '^~~~~~~~~~', 'Unknown field "sip.Mehtod": did you mean sip.Method?'].join('\n'),
    );
    const missing = 'sip.Status-Code >= ';
    const error = compileDisplayFilter(missing).error;
    expect(error && formatFilterError(missing, error).split('\n')[1]).toBe('                ^~');
  });

  it('accept an empty or blank filter, which keeps everything', () => {
    for (const blank of ['', '   ', '\t\n']) {
      const result = compileDisplayFilter(blank);
      expect(result.filter?.empty).toBe(true);
    }
  });
});
