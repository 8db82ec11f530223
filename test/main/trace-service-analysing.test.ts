/**
 * The analysing phase of an open (the calls analysis; the header-line index follows after the open, in the background) runs in time slices, so that the
 * trace service, in this thread or in its worker (dist/main/trace-worker.js, built by `npm run build:cli`),
 * answers `getRows` / `getMessage` while a large trace is analysed, and a cancel, a newer open or dispose stops
 * it. A cancel while analysing opens the trace with every message read but no calls, marked partial.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createInProcessTraceService, type TraceService } from '../../src/main/trace-service.js';
import { createWorkerTraceService } from '../../src/main/trace-worker-client.js';
import type { FilterOutcome, MessageDetail, RowsPage, TraceProgress } from '../../src/shared/api.js';
import { haveSharedCaptures, repoRoot, sharedCapture } from '../helpers/paths.js';

/** 3.7 MB, 8989 SIP messages in 1334 Call-IDs (MANIFEST.md #1). */
const branchScenario = sharedCapture('sipnab_sipp-branch-scenario.pcapng');
const workerFile = join(repoRoot, 'dist/main/trace-worker.js');

function matched(outcome: FilterOutcome): Extract<FilterOutcome, { ok: true }> {
  if (!outcome.ok) throw new Error(`the filter did not compile: ${outcome.error.message}`);
  return outcome;
}

const turn = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * Opens `path`, and from the 'analysing' progress on asks for a page of rows again as soon as the last one
 * came, until the open resolves. Returns the pages answered before the open resolved, and the open's summary.
 */
async function openAskingRows(service: TraceService, path: string): Promise<{ pages: RowsPage[]; details: MessageDetail[]; phases: string[]; summary: Awaited<ReturnType<TraceService['open']>> }> {
  const pages: RowsPage[] = [];
  const details: MessageDetail[] = [];
  const phases: string[] = [];
  let opened = false;
  let asking: Promise<void> | undefined;
  const summary = await service
    .open(path, (progress: TraceProgress) => {
      phases.push(progress.phase);
      if (progress.phase !== 'analysing') return;
      asking = (async () => {
        while (!opened) {
          const page = await service.getRows({ view: 0, start: 4000, count: 50 });
          const detail = await service.getMessage(page.rows[0].row);
          if (!opened) {
            pages.push(page);
            details.push(detail);
          }
          await turn();
        }
      })();
    })
    .finally(() => (opened = true));
  await asking;
  return { pages, details, phases, summary };
}

