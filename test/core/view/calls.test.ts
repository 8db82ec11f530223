/**
 * The calls list, the ladder and the statistics (src/core/view/calls.ts, ladder.ts) on real captures, against
 * tshark's decode of the same frames: calls are the Call-IDs in order of first appearance, a ladder has one
 * arrow per message of its calls with hosts taken from tshark's address and port columns, statistics count
 * the requests tshark sees.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { callSummaries, ladderData, messageRow, traceStatistics, type TraceViewSource } from '../../../src/core/view/trace-view.js';
import type { CallSummary } from '../../../src/shared/api.js';
import { captures, haveTshark, load, tsharkRows } from './view-helpers.js';

/** One SIP message as tshark lists it: frames carrying several messages are split (their CSeq and Call-ID lists align). */
interface ReferenceMessage {
  frame: number;
  time: number;
  callId: string;
  cseq: string;
  source: string;
  destination: string;
  /** `INVITE`, or `183 Session Progress` (single-message frames only; '' otherwise). */
  label: string;
  method: string;
}

function referenceMessages(path: string, options: string[] | undefined): ReferenceMessage[] {
  const out: ReferenceMessage[] = [];
  for (const t of tsharkRows(path, options)) {
    const callIds = t.messages > 1 ? t.callId.split(',') : [t.callId];
    t.cseqs.forEach((cseq, i) => {
      const single = t.messages === 1;
      const label = !single ? '' : t.method !== '' ? t.method : t.reason ? `${t.status} ${t.reason}` : t.status;
      out.push({ frame: t.frame, time: t.time, callId: callIds[i], cseq, source: t.source, destination: t.destination, label, method: single ? t.method : '' });
    });
  }
  return out;
}

for (const capture of captures()) {
  describe(`view calls: ${capture.name}`, () => {
    let source: TraceViewSource;
    let summaries: CallSummary[];
    let reference: ReferenceMessage[];
    beforeAll(async () => {
      source = await load(capture.path);
      summaries = callSummaries(source, source.calls?.calls.map((c) => c.index) ?? []);
      reference = haveTshark ? referenceMessages(capture.path, capture.tshark) : [];
    });

    it.runIf(haveTshark)('lists one call per Call-ID, in order of first message, with its messages and times', () => {
      const callIds = [...new Set(reference.map((m) => m.callId))];
      expect(summaries.map((s) => s.callId)).toEqual(callIds);
      summaries.forEach((s, i) => {
        const messages = reference.filter((m) => m.callId === s.callId);
        expect(s.index).toBe(i);
        expect(s.messages).toBe(messages.length);
        expect(s.start).toBeCloseTo(Math.min(...messages.map((m) => m.time)), 5);
        expect(s.end).toBeCloseTo(Math.max(...messages.map((m) => m.time)), 5);
        expect(s.kind).toBe(s.procedures[0] ?? 'other');
        expect(new Set(s.procedures).size).toBe(s.procedures.length);
        const rank = { error: 3, warning: 2, note: 1 };
        for (let f = 1; f < s.findings.length; f++) expect(rank[s.findings[f - 1].severity]).toBeGreaterThanOrEqual(rank[s.findings[f].severity]);
      });
    });

    it.runIf(haveTshark)('draws each call as one arrow per message between the hosts tshark sees', () => {
      for (const s of summaries) {
        const ladder = ladderData(source, [s.index]);
        const messages = reference.filter((m) => m.callId === s.callId);
        expect(ladder.calls).toEqual([s.index]);
        expect(ladder.arrows.length).toBe(s.messages);
        expect(ladder.arrows.map((a) => a.frame)).toEqual(messages.map((m) => m.frame));
        // Hosts in order of first appearance, from tshark's columns.
        const hosts: string[] = [];
        for (const m of messages) for (const h of [m.source, m.destination]) if (!hosts.includes(h)) hosts.push(h);
        expect(ladder.hosts.map((h) => h.address)).toEqual(hosts);
        ladder.arrows.forEach((a, i) => {
          const m = messages[i];
          const where = `frame ${a.frame}`;
          expect(ladder.hosts[a.from].address, where).toBe(m.source);
          expect(ladder.hosts[a.to].address, where).toBe(m.destination);
          expect(a.call).toBe(s.index);
          expect(a.time).toBeCloseTo(m.time, 5);
          if (m.label !== '') {
            // Final responses name the method they answer: `200 OK (PRACK)`.
            const final = m.method === '' && Number(m.label.slice(0, 3)) >= 200;
            expect(a.label, where).toBe(final ? `${m.label} (${m.cseq.split(' ')[1]})` : m.label);
          }
          const row = messageRow(source, a.row, i, null, []);
          expect(a.retransmission).toBe(row.retransmission);
          expect(a.duplicate).toBe(row.duplicate);
          expect(a.sdp !== null).toBe(row.hasSdp);
        });
        // One band per procedure of the call, covering its messages.
        const procedures = source.calls?.calls[s.index].procedures.map((p) => source.calls?.procedures[p]) ?? [];
        expect(ladder.bands.length).toBe(procedures.filter((p) => (p?.rows.length ?? 0) > 0).length);
        for (const band of ladder.bands) {
          expect(band.firstArrow).toBeLessThanOrEqual(band.lastArrow);
          expect(band.call).toBe(s.index);
        }
        for (const p of procedures) {
          if (!p || p.rows.length === 0) continue;
          const band = ladder.bands.find((b) => ladder.arrows[b.firstArrow].row === p.rows[0]);
          expect(band?.procedure).toBe(p.group);
          for (const row of p.rows) {
            const at = ladder.arrows.findIndex((a) => a.row === row);
            expect(at).toBeGreaterThanOrEqual(band?.firstArrow ?? Infinity);
            expect(at).toBeLessThanOrEqual(band?.lastArrow ?? -1);
          }
        }
      }
    });

    it('merges several calls in frame order and skips unknown call numbers', () => {
      const some = summaries.slice(0, 64).map((s) => s.index);
      const ladder = ladderData(source, [...some, -1, 1e9, some[0]]);
      expect(ladder.calls).toEqual(some);
      expect(ladder.arrows.length).toBe(summaries.slice(0, 64).reduce((n, s) => n + s.messages, 0));
      const frames = ladder.arrows.map((a) => a.frame);
      expect(frames).toEqual([...frames].sort((a, b) => a - b));
      for (const a of ladder.arrows) expect(a.from).toBeLessThan(ladder.hosts.length);
    });

    it.runIf(haveTshark)('counts the requests of a view, and the KPIs of its calls', () => {
      const methods: Record<string, number> = {};
      for (const m of reference) if (m.method !== '') methods[m.method] = (methods[m.method] ?? 0) + 1;
      const all = traceStatistics(source, 0, null);
      // Frames with several messages are counted from the rows (tshark joins their methods).
      if (reference.every((m) => m.label !== '')) expect(all.methods).toEqual(methods);
      expect(all.view).toBe(0);
      expect(all.calls).toBe(summaries.length);
      const kpis = source.calls?.kpis;
      expect(all.responseCodes).toEqual(kpis?.responseCodes);
      expect(all.findings).toEqual(kpis?.findings);
      expect(all.answered).toBe(kpis?.answered);
      expect(all.registrations).toBe(kpis?.registrations);
      expect(all.timings.map((t) => t.name)).toEqual((['postDialDelayMs', 'answerTimeMs', 'setupTimeMs', 'durationMs', 'registrationTimeMs'] as const).filter((name) => kpis?.[name] !== undefined));

      // A view holding the first call's messages only.
      const first = summaries[0];
      const rows = Uint32Array.from(source.calls?.calls[first.index].rows ?? []);
      const view = traceStatistics(source, 7, rows);
      expect(view.view).toBe(7);
      expect(view.calls).toBe(1);
      const firstMethods: Record<string, number> = {};
      for (const m of reference) if (m.callId === first.callId && m.method !== '') firstMethods[m.method] = (firstMethods[m.method] ?? 0) + 1;
      if (reference.every((m) => m.label !== '')) expect(view.methods).toEqual(firstMethods);
      expect(view.findings.error + view.findings.warning + view.findings.note).toBe(first.findings.length);
    });
  });
}

