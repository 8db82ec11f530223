import { describe, expect, it } from 'vitest';
import { parseFmtp, parsePrecondition, parseRtpMap } from '../../../src/core/sdp/attributes.js';
import { attributesNamed, parseSdp } from '../../../src/core/sdp/sdp.js';

const sdp = (...lines: string[]) => lines.join('\r\n') + '\r\n';
const messages = (text: string) => parseSdp(text).diagnostics.map((d) => `${d.severity}: ${d.message}`);

/** A VoLTE offer (TS 24.229 §6.1.2 preconditions, TS 26.114 codecs). */
const OFFER = sdp(
  'v=0',
  'o=- 1434560000 1434560000 IN IP6 2001:db8:1::5',
  's=-',
  'c=IN IP6 2001:db8:1::5',
  'b=AS:49',
  'b=TIAS:48000',
  't=0 0',
  'a=sendrecv',
  'm=audio 49152 RTP/AVP 116 118 100',
  'b=AS:49',
  'b=RS:0',
  'b=RR:2000',
  'a=rtpmap:116 AMR-WB/16000/1',
  'a=fmtp:116 mode-change-capability=2; max-red=220',
  'a=rtpmap:118 AMR/8000/1',
  'a=rtpmap:100 telephone-event/16000',
  'a=fmtp:100 0-15',
  'a=curr:qos local none',
  'a=curr:qos remote none',
  'a=des:qos mandatory local sendrecv',
  'a=des:qos optional remote sendrecv',
  'a=conf:qos remote sendrecv',
  'a=ptime:20',
  'a=maxptime:240',
  'm=video 0 RTP/AVP 99',
  'a=rtpmap:99 H264/90000',
  'm=text 49154 RTP/AVP 98',
  'c=IN IP6 2001:db8:1::6',
  'a=rtpmap:98 t140/1000',
  'a=recvonly',
);

