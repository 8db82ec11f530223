import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { analyzeCalls } from '../../src/core/calls/analysis.js';
import { analyzeFile } from '../../src/node/analyze.js';
import { fixtures } from '../helpers/paths.js';

/**
 * The SIP procedure flows of test/fixtures/flows (made with SIPp on 127.0.0.1 by make-flows.sh, see
 * test/fixtures/README.md): one small capture per procedure group and per failure, and `expected.json`, what an IMS
 * engineer concludes from reading the messages (written by hand from `tshark -V`, not by sipscope).
 *
 * expected.json schema (all times in milliseconds with 3 decimals, computed from tshark's frame.time_relative;
 * frame numbers are 1-based pcap frame numbers, as tshark numbers them):
 *
 * {
 *   "generatedBy": string,                  // tools and versions that made the captures
 *   "captures": [{
 *     "file": string,                       // file name inside test/fixtures/flows
 *     "transport": "udp" | "tcp",
 *     "sipMessages": number,                // SIP messages in the capture (= rows of FILE.tshark.tsv here)
 *     "description": string,                // the flow in one line
 *     "calls": [{                           // one per Call-ID, in order of first appearance
 *       "callId": string,
 *       "frames": number[],                 // every frame carrying a message of this Call-ID
 *       "state": string,                    // final state in Wireshark/sngrep terms: CALL SETUP, RINGING, IN CALL,
 *                                           // CANCELLED, REJECTED, BUSY, DIVERTED, COMPLETED for INVITE calls;
 *                                           // REGISTERED, AUTH CHALLENGED, UNREGISTERED, FAILED (and COMPLETED for a
 *                                           // successful stand-alone non-INVITE exchange) otherwise
 *       "procedures": [{                    // in order of their first message
 *         "group": "registration" | "call-setup" | "session-modification" | "call-release" |
 *                  "call-cancellation" | "messaging" | "supplementary-services" |
 *                  "subscription-notification" | "capability-query",
 *         "kind": string,                   // finer name: initial-registration, re-registration, de-registration,
 *                                           // hold, resume, transfer, sms, reg-event, ...
 *         "frames": number[],               // the frames of the transactions that make up the procedure
 *         "outcome": "success" | "failure" | "timeout" | "incomplete",
 *         "finalStatus"?: number,           // the final response that decided the outcome (absent if none)
 *         "challengedBy"?: number,          // 401/407 answered by a retry inside the same procedure
 *         "durationMs"?: number             // first request -> message that ends the procedure (the final
 *                                           // response, or the ACK for an INVITE procedure)
 *         "note"?: string                   // why, when the grouping or the outcome is a judgement call
 *       }],
 *       "kpis": {                           // only those that apply to the call
 *         "postDialDelayMs"?: number,       // INVITE -> first 180/183
 *         "answerTimeMs"?: number,          // INVITE -> 200 (INVITE)
 *         "setupTimeMs"?: number,           // INVITE -> ACK of the 2xx
 *         "callDurationMs"?: number,        // ACK -> BYE
 *         "registrationTimeMs"?: number     // first REGISTER of the initial registration -> its 200
 *       },
 *       "retransmissions": number[],        // frames that repeat an earlier message (same transaction, same content)
 *       "findings": [{                      // expert findings that apply
 *         "kind": "failure-final" | "retransmission" | "missing-ack" | "reliable-1xx-without-prack" |
 *                 "invite-without-final",
 *         "severity": "error" | "warning" | "note",
 *         "frames": number[],
 *         "detail": string
 *       }]
 *     }]
 *   }]
 * }
 *
 * Checked: every capture gives exactly the SIP messages tshark finds, frame by frame (`FILE.tshark.tsv` =
 * `tshark -r FILE -Y sip -T fields -e frame.number -e sip.Method -e sip.Status-Code`), and the call analysis
 * (src/core/calls) agrees with expected.json: states, procedures (group, kind, outcome, final status, frames),
 * retransmissions, KPIs and findings. expected.json names a few things its own way; `KIND` and `FINDING` map them.
 */

interface ExpectedProcedure {
  group: string;
  kind?: string;
  frames: number[];
  outcome: string;
  finalStatus?: number;
}

interface ExpectedCall {
  callId: string;
  frames: number[];
  state: string;
  procedures: ExpectedProcedure[];
  kpis: Record<string, number>;
  retransmissions: number[];
  findings: { kind: string; severity: string; frames: number[] }[];
}

interface ExpectedCapture {
  file: string;
  transport: 'udp' | 'tcp';
  sipMessages: number;
  calls: ExpectedCall[];
}

/** expected.json's names for procedure kinds, KPIs and findings, as sipscope spells them. */
const KIND: Record<string, string | undefined> = {
  'initial-registration': 'initial',
  'reg-event': 'reg',
  // sipscope gives no finer name where the group says it all.
  'call-setup': undefined,
  bye: undefined,
  cancel: undefined,
  options: undefined,
  message: undefined,
};
const KPI: Record<string, string> = { callDurationMs: 'durationMs' };
const FINDING: Record<string, string> = { 'reliable-1xx-without-prack': 'missing-prack', 'invite-without-final': 'invite-timeout' };

const flows = join(fixtures, 'flows');
const expected = JSON.parse(readFileSync(join(flows, 'expected.json'), 'utf8')) as { captures: ExpectedCapture[] };

/** tshark's rows, one entry per message ("frame METHOD" or "frame STATUS"), as tcp-fixtures.test.ts reads them. */
function tsharkMessages(tsv: string): string[] {
  const messages: string[] = [];
  for (const row of tsv.split('\n')) {
    if (!row) continue;
    const [frame, methods = '', statuses = ''] = row.split('\t');
    for (const m of [...methods.split(','), ...statuses.split(',')]) if (m !== '') messages.push(`${frame} ${m}`);
  }
  return messages;
}

