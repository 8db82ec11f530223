/**
 * Differential test of the SIP and SDP display-filter fields read from message bytes (src/core/sip/fields.ts,
 * src/core/sdp/fields.ts) against tshark 4.0: for every shared capture, every frame carrying one SIP message
 * over UDP, and every declared field, `extract` over the UDP payload must give exactly what
 * `tshark -T fields -e FIELD -E occurrence=a` prints for that frame.
 *
 * Frames are compared only where both tools see the same bytes: plain UDP datagrams (not IP fragments, not
 * TCP or WebSocket segments, where the message spans frames), with the UDP length equal to the payload we
 * read. The per-field agreement counts are printed (`SIPSCOPE_FIELD_REPORT=1` prints every difference,
 * `SIPSCOPE_KEEP=1` keeps the pcaps written for tshark, `SIPSCOPE_FIELD_SEED` and
 * `SIPSCOPE_FIELD_PER_CAPTURE` vary the mutated messages).
 *
 * Known limit (documented in src/core/sip/fields.ts): Wireshark loses every header after one whose
 * dissection throws; we reproduce the causes seen (CSeq without method, auth scheme without a blank,
 * Via be-route) and otherwise stop only within the header being read. Seeds 1-16 of the mutation test
 * (400 messages per capture) all agree.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { FieldValue, MessageFieldDeclaration } from '../../src/core/filter/field.js';
import { dissectPacket } from '../../src/core/layers/dissect.js';
import { PacketDecodeState, Transport } from '../../src/core/layers/packet.js';
import { sdpMessageFields } from '../../src/core/sdp/fields.js';
import { sipMessageFields } from '../../src/core/sip/fields.js';
import { openCaptureFile } from '../../src/node/capture-file.js';
import { framesToPcap } from '../helpers/fragments.js';
import { ethernet, ipv4, udp } from '../helpers/packet-builder.js';
import { haveSharedCaptures, sharedCaptures } from '../helpers/paths.js';
import { seededRandom } from '../helpers/random.js';
import { haveTshark } from '../helpers/tshark.js';

/** Not captures we read (a NetMon file; see tshark-differential.test.ts). */
const notACapture = new Set(['sipnab_c07-sip-r2.cap']);

/**
 * Where sipscope's value knowingly differs from tshark's, per field: the frames (capture → frame numbers)
 * and why. Empty when we agree everywhere.
 */
const knownDifferences: Record<string, { frames: Record<string, number[]>; why: string }> = {
  'sip.msg_body': {
    frames: {},
    why: 'FT_NONE in Wireshark: tshark prints no value; ours is the body text (compared as presence only)',
  },
};

/** A character tshark never prints inside a value: joins the occurrences of a field. */
const AGGREGATOR = '\u001f';

/** How `tshark -T fields` prints a value: BS, FF, LF, CR and TAB as C escapes (tshark 4.0), other bytes as they are. */
const ESCAPES: Record<string, string> = { '\b': '\\b', '\f': '\\f', '\n': '\\n', '\r': '\\r', '\t': '\\t' };
function printed(value: FieldValue): string {
  return String(value).replace(/[\b\f\n\r\t]/g, (c) => ESCAPES[c]);
}

/** The UDP payload of each frame of a capture, by frame number, when the frame carries a whole datagram. */
async function udpPayloads(path: string): Promise<Map<number, Uint8Array>> {
  const out = new Map<number, Uint8Array>();
  const state = new PacketDecodeState();
  await openCaptureFile(path, {
    packet(p) {
      dissectPacket(state, p.linkType, p.data, p.capturedLength);
      if (state.transport !== Transport.UDP) return;
      out.set(p.frame, state.bytes.slice(state.payloadStart, state.payloadEnd));
    },
    diagnostic() {},
  });
  return out;
}

/**
 * Crafted messages for the corners the shared captures miss (compact forms, folding, several occurrences,
 * malformed lines, IMS headers, multipart bodies...), checked against tshark the same way: each goes out as
 * one UDP datagram in a pcap written for the test.
 */
