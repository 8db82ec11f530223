/** The 12 messages of the SIPp VoLTE scenario (../shared/bench/volte_uac.xml + volte_uas.xml). */
import { describe, expect, it } from 'vitest';
import { parseSip } from '../../../src/core/sip/parser.js';
import { paramValue } from '../../../src/core/sip/scan.js';
import type { SipMessage } from '../../../src/core/sip/types.js';
import { uriParam } from '../../../src/core/sip/uri.js';
import { volteCall } from './volte-fixtures.js';

const call = volteCall(7);
const parsed = call.map((m) => {
  const bytes = new TextEncoder().encode(m.text);
  return { name: m.name, msg: parseSip(bytes, 0, bytes.length, { body: 'eager' }) };
});
const get = (name: string): SipMessage => parsed.find((p) => p.name === name)!.msg;

describe('SIPp VoLTE scenario', () => {
  it('parses all 12 messages without a single diagnostic', () => {
    expect(parsed.map((p) => p.name)).toEqual([
      'INVITE', '100 Trying', '183 Session Progress', 'PRACK', '200 OK (PRACK)', 'UPDATE', '200 OK (UPDATE)',
      '180 Ringing', '200 OK (INVITE)', 'ACK', 'BYE', '200 OK (BYE)',
    ]);
    for (const p of parsed) expect(p.msg.diagnostics, p.name).toEqual([]);
  });

  it('has the same dialog identifiers throughout', () => {
    for (const { name, msg } of parsed) {
      expect(msg.callId, name).toBe('7-4321@10.0.0.1');
      expect(msg.from?.tag, name).toBe('4321SIPpTag007');
      expect(msg.from?.uri, name).toBe('sip:+15550001111@ims.mnc001.mcc001.3gppnetwork.org');
      expect(msg.to?.uri, name).toBe('tel:+15557;phone-context=ims.mnc001.mcc001.3gppnetwork.org');
    }
    expect(get('INVITE').to?.tag).toBeUndefined();
    expect(get('100 Trying').to?.tag).toBeUndefined();
    for (const name of ['183 Session Progress', 'PRACK', '200 OK (INVITE)', 'BYE']) expect(get(name).to?.tag, name).toBe('4321SIPpTag017');
  });

  it('reads the INVITE: tel Request-URI, IMS headers, Contact feature tags', () => {
    const m = get('INVITE');
    expect(m).toMatchObject({ kind: 'request', method: 'INVITE', maxForwards: 70, contentType: 'application/sdp' });
    expect(m.parsedRequestUri).toMatchObject({ scheme: 'tel', user: '+15557' });
    expect(uriParam(m.parsedRequestUri!, 'phone-context')).toBe('ims.mnc001.mcc001.3gppnetwork.org');
    expect(m.cseq).toEqual({ seq: 1, method: 'INVITE' });
    expect(m.vias).toHaveLength(1);
    expect(m.vias[0]).toMatchObject({ protocol: 'SIP', version: '2.0', transport: 'UDP', host: '10.0.0.1', port: 5060, branch: 'z9hG4bK-4321-7-0' });
    const contact = m.contacts[0];
    expect(contact.parsedUri).toMatchObject({ user: '+15550001111', host: '10.0.0.1', port: 5060 });
    expect(uriParam(contact.parsedUri, 'transport')).toBe('UDP');
    expect(paramValue(contact.params, '+sip.instance')).toBe('"<urn:gsma:imei:35209900-176148-0>"');
    expect(paramValue(contact.params, '+g.3gpp.icsi-ref')).toBe('"urn%3Aurn-7%3A3gpp-service.ims.icsi.mmtel"');
    expect(paramValue(contact.params, '+g.3gpp.mid-call')).toBe('');
    expect(m.header('Route')?.value).toBe('<sip:pcscf.ims.mnc001.mcc001.3gppnetwork.org:5070;lr>');
    expect(m.header('Supported')?.values).toEqual(['100rel', 'precondition', 'timer', 'sec-agree']);
    expect(m.header('Allow')?.values).toHaveLength(11);
    expect(m.header('Security-Verify')?.value).toMatch(/^ipsec-3gpp;alg=hmac-sha-1-96;/);
    expect(m.header('P-Access-Network-Info')?.value).toBe('3GPP-E-UTRAN-FDD;utran-cell-id-3gpp=0010100010019B01');
    expect(m.header('Session-Expires')?.value).toBe('1800');
    expect(m.header('Min-SE')?.value).toBe('90');
    expect(m.contentLength).toBe(m.body.end - m.body.start);
  });

  it('reads the INVITE offer: codecs, bandwidth and QoS preconditions', () => {
    const sdp = get('INVITE').sdp!;
    expect(sdp.diagnostics).toEqual([]);
    expect(sdp.origin).toMatchObject({ username: '-', sessionId: '1', sessionVersion: '1', addrType: 'IP4', address: '10.0.0.1' });
    expect(sdp.bandwidths).toEqual([
      { type: 'AS', value: 41 },
      { type: 'RR', value: 1537 },
      { type: 'RS', value: 512 },
    ]);
    const audio = sdp.media[0];
    expect(audio).toMatchObject({ type: 'audio', port: 6000, proto: 'RTP/AVP', formats: ['116', '107', '118', '96', '111', '110'] });
    expect(audio.rtpmaps.map((r) => `${r.payloadType} ${r.encoding}/${r.clockRate}${r.channels ? '/' + r.channels : ''}`)).toEqual([
      '116 AMR-WB/16000/1', '107 AMR-WB/16000/1', '118 AMR/8000/1', '96 EVS/16000', '111 telephone-event/16000', '110 telephone-event/8000',
    ]);
    expect(audio.fmtps.find((f) => f.format === '107')?.params).toEqual([
      { name: 'octet-align', value: '1' },
      { name: 'mode-change-capability', value: '2' },
      { name: 'max-red', value: '0' },
    ]);
    expect(audio.preconditions).toEqual([
      { kind: 'curr', type: 'qos', statusType: 'local', direction: 'none' },
      { kind: 'curr', type: 'qos', statusType: 'remote', direction: 'none' },
      { kind: 'des', type: 'qos', strength: 'mandatory', statusType: 'local', direction: 'sendrecv' },
      { kind: 'des', type: 'qos', strength: 'optional', statusType: 'remote', direction: 'sendrecv' },
    ]);
    expect(audio).toMatchObject({ direction: 'sendrecv', directionAttribute: 'sendrecv', ptime: 20, maxptime: 240 });
  });

  it('reads the 183: 100rel, RSeq, P-Asserted-Identity, P-Charging-Vector, conf precondition', () => {
    const m = get('183 Session Progress');
    expect(m).toMatchObject({ kind: 'response', statusCode: 183, reason: 'Session Progress' });
    expect(m.header('RSeq')?.value).toBe('1');
    expect(m.header('Require')?.values).toEqual(['100rel', 'precondition']);
    expect(m.header('P-Asserted-Identity')?.value).toBe('<tel:+15557>');
    expect(m.header('P-Charging-Vector')?.value).toBe('icid-value="7-4321@10.0.0.1";orig-ioi=ims.mnc001.mcc001.3gppnetwork.org');
    expect(m.header('Record-Route')?.value).toBe('<sip:scscf.ims.mnc001.mcc001.3gppnetwork.org;lr>');
    expect(m.contacts[0].parsedUri).toMatchObject({ user: undefined, host: '10.0.0.2', port: 5070 });
    expect(m.sdp?.media[0].preconditions.at(-1)).toEqual({ kind: 'conf', type: 'qos', statusType: 'remote', direction: 'sendrecv' });
  });

  it('reads the in-dialog requests', () => {
    const prack = get('PRACK');
    expect(prack.requestUri).toBe('sip:10.0.0.2:5070;transport=UDP');
    expect(prack.header('RAck')?.value).toBe('1 1 INVITE');
    expect(prack.header('Route')?.value).toBe('<sip:scscf.ims.mnc001.mcc001.3gppnetwork.org;lr>');
    expect(prack.cseq).toEqual({ seq: 2, method: 'PRACK' });
    expect(get('UPDATE').sdp?.media[0].preconditions.filter((p) => p.kind === 'curr').map((p) => p.direction)).toEqual(['sendrecv', 'none']);
    expect(get('200 OK (UPDATE)').sdp?.media[0].preconditions.filter((p) => p.kind === 'curr').map((p) => p.direction)).toEqual([
      'sendrecv',
      'sendrecv',
    ]);
    expect(get('ACK').cseq).toEqual({ seq: 1, method: 'ACK' });
    const bye = get('BYE');
    expect(bye.cseq).toEqual({ seq: 4, method: 'BYE' });
    expect(bye.header('Reason')?.value).toBe('Q.850;cause=16;text="Normal call clearing"');
    expect(get('200 OK (BYE)').cseq).toEqual({ seq: 4, method: 'BYE' });
    // Responses copy the Via of their request.
    expect(get('200 OK (PRACK)').vias[0].branch).toBe(prack.vias[0].branch);
    expect(get('200 OK (INVITE)').vias[0].branch).toBe('z9hG4bK-4321-7-0');
  });
});