function tsharkAvailable(): boolean {
  try {
    execFileSync('tshark', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}
const haveTshark = tsharkAvailable();

describe('SIP procedure flows (SIPp on loopback)', () => {
  it('expected.json covers every capture, and its call frames add up to its message count', () => {
    const files = expected.captures.map((c) => c.file).sort();
    expect(files).toEqual([
      'call-cancel.pcap',
      'call-precondition-tcp.pcap',
      'call-precondition.pcap',
      'call-rejected.pcap',
      'message-sms.pcap',
      'missing-ack.pcap',
      'missing-prack.pcap',
      'options-message-415.pcap',
      'refer-transfer.pcap',
      'registration.pcap',
      'subscribe-reg.pcap',
    ]);
    for (const capture of expected.captures) {
      const reference = tsharkMessages(readFileSync(join(flows, `${capture.file}.tshark.tsv`), 'utf8'));
      expect(reference.length, capture.file).toBe(capture.sipMessages);
      // Over UDP one frame is one message; the hand-written call frames must account for all of them.
      if (capture.transport === 'udp') {
        expect(capture.calls.flatMap((c) => c.frames).length, capture.file).toBe(capture.sipMessages);
      }
    }
  });

  for (const capture of expected.captures) {
    it(`${capture.file}: ${capture.sipMessages} SIP messages, the same frames and methods/codes as tshark`, async () => {
      const file = join(flows, capture.file);
      const reference = tsharkMessages(readFileSync(`${file}.tshark.tsv`, 'utf8'));
      const { engine, fileDiagnostics } = await analyzeFile(file);
      expect(fileDiagnostics).toEqual([]);
      const messages: string[] = [];
      const callIds = new Set<string>();
      const problems: string[] = [];
      for (let i = 0; i < engine.index.count; i++) {
        const m = engine.index.get(i);
        messages.push(`${m.frame} ${m.method ?? m.status}`);
        expect(m.stack, `${capture.file} frame ${m.frame}`).toBe(`eth/ipv4/${capture.transport}`);
        for (const d of m.diagnostics) {
          if (d.kind === 'truncated' || d.kind === 'malformed' || d.kind === 'decoder-bug') problems.push(`${m.frame}: ${d.message}`);
        }
        callIds.add(m.callId);
      }
      expect(messages).toEqual(reference);
      expect(messages.length).toBe(capture.sipMessages);
      expect(problems).toEqual([]);
      expect([...callIds]).toEqual(capture.calls.map((c) => c.callId));
    });
  }

  for (const capture of expected.captures) {
    it(`${capture.file}: calls, procedures, KPIs and findings as read from the messages`, async () => {
      const { engine } = await analyzeFile(join(flows, capture.file), { engine: { messageFacts: true } });
      const index = engine.index;
      const analysis = analyzeCalls(index, (row) => engine.facts.get(row), { sessionKeys: (row) => engine.facts.sessionKeys(row) });
      const frames = (rows: number[]) => [...new Set(rows.map((r) => index.frameOf(r)))].sort((a, b) => a - b);
      expect(analysis.calls.map((c) => c.callId)).toEqual(capture.calls.map((c) => c.callId));
      capture.calls.forEach((want, i) => {
        const call = analysis.calls[i];
        const where = `${capture.file} ${want.callId}`;
        expect(call.state, `${where} state`).toBe(want.state);
        const procedures = call.procedures.map((id) => analysis.procedures[id]).map((p) => {
          const rows = p.rows;
          return { group: p.group, kind: p.kind, outcome: p.outcome, finalStatus: p.finalStatus, frames: frames(rows) };
        });
        expect(procedures, `${where} procedures`).toEqual(
          want.procedures.map((p) => ({ group: p.group, kind: p.kind === undefined ? undefined : p.kind in KIND ? KIND[p.kind] : p.kind, outcome: p.outcome, finalStatus: p.finalStatus, frames: [...p.frames].sort((a, b) => a - b) })),
        );
        expect(frames(call.rows.filter((r) => analysis.retransmission[r] === 1)), `${where} retransmissions`).toEqual(want.retransmissions);
        const kpis = Object.fromEntries(Object.entries(want.kpis).map(([k, v]) => [KPI[k] ?? k, v]));
        expect(Object.keys(call.kpis).sort(), `${where} KPIs`).toEqual(Object.keys(kpis).sort());
        for (const [k, v] of Object.entries(kpis)) expect(Math.abs((call.kpis as Record<string, number>)[k] - v), `${where} ${k}`).toBeLessThan(0.0015);
        const findings = call.findings.map((f) => analysis.findings[f]).map((f) => `${f.severity} ${f.code}`).sort();
        expect(findings, `${where} findings`).toEqual(want.findings.map((f) => `${f.severity} ${FINDING[f.kind] ?? f.kind}`).sort());
      });
    });
  }

  it.runIf(haveTshark)('the stored tshark references are what tshark says today', () => {
    for (const capture of expected.captures) {
      const file = join(flows, capture.file);
      const live = execFileSync('tshark', ['-r', file, '-Y', 'sip', '-T', 'fields', '-e', 'frame.number', '-e', 'sip.Method', '-e', 'sip.Status-Code'], {
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'ignore'],
      });
      expect(tsharkMessages(live), capture.file).toEqual(tsharkMessages(readFileSync(`${file}.tshark.tsv`, 'utf8')));
    }
  });
});
