// Builds `LadderData` and `CallSummary[]`-shaped input for the calls view's pure functions from tshark's
// decode of a real capture, independently of sipscope's own engine (which the back end turns into the same
// DTOs). The derivations here are deliberately simple (one band per transaction, state from the INVITE's
// final response): the tests check geometry and list logic, not call analysis.
import { spawnSync } from 'node:child_process';
import type { CallSummary, LadderArrow, LadderBand, LadderData } from '../../../src/shared/api.js';

export interface TsharkMessage {
  frame: number;
  time: number;
  source: string;
  destination: string;
  method: string | null;
  status: number | null;
  reason: string | null;
  callId: string;
  cseq: number;
  cseqMethod: string;
  resent: boolean;
  hasSdp: boolean;
  media: string;
  from: string;
  to: string;
}

const FIELDS = [
  'frame.number',
  'frame.time_epoch',
  'ip.src',
  'ipv6.src',
  'udp.srcport',
  'tcp.srcport',
  'ip.dst',
  'ipv6.dst',
  'udp.dstport',
  'tcp.dstport',
  'sip.Method',
  'sip.Status-Code',
  'sip.Status-Line',
  'sip.Call-ID',
  'sip.CSeq.seq',
  'sip.CSeq.method',
  'sip.resend',
  'sdp.version',
  'sdp.media',
  'sip.from.addr',
  'sip.to.addr',
];

function address(ip4: string, ip6: string, udp: string, tcp: string): string {
  const port = udp || tcp;
  return ip6 ? `[${ip6}]:${port}` : `${ip4}:${port}`;
}

