/**
 * The trace service's streaming open (progress, rows while reading, cancel), its views (frame order, filter
 * results, sorted pages), the per-message / per-call operations, and the same service run in a worker thread
 * (src/main/trace-worker.ts, as built by `npm run build:cli` into dist/main/).
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createInProcessTraceService, GONE_VIEW_MESSAGE, type TraceService } from '../../src/main/trace-service.js';
import { createWorkerTraceService } from '../../src/main/trace-worker-client.js';
import type { FilterOutcome, RowsPage, TraceProgress } from '../../src/shared/api.js';
import { haveSharedCaptures, repoRoot, sharedCapture } from '../helpers/paths.js';

const sample = join(repoRoot, 'resources/sample-volte.pcap');
/** 3.7 MB, 8989 SIP messages in 1334 Call-IDs (MANIFEST.md #1): read in 4 chunks of 1 MiB. */
const branchScenario = sharedCapture('sipnab_sipp-branch-scenario.pcapng');
const workerFile = join(repoRoot, 'dist/main/trace-worker.js');

function matched(outcome: FilterOutcome): Extract<FilterOutcome, { ok: true }> {
  if (!outcome.ok) throw new Error(`the filter did not compile: ${outcome.error.message}`);
  return outcome;
}

describe('rows of the sample trace (36 messages, 3 calls of 12 messages)', () => {
  const service = createInProcessTraceService();
  beforeAll(async () => {
    await service.open(sample);
  });
  afterAll(() => service.dispose());

  it('gives view 0 in frame order, with positions and deltas from the previous row (tshark frame.time_delta_displayed)', async () => {
    const page = await service.getRows({ view: 0, start: 0, count: 5 });
    expect(page).toMatchObject({ view: 0, total: 36, start: 0 });
    expect(page.rows.map((r) => [r.row, r.position, r.frame])).toEqual([
      [0, 0, 1],
      [1, 1, 2],
      [2, 2, 3],
      [3, 3, 4],
      [4, 4, 5],
    ]);
    expect(page.rows.map((r) => r.delta)).toEqual([0, 0.000253, 0.001189, 0.000148, 0.000044].map((d) => expect.closeTo(d, 6)));
    // A page that starts further on measures its first delta from the row before it, not from nothing.
    const later = await service.getRows({ view: 0, start: 3, count: 2 });
    expect(later.rows.map((r) => r.delta)).toEqual([expect.closeTo(0.000148, 6), expect.closeTo(0.000044, 6)]);
  });

  it('clamps the window to the view and to 1000 rows', async () => {
    expect(await service.getRows({ view: 0, start: 30, count: 100 })).toMatchObject({ total: 36, start: 30, rows: { length: 6 } });
    expect(await service.getRows({ view: 0, start: 500, count: 10 })).toMatchObject({ total: 36, start: 36, rows: [] });
  });

  it('sorts a view by a column, both ways, and measures deltas in the sorted order', async () => {
    const up = await service.getRows({ view: 0, start: 0, count: 36, sort: { column: 'time', descending: false } });
    const down = await service.getRows({ view: 0, start: 0, count: 36, sort: { column: 'time', descending: true } });
    expect(down.rows.map((r) => r.row)).toEqual(up.rows.map((r) => r.row).reverse());
    expect(down.rows.map((r) => r.position)).toEqual([...Array(36).keys()]);
    for (let i = 1; i < 36; i++) {
      expect(down.rows[i].time).toBeLessThanOrEqual(down.rows[i - 1].time);
      expect(down.rows[i].delta).toBeCloseTo(down.rows[i].time - down.rows[i - 1].time, 9);
    }
    const byCallId = await service.getRows({ view: 0, start: 0, count: 36, sort: { column: 'callId', descending: false } });
    expect(byCallId.rows.map((r) => r.callId)).toEqual([...byCallId.rows.map((r) => r.callId)].sort());
  });

  it('fills custom header columns in the order asked', async () => {
    const page = await service.getRows({ view: 0, start: 0, count: 1, headers: ['CSeq', 'Call-ID'] });
    expect(page.rows[0].custom).toEqual(['1 INVITE', '1-27294@127.0.0.1']);
  });

  it('keeps a filter result as a view; the next filter replaces it, and the old id is gone', async () => {
    // tshark -Y 'sip.Method == "INVITE"': frames 1, 11, 23, one per call.
    const invites = matched(await service.applyFilter('sip.Method == "INVITE"'));
    expect(invites).toMatchObject({ matching: 3, matchingCalls: 3, firstFrames: [1, 11, 23] });
    expect(invites.view).toBeGreaterThan(0);
    expect(invites.elapsedMs).toBeGreaterThanOrEqual(0);
    const rows = await service.getRows({ view: invites.view, start: 0, count: 10 });
    expect(rows).toMatchObject({ view: invites.view, total: 3 });
    expect(rows.rows.map((r) => [r.frame, r.method, r.position])).toEqual([
      [1, 'INVITE', 0],
      [11, 'INVITE', 1],
      [23, 'INVITE', 2],
    ]);
    expect((await service.getCalls(invites.view)).map((c) => c.callId)).toEqual(['1-27294@127.0.0.1', '2-27294@127.0.0.1', '3-27294@127.0.0.1']);

    const one = matched(await service.applyFilter('sip.Call-ID == "2-27294@127.0.0.1"'));
    expect(one.view).toBeGreaterThan(invites.view);
    expect(one).toMatchObject({ matching: 12, matchingCalls: 1 });
    await expect(service.getRows({ view: invites.view, start: 0, count: 10 })).rejects.toThrow(GONE_VIEW_MESSAGE);
    await expect(service.getCalls(invites.view)).rejects.toThrow(GONE_VIEW_MESSAGE);
    await expect(service.getStatistics(invites.view)).rejects.toThrow(GONE_VIEW_MESSAGE);
    const calls = await service.getCalls(one.view);
    expect(calls.map((c) => [c.callId, c.messages])).toEqual([['2-27294@127.0.0.1', 12]]);
    expect((await service.getStatistics(one.view)).calls).toBe(1);
    expect((await service.getStatistics(0)).calls).toBe(3);
    // A filter that does not compile makes no view and keeps the last one.
    expect((await service.applyFilter('sip.Method ==')).ok).toBe(false);
    expect((await service.getRows({ view: one.view, start: 0, count: 1 })).total).toBe(12);
    // View 0 always lives.
    expect((await service.getCalls(0)).length).toBe(3);
  });

  it('gives one message in detail, and refuses a row the trace does not have', async () => {
    const detail = await service.getMessage(10);
    expect(detail).toMatchObject({ row: 10, frame: 11, method: 'INVITE', call: 1 });
    await expect(service.getMessage(36)).rejects.toThrow('there is no message 36 in this trace (it has 36)');
  });

  it('draws the ladder of calls, at most 64, and refuses calls the trace does not have', async () => {
    const ladder = await service.getLadder([0, 2]);
    expect(ladder.calls).toEqual([0, 2]);
    expect(ladder.arrows).toHaveLength(24);
    expect(ladder.arrows.map((a) => a.frame)).toEqual([...ladder.arrows.map((a) => a.frame)].sort((a, b) => a - b));
    await expect(service.getLadder([3])).rejects.toThrow('there is no call 3 in this trace (it has 3)');
    await expect(service.getLadder(Array.from({ length: 65 }, () => 0))).rejects.toThrow(/at most 64 calls/);
  });

  it('drops the filter views when another trace is opened', async () => {
    const local = createInProcessTraceService();
    await local.open(sample);
    const view = matched(await local.applyFilter('sip')).view;
    await local.open(sample);
    await expect(local.getRows({ view, start: 0, count: 1 })).rejects.toThrow(GONE_VIEW_MESSAGE);
    expect((await local.getRows({ view: 0, start: 0, count: 1 })).total).toBe(36);
    local.dispose();
    await expect(local.getRows({ view: 0, start: 0, count: 1 })).rejects.toThrow(/no trace is open/);
  });
});

