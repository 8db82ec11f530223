import { describe, expect, it } from 'vitest';
import { compileFilterRegex } from '../../../src/core/filter/regex.js';

const compile = (pattern: string) => {
  const r = compileFilterRegex(pattern);
  if ('message' in r) throw new Error(r.message);
  return r;
};

describe('matches patterns', () => {
  it('ignore case by default, as Wireshark 4.0 does, and honour (?-i)', () => {
    expect(compile('invite').test('INVITE sip:bob@x SIP/2.0')).toBe(true);
    expect(compile('(?-i)invite').test('INVITE')).toBe(false);
    expect(compile('(?i)invite').test('Invite')).toBe(true);
  });

  it('support what engineers write: classes, anchors, alternation, counted repetition, named groups', () => {
    const msisdn = compile('^sip:\\+33[0-9]{9}@');
    expect(msisdn.test('sip:+33612345678@ims.example.com')).toBe(true);
    expect(msisdn.test('sip:+3361234567@ims.example.com')).toBe(false);
    expect(compile('^(INVITE|BYE)$').test('BYE')).toBe(true);
    expect(compile('^(INVITE|BYE)$').test('BYES')).toBe(false);
    expect(compile('(?P<user>alice)@').test('alice@x')).toBe(true);
  });

  it('run catastrophic patterns in linear time: (a+)+$ over 200 KB finishes (a backtracking engine never would)', () => {
    const text = `${'a'.repeat(200_000)}b`;
    expect(compile('(a+)+$').test(text)).toBe(false);
    expect(compile('(x|x)*y').test('x'.repeat(100_000))).toBe(false);
    expect(compile('(.*a){12}').test('a'.repeat(5_000))).toBe(true);
  });

  it.each([
    ['(a)\\1', 'Backreferences (\\1) are not supported: patterns run in linear time so that no filter can hang', 3, 2],
    ['x(?=y)', 'Lookaround (?= is not supported: patterns run in linear time so that no filter can hang', 1, 3],
    ['x(?!y)', 'Lookaround (?! is not supported: patterns run in linear time so that no filter can hang', 1, 3],
    ['(?<=a)b', 'Lookaround (?<= is not supported: patterns run in linear time so that no filter can hang', 0, 4],
    ['(?>a)', 'Atomic groups (?> are not supported (and not needed: patterns run in linear time)', 0, 3],
    ['[abc', 'Invalid regular expression: missing closing ] at "[abc"', 0, 4],
    ['ab)', 'Invalid regular expression: unexpected ) at "ab)"', 0, 3],
    ['*a', 'Invalid regular expression: missing argument to repetition operator at "*"', 0, 1],
    ['a{3,1}', 'Invalid regular expression: invalid repeat count at "{3,1}"', 1, 5],
  ])('refuse %s with a message and its place', (pattern, message, offset, length) => {
    expect(compileFilterRegex(pattern)).toEqual({ message, offset, length });
  });

  it('do not mistake (?= inside a character class for lookaround', () => {
    expect(compile('[(?=]+').test('(=')).toBe(true);
  });
});
