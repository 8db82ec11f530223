import { describe, expect, it } from 'vitest';
import { formatEndpoint, formatIpv4, formatIpv6 } from '../../../src/core/net/address.js';
import { ipv6Bytes } from '../../helpers/packet-builder.js';

const v6 = (text: string) => formatIpv6(Uint8Array.from(ipv6Bytes(text)), 0);

describe('address text', () => {
  it('prints IPv4 dotted quads', () => {
    expect(formatIpv4(Uint8Array.from([0, 192, 168, 1, 254]), 1)).toBe('192.168.1.254');
  });

  it.each([
    ['2001:db8:0:0:0:0:2:1', '2001:db8::2:1'], // RFC 5952 §4.2.1: longest run compressed
    ['2001:db8:0:1:1:1:1:1', '2001:db8:0:1:1:1:1:1'], // §4.2.2: a single 0 group is not compressed
    ['2001:0:0:1:0:0:0:1', '2001:0:0:1::1'], // §4.2.3: the longer run wins
    ['2001:db8:0:0:1:0:0:1', '2001:db8::1:0:0:1'], // equal runs: the first is compressed
    ['0:0:0:0:0:0:0:1', '::1'],
    ['0:0:0:0:0:0:0:0', '::'],
    ['fe80:0:0:0:0:0:0:0', 'fe80::'],
    ['0:0:0:0:0:ffff:c000:280', '::ffff:192.0.2.128'], // §5: IPv4-mapped
    ['2001:2092:20d:8209:0:0:3e55:8e1', '2001:2092:20d:8209::3e55:8e1'],
  ])('prints %s as %s (RFC 5952)', (input, expected) => {
    expect(v6(input)).toBe(expected);
  });

  it('brackets IPv6 in endpoints', () => {
    expect(formatEndpoint('2001:db8::1', 5060)).toBe('[2001:db8::1]:5060');
    expect(formatEndpoint('10.0.0.1', 5060)).toBe('10.0.0.1:5060');
  });
});
