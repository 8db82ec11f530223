/**
 * The harness of the call-analysis table tests (test/node/calls-captures*.test.ts): what an IMS engineer read in a
 * capture (per call: state, dialogs, procedures with their frames, retransmissions, KPIs, findings) and the checks that
 * compare it with `analyzeCalls`. Expectations come from tshark's decode, never from sipscope's output.
 */
import { expect } from 'vitest';
import { analyzeCalls, type CallAnalysis, type CallKpis, type CallState, type FindingSeverity } from '../../src/core/calls/analysis.js';
import type { ProcedureGroup, ProcedureOutcome } from '../../src/core/calls/procedures.js';
import type { MessageIndex } from '../../src/core/index/message-index.js';
import { analyzeFile } from '../../src/node/analyze.js';

export type Aspect = 'state' | 'dialogs' | 'procedures' | 'retransmissions' | 'kpis' | 'findings';

export interface ExpectedProcedure {
  group: ProcedureGroup;
  kind?: string;
  outcome: ProcedureOutcome;
  /** Compared only when given. */
  finalStatus?: number;
  /**
   * Every frame of the procedure (`Procedure.rows`): its transactions' requests (with retransmissions and
   * copies), responses and ACKs; a cancellation also takes the 487 and ACK that end the cancelled INVITE.
   */
  frames: number[];
}

export interface ExpectedFinding {
  severity: FindingSeverity;
  code: string;
  frames: number[];
}

export interface ExpectedCall {
  callId: string;
  state: CallState;
  dialogs: number;
  procedures: ExpectedProcedure[];
  retransmissions: number[];
  kpis: CallKpis;
  findings: ExpectedFinding[];
  /** Aspects where sipscope disagrees with the reading, with why the reading is right. */
  disagree?: Partial<Record<Aspect, string>>;
}

export interface ExpectedTrace {
  callSetups: number;
  answered: number;
  registrations: number;
  responseCodes?: Record<string, Record<string, number>>;
}

/** Frames a..b inclusive. */
export const range = (a: number, b: number): number[] => Array.from({ length: b - a + 1 }, (_, i) => a + i);

export interface Loaded {
  index: MessageIndex;
  analysis: CallAnalysis;
}

export function framesOf(index: MessageIndex, rows: Iterable<number>): number[] {
  return [...new Set(Array.from(rows, (row) => index.frameOf(row)))].sort((a, b) => a - b);
}

export function actualProcedures(loaded: Loaded, callIndex: number, expected: ExpectedProcedure[]): ExpectedProcedure[] {
  const { index, analysis } = loaded;
  return analysis.calls[callIndex].procedures.map((id, i) => {
    const p = analysis.procedures[id];
    const out: ExpectedProcedure = { group: p.group, outcome: p.outcome, frames: framesOf(index, p.rows) };
    if (p.kind !== undefined) out.kind = p.kind;
    if (expected[i] && 'finalStatus' in expected[i]) out.finalStatus = p.finalStatus;
    return out;
  });
}

export function sortFindings(findings: ExpectedFinding[]): ExpectedFinding[] {
  return [...findings].sort((a, b) => a.frames[0] - b.frames[0] || a.code.localeCompare(b.code) || (a.frames[1] ?? 0) - (b.frames[1] ?? 0));
}

export const checks: Record<Aspect, (loaded: Loaded, callIndex: number, expected: ExpectedCall) => void> = {
  state: ({ analysis }, i, e) => expect(analysis.calls[i].state).toBe(e.state),
  dialogs: ({ analysis }, i, e) => expect(analysis.calls[i].dialogs).toBe(e.dialogs),
  procedures: (loaded, i, e) => expect(actualProcedures(loaded, i, e.procedures)).toEqual(e.procedures),
  retransmissions: ({ index, analysis }, i, e) => expect(framesOf(index, analysis.calls[i].rows.filter((row) => analysis.retransmission[row] === 1))).toEqual(e.retransmissions),
  kpis: ({ analysis }, i, e) => {
    const kpis = analysis.calls[i].kpis;
    expect(Object.keys(kpis).sort()).toEqual(Object.keys(e.kpis).sort());
    // tshark's frame times are to the microsecond: the KPIs must agree to 1.5 µs.
    for (const [key, value] of Object.entries(e.kpis)) expect(Math.abs((kpis[key as keyof CallKpis] as number) - value), key).toBeLessThan(0.0015);
  },
  findings: ({ index, analysis }, i, e) => {
    const actual = analysis.calls[i].findings.map((f) => analysis.findings[f]).map((f): ExpectedFinding => ({ severity: f.severity, code: f.code, frames: framesOf(index, f.rows) }));
    expect(sortFindings(actual)).toEqual(sortFindings(e.findings));
  },
};

export const aspects: Aspect[] = ['state', 'dialogs', 'procedures', 'retransmissions', 'kpis', 'findings'];

/** SIPSCOPE_CHECK_TODOS=1 runs the disagreements as tests, to see which a fix has settled. */
export const checkTodos = Boolean(process.env.SIPSCOPE_CHECK_TODOS);

/** Reads a capture and analyses its calls as `sipscope calls` does (src/cli/calls.ts). */
export async function loadCalls(path: string): Promise<Loaded> {
  const { engine } = await analyzeFile(path, { engine: { messageFacts: true } });
  return { index: engine.index, analysis: analyzeCalls(engine.index, (row) => engine.facts.get(row), { sessionKeys: (row) => engine.facts.sessionKeys(row) }) };
}
