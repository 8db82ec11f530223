/**
 * The RFC 4475 SIP torture test messages (../shared/captures/rfc4475, bit-exact from RFC 4475 Appendix A).
 * Valid messages (§3.1.1) must parse without an error diagnostic and give the right fields; invalid ones
 * (§3.1.2) must carry an error that names the actual problem; the semantic groups (§3.2-3.4) parse and get the
 * notes/errors a protocol analyser should raise.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Diagnostic } from '../../../src/core/diagnostics.js';
import { parseSip } from '../../../src/core/sip/parser.js';
import type { SipMessage } from '../../../src/core/sip/types.js';
import { unescapeUri } from '../../../src/core/sip/uri.js';
import { haveSharedCaptures, sharedCaptures } from '../../helpers/paths.js';

const dir = join(sharedCaptures, 'rfc4475');

function load(name: string): Uint8Array {
  return new Uint8Array(readFileSync(join(dir, name)));
}

function parse(name: string): SipMessage {
  const bytes = load(name);
  return parseSip(bytes, 0, bytes.length);
}

const errors = (m: SipMessage): Diagnostic[] => m.diagnostics.filter((d) => d.severity === 'error');
const notes = (m: SipMessage): Diagnostic[] => m.diagnostics.filter((d) => d.severity === 'note');
const text = (ds: Diagnostic[]): string => ds.map((d) => d.message).join('\n');
/** Some diagnostic's message matches `pattern` (anchors apply to each message). */
function expectOne(ds: Diagnostic[], pattern: RegExp): void {
  expect(ds.map((d) => d.message)).toEqual(expect.arrayContaining([expect.stringMatching(pattern)]));
}
const header = (m: SipMessage, name: string): string | undefined => m.header(name)?.value;

interface Case {
  file: string;
  section: string;
  /** valid: no error diagnostic; invalid: an error matching every pattern; semantic: see `check`. */
  kind: 'valid' | 'invalid' | 'semantic';
  errors?: RegExp[];
  notes?: RegExp[];
  check?: (m: SipMessage) => void;
}

