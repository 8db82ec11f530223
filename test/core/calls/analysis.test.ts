import { describe, expect, it } from 'vitest';
import { analyzeCalls, type CallAnalysis } from '../../../src/core/calls/analysis.js';
import type { CapturedPacket } from '../../../src/core/capture/types.js';
import { TraceEngine } from '../../../src/core/engine/trace-engine.js';
import { LinkType } from '../../../src/core/layers/registry.js';
import { ascii, ethernet, ipv4, udp } from '../../helpers/packet-builder.js';

const UE = { ip: '10.0.0.1', port: 5060 };
const PCSCF = { ip: '10.0.0.2', port: 5060 };

interface Sent {
  from: typeof UE;
  to: typeof UE;
  text: string;
  /** Seconds after the start of the trace. */
  at: number;
}

function sip(startLine: string, headers: string[], body = ''): string {
  return [startLine, ...headers, `Content-Length: ${ascii(body).length}`, '', body].join('\r\n');
}

function sdp(codecs: [number, string][], direction = 'sendrecv', extra: string[] = []): string {
  return [
    'v=0',
    'o=- 1 1 IN IP4 10.0.0.1',
    's=-',
    'c=IN IP4 10.0.0.1',
    't=0 0',
    `m=audio 49152 RTP/AVP ${codecs.map(([pt]) => pt).join(' ')}`,
    ...codecs.map(([pt, name]) => `a=rtpmap:${pt} ${name}/16000`),
    `a=${direction}`,
    ...extra,
    '',
  ].join('\r\n');
}

/** Headers of one dialog's requests/responses; `toTag` once the UAS has answered. */
function headers(o: { branch: string; cseq: string; callId?: string; fromTag?: string; toTag?: string; extra?: string[] }): string[] {
  return [
    `Via: SIP/2.0/UDP 10.0.0.1:5060;branch=${o.branch}`,
    'Max-Forwards: 70',
    `From: <sip:alice@ims.example>;tag=${o.fromTag ?? 'a1'}`,
    `To: <sip:bob@ims.example>${o.toTag ? `;tag=${o.toTag}` : ''}`,
    `Call-ID: ${o.callId ?? 'call-1'}`,
    `CSeq: ${o.cseq}`,
    'Contact: <sip:alice@10.0.0.1:5060>',
    ...(o.extra ?? []),
  ];
}

function run(messages: Sent[], link = true): { engine: TraceEngine; calls: CallAnalysis } {
  const engine = new TraceEngine({ messageFacts: true });
  messages.forEach((m, i) => {
    // Each datagram its own IP identification, as a sending stack numbers them (RFC 791 §3.2).
    const data = ethernet(0x0800, ipv4(udp(ascii(m.text), m.from.port, m.to.port), { src: m.from.ip, dst: m.to.ip, id: i + 1 }));
    const t = 1_800_000_000 + m.at;
    const tsSec = Math.floor(t);
    const packet: CapturedPacket = { frame: i + 1, interfaceId: 0, linkType: LinkType.ETHERNET, tsSec, tsNsec: Math.round((t - tsSec) * 1e9), capturedLength: data.length, originalLength: data.length, dataOffset: i * 4096, data };
    engine.addPacket(packet);
  });
  engine.finish();
  return { engine, calls: analyzeCalls(engine.index, (row) => engine.facts.get(row), { link }) };
}

const invite = (o: Partial<Parameters<typeof headers>[0]> = {}, body = sdp([[96, 'AMR-WB']])) =>
  sip('INVITE sip:bob@ims.example SIP/2.0', headers({ branch: 'z9hG4bK-inv', cseq: '1 INVITE', ...o, extra: [...(o.extra ?? []), 'Content-Type: application/sdp'] }), body);
const response = (status: string, o: Partial<Parameters<typeof headers>[0]> & { cseq: string }, body = '') =>
  sip(`SIP/2.0 ${status}`, headers({ branch: 'z9hG4bK-inv', ...o, extra: [...(o.extra ?? []), ...(body ? ['Content-Type: application/sdp'] : [])] }), body);
const up = (text: string, at: number): Sent => ({ from: UE, to: PCSCF, text, at });
const down = (text: string, at: number): Sent => ({ from: PCSCF, to: UE, text, at });

