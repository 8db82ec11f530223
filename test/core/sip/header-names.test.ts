import { describe, expect, it } from 'vitest';
import {
  H,
  HEADERS,
  UNKNOWN_HEADER,
  UNRESOLVED_HEADER,
  canonicalHeaderName,
  headerId,
  lookupHeader,
  lookupHeaderBytes,
  lookupParsedHeaderBytes,
} from '../../../src/core/sip/header-names.js';

const enc = new TextEncoder();

describe('header names', () => {
  it('maps any case and the compact forms to the canonical (Wireshark) spelling', () => {
    expect(canonicalHeaderName('call-id')).toBe('Call-ID');
    expect(canonicalHeaderName('CSEQ')).toBe('CSeq');
    expect(canonicalHeaderName('i')).toBe('Call-ID');
    expect(canonicalHeaderName('V')).toBe('Via');
    expect(canonicalHeaderName('p-asserted-identity')).toBe('P-Asserted-Identity');
    expect(canonicalHeaderName('www-authenticate')).toBe('WWW-Authenticate');
    expect(canonicalHeaderName('X-Unknown')).toBe('X-Unknown');
  });

  it('finds every name from bytes and from strings, in any case', () => {
    for (const h of HEADERS) {
      for (const spelling of [h.name, h.name.toLowerCase(), h.name.toUpperCase(), ...(h.compact ? [h.compact, h.compact.toUpperCase()] : [])]) {
        const b = enc.encode(`xx${spelling}:`);
        expect(lookupHeaderBytes(b, 2, 2 + spelling.length), spelling).toBe(h.id);
        expect(lookupHeader(`xx${spelling}:`, 2, 2 + spelling.length), spelling).toBe(h.id);
        expect(headerId(spelling)).toBe(h.id);
        const parsed = lookupParsedHeaderBytes(b, 2, 2 + spelling.length);
        expect(parsed === h.id || (parsed === UNRESOLVED_HEADER && h.id > H.MinSE), spelling).toBe(true);
      }
    }
    const b = enc.encode('X-Foo Via2 Vib');
    expect(lookupHeaderBytes(b, 0, 5)).toBe(UNKNOWN_HEADER);
    expect(lookupHeaderBytes(b, 6, 10)).toBe(UNKNOWN_HEADER);
    expect(lookupHeaderBytes(b, 11, 14)).toBe(UNKNOWN_HEADER);
    expect(lookupHeaderBytes(enc.encode('q'), 0, 1)).toBe(UNKNOWN_HEADER);
  });

  it('numbers the headers the parser decodes as H says (parser.ts switches on these numbers)', () => {
    expect(Object.entries(H).map(([k, id]) => [k, HEADERS[id].name])).toEqual([
      ['Via', 'Via'],
      ['From', 'From'],
      ['To', 'To'],
      ['CallId', 'Call-ID'],
      ['CSeq', 'CSeq'],
      ['Contact', 'Contact'],
      ['ContentLength', 'Content-Length'],
      ['ContentType', 'Content-Type'],
      ['MaxForwards', 'Max-Forwards'],
      ['Expires', 'Expires'],
      ['Date', 'Date'],
      ['RetryAfter', 'Retry-After'],
      ['Warning', 'Warning'],
      ['Route', 'Route'],
      ['RecordRoute', 'Record-Route'],
      ['MinExpires', 'Min-Expires'],
      ['RSeq', 'RSeq'],
      ['RAck', 'RAck'],
      ['SessionExpires', 'Session-Expires'],
      ['MinSE', 'Min-SE'],
    ]);
    expect(new Set(HEADERS.map((h) => h.name.toLowerCase())).size).toBe(HEADERS.length);
  });

  it('marks list headers, and never the ones with commas in their grammar', () => {
    const list = (n: string) => HEADERS[headerId(n)].list;
    for (const n of ['Via', 'Contact', 'Route', 'Record-Route', 'Allow', 'Supported', 'P-Asserted-Identity', 'Security-Client', 'Path']) {
      expect(list(n), n).toBe(true);
    }
    for (const n of ['Date', 'WWW-Authenticate', 'Authorization', 'Proxy-Authenticate', 'Proxy-Authorization', 'User-Agent', 'Server', 'Call-ID', 'Subject']) {
      expect(list(n), n).toBe(false);
    }
  });
});
