import { describe, expect, it } from 'vitest';
import type { ProblemSink } from '../../../src/core/sip/scan.js';
import { parseNameAddr, parseNameAddrList } from '../../../src/core/sip/name-addr.js';

const problems = (s: string) => (parseNameAddr(s).problems ?? []).map((p) => p.message);

describe('parseNameAddr', () => {
  it('reads name-addr with a quoted display name (quoted-pairs resolved) and header parameters', () => {
    const na = parseNameAddr('"Alice \\"Al\\" Smith" <sip:alice@atlanta.example.com>;tag=1928301774;x');
    expect(na).toMatchObject({
      displayName: 'Alice "Al" Smith',
      uri: 'sip:alice@atlanta.example.com',
      bracketed: true,
      tag: '1928301774',
      params: [
        { name: 'tag', value: '1928301774' },
        { name: 'x', value: undefined },
      ],
    });
    expect(na.parsedUri).toMatchObject({ user: 'alice', host: 'atlanta.example.com' });
    expect(na.problems).toBeUndefined();
  });

  it('reads token display names, with or without LWS before <', () => {
    expect(parseNameAddr('Bob Smith <sip:bob@b.example.com>').displayName).toBe('Bob Smith');
    expect(parseNameAddr('caller<sip:caller@example.com>;tag=323')).toMatchObject({ displayName: 'caller', tag: '323' });
    expect(parseNameAddr('<sip:bob@b.example.com>').displayName).toBeUndefined();
    expect(parseNameAddr('"" <sip:bob@b.example.com>').displayName).toBe('');
  });

  it('reads addr-spec: the parameters after the URI belong to the header', () => {
    const na = parseNameAddr('sip:+12125551212@phone2net.example.com;tag=887s');
    expect(na).toMatchObject({ uri: 'sip:+12125551212@phone2net.example.com', bracketed: false, tag: '887s' });
    expect(na.parsedUri.params).toEqual([]);
    const tel = parseNameAddr('tel:+15551234;phone-context=ims.example.com');
    expect(tel.params).toEqual([{ name: 'phone-context', value: 'ims.example.com' }]);
  });

  it('tolerates LWS around ; and = (RFC 4475 §3.1.1.1)', () => {
    const na = parseNameAddr('sip:vivekg@chair-dnrc.example.com ;   tag    = 1918181833n');
    expect(na).toMatchObject({ uri: 'sip:vivekg@chair-dnrc.example.com', tag: '1918181833n' });
    expect(na.problems).toBeUndefined();
  });

  it('accepts a wildcard only where allowed', () => {
    expect(parseNameAddr('*', true)).toMatchObject({ wildcard: true, uri: '*' });
    expect(problems('*')).toEqual(["URI '*' has no scheme"]);
  });

  it('reports what is wrong', () => {
    expect(problems('"Mr. J. User <sip:j.user@example.com>')).toEqual(['unterminated quoted string in display name']);
    expect(parseNameAddr('"Mr. J. User <sip:j.user@example.com>')).toMatchObject({ displayName: 'Mr. J. User', uri: 'sip:j.user@example.com' });
    expect(problems('Bell, Alexander <sip:a.g.bell@example.com>')).toEqual([
      "display name contains ',': a display name that is not all tokens must be a quoted string (RFC 3261 §25.1)",
    ]);
    expect(problems('"Watson" < sip:t.watson@example.org >')).toEqual(['whitespace inside <...> around the URI (RFC 3261 §25.1 LAQUOT/RAQUOT)']);
    expect(problems('sip:user@example.com?Route=%3Csip:sip.example.com%3E')).toEqual(["a URI containing '?' must be enclosed in < > (RFC 3261 §20)"]);
    expect(problems('<sip:joe@example.org>;;;')).toEqual([
      "empty parameter (';' with no name)",
      "empty parameter (';' with no name)",
      "empty parameter (';' with no name)",
    ]);
    expect(problems('<sip:a@b>;tag=')).toEqual(["parameter 'tag' has '=' but no value", 'tag parameter without a value']);
    expect(problems('<sip:a@b')).toEqual(["missing '>' after the URI"]);
    expect(problems('"x" sip:a@b')).toEqual(['a quoted display name must be followed by <URI>']);
    expect(problems('')).toEqual(['empty value: a URI was expected']);
    expect(problems('<sip:a@b>;tag=1, <sip:c@d>')).toEqual(["unexpected ',': this header takes a single value"]);
  });
});

describe('parseNameAddrList', () => {
  it('splits on top-level commas only', () => {
    const list = parseNameAddrList('"Doe, J" <sip:j@a.example>;q=0.7, <sip:k@b.example;lr>, sip:l@c.example;expires=60');
    expect(list.map((n) => [n.displayName, n.uri, n.params.map((p) => p.name).join()])).toEqual([
      ['Doe, J', 'sip:j@a.example', 'q'],
      [undefined, 'sip:k@b.example;lr', ''],
      [undefined, 'sip:l@c.example', 'expires'],
    ]);
  });

  it('reports stray commas on the sink', () => {
    const sink: ProblemSink = {};
    expect(parseNameAddrList('<sip:a@b>,,<sip:c@d>,', false, sink)).toHaveLength(2);
    expect(sink.problems?.map((p) => p.message)).toEqual(["empty list item (stray ',')", "empty list item (stray ',')"]);
  });
});
