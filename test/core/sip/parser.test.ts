/** parseSip, detection and stream framing on hand-built messages and on real captures. */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { dissectPacket } from '../../../src/core/layers/dissect.js';
import { PacketDecodeState, Transport } from '../../../src/core/layers/packet.js';
import { COMPACT_FORMS, HEADERS, wiresharkField } from '../../../src/core/sip/header-names.js';
import { findSipStart, looksLikeSipStart, parseSip, sipFrameLength } from '../../../src/core/sip/parser.js';
import type { SipMessage } from '../../../src/core/sip/types.js';
import { uriParam } from '../../../src/core/sip/uri.js';
import { openCaptureFile } from '../../../src/node/capture-file.js';
import { haveSharedCaptures, sharedCaptures } from '../../helpers/paths.js';

const enc = new TextEncoder();
/** Lines joined with CRLF; the message ends with the empty line (plus `body`). */
function sip(lines: string[], body = ''): Uint8Array {
  return enc.encode(lines.join('\r\n') + '\r\n\r\n' + body);
}
function parse(bytes: Uint8Array, options?: Parameters<typeof parseSip>[3]): SipMessage {
  return parseSip(bytes, 0, bytes.length, options);
}
const messages = (m: SipMessage, severity?: string) =>
  m.diagnostics.filter((d) => severity === undefined || d.severity === severity).map((d) => d.message);
const ascii = (b: Uint8Array, s: number, e: number) => new TextDecoder().decode(b.subarray(s, e));

const OPTIONS = [
  'OPTIONS sip:bob@example.com SIP/2.0',
  'Via: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bK-1',
  'Max-Forwards: 70',
  'From: <sip:alice@example.com>;tag=a1',
  'To: <sip:bob@example.com>',
  'Call-ID: c1@192.0.2.1',
  'CSeq: 1 OPTIONS',
  'Content-Length: 0',
];

describe('looksLikeSipStart', () => {
  const yes = [
    'INVITE sip:bob@example.com SIP/2.0\r\n',
    'SIP/2.0 200 OK\r\n',
    'SIP/2.0 100 \r\n',
    'REGIStER sip:example.com SIP/2.0\r\n', // garbled case (fuzzed capture)
    'a'.repeat(4099) + ' sip:x SIP/2.0\r\n', // PROTOS c07: very long token method
    "!interesting-Method0123456789_*+`.%indeed'~ sip:x@y SIP/2.0\r\n",
    'INVITE  sip:bob@example.com  SIP/2.0  \r\n', // RFC 4475 §3.1.2.9/10: still SIP, the parser says what is wrong
    'INVITE sip:user@example.com; lr SIP/2.0\r\n',
    'SIP/2.0 4294967301 better not break the receiver\r\n',
    'OPTIONS sip:x SIP/2.0', // no CRLF yet
    'INVITE sip:alan@jasomi.com\r\n', // RFC 4475 test.dat: no SIP-Version, known method + sip: URI
    'NOTIFY tel:+15551234;phone-context=ims.example SIP/2.0\r\n',
  ];
  const no = [
    'GET / HTTP/1.1\r\nHost: x\r\n\r\n',
    'HTTP/1.1 200 OK\r\n',
    'OPTIONS * RTSP/1.0\r\n',
    'POST /sip HTTP/1.1\r\n',
    'hello', // the 5-byte keep-alive of ndpi_sip_hello.pcapng
    '\r\n\r\n', // CRLF keep-alive (RFC 5626 §3.5.1)
    '\r\n',
    '',
    'jaK\n\0',
    'SIP/2.0\r\n',
    'INVITE is not a request line\r\n',
    'FOO sip:x\r\n', // unknown method without version
    'INVITE sip:x SIP/2.0'.replace(' ', '\0'),
  ];
  it.each(yes.map((s): [string, string] => [s.slice(0, 50), s]))('accepts %j', (_, s) => {
    const b = enc.encode(s);
    expect(looksLikeSipStart(b, 0, b.length)).toBe(true);
  });
  it.each(no.map((s) => [s]))('rejects %j', (s) => {
    const b = enc.encode(s);
    expect(looksLikeSipStart(b, 0, b.length)).toBe(false);
  });
  it('rejects binary data, including control bytes inside a would-be request line', () => {
    const rtp = new Uint8Array(172).map((_, i) => (i * 37 + 0x80) & 0xff);
    expect(looksLikeSipStart(rtp, 0, rtp.length)).toBe(false);
    const b = enc.encode('INVITE sip:a\x01b SIP/2.0\r\n');
    expect(looksLikeSipStart(b, 0, b.length)).toBe(false);
  });
  it('honours start and end', () => {
    const b = enc.encode('\x01\x02INVITE sip:b SIP/2.0\r\n');
    expect(looksLikeSipStart(b, 0, b.length)).toBe(false);
    expect(looksLikeSipStart(b, 2, b.length)).toBe(true);
    expect(looksLikeSipStart(b, 2, 12)).toBe(false); // cut inside the URI: no version, unknown shape
    expect(looksLikeSipStart(b, 2, 1000)).toBe(true); // end past the buffer is clamped
  });
});