describe.runIf(haveSharedCaptures)('the analysing phase in this thread (sipnab_sipp-branch-scenario.pcapng)', () => {
  it('answers getRows and getMessage while the calls are analysed, and ends with the calls', async () => {
    const service = createInProcessTraceService();
    const { pages, details, phases, summary } = await openAskingRows(service, branchScenario);
    expect(summary).toMatchObject({ messages: 8989, calls: 1334, complete: true });
    expect(phases.slice(-2)).toEqual(['analysing', 'done']);
    // Several pages came while analysing: every message read, none with its call yet.
    expect(pages.length).toBeGreaterThanOrEqual(2);
    for (const page of pages) {
      expect(page.total).toBe(8989);
      expect(page.rows.map((r) => r.position)).toEqual(Array.from({ length: 50 }, (_, i) => 4000 + i));
      expect(page.rows.every((r) => r.call === -1 && r.procedure === null)).toBe(true);
    }
    expect(details).toHaveLength(pages.length);
    for (const detail of details) expect(detail.frame).toBe(pages[0].rows[0].frame);
    // Once open, the same rows have their calls.
    const after = await service.getRows({ view: 0, start: 4000, count: 50 });
    expect(after.rows.map((r) => r.frame)).toEqual(pages[0].rows.map((r) => r.frame));
    expect(after.rows.every((r) => r.call >= 0)).toBe(true);
    service.dispose();
  });

  it('stops analysing on cancel: every message stays open, with no calls, marked partial', async () => {
    const service = createInProcessTraceService();
    const phases: string[] = [];
    const summary = await service.open(branchScenario, (progress) => {
      phases.push(progress.phase);
      if (progress.phase === 'analysing') void service.cancelOpen();
    });
    expect(summary).toMatchObject({ messages: 8989, packets: 8989, calls: 0, complete: false });
    expect(phases.slice(-2)).toEqual(['analysing', 'done']);
    expect((await service.getRows({ view: 0, start: 0, count: 1000 })).total).toBe(8989);
    expect(await service.getCalls(0)).toEqual([]);
    // Filters on the messages work; on call fields they match nothing.
    const invites = matched(await service.applyFilter('sip.Method == "INVITE"'));
    expect(invites).toMatchObject({ messages: 8989, calls: 0, matchingCalls: 0 });
    expect(invites.matching).toBeGreaterThan(1000);
    expect(matched(await service.applyFilter('call.state == "IN CALL" || call.id >= 1 || ims.procedure')).matching).toBe(0);
    expect(await service.getStatistics(0)).toMatchObject({ view: 0 });
    // A cancel once the open is done changes nothing, and the next open analyses again.
    await service.cancelOpen();
    await expect(service.open(branchScenario)).resolves.toMatchObject({ messages: 8989, calls: 1334, complete: true });
    service.dispose();
  });

  it('a cancel while reading still has what was read analysed', async () => {
    const service = createInProcessTraceService();
    const opening = service.open(branchScenario);
    await service.cancelOpen();
    const summary = await opening;
    expect(summary.complete).toBe(false);
    expect(summary.messages).toBeLessThan(8989);
    expect(summary.calls).toBeGreaterThan(0);
    expect((await service.getCalls(0)).length).toBe(summary.calls);
    service.dispose();
  });

  it('stops analysing when disposed, or when a newer open comes, which rejects the older open', async () => {
    const disposed = createInProcessTraceService();
    const closing = disposed.open(branchScenario, (progress) => {
      if (progress.phase === 'analysing') setImmediate(() => disposed.dispose());
    });
    await expect(closing).rejects.toThrow(`the opening of ${branchScenario} stopped: its window or page closed`);
    await expect(disposed.getRows({ view: 0, start: 0, count: 1 })).rejects.toThrow(/no trace is open/);

    const service = createInProcessTraceService();
    const sample = join(repoRoot, 'resources/sample-volte.pcap');
    let newer: Promise<unknown> | undefined;
    const older = service.open(branchScenario, (progress) => {
      if (progress.phase === 'analysing') newer = service.open(sample);
    });
    await expect(older).rejects.toThrow(`the opening of ${branchScenario} was replaced by a newer one`);
    await expect(newer).resolves.toMatchObject({ messages: 36, calls: 3, complete: true });
    expect((await service.getRows({ view: 0, start: 0, count: 100 })).total).toBe(36);
    expect(await service.getCalls(0)).toHaveLength(3);
    service.dispose();
  });
});

describe.runIf(haveSharedCaptures)('the analysing phase in the worker thread (dist/main/trace-worker.js)', () => {
  let worker: TraceService;
  beforeAll(() => {
    if (!existsSync(workerFile)) throw new Error(`${workerFile} is missing: run 'npm run build:cli' before these tests`);
    worker = createWorkerTraceService({ workerFile });
  });
  afterAll(() => worker?.dispose());

  it('answers getRows while the calls are analysed, before the open resolves', async () => {
    const { pages, summary } = await openAskingRows(worker, branchScenario);
    expect(summary).toMatchObject({ messages: 8989, calls: 1334, complete: true });
    // A synchronous analysis would answer them all after the open: none before it resolved.
    expect(pages.length).toBeGreaterThanOrEqual(2);
    for (const page of pages) expect(page).toMatchObject({ total: 8989, start: 4000, rows: { length: 50 } });
  });

  it('stops analysing on cancel: every message stays open, with no calls', async () => {
    const opening = worker.open(branchScenario, (progress) => {
      if (progress.phase === 'analysing') void worker.cancelOpen();
    });
    await expect(opening).resolves.toMatchObject({ messages: 8989, calls: 0, complete: false });
    expect(await worker.getCalls(0)).toEqual([]);
    expect((await worker.getRows({ view: 0, start: 8900, count: 200 })).rows).toHaveLength(89);
  });
});
