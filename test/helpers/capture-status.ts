import type { CaptureStatus } from '../../src/shared/api.js';

/** A live capture's status as the contract carries it, on lo with `udp port 5060`, with `changes` applied. */
export function captureStatus(changes: Partial<CaptureStatus> = {}): CaptureStatus {
  return {
    state: 'capturing',
    source: 'lo (ethernet) — capture filter: udp port 5060',
    startedAt: 1_790_000_000,
    elapsedMs: 0,
    packets: 0,
    bytes: 0,
    messages: 0,
    calls: 0,
    analysis: 0,
    kernelReceived: null,
    kernelDropped: null,
    queueDepth: 0,
    queueDropped: 0,
    files: [],
    problem: null,
    ...changes,
  };
}
