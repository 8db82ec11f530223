/**
 * resources/sample-ims.pcap, the IMS trace the app opens by default, written by resources/make-sample-ims.mjs:
 * the generator rewrites it byte for byte; tshark 4.0 decodes it without a malformed packet or an expert warning
 * and finds the SIP messages sipscope finds, frame for frame; the hops are consistent (Max-Forwards and Via);
 * the call analysis reads each procedure as the generator wrote it, with KPIs checked against tshark's frame
 * times (tshark's reading, not ours, is the reference).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { analyzeCalls, type CallAnalysis } from '../../src/core/calls/analysis.js';
import { TextColumn } from '../../src/core/index/message-index.js';
import { analyzeFile, type AnalysisResult } from '../../src/node/analyze.js';
import { repoRoot } from '../helpers/paths.js';
import { haveTshark } from '../helpers/tshark.js';

const sample = join(repoRoot, 'resources/sample-ims.pcap');
const generator = join(repoRoot, 'resources/make-sample-ims.mjs');

const UE_A = '2001:db8:a::11';
const UE_B = '2001:db8:b::22';
const HOSTS = [UE_A, '2001:db8:10::10', '10.20.0.10', '10.20.0.20', '10.20.0.30', '10.20.0.40', '10.20.0.11', '2001:db8:20::10', UE_B];

function tshark(...args: string[]): string {
  return execFileSync('tshark', ['-r', sample, ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], maxBuffer: 64 << 20 });
}

/** One SIP message as tshark reads it (one per frame here: no frame carries two). */
interface TsharkSip {
  frame: number;
  time: number;
  src: string;
  dst: string;
  method: string;
  status: number | undefined;
  callId: string;
  cseqMethod: string;
  resent: boolean;
  maxForwards: number | undefined;
  vias: number;
}

let tsharkRows: TsharkSip[] | undefined;

/** tshark's reading of the sample (once: each run takes a second). */
function tsharkSip(): TsharkSip[] {
  tsharkRows ??= readTsharkSip();
  return tsharkRows;
}

function readTsharkSip(): TsharkSip[] {
  const fields = ['frame.number', 'frame.time_epoch', 'ip.src', 'ipv6.src', 'ip.dst', 'ipv6.dst', 'sip.Method', 'sip.Status-Code', 'sip.Call-ID', 'sip.CSeq.method', 'sip.resend', 'sip.Max-Forwards', 'sip.Via'];
  const out = tshark('-Y', 'sip', '-T', 'fields', '-E', 'separator=/t', '-E', 'occurrence=a', ...fields.flatMap((f) => ['-e', f]));
  return out
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => {
      const [frame, time, ip4src, ip6src, ip4dst, ip6dst, method, status, callId, cseqMethod, resent, maxForwards, via] = line.split('\t');
      return {
        frame: Number(frame),
        time: Number(time),
        src: ip4src || ip6src,
        dst: ip4dst || ip6dst,
        method,
        status: status ? Number(status) : undefined,
        callId,
        cseqMethod,
        resent: resent === '1' || resent === 'True',
        maxForwards: maxForwards ? Number(maxForwards) : undefined,
        vias: via ? via.split(',').length : 0,
      };
    });
}

