/**
 * The SIP display-filter fields read from message bytes. Every expected value below is what
 * `tshark -T fields -e FIELD -E occurrence=a` (Wireshark 4.0.17) printed for the same message, tshark's
 * escapes (\r \n \t) turned back into the characters; test/node/message-fields-tshark.test.ts runs tshark
 * itself over the shared captures and more crafted messages.
 */
import { describe, expect, it } from 'vitest';
import type { FieldValue, MessageFieldDeclaration } from '../../../src/core/filter/field.js';
import { sipBody, sipHeaderField, sipMessageFields, strtoul32, wsStrtou32 } from '../../../src/core/sip/fields.js';
import { seededRandom } from '../../helpers/random.js';

const byName = new Map(sipMessageFields.map((f) => [f.name, f]));
const enc = (s: string) => new TextEncoder().encode(s);

function field(name: string): MessageFieldDeclaration {
  const f = byName.get(name);
  if (!f) throw new Error(`no field ${name}`);
  return f;
}

function values(name: string, message: string): FieldValue[] {
  const bytes = enc(message);
  return field(name).extract(bytes, 0, bytes.length);
}

/** Compact forms, several Via lines and a comma-separated Via, a tel: To. */
const COMPACT =
  'INVITE sip:+491701234567@ims.example.net;user=phone SIP/2.0\r\n' +
  'v: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bK1\r\n' +
  'Via: SIP/2.0/TCP 192.0.2.2;branch=z9hG4bK2, SIP/2.0/UDP [2001:db8::9]:5062;branch=z9hG4bK3;received=198.51.100.7\r\n' +
  'f: "Alice" <sip:alice@ims.example.net>;tag=a1\r\n' +
  't: <tel:+491701234567>\r\n' +
  'i: compact@ims\r\n' +
  'CSeq: 1 INVITE\r\n' +
  'm: <sip:alice@192.0.2.1:5060>;expires=600, <sip:alice@192.0.2.9>\r\n' +
  'k: 100rel\r\n' +
  'Supported: timer, precondition\r\n' +
  'l: 0\r\n\r\n';

/** Folding, mixed-case names, malformed lines, trailing blanks, C-library numbers, a refused Content-Length. */
const FOLDED =
  'OPTIONS sip:bob@example.com SIP/2.0\r\n' +
  'VIA: SIP/2.0/UDP 192.0.2.3\r\n  ;branch=z9hG4bKf\r\n' +
  'Subject: first\r\n\tsecond\r\n' +
  'this line has no colon\r\n' +
  'Via : SIP/2.0/UDP 10.9.9.9\r\n' +
  'FROM: Bob Smith <sip:bob@example.com>;tag=b1\r\n' +
  'To: sip:carol@example.com;tag=c1\r\n' +
  'Call-ID: trailing   \r\n' +
  'cseq: 2 OPTIONS\r\n' +
  'Expires: 0600\r\n' +
  'Max-Forwards: -1\r\n' +
  'Content-Length: 3 \r\n\r\nabc';

/** A CSeq without a method: Wireshark stops there. */
const CSEQ_ONLY_NUMBER =
  'BYE sip:alice@192.0.2.1 SIP/2.0\r\nVia: SIP/2.0/UDP 192.0.2.2;branch=z9hG4bKbye\r\nCall-ID: bye-1\r\nCSeq: 13\r\nUser-Agent: after-the-cseq\r\n\r\n';

/** A response with bare LF line ends and IMS headers. */
const IMS_183 =
  'SIP/2.0 183 Session Progress\n' +
  'Via: SIP/2.0/UDP 10.1.1.1:5060;branch=z9hG4bKue1\n' +
  'From: <sip:+4917012@ims.example.net>;tag=i1\n' +
  'To: <sip:bob@ims.example.net>;tag=b183\n' +
  'Call-ID: lf-183\n' +
  'CSeq: 10 INVITE\n' +
  'P-Asserted-Identity: "Bob" <sip:bob@ims.example.net>, <tel:+4917099>\n' +
  'P-Charging-Vector: icid-value="AyretyU0dm+6O2IrT5tAFrbHLso=";icid-gen-addr=192.0.2.20;orig-ioi=home1.net\n' +
  'P-Access-Network-Info: 3GPP-E-UTRAN-FDD;utran-cell-id-3gpp=26203000100e2b0a\n' +
  'Security-Verify: ipsec-3gpp;alg=hmac-sha-1-96;spi-c=5000;spi-s=5001;port-c=5062;port-s=5064\n' +
  'Reason: Q.850;cause=16;text="Normal call clearing"\n' +
  'Record-Route: <sip:p1.example.com;lr>,<sip:p2.example.com:5070;lr>\n' +
  'Content-Type: application/sdp\n' +
  'Content-Length: 10\n\nv=0\ns=-\n';

