import { describe, expect, it } from 'vitest';
import { parseMediaType, isMediaType, multipartBoundary } from '../../../src/core/sip/content-type.js';
import { parseMultipart } from '../../../src/core/sip/multipart.js';

const enc = new TextEncoder();
const text = (b: Uint8Array, s: number, e: number) => new TextDecoder().decode(b.subarray(s, e));

describe('content type', () => {
  it('parses media types and finds the boundary', () => {
    expect(parseMediaType('Multipart/Mixed ; boundary="a b";x=1')).toMatchObject({
      type: 'multipart',
      subtype: 'mixed',
      params: [
        { name: 'boundary', value: '"a b"' },
        { name: 'x', value: '1' },
      ],
    });
    expect(multipartBoundary('multipart/mixed;boundary="a b"')).toBe('a b');
    expect(multipartBoundary('multipart/mixed')).toBeUndefined();
    expect(isMediaType(' Application/SDP ;charset=x', 'application/sdp')).toBe(true);
    expect(isMediaType('application/sdpx', 'application/sdp')).toBe(false);
    expect(parseMediaType('sdp').problems?.[0].message).toBe("'sdp' is not a media type (type/subtype)");
  });
});

describe('parseMultipart', () => {
  it('splits parts with and without headers, ignores preamble and epilogue, and nests', () => {
    const body = enc.encode(
      'preamble\r\n--X\r\nContent-Type: text/plain\r\n\r\none\r\n--X\r\n\r\ntwo (no headers)\r\n--X\r\n' +
        'Content-Type: multipart/alternative; boundary=Y\r\n\r\n--Y\r\nContent-Type: application/sdp\r\n\r\nv=0\r\n\r\n--Y--\r\n' +
        '\r\n--X--\r\nepilogue',
    );
    const { parts, problems } = parseMultipart(body, 0, body.length, 'X');
    expect(problems).toEqual([]);
    expect(parts.map((p) => p.contentType)).toEqual(['text/plain', '', 'multipart/alternative; boundary=Y']);
    expect(text(body, parts[0].bodyStart, parts[0].bodyEnd)).toBe('one');
    expect(text(body, parts[1].bodyStart, parts[1].bodyEnd)).toBe('two (no headers)');
    expect(parts[2].parts?.map((p) => [p.contentType, text(body, p.bodyStart, p.bodyEnd)])).toEqual([['application/sdp', 'v=0\r\n']]);
  });

  it('reports a missing delimiter or close delimiter', () => {
    const none = enc.encode('no parts here');
    expect(parseMultipart(none, 0, none.length, 'X').problems.map((p) => p.message)).toEqual(["multipart body has no boundary delimiter '--X'"]);
    const open = enc.encode('--X\r\n\r\nbody');
    const r = parseMultipart(open, 0, open.length, 'X');
    expect(r.parts).toHaveLength(1);
    expect(r.problems.map((p) => p.message)).toEqual(["multipart body has no close delimiter '--X--'"]);
  });
});