describe('findSipStart and junk before the start line', () => {
  it('finds a request line after binary junk, after junk on the same line, and a status line after junk', () => {
    const junk = new Uint8Array([0x00, 0x01, 0xff, 0x0a, 0x07]);
    const req = enc.encode('REGISTER sip:1.1.1.1:5060 SIP/2.0\r\nExpires: 3600\r\n\r\n');
    const both = new Uint8Array([...junk, ...req]);
    expect(findSipStart(both, 0, both.length)).toBe(5);
    const sameLine = enc.encode('\x02\x03 junk REGISTER sip:1.1.1.1:5060 SIP/2.0\r\n\r\n');
    expect(findSipStart(sameLine, 0, sameLine.length)).toBe(8);
    const status = enc.encode('\x00\x00SIP/2.0 200 OK\r\n\r\n');
    expect(findSipStart(status, 0, status.length)).toBe(2);
    expect(findSipStart(req, 0, req.length)).toBe(0);
    const none = enc.encode('GET / HTTP/1.1\r\n\r\n');
    expect(findSipStart(none, 0, none.length)).toBe(-1);
    expect(findSipStart(new Uint8Array(0), 0, 0)).toBe(-1);
  });

  it('parses the message after the junk and flags the junk', () => {
    const junk = new Uint8Array([0xde, 0xad, 0xbe, 0xef, 0x00]);
    const both = new Uint8Array([...junk, ...sip(OPTIONS)]);
    const m = parse(both);
    expect(m.start).toBe(5);
    expect(m.method).toBe('OPTIONS');
    expect(m.callId).toBe('c1@192.0.2.1');
    expect(m.diagnostics).toEqual([
      { kind: 'malformed', severity: 'error', layer: 'sip', message: '5 bytes of non-SIP data before the start line', offset: 0 },
    ]);
  });

  it('ignores CRLFs before the start line (RFC 3261 §7.5): silently on a stream, with a note in a datagram', () => {
    const b = new Uint8Array([13, 10, 13, 10, ...sip(OPTIONS)]);
    expect(parse(b, { stream: true }).diagnostics).toEqual([]);
    const m = parse(b);
    expect(m.start).toBe(4);
    expect(messages(m)).toEqual(['4 CR/LF bytes before the start line ignored (RFC 3261 §7.5)']);
  });

  it.skipIf(!haveSharedCaptures)('zeek_sip-junk-before-request.pcap: the 4-byte junk datagram is not SIP, the REGISTER is', async () => {
    // tshark -x shows the REGISTER datagram's payload starting right after the UDP header (the "DB" printed
    // before "REGISTER" in the hex dump is the UDP checksum 0x4442): the junk is the preceding 4-byte datagram.
    const payloads: Uint8Array[] = [];
    const state = new PacketDecodeState();
    await openCaptureFile(join(sharedCaptures, 'zeek_sip-junk-before-request.pcap'), {
      packet(p) {
        dissectPacket(state, p.linkType, p.data, p.capturedLength);
        if (state.transport === Transport.UDP) payloads.push(state.bytes.slice(state.payloadStart, state.payloadEnd));
      },
      diagnostic() {},
    });
    expect(payloads.map((p) => p.length)).toEqual([4, 52]);
    expect(looksLikeSipStart(payloads[0], 0, 4)).toBe(false);
    expect(findSipStart(payloads[0], 0, 4)).toBe(-1);
    expect(looksLikeSipStart(payloads[1], 0, 52)).toBe(true);
    const m = parse(payloads[1]);
    expect(m).toMatchObject({ method: 'REGISTER', requestUri: 'sip:1.1.1.1:5060', expires: 3600 });
    expect(m.parsedRequestUri).toMatchObject({ host: '1.1.1.1', hostType: 'ipv4', port: 5060 });
    expect(messages(m, 'error')).toEqual(['missing mandatory headers: To, From, Call-ID, CSeq, Via (RFC 3261 §8.1.1)']);
  });
});