const SDP = 'v=0\r\no=- 1 2 IN IP4 192.0.2.1\r\ns=-\r\nc=IN IP4 192.0.2.1\r\nt=0 0\r\nm=audio 49170 RTP/AVP 0 8 97 101\r\nb=AS:41\r\na=rtpmap:97 AMR-WB/16000/1\r\na=fmtp:97 mode-change-capability=2; max-red=0\r\na=rtpmap:101 telephone-event/16000\r\na=curr:qos local none\r\na=curr:qos remote none\r\na=des:qos mandatory local sendrecv\r\na=des:qos optional remote sendrecv\r\na=ptime:20\r\na=maxptime:240\r\na=sendrecv\r\nm=video 0 RTP/AVPF 96\r\na=rtpmap:96 H264/90000\r\n';
function withBody(head: string, body: string): string {
  return head.replace('LENGTH', String(new TextEncoder().encode(body).length)) + body;
}
const craftedMessages: string[] = [
  // Compact forms everywhere, and an SDP body (RFC 3261 §7.3.3).
  withBody('INVITE sip:+491701234567@ims.example.net;user=phone SIP/2.0\r\nv: SIP/2.0/UDP [2001:db8::5]:5060;branch=z9hG4bKc1;rport\r\nf: "Alice \\"A\\" Smith" <sip:alice@ims.example.net>;tag=ft1\r\nt: Bob <tel:+491701234567>\r\ni: compact-1@ims\r\nCSeq: 1 INVITE\r\nm: <sip:alice@[2001:db8::5]:5060;transport=udp>;+sip.instance="<urn:gsma:imei:35-1>";+g.3gpp.icsi-ref="urn%3Aurn-7%3A3gpp-service.ims.icsi.mmtel"\r\nk: 100rel, precondition\r\ns: compact subject\r\nx: 1800;refresher=uac\r\nu: conference\r\na: *;+g.3gpp.icsi-ref="urn%3Aurn-7%3A3gpp-service.ims.icsi.mmtel"\r\nj: *;+sip.automata\r\nd: proxy\r\no: dialog\r\ne: identity\r\nc: application/sdp\r\nl: LENGTH\r\n\r\n', SDP),
  // Folded headers (RFC 3261 §7.3.1), several Via lines and a comma-separated Via, mixed-case names.
  'OPTIONS sip:bob@example.com SIP/2.0\r\nVIA: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bK1, SIP/2.0/TCP 192.0.2.2;branch=z9hG4bK2;received=198.51.100.1\r\nvia: SIP/2.0/UDP 192.0.2.3\r\n  ;branch=z9hG4bK3 ;maddr=224.0.0.1;ttl=16\r\nSubject: first line\r\n\tsecond line\r\n  third line\r\nfrom: <sip:carol@example.com>;tag=abc;x=y\r\nTO: <sip:bob@example.com>\r\ncall-id: fold-1\r\ncseq: 7 OPTIONS\r\nContact: <sip:carol@192.0.2.1>\r\n ;expires=60, <sip:carol@192.0.2.9:5062>;q=0.5\r\nSupported: timer\r\nSupported: replaces\r\nContent-Length: 0\r\n\r\n',
  // Malformed lines: no colon, a blank before the colon, an empty value, trailing blanks; strtoul numbers.
  'REGISTER sip:ims.example.net SIP/2.0\r\nVia: SIP/2.0/UDP 10.1.1.1:5060;branch=z9hG4bKreg;oc=20;oc-algo="loss"\r\nthis line has no colon\r\nVia : SIP/2.0/UDP 10.9.9.9\r\nFrom: <sip:+4917012@ims.example.net>;tag=r1\r\nTo: <sip:+4917012@ims.example.net>\r\nCall-ID: reg-1@10.1.1.1   \r\nCSeq: 2 REGISTER\r\nSubject:\r\nExpires: 0600\r\nMax-Forwards: -1\r\nMax-Breadth: 12abc\r\nRetry-After: 120 (busy)\r\nContact: <sip:+4917012@10.1.1.1:5060>;expires=600000;+sip.instance="<urn:gsma:imei:1>",<sip:x@10.1.1.2>;expires=0\r\nAuthorization: Digest username="user@ims.example.net",realm="ims.example.net",nonce="dGVzdA==",uri="sip:ims.example.net",response="",algorithm=AKAv1-MD5\r\nSecurity-Client: ipsec-3gpp;alg=hmac-sha-1-96;ealg=aes-cbc;spi-c=3929102;spi-s=3929103;port-c=41591;port-s=45011,ipsec-3gpp;alg=hmac-md5-96;ealg=null;spi-c=1;spi-s=2;port-c=3;port-s=4\r\nRequire: sec-agree\r\nProxy-Require: sec-agree\r\nP-Access-Network-Info: 3GPP-E-UTRAN-FDD;utran-cell-id-3gpp=2620300001a2b3c4d\r\nP-Visited-Network-ID: "visited.net"\r\nPath: <sip:term@pcscf.visited.net;lr>\r\nContent-Length: 0\r\n\r\n',
  // A 401 with the AKA challenge and Security-Server; a 200 OK with Service-Route, P-Associated-URI.
  'SIP/2.0 401 Unauthorized\r\nVia: SIP/2.0/UDP 10.1.1.1:5060;branch=z9hG4bKreg;received=10.1.1.1;rport=5060\r\nFrom: <sip:+4917012@ims.example.net>;tag=r1\r\nTo: <sip:+4917012@ims.example.net>;tag=s401\r\nCall-ID: reg-1@10.1.1.1\r\nCSeq: 2 REGISTER\r\nWWW-Authenticate: Digest realm="ims.example.net", nonce="qop+AKA/nonce==", algorithm=AKAv1-MD5, qop="auth,auth-int", opaque="5ccc", ik="00112233445566778899aabbccddeeff", ck="ffeeddccbbaa99887766554433221100"\r\nSecurity-Server: ipsec-3gpp;q=0.1;alg=hmac-sha-1-96;ealg=null;spi-c=5000;spi-s=5001;port-c=5062;port-s=5064\r\nContent-Length: 0\r\n\r\n',
  'SIP/2.0 200 OK\r\nVia: SIP/2.0/UDP 10.1.1.1:5060;branch=z9hG4bKreg2\r\nFrom: <sip:+4917012@ims.example.net>;tag=r1\r\nTo: <sip:+4917012@ims.example.net>;tag=s200\r\nCall-ID: reg-2@10.1.1.1\r\nCSeq: 3 REGISTER\r\nContact: <sip:+4917012@10.1.1.1:5060>;expires=600000\r\nService-Route: <sip:orig@scscf.ims.example.net:6060;lr>\r\nPath: <sip:term@pcscf.ims.example.net;lr>,<sip:term@ibcf.ims.example.net;lr>\r\nP-Associated-URI: <sip:+4917012@ims.example.net>, <tel:+4917012>\r\nAuthentication-Info: nextnonce="abc", qop=auth, rspauth="d1", cnonce="c1", nc=00000001\r\nP-Charging-Function-Addresses: ccf=192.0.2.10; ecf=192.0.2.11\r\nDate: Mon, 24 Nov 2026 08:00:00 GMT\r\nContent-Length: 0\r\n\r\n',
  // An IMS INVITE through a P-CSCF: Route set, P-headers, Record-Route, Reason, Feature-Caps, a multipart body.
  withBody('INVITE sip:bob@ims.example.net SIP/2.0\r\nVia: SIP/2.0/UDP pcscf.ims.example.net:5060;branch=z9hG4bKp1;comp=sigcomp;sigcomp-id="urn:uuid:1"\r\nVia: SIP/2.0/UDP 10.1.1.1:5060;received=10.1.1.1;rport=5060;branch=z9hG4bKue1\r\nMax-Forwards: 69\r\nRoute: <sip:scscf.ims.example.net:6060;lr;orig>, <sip:as.ims.example.net;lr>\r\nRecord-Route: <sip:pcscf.ims.example.net:5060;lr>\r\nFrom: "A" <sip:+4917012@ims.example.net>;tag=i1\r\nTo: <sip:bob@ims.example.net>\r\nCall-ID: ims-invite-1\r\nCSeq: 10 INVITE\r\nContact: <sip:+4917012@10.1.1.1:5060>;+g.3gpp.icsi-ref="urn%3Aurn-7%3A3gpp-service.ims.icsi.mmtel";+sip.instance="<urn:gsma:imei:35-2>"\r\nP-Asserted-Identity: "Alice" <sip:+4917012@ims.example.net>, <tel:+4917012>\r\nP-Asserted-Identity: <sip:alice@ims.example.net>\r\nP-Preferred-Identity: <sip:+4917012@ims.example.net>\r\nP-Charging-Vector: icid-value="AyretyU0dm+6O2IrT5tAFrbHLso=023551024";icid-gen-addr=192.0.2.20;orig-ioi=home1.net\r\nP-Access-Network-Info: 3GPP-E-UTRAN-FDD;utran-cell-id-3gpp=26203000100e2b0a;network-provided\r\nP-Early-Media: supported\r\nP-Called-Party-ID: <sip:bob@ims.example.net>\r\nPrivacy: none\r\nAccept-Contact: *;+g.3gpp.icsi-ref="urn%3Aurn-7%3A3gpp-service.ims.icsi.mmtel"\r\nFeature-Caps: *;+g.3gpp.srvcc;+g.3gpp.mid-call;+g.3gpp.ps2cs-srvcc-orig-pre-alerting\r\nReason: Q.850;cause=16;text="Normal call clearing", SIP;cause=200;text="Call completed elsewhere"\r\nSession-Expires: 1800\r\nMin-SE: 90\r\nAllow: INVITE, ACK, CANCEL, BYE, UPDATE, PRACK, MESSAGE, REFER, NOTIFY, INFO, OPTIONS\r\nUser-Agent: Phone/1.0 (build 7; x)\r\nContent-Type: multipart/mixed;boundary=boundary1\r\nContent-Length: LENGTH\r\n\r\n', '--boundary1\r\nContent-Type: application/sdp\r\n\r\n' + SDP + '\r\n--boundary1\r\nContent-Type: application/pidf+xml\r\nContent-ID: <loc@x>\r\n\r\n<?xml version="1.0"?><presence/>\r\n--boundary1--\r\n'),
  // PRACK with RAck after CSeq; a 183 with RSeq, Require, and an SDP answer with a Content-Type parameter.
  'PRACK sip:alice@10.1.1.1:5060 SIP/2.0\r\nVia: SIP/2.0/UDP 10.2.2.2:5060;branch=z9hG4bKpr\r\nFrom: <sip:bob@ims.example.net>;tag=b1\r\nTo: <sip:alice@ims.example.net>;tag=a1\r\nCall-ID: prack-1\r\nCSeq: 11 PRACK\r\nRAck: 1 10 INVITE\r\nContent-Length: 0\r\n\r\n',
  withBody('SIP/2.0 183 Session Progress\r\nVia: SIP/2.0/UDP 10.1.1.1:5060;branch=z9hG4bKue1\r\nFrom: <sip:+4917012@ims.example.net>;tag=i1\r\nTo: <sip:bob@ims.example.net>;tag=b183\r\nCall-ID: ims-183\r\nCSeq: 10 INVITE\r\nRSeq: 1\r\nRequire: 100rel, precondition\r\nP-Early-Media: sendrecv\r\nContact: <sip:bob@10.2.2.2:5060>\r\nContent-Type: Application/SDP ; charset=utf-8\r\nContent-Length: LENGTH\r\n\r\n', SDP),
  // RAck before any CSeq: Wireshark adds no RAck method (no CSeq subtree yet).
  'PRACK sip:alice@10.1.1.1 SIP/2.0\r\nVia: SIP/2.0/UDP 10.2.2.2;branch=z9hG4bKpr2\r\nRAck: 2 10 INVITE\r\nCall-ID: prack-2\r\nCSeq: 12 PRACK\r\nContent-Length: 0\r\n\r\n',
  // A CSeq without a method ends Wireshark's dissection: the headers after it have no fields.
  'BYE sip:alice@10.1.1.1 SIP/2.0\r\nVia: SIP/2.0/UDP 10.2.2.2;branch=z9hG4bKbye\r\nCall-ID: bye-1\r\nCSeq: 13\r\nFrom: <sip:bob@ims.example.net>;tag=b1\r\nUser-Agent: after-the-cseq\r\nContent-Length: 0\r\n\r\n',
  // A CSeq method longer than 16 characters: also the end, with a second sip.CSeq value.
  'NOTIFY sip:alice@10.1.1.1 SIP/2.0\r\nCall-ID: long-1\r\nCSeq: 14 AVERYVERYLONGMETHODNAME\r\nEvent: reg\r\nContent-Length: 0\r\n\r\n',
  // Bare LF line ends, a tel Request-URI, sips, one-character user and port, URI headers.
  'MESSAGE tel:+491701234567;phone-context=ims.example.net SIP/2.0\nVia: SIP/2.0/TCP h.example.net:5;branch=z9hG4bKlf\nFrom: <sips:a@h.example.net:7>;tag=lf\nTo: sip:b@example.net;tag=t\nCall-ID: lf-1\nCSeq: 1 MESSAGE\nContact: <sip:c@h?subject=x&priority=urgent>\nContent-Type: text/plain\nContent-Length: 5\n\nhello',
  // Content-Length larger than the body, and a wildcard Contact with Expires 0.
  'REGISTER sip:example.com SIP/2.0\r\nVia: SIP/2.0/UDP 192.0.2.4;branch=z9hG4bKstar\r\nFrom: <sip:u@example.com>;tag=s\r\nTo: <sip:u@example.com>\r\nCall-ID: star-1\r\nCSeq: 3 REGISTER\r\nContact: *\r\nExpires: 0\r\nContent-Type: text/plain\r\nContent-Length: 400\r\n\r\nshort body',
  // Content-Length with a trailing blank (ws_strtou32 refuses it: 0, so no body), an unknown method.
  'FOO sip:x@example.com SIP/2.0\r\nVia: SIP/2.0/UDP 192.0.2.5;branch=z9hG4bKfoo\r\nCall-ID: foo-1\r\nCSeq: 1 FOO\r\nContent-Type: text/plain\r\nContent-Length: 4 \r\n\r\nbody',
  // Headers not terminated by an empty line.
  'SIP/2.0 486 Busy Here\r\nVia: SIP/2.0/UDP 192.0.2.6;branch=z9hG4bKbusy\r\nFrom: sip:a@example.com;tag=1\r\nTo: "Bob" <sip:b@example.com>;tag=2\r\nCall-ID: busy-1\r\nCSeq: 1 INVITE\r\nWarning: 399 example.com "Busy"',
  // A Via be-route parameter: Wireshark 4.0 fails an assertion there and shows nothing after that Via.
  'OPTIONS sip:x@example.com SIP/2.0\r\nVia: SIP/2.0/UDP 192.0.2.9;branch=z9hG4bKbe;BE-Route=sip:a@b;received=192.0.2.99\r\nFrom: <sip:a@example.com>;tag=be\r\nCall-ID: be-1\r\nCSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n',
  // Rarer sub-fields: Permission-Missing, Via overload control, port1/port2, SDP k=/r=/z=/i=, unknown lines.
  withBody('UPDATE sip:x@example.com SIP/2.0\r\nVia: SIP/2.0/UDP 192.0.2.8;branch=z9hG4bKrare;oc=50;oc-validity=500;oc-seq=1282321615.781;oc-algo="loss"\r\nFrom: <sip:a@example.com>;tag=r\r\nTo: <sip:x@example.com>;tag=s\r\nCall-ID: rare-1\r\nCSeq: 5 UPDATE\r\nPermission-Missing: "P M" <sip:pm@example.com:5080;x=1>\r\nSecurity-Client: tls;port1=5061;port2=5062;mod=trans\r\nPath: "Edge" <sip:edge@example.com;lr>\r\nContent-Type: application/sdp\r\nContent-Length: LENGTH\r\n\r\n', 'v=0\r\no=- 1 1 IN IP4 192.0.2.8\r\ns=-\r\ni=session info\r\nu=http://example.com/s\r\ne=a@example.com\r\np=+1 555 0100\r\nc=IN IP4 224.2.1.1/127/3\r\nt=2873397496 2873404696\r\nr=604800 3600 0 90000\r\nz=2882844526 -1h 2898848070 0\r\nk=prompt\r\ny=unknown line\r\nm=audio 49170/2 RTP/AVP 0\r\ni=media title\r\na=rtcp:53020\r\n'),
  // Token display names, an addr-spec From with parameters, Route without brackets, History-Info, Diversion.
  'INVITE sip:bob@example.com;transport=udp?x=y SIP/2.0\r\nVia: SIP/2.0/UDP 192.0.2.7:5060;branch=z9hG4bKtok\r\nFrom: Alice  Smith <sip:alice@example.com>;tag=t1;epid=1\r\nTo: sip:bob@example.com;user=phone\r\nCall-ID: tok-1\r\nCSeq: 1 INVITE\r\nRoute: sip:proxy.example.com;lr\r\nRecord-Route: <sip:p1.example.com;lr>,<sip:p2.example.com;lr>\r\nHistory-Info: <sip:bob@example.com>;index=1, <sip:carol@example.com>;index=1.1\r\nDiversion: <sip:bob@example.com>;reason=unconditional\r\nReferred-By: <sip:c@example.com>\r\nRefer-To: <sip:d@example.com>\r\nContent-Length: 0\r\n\r\n',
];