describe('before a trace is open', () => {
  it('refuses rows, messages and calls, saying to open a trace', async () => {
    const local = createInProcessTraceService();
    await expect(local.getRows({ view: 0, start: 0, count: 1 })).rejects.toThrow('no trace is open: open a trace first');
    await expect(local.getMessage(0)).rejects.toThrow(/no trace is open/);
    await expect(local.getCalls(0)).rejects.toThrow(/no trace is open/);
    await expect(local.cancelOpen()).resolves.toBeUndefined();
  });
});

describe.runIf(haveSharedCaptures)('streaming open of a 3.7 MB trace (sipnab_sipp-branch-scenario.pcapng)', () => {
  it('reports progress while reading, serves the rows read so far, then analyses and ends with done', async () => {
    const service = createInProcessTraceService();
    const events: TraceProgress[] = [];
    const pages: [TraceProgress, Promise<RowsPage>][] = [];
    const summary = await service.open(branchScenario, (progress) => {
      events.push(progress);
      if (progress.phase === 'reading') pages.push([progress, service.getRows({ view: 0, start: 0, count: 3 })]);
    });
    expect(summary).toMatchObject({ messages: 8989, calls: 1334, packets: 8989, complete: true, fileProblems: [] });
    expect(events.map((e) => e.phase)).toEqual([...events.filter((e) => e.phase === 'reading').map(() => 'reading'), 'analysing', 'done']);
    expect(events.filter((e) => e.phase === 'reading').length).toBeGreaterThanOrEqual(1);
    for (let i = 1; i < events.length; i++) {
      expect(events[i].messages).toBeGreaterThanOrEqual(events[i - 1].messages);
      expect(events[i].bytesRead).toBeGreaterThanOrEqual(events[i - 1].bytesRead);
    }
    expect(events.at(-1)).toEqual({ path: branchScenario, bytesRead: 3716196, totalBytes: 3716196, messages: 8989, phase: 'done' });
    // While reading, view 0 held exactly the messages indexed at that moment, from frame 1 on.
    expect(pages.some(([progress]) => progress.messages > 0 && progress.messages < 8989)).toBe(true);
    for (const [progress, page] of pages) {
      const rows = await page;
      expect(rows.total).toBe(progress.messages);
      expect(rows.rows[0].frame).toBe(1);
    }
    // Rows read before the analysis get their call once it is done.
    expect((await service.getRows({ view: 0, start: 0, count: 1 })).rows[0].call).toBeGreaterThanOrEqual(0);
    service.dispose();
  });

  it('stops reading on cancel: what was read stays open, marked incomplete', async () => {
    const service = createInProcessTraceService();
    const phases: string[] = [];
    const opening = service.open(branchScenario, (progress) => phases.push(progress.phase));
    await service.cancelOpen();
    const summary = await opening;
    expect(summary.complete).toBe(false);
    // Reading stops at the first chunk boundary: 1 MiB of the 3.7 MB.
    expect(summary.messages).toBeGreaterThan(0);
    expect(summary.messages).toBeLessThan(8989);
    expect(summary.calls).toBeLessThan(1334);
    expect(phases.at(-1)).toBe('done');
    expect((await service.getRows({ view: 0, start: 0, count: 1000 })).total).toBe(summary.messages);
    expect(matched(await service.applyFilter('sip')).matching).toBe(summary.messages);
    service.dispose();
  });
});