describe('headers', () => {
  it('resolves every compact form (RFC 3261 §7.3.3, IANA) and fills the index fields from them', () => {
    const lines = [
      'INVITE sip:bob@example.com SIP/2.0',
      'v: SIP/2.0/UDP 192.0.2.1;branch=z9hG4bKc1',
      'f: <sip:alice@example.com>;tag=1',
      't: <sip:bob@example.com>',
      'i: compact@192.0.2.1',
      'CSeq: 7 INVITE',
      'Max-Forwards: 70',
      'm: <sip:alice@192.0.2.1>',
      'c: text/plain',
      'k: 100rel',
      's: hello',
      'e: gzip',
      'o: presence',
      'u: dialog',
      'r: <sip:carol@example.com>',
      'b: <sip:alice@example.com>',
      'x: 1800;refresher=uac',
      'y: abc;info=<https://example.com/cert>',
      'a: *;+g.3gpp.icsi-ref="urn%3Aurn-7%3A3gpp-service.ims.icsi.mmtel"',
      'j: *;+sip.automata',
      'd: proxy',
      'n: <https://example.com/cert>;alg=rsa-sha1',
      'l: 5',
    ];
    const m = parse(sip(lines, 'hello'));
    expect(messages(m)).toEqual([]);
    const compact = m.headers.filter((h) => h.compact);
    expect(compact.map((h) => `${h.name}=${h.canonical}`)).toEqual([
      'v=Via',
      'f=From',
      't=To',
      'i=Call-ID',
      'm=Contact',
      'c=Content-Type',
      'k=Supported',
      's=Subject',
      'e=Content-Encoding',
      'o=Event',
      'u=Allow-Events',
      'r=Refer-To',
      'b=Referred-By',
      'x=Session-Expires',
      'y=Identity',
      'a=Accept-Contact',
      'j=Reject-Contact',
      'd=Request-Disposition',
      'n=Identity-Info',
      'l=Content-Length',
    ]);
    expect(Object.keys(COMPACT_FORMS).sort().join('')).toBe('abcdefijklmnorstuvxy');
    expect(m.callId).toBe('compact@192.0.2.1');
    expect(m.vias[0].branch).toBe('z9hG4bKc1');
    expect(m.from?.tag).toBe('1');
    expect(m.contacts[0].uri).toBe('sip:alice@192.0.2.1');
    expect(m.contentType).toBe('text/plain');
    expect(m.contentLength).toBe(5);
    expect(m.header('Session-Expires')?.value).toBe('1800;refresher=uac');
    expect(m.header('x')?.canonical).toBe('Session-Expires');
    expect(m.headersNamed('SUPPORTED').map((h) => h.value)).toEqual(['100rel']);
  });

  it('keeps the name as written, the canonical (Wireshark) name and exact byte spans', () => {
    const b = sip([...OPTIONS.slice(0, 6), 'cALL-iD  :   spaced@host   ', 'P-Asserted-Identity: <tel:+15551234>', 'X-Custom-Thing: yes']);
    const m = parse(b);
    const callId = m.headers.find((h) => h.name === 'cALL-iD')!;
    expect(callId.canonical).toBe('Call-ID');
    expect(callId.name).toBe('cALL-iD');
    expect(callId.value).toBe('spaced@host');
    expect(ascii(b, callId.start, callId.end)).toBe('cALL-iD  :   spaced@host   ');
    expect(ascii(b, callId.valueStart, callId.valueEnd)).toBe('spaced@host');
    expect(m.callId).toBe('c1@192.0.2.1'); // the first of the two
    const pai = m.header('p-asserted-identity')!;
    expect(pai.canonical).toBe('P-Asserted-Identity');
    expect(wiresharkField(pai.name)).toBe('sip.P-Asserted-Identity');
    expect(wiresharkField('i')).toBe('sip.Call-ID');
    const custom = m.header('x-custom-thing')!;
    expect(custom).toMatchObject({ id: -1, name: 'X-Custom-Thing', canonical: 'X-Custom-Thing', value: 'yes', compact: false });
    expect(m.headers.map((h) => h.name)).toEqual(['Via', 'Max-Forwards', 'From', 'To', 'Call-ID', 'cALL-iD', 'P-Asserted-Identity', 'X-Custom-Thing']);
    expect(messages(m, 'error')).toEqual([
      'missing mandatory header: CSeq (RFC 3261 §8.1.1)',
      '2 Call-ID headers: Call-ID takes a single value (RFC 3261 §7.3.1, RFC 4475 §3.3.8)',
    ]);
  });

  it('has a canonical spelling for the IMS P-headers and the RFC 3261 extensions', () => {
    const names = new Set(HEADERS.map((h) => h.name));
    for (const n of [
      'P-Asserted-Identity', 'P-Preferred-Identity', 'P-Access-Network-Info', 'P-Visited-Network-ID', 'P-Charging-Vector',
      'P-Charging-Function-Addresses', 'P-Called-Party-ID', 'P-Associated-URI', 'P-Served-User', 'P-Early-Media',
      'P-Preferred-Service', 'P-Asserted-Service', 'Security-Client', 'Security-Server', 'Security-Verify', 'Path',
      'Service-Route', 'Feature-Caps', 'Session-ID', 'Reason', 'Privacy', 'Accept-Contact', 'Reject-Contact',
      'Request-Disposition', 'Geolocation', 'Geolocation-Routing', 'RSeq', 'RAck', 'Session-Expires', 'Min-SE',
      'WWW-Authenticate', 'Call-ID', 'CSeq', 'MIME-Version', 'SIP-ETag', 'History-Info', 'Diversion',
    ]) {
      expect(names.has(n), n).toBe(true);
    }
  });

  it('joins folded lines (RFC 3261 §7.3.1) and keeps the span of all the lines', () => {
    const b = sip([
      ...OPTIONS.slice(0, 2),
      'Subject: first part',
      '   second part',
      '\tthird',
      'Contact:',
      '  <sip:alice@192.0.2.1>',
      ...OPTIONS.slice(2),
    ]);
    const m = parse(b);
    const subject = m.header('Subject')!;
    expect(subject.value).toBe('first part second part third');
    expect(subject.folded).toBe(true);
    expect(ascii(b, subject.start, subject.end)).toBe('Subject: first part\r\n   second part\r\n\tthird');
    const contact = m.header('m')!;
    expect(contact.value).toBe('<sip:alice@192.0.2.1>');
    expect(contact.folded).toBe(false); // the value starts on the continuation line: one line of value
    expect(m.contacts[0].uri).toBe('sip:alice@192.0.2.1');
    expect(messages(m)).toEqual([]);
  });

  it('splits comma-separated values where the grammar has a list, respecting quotes and <...>', () => {
    const m = parse(
      sip([
        'SIP/2.0 200 OK',
        'Via: SIP/2.0/UDP p1.example.com;branch=z9hG4bK1, SIP/2.0/TCP p2.example.com:5061;branch=z9hG4bK2;received=192.0.2.9',
        'Via: SIP/2.0/UDP 192.0.2.1;branch=z9hG4bK3;rport=5070',
        'From: "Doe, Jane" <sip:jane@example.com>;tag=x',
        'To: <sip:bob@example.com>;tag=y',
        'Call-ID: list@x',
        'CSeq: 1 REGISTER',
        'Contact: "Doe, Jane" <sip:jane@192.0.2.1;transport=tcp>;expires=3600, <sip:jane@[2001:db8::1]>;q=0.5',
        'Record-Route: <sip:p1.example.com;lr>, <sip:p2.example.com;lr>',
        'Allow: INVITE, ACK,BYE ,CANCEL',
        'Date: Sat, 13 Nov 2010 23:29:00 GMT',
        'WWW-Authenticate: Digest realm="ims.example.com", nonce="abc,def", algorithm=AKAv1-MD5, qop="auth,auth-int"',
        'P-Associated-URI: <sip:+15551234@ims.example.com>, <tel:+15551234>',
        'Content-Length: 0',
      ]),
    );
    expect(messages(m)).toEqual([]);
    expect(m.vias.map((v) => `${v.transport} ${v.host}:${v.port ?? ''} ${v.branch}`)).toEqual([
      'UDP p1.example.com: z9hG4bK1',
      'TCP p2.example.com:5061 z9hG4bK2',
      'UDP 192.0.2.1: z9hG4bK3',
    ]);
    expect(m.vias[1].received).toBe('192.0.2.9');
    expect(m.vias[2].rport).toBe(5070);
    expect(m.from?.displayName).toBe('Doe, Jane');
    expect(m.contacts.map((c) => c.uri)).toEqual(['sip:jane@192.0.2.1;transport=tcp', 'sip:jane@[2001:db8::1]']);
    expect(m.contacts[0].params).toEqual([{ name: 'expires', value: '3600' }]);
    expect(m.contacts[1].parsedUri).toMatchObject({ host: '2001:db8::1', hostType: 'ipv6' });
    expect(m.header('Record-Route')?.values).toEqual(['<sip:p1.example.com;lr>', '<sip:p2.example.com;lr>']);
    expect(m.header('Allow')?.values).toEqual(['INVITE', 'ACK', 'BYE', 'CANCEL']);
    expect(m.header('Date')?.values).toEqual(['Sat, 13 Nov 2010 23:29:00 GMT']);
    expect(m.header('WWW-Authenticate')?.values).toHaveLength(1);
    expect(m.header('P-Associated-URI')?.values).toEqual(['<sip:+15551234@ims.example.com>', '<tel:+15551234>']);
  });

  it('flags a header line without a colon and keeps going', () => {
    const m = parse(sip([...OPTIONS.slice(0, 3), 'Garbage line here', ...OPTIONS.slice(3)]));
    expect(messages(m)).toEqual(["header line without ':': 'Garbage line here' (RFC 3261 §7.3)"]);
    expect(m.callId).toBe('c1@192.0.2.1');
    expect(m.headers).toHaveLength(7);
  });
});

