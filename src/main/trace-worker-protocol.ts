// What the main side (./trace-worker-client.ts) and the trace worker (./trace-worker.ts) say to each other,
// and the small pieces both sides of a trace service share (decode-as rules as text, the field list).
// Kept apart from ./trace-service.ts so that neither side imports the other at run time.
import { parseDecodeAs, type DecodeAsRule } from '../core/engine/decode-as.js';
import { allFields } from '../core/filter/registry.js';
import type { CaptureStatus, FilterFieldInfo, TraceProgress } from '../shared/api.js';

/** The client's `workerData`: only a Worker started as a trace worker serves requests (not any thread importing the module). */
export const TRACE_WORKER_MARK = 'sipscope-trace-worker';

/** The operations the worker runs; `open` takes `[path, decode-as rules as text]`. */
export type WorkerOperation =
  | 'open'
  | 'cancelOpen'
  | 'getRows'
  | 'getMessage'
  | 'getCalls'
  | 'getLadder'
  | 'getStatistics'
  | 'applyFilter'
  | 'startCapture'
  | 'stopCapture'
  | 'getAnnotations'
  | 'setMessageNote'
  | 'setCallNote'
  | 'setHostAlias'
  | 'saveAnnotated'
  | 'exportCalls'
  | 'flushNotes';

/** main → worker. */
export interface WorkerRequest {
  id: number;
  op: WorkerOperation;
  args: unknown[];
}

/**
 * worker → main: the reply to request `id`, progress of the open request `id`, or the counters of the live
 * capture started by request `id` (they keep coming after its reply, until the capture ends).
 */
export type WorkerMessage =
  | { id: number; ok: true; value: unknown }
  | { id: number; ok: false; error: string }
  | { id: number; progress: TraceProgress }
  | { id: number; captureStatus: CaptureStatus };

/** A rule in its canonical spelling, the way `parseDecodeAs` reads it back. */
export function ruleText(rule: DecodeAsRule): string {
  return `${rule.transport}.port==${rule.port},${rule.protocol}`;
}

/** Parses every rule, or throws an Error naming the first bad one (nothing is half-applied). */
export function parseDecodeAsRules(texts: readonly string[]): DecodeAsRule[] {
  const parsed: DecodeAsRule[] = [];
  for (const text of texts) {
    const rule = parseDecodeAs(text);
    if ('error' in rule) throw new Error(rule.error);
    parsed.push(rule);
  }
  return parsed;
}

/** Every display-filter field, sorted by name, as the contract describes them. */
export function filterFieldInfos(): FilterFieldInfo[] {
  return allFields().map((field) => {
    const info: FilterFieldInfo = { name: field.name, type: field.type, description: field.description };
    if (field.values) info.values = [...field.values];
    return info;
  });
}
