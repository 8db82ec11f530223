import { describe, expect, it } from 'vitest';
import type { TraceSummary } from '../../../src/shared/api.js';
import { reopenPath, shownTrace, tabAfterKey, traceReducer, type TraceState } from '../../../src/renderer/src/lib/trace-state.js';
import { baseName, clampSplit, formatBytes, openFailureText, progressFraction, progressText, splitAt, traceStatusParts } from '../../../src/renderer/src/lib/shell.js';

const summary: TraceSummary = {
  path: '/tmp/x.pcap', messages: 812, calls: 1, packets: 900, firstTime: 1, lastTime: 2, errors: 2, warnings: 1, fileProblems: [], complete: true, elapsedMs: 10,
};

describe('shell derivations', () => {
  it('progress', () => {
    expect(progressFraction(null)).toBe(0);
    expect(progressFraction({ bytesRead: 5, totalBytes: 0 })).toBe(0);
    expect(progressFraction({ bytesRead: 50, totalBytes: 200 })).toBe(0.25);
    expect(progressFraction({ bytesRead: 300, totalBytes: 200 })).toBe(1);
    expect(formatBytes(999)).toBe('999 B');
    expect(formatBytes(12_345_678)).toBe('12.3 MB');
    expect(progressText({ path: '/x', bytesRead: 20e6, totalBytes: 80e6, messages: 20411, phase: 'reading' })).toBe('Reading… 20.0 MB of 80.0 MB (25%) · 20411 messages');
  });
  it('trace status parts', () => {
    expect(traceStatusParts(summary)).toEqual(['812 messages', '1 call', '2 errors', '1 warning']);
    expect(traceStatusParts({ ...summary, errors: 0, warnings: 0, messages: 1, complete: false })).toEqual(['1 message', '1 call', 'partial (reading was cancelled)']);
    expect(baseName('C:\\traces\\a.pcapng')).toBe('a.pcapng');
    expect(baseName('/a/b.pcap')).toBe('b.pcap');
  });
  it('splitter', () => {
    expect(clampSplit(0.01)).toBe(0.15);
    expect(clampSplit(Number.NaN)).toBe(0.55);
    expect(splitAt(300, 100, 400)).toBe(0.5);
    expect(splitAt(1000, 100, 400)).toBe(0.85);
  });
});


describe('traceReducer', () => {
  const progress = { path: '/tmp/x.pcap', bytesRead: 10, totalBytes: 100, messages: 3, phase: 'reading' as const };
  it('goes opening → open for the current key, with progress in between', () => {
    let s: TraceState = { kind: 'none' };
    s = traceReducer(s, { type: 'open', path: '/tmp/x.pcap', key: '1' });
    expect(shownTrace(s)).toEqual({ key: '1', path: '/tmp/x.pcap', growing: true });
    s = traceReducer(s, { type: 'progress', progress });
    expect(s.kind === 'opening' && s.progress).toEqual(progress);
    s = traceReducer(s, { type: 'cancel' });
    expect(s.kind === 'opening' && s.cancelling).toBe(true);
    s = traceReducer(s, { type: 'opened', key: '1', summary });
    expect(s).toEqual({ kind: 'open', summary, key: '1' });
    expect(shownTrace(s)?.growing).toBe(false);
    expect(reopenPath(s)).toBe('/tmp/x.pcap');
    expect(traceReducer(s, { type: 'progress', progress })).toBe(s);
  });
  it('ignores replies and failures of a superseded open', () => {
    let s = traceReducer({ kind: 'none' }, { type: 'open', path: '/a', key: '1' });
    s = traceReducer(s, { type: 'open', path: '/b', key: '2' });
    expect(traceReducer(s, { type: 'opened', key: '1', summary })).toBe(s);
    expect(traceReducer(s, { type: 'failed', key: '1', path: '/a', message: 'x' })).toBe(s);
    expect(traceReducer(s, { type: 'failed', key: '2', path: '/b', message: 'bad' })).toEqual({ kind: 'failed', path: '/b', message: 'bad' });
    expect(traceReducer(s, { type: 'failed', key: null, path: null, message: 'dialog' }).kind).toBe('failed');
  });
  it('tabs keyboard', () => {
    expect(tabAfterKey('messages', 'ArrowRight')).toBe('calls');
    expect(tabAfterKey('messages', 'ArrowLeft')).toBe('reference');
    expect(tabAfterKey('calls', 'End')).toBe('reference');
    expect(tabAfterKey('calls', 'a')).toBeNull();
  });
});

describe('openFailureText', () => {
  it('names the file once: added when the message does not, left alone when it does', () => {
    expect(openFailureText('/t/a.pcap', 'permission denied')).toBe('Cannot open /t/a.pcap: permission denied');
    const named = 'Cannot open "/t/a.pcap": not a pcap or pcapng capture';
    expect(openFailureText('/t/a.pcap', named)).toBe(named);
    expect(openFailureText(null, 'the connection to sipscope serve is closed')).toBe('the connection to sipscope serve is closed');
  });
});