describe('IPv6', () => {
  it('parses IPv6 sent-by, received, URI hosts and flags a broken reference', () => {
    const m = parse(
      sip([
        'INVITE sip:bob@[2001:db8::10]:5080;transport=udp SIP/2.0',
        'Via: SIP/2.0/UDP [2001:db8::1]:5060;branch=z9hG4bK-v6;received=2001:db8::2;rport=5062',
        'Max-Forwards: 70',
        'From: <sip:alice@[2001:db8::1]>;tag=6',
        'To: <sip:bob@[2001:db8::10]:5080>',
        'Call-ID: v6@2001:db8::1',
        'CSeq: 1 INVITE',
        'Contact: <sip:alice@[2001:db8::1]:5060>',
        'Content-Length: 0',
      ]),
    );
    expect(messages(m)).toEqual([]);
    expect(m.vias[0]).toMatchObject({ host: '2001:db8::1', hostType: 'ipv6', port: 5060, received: '2001:db8::2', rport: 5062 });
    expect(m.parsedRequestUri).toMatchObject({ host: '2001:db8::10', hostType: 'ipv6', port: 5080 });
    expect(uriParam(m.parsedRequestUri!, 'transport')).toBe('udp');
    expect(m.to?.parsedUri.port).toBe(5080);
    const bad = parse(sip(['OPTIONS sip:[2001:db8::1 SIP/2.0', ...OPTIONS.slice(1)]));
    expect(messages(bad, 'error')).toEqual(['Request-URI: unterminated IPv6 reference in URI host']);
  });
});

