/**
 * The live-capture side of the app's trace lifecycle (src/renderer/src/lib/trace-state.ts): a capture replaces
 * what is shown, its counters update it while it runs, a late counter update neither revives a stopped capture
 * nor touches a trace opened since, and what "read again" and "a trace is open" mean for a capture.
 * The open-a-file side is in test/renderer/lib/shell.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { liveSummary, reopenPath, shownTrace, traceReducer, type TraceState } from '../../../src/renderer/src/lib/trace-state.js';
import type { CaptureStatus, TraceSummary } from '../../../src/shared/api.js';
import { captureStatus } from '../../helpers/capture-status.js';

const file = '/srv/captures/sipscope_lo_20261124-130501.pcapng';
const capturing: CaptureStatus = captureStatus({ files: [file] });
const summary: TraceSummary = { path: '/tmp/x.pcap', messages: 3, calls: 1, packets: 3, firstTime: 1, lastTime: 2, errors: 0, warnings: 0, fileProblems: [], complete: true, elapsedMs: 1 };

describe('traceReducer with a live capture', () => {
  it('captureStarted replaces what is shown; captureStatus updates it while it runs and when it stops', () => {
    let s: TraceState = { kind: 'open', summary, key: '1' };
    s = traceReducer(s, { type: 'captureStarted', key: '2', status: capturing });
    expect(s).toEqual({ kind: 'live', key: '2', status: capturing });
    expect(shownTrace(s)).toEqual({ key: '2', path: file, growing: true });

    const later = { ...capturing, elapsedMs: 1_000, packets: 9, messages: 9, calls: 2, analysis: 1 };
    s = traceReducer(s, { type: 'captureStatus', status: later });
    expect(s).toEqual({ kind: 'live', key: '2', status: later });

    const stopped = { ...later, state: 'stopped' as const, elapsedMs: 1_200 };
    s = traceReducer(s, { type: 'captureStatus', status: stopped });
    expect(s).toEqual({ kind: 'live', key: '2', status: stopped });
    expect(shownTrace(s)).toEqual({ key: '2', path: file, growing: false });
  });

  it("ignores a late 'capturing' status after the capture stopped or failed", () => {
    const stopped: TraceState = { kind: 'live', key: '2', status: { ...capturing, state: 'stopped', packets: 9 } };
    expect(traceReducer(stopped, { type: 'captureStatus', status: { ...capturing, packets: 8 } })).toBe(stopped);
    const failed: TraceState = { kind: 'live', key: '2', status: { ...capturing, state: 'failed', problem: 'lo: The capture helper exited unexpectedly.' } };
    expect(traceReducer(failed, { type: 'captureStatus', status: capturing })).toBe(failed);
  });

  it('ignores the status of a capture this window no longer shows', () => {
    for (const state of [
      { kind: 'none' },
      { kind: 'open', summary, key: '3' },
      { kind: 'opening', path: '/tmp/x.pcap', key: '3', progress: null, cancelling: false },
      { kind: 'failed', path: null, message: 'x' },
    ] satisfies TraceState[]) {
      expect(traceReducer(state, { type: 'captureStatus', status: { ...capturing, state: 'stopped' } })).toBe(state);
    }
  });

  it('shows the source when the capture has no file yet', () => {
    expect(shownTrace({ kind: 'live', key: '4', status: { ...capturing, files: [] } })).toEqual({ key: '4', path: capturing.source, growing: true });
  });
});

describe('reopenPath of a live capture', () => {
  it('is its file once stopped (or failed); nothing while it runs or when it is several files', () => {
    expect(reopenPath({ kind: 'live', key: '1', status: capturing })).toBeNull();
    expect(reopenPath({ kind: 'live', key: '1', status: { ...capturing, state: 'stopped' } })).toBe(file);
    expect(reopenPath({ kind: 'live', key: '1', status: { ...capturing, state: 'failed' } })).toBe(file);
    const ring = [file.replace('.pcapng', '_00001.pcapng'), file.replace('.pcapng', '_00002.pcapng')];
    expect(reopenPath({ kind: 'live', key: '1', status: { ...capturing, state: 'stopped', files: ring } })).toBeNull();
    expect(reopenPath({ kind: 'live', key: '1', status: { ...capturing, state: 'stopped', files: [] } })).toBeNull();
  });
});

describe('liveSummary', () => {
  it("is the capture's counters as a trace summary, spanning start to now", () => {
    expect(liveSummary({ ...capturing, elapsedMs: 2_500, packets: 40, messages: 36, calls: 3 })).toEqual({
      path: file,
      messages: 36,
      calls: 3,
      packets: 40,
      firstTime: 1_790_000_000,
      lastTime: 1_790_000_002.5,
      errors: 0,
      warnings: 0,
      fileProblems: [],
      complete: true,
      elapsedMs: 2_500,
    });
  });

  it('carries the problem of a failed capture (only), as incomplete', () => {
    const problem = 'lo: The capture helper exited unexpectedly.';
    expect(liveSummary({ ...capturing, state: 'failed', problem })).toMatchObject({ fileProblems: [problem], complete: false });
    expect(liveSummary({ ...capturing, state: 'stopped', problem: 'kernel counts are not available' })).toMatchObject({ fileProblems: [], complete: true });
    expect(liveSummary({ ...capturing, files: [] }).path).toBe(capturing.source);
  });
});