const cases: Case[] = [
  // ---- 3.1.1 valid messages ----------------------------------------------------------------------------
  {
    file: 'wsinv.dat',
    section: '3.1.1.1',
    kind: 'valid',
    notes: [/branch '390skdjuw' lacks the z9hG4bK magic cookie/],
    check: (m) => {
      expect(m.method).toBe('INVITE');
      expect(m.requestUri).toBe('sip:vivekg@chair-dnrc.example.com;unknownparam');
      expect(m.parsedRequestUri?.params).toEqual([{ name: 'unknownparam', value: undefined }]);
      expect(m.callId).toBe('wsinv.ndaksdj@192.0.2.1');
      expect(m.cseq).toMatchObject({ seq: 9, method: 'INVITE' }); // "0009\r\n  INVITE"
      expect(m.maxForwards).toBe(68); // "MaX-fOrWaRdS: 0068"
      expect(m.contentLength).toBe(150);
      expect(m.to).toMatchObject({ uri: 'sip:vivekg@chair-dnrc.example.com', tag: '1918181833n', bracketed: false });
      expect(m.from).toMatchObject({ displayName: 'J Rosenberg \\"', uri: 'sip:jdrosen@example.com', tag: '98asjd8' });
      // Via over three folded lines, then a compact v: with two via-parms, with LWS around every '/'.
      expect(m.vias.map((v) => [v.transport, v.host, v.branch])).toEqual([
        ['UDP', '192.0.2.2', '390skdjuw'],
        ['TCP', 'spindle.example.com', 'z9hG4bK9ikj8'],
        ['UDP', '192.168.255.111', 'z9hG4bK30239'],
      ]);
      expect(m.contacts).toHaveLength(1);
      expect(m.contacts[0]).toMatchObject({ displayName: 'Quoted string ""', uri: 'sip:jdrosen@example.com' });
      expect(m.contacts[0].params).toEqual([
        { name: 'newparam', value: 'newvalue' },
        { name: 'secondparam', value: undefined },
        { name: 'q', value: '0.33' },
      ]);
      expect(header(m, 'Subject')).toBe(''); // "s :" with an empty value
      expect(header(m, 'NewFangledHeader')).toBe('newfangled value continued newfangled value');
      expect(header(m, 'UnknownHeaderWithUnusualValue')).toBe(';;,,;;,;');
      expect(m.header('Route')?.value).toBe('<sip:services.example.com;lr;unknownwith=value;unknown-no-value>');
      expect(m.sdp?.media.map((x) => x.type)).toEqual(['audio', 'video']);
    },
  },
  {
    file: 'intmeth.dat',
    section: '3.1.1.2',
    kind: 'valid',
    check: (m) => {
      const method = "!interesting-Method0123456789_*+`.%indeed'~";
      expect(m.method).toBe(method);
      expect(m.cseq).toMatchObject({ seq: 139122385, method });
      const uri = m.parsedRequestUri!;
      expect(uri.user).toBe("1_unusual.URI~(to-be!sure)&isn't+it$/crazy?,/;;*");
      expect(uri.password).toBe("&it+has=1,weird!*pas$wo~d_too.(doesn't-it)");
      expect(uri.host).toBe('example.com');
      expect(m.to?.displayName).toBe('BEL:\x07 NUL:\x00 DEL:\x7f'); // quoted-pairs resolved
      expect(m.to?.parsedUri.user).toBe("1_unusual.URI~(to-be!sure)&isn't+it$/crazy?,/;;*");
      expect(m.from?.displayName).toBe("token1~` token2'+_ token3*%!.-");
      expect(m.from?.tag).toBe("_token~1'+`*%!-.");
      expect(m.from?.params[0]).toEqual({ name: "fromParam''~+*_!.-%", value: '"работающий"' });
      expect(m.callId).toBe('intmeth.word%ZK-!.*_+\'@word`~)(><:\\/"][?}{');
      expect(m.maxForwards).toBe(255);
      expect(header(m, "extensionHeader-!.%*+_`'~")).toBe('\u{FEFF}大停電'); // UTF-8 value
      expect(m.vias[0].branch).toBe("z9hG4bK-.!%66*_+`'~");
    },
  },
  {
    file: 'esc01.dat',
    section: '3.1.1.3',
    kind: 'valid',
    check: (m) => {
      expect(m.requestUri).toBe('sip:sips%3Auser%40example.com@example.net');
      expect(m.parsedRequestUri?.user).toBe('sips%3Auser%40example.com');
      expect(unescapeUri(m.parsedRequestUri!.user!)).toBe('sips:user@example.com');
      expect(m.parsedRequestUri?.host).toBe('example.net');
      expect(unescapeUri(m.to!.parsedUri.user!)).toBe('user');
      expect(unescapeUri(m.from!.parsedUri.user!)).toBe('I have spaces');
      expect(m.callId).toBe('esc01.239409asdfakjkn23onasd0-3234'); // compact "i:"
      expect(m.contentType).toBe('application/sdp'); // compact "C:"
      // Contact value starts on a continuation line; escaped parameter names.
      expect(m.contacts[0].uri).toBe('sip:cal%6Cer@host5.example.net;%6C%72;n%61me=v%61lue%25%34%31');
      expect(m.contacts[0].parsedUri.params).toEqual([
        { name: '%6C%72', value: undefined },
        { name: 'n%61me', value: 'v%61lue%25%34%31' },
      ]);
      expect(unescapeUri('v%61lue%25%34%31')).toBe('value%41');
    },
  },
  {
    file: 'escnull.dat',
    section: '3.1.1.4',
    kind: 'valid',
    check: (m) => {
      expect(m.to?.parsedUri.user).toBe('null-%00-null');
      expect(unescapeUri(m.to!.parsedUri.user!)).toBe('null-\x00-null');
      expect(m.contacts.map((c) => c.parsedUri.user)).toEqual(['%00', '%00%00']);
      expect(m.contentLength).toBe(0); // "L:0"
    },
  },
  {
    file: 'esc02.dat',
    section: '3.1.1.5',
    kind: 'valid',
    check: (m) => {
      expect(m.method).toBe('RE%47IST%45R'); // '%' is a token character: not REGISTER
      expect(m.cseq?.method).toBe('RE%47IST%45R');
      expect(m.to?.displayName).toBe('%Z%45');
      expect(m.vias[0].branch).toBe('z9hG4bK209%fzsnel234');
      // "C%6Fntact" is an unknown header, not Contact.
      expect(m.contacts.map((c) => c.uri)).toEqual(['sip:alias1@host1.example.com', 'sip:alias3@host3.example.com']);
      expect(header(m, 'C%6Fntact')).toBe('<sip:alias2@host2.example.com>');
    },
  },
  {
    file: 'lwsdisp.dat',
    section: '3.1.1.6',
    kind: 'valid',
    check: (m) => expect(m.from).toMatchObject({ displayName: 'caller', uri: 'sip:caller@example.com', tag: '323' }),
  },
  {
    file: 'longreq.dat',
    section: '3.1.1.7',
    kind: 'valid',
    notes: [/no branch parameter/],
    check: (m) => {
      expect(m.to?.displayName).toBe(
        'I have a user name of extremeextremeextremeextremeextremeextremeextremeextremeextremeextreme proportion',
      );
      expect(m.to?.parsedUri.port).toBe(6000);
      expect(m.to?.parsedUri.params.map((p) => p.name)).toEqual([
        'unknownparam1',
        'longparamnamenamenamenamenamenamenamenamenamenamenamenamenamenamenamenamenamenamenamenamenamenamenamenamename',
        'verylonglonglonglonglonglonglonglonglonglonglonglonglonglonglonglonglonglonglonglonglonglonglonglonglongParameterNameWithNoValue',
      ]);
      expect(m.from?.tag).toBe('12982982982982982982982982982982982982982982982982982982982982982982982982982982982982982982982982982982982982982982982982982982982982982982982982982982424');
      expect(m.from?.params).toHaveLength(3);
      expect(m.callId).toMatch(/^longreq\.one(really){20}longcallid$/);
      expect(m.cseq).toMatchObject({ seq: 3882340, method: 'INVITE' });
      // 34 via-parms over headers named Via, v, V, ViA, VIa, "V :", "v  :", "Via  :" ...
      expect(m.vias).toHaveLength(34);
      expect(m.vias[0].host).toBe('sip33.example.com');
      expect(m.vias[33]).toMatchObject({ host: 'host.example.com', received: '192.0.2.5' });
      expect(m.vias[33].branch).toMatch(/^verylong(long)+branchvalue$/);
      expect(m.contentLength).toBe(150); // "l: 150"
      expect(m.contacts[0].parsedUri.user).toBe('amazinglylongcallername'.repeat(5));
      expect(m.headers.find((h) => h.name.startsWith('Unknown-Long'))?.value).toContain('unknown-longlong');
    },
  },
  {
    file: 'dblreq.dat',
    section: '3.1.1.8',
    kind: 'valid',
    notes: [/450 octets after the 0-byte body .* ignored: they hold another SIP message/],
    check: (m) => {
      expect(m.method).toBe('REGISTER');
      expect(m.callId).toBe('dblreq.0ha0isndaksdj99sdfafnl3lk233412'); // compact "I:"
      expect(m.contentLength).toBe(0);
      expect(m.body.end - m.body.start).toBe(0);
      expect(m.end).toBe(load('dblreq.dat').length); // a datagram: the message ends with it
      expect(m.contacts[0].uri).toBe('sip:j.user@host.example.com');
    },
  },
  {
    file: 'semiuri.dat',
    section: '3.1.1.9',
    kind: 'valid',
    check: (m) => {
      expect(m.parsedRequestUri).toMatchObject({ user: 'user;par=u%40example.net', host: 'example.com' });
      expect(m.parsedRequestUri?.params).toEqual([]);
      // A folded list header splits into its six values.
      expect(m.header('Accept')?.values).toEqual([
        'application/sdp',
        'application/pkcs7-mime',
        'multipart/mixed',
        'multipart/signed',
        'message/sip',
        'message/sipfrag',
      ]);
    },
  },
  {
    file: 'transports.dat',
    section: '3.1.1.10',
    kind: 'valid',
    check: (m) => {
      expect(m.vias.map((v) => v.transport)).toEqual(['UDP', 'SCTP', 'TLS', 'UNKNOWN', 'TCP']);
      expect(m.vias.map((v) => v.host)).toEqual(['t1.example.com', 't2.example.com', 't3.example.com', 't4.example.com', 't5.example.com']);
      expect(m.callId).toBe('transports.kijh4akdnaqjkwendsasfdj');
    },
  },
  {
    file: 'mpart01.dat',
    section: '3.1.1.11',
    kind: 'valid',
    check: (m) => {
      expect(m.method).toBe('MESSAGE');
      expect(m.contentLength).toBe(553);
      expect(m.contentType).toBe('multipart/mixed;boundary=7a9cbec02ceef655');
      expect(m.vias[0].rport).toBe(true);
      expect(header(m, 'Identity')).toMatch(/^r5mwreLuyDRYBi/);
      const parts = m.multipart!;
      expect(parts).toHaveLength(2);
      expect(parts[0].contentType).toBe('text/plain');
      expect(parts[0].headers).toEqual([
        { name: 'Content-Type', value: 'text/plain' },
        { name: 'Content-Transfer-Encoding', value: 'binary' },
      ]);
      expect(new TextDecoder().decode(m.bytes.subarray(parts[0].bodyStart, parts[0].bodyEnd))).toBe('Hello');
      expect(parts[1].contentType).toBe('application/octet-stream');
      // The binary part (a CMS signature, DER) runs to the CRLF before the close delimiter.
      expect(m.bytes[parts[1].bodyStart]).toBe(0x30);
      expect(parts[1].bodyEnd - parts[1].bodyStart).toBe(342);
      expect(m.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
      expect(m.sdp).toBeUndefined();
    },
  },
  {
    file: 'unreason.dat',
    section: '3.1.1.12',
    kind: 'valid',
    check: (m) => {
      expect(m.kind).toBe('response');
      expect(m.statusCode).toBe(200);
      expect(m.reason).toBe('= 2**3 * 5**2 но сто девяносто девять - простое');
      expect(m.to?.tag).toBe('2229');
    },
  },
  {
    file: 'noreason.dat',
    section: '3.1.1.13',
    kind: 'valid',
    check: (m) => {
      expect(m.statusCode).toBe(100);
      expect(m.reason).toBe('');
    },
  },

  // ---- 3.1.2 invalid messages --------------------------------------------------------------------------
  { file: 'badinv01.dat', section: '3.1.2.1', kind: 'invalid', errors: [/^Via: empty parameter/, /^Via: empty via-parm \(stray ','\)/, /^Contact: empty parameter/] },
  { file: 'clerr.dat', section: '3.1.2.2', kind: 'invalid', errors: [/^Content-Length 9999 exceeds the 154 body bytes present/] },
  { file: 'ncl.dat', section: '3.1.2.3', kind: 'invalid', errors: [/^Content-Length '-999' is not a non-negative decimal number/] },
  {
    file: 'scalar02.dat',
    section: '3.1.2.4',
    kind: 'invalid',
    errors: [
      /^CSeq: sequence number 36893488147419103232 exceeds 2\^32-1/,
      /^Max-Forwards 300 exceeds 255/,
      /^Expires value 1(0)+ exceeds 2\^32-1/,
      /^Contact: expires parameter 280297596632815 exceeds 2\^32-1/,
    ],
  },
  {
    file: 'scalarlg.dat',
    section: '3.1.2.5',
    kind: 'invalid',
    errors: [/^CSeq: sequence number 9292394834772304023312 exceeds/, /^Retry-After value 949302838503028349304023988 exceeds/, /^Warning code '1812' is not 3 digits/],
  },
  { file: 'quotbal.dat', section: '3.1.2.6', kind: 'invalid', errors: [/^To: unterminated quoted string in display name/] },
  { file: 'ltgtruri.dat', section: '3.1.2.7', kind: 'invalid', errors: [/^Request-URI is enclosed in < >/] },
  { file: 'lwsruri.dat', section: '3.1.2.8', kind: 'invalid', errors: [/^Request-URI contains whitespace: 'sip:user@example.com; lr'/] },
  {
    file: 'lwsstart.dat',
    section: '3.1.2.9',
    kind: 'invalid',
    errors: [/more than one SP between method and Request-URI/, /more than one SP between Request-URI and SIP version/],
  },
  { file: 'trws.dat', section: '3.1.2.10', kind: 'invalid', errors: [/^request line ends with whitespace after the SIP version/] },
  { file: 'escruri.dat', section: '3.1.2.11', kind: 'invalid', errors: [/^Request-URI contains headers \('\?Route=%3Csip:example.com%3E'\)/] },
  { file: 'baddate.dat', section: '3.1.2.12', kind: 'invalid', errors: [/^Date: time zone must be GMT, found 'EST'/] },
  { file: 'regbadct.dat', section: '3.1.2.13', kind: 'invalid', errors: [/^Contact: a URI containing '\?' must be enclosed in < >/] },
  { file: 'badaspec.dat', section: '3.1.2.14', kind: 'invalid', errors: [/^To: whitespace inside <...> around the URI/] },
  {
    file: 'baddn.dat',
    section: '3.1.2.15',
    kind: 'invalid',
    errors: [/^From: display name contains ','.*quoted string/, /^To: display name contains ','/],
  },
  { file: 'badvers.dat', section: '3.1.2.16', kind: 'invalid', errors: [/^SIP version 'SIP\/7\.0' is not SIP\/2\.0/, /^Via: protocol version SIP\/7\.0 is not SIP\/2\.0/] },
  { file: 'mismatch01.dat', section: '3.1.2.17', kind: 'invalid', errors: [/^CSeq method INVITE does not match the request method OPTIONS/] },
  { file: 'mismatch02.dat', section: '3.1.2.18', kind: 'invalid', errors: [/^CSeq method INVITE does not match the request method NEWMETHOD/] },
  { file: 'bigcode.dat', section: '3.1.2.19', kind: 'invalid', errors: [/^status code '4294967301' is not a 3-digit number/] },

  // ---- 3.2-3.4 semantics: syntactically valid; what an analyser should point out --------------------------
  {
    file: 'badbranch.dat',
    section: '3.2.1',
    kind: 'semantic',
    notes: [/^Via: branch is only the magic cookie z9hG4bK: no transaction identifier/],
    check: (m) => expect(m.vias[0].branch).toBe('z9hG4bK'),
  },
  {
    file: 'insuf.dat',
    section: '3.3.1',
    kind: 'semantic',
    errors: [/^missing mandatory headers: To, From, Call-ID /],
    notes: [/no Max-Forwards header/],
    check: (m) => expect(m.cseq).toMatchObject({ seq: 193942, method: 'INVITE' }),
  },
  {
    file: 'unkscm.dat',
    section: '3.3.2',
    kind: 'semantic',
    notes: [/Request-URI scheme 'nobodyknowsthisscheme' is not sip, sips or tel/],
    check: (m) => expect(m.parsedRequestUri).toMatchObject({ scheme: 'nobodyknowsthisscheme', opaque: 'totallyopaquecontent' }),
  },
  {
    file: 'novelsc.dat',
    section: '3.3.3',
    kind: 'semantic',
    notes: [/Request-URI scheme 'soap.beep'/],
    check: (m) => expect(m.parsedRequestUri?.opaque).toBe('//192.0.2.103:3002'),
  },
  {
    file: 'unksm2.dat',
    section: '3.3.4',
    kind: 'semantic',
    notes: [/^To: URI scheme 'isbn'/, /^From: URI scheme 'http'/],
    check: (m) => {
      expect(m.to?.uri).toBe('isbn:2983792873');
      expect(m.from).toMatchObject({ uri: 'http://www.example.com', tag: '3234233' });
      expect(m.contacts[0].parsedUri).toMatchObject({ scheme: 'name', opaque: 'John_Smith' });
    },
  },
  {
    file: 'bext01.dat',
    section: '3.3.5',
    kind: 'semantic',
    check: (m) => {
      expect(m.header('Require')?.values).toEqual(['nothingSupportsThis', 'nothingSupportsThisEither']);
      expect(m.header('Proxy-Require')?.values).toEqual(['noProxiesSupportThis', 'norDoAnyProxiesSupportThis']);
    },
  },
  {
    file: 'invut.dat',
    section: '3.3.6',
    kind: 'semantic',
    check: (m) => {
      expect(m.contentType).toBe('application/unknownformat');
      expect(m.sdp).toBeUndefined();
      expect(m.body.end - m.body.start).toBe(40);
    },
  },
  {
    file: 'regaut01.dat',
    section: '3.3.7',
    kind: 'semantic',
    // Authorization contains commas by grammar and is never split.
    check: (m) => expect(m.header('Authorization')?.values).toEqual(['NoOneKnowsThisScheme opaque-data=here']),
  },
  {
    file: 'multi01.dat',
    section: '3.3.8',
    kind: 'semantic',
    errors: [/^2 From headers/, /^2 To headers/, /^2 Call-ID headers/, /^2 CSeq headers/, /^2 Max-Forwards headers/],
    check: (m) => {
      expect(m.callId).toBe('multi01.98asdh@192.0.2.1'); // the first one
      expect(m.cseq?.seq).toBe(5);
      expect(m.contacts).toHaveLength(2);
    },
  },
  {
    file: 'mcl01.dat',
    section: '3.3.9',
    kind: 'semantic',
    errors: [/^2 Content-Length headers with different values: the body length is ambiguous/],
  },
  {
    file: 'bcast.dat',
    section: '3.3.10',
    kind: 'semantic',
    notes: [/^Via: sent-by is the broadcast address 255.255.255.255/],
    check: (m) => expect(m.vias[1]).toMatchObject({ host: '255.255.255.255', hostType: 'ipv4' }),
  },
  {
    file: 'zeromf.dat',
    section: '3.3.11',
    kind: 'semantic',
    notes: [/^Max-Forwards is 0/],
    check: (m) => expect(m.maxForwards).toBe(0),
  },
  {
    file: 'cparam01.dat',
    section: '3.3.12',
    kind: 'semantic',
    // Not enclosed in < >: ;unknownparam is a Contact parameter, not a URI parameter.
    check: (m) => {
      expect(m.contacts[0].params).toEqual([{ name: 'unknownparam', value: undefined }]);
      expect(m.contacts[0].parsedUri.params).toEqual([]);
    },
  },
  {
    file: 'cparam02.dat',
    section: '3.3.13',
    kind: 'semantic',
    check: (m) => {
      expect(m.contacts[0].params).toEqual([]);
      expect(m.contacts[0].parsedUri.params).toEqual([{ name: 'unknownparam', value: undefined }]);
    },
  },
  {
    file: 'regescrt.dat',
    section: '3.3.14',
    kind: 'semantic',
    check: (m) => expect(m.contacts[0].parsedUri.headers).toEqual([{ name: 'Route', value: '%3Csip:sip.example.com%3E' }]),
  },
  { file: 'sdp01.dat', section: '3.3.15', kind: 'semantic', check: (m) => expect(header(m, 'Accept')).toBe('text/nobodyKnowsThis') },
  {
    file: 'inv2543.dat',
    section: '3.4.1',
    kind: 'semantic',
    notes: [/^Via: no branch parameter: RFC 2543-style/, /no Max-Forwards header/],
    check: (m) => {
      expect(errors(m)).toEqual([]);
      expect(m.to).toMatchObject({ uri: 'sip:+16505552222@ss1.example.net', params: [{ name: 'user', value: 'phone' }] });
      expect(m.contentLength).toBeUndefined();
      expect(m.body.end - m.body.start).toBe(m.bytes.length - m.bodyStart); // UDP: body runs to the datagram end
    },
  },
  {
    file: 'test.dat',
    section: '—',
    kind: 'semantic',
    errors: [/^header line without ':': 'Foobar roobar'/, /^request line has no SIP version/, /^To: URI 'alan@jasomi.com' has no scheme/],
    check: (m) => {
      expect(m.method).toBe('INVITE');
      expect(m.maxForwards).toBe(68);
      expect(m.contentLength).toBe(18);
    },
  },
];

describe.skipIf(!haveSharedCaptures)('RFC 4475 torture tests', () => {
  it('covers all 50 archive members', () => {
    expect(new Set(cases.map((c) => c.file)).size).toBe(50);
  });

  it.each(cases)('$section $file ($kind)', (c) => {
    const m = parse(c.file);
    if (c.kind === 'valid') expect(text(errors(m))).toBe('');
    if (c.kind === 'invalid') expect(errors(m).length).toBeGreaterThan(0);
    for (const pattern of c.errors ?? []) expectOne(errors(m), pattern);
    for (const pattern of c.notes ?? []) expectOne(notes(m), pattern);
    for (const d of m.diagnostics) {
      expect(d.layer === 'sip' || d.layer === 'sdp').toBe(true);
      expect(d.kind).not.toBe('decoder-bug');
      if (d.offset !== undefined) expect(d.offset).toBeGreaterThanOrEqual(0);
      if (d.offset !== undefined) expect(d.offset).toBeLessThanOrEqual(m.bytes.length);
    }
    c.check?.(m);
  });

  it('points diagnostics at the offending bytes', () => {
    const bytes = load('clerr.dat');
    const m = parseSip(bytes, 0, bytes.length);
    expect(m.diagnostics[0].offset).toBe(m.bodyStart);
    const q = load('quotbal.dat');
    const d = errors(parseSip(q, 0, q.length))[0];
    expect(new TextDecoder().decode(q.subarray(d.offset!, d.offset! + 5))).toBe('"Mr. ');
    const b = load('baddn.dat');
    const dn = errors(parseSip(b, 0, b.length))[0];
    expect(String.fromCharCode(b[dn.offset!])).toBe(',');
  });
});