describe('bodies and framing', () => {
  it('datagram: the body is Content-Length bytes; extra octets are a note, missing ones an error', () => {
    const body = 'v=0\r\n';
    const ok = parse(sip([...OPTIONS.slice(0, 7), 'Content-Type: application/sdp', `Content-Length: ${body.length}`], body));
    expect(ok.body.end - ok.body.start).toBe(5);
    expect(messages(ok, 'error')).toEqual([]);
    const extra = parse(sip([...OPTIONS.slice(0, 7), 'Content-Length: 2'], 'abcd'));
    expect(extra.body.end - extra.body.start).toBe(2);
    expect(messages(extra)).toEqual(['2 octets after the 2-byte body (Content-Length) ignored (RFC 3261 §18.3, RFC 4475 §3.1.1.8)']);
    const short = parse(sip([...OPTIONS.slice(0, 7), 'Content-Length: 10'], 'abcd'));
    expect(short.diagnostics[0]).toMatchObject({ kind: 'malformed', message: 'Content-Length 10 exceeds the 4 body bytes present (RFC 3261 §18.3)' });
    const cut = parse(sip([...OPTIONS.slice(0, 7), 'Content-Length: 10'], 'abcd'), { truncated: true });
    expect(cut.diagnostics[0].kind).toBe('truncated');
  });

  it('stream: frames by Content-Length and reports where the next message starts', () => {
    const a = sip([...OPTIONS.slice(0, 7), 'Content-Length: 3'], 'abc');
    const b = sip(OPTIONS);
    const both = new Uint8Array([...a, 13, 10, ...b]);
    const first = parseSip(both, 0, both.length, { stream: true });
    expect(first.end).toBe(a.length);
    expect(ascii(both, first.body.start, first.body.end)).toBe('abc');
    expect(first.diagnostics).toEqual([]);
    const second = parseSip(both, first.end, both.length, { stream: true });
    expect(second.start).toBe(a.length + 2); // the CRLF keep-alive between them is skipped
    expect(second.end).toBe(both.length);
    expect(second.diagnostics).toEqual([]);
    expect(sipFrameLength(both, 0, both.length)).toBe(a.length);
    expect(sipFrameLength(both, a.length, both.length)).toBe(b.length + 2);
  });

  it('sipFrameLength: -1 until the header section and the body are complete', () => {
    const a = sip([...OPTIONS.slice(0, 7), 'l: 3'], 'abc');
    for (let cut = 0; cut < a.length; cut++) expect(sipFrameLength(a, 0, cut), `cut at ${cut}`).toBe(-1);
    expect(sipFrameLength(a, 0, a.length)).toBe(a.length);
    const noLength = sip(OPTIONS.slice(0, 7));
    expect(sipFrameLength(noLength, 0, noLength.length)).toBe(noLength.length);
  });

  it('stream: a missing Content-Length is an error, a short body is truncated (more bytes may come)', () => {
    const noLength = parse(sip(OPTIONS.slice(0, 7)), { stream: true });
    expect(messages(noLength)).toEqual(['no Content-Length on a stream transport, where it is mandatory (RFC 3261 §18.3): assuming 0']);
    const short = parse(sip([...OPTIONS.slice(0, 7), 'Content-Length: 10'], 'abc'), { stream: true });
    expect(short.diagnostics).toMatchObject([{ kind: 'truncated', message: 'Content-Length 10 but only 3 body bytes are available' }]);
    const headless = parse(enc.encode(OPTIONS.join('\r\n')), { stream: true });
    expect(headless.diagnostics).toMatchObject([{ kind: 'truncated' }]);
    const headlessDatagram = parse(enc.encode(OPTIONS.join('\r\n')));
    expect(headlessDatagram.diagnostics).toMatchObject([{ kind: 'malformed', message: expect.stringMatching(/no terminating empty line/) }]);
  });

  it('accepts bare LF line ends with a note', () => {
    const m = parse(enc.encode(OPTIONS.join('\n') + '\n\n'));
    expect(m.callId).toBe('c1@192.0.2.1');
    expect(messages(m)).toEqual(['lines end in LF without CR (RFC 3261 §7 requires CRLF)']);
  });

  it('parses a message that sits inside a larger buffer (offsets relative to the buffer)', () => {
    const inner = sip(OPTIONS);
    const buffer = new Uint8Array(inner.length + 20);
    buffer.set(inner, 10);
    const m = parseSip(buffer, 10, 10 + inner.length);
    expect(m.start).toBe(10);
    expect(m.end).toBe(10 + inner.length);
    expect(ascii(buffer, m.headers[0].start, m.headers[0].end)).toBe(OPTIONS[1]);
    expect(messages(m)).toEqual([]);
  });
});