describe('transactions, retransmissions and call states', () => {
  it('a busy callee: one INVITE transaction (with its retransmission and the ACK), state BUSY', () => {
    const { calls } = run([
      up(invite(), 0),
      up(invite(), 0.5), // Timer A fired (RFC 3261 §17.1.1.2)
      down(response('100 Trying', { cseq: '1 INVITE' }), 0.6),
      down(response('180 Ringing', { cseq: '1 INVITE', toTag: 'b1' }), 1),
      down(response('486 Busy Here', { cseq: '1 INVITE', toTag: 'b1' }), 3),
      up(sip('ACK sip:bob@ims.example SIP/2.0', headers({ branch: 'z9hG4bK-inv', cseq: '1 ACK', toTag: 'b1' })), 3.01),
    ]);
    expect(calls.transactions).toHaveLength(1);
    expect(Array.from(calls.transactionOf)).toEqual([0, 0, 0, 0, 0, 0]);
    expect(Array.from(calls.retransmission)).toEqual([0, 1, 0, 0, 0, 0]);
    expect(calls.transactions[0]).toMatchObject({ method: 'INVITE', finalStatus: 486, acks: [5], retransmissions: [1] });
    expect(calls.calls[0]).toMatchObject({ state: 'BUSY', kpis: { postDialDelayMs: 1000 } });
    expect(calls.procedures.map((p) => [p.group, p.outcome, p.finalStatus])).toEqual([['call-setup', 'failure', 486]]);
    // In frame order of the first message each concerns: the retransmission (frame 2), then the 486 (frame 5).
    expect(calls.findings.map((f) => [f.severity, f.code, f.rows])).toEqual([['note', 'retransmission', [1]], ['warning', 'failure-final', [4, 0]]]);
    expect(calls.kpis).toMatchObject({ callSetups: 1, answered: 0, answerSeizureRatio: 0, networkEffectivenessRatio: 1 });
  });

  it('a cancelled call: CANCEL is its own transaction linked to the INVITE, 487 and ACK close the INVITE; CANCELLED', () => {
    const { calls } = run([
      up(invite(), 0),
      down(response('180 Ringing', { cseq: '1 INVITE', toTag: 'b1' }), 0.2),
      up(sip('CANCEL sip:bob@ims.example SIP/2.0', headers({ branch: 'z9hG4bK-inv', cseq: '1 CANCEL' })), 2),
      down(response('200 OK', { cseq: '1 CANCEL', toTag: 'b1' }), 2.1),
      down(response('487 Request Terminated', { cseq: '1 INVITE', toTag: 'b1' }), 2.2),
      up(sip('ACK sip:bob@ims.example SIP/2.0', headers({ branch: 'z9hG4bK-inv', cseq: '1 ACK', toTag: 'b1' })), 2.3),
    ]);
    expect(calls.transactions.map((t) => [t.method, t.finalStatus, t.cancels])).toEqual([['INVITE', 487, undefined], ['CANCEL', 200, 0]]);
    // The early dialog of the 180 ends with the 487 (RFC 3261 §13.2.2.3: a non-2xx final ends the early dialogs).
    expect(calls.dialogs.map((d) => [d.early, d.confirmed, d.terminated, d.state])).toEqual([[1, undefined, 4, 'terminated']]);
    expect(calls.calls[0].state).toBe('CANCELLED');
    expect(calls.procedures.map((p) => [p.group, p.outcome])).toEqual([['call-setup', 'failure'], ['call-cancellation', 'success']]);
    expect(calls.findings.find((f) => f.code === 'failure-final' && f.message.includes('487'))?.severity).toBe('note');
  });

  it('an answered call with 100rel, PRACK and a precondition UPDATE: one set-up, IN CALL then COMPLETED, with its KPIs', () => {
    const flow = [
      up(invite({ extra: ['Supported: 100rel, precondition'] }, sdp([[96, 'AMR-WB'], [101, 'telephone-event']], 'sendrecv', ['a=curr:qos local none', 'a=des:qos mandatory local sendrecv'])), 0),
      down(response('183 Session Progress', { cseq: '1 INVITE', toTag: 'b1', extra: ['Require: 100rel', 'RSeq: 1'] }, sdp([[96, 'AMR-WB']])), 0.3),
      up(sip('PRACK sip:bob@10.0.0.2 SIP/2.0', headers({ branch: 'z9hG4bK-prack', cseq: '2 PRACK', toTag: 'b1', extra: ['RAck: 1 1 INVITE'] })), 0.4),
      down(response('200 OK', { branch: 'z9hG4bK-prack', cseq: '2 PRACK', toTag: 'b1' }), 0.45),
      up(sip('UPDATE sip:bob@10.0.0.2 SIP/2.0', headers({ branch: 'z9hG4bK-upd', cseq: '3 UPDATE', toTag: 'b1' })), 0.6),
      down(response('200 OK', { branch: 'z9hG4bK-upd', cseq: '3 UPDATE', toTag: 'b1' }), 0.65),
      down(response('180 Ringing', { cseq: '1 INVITE', toTag: 'b1' }), 0.7),
      down(response('200 OK', { cseq: '1 INVITE', toTag: 'b1' }, sdp([[96, 'AMR-WB']])), 5),
      up(sip('ACK sip:bob@10.0.0.2 SIP/2.0', headers({ branch: 'z9hG4bK-ack', cseq: '1 ACK', toTag: 'b1' })), 5.05),
    ];
    const answered = run(flow).calls;
    expect(answered.calls[0].state).toBe('IN CALL');
    expect(answered.procedures.map((p) => [p.group, p.kind, p.transactions.length, p.outcome])).toEqual([['call-setup', undefined, 3, 'success']]);
    expect(answered.calls[0].kpis).toEqual({ postDialDelayMs: 300, answerTimeMs: 5000, setupTimeMs: 5050 });
    expect(answered.findings).toEqual([]);
    const { calls } = run([...flow, up(sip('BYE sip:bob@10.0.0.2 SIP/2.0', headers({ branch: 'z9hG4bK-bye', cseq: '4 BYE', toTag: 'b1' })), 65.05), down(response('200 OK', { branch: 'z9hG4bK-bye', cseq: '4 BYE', toTag: 'b1' }), 65.1)]);
    expect(calls.calls[0].state).toBe('COMPLETED');
    expect(calls.calls[0].kpis.durationMs).toBe(60000);
    expect(calls.calls[0].dialogs).toBe(1);
    // Early at the 183 (row 1), confirmed at the 200 (row 7), terminated at the 200 to BYE (row 10).
    expect(calls.dialogs).toEqual([{ id: 0, call: 0, early: 1, confirmed: 7, terminated: 10, state: 'terminated' }]);
  });

  it('matches the ACK to a 2xx to its hop by host when the UA sent the INVITE from another port (TCP from an ephemeral port, ACK over UDP)', () => {
    const ueEphemeral = { ip: UE.ip, port: 40001 };
    const scscf = { ip: '10.0.0.3', port: 5060 };
    const hop2 = (o: Partial<Parameters<typeof headers>[0]> & { cseq: string }) => ({ branch: 'z9hG4bK-hop2', ...o });
    const flow: Sent[] = [
      { from: ueEphemeral, to: PCSCF, text: invite(), at: 0 },
      { from: PCSCF, to: scscf, text: invite(hop2({ cseq: '1 INVITE' })), at: 0.01 },
      { from: scscf, to: PCSCF, text: response('200 OK', hop2({ cseq: '1 INVITE', toTag: 'b1' }), sdp([[96, 'AMR-WB']])), at: 2 },
      { from: PCSCF, to: ueEphemeral, text: response('200 OK', { cseq: '1 INVITE', toTag: 'b1' }, sdp([[96, 'AMR-WB']])), at: 2.01 },
      { from: UE, to: PCSCF, text: sip('ACK sip:bob@10.0.0.2 SIP/2.0', headers({ branch: 'z9hG4bK-ack1', cseq: '1 ACK', toTag: 'b1' })), at: 2.1 },
      { from: PCSCF, to: scscf, text: sip('ACK sip:bob@10.0.0.3 SIP/2.0', headers({ branch: 'z9hG4bK-ack2', cseq: '1 ACK', toTag: 'b1' })), at: 2.11 },
    ];
    const { calls } = run(flow);
    const invites = calls.transactions.filter((t) => t.method === 'INVITE');
    expect(invites.map((t) => [t.requests, t.acks])).toEqual([
      [[0], [4]],
      [[1], [5]],
    ]);
    expect(calls.calls[0].kpis.setupTimeMs).toBe(2100);
  });

  it('flags a reliable 183 never PRACKed, a 200 never ACKed and an offer answered with no common codec', () => {
    const { calls } = run([
      up(invite({}, sdp([[96, 'AMR-WB']])), 0),
      down(response('183 Session Progress', { cseq: '1 INVITE', toTag: 'b1', extra: ['Require: 100rel', 'RSeq: 7'] }, sdp([[0, 'PCMU']])), 0.3),
      down(response('200 OK', { cseq: '1 INVITE', toTag: 'b1' }), 1),
      up(sip('OPTIONS sip:bob@ims.example SIP/2.0', headers({ branch: 'z9hG4bK-opt', cseq: '1 OPTIONS', callId: 'later' })), 40),
    ]);
    const codes = calls.findings.map((f) => `${f.severity}:${f.code}`);
    expect(codes).toEqual(expect.arrayContaining(['error:missing-prack', 'error:missing-ack', 'error:no-common-codec']));
    expect(codes).not.toContain('error:invite-timeout'); // it has its final response
    expect(calls.findings.find((f) => f.code === 'missing-prack')?.message).toContain('RSeq 7');
    expect(calls.findings.find((f) => f.code === 'no-common-codec')?.message).toContain('offer amr-wb, answer pcmu');
  });

  it('flags an INVITE left without a final response for more than 32 s (Timer B)', () => {
    const { calls } = run([up(invite(), 0), down(response('100 Trying', { cseq: '1 INVITE' }), 0.1), up(sip('OPTIONS sip:x@ims.example SIP/2.0', headers({ branch: 'z9hG4bK-o', cseq: '1 OPTIONS', callId: 'c2' })), 40)]);
    expect(calls.procedures[0].outcome).toBe('timeout');
    expect(calls.findings.map((f) => f.code)).toContain('invite-timeout');
    expect(calls.calls[0].state).toBe('CALL SETUP');
  });
});

