import { describe, expect, it } from 'vitest';
import { parseUri, unescapeUri, uriParam } from '../../../src/core/sip/uri.js';

const problems = (s: string) => (parseUri(s).problems ?? []).map((p) => p.message);

describe('parseUri', () => {
  it('parses a full sip URI: user, password, host, port, parameters, headers', () => {
    const u = parseUri('sip:alice:secret@atlanta.example.com:5061;transport=tcp;lr;maddr=239.255.255.1?subject=project%20x&priority=urgent');
    expect(u).toMatchObject({ scheme: 'sip', user: 'alice', password: 'secret', host: 'atlanta.example.com', hostType: 'name', port: 5061 });
    expect(u.params).toEqual([
      { name: 'transport', value: 'tcp' },
      { name: 'lr', value: undefined },
      { name: 'maddr', value: '239.255.255.1' },
    ]);
    expect(u.headers).toEqual([
      { name: 'subject', value: 'project%20x' },
      { name: 'priority', value: 'urgent' },
    ]);
    expect(uriParam(u, 'TRANSPORT')).toBe('tcp');
    expect(uriParam(u, 'lr')).toBe('');
    expect(uriParam(u, 'user')).toBeUndefined();
    expect(u.problems).toBeUndefined();
  });

  it('parses sips, IPv4 and IPv6 hosts, and no user part', () => {
    expect(parseUri('SIPS:[2001:db8::1]:5061')).toMatchObject({ scheme: 'sips', user: undefined, host: '2001:db8::1', hostType: 'ipv6', port: 5061 });
    expect(parseUri('sip:192.0.2.1')).toMatchObject({ host: '192.0.2.1', hostType: 'ipv4', port: undefined });
    expect(parseUri('sip:+15551234@ims.mnc001.mcc001.3gppnetwork.org;user=phone')).toMatchObject({ user: '+15551234', params: [{ name: 'user', value: 'phone' }] });
  });

  it('parses tel URIs with phone-context and other parameters (RFC 3966)', () => {
    expect(parseUri('tel:+1-201-555-0123;ext=1234')).toMatchObject({ scheme: 'tel', user: '+1-201-555-0123', host: '', params: [{ name: 'ext', value: '1234' }] });
    const local = parseUri('tel:7042;phone-context=example.com');
    expect(local).toMatchObject({ user: '7042', params: [{ name: 'phone-context', value: 'example.com' }] });
    expect(local.problems).toBeUndefined();
    expect(problems('tel:7042')).toEqual(['local tel number without phone-context (RFC 3966 §5.1.5)']);
    expect(problems('tel:')).toEqual(['tel URI has no number']);
  });

  it('keeps other schemes opaque (RFC 4475 §3.3.2-3.3.4)', () => {
    expect(parseUri('urn:service:sos')).toMatchObject({ scheme: 'urn', opaque: 'service:sos', host: '' });
    expect(parseUri('http://www.example.com')).toMatchObject({ scheme: 'http', opaque: '//www.example.com' });
    expect(parseUri('soap.beep://192.0.2.103:3002')).toMatchObject({ scheme: 'soap.beep' });
  });

  it('keeps escapes as written and resolves them on request', () => {
    const u = parseUri('sip:sips%3Auser%40example.com@example.net');
    expect(u.user).toBe('sips%3Auser%40example.com');
    expect(unescapeUri(u.user!)).toBe('sips:user@example.com');
    expect(unescapeUri('%E2%82%AC and %zz')).toBe('€ and %zz');
    expect(unescapeUri('plain')).toBe('plain');
  });

  it('reports what is wrong', () => {
    expect(problems('alice@example.com')).toEqual(["URI 'alice@example.com' has no scheme"]);
    expect(problems('')).toEqual(['empty URI']);
    expect(problems('sip:')).toEqual(['URI has no host']);
    expect(problems('sip:@example.com')).toEqual(["empty user part before '@'"]);
    expect(problems('sip:a b@example.com')).toEqual(['URI contains whitespace']);
    expect(problems('sip:alice@example.com:99999')).toEqual(['invalid port in URI']);
    expect(problems('sip:alice@256.1.1.1')).toEqual(["invalid IPv4 address '256.1.1.1' in URI"]);
    expect(problems('sip:alice@[2001:db8::1')).toEqual(['unterminated IPv6 reference in URI host']);
    expect(problems('sip:alice@exa(mple).com')).toEqual(["invalid character '(' in URI host"]);
    expect(problems('sip:al%ZZice@example.com')).toEqual(["invalid %-escape in the user part (RFC 3261 §25.1: '%' HEXDIG HEXDIG)"]);
    expect(problems('sip:alice@example.com;;lr')).toEqual(["empty URI parameter (';' with no name)"]);
    expect(problems('sip:alice@example.com;x=%G1')).toEqual(["invalid %-escape in the parameters or headers (RFC 3261 §25.1: '%' HEXDIG HEXDIG)"]);
  });

  it('reports byte offsets of problems', () => {
    expect(parseUri('sip:a b@c').problems?.[0].at).toBe(5);
    // UTF-8: offsets count bytes, not UTF-16 units.
    expect(parseUri('sip:é b@c').problems?.[0].at).toBe(6);
  });
});