interface Tally {
  compared: number;
  agreed: number;
  differences: string[];
}

const captures = haveSharedCaptures
  ? readdirSync(sharedCaptures)
      .filter((f) => /\.(pcap|pcapng|cap)(\.gz)?$/.test(f) && !notACapture.has(f))
      .sort()
  : [];

/** Ours, not tshark's: compared in the unit tests only. */
const notInWireshark = new Set(['sdp.attribute']);
const fields: MessageFieldDeclaration[] = [...sipMessageFields, ...sdpMessageFields].filter((f) => !notInWireshark.has(f.name));

/** One of six mutations of a message: bit flips, a folded header, header names in other cases, bare LF line ends, a truncation, a duplicated header line. */
function mutate(source: Uint8Array, kind: number, random: () => number): Uint8Array {
  const text = new TextDecoder('latin1').decode(source);
  const lines = text.split('\r\n');
  const headerLines = lines.indexOf('') > 1 ? lines.indexOf('') - 1 : lines.length - 1;
  if (headerLines < 1) return source;
  const pick = () => 1 + Math.floor(random() * headerLines);
  let out: string;
  switch (kind) {
    case 0: {
      const bytes = source.slice();
      for (let k = 0; k < 3; k++) bytes[Math.floor(random() * bytes.length)] ^= 1 << Math.floor(random() * 8);
      return bytes;
    }
    case 1: {
      const i = pick();
      const cut = lines[i].indexOf(';') > 0 ? lines[i].indexOf(';') : lines[i].indexOf(' ', lines[i].indexOf(':') + 2);
      if (cut > 0) lines[i] = `${lines[i].substring(0, cut)}\r\n \t${lines[i].substring(cut)}`;
      out = lines.join('\r\n');
      break;
    }
    case 2: {
      for (let k = 0; k < 4; k++) {
        const i = pick();
        const colon = lines[i].indexOf(':');
        if (colon > 0) lines[i] = (random() < 0.5 ? lines[i].substring(0, colon).toUpperCase() : lines[i].substring(0, colon).toLowerCase()) + lines[i].substring(colon);
      }
      out = lines.join('\r\n');
      break;
    }
    case 3:
      out = lines.join('\n');
      break;
    case 4:
      return source.slice(0, Math.max(1, Math.floor(random() * source.length)));
    default: {
      const i = pick();
      lines.splice(i, 0, lines[i]);
      out = lines.join('\r\n');
    }
  }
  return Uint8Array.from(out, (c) => c.charCodeAt(0));
}