describe('supplementary services in the set-up', () => {
  it('names a diverted set-up (181, or a 302 that ends it: DIVERTED) and a call to a conference focus', () => {
    const forwarded = run([
      up(invite(), 0),
      down(response('181 Call Is Being Forwarded', { cseq: '1 INVITE', toTag: 'b1' }), 0.1),
      down(response('200 OK', { cseq: '1 INVITE', toTag: 'b1' }, sdp([[96, 'AMR-WB']])), 1),
      up(sip('ACK sip:bob@10.0.0.2 SIP/2.0', headers({ branch: 'z9hG4bK-ack', cseq: '1 ACK', toTag: 'b1' })), 1.1),
    ]).calls;
    expect(forwarded.procedures.map((p) => [p.group, p.kind, p.outcome])).toEqual([['call-setup', 'diversion', 'success']]);
    expect(forwarded.calls[0].state).toBe('IN CALL');
    const moved = run([
      up(invite(), 0),
      down(response('302 Moved Temporarily', { cseq: '1 INVITE', toTag: 'b1', extra: ['Contact: <sip:carol@ims.example>'] }), 0.1),
      up(sip('ACK sip:bob@ims.example SIP/2.0', headers({ branch: 'z9hG4bK-inv', cseq: '1 ACK', toTag: 'b1' })), 0.2),
    ]).calls;
    expect(moved.procedures.map((p) => [p.group, p.kind, p.outcome, p.finalStatus])).toEqual([['call-setup', 'diversion', 'failure', 302]]);
    expect(moved.calls[0].state).toBe('DIVERTED');
    const focus = run([
      up(invite(), 0),
      down(response('200 OK', { cseq: '1 INVITE', toTag: 'f1', extra: ['Contact: <sip:conf-7@ims.example>;isfocus'] }, sdp([[96, 'AMR-WB']])), 0.5),
      up(sip('ACK sip:conf-7@ims.example SIP/2.0', headers({ branch: 'z9hG4bK-ack', cseq: '1 ACK', toTag: 'f1' })), 0.6),
    ]).calls;
    expect(focus.procedures.map((p) => p.kind)).toEqual(['conference']);
  });
});

