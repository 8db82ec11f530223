import type { CallAnalysis } from '../core/calls/analysis.js';
import type { FilterContext } from '../core/filter/field.js';
import { compileDisplayFilter, formatFilterError, type DisplayFilter } from '../core/filter/filter.js';
import type { EngineOptions, TraceEngine } from '../core/engine/trace-engine.js';

/** The `--filter` option's text in help screens. */
export const filterOptionHelp = `  --filter EXPR     keep what matches a display filter (Wireshark syntax), e.g.
                    'sip.Method == "INVITE" && sip.Status-Code >= 400', 'ims.procedure == "registration"',
                    'ip.addr == 10.0.0.0/8', 'sip.P-Asserted-Identity contains "+3361"' ('sipscope fields' lists the fields)`;

/**
 * Compiles `--filter`; on a bad filter writes it to stderr with the error underlined and returns the exit
 * code 2 (issue 5: nothing on stdout).
 */
export function filterOption(text: string | undefined): DisplayFilter | undefined | 2 {
  if (text === undefined) return undefined;
  const result = compileDisplayFilter(text);
  if (result.error) {
    process.stderr.write(`sipscope: bad display filter\n${formatFilterError(text, result.error)}\n`);
    return 2;
  }
  return result.filter.empty ? undefined : result.filter;
}

/** What the engine must keep for the filter (message bytes for headers the index lacks, facts for IMS ids). */
export function engineOptionsFor(filter: DisplayFilter | undefined, base: EngineOptions = {}): EngineOptions {
  if (!filter) return base;
  return {
    ...base,
    messageFacts: base.messageFacts || filter.needs.has('facts') || filter.needs.has('calls'),
    keepMessageBytes: base.keepMessageBytes || filter.needs.has('message'),
  };
}

export function filterContext(engine: TraceEngine, calls?: CallAnalysis): FilterContext {
  return { index: engine.index, messages: engine.messageBytes, facts: engine.facts, calls, cache: new Map() };
}
