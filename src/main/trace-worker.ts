// The trace worker: one `worker_threads` Worker per window (or served page) runs the engine here, so that
// reading and analysing a trace never blocks the Electron main process or `sipscope serve`'s event loop.
// Built as its own entry: out/main/trace-worker.js (electron.vite.config.ts) and dist/main/trace-worker.js
// (tsconfig.cli.json). ./trace-worker-client.ts is the other end; ./trace-worker-protocol.ts the messages.
//
// Requests are served concurrently: while `open` awaits the next chunk of the file, `getRows` (the rows
// indexed so far) and `cancelOpen` get their turn.
import { parentPort, workerData } from 'node:worker_threads';
import { createInProcessTraceService, type TraceService } from './trace-service.js';
import { TRACE_WORKER_MARK, type WorkerMessage, type WorkerOperation, type WorkerRequest } from './trace-worker-protocol.js';

type Operations = { [K in WorkerOperation]: (args: unknown[]) => Promise<unknown> };

/** The worker's side, over any `postMessage` (the worker's parent port; tests may pass their own). */
export function serveTraceWorker(post: (message: WorkerMessage) => void, service: TraceService = createInProcessTraceService()): (request: WorkerRequest) => void {
  // Arguments were validated by the main side (src/main/validate.ts) before they were posted here.
  const operations = (id: number): Operations => ({
    open: async ([path, rules]) => {
      service.setDecodeAs(rules as string[]);
      return service.open(path as string, (progress) => post({ id, progress }));
    },
    cancelOpen: () => service.cancelOpen(),
    getRows: ([query]) => service.getRows(query as Parameters<TraceService['getRows']>[0]),
    getMessage: ([row]) => service.getMessage(row as number),
    getCalls: ([view]) => service.getCalls(view as number),
    getLadder: ([calls]) => service.getLadder(calls as number[]),
    getStatistics: ([view]) => service.getStatistics(view as number),
    applyFilter: ([text]) => service.applyFilter(text as string),
    startCapture: async ([settings, rules]) => {
      service.setDecodeAs(rules as string[]);
      return service.startCapture(settings as Parameters<TraceService['startCapture']>[0], (captureStatus) => post({ id, captureStatus }));
    },
    stopCapture: () => service.stopCapture(),
    getAnnotations: () => service.getAnnotations(),
    setMessageNote: ([row, note]) => service.setMessageNote(row as number, note as Parameters<TraceService['setMessageNote']>[1]),
    setCallNote: ([call, note]) => service.setCallNote(call as number, note as Parameters<TraceService['setCallNote']>[1]),
    setHostAlias: ([address, alias]) => service.setHostAlias(address as string, alias as string | null),
    saveAnnotated: ([dest]) => service.saveAnnotated(dest as string),
    exportCalls: ([dest, request]) => service.exportCalls(dest as string, request as Parameters<TraceService['exportCalls']>[1]),
    flushNotes: () => service.flushNotes(),
  });
  return (request) => {
    const { id, op, args } = request;
    let run: Promise<unknown>;
    try {
      const operation = Object.prototype.hasOwnProperty.call(operations(id), op) ? operations(id)[op] : undefined;
      if (!operation) throw new Error(`the trace worker has no operation ${String(op)}`);
      run = operation(Array.isArray(args) ? args : []);
    } catch (err) {
      run = Promise.reject(err);
    }
    run.then(
      (value) => post({ id, ok: true, value }),
      (err: unknown) => post({ id, ok: false, error: err instanceof Error ? err.message : String(err) }),
    );
  };
}

if (parentPort && workerData === TRACE_WORKER_MARK) {
  const port = parentPort;
  const handle = serveTraceWorker((message) => port.postMessage(message));
  port.on('message', (request: WorkerRequest) => handle(request));
}