/** Per message: each field and tshark's values for it. */
const TABLE: Array<[label: string, message: string, expected: Record<string, FieldValue[]>]> = [
  [
    'compact',
    COMPACT,
    {
      'sip.Via': ['SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bK1', 'SIP/2.0/TCP 192.0.2.2;branch=z9hG4bK2, SIP/2.0/UDP [2001:db8::9]:5062;branch=z9hG4bK3;received=198.51.100.7'],
      'sip.Via.branch': ['z9hG4bK1', 'z9hG4bK2', 'z9hG4bK3'],
      'sip.Via.transport': ['UDP', 'TCP', 'UDP'],
      'sip.Via.sent-by.address': ['192.0.2.1', '192.0.2.2', '2001:db8::9'],
      'sip.Via.sent-by.port': [5060, 5062],
      'sip.Via.received': ['198.51.100.7'],
      'sip.From': ['"Alice" <sip:alice@ims.example.net>;tag=a1'],
      'sip.from.user': ['alice'],
      'sip.from.display.info': ['"Alice"'],
      'sip.from.tag': ['a1'],
      'sip.To': ['<tel:+491701234567>'],
      'sip.to.addr': ['tel:+491701234567'],
      'sip.to.user': [], // a tel: URI is not split into parts
      'sip.to.tag': [],
      'sip.Call-ID': ['compact@ims'],
      'sip.CSeq': ['1 INVITE'],
      'sip.CSeq.seq': [1],
      'sip.CSeq.method': ['INVITE'],
      'sip.Contact': ['<sip:alice@192.0.2.1:5060>;expires=600, <sip:alice@192.0.2.9>'],
      'sip.contact.uri': ['sip:alice@192.0.2.1:5060', 'sip:alice@192.0.2.9'],
      'sip.contact.parameter': ['expires=600'],
      'sip.Supported': ['100rel', 'timer, precondition'],
      'sip.Content-Length': [0],
      'sip.msg_body': [],
      'sip.Method': ['INVITE'],
      'sip.Status-Code': [],
      'sip.r-uri.user': ['+491701234567'],
      'sip.r-uri.host': ['ims.example.net'],
    },
  ],
  [
    'folded',
    FOLDED,
    {
      'sip.Via': ['SIP/2.0/UDP 192.0.2.3\r\n  ;branch=z9hG4bKf'],
      'sip.Via.branch': ['z9hG4bKf'],
      'sip.Via.sent-by.address': ['192.0.2.3\r\n'], // Wireshark's address runs to the ';'
      'sip.Subject': ['first\r\n\tsecond'],
      'sip.From': ['Bob Smith <sip:bob@example.com>;tag=b1'],
      'sip.from.display.info': ['Bob Smith '],
      'sip.to.addr': ['sip:carol@example.com'],
      'sip.to.user': ['carol'],
      'sip.to.tag': ['c1'],
      'sip.Call-ID': ['trailing   '],
      'sip.CSeq.method': ['OPTIONS'],
      'sip.Expires': [600],
      'sip.Max-Forwards': [4294967295],
      'sip.Content-Length': [0],
      'sip.msg_body': [], // Content-Length "3 " is refused: 0, no body
      'sip.r-uri.user': ['bob'],
    },
  ],
  [
    'cseq-only-number',
    CSEQ_ONLY_NUMBER,
    {
      'sip.CSeq': ['13'],
      'sip.CSeq.seq': [],
      'sip.Call-ID': ['bye-1'],
      'sip.User-Agent': [], // after the CSeq: not dissected
    },
  ],
  [
    'ims-183',
    IMS_183,
    {
      'sip.Status-Code': [183],
      'sip.Status-Line': ['SIP/2.0 183 Session Progress'],
      'sip.Method': [],
      'sip.from.user': ['+4917012'],
      'sip.from.display.info': [],
      'sip.to.tag': ['b183'],
      'sip.P-Asserted-Identity': ['"Bob" <sip:bob@ims.example.net>, <tel:+4917099>'],
      'sip.pai.user': ['bob'], // the first identity only
      'sip.icid_value': ['"AyretyU0dm+6O2IrT5tAFrbHLso="'],
      'sip.icid_gen_addr': ['192.0.2.20'],
      'sip.P-Access-Network-Info.access-type': ['3GPP-E-UTRAN-FDD'],
      'sip.P-Access-Network-Info.utran-cell-id-3gpp': ['26203000100e2b0a'],
      'sip.sec_mechanism.spi_c': [5000],
      'sip.sec_mechanism.port_s': [5064],
      'sip.reason_cause_q850': [16],
      'sip.reason_text': ['Normal call clearing'],
      'sip.Record-Route.host': ['p1.example.com', 'p2.example.com'],
      'sip.Record-Route.port': ['5070'],
      'sip.Content-Length': [10],
      'sip.msg_body': ['v=0\ns=-\n'],
    },
  ],
];