describe('parseSdp', () => {
  const s = parseSdp(OFFER);

  it('reads the session level', () => {
    expect(s.diagnostics).toEqual([]);
    expect(s.version).toBe(0);
    expect(s.origin).toEqual({
      username: '-',
      sessionId: '1434560000',
      sessionVersion: '1434560000',
      netType: 'IN',
      addrType: 'IP6',
      address: '2001:db8:1::5',
    });
    expect(s.sessionName).toBe('-');
    expect(s.connection).toEqual({ netType: 'IN', addrType: 'IP6', address: '2001:db8:1::5' });
    expect(s.bandwidths).toEqual([
      { type: 'AS', value: 49 },
      { type: 'TIAS', value: 48000 },
    ]);
    expect(s.timings).toEqual([{ start: 0, stop: 0, repeats: [] }]);
    expect(s.direction).toBe('sendrecv');
    expect(s.attributes).toEqual([{ name: 'sendrecv', value: undefined, offset: OFFER.indexOf('a=sendrecv') }]);
  });

  it('reads m= lines, rtpmap, fmtp, bandwidth, ptime and keeps every attribute in order', () => {
    const [audio, video, text] = s.media;
    expect(audio).toMatchObject({ type: 'audio', port: 49152, proto: 'RTP/AVP', formats: ['116', '118', '100'], ptime: 20, maxptime: 240 });
    expect(audio.bandwidths).toEqual([
      { type: 'AS', value: 49 },
      { type: 'RS', value: 0 },
      { type: 'RR', value: 2000 },
    ]);
    expect(audio.rtpmaps).toEqual([
      { payloadType: 116, encoding: 'AMR-WB', clockRate: 16000, channels: 1 },
      { payloadType: 118, encoding: 'AMR', clockRate: 8000, channels: 1 },
      { payloadType: 100, encoding: 'telephone-event', clockRate: 16000 },
    ]);
    expect(audio.fmtps).toEqual([
      { format: '116', value: 'mode-change-capability=2; max-red=220', params: [{ name: 'mode-change-capability', value: '2' }, { name: 'max-red', value: '220' }] },
      { format: '100', value: '0-15', params: [{ name: '0-15', value: undefined }] },
    ]);
    expect(audio.attributes.map((a) => a.name)).toEqual(['rtpmap', 'fmtp', 'rtpmap', 'rtpmap', 'fmtp', 'curr', 'curr', 'des', 'des', 'conf', 'ptime', 'maxptime']);
    expect(attributesNamed(audio, 'curr').map((a) => a.value)).toEqual(['qos local none', 'qos remote none']);
    expect(video).toMatchObject({ type: 'video', port: 0 });
    expect(text.connections).toEqual([{ netType: 'IN', addrType: 'IP6', address: '2001:db8:1::6' }]);
    expect(s.lines.filter((l) => l.media === 2).map((l) => l.type)).toEqual(['m', 'c', 'a', 'a']);
  });

  it('reads the QoS preconditions (RFC 3312 §5, RFC 4032)', () => {
    expect(s.media[0].preconditions).toEqual([
      { kind: 'curr', type: 'qos', statusType: 'local', direction: 'none' },
      { kind: 'curr', type: 'qos', statusType: 'remote', direction: 'none' },
      { kind: 'des', type: 'qos', strength: 'mandatory', statusType: 'local', direction: 'sendrecv' },
      { kind: 'des', type: 'qos', strength: 'optional', statusType: 'remote', direction: 'sendrecv' },
      { kind: 'conf', type: 'qos', statusType: 'remote', direction: 'sendrecv' },
    ]);
    expect(parsePrecondition('des', 'qos mandatory e2e send')).toEqual({ ok: true, value: { kind: 'des', type: 'qos', strength: 'mandatory', statusType: 'e2e', direction: 'send' } });
    expect(parsePrecondition('curr', 'qos local')).toEqual({ ok: false, error: 'a=curr:qos local is not a=curr:<type> <e2e|local|remote> <none|send|recv|sendrecv> (RFC 3312 §5)' });
    expect(parsePrecondition('des', 'qos always local send')).toMatchObject({ ok: false, error: expect.stringMatching(/strength-tag 'always'/) });
    expect(parsePrecondition('curr', 'qos somewhere send')).toMatchObject({ ok: false, error: expect.stringMatching(/status-type 'somewhere'/) });
    expect(parsePrecondition('conf', 'qos e2e sideways')).toMatchObject({ ok: false, error: expect.stringMatching(/direction-tag 'sideways'/) });
  });

  it('gives each media section its direction: its own attribute, else the session one, else sendrecv (RFC 3264 §5.1)', () => {
    expect(s.media.map((m) => [m.direction, m.directionAttribute])).toEqual([
      ['sendrecv', undefined],
      ['sendrecv', undefined],
      ['recvonly', 'recvonly'],
    ]);
    const held = parseSdp(sdp('v=0', 'o=- 1 2 IN IP4 192.0.2.1', 's=-', 'c=IN IP4 192.0.2.1', 't=0 0', 'a=sendonly', 'm=audio 4000 RTP/AVP 0', 'm=audio 4002 RTP/AVP 0', 'a=inactive'));
    expect(held.direction).toBe('sendonly');
    expect(held.media.map((m) => m.direction)).toEqual(['sendonly', 'inactive']);
    const none = parseSdp(sdp('v=0', 'o=- 1 2 IN IP4 192.0.2.1', 's=-', 'c=IN IP4 192.0.2.1', 't=0 0', 'm=audio 4000 RTP/AVP 0'));
    expect(none.media[0].direction).toBe('sendrecv');
  });

  it('reads multicast connection addresses and port counts', () => {
    const m = parseSdp(sdp('v=0', 'o=- 1 2 IN IP4 192.0.2.1', 's=x', 'c=IN IP4 233.252.0.1/127/3', 't=0 0', 'm=video 49170/2 RTP/AVP 31'));
    expect(m.diagnostics).toEqual([]);
    expect(m.connection).toEqual({ netType: 'IN', addrType: 'IP4', address: '233.252.0.1', ttl: 127, addressCount: 3 });
    expect(m.media[0]).toMatchObject({ port: 49170, portCount: 2 });
  });

  it('flags malformed lines and missing mandatory ones', () => {
    expect(messages('o=- 1 1 IN IP4 192.0.2.1\r\ns=-\r\nt=0 0\r\n')).toEqual([
      "error: SDP starts with 'o=' instead of 'v=' (RFC 8866 §5)",
      'error: missing mandatory line: v= (RFC 8866 §5)',
    ]);
    expect(messages(sdp('v=0', 'o=- 1 1 IN IP4 192.0.2.1', 's=-', 'c=IN IP4 192.0.2.1', 't=0 0', 'm =video 3227 RTP/AVP 31'))).toEqual([
      "error: SDP line 'm =video 3227 RTP/AVP 31' is not of the form <type>=<value> (RFC 8866 §5)",
    ]);
    expect(messages(sdp('v=0', 'o=- 1 1 IN IP4 192.0.2.1', 's=-', 'c=IN IP4 192.0.2.1', 't=0 0', 'x=unknown'))).toEqual([
      "error: unknown SDP line type 'x=' (RFC 8866 §5: a receiver ignores the whole description)",
    ]);
    expect(messages(sdp('v=0', 'o=- 1 1 IN IP4 192.0.2.1', 's=-', 'c=IN IP4 192.0.2.1', 't=0 0', 'm=audio port RTP/AVP 0', 'm=audio 4000 RTP/AVP'))).toEqual([
      "error: bad m= line 'audio port RTP/AVP 0': expected '<media> <port>[/<count>] <proto> <fmt> ...' (RFC 8866 §5.14)",
      "error: bad m= line 'audio 4000 RTP/AVP': expected '<media> <port>[/<count>] <proto> <fmt> ...' (RFC 8866 §5.14)",
    ]);
    // RFC 4475 mismatch02.dat's SDP: no s= and no t=.
    expect(messages(sdp('v=0', 'o=mhandley 29739 7272939 IN IP4 192.0.2.1', 'c=IN IP4 192.0.2.1', 'm=audio 49217 RTP/AVP 0 12'))).toEqual([
      'error: missing mandatory lines: s= t= (RFC 8866 §5)',
    ]);
    expect(messages(sdp('v=1', 'o=- 1', 's=-', 'c=IN IP4', 'b=AS', 't=now 0', 'm=audio 4000 RTP/AVP 96', 'a=rtpmap:96 AMR', 'a=fmtp: x', 'a=ptime:abc', 'a=curr:qos local'))).toEqual([
      "error: SDP version '1' is not 0 (RFC 8866 §5.1)",
      "error: o= line '- 1' is not '<username> <sess-id> <sess-version> <nettype> <addrtype> <address>' (RFC 8866 §5.2)",
      "error: c= line 'IN IP4' is not '<nettype> <addrtype> <address>' (RFC 8866 §5.7)",
      "error: b= line 'AS' is not '<bwtype>:<bandwidth>' (RFC 8866 §5.8)",
      "error: t= line 'now 0' is not '<start-time> <stop-time>' (RFC 8866 §5.9)",
      "error: rtpmap '96 AMR' is not '<payload type> <encoding>/<clock rate>[/<channels>]'",
      "error: fmtp ' x' has no format",
      'error: a=ptime:abc is not a number of milliseconds (RFC 8866 §6.4-6.5)',
      'error: a=curr:qos local is not a=curr:<type> <e2e|local|remote> <none|send|recv|sendrecv> (RFC 3312 §5)',
      'note: media 1: dynamic payload type 96 has no a=rtpmap (RFC 8866 §6.6)',
    ]);
  });

  it('flags a media section without any connection address, duplicate directions and out-of-order lines', () => {
    expect(messages(sdp('v=0', 'o=- 1 1 IN IP4 192.0.2.1', 's=-', 't=0 0', 'm=audio 4000 RTP/AVP 0'))).toEqual([
      'error: media 1 (audio) has no c= line and there is no session-level c= (RFC 8866 §5.7)',
    ]);
    expect(messages(sdp('v=0', 'o=- 1 1 IN IP4 192.0.2.1', 's=-', 'c=IN IP4 192.0.2.1', 't=0 0', 'm=audio 4000 RTP/AVP 0', 'a=sendonly', 'a=recvonly'))).toEqual([
      'error: more than one direction attribute (sendonly, recvonly) at the same level (RFC 3264 §5.1)',
    ]);
    expect(messages(sdp('v=0', 'o=- 1 1 IN IP4 192.0.2.1', 't=0 0', 's=-', 'c=IN IP4 192.0.2.1'))).toEqual([
      "note: 's=' line out of order (RFC 8866 §5 fixes the order of lines)",
      "note: 'c=' line out of order (RFC 8866 §5 fixes the order of lines)",
    ]);
  });

  it('accepts bare LF line ends and a trailing empty line; never throws', () => {
    expect(parseSdp('v=0\no=- 1 1 IN IP4 192.0.2.1\ns=-\nc=IN IP4 192.0.2.1\nt=0 0\n\n').diagnostics).toEqual([]);
    expect(messages('')).toEqual(['error: empty SDP']);
    for (const junk of ['=', 'v', '\r\n\r\n', 'a=:', 'm=', '\u0000\u0001', 'v=0\r\nm=audio 99999999 x 0']) expect(() => parseSdp(junk)).not.toThrow();
  });
});

describe('attribute parsers', () => {
  it('rtpmap and fmtp', () => {
    expect(parseRtpMap('96 EVS/16000')).toEqual({ ok: true, value: { payloadType: 96, encoding: 'EVS', clockRate: 16000 } });
    expect(parseRtpMap('0 PCMU/8000/1')).toEqual({ ok: true, value: { payloadType: 0, encoding: 'PCMU', clockRate: 8000, channels: 1 } });
    expect(parseRtpMap('200 X/8000')).toEqual({ ok: false, error: 'rtpmap payload type 200 is above 127' });
    expect(parseFmtp('101 0-16')).toEqual({ ok: true, value: { format: '101', value: '0-16', params: [{ name: '0-16', value: undefined }] } });
  });
});
