// The main side of a trace service whose engine runs in a worker thread (./trace-worker.ts): each
// operation is posted as `{ id, op, args }`, and the worker answers `{ id, ok, value | error }`, with
// `{ id, progress }` messages for an open in progress. One worker per service, so one per window (src/main/
// index.ts) and one per page of `sipscope serve`; `dispose()` terminates it, which frees its trace at once.
//
// The decode-as rules and the field list are answered here (both are synchronous in `TraceService`): the
// rules are parsed here and sent with each `open`.
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { DecodeAsRule } from '../core/engine/decode-as.js';
import type { CaptureStatus, TraceProgress } from '../shared/api.js';
import type { TraceService } from './trace-service.js';
import {
  TRACE_WORKER_MARK,
  filterFieldInfos,
  parseDecodeAsRules,
  ruleText,
  type WorkerMessage,
  type WorkerOperation,
  type WorkerRequest,
} from './trace-worker-protocol.js';

/** The worker's file name in both builds. */
export const TRACE_WORKER_FILE = 'trace-worker.js';

/**
 * The built worker beside this module: dist/main/ (tsc keeps one file per module) or out/main/ (electron-vite
 * bundles this module into index.js, or into a shared chunk one folder down). Null when running from the
 * TypeScript sources (vitest), where there is no .js to start.
 */
export function findTraceWorkerFile(): string | null {
  const here = dirname(fileURLToPath(import.meta.url));
  for (const candidate of [join(here, TRACE_WORKER_FILE), join(here, '..', TRACE_WORKER_FILE)]) {
    if (existsSync(candidate)) return candidate;
  }
  return null;
}

export interface WorkerTraceServiceOptions {
  /** The worker script (see `findTraceWorkerFile`). */
  workerFile: string;
}

interface Pending {
  resolve(value: unknown): void;
  reject(error: Error): void;
  onProgress?: (progress: TraceProgress) => void;
}

export function createWorkerTraceService({ workerFile }: WorkerTraceServiceOptions): TraceService {
  let rules: DecodeAsRule[] = [];
  let worker: Worker | undefined;
  let disposed = false;
  let nextId = 1;
  const pending = new Map<number, Pending>();
  /** The live capture's status listener, by the id of the request that started it (the latest capture only). */
  let capture: { id: number; onStatus: (status: CaptureStatus) => void; last?: CaptureStatus } | undefined;

  function failAll(message: string): void {
    for (const request of pending.values()) request.reject(new Error(message));
    pending.clear();
  }

  function started(): Worker {
    if (worker) return worker;
    const created = new Worker(workerFile, { workerData: TRACE_WORKER_MARK });
    // The app's or the server's lifetime is not the worker's business: it never keeps the process alive.
    created.unref();
    created.on('message', (message: WorkerMessage) => {
      if ('captureStatus' in message) {
        if (capture?.id === message.id) {
          capture.last = message.captureStatus;
          capture.onStatus(message.captureStatus);
        }
        return;
      }
      const request = pending.get(message.id);
      if (!request) return;
      if ('progress' in message) {
        request.onProgress?.(message.progress);
        return;
      }
      pending.delete(message.id);
      if (message.ok) request.resolve(message.value);
      else request.reject(new Error(message.error));
    });
    // An uncaught error or a crash (out of memory on a huge trace) ends the worker and its trace; the next
    // request starts a fresh one, which has no trace open until the page opens one again.
    const lost = (why: string): void => {
      if (worker !== created) return;
      worker = undefined;
      failAll(`the trace reader stopped (${why}); open the trace again`);
      // Its capture helpers lost their parent and stopped, their files finished (capture-helper.ts).
      const running = capture;
      capture = undefined;
      if (running?.last?.state === 'capturing') {
        running.onStatus({ ...running.last, state: 'failed', problem: `the trace reader stopped (${why}); the capture files on disk are complete up to here` });
      }
    };
    created.on('error', (err) => lost(err.message));
    created.on('exit', (code) => lost(`exit code ${code}`));
    worker = created;
    return created;
  }

  function call<T>(op: WorkerOperation, args: unknown[], onProgress?: (progress: TraceProgress) => void, onCaptureStatus?: (status: CaptureStatus) => void): Promise<T> {
    if (disposed) return Promise.reject(new Error('this trace service is closed'));
    const id = nextId++;
    if (onCaptureStatus) capture = { id, onStatus: onCaptureStatus };
    const request: WorkerRequest = { id, op, args };
    return new Promise<T>((resolve, reject) => {
      pending.set(id, { resolve: resolve as (value: unknown) => void, reject, onProgress });
      try {
        started().postMessage(request);
      } catch (err) {
        pending.delete(id);
        reject(err instanceof Error ? err : new Error(String(err)));
      }
    });
  }

  // Started now rather than on the first open: loading the engine into a fresh thread takes ~200 ms, which
  // would otherwise delay the first rows of the first trace.
  started();

  return {
    open: (path, onProgress) => call('open', [path, rules.map(ruleText)], onProgress),
    // Nothing to cancel when no worker runs.
    cancelOpen: () => (worker ? call<void>('cancelOpen', []) : Promise.resolve()),
    getRows: (query) => call('getRows', [query]),
    getMessage: (row) => call('getMessage', [row]),
    getCalls: (view) => call('getCalls', [view]),
    getLadder: (calls) => call('getLadder', [calls]),
    getStatistics: (view) => call('getStatistics', [view]),
    applyFilter: (text) => call('applyFilter', [text]),
    startCapture: (settings, onStatus) => call('startCapture', [settings, rules.map(ruleText)], undefined, onStatus),
    stopCapture: () => (worker ? call('stopCapture', []) : Promise.reject(new Error('no capture is running in this window'))),
    getAnnotations: () => call('getAnnotations', []),
    setMessageNote: (row, note) => call('setMessageNote', [row, note]),
    setCallNote: (call_, note) => call('setCallNote', [call_, note]),
    setHostAlias: (address, alias) => call('setHostAlias', [address, alias]),
    saveAnnotated: (dest) => call('saveAnnotated', [dest]),
    exportCalls: (dest, request) => call('exportCalls', [dest, request]),
    flushNotes: () => (worker ? call<void>('flushNotes', []) : Promise.resolve()),
    dispose() {
      const running = worker;
      disposed = true;
      worker = undefined;
      failAll('this trace service is closed');
      if (!running) return;
      // Notes waiting for their autosave are written before the worker ends (at most 2 s: a stuck worker still goes).
      const id = nextId++;
      const stop = (): void => void running.terminate();
      const timer = setTimeout(stop, 2000);
      timer.unref();
      running.on('message', (message: WorkerMessage) => {
        if (message.id !== id) return;
        clearTimeout(timer);
        stop();
      });
      try {
        running.postMessage({ id, op: 'flushNotes', args: [] } satisfies WorkerRequest);
      } catch {
        stop();
      }
    },
    decodeAs: () => rules.map(ruleText),
    setDecodeAs(texts) {
      rules = parseDecodeAsRules(texts);
      return rules.map(ruleText);
    },
    filterFields: filterFieldInfos,
  };
}
