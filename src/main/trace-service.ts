// The seam between the window's IPC handlers and the engine. Handlers only see this interface; the
// engine-backed implementation below is what the app passes to `startSipscope` in ./index.ts.
import { parseDecodeAs, type DecodeAsRule } from '../core/engine/decode-as.js';
import { analyzeFile } from '../node/analyze.js';
import type { TraceSummary } from '../shared/api.js';

export interface TraceService {
  /**
   * Opens the trace at `path` (already validated: absolute, normalised, no NUL). Rejects with an Error
   * whose message is fit to show the user (it names the file and says what is wrong).
   */
  open(path: string): Promise<TraceSummary>;
  /** The decode-as rules traces are opened with, as text. */
  decodeAs(): string[];
  /** Replaces the rules (each already a string); throws an Error naming the first bad one. Returns them normalised. */
  setDecodeAs(rules: readonly string[]): string[];
}

/** A rule in its canonical spelling, the way `parseDecodeAs` reads it back. */
function ruleText(rule: DecodeAsRule): string {
  return `${rule.transport}.port==${rule.port},${rule.protocol}`;
}

/**
 * Reads the whole trace through the engine and reports what it found. Errors from the file layer
 * (CaptureFileError: missing file, permission, not a capture...) already carry a message meant for the user.
 */
export function createEngineTraceService(): TraceService {
  let rules: DecodeAsRule[] = [];
  return {
    async open(path) {
      const { engine } = await analyzeFile(path, { engine: { decodeAs: rules } });
      return { path, messages: engine.index.count };
    },
    decodeAs: () => rules.map(ruleText),
    setDecodeAs(texts) {
      const parsed: DecodeAsRule[] = [];
      for (const text of texts) {
        const rule = parseDecodeAs(text);
        if ('error' in rule) throw new Error(rule.error);
        parsed.push(rule);
      }
      rules = parsed;
      return rules.map(ruleText);
    },
  };
}