/** One SIP message per frame (true of every capture used here, see the corpus MANIFEST), innermost addresses. */
export function tsharkMessages(file: string, extraArgs: string[] = []): TsharkMessage[] {
  const args = ['-r', file, ...extraArgs, '-Y', 'sip', '-T', 'fields', '-E', 'occurrence=l', '-E', 'separator=\t'];
  for (const field of FIELDS) args.push('-e', field);
  const result = spawnSync('tshark', args, { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
  if (result.status !== 0) throw new Error(`tshark failed on ${file}: ${result.stderr}`);
  const messages: TsharkMessage[] = [];
  for (const line of result.stdout.split('\n')) {
    if (line === '') continue;
    const f = line.split('\t');
    const [frame, time, ip4s, ip6s, udps, tcps, ip4d, ip6d, udpd, tcpd, method, status, statusLine, callId, seq, cseqMethod, resend, sdp, media, from, to] = f;
    const code = status ? Number(status) : null;
    messages.push({
      frame: Number(frame),
      time: Number(time),
      source: address(ip4s, ip6s, udps, tcps),
      destination: address(ip4d, ip6d, udpd, tcpd),
      method: method || null,
      status: code,
      reason: code !== null ? statusLine.replace(/^SIP\/2\.0\s+\d+\s*/, '') : null,
      callId,
      cseq: Number(seq),
      cseqMethod,
      resent: resend === '1' || resend === 'True',
      hasSdp: sdp !== '',
      media,
      from,
      to,
    });
  }
  return messages;
}

/** Call-IDs in order of their first message: a call's index, as `getCalls` numbers them. */
export function callIndexes(messages: readonly TsharkMessage[]): Map<string, number> {
  const calls = new Map<string, number>();
  for (const m of messages) if (!calls.has(m.callId)) calls.set(m.callId, calls.size);
  return calls;
}

function procedureOf(method: string, firstInvite: boolean): string {
  switch (method) {
    case 'INVITE':
      return firstInvite ? 'call-setup' : 'session-modification';
    case 'BYE':
      return 'call-release';
    case 'CANCEL':
      return 'call-cancellation';
    case 'REGISTER':
      return 'registration';
    case 'MESSAGE':
      return 'messaging';
    case 'SUBSCRIBE':
    case 'NOTIFY':
      return 'subscription-notification';
    case 'OPTIONS':
      return 'capability-query';
    default:
      return 'other';
  }
}

/**
 * The ladder of some calls (all when `calls` is omitted). Hosts are listed in sorted address order, not in
 * order of appearance, so the layout's own column ordering is what the tests see.
 */
export function tsharkLadder(messages: readonly TsharkMessage[], calls?: readonly number[]): LadderData {
  const indexes = callIndexes(messages);
  const wanted = new Set(calls ?? [...indexes.values()]);
  const chosen = messages.map((m, row) => ({ m, row })).filter(({ m }) => wanted.has(indexes.get(m.callId)!));
  const addresses = [...new Set(chosen.flatMap(({ m }) => [m.source, m.destination]))].sort();
  const hostOf = new Map(addresses.map((a, i) => [a, i]));
  const arrows: LadderArrow[] = chosen.map(({ m, row }) => ({
    row,
    frame: m.frame,
    annotation: null,
    time: m.time,
    from: hostOf.get(m.source)!,
    to: hostOf.get(m.destination)!,
    method: m.method,
    status: m.status,
    reason: m.reason,
    label: m.method ?? `${m.status} ${m.reason}${m.cseqMethod ? ` (${m.cseqMethod})` : ''}`,
    sdp: m.hasSdp ? { role: m.method !== null ? 'offer' : 'answer', summary: m.media } : null,
    retransmission: m.resent,
    duplicate: false,
    severity: m.status !== null && m.status >= 400 ? 'warning' : null,
    call: indexes.get(m.callId)!,
    transport: 'UDP',
  }));

  // One band per transaction (Call-ID, CSeq number, method; an ACK joins its INVITE), RFC 3261 §17.
  const transactions = new Map<string, { first: number; last: number; method: string; call: number; final: number | null }>();
  const invitesSeen = new Set<string>();
  arrows.forEach((arrow, i) => {
    const m = chosen[i].m;
    const method = m.cseqMethod === 'ACK' ? 'INVITE' : m.cseqMethod;
    const key = `${m.callId}\u0000${m.cseq}\u0000${method}`;
    let t = transactions.get(key);
    if (!t) {
      const firstInvite = method === 'INVITE' && !invitesSeen.has(m.callId);
      if (method === 'INVITE') invitesSeen.add(m.callId);
      t = { first: i, last: i, method: procedureOf(method, firstInvite), call: arrow.call, final: null };
      transactions.set(key, t);
    }
    t.last = i;
    if (m.status !== null && m.status >= 200) t.final = m.status;
  });
  const bands: LadderBand[] = [...transactions.values()].map((t) => ({
    procedure: t.method,
    outcome: t.final === null ? 'incomplete' : t.final < 300 ? 'success' : 'failure',
    firstArrow: t.first,
    lastArrow: t.last,
    call: t.call,
  }));
  return { calls: [...wanted].sort((a, b) => a - b), hosts: addresses.map((address) => ({ address, alias: null })), arrows, bands };
}

/** The calls list, with KPIs measured as src/core/calls/analysis.ts defines them (INVITE → 18x / 2xx / ACK, ACK → BYE). */
export function tsharkCalls(messages: readonly TsharkMessage[]): CallSummary[] {
  const indexes = callIndexes(messages);
  const byCall = new Map<number, TsharkMessage[]>();
  for (const m of messages) {
    const index = indexes.get(m.callId)!;
    if (!byCall.has(index)) byCall.set(index, []);
    byCall.get(index)!.push(m);
  }
  return [...byCall.entries()].map(([index, ms]) => {
    const first = ms[0];
    const invite = ms.find((m) => m.method === 'INVITE');
    const after = (pred: (m: TsharkMessage) => boolean) => ms.find((m) => invite !== undefined && m.time >= invite.time && pred(m));
    const progress = after((m) => m.status === 180 || m.status === 183);
    const answer = after((m) => m.status !== null && m.status >= 200 && m.status < 300 && m.cseqMethod === 'INVITE');
    const ack = after((m) => m.method === 'ACK');
    const bye = after((m) => m.method === 'BYE');
    const final = [...ms].reverse().find((m) => m.status !== null && m.status >= 200 && m.cseqMethod === (invite ? 'INVITE' : first.method));
    const ms2 = (a: TsharkMessage | undefined, b: TsharkMessage | undefined) => (a && b ? Math.round((b.time - a.time) * 1e6) / 1e3 : null);
    const kind = invite ? 'call-setup' : procedureOf(first.method ?? first.cseqMethod, true);
    const state = invite
      ? answer
        ? ack
          ? 'IN CALL'
          : 'CALL SETUP'
        : ms.some((m) => m.method === 'CANCEL')
          ? 'CANCELLED'
          : final
            ? 'REJECTED'
            : 'CALL SETUP'
      : final && final.status! < 300
        ? first.method === 'REGISTER'
          ? 'REGISTERED'
          : 'COMPLETED'
        : final
          ? 'FAILED'
          : 'INCOMPLETE';
    const findings: CallSummary['findings'] = [];
    if (ms.some((m) => m.resent)) findings.push({ severity: 'note', code: 'retransmission', message: 'retransmitted messages' });
    if (final && final.status! >= 400) findings.unshift({ severity: final.status! >= 500 ? 'error' : 'warning', code: 'failure-final', message: `final ${final.status}` });
    return {
      index,
      callId: first.callId,
      annotation: null,
      state,
      kind,
      procedures: [...new Set(ms.map((m) => procedureOf(m.cseqMethod === 'ACK' ? 'INVITE' : m.cseqMethod, true)))],
      from: first.from,
      to: first.to,
      start: first.time,
      end: ms[ms.length - 1].time,
      messages: ms.length,
      session: index,
      postDialDelayMs: ms2(invite, progress),
      answerTimeMs: ms2(invite, answer),
      setupTimeMs: ms2(invite, ack),
      durationMs: ms2(ack, bye),
      findings,
    };
  });
}