describe('resources/make-sample-ims.mjs', () => {
  it('rewrites resources/sample-ims.pcap byte for byte', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sample-ims-'));
    try {
      const out = join(dir, 'sample-ims.pcap');
      execFileSync(process.execPath, [generator, out], { stdio: 'ignore' });
      expect(readFileSync(out).equals(readFileSync(sample))).toBe(true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('keeps the sample small', () => {
    expect(statSync(sample).size).toBeLessThan(100_000);
  });
});

describe('resources/sample-ims.pcap', () => {
  let result: AnalysisResult;
  let analysis: CallAnalysis;
  beforeAll(async () => {
    result = await analyzeFile(sample, { engine: { messageFacts: true } });
    const { engine } = result;
    analysis = analyzeCalls(engine.index, (row) => engine.facts.get(row), { sessionKeys: (row) => engine.facts.sessionKeys(row) });
  });

  it('decodes cleanly: no file, packet or message diagnostics', () => {
    const { engine, fileDiagnostics } = result;
    expect(fileDiagnostics).toEqual([]);
    expect(engine.stats.packetsWithDiagnostics).toBe(0);
    const problems = Array.from({ length: engine.index.count }, (_, row) => engine.index.diagnosticsOf(row).map((d) => `${engine.index.frameOf(row)}: ${d.severity} ${d.message}`)).flat();
    expect(problems).toEqual([]);
  });

  it('has the network of the README: nine addresses, IPv4 and IPv6, UDP and TCP', () => {
    const index = result.engine.index;
    const address = (endpoint: string) => (endpoint.startsWith('[') ? endpoint.slice(1, endpoint.indexOf(']')) : endpoint.replace(/:\d+$/, ''));
    const hosts = new Set<string>();
    const transports = new Set<string>();
    for (let row = 0; row < index.count; row++) {
      hosts.add(address(index.strings.get(index.textId(row, TextColumn.Src))));
      hosts.add(address(index.strings.get(index.textId(row, TextColumn.Dst))));
      transports.add(index.strings.get(index.textId(row, TextColumn.Transport)));
    }
    expect([...hosts].sort()).toEqual([...HOSTS].sort());
    expect([...transports].sort()).toEqual(['TCP', 'UDP']);
  });

  it('is the procedures, states and KPIs the generator wrote', () => {
    const summary = analysis.calls.map((c) => ({
      state: c.state,
      from: c.from,
      procedures: c.procedures.map((id) => {
        const p = analysis.procedures[id];
        return [p.group, p.kind, p.outcome, p.finalStatus].filter((x) => x !== undefined).join(' ');
      }),
    }));
    expect(summary).toEqual([
      { state: 'REGISTERED', from: 'sip:+12125550101@ims.example.com', procedures: ['registration initial success 200'] },
      { state: 'COMPLETED', from: 'sip:+12125550101@ims.example.com', procedures: ['subscription-notification reg success 200'] },
      { state: 'COMPLETED', from: 'sip:+12125550101@ims.example.com', procedures: ['call-setup success 200', 'call-release success 200'] },
      { state: 'CANCELLED', from: 'sip:+12125550101@ims.example.com', procedures: ['call-setup failure 487', 'call-cancellation success 200'] },
      { state: 'BUSY', from: 'sip:+12125550102@ims.example.com', procedures: ['call-setup failure 486'] },
      { state: 'COMPLETED', from: 'sip:+12125550101@ims.example.com', procedures: ['messaging sms success 202'] },
      { state: 'COMPLETED', from: 'sip:+12125550100@ims.example.com;user=phone', procedures: ['messaging sms success 200'] },
    ]);
    // Each call its own IMS session (its own ICID), one dialog for the subscription and each answered or early call.
    expect(analysis.calls.map((c) => c.session)).toEqual(analysis.calls.map((c) => c.index));
    expect(analysis.calls.map((c) => c.dialogs)).toEqual([0, 1, 1, 1, 0, 0, 0]);
    expect(analysis.kpis).toMatchObject({ callSetups: 3, answered: 1, registrations: 1, registrationSuccessRate: 1 });
    expect(analysis.findings.filter((f) => f.severity === 'error')).toEqual([]);
  });

  it.skipIf(!haveTshark)('has the SIP messages tshark finds, frame for frame, with the one retransmission tshark marks', () => {
    const index = result.engine.index;
    const theirs = tsharkSip().map((m) => [m.frame, m.method || m.status, m.callId].join(' '));
    const ours = Array.from(index.frameOrder(), (row) => [index.frameOf(row), index.methodOf(row) ?? index.statusOf(row), index.callIdOf(row)].join(' '));
    expect(ours).toEqual(theirs);
    expect(ours.length).toBe(125);
    const resent = tsharkSip().filter((m) => m.resent).map((m) => m.frame);
    const retransmitted = Array.from(index.frameOrder()).filter((row) => analysis.retransmission[row] === 1).map((row) => index.frameOf(row));
    expect(retransmitted).toEqual(resent);
    // The BYE UE-A sent again after T1 = 500 ms (RFC 3261 §17.1.2.2).
    const byes = tsharkSip().filter((m) => m.method === 'BYE' && m.src === UE_A);
    expect(byes.map((m) => m.resent)).toEqual([false, true]);
    expect(Math.round((byes[1].time - byes[0].time) * 1000)).toBe(500);
  });

  it.skipIf(!haveTshark)('makes tshark raise no malformed packet and no expert warning or error', () => {
    expect(tshark('-Y', '_ws.malformed || _ws.expert.severity >= warning')).toBe('');
    expect(tshark('-q', '-z', 'sip,stat')).toContain('Number of SIP messages: 125');
  });

  it.skipIf(!haveTshark)('keeps every hop consistent: a proxy adds one Via for each Max-Forwards it takes (RFC 3261 §16.6)', () => {
    // The UA sets 70 with its own Via; hop-by-hop CANCEL and ACK start again at 70 with one Via (§9.1, §17.1.1.3).
    const requests = tsharkSip().filter((m) => m.method !== '');
    expect(requests.filter((m) => m.maxForwards === undefined || m.maxForwards + m.vias !== 71).map((m) => m.frame)).toEqual([]);
    // A response carries one Via fewer at each proxy on its way back: never more than the request had.
    const responses = tsharkSip().filter((m) => m.status !== undefined);
    expect(responses.every((m) => m.vias >= 1 && m.vias <= 4)).toBe(true);
  });

  it.skipIf(!haveTshark)('times the VoLTE call and the registration as tshark timestamps them', () => {
    const messages = tsharkSip();
    const index = result.engine.index;
    const call = analysis.calls[2];
    const callId = index.callIdOf(call.rows[0]);
    const of = (m: Partial<TsharkSip>) =>
      messages.filter((x) => x.callId === callId && Object.entries(m).every(([k, v]) => x[k as keyof TsharkSip] === v));
    const invite = of({ method: 'INVITE', src: UE_A })[0];
    const progress = of({ status: 183, dst: UE_A })[0];
    const answer = of({ status: 200, cseqMethod: 'INVITE', dst: UE_A })[0];
    const ack = of({ method: 'ACK', src: UE_A })[0];
    const bye = of({ method: 'BYE', src: UE_A })[0];
    const ms = (a: TsharkSip, b: TsharkSip) => (b.time - a.time) * 1000;
    const expected = { postDialDelayMs: ms(invite, progress), answerTimeMs: ms(invite, answer), setupTimeMs: ms(invite, ack), durationMs: ms(ack, bye) };
    expect(Object.keys(call.kpis).sort()).toEqual(Object.keys(expected).sort());
    for (const [key, value] of Object.entries(expected)) expect(Math.abs((call.kpis[key as keyof typeof expected] as number) - value), key).toBeLessThan(0.0015);

    const registration = analysis.calls[0];
    const registrationCallId = index.callIdOf(registration.rows[0]);
    const registers = messages.filter((m) => m.callId === registrationCallId);
    const first = registers.find((m) => m.method === 'REGISTER' && m.src === UE_A) as TsharkSip;
    const registered = registers.find((m) => m.status === 200 && m.dst === UE_A) as TsharkSip;
    expect(Math.abs((registration.kpis.registrationTimeMs as number) - ms(first, registered))).toBeLessThan(0.0015);
  });
});