function newTally(): Map<string, Tally> {
  return new Map(fields.map((f) => [f.name, { compared: 0, agreed: 0, differences: [] }]));
}

/**
 * Runs tshark on `path` with every field, and compares each frame that has a payload in `payloads` (a
 * whole UDP datagram with one SIP message) with `extract`. Returns the number of frames compared.
 */
function compareWithTshark(path: string, label: string, payloads: Map<number, Uint8Array>, tally: Map<string, Tally>): number {
  const args = ['-r', path, '-Y', 'sip && udp', '-T', 'fields', '-E', 'occurrence=a', '-E', `aggregator=${AGGREGATOR}`, '-E', 'separator=/t'];
  args.push('-e', 'frame.number', '-e', 'udp.length', '-e', 'sip.Method', '-e', 'sip.Status-Code');
  for (const f of fields) args.push('-e', f.name);
  const output = execFileSync('tshark', args, { maxBuffer: 1 << 30, stdio: ['ignore', 'pipe', 'ignore'] }).toString('utf8');
  let frames = 0;
  for (const row of output.split('\n')) {
    if (!row) continue;
    const columns = row.split('\t');
    const frame = Number(columns[0]);
    const payload = payloads.get(frame);
    // Only one SIP message per frame, and the same datagram on both sides.
    if (!payload || columns[1].includes(AGGREGATOR) || Number(columns[1]) !== payload.length + 8) continue;
    if (columns[2].includes(AGGREGATOR) || columns[3].includes(AGGREGATOR)) continue;
    frames++;
    fields.forEach((field, i) => {
      const expected = columns[4 + i] ?? '';
      const values = field.extract(payload, 0, payload.length);
      const t = tally.get(field.name) as Tally;
      if (expected === '' && values.length === 0) return; // absent on both sides: not a comparison
      t.compared++;
      // FT_NONE (sip.msg_body): tshark prints a placeholder, so only presence is compared.
      const same = field.type === 'none' ? values.length > 0 === (expected !== '') : values.map(printed).join(AGGREGATOR) === expected;
      if (same) t.agreed++;
      else t.differences.push(`${label} frame ${frame}: tshark ${JSON.stringify(expected.split(AGGREGATOR))} sipscope ${JSON.stringify(values)}`);
    });
  }
  return frames;
}

