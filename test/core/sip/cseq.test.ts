import { describe, expect, it } from 'vitest';
import { parseCSeq } from '../../../src/core/sip/cseq.js';

describe('parseCSeq', () => {
  it('reads the number and method, with any LWS between them', () => {
    expect(parseCSeq('4711 INVITE')).toEqual({ seq: 4711, method: 'INVITE' });
    expect(parseCSeq('  0009\r\n  INVITE ')).toEqual({ seq: 9, method: 'INVITE' });
    expect(parseCSeq('4294967295 RE%47IST%45R')).toEqual({ seq: 4294967295, method: 'RE%47IST%45R' });
  });
  it('reports what is wrong', () => {
    const msg = (s: string) => parseCSeq(s).problems?.map((p) => p.message);
    expect(msg('36893488147419103232 REGISTER')).toEqual(['sequence number 36893488147419103232 exceeds 2^32-1 (RFC 3261 §8.1.1.5)']);
    expect(msg('INVITE')).toEqual(["sequence number expected but found 'INVITE'"]);
    expect(msg('1')).toEqual(['method missing']);
    expect(msg('1INVITE')).toEqual(['whitespace expected between the sequence number and the method']);
    expect(msg('1 INVITE x')).toEqual(["unexpected 'x' after the method"]);
    expect(parseCSeq('x').seq).toBeNaN();
  });
});