describe('registration', () => {
  const register = (branch: string, cseq: number, expires: number) =>
    sip('REGISTER sip:ims.example SIP/2.0', [
      `Via: SIP/2.0/UDP 10.0.0.1:5060;branch=${branch}`,
      'From: <sip:alice@ims.example>;tag=r1',
      'To: <sip:alice@ims.example>',
      'Call-ID: reg-1',
      `CSeq: ${cseq} REGISTER`,
      `Contact: <sip:alice@10.0.0.1:5060>;expires=${expires}`,
      `Expires: ${expires}`,
    ]);
  const reply = (status: string, branch: string, cseq: number, expires?: number) =>
    sip(`SIP/2.0 ${status}`, [
      `Via: SIP/2.0/UDP 10.0.0.1:5060;branch=${branch}`,
      'From: <sip:alice@ims.example>;tag=r1',
      'To: <sip:alice@ims.example>;tag=s1',
      'Call-ID: reg-1',
      `CSeq: ${cseq} REGISTER`,
      ...(expires !== undefined ? [`Contact: <sip:alice@10.0.0.1:5060>;expires=${expires}`] : []),
    ]);

  it('401 then 200 is one successful initial registration; a refresh and a de-registration follow', () => {
    const { calls } = run([
      up(register('z9hG4bK-r1', 1, 600), 0),
      down(reply('401 Unauthorized', 'z9hG4bK-r1', 1), 0.1),
      up(register('z9hG4bK-r2', 2, 600), 0.2),
      down(reply('200 OK', 'z9hG4bK-r2', 2, 600), 0.35),
      up(register('z9hG4bK-r3', 3, 600), 300),
      down(reply('200 OK', 'z9hG4bK-r3', 3, 600), 300.1),
      up(register('z9hG4bK-r4', 4, 0), 400),
      down(reply('200 OK', 'z9hG4bK-r4', 4), 400.1),
    ]);
    expect(calls.procedures.map((p) => [p.group, p.kind, p.transactions.length, p.outcome])).toEqual([
      ['registration', 'initial', 2, 'success'],
      ['registration', 're-registration', 1, 'success'],
      ['registration', 'de-registration', 1, 'success'],
    ]);
    expect(calls.calls[0].state).toBe('UNREGISTERED');
    expect(calls.calls[0].kpis.registrationTimeMs).toBe(350);
    expect(calls.kpis.registrationSuccessRate).toBe(1);
    expect(calls.findings.map((f) => [f.severity, f.code])).toEqual([['note', 'failure-final']]);
  });

  it('a binding that expires inside the trace without a refresh is flagged; a challenge left unanswered is AUTH CHALLENGED', () => {
    const expired = run([up(register('z9hG4bK-r1', 1, 60), 0), down(reply('200 OK', 'z9hG4bK-r1', 1, 60), 0.1), up(sip('OPTIONS sip:x@ims.example SIP/2.0', headers({ branch: 'z9hG4bK-o', cseq: '1 OPTIONS', callId: 'c2' })), 100)]).calls;
    expect(expired.findings.map((f) => f.code)).toContain('registration-expired');
    const challenged = run([up(register('z9hG4bK-r1', 1, 600), 0), down(reply('401 Unauthorized', 'z9hG4bK-r1', 1), 0.1)]).calls;
    expect(challenged.calls[0].state).toBe('AUTH CHALLENGED');
  });
});

describe('IMS session legs', () => {
  it('links calls that share an ICID (P-Charging-Vector), unless linking is off', () => {
    const pcv = 'P-Charging-Vector: icid-value="AyretyU0dm+6O2IrT5tAFrbHLso=";orig-ioi=ims.example';
    const flow = [
      up(invite({ callId: 'leg-a', extra: [pcv] }), 0),
      up(invite({ callId: 'leg-b', branch: 'z9hG4bK-b', extra: [pcv] }), 0.01),
      up(invite({ callId: 'other', branch: 'z9hG4bK-c' }), 0.02),
    ];
    expect(run(flow).calls.calls.map((c) => c.session)).toEqual([0, 0, 2]);
    expect(run(flow).calls.kpis.sessions).toBe(2);
    expect(run(flow, false).calls.calls.map((c) => c.session)).toEqual([0, 1, 2]);
  });
});