/** The differences not listed in knownDifferences. */
function unexplained(tally: Map<string, Tally>): string[] {
  const out: string[] = [];
  for (const [name, t] of tally) {
    const known = knownDifferences[name];
    for (const d of t.differences) {
      const [, file, frame] = /^(\S+) frame (\d+)/.exec(d) as RegExpExecArray;
      if (!known?.frames[file]?.includes(Number(frame))) out.push(`${name}: ${d}`);
    }
  }
  if (process.env.SIPSCOPE_FIELD_REPORT) console.log(out.join('\n'));
  return out;
}

function report(tally: Map<string, Tally>, frames: number, what: string): void {
  const lines = [...tally].filter(([, t]) => t.compared > 0).map(([name, t]) => `${name.padEnd(48)} ${t.agreed}/${t.compared}`);
  console.log(`fields compared with tshark over ${frames} ${what}:\n${lines.join('\n')}`);
}

describe.skipIf(!haveTshark)('message fields agree with tshark 4.0', () => {
  it.skipIf(!haveSharedCaptures)('on every UDP SIP frame of the shared captures', { timeout: 600_000 }, async () => {
    const tally = newTally();
    let frames = 0;
    for (const file of captures) {
      const path = join(sharedCaptures, file);
      const payloads = await udpPayloads(path);
      if (payloads.size > 0) frames += compareWithTshark(path, file, payloads, tally);
    }
    report(tally, frames, 'UDP SIP frames of the shared captures');
    expect(frames).toBeGreaterThan(9000);
    // Most of the fields occur in the captures: a field the captures never exercise is covered below.
    expect([...tally.values()].filter((t) => t.compared > 0).length).toBeGreaterThan(170);
    expect(unexplained(tally).slice(0, 40)).toEqual([]);
  });

  it('on crafted messages (compact forms, folding, malformed lines, IMS headers, multipart)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sipscope-fields-'));
    try {
      const datagrams = craftedMessages.map((m) => new TextEncoder().encode(m));
      const path = join(dir, 'crafted.pcap');
      writeFileSync(path, framesToPcap(datagrams.map((d) => ethernet(0x0800, ipv4(udp(d))))));
      const payloads = new Map(datagrams.map((d, i) => [i + 1, d]));
      const tally = newTally();
      const frames = compareWithTshark(path, 'crafted', payloads, tally);
      report(tally, frames, 'crafted messages');
      // tshark takes every crafted message for SIP.
      expect(frames).toBe(craftedMessages.length);
      expect(unexplained(tally)).toEqual([]);
    } finally {
      if (!process.env.SIPSCOPE_KEEP) rmSync(dir, { recursive: true, force: true });
      else console.log('KEPT', dir);
    }
  });
  it('on mutated copies of the captures\' messages (bit flips, folding, case, bare LF, truncation)', async () => {
    if (!haveSharedCaptures) return;
    // SIPSCOPE_FIELD_SEED / SIPSCOPE_FIELD_PER_CAPTURE explore further (the defaults are what CI runs).
    const random = seededRandom(Number(process.env.SIPSCOPE_FIELD_SEED ?? 2026));
    const perCapture = Number(process.env.SIPSCOPE_FIELD_PER_CAPTURE ?? 60);
    const sources: Uint8Array[] = [];
    for (const file of ['sipnab_sipp-branch-scenario.pcapng', 'heplify_erspan_sip_ipv4_udp.pcapng', 'sngrep_aaa.pcap', 'heplify_FAX-Call-t38-CA-TDM-SIP-FB-1.pcap', 'sipnab_Asterisk_ZFONE_XLITE.pcap']) {
      const isSip = (p: Uint8Array) => /^(SIP\/2\.0 \d{3} |[A-Z]+ \S+ SIP\/2\.0\r?\n)/.test(new TextDecoder('latin1').decode(p.subarray(0, 200)));
      const payloads = [...(await udpPayloads(join(sharedCaptures, file))).values()].filter(isSip);
      for (let i = 0; i < perCapture && payloads.length > 0; i++) sources.push(payloads[Math.floor(random() * payloads.length)]);
    }
    const datagrams = sources.map((source, i) => mutate(source, i % 6, random));
    const dir = mkdtempSync(join(tmpdir(), 'sipscope-fields-'));
    try {
      const path = join(dir, 'mutated.pcap');
      writeFileSync(path, framesToPcap(datagrams.map((d) => ethernet(0x0800, ipv4(udp(d))))));
      const tally = newTally();
      const frames = compareWithTshark(path, 'mutated', new Map(datagrams.map((d, i) => [i + 1, d])), tally);
      report(tally, frames, 'mutated messages');
      expect(frames).toBeGreaterThan(200);
      expect(unexplained(tally)).toEqual([]);
    } finally {
      if (!process.env.SIPSCOPE_KEEP) rmSync(dir, { recursive: true, force: true });
      else console.log('KEPT', dir);
    }
  });
});
