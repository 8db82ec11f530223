/**
 * Pushed events checked and copied field by field before they reach the page's listeners, for both transports
 * (the preload bridge over IPC, the WebSocket client of `sipscope serve`): a listener gets a fresh object with
 * the contract's fields only, or nothing when the payload is not one. No imports at run time, so the sandboxed
 * preload can bundle it.
 */
import type { CaptureStatus, TraceProgress } from './api.js';

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

const PHASES: readonly string[] = ['reading', 'analysing', 'done'] satisfies TraceProgress['phase'][];

/** A `TraceProgress` copied from a pushed payload, or null when it is not one. */
export function traceProgressOf(payload: unknown): TraceProgress | null {
  if (!isRecord(payload)) return null;
  const { path, bytesRead, totalBytes, messages, phase } = payload;
  if (typeof path !== 'string' || typeof bytesRead !== 'number' || typeof totalBytes !== 'number' || typeof messages !== 'number') return null;
  if (typeof phase !== 'string' || !PHASES.includes(phase)) return null;
  return { path, bytesRead, totalBytes, messages, phase: phase as TraceProgress['phase'] };
}

const CAPTURE_STATES: readonly string[] = ['capturing', 'stopped', 'failed'] satisfies CaptureStatus['state'][];
const CAPTURE_COUNTS = ['startedAt', 'elapsedMs', 'packets', 'bytes', 'messages', 'calls', 'analysis', 'queueDepth', 'queueDropped'] as const;

const numberOrNull = (value: unknown): value is number | null => value === null || typeof value === 'number';

/** A `CaptureStatus` copied from a pushed payload, or null when it is not one. */
export function captureStatusOf(payload: unknown): CaptureStatus | null {
  if (!isRecord(payload)) return null;
  const { state, source, kernelReceived, kernelDropped, files, problem } = payload;
  if (typeof state !== 'string' || !CAPTURE_STATES.includes(state) || typeof source !== 'string') return null;
  if (!numberOrNull(kernelReceived) || !numberOrNull(kernelDropped)) return null;
  if (!Array.isArray(files) || !files.every((f) => typeof f === 'string')) return null;
  if (problem !== null && typeof problem !== 'string') return null;
  const counts = {} as Record<(typeof CAPTURE_COUNTS)[number], number>;
  for (const name of CAPTURE_COUNTS) {
    const value = payload[name];
    if (typeof value !== 'number') return null;
    counts[name] = value;
  }
  return { state: state as CaptureStatus['state'], source, ...counts, kernelReceived, kernelDropped, files: [...(files as string[])], problem };
}