describe('sip message fields: the values tshark 4.0 shows', () => {
  const cases = TABLE.flatMap(([label, message, expected]) => Object.entries(expected).map(([name, values]) => [label, name, message, values] as const));
  it.each(cases)('%s: %s', (_label, name, message, expected) => {
    expect(values(name, message)).toEqual(expected);
  });

  it('gives nothing for bytes Wireshark does not take for SIP', () => {
    for (const text of ['HTTP/1.1 200 OK\r\nVia: x\r\n\r\n', '\x01INVITE sip:a@b SIP/2.0\r\nVia: SIP/2.0/UDP h\r\n\r\n', 'INVITE sip:a@b SIP/2.1\r\nCall-ID: x\r\n\r\n', 'SIP/2.0 20 OK\r\nCall-ID: x\r\n\r\n', '']) {
      for (const name of ['sip.Method', 'sip.Status-Code', 'sip.Via', 'sip.Call-ID', 'sip.msg_hdr']) expect(values(name, text), `${name} of ${JSON.stringify(text)}`).toEqual([]);
    }
  });

  it('stops after a Via with a be-route parameter, as Wireshark 4.0 does (a failed assertion there)', () => {
    const message = 'OPTIONS sip:x@example.com SIP/2.0\r\nVia: SIP/2.0/UDP 192.0.2.9;branch=z9hG4bKbe;be-route=sip:a@b\r\nFrom: <sip:a@example.com>;tag=be\r\nCall-ID: be-1\r\nCSeq: 1 OPTIONS\r\n\r\n';
    expect(values('sip.Via.branch', message)).toEqual(['z9hG4bKbe']);
    expect(values('sip.Via.be_route', message)).toEqual(['sip:a@b']);
    expect(values('sip.Call-ID', message)).toEqual([]);
    expect(values('sip.from.tag', message)).toEqual([]);
  });

  it('keeps the whole message after the start line in sip.msg_hdr, body included', () => {
    expect(values('sip.msg_hdr', IMS_183)).toEqual([IMS_183.substring(IMS_183.indexOf('\n') + 1)]);
  });
});

describe('declarations', () => {
  it('declares each Wireshark header field under its Wireshark name, with its type', () => {
    const expected: Record<string, string> = {
      'sip.Via': 'string',
      'sip.From': 'string',
      'sip.Call-ID': 'string',
      'sip.P-Asserted-Identity': 'string',
      'sip.Security-Client': 'string',
      'sip.Content-Length': 'number',
      'sip.Expires': 'number',
      'sip.Max-Forwards': 'number',
      'sip.RSeq': 'number',
      'sip.Retry-After': 'number',
      'sip.Min-Expires': 'string',
      'sip.ETag': 'string',
      'sip.If_Match': 'string',
      'sip.uui': 'string',
      'sip.Referred-by': 'string',
      'sip.Status-Code': 'number',
      'sip.CSeq.seq': 'number',
      'sip.msg_body': 'none',
    };
    for (const [name, type] of Object.entries(expected)) expect(field(name).type, name).toBe(type);
    const names = sipMessageFields.map((f) => f.name);
    expect(new Set(names).size).toBe(names.length);
    for (const f of sipMessageFields) expect(f.description.length, f.name).toBeGreaterThan(2);
  });
});