describe('opens that overlap', () => {
  it('a cancelled open overtaken by a newer one rejects, and the newer trace is the one kept', async () => {
    const service = createInProcessTraceService();
    const loaded = join(repoRoot, 'test/fixtures/sipp-volte-tcp-loaded.pcap'); // 720 messages
    const first = service.open(loaded);
    await service.cancelOpen();
    const second = service.open(sample);
    await expect(first).rejects.toThrow(`the opening of ${loaded} was replaced by a newer one`);
    await expect(second).resolves.toMatchObject({ messages: 36, complete: true });
    expect((await service.getRows({ view: 0, start: 0, count: 1 })).total).toBe(36);
    service.dispose();
  });

  it('dispose stops an open in flight, which rejects saying so', async () => {
    const service = createInProcessTraceService();
    const opening = service.open(sample);
    service.dispose();
    await expect(opening).rejects.toThrow(`the opening of ${sample} stopped: its window or page closed`);
    await expect(service.getRows({ view: 0, start: 0, count: 1 })).rejects.toThrow(/no trace is open/);
  });
});

describe('the trace service in a worker thread (dist/main/trace-worker.js)', () => {
  let worker: TraceService;
  beforeAll(() => {
    if (!existsSync(workerFile)) throw new Error(`${workerFile} is missing: run 'npm run build:cli' before these tests`);
    worker = createWorkerTraceService({ workerFile });
  });
  afterAll(() => worker?.dispose());

  it('opens a trace with progress events and answers as the in-process service does', async () => {
    const events: TraceProgress[] = [];
    const summary = await worker.open(sample, (progress) => events.push(progress));
    expect(summary).toMatchObject({ path: sample, messages: 36, calls: 3, packets: 36, complete: true });
    expect(events.map((e) => e.phase)).toEqual(['reading', 'analysing', 'done']);

    const local = createInProcessTraceService();
    await local.open(sample);
    const query = { view: 0, start: 2, count: 20, sort: { column: 'method' as const, descending: true }, headers: ['Via'] };
    expect(await worker.getRows(query)).toEqual(await local.getRows(query));
    expect(await worker.getMessage(5)).toEqual(await local.getMessage(5));
    expect(await worker.getCalls(0)).toEqual(await local.getCalls(0));
    expect(await worker.getLadder([1])).toEqual(await local.getLadder([1]));
    const filter = matched(await worker.applyFilter('sip.Status-Code >= 200'));
    const localFilter = matched(await local.applyFilter('sip.Status-Code >= 200'));
    expect({ ...filter, elapsedMs: 0 }).toEqual({ ...localFilter, elapsedMs: 0 });
    expect(await worker.getStatistics(filter.view)).toEqual(await local.getStatistics(localFilter.view));
    local.dispose();
  });

  it("passes the engine's errors back as rejections with the same message", async () => {
    await expect(worker.open(join(repoRoot, 'no-such.pcap'))).rejects.toThrow(/no-such\.pcap.*no such file/);
    await expect(worker.getRows({ view: 0, start: 0, count: 1 })).rejects.toThrow(/no trace is open/);
    await expect(worker.getRows({ view: 99, start: 0, count: 1 })).rejects.toThrow(/no trace is open/);
  });

  it('keeps the decode-as rules on the main side and opens with them', async () => {
    const hep = join(repoRoot, 'test/fixtures/hep3-udp.pcap');
    expect(worker.setDecodeAs(['udp.port==9060,none'])).toEqual(['udp.port==9060,none']);
    await expect(worker.open(hep)).resolves.toMatchObject({ messages: 0 });
    expect(worker.setDecodeAs([])).toEqual([]);
    await expect(worker.open(hep)).resolves.toMatchObject({ messages: 36 });
    expect(worker.filterFields().some((f) => f.name === 'sip.Method')).toBe(true);
  });

  it.runIf(haveSharedCaptures)('cancels reading in the worker', async () => {
    const opening = worker.open(branchScenario);
    await worker.cancelOpen();
    const summary = await opening;
    expect(summary.complete).toBe(false);
    expect(summary.messages).toBeLessThan(8989);
    expect((await worker.getRows({ view: 0, start: 0, count: 1 })).total).toBe(summary.messages);
  });

  it('refuses every request once disposed, the open in flight included', async () => {
    const own = createWorkerTraceService({ workerFile });
    await expect(own.open(sample)).resolves.toMatchObject({ messages: 36 });
    const pending = own.getRows({ view: 0, start: 0, count: 1 });
    own.dispose();
    await expect(pending).rejects.toThrow('this trace service is closed');
    await expect(own.getCalls(0)).rejects.toThrow('this trace service is closed');
  });
});