describe('non-ASCII text', () => {
  it('decodes UTF-8 display names and reason phrases, with byte offsets still exact', () => {
    const b = sip([
      'SIP/2.0 486 Занято',
      'Via: SIP/2.0/UDP 192.0.2.1;branch=z9hG4bK-u',
      'From: "Jürgen Müller" <sip:juergen@example.de>;tag=ü',
      'To: "山田" <sip:yamada@example.jp>;tag=2',
      'Call-ID: utf8@x',
      'CSeq: 1 INVITE',
      'Content-Length: 0',
    ]);
    const m = parse(b);
    expect(m.reason).toBe('Занято');
    expect(m.from?.displayName).toBe('Jürgen Müller');
    expect(m.from?.tag).toBe('ü');
    expect(m.to?.displayName).toBe('山田');
    const to = m.header('To')!;
    expect(new TextDecoder().decode(b.subarray(to.valueStart, to.valueEnd))).toBe(to.value);
    expect(messages(m)).toEqual([]);
  });
});

describe('IMS', () => {
  it('REGISTER with IMS AKA authorization and sec-agree (TS 24.229 §5.1.1)', () => {
    const m = parse(
      sip([
        'REGISTER sip:ims.mnc001.mcc001.3gppnetwork.org SIP/2.0',
        'Via: SIP/2.0/UDP [2001:db8:1::5]:5060;branch=z9hG4bK-reg1;rport',
        'Max-Forwards: 70',
        'From: <sip:001010000000001@ims.mnc001.mcc001.3gppnetwork.org>;tag=r1',
        'To: <sip:001010000000001@ims.mnc001.mcc001.3gppnetwork.org>',
        'Call-ID: reg1@2001:db8:1::5',
        'CSeq: 1 REGISTER',
        'Contact: <sip:001010000000001@[2001:db8:1::5]:5060>;+sip.instance="<urn:gsma:imei:35209900-176148-0>";+g.3gpp.accesstype="cellular2";audio;+g.3gpp.icsi-ref="urn%3Aurn-7%3A3gpp-service.ims.icsi.mmtel";expires=600000',
        'Authorization: Digest uri="sip:ims.mnc001.mcc001.3gppnetwork.org",username="001010000000001@ims.mnc001.mcc001.3gppnetwork.org",response="",realm="ims.mnc001.mcc001.3gppnetwork.org",nonce=""',
        'Security-Client: ipsec-3gpp;prot=esp;mod=trans;spi-c=1111;spi-s=2222;port-c=5062;port-s=5063;alg=hmac-sha-1-96;ealg=null, ipsec-3gpp;prot=esp;mod=trans;spi-c=1111;spi-s=2222;port-c=5062;port-s=5063;alg=hmac-md5-96;ealg=null',
        'Require: sec-agree',
        'Proxy-Require: sec-agree',
        'Supported: path,gruu,sec-agree',
        'P-Access-Network-Info: 3GPP-E-UTRAN-FDD;utran-cell-id-3gpp=0010100010019B01',
        'P-Visited-Network-ID: "Visited Network Number 1"',
        'Expires: 600000',
        'Content-Length: 0',
      ]),
    );
    expect(messages(m)).toEqual([]);
    expect(m.vias[0]).toMatchObject({ hostType: 'ipv6', rport: true });
    expect(m.expires).toBe(600000);
    const contact = m.contacts[0];
    expect(contact.params.map((p) => p.name)).toEqual(['+sip.instance', '+g.3gpp.accesstype', 'audio', '+g.3gpp.icsi-ref', 'expires']);
    expect(contact.params[0].value).toBe('"<urn:gsma:imei:35209900-176148-0>"');
    expect(m.header('Authorization')?.values).toHaveLength(1);
    expect(m.header('Security-Client')?.values).toHaveLength(2);
    expect(m.header('P-Access-Network-Info')?.value).toBe('3GPP-E-UTRAN-FDD;utran-cell-id-3gpp=0010100010019B01');
  });

  it('MO INVITE to a tel URI with phone-context, P-headers, and an SDP + resource-lists multipart body', () => {
    const sdp = ['v=0', 'o=- 1 1 IN IP6 2001:db8:1::5', 's=-', 'c=IN IP6 2001:db8:1::5', 't=0 0', 'm=audio 4000 RTP/AVP 116', 'a=rtpmap:116 AMR-WB/16000/1', ''].join('\r\n');
    const rl = '<?xml version="1.0"?>\r\n<resource-lists xmlns="urn:ietf:params:xml:ns:resource-lists"><list><entry uri="tel:+15551111"/></list></resource-lists>';
    const body = `--b1\r\nContent-Type: application/sdp\r\n\r\n${sdp}\r\n--b1\r\nContent-Type: application/resource-lists+xml\r\nContent-Disposition: recipient-list\r\n\r\n${rl}\r\n--b1--\r\n`;
    const m = parse(
      sip(
        [
          'INVITE tel:+15552222;phone-context=ims.mnc001.mcc001.3gppnetwork.org SIP/2.0',
          'Via: SIP/2.0/TCP 10.1.1.1:5062;branch=z9hG4bK-ims1',
          'Max-Forwards: 70',
          'Route: <sip:[2001:db8::99]:5063;lr>',
          'From: <sip:+15551111@ims.mnc001.mcc001.3gppnetwork.org>;tag=ims1',
          'To: <tel:+15552222;phone-context=ims.mnc001.mcc001.3gppnetwork.org>',
          'Call-ID: ims-call-1',
          'CSeq: 1 INVITE',
          'Contact: <sip:+15551111@10.1.1.1:5062;transport=tcp>;+g.3gpp.icsi-ref="urn%3Aurn-7%3A3gpp-service.ims.icsi.mmtel"',
          'P-Preferred-Identity: <sip:+15551111@ims.mnc001.mcc001.3gppnetwork.org>',
          'P-Asserted-Identity: <sip:+15551111@ims.mnc001.mcc001.3gppnetwork.org>, <tel:+15551111>',
          'P-Charging-Vector: icid-value="AyretyU0dm+6O2IrT5tAFrbHLso=";orig-ioi=ims.mnc001.mcc001.3gppnetwork.org',
          'P-Early-Media: supported',
          'Security-Verify: ipsec-3gpp;prot=esp;mod=trans;spi-c=1;spi-s=2;port-c=5062;port-s=5063;alg=hmac-sha-1-96;ealg=null',
          'Session-Expires: 1800;refresher=uac',
          'Min-SE: 90',
          'Content-Type: multipart/mixed;boundary=b1',
          `Content-Length: ${body.length}`,
        ],
        body,
      ),
      { body: 'eager' },
    );
    expect(messages(m)).toEqual([]);
    expect(m.parsedRequestUri).toMatchObject({ scheme: 'tel', user: '+15552222', params: [{ name: 'phone-context', value: 'ims.mnc001.mcc001.3gppnetwork.org' }] });
    expect(m.to?.parsedUri).toMatchObject({ scheme: 'tel', user: '+15552222' });
    expect(m.header('P-Asserted-Identity')?.values).toEqual(['<sip:+15551111@ims.mnc001.mcc001.3gppnetwork.org>', '<tel:+15551111>']);
    const parts = m.multipart!;
    expect(parts.map((p) => p.contentType)).toEqual(['application/sdp', 'application/resource-lists+xml']);
    expect(parts[1].headers[1]).toEqual({ name: 'Content-Disposition', value: 'recipient-list' });
    expect(ascii(m.bytes, parts[1].bodyStart, parts[1].bodyEnd)).toBe(rl);
    expect(m.sdp?.media[0].rtpmaps[0]).toEqual({ payloadType: 116, encoding: 'AMR-WB', clockRate: 16000, channels: 1 });
    expect(m.sdp?.connection?.address).toBe('2001:db8:1::5');
  });

  it('flags a local tel number without phone-context (RFC 3966 §5.1.5)', () => {
    const m = parse(sip(['INVITE tel:5551234 SIP/2.0', ...OPTIONS.slice(1, 6), 'CSeq: 1 INVITE', 'Content-Length: 0']));
    expect(messages(m, 'error')).toEqual(['Request-URI: local tel number without phone-context (RFC 3966 §5.1.5)']);
  });
});

describe('robustness', () => {
  it('never throws on empty or degenerate input', () => {
    for (const s of ['', '\r\n', '\r\n\r\n', 'SIP/2.0', 'INVITE', ':', '\0\0\0\0', 'SIP/2.0 200 OK\r\n', 'A sip:b SIP/2.0\r\n:\r\n\r\n']) {
      const b = enc.encode(s);
      const m = parseSip(b, 0, b.length);
      expect(m.diagnostics.length, JSON.stringify(s)).toBeGreaterThan(0);
      expect(m.diagnostics.some((d) => d.kind === 'decoder-bug')).toBe(false);
    }
    const b = enc.encode('OPTIONS sip:x SIP/2.0\r\n\r\n');
    expect(() => parseSip(b, -5, 10_000)).not.toThrow();
    expect(() => parseSip(b, 30, 10)).not.toThrow();
  });

  it('serialises to JSON without the raw buffer', () => {
    const m = parse(sip(OPTIONS));
    const json = JSON.parse(JSON.stringify(m));
    expect(json.callId).toBe('c1@192.0.2.1');
    expect(json.headers[0]).toMatchObject({ name: 'Via', canonical: 'Via' });
    expect(json.bytes).toBeUndefined();
  });
});
