// The seam between the window's IPC handlers and the engine. Handlers only see this interface; the
// engine-backed implementation below is what the app passes to `startSipscope` in ./index.ts.
import { analyzeCalls, type CallAnalysis } from '../core/calls/analysis.js';
import { parseDecodeAs, type DecodeAsRule } from '../core/engine/decode-as.js';
import type { TraceEngine } from '../core/engine/trace-engine.js';
import type { FilterContext } from '../core/filter/field.js';
import { compileDisplayFilter, matchingCalls } from '../core/filter/filter.js';
import { allFields, indexHeaderLines } from '../core/filter/registry.js';
import { analyzeFile } from '../node/analyze.js';
import type { FilterFieldInfo, FilterOutcome, TraceSummary } from '../shared/api.js';

export interface TraceService {
  /**
   * Opens the trace at `path` (already validated: absolute, normalised, no NUL) and keeps it as the trace
   * filters apply to. Rejects with an Error whose message is fit to show the user (it names the file and
   * says what is wrong).
   */
  open(path: string): Promise<TraceSummary>;
  /** The decode-as rules traces are opened with, as text. */
  decodeAs(): string[];
  /** Replaces the rules (each already a string); throws an Error naming the first bad one. Returns them normalised. */
  setDecodeAs(rules: readonly string[]): string[];
  /**
   * Applies a display filter (already a string) to the trace opened last. A filter that does not compile
   * is an `{ ok: false, error }` outcome; rejects with an Error for the user when no trace is open.
   */
  applyFilter(text: string): Promise<FilterOutcome>;
  /** Every display-filter field, sorted by name. */
  filterFields(): FilterFieldInfo[];
}

/** How many frame numbers a filter outcome lists (the contract's `firstFrames`). */
export const FIRST_FRAMES_LIMIT = 50;

/** The trace opened last, with what filters are evaluated against. */
interface OpenTrace {
  path: string;
  engine: TraceEngine;
  calls: CallAnalysis;
  /**
   * One per trace: its `cache` keeps the columns a filter built (a header read from every message, say),
   * so the next filter on the same field does not read the messages again.
   */
  context: FilterContext;
}

/** A rule in its canonical spelling, the way `parseDecodeAs` reads it back. */
function ruleText(rule: DecodeAsRule): string {
  return `${rule.transport}.port==${rule.port},${rule.protocol}`;
}

/** Evaluates `text` over `trace`: matching messages in frame order, and the calls holding at least one. */
function filterTrace(trace: OpenTrace, text: string): FilterOutcome {
  const compiled = compileDisplayFilter(text);
  if (compiled.error) {
    const { message, start, length } = compiled.error;
    return { ok: false, error: { message, start, length } };
  }
  const predicate = compiled.filter.bind(trace.context);
  const index = trace.engine.index;
  const order = index.frameOrder();
  // Each message is evaluated once; the call scope then reads the marks rather than the filter again.
  const matched = new Uint8Array(index.count);
  const firstFrames: number[] = [];
  let matching = 0;
  for (let i = 0; i < order.length; i++) {
    const row = order[i];
    if (!predicate(row)) continue;
    matched[row] = 1;
    matching++;
    if (firstFrames.length < FIRST_FRAMES_LIMIT) firstFrames.push(index.frameOf(row));
  }
  return {
    ok: true,
    text,
    messages: index.count,
    matching,
    calls: trace.calls.calls.length,
    matchingCalls: matchingCalls((row) => matched[row] === 1, trace.calls).length,
    firstFrames,
  };
}

/**
 * Reads the whole trace through the engine and reports what it found. Errors from the file layer
 * (CaptureFileError: missing file, permission, not a capture...) already carry a message meant for the user.
 */
export function createEngineTraceService(): TraceService {
  let rules: DecodeAsRule[] = [];
  let current: OpenTrace | undefined;
  // Only the open started last may become the current trace; an older one finishing late is dropped.
  let generation = 0;
  return {
    async open(path) {
      const mine = ++generation;
      // The trace on screen is being replaced: filters must not run on the old one meanwhile.
      current = undefined;
      // A filter may read any header (message bytes) or any IMS fact and call field, so the app keeps
      // all of them, as the CLI does when its --filter needs them (src/cli/filter.ts).
      const { engine } = await analyzeFile(path, { engine: { decodeAs: rules, messageFacts: true, keepMessageBytes: true } });
      const calls = analyzeCalls(engine.index, (row) => engine.facts.get(row), { sessionKeys: (row) => engine.facts.sessionKeys(row) });
      if (mine === generation) {
        const context = { index: engine.index, messages: engine.messageBytes, facts: engine.facts, calls, cache: new Map() };
        // Where every message's header lines are, once, so that the first filter on any header is fast too.
        indexHeaderLines(context);
        current = { path, engine, calls, context };
      }
      return { path, messages: engine.index.count, calls: calls.calls.length };
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
    async applyFilter(text) {
      if (!current) throw new Error('no trace is open: open a trace before applying a display filter');
      return filterTrace(current, text);
    },
    filterFields: () =>
      allFields().map((field) => {
        const info: FilterFieldInfo = { name: field.name, type: field.type, description: field.description };
        if (field.values) info.values = [...field.values];
        return info;
      }),
  };
}
