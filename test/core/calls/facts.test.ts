/**
 * The message facts have two readers: `extractFacts` over a fully parsed message, and `scanFacts`, a line walk
 * over the bytes of a message the strict fast scan accepted (what the engine uses for nearly every message).
 * Their contract: on every message the fast scan accepts they agree exactly. Checked on every UDP SIP payload of
 * the shared corpus, the SIPp VoLTE scenario messages and hand-made IMS messages.
 */
import { describe, expect, it } from 'vitest';
import { extractFacts, scanFacts, type MessageFacts } from '../../../src/core/calls/facts.js';
import { FactsTable } from '../../../src/core/calls/facts-table.js';
import { IndexFields, scanIndexFields } from '../../../src/core/sip/index-scan.js';
import { parseSip } from '../../../src/core/sip/parser.js';
import { udpSipPayloads } from '../../helpers/corpus.js';
import { ascii } from '../../helpers/packet-builder.js';
import { haveSharedCaptures } from '../../helpers/paths.js';
import { volteCall } from '../sip/volte-fixtures.js';

/** Checks the contract on one message; returns whether the fast scan accepted it. */
function agree(bytes: Uint8Array, where: string): boolean {
  const fields = new IndexFields();
  if (!scanIndexFields(bytes, 0, bytes.length, false, fields)) return false;
  const quick = scanFacts(bytes, 0, fields.end);
  const full = extractFacts(parseSip(bytes, 0, bytes.length));
  expect(quick, where).toEqual(full);
  return true;
}

describe('scanFacts agrees with extractFacts', () => {
  it('on hand-made IMS messages with every fact', () => {
    const invite = [
      'INVITE tel:+15551234;phone-context=ims.example SIP/2.0',
      'Via: SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bK-1',
      'Max-Forwards: 70',
      'From: <sip:alice@ims.example>;tag=a1',
      'To: <tel:+15551234;phone-context=ims.example>',
      'Call-ID: c1',
      'CSeq: 1 INVITE',
      'Contact: <sip:alice@10.0.0.1:5060>;expires=300;+g.3gpp.icsi-ref="urn%3Aurn-7%3A3gpp-service.ims.icsi.mmtel"',
      'k: 100rel, precondition',
      'Supported: timer',
      'Require: sec-agree',
      'RSeq: 12',
      'RAck: 1 1 INVITE',
      'o: reg;id=7',
      'P-Charging-Vector: icid-value="AyretyU0dm+6O2IrT5tAFrbHLso=";orig-ioi=ims.example',
      'Session-ID: AB4ea8b7f8b7deadbeefdeadbeefdead;remote=00000000000000000000000000000000',
      'r: <sip:carol@ims.example>',
      'Reason: SIP;cause=487;text="cancelled"',
      'Expires: 120',
      'Content-Type: application/sdp',
    ];
    const body = ['v=0', 'o=- 1 1 IN IP4 10.0.0.1', 's=-', 'c=IN IP4 10.0.0.1', 't=0 0', 'a=sendonly', 'm=audio 49152 RTP/AVP 116 0 101', 'a=rtpmap:116 AMR-WB/16000', 'a=rtpmap:101 telephone-event/16000', 'a=curr:qos local none', 'a=des:qos mandatory local sendrecv', 'm=video 5000 RTP/AVP 99', 'a=inactive', ''].join('\r\n');
    const message = ascii(`${invite.join('\r\n')}\r\nContent-Length: ${body.length}\r\n\r\n${body}`);
    expect(agree(message, 'hand-made INVITE')).toBe(true);
    expect(scanFacts(message, 0, message.length)).toMatchObject({
      expires: 120,
      contactExpires: 300,
      require: ['sec-agree'],
      supported: ['100rel', 'precondition', 'timer'],
      rseq: 12,
      rack: { rseq: 1, cseq: 1, method: 'INVITE' },
      contentType: 'application/sdp',
      sdp: true,
      audioDirection: 'sendonly', // the session-level direction applies to the audio stream (RFC 3264 §5.1)
      codecs: ['AMR-WB', 'PCMU', 'telephone-event'], // payload 0 has no rtpmap: its static name (RFC 3551 §6)
      preconditions: true,
      event: 'reg',
      icid: 'AyretyU0dm+6O2IrT5tAFrbHLso=',
      sessionId: 'ab4ea8b7f8b7deadbeefdeadbeefdead',
      referTo: '<sip:carol@ims.example>',
    });
  });

  it('reads the smallest Contact expires of several bindings (the full parser path: the fast scan leaves lists to it)', () => {
    const register = ascii(['REGISTER sip:ims.example SIP/2.0', 'Via: SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bK-r', 'From: <sip:a@ims.example>;tag=1', 'To: <sip:a@ims.example>', 'Call-ID: r1', 'CSeq: 1 REGISTER', 'Contact: <sip:a@10.0.0.1>;expires=600, <sip:a@10.0.0.3>;expires=300', 'c: text/plain', 'Content-Length: 0', '', ''].join('\r\n'));
    expect(agree(register, 'two contacts')).toBe(false);
    expect(extractFacts(parseSip(register, 0, register.length))).toMatchObject({ contactExpires: 300, contentType: 'text/plain' });
  });

  it('on every message of the SIPp VoLTE scenario', () => {
    let accepted = 0;
    for (const m of volteCall(3)) if (agree(ascii(m.text), m.name)) accepted++;
    expect(accepted).toBeGreaterThan(8);
  });

  it.skipIf(!haveSharedCaptures)('on every UDP SIP payload of the shared corpus', async () => {
    let accepted = 0;
    for (const { where, bytes } of await udpSipPayloads()) if (agree(bytes, where)) accepted++;
    expect(accepted).toBeGreaterThan(1000);
  });

  it.skipIf(!haveSharedCaptures)('and the columnar FactsTable gives every one of them back unchanged', async () => {
    const table = new FactsTable();
    const stored: MessageFacts[] = [];
    for (const { bytes } of await udpSipPayloads(['sngrep_aaa.pcap', 'sipnab_sip-488-codec-reject.pcapng', 'heplify_sip_ipv6_udp.pcap'])) {
      const facts = extractFacts(parseSip(bytes, 0, bytes.length));
      table.set(stored.length, facts);
      stored.push(facts);
    }
    expect(stored.length).toBe(100); // 81 + 13 + 6 UDP SIP payloads (tshark -Y "sip && udp")
    for (let row = 0; row < stored.length; row++) expect(table.get(row), `row ${row}`).toEqual(stored[row]);
    expect(table.get(stored.length + 5)).toBeUndefined();
  });
});
