/**
 * The pushed-event copiers both transports run before a page's listener sees a payload
 * (src/shared/event-payloads.ts): a fresh object with the contract's fields, or null for anything else.
 */
import { describe, expect, it } from 'vitest';
import { captureStatusOf, traceProgressOf } from '../../src/shared/event-payloads.js';
import type { CaptureStatus } from '../../src/shared/api.js';

const status: CaptureStatus = {
  state: 'stopped',
  source: 'HEP udp 127.0.0.1:9060',
  startedAt: 1790000000.25,
  elapsedMs: 61_000,
  packets: 40,
  bytes: 24_000,
  messages: 36,
  calls: 3,
  analysis: 61,
  kernelReceived: null,
  kernelDropped: null,
  queueDepth: 0,
  queueDropped: 0,
  files: ['/srv/captures/sipscope_hep-udp-9060_20261124-130501.pcapng'],
  problem: null,
};

describe('captureStatusOf', () => {
  it('copies every field of the contract and nothing else', () => {
    const payload = { ...status, files: [...status.files], token: 'secret' };
    const copy = captureStatusOf(payload);
    expect(copy).toEqual(status);
    expect(copy).not.toHaveProperty('token');
    expect(copy?.files).not.toBe(payload.files);
  });

  const counts = ['startedAt', 'elapsedMs', 'packets', 'bytes', 'messages', 'calls', 'analysis', 'queueDepth', 'queueDropped'] as const;
  it.each(counts)('is null when %s is missing or not a number', (name) => {
    expect(captureStatusOf({ ...status, [name]: undefined })).toBeNull();
    expect(captureStatusOf({ ...status, [name]: '1' })).toBeNull();
    expect(captureStatusOf({ ...status, [name]: null })).toBeNull();
  });

  it.each([
    ['an unknown state', { state: 'paused' }],
    ['no source', { source: undefined }],
    ['a kernel count as text', { kernelReceived: '12' }],
    ['a missing kernel drop count', { kernelDropped: undefined }],
    ['files not an array', { files: '/tmp/a.pcapng' }],
    ['a file that is not a string', { files: ['/tmp/a.pcapng', null] }],
    ['a problem that is not a string', { problem: { message: 'x' } }],
    ['a missing problem', { problem: undefined }],
  ])('is null for %s', (_name, change) => {
    expect(captureStatusOf({ ...status, ...change })).toBeNull();
  });

  it.each([[null], [undefined], ['capturing'], [42], [[status]]])('is null for %j', (payload) => {
    expect(captureStatusOf(payload)).toBeNull();
  });
});

describe('traceProgressOf', () => {
  it('copies the progress fields, and refuses an unknown phase or a count as text', () => {
    const progress = { path: '/t/a.pcap', bytesRead: 1, totalBytes: 2, messages: 0, phase: 'analysing' as const };
    expect(traceProgressOf({ ...progress, extra: 1 })).toEqual(progress);
    expect(traceProgressOf({ ...progress, phase: 'exploding' })).toBeNull();
    expect(traceProgressOf({ ...progress, bytesRead: '1' })).toBeNull();
    expect(traceProgressOf(null)).toBeNull();
  });
});
