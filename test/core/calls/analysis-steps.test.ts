/**
 * The call analysis and the header-line index as resumable steps (`analyzeCallsSteps`, `indexHeaderLinesSteps`),
 * which the app's trace worker drives in time slices so that it answers `getRows` while a large trace is
 * analysed (src/main/trace-service.ts): paused any number of times, they give exactly what the synchronous
 * `analyzeCalls` / `indexHeaderLines` give, and they pause all along each pass, not only between passes.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { analyzeCalls, analyzeCallsSteps, type CallAnalysis, type CallAnalysisOptions } from '../../../src/core/calls/analysis.js';
import { ROWS_PER_STEP } from '../../../src/core/calls/transactions.js';
import type { TraceEngine } from '../../../src/core/engine/trace-engine.js';
import type { FilterContext } from '../../../src/core/filter/field.js';
import { headerLinesOf, indexHeaderLines, indexHeaderLinesSteps, lookupField, lookupKeyedField } from '../../../src/core/filter/registry.js';
import { analyzeFile } from '../../../src/node/analyze.js';
import { fixtures, haveSharedCaptures, repoRoot, sharedCapture } from '../../helpers/paths.js';

async function read(path: string): Promise<TraceEngine> {
  return (await analyzeFile(path, { engine: { messageFacts: true, keepMessageBytes: true } })).engine;
}

function options(engine: TraceEngine, link: boolean): CallAnalysisOptions {
  return { link, sessionKeys: (row) => engine.facts.sessionKeys(row) };
}

/**
 * Two stepped analyses of the same trace driven in turn, one step each, with index reads (what `getRows`
 * does between slices) in between: each must end as the synchronous one, and neither may disturb the other.
 */
function steppedTwice(engine: TraceEngine, link: boolean): { results: CallAnalysis[]; pauses: number } {
  const runs = [0, 1].map(() => analyzeCallsSteps(engine.index, (row) => engine.facts.get(row), options(engine, link)));
  const results: CallAnalysis[] = [];
  let pauses = 0;
  let probe = 0;
  const pending = new Set(runs);
  while (pending.size > 0) {
    for (const run of runs) {
      if (!pending.has(run)) continue;
      const step = run.next();
      if (step.done) {
        results[runs.indexOf(run)] = step.value;
        pending.delete(run);
      } else if (run === runs[0]) pauses++;
      if (engine.index.count > 0) {
        probe = (probe + 7919) % engine.index.count;
        engine.index.callIdOf(probe);
        engine.index.frameOrder();
      }
    }
  }
  return { results, pauses };
}

const captures = [
  join(repoRoot, 'resources/sample-volte.pcap'),
  join(fixtures, 'sipp-volte-tcp-loaded.pcap'),
  join(fixtures, 'gtpu-volte.pcap'),
  ...(haveSharedCaptures ? ['sipnab_sipp-branch-scenario.pcapng', 'sngrep_aaa.pcap', 'gprshome_sip.pcap', 'nokia_10_tcp_volte.pcap.gz', 'heplify_sip_sctp.pcap'].map(sharedCapture) : []),
];

describe('the stepped call analysis', () => {
  it.each(captures)('%s: paused at every step, it gives what analyzeCalls gives, with and without session links', async (path) => {
    const engine = await read(path);
    expect(engine.index.count).toBeGreaterThan(0);
    for (const link of [true, false]) {
      const expected = analyzeCalls(engine.index, (row) => engine.facts.get(row), options(engine, link));
      const { results } = steppedTwice(engine, link);
      expect(results[0]).toEqual(expected);
      expect(results[1]).toEqual(expected);
      // Not two empty analyses: the trace has calls.
      expect(expected.calls.length).toBeGreaterThan(0);
    }
  }, 60_000);

  it.runIf(haveSharedCaptures)('pauses all along each pass of a large trace (8989 messages, 1334 calls), not only between passes', async () => {
    const engine = await read(sharedCapture('sipnab_sipp-branch-scenario.pcapng'));
    const rows = engine.index.count;
    expect(rows).toBe(8989);
    const { pauses } = steppedTwice(engine, true);
    // Each pass over the rows (transactions, calls and dialogs, procedure rows twice, statistics) pauses every
    // ROWS_PER_STEP rows, and the passes over transactions, procedures and calls weigh their rows too.
    expect(pauses).toBeGreaterThanOrEqual(5 * Math.floor(rows / ROWS_PER_STEP));
    // ...and no more than a handful of times per step's worth of rows in each of the ~12 passes: a step is
    // not one row.
    expect(pauses).toBeLessThan(16 * Math.ceil(rows / ROWS_PER_STEP) + 8);
  }, 60_000);

  it('pauses a few times on a tiny trace, and not per row', async () => {
    const engine = await read(join(repoRoot, 'resources/sample-volte.pcap'));
    const { pauses } = steppedTwice(engine, true);
    expect(engine.index.count).toBe(36);
    expect(pauses).toBeGreaterThan(0);
    expect(pauses).toBeLessThan(10);
  });
});

describe.runIf(haveSharedCaptures)('the stepped header-line index (sipnab_sipp-branch-scenario.pcapng, 8989 messages)', () => {
  function contextOf(engine: TraceEngine): FilterContext {
    return { index: engine.index, messages: engine.messageBytes, cache: new Map<string, unknown>() };
  }

  it('records the same lines as indexHeaderLines, pausing every few thousand messages', async () => {
    const engine = await read(sharedCapture('sipnab_sipp-branch-scenario.pcapng'));
    const whole = contextOf(engine);
    const expectedLines = indexHeaderLines(whole);
    const stepped = contextOf(engine);
    const steps = indexHeaderLinesSteps(stepped);
    let pauses = 0;
    let step = steps.next();
    while (!step.done) {
      pauses++;
      step = steps.next();
    }
    expect(step.value).toBe(expectedLines);
    expect(expectedLines).toBeGreaterThan(8989 * 5);
    expect(headerLinesOf(stepped)).toEqual(headerLinesOf(whole));
    expect(pauses).toBeGreaterThanOrEqual(4);
    expect(pauses).toBeLessThan(20);
  }, 60_000);

  it('stopped half-way, leaves an index filters still read every message right with', async () => {
    const engine = await read(sharedCapture('sipnab_sipp-branch-scenario.pcapng'));
    const whole = contextOf(engine);
    indexHeaderLines(whole);
    const partial = contextOf(engine);
    const steps = indexHeaderLinesSteps(partial);
    for (let i = 0; i < 2; i++) expect(steps.next().done).toBe(false);
    steps.return(0);
    expect(headerLinesOf(partial).lines).toBeGreaterThan(0);
    expect(headerLinesOf(partial).lines).toBeLessThan(headerLinesOf(whole).lines);
    const declarations = [lookupField('sip.User-Agent'), lookupField('sip.Via'), lookupKeyedField('sip.header', 'X-Anything'), lookupField('sip.Contact')];
    let withValues = 0;
    for (const declaration of declarations) {
      if (!declaration) throw new Error('a field is missing from the registry');
      const full = declaration.bind(whole);
      const part = declaration.bind(partial);
      if (full?.kind !== 'keyed' || part?.kind !== 'keyed') throw new Error(`${declaration.name}: no keyed reader`);
      for (let row = 0; row < engine.index.count; row++) {
        const want = full.values(full.key(row));
        if (want.length > 0) withValues++;
        expect(part.values(part.key(row)), `${declaration.name} row ${row}`).toEqual(want);
      }
    }
    expect(withValues).toBeGreaterThan(8989);
  }, 60_000);
});
