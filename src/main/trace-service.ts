// The seam between the window's IPC handlers and the engine. Handlers only see this interface; the
// default implementation below checks that the file is there and reports no messages. The engine-backed
// implementation (src/node + src/core) is passed to `startSipscope` in ./index.ts instead.
import { stat } from 'node:fs/promises';
import { analyzeFile } from '../node/analyze.js';
import type { TraceSummary } from '../shared/api.js';

export interface TraceService {
  /**
   * Opens the trace at `path` (already validated: absolute, normalised, no NUL). Rejects with an Error
   * whose message is fit to show the user ("no such file: /x.pcap").
   */
  open(path: string): Promise<TraceSummary>;
}

function errnoCode(err: unknown): string | undefined {
  return err instanceof Error && 'code' in err && typeof err.code === 'string' ? err.code : undefined;
}

/** Placeholder until the engine is plugged in: checks the path is a readable regular file, reports 0 messages. */
export function createStatTraceService(): TraceService {
  return {
    async open(path) {
      let info;
      try {
        info = await stat(path);
      } catch (err) {
        switch (errnoCode(err)) {
          case 'ENOENT':
          case 'ENOTDIR':
            throw new Error(`no such file: ${path}`);
          case 'EACCES':
          case 'EPERM':
            throw new Error(`permission denied: ${path}`);
          default:
            throw new Error(`cannot open ${path}: ${err instanceof Error ? err.message : String(err)}`);
        }
      }
      if (!info.isFile()) throw new Error(`not a regular file: ${path}`);
      return { path, messages: 0 };
    },
  };
}

/**
 * The engine-backed service: reads the whole trace through the engine and reports what it found. Errors
 * from the file layer (CaptureFileError) already carry a message meant for the user.
 */
export function createEngineTraceService(): TraceService {
  return {
    async open(path) {
      const { engine } = await analyzeFile(path);
      return { path, messages: engine.index.count };
    },
  };
}
