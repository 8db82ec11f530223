import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { analyzeCalls } from '../../src/core/calls/analysis.js';
import { compileDisplayFilter, matchingCalls, matchingRows } from '../../src/core/filter/filter.js';
import { analyzeFile } from '../../src/node/analyze.js';
import { fixtures } from '../helpers/paths.js';

/**
 * sipscope's own fields (Wireshark has no IMS procedures): checked against test/fixtures/flows/expected.json,
 * which says, from tshark's decode and the SIPp scenarios, what an IMS engineer reads in each flow: the
 * frames of every call with its state, of every procedure with its group and outcome, the retransmissions.
 */
interface ExpectedProcedure {
  group: string;
  outcome: string;
  frames: number[];
}
interface ExpectedCall {
  callId: string;
  frames: number[];
  state: string;
  procedures: ExpectedProcedure[];
  retransmissions: number[];
}
const expected = JSON.parse(readFileSync(join(fixtures, 'flows/expected.json'), 'utf8')) as { captures: { file: string; calls: ExpectedCall[] }[] };

async function open(file: string) {
  const result = await analyzeFile(join(fixtures, 'flows', file), { engine: { messageFacts: true, keepMessageBytes: true } });
  const engine = result.engine;
  const calls = analyzeCalls(engine.index, (row) => engine.facts.get(row), { sessionKeys: (row) => engine.facts.sessionKeys(row) });
  const context = { index: engine.index, messages: engine.messageBytes, facts: engine.facts, calls, cache: new Map() };
  const run = (filter: string) => {
    const compiled = compileDisplayFilter(filter);
    if (compiled.error) throw new Error(`${filter}: ${compiled.error.message}`);
    return compiled.filter.bind(context);
  };
  const frames = (filter: string) => [...new Set(Array.from(matchingRows(run(filter), engine.index.frameOrder()), (row) => engine.index.frameOf(row)))].sort((a, b) => a - b);
  return { frames, run, calls };
}

const sorted = (frames: Iterable<number>) => [...new Set(frames)].sort((a, b) => a - b);

describe('IMS fields on the SIPp flows of expected.json', () => {
  it.each(expected.captures.map((c) => [c.file, c.calls] as const))('%s', async (file, calls) => {
    const trace = await open(file);
    for (const state of new Set(calls.map((c) => c.state))) {
      expect(trace.frames(`call.state == "${state}"`), `call.state == "${state}"`).toEqual(sorted(calls.filter((c) => c.state === state).flatMap((c) => c.frames)));
    }
    const procedures = calls.flatMap((c) => c.procedures);
    for (const group of new Set(procedures.map((p) => p.group))) {
      expect(trace.frames(`ims.procedure == "${group}"`), `ims.procedure == "${group}"`).toEqual(sorted(procedures.filter((p) => p.group === group).flatMap((p) => p.frames)));
    }
    for (const outcome of new Set(procedures.map((p) => p.outcome))) {
      expect(trace.frames(`ims.procedure.outcome == "${outcome}"`), outcome).toEqual(sorted(procedures.filter((p) => p.outcome === outcome).flatMap((p) => p.frames)));
    }
    expect(trace.frames('transaction.retransmission')).toEqual(sorted(calls.flatMap((c) => c.retransmissions)));
    expect(trace.frames('!transaction.retransmission').length + trace.frames('transaction.retransmission').length).toBe(sorted(calls.flatMap((c) => c.frames)).length);
    // Each call, by its number, holds exactly its frames; `calls --filter` keeps the calls with a match.
    calls.forEach((call) => {
      const number = trace.calls.calls.find((c) => c.callId === call.callId && c.rows.length === call.frames.length);
      expect(number, call.callId).toBeDefined();
      expect(trace.frames(`call.id == ${(number?.index ?? 0) + 1}`)).toEqual(sorted(call.frames));
      expect(trace.frames(`call.call_id == "${call.callId}"`)).toEqual(sorted(calls.filter((c) => c.callId === call.callId).flatMap((c) => c.frames)));
    });
    const failed = calls.filter((c) => c.procedures.some((p) => p.outcome === 'failure'));
    expect(matchingCalls(trace.run('ims.procedure.outcome == "failure"'), trace.calls).length).toBe(failed.length);
  });
});