describe('view calls: offer/answer and the trace being read', () => {
  it('marks SDP offers and answers of the VoLTE set-up with preconditions (RFC 3264, RFC 3312)', async () => {
    const [capture] = captures(); // resources/sample-volte.pcap
    const source = await load(capture.path);
    for (const call of [0, 1, 2]) {
      const ladder = ladderData(source, [call]);
      const withSdp = ladder.arrows.filter((a) => a.sdp !== null);
      // INVITE offer, 183 answer, UPDATE offer (local QoS ready), 200 UPDATE answer.
      expect(withSdp.map((a) => [a.label, a.sdp?.role])).toEqual([
        ['INVITE', 'offer'],
        ['183 Session Progress', 'answer'],
        ['UPDATE', 'offer'],
        ['200 OK (UPDATE)', 'answer'],
      ]);
      expect(withSdp[0].sdp?.summary).toMatch(/^audio \d+ AMR-WB,AMR,EVS; curr:qos local none; curr:qos remote none$/);
      expect(withSdp[3].sdp?.summary).toMatch(/curr:qos local sendrecv; curr:qos remote sendrecv$/);
      expect(ladder.bands.map((b) => [b.procedure, b.outcome])).toEqual([
        ['call-setup', 'success'],
        ['call-release', 'success'],
      ]);
    }
  });

  it('has no calls, ladder or KPIs before the analysis, but counts requests', async () => {
    const [capture] = captures();
    const loaded = await load(capture.path);
    const reading: TraceViewSource = { engine: loaded.engine, calls: undefined, context: undefined };
    expect(callSummaries(reading, [0])).toEqual([]);
    expect(ladderData(reading, [0]).arrows).toEqual([]);
    const stats = traceStatistics(reading, 0, null);
    expect(stats.calls).toBe(0);
    expect(Object.values(stats.methods).reduce((a, b) => a + b, 0)).toBe(loaded.engine.stats.requests);
  });
});
