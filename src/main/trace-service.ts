// The seam between the window's IPC handlers and the engine. Handlers only see this interface; the
// engine-backed implementation below is what the app passes to `startSipscope` in ./index.ts.
import { analyzeFile } from '../node/analyze.js';
import type { TraceSummary } from '../shared/api.js';

export interface TraceService {
  /**
   * Opens the trace at `path` (already validated: absolute, normalised, no NUL). Rejects with an Error
   * whose message is fit to show the user (it names the file and says what is wrong).
   */
  open(path: string): Promise<TraceSummary>;
}

/**
 * Reads the whole trace through the engine and reports what it found. Errors from the file layer
 * (CaptureFileError: missing file, permission, not a capture...) already carry a message meant for the user.
 */
export function createEngineTraceService(): TraceService {
  return {
    async open(path) {
      const { engine } = await analyzeFile(path);
      return { path, messages: engine.index.count };
    },
  };
}
