/**
 * The call analysis of a live capture (src/main/trace-service.ts `analyseLive`) runs over a frozen view of the
 * index (`MessageIndex.frozenView`) while the engine goes on decoding packets between its steps. It must give
 * exactly what an engine that only ever saw the packets up to the freeze gives, however much is appended meanwhile.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { CapturedPacket } from '../../../src/core/capture/types.js';
import { analyzeCalls, analyzeCallsSteps } from '../../../src/core/calls/analysis.js';
import { TraceEngine } from '../../../src/core/engine/trace-engine.js';
import { openCaptureFile } from '../../../src/node/capture-file.js';
import { fixtures, haveSharedCaptures, repoRoot, sharedCapture } from '../../helpers/paths.js';

async function packetsOf(path: string): Promise<CapturedPacket[]> {
  const packets: CapturedPacket[] = [];
  // The reader's bytes are valid only during the call: each packet keeps its own copy.
  await openCaptureFile(path, { packet: (p) => packets.push({ ...p, data: p.data.slice(), dataOffset: 0 }) as unknown as void, diagnostic: () => {} });
  return packets;
}

const engineOptions = { messageFacts: true, keepMessageBytes: true } as const;

const captures = [
  join(repoRoot, 'resources/sample-ims.pcap'),
  join(fixtures, 'sipp-volte-tcp-loaded.pcap'),
  join(fixtures, 'gtpu-volte.pcap'),
  ...(haveSharedCaptures ? ['sngrep_aaa.pcap', 'sipnab_sipp-branch-scenario.pcapng', 'heplify_sip_sctp.pcap'].map(sharedCapture) : []),
];

describe('the call analysis over a frozen view while the index grows', () => {
  it.each(captures)('%s: frozen at half the packets, with the rest decoded between steps, it equals the analysis of the first half', async (path) => {
    const packets = await packetsOf(path);
    const half = Math.floor(packets.length / 2);
    const growing = new TraceEngine(engineOptions);
    const firstHalf = new TraceEngine(engineOptions);
    for (const p of packets.slice(0, half)) {
      growing.addPacket(p);
      firstHalf.addPacket(p);
    }
    const rows = growing.index.count;
    expect(rows).toBe(firstHalf.index.count);
    expect(rows).toBeGreaterThan(0);
    const expected = analyzeCalls(firstHalf.index, (row) => firstHalf.facts.get(row), { sessionKeys: (row) => firstHalf.facts.sessionKeys(row) });

    const frozen = growing.index.frozenView(rows);
    const steps = analyzeCallsSteps(frozen, (row) => growing.facts.get(row), { sessionKeys: (row) => growing.facts.sessionKeys(row) });
    let next = half;
    let step = steps.next();
    while (!step.done) {
      // A few packets arrive between two steps, as batches reach the worker between two slices.
      for (const p of packets.slice(next, next + 3)) growing.addPacket(p);
      next += 3;
      step = steps.next();
    }
    for (const p of packets.slice(next)) growing.addPacket(p);
    expect(growing.index.count).toBeGreaterThan(rows);
    expect(frozen.count).toBe(rows);
    expect(frozen.frameOrder()).toHaveLength(rows);
    expect(step.value).toEqual(expected);
  }, 60_000);

  it('cannot be appended to, and never covers more than the index has', async () => {
    const engine = new TraceEngine(engineOptions);
    for (const p of (await packetsOf(join(repoRoot, 'resources/sample-ims.pcap'))).slice(0, 20)) engine.addPacket(p);
    const frozen = engine.index.frozenView();
    expect(frozen.count).toBe(engine.index.count);
    expect(() => frozen.appendRow(1, 1, 0, 0, 10, 0)).toThrow(TypeError);
    expect(engine.index.frozenView(engine.index.count + 50).count).toBe(engine.index.count);
    expect(frozen.get(0).frame).toBe(engine.index.get(0).frame);
  });
});
