/**
 * The SDP display-filter fields of a SIP message. Every expected value is what
 * `tshark -T fields -e FIELD -E occurrence=a` (Wireshark 4.0.17) printed for the same message;
 * test/node/message-fields-tshark.test.ts runs tshark itself over the shared captures.
 */
import { describe, expect, it } from 'vitest';
import type { FieldValue } from '../../../src/core/filter/field.js';
import { sdpBodies, sdpMessageFields } from '../../../src/core/sdp/fields.js';

const byName = new Map(sdpMessageFields.map((f) => [f.name, f]));
const enc = (s: string) => new TextEncoder().encode(s);

/** An IMS-like offer: AMR-WB with preconditions (RFC 3312 curr/des), a rejected video stream. */
const SDP =
  'v=0\r\no=- 1 2 IN IP4 192.0.2.1\r\ns=-\r\nc=IN IP4 192.0.2.1\r\nt=0 0\r\na=group:BUNDLE 0\r\n' +
  'm=audio 49170 RTP/AVP 0 8 97 101\r\nb=AS:41\r\na=rtpmap:97 AMR-WB/16000/1\r\na=fmtp:97 mode-change-capability=2; max-red=0\r\n' +
  'a=rtpmap:101 telephone-event/16000\r\na=curr:qos local none\r\na=des:qos mandatory local sendrecv\r\na=sendrecv\r\n' +
  'm=video 0 RTP/AVPF 96\r\nc=IN IP6 2001:db8::5\r\na=rtpmap:96 H264/90000\r\n';

function invite(contentType: string, body: string): string {
  return `INVITE sip:b@example.com SIP/2.0\r\nVia: SIP/2.0/UDP 192.0.2.1;branch=z9hG4bKs\r\nCall-ID: sdp-1\r\nCSeq: 1 INVITE\r\nContent-Type: ${contentType}\r\nContent-Length: ${enc(body).length}\r\n\r\n${body}`;
}

const MULTIPART = '--b1\r\nContent-Type: application/sdp\r\n\r\n' + SDP + '\r\n--b1\r\nContent-Type: application/pidf+xml\r\n\r\n<presence/>\r\n--b1--\r\n';

function values(name: string, message: string): FieldValue[] {
  const f = byName.get(name);
  if (!f) throw new Error(`no field ${name}`);
  const bytes = enc(message);
  return f.extract(bytes, 0, bytes.length);
}

/** The offer's media-level a= lines, as tshark shows them (sdp.media_attr). */
const MEDIA_ATTRIBUTES = [
  'rtpmap:97 AMR-WB/16000/1',
  'fmtp:97 mode-change-capability=2; max-red=0',
  'rtpmap:101 telephone-event/16000',
  'curr:qos local none',
  'des:qos mandatory local sendrecv',
  'sendrecv',
  'rtpmap:96 H264/90000',
];

/** tshark's values for the offer above. */
const EXPECTED: Record<string, FieldValue[]> = {
  'sdp.media': ['audio 49170 RTP/AVP 0 8 97 101', 'video 0 RTP/AVPF 96'],
  'sdp.media.media': ['audio', 'video'],
  'sdp.media.port': [49170, 0],
  'sdp.media.proto': ['RTP/AVP', 'RTP/AVPF'],
  // The m= line's payload types by name (rtp_payload_type_vals), then rtpmap/fmtp's as written.
  'sdp.media.format': ['ITU-T G.711 PCMU', 'ITU-T G.711 PCMA', 'DynamicRTP-Type-97', 'DynamicRTP-Type-101', '97', '97', '101', 'DynamicRTP-Type-96', '96'],
  'sdp.connection_info': ['IN IP4 192.0.2.1', 'IN IP6 2001:db8::5'],
  'sdp.connection_info.address': ['192.0.2.1', '2001:db8::5'],
  'sdp.media_attr': MEDIA_ATTRIBUTES,
  'sdp.session_attr': ['group:BUNDLE 0'],
  // Ours (not a Wireshark field): the session and media attributes together, in order.
  'sdp.attribute': ['group:BUNDLE 0', ...MEDIA_ATTRIBUTES],
  'sdp.media_attribute.field': ['rtpmap', 'fmtp', 'rtpmap', 'curr', 'des', 'rtpmap'],
  'sdp.media_attribute.value': ['qos local none', 'qos mandatory local sendrecv'],
  'sdp.mime.type': ['AMR-WB', 'telephone-event', 'H264'],
  'sdp.sample_rate': ['16000', '16000', '90000'],
  'sdp.fmtp.parameter': ['mode-change-capability=2', 'max-red=0'],
  'sdp.bandwidth.value': ['41'],
  'sdp.owner.sessionid': ['1'],
  'sdp.session_name': ['-'],
};

describe('sdp message fields: the values tshark 4.0 shows', () => {
  for (const [label, message] of [
    ['application/sdp', invite('application/sdp', SDP)],
    ['Content-Type in capitals, with a parameter', invite('Application/SDP ; charset=utf-8', SDP)],
    ['a multipart/mixed part (RFC 2046 §5.1)', invite('multipart/mixed;boundary="b1"', MULTIPART)],
  ]) {
    it.each(Object.entries(EXPECTED))(`${label}: %s`, (name, expected) => {
      expect(values(name, message)).toEqual(expected);
    });
  }

  it('reads no SDP from a body of another type', () => {
    for (const name of Object.keys(EXPECTED)) expect(values(name, invite('text/plain', SDP)), name).toEqual([]);
  });

  it('stops at an empty line, as Wireshark does', () => {
    const message = invite('application/sdp', 'v=0\r\ns=a\r\n\r\nm=audio 1 RTP/AVP 0\r\n');
    expect(values('sdp.session_name', message)).toEqual(['a']);
    expect(values('sdp.media', message)).toEqual([]);
  });

  it('keeps a value as written, names unknown formats by number, and flags lines without "="', () => {
    const message = invite('application/sdp', 'v=0\r\ns=  Session  \r\nx y\r\nm=audio 5000/2 RTP/AVP 0 128 abc\r\nm=message 8000 TCP/MSRP *\r\na=rtpmap:97 AMR/8000|\r\n');
    expect(values('sdp.session_name', message)).toEqual(['  Session  ']);
    expect(values('sdp.invalid', message)).toEqual(['x y']);
    expect(values('sdp.media.port', message)).toEqual([5000, 8000]);
    expect(values('sdp.media.portcount', message)).toEqual(['2']);
    expect(values('sdp.media.format', message)).toEqual(['ITU-T G.711 PCMU', '128', 'abc', '*', '97']);
    expect(values('sdp.sample_rate', message)).toEqual(['8000']); // tshark 4.0 keeps the digits only
  });

  it('finds the SDP parts of a multipart body', () => {
    const m = enc(invite('multipart/mixed;boundary="b1"', MULTIPART));
    const bodies = sdpBodies(m, 0, m.length);
    expect(bodies.map(([a, b]) => new TextDecoder().decode(m.subarray(a, b)))).toEqual([SDP]);
  });

  it('never throws and reads only within [start, end)', () => {
    const m = enc(invite('application/sdp', SDP));
    for (let cut = 0; cut <= m.length; cut += 5) {
      const copy = m.slice(0, cut);
      for (const f of sdpMessageFields) expect(f.extract(m, 0, cut), `${f.name} cut at ${cut}`).toEqual(f.extract(copy, 0, copy.length));
    }
  });
});
