import { describe, expect, it } from 'vitest';
import { plainUriUser } from '../../../src/core/index/fields.js';
import { parseUri } from '../../../src/core/sip/uri.js';

/** The shortcut for plain URIs must give parseUri's user part, or step aside. */
describe('plainUriUser', () => {
  it.each([
    'tel:+15551;phone-context=ims.mnc001.mcc001.3gppnetwork.org',
    'tel:+1-555-0100',
    'sip:+15550001111@ims.mnc001.mcc001.3gppnetwork.org',
    'sip:+1555@h;user=phone',
    'SIP:Alice@example.com',
    'sips:bob.smith@example.com:5061;transport=tls',
    "sip:o'neil@h",
    'sip:a$b&c=d@h',
  ])('%s: the user parseUri reads', (uri) => {
    expect(plainUriUser(uri)).toBeDefined();
    expect(plainUriUser(uri)).toBe(parseUri(uri).user);
  });

  it.each(['sip:h', 'sip:[::1]:5060', 'sips:a%20b@h', 'sip:a;b@h', 'sip:a?x=1@h', 'tel:+1;x', 'tel:abc', 'mailto:a@b', 'urn:service:sos', 'sip:a b@h', ''])(
    '%s: left to parseUri unless plain',
    (uri) => {
      const user = plainUriUser(uri);
      if (user !== undefined) expect(user).toBe(parseUri(uri).user);
    },
  );

  it('steps aside for escapes, separators and URIs without a user', () => {
    for (const uri of ['sip:h', 'sips:a%20b@h', 'sip:a;b@h', 'sip:a b@h', 'tel:abc', 'mailto:a@b', '']) expect(plainUriUser(uri), uri).toBeUndefined();
  });
});