describe('sip.header["..."]', () => {
  const message = 'MESSAGE sip:a@b SIP/2.0\r\nX-Custom: one\r\ni: cid-1\r\nx-custom:two  \r\nX-Customer: no\r\nCSeq: 1 MESSAGE\r\nk: path\r\nSupported: gruu\r\n\r\n';
  const read = (key: string) => {
    const bytes = enc(message);
    return sipHeaderField(key).extract(bytes, 0, bytes.length);
  };

  it('reads any header by name, case-insensitively, each line one value', () => {
    expect(read('X-Custom')).toEqual(['one', 'two  ']);
    expect(read('x-CUSTOM')).toEqual(['one', 'two  ']);
    expect(sipHeaderField('X-Custom').name).toBe('sip.header["X-Custom"]');
  });

  it('resolves compact forms both ways (RFC 3261 §7.3.3)', () => {
    expect(read('Call-ID')).toEqual(['cid-1']);
    expect(read('i')).toEqual(['cid-1']);
    expect(read('Supported')).toEqual(['path', 'gruu']);
    expect(read('k')).toEqual(['path', 'gruu']);
  });

  it('is empty for an absent header', () => {
    expect(read('P-Asserted-Identity')).toEqual([]);
    expect(read('y')).toEqual([]);
  });
});

describe('robustness', () => {
  const messages = [COMPACT, FOLDED, CSEQ_ONLY_NUMBER, IMS_183];
  const all = [...sipMessageFields, sipHeaderField('X-Custom'), sipHeaderField('v')];

  it('reads only within [start, end): the same values inside a larger buffer', () => {
    const junk = enc('Via: SIP/2.0/UDP evil;branch=z9hG4bKevil\r\nUser-Agent: outside\r\n\r\n');
    for (const message of messages) {
      const m = enc(message);
      const big = new Uint8Array(junk.length + m.length + junk.length);
      big.set(junk, 0);
      big.set(m, junk.length);
      big.set(junk, junk.length + m.length);
      for (const f of all) expect(f.extract(big, junk.length, junk.length + m.length), f.name).toEqual(f.extract(m, 0, m.length));
    }
  });

  it('never throws on truncated messages, and a truncation reads nothing past its end', () => {
    for (const message of messages) {
      const m = enc(message);
      for (let cut = 0; cut <= m.length; cut += 3) {
        const copy = m.slice(0, cut);
        for (const f of all) expect(f.extract(m, 0, cut), `${f.name} cut at ${cut}`).toEqual(f.extract(copy, 0, copy.length));
      }
    }
  });

  it('never throws on random bytes or bit-flipped messages, and gives values of the declared type', () => {
    const random = seededRandom(5);
    for (let n = 0; n < 300; n++) {
      const m = enc(messages[n % messages.length]);
      for (let k = 0; k < 4; k++) m[Math.floor(random() * m.length)] = Math.floor(random() * 256);
      for (const f of all) {
        const got = f.extract(m, 0, m.length);
        for (const v of got) expect(typeof v, f.name).toBe(f.type === 'number' ? 'number' : 'string');
      }
    }
    for (const f of all) expect(f.extract(new Uint8Array(0), 0, 0)).toEqual([]);
    for (const f of all) expect(f.extract(enc('INVITE sip:a@b SIP/2.0'), 5, 2)).toEqual([]);
  });

  it('finds the body the way Wireshark delimits it: after the empty line, at most Content-Length bytes', () => {
    const m = enc(IMS_183 + 'trailing'); // Content-Length: 10, 8 bytes of SDP then "trailing"
    const body = sipBody(m, 0, m.length);
    expect(body && new TextDecoder().decode(m.subarray(body.offset, body.offset + body.length))).toBe('v=0\ns=-\ntr');
    expect(body?.mediaType).toBe('application/sdp');
  });
});

describe('number conversions', () => {
  it('strtoul32 is C strtoul then the low 32 bits', () => {
    expect(strtoul32('0600')).toBe(600);
    expect(strtoul32('  12abc')).toBe(12);
    expect(strtoul32('-1')).toBe(4294967295);
    expect(strtoul32('99999999999')).toBe(1215752191); // tshark shows RSeq: 99999999999 as 1215752191
    expect(strtoul32('99999999999999999999999')).toBe(4294967295);
    expect(strtoul32('x')).toBe(0);
  });

  it('wsStrtou32 refuses anything but a whole number', () => {
    expect(wsStrtou32('120')).toEqual([120, true]);
    expect(wsStrtou32('120 ')).toEqual([0, false]);
    expect(wsStrtou32('120;duration=5')).toEqual([0, false]);
    expect(wsStrtou32('+1')).toEqual([0, false]);
    expect(wsStrtou32('4294967296')).toEqual([4294967295, false]);
  });
});
