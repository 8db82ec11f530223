import { analyzeCalls, kpisOfCalls, type CallAnalysis, type Distribution } from '../core/calls/analysis.js';
import { matchingCalls, type DisplayFilter } from '../core/filter/filter.js';
import { analyzeFile, type AnalysisResult } from '../node/analyze.js';
import { CaptureFileError } from '../node/capture-file.js';
import { parseArgs, UsageError } from './args.js';
import { engineOptionsFor, filterContext, filterOption, filterOptionHelp } from './filter.js';
import { escapeControls, readingProgress, TextOutput } from './output.js';

export const callsUsage = `Usage: sipscope calls FILE [--format table|json|csv] [--filter EXPR] [--no-link]
       sipscope stats FILE [--format text|json] [--filter EXPR]

calls: one row per call (the messages of one Call-ID) with its procedures, state (CALL SETUP, RINGING,
IN CALL, CANCELLED, REJECTED, BUSY, DIVERTED, COMPLETED, REGISTERED, AUTH CHALLENGED, UNREGISTERED, FAILED,
INCOMPLETE), from, to, start, duration, KPIs, message count and findings. Calls that are legs of one IMS
session (same ICID in P-Charging-Vector, or same Session-ID) share a session number; --no-link turns that off.
stats: the trace's KPIs (answer-seizure and network effectiveness ratios, post-dial delay, answer, set-up
and registration times, registration success rate), procedures by outcome, response codes per method, findings.
With --filter, both keep the calls that hold at least one message matching the display filter.

${filterOptionHelp}`;

/**
 * Reads a capture with message facts and runs the call analysis over it; with a filter, `keep` holds the
 * calls with at least one matching message.
 */
async function load(path: string, link: boolean, filter: DisplayFilter | undefined): Promise<{ result: AnalysisResult; calls: CallAnalysis; keep: Set<number> | undefined } | number> {
  try {
    const progress = readingProgress(path);
    const result = await analyzeFile(path, { engine: engineOptionsFor(filter, { messageFacts: true }), onProgress: progress.onProgress }).finally(() => progress.clear());
    const engine = result.engine;
    const calls = analyzeCalls(engine.index, (row) => engine.facts.get(row), { link, sessionKeys: (row) => engine.facts.sessionKeys(row) });
    const keep = filter ? new Set(matchingCalls(filter.bind(filterContext(engine, calls)), calls)) : undefined;
    return { result, calls, keep };
  } catch (error) {
    if (error instanceof CaptureFileError) {
      process.stderr.write(`sipscope: ${error.message}\n`);
      return 1;
    }
    throw error;
  }
}

function csvField(text: string): string {
  // RFC 4180 quoting; a leading =, +, - or @ would be a formula to a spreadsheet: prefix it (OWASP CSV injection).
  const safe = /^[=+\-@\t\r]/.test(text) ? `'${text}` : text;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

function isoTime(seconds: number): string {
  const whole = Math.floor(seconds);
  return `${new Date(whole * 1000).toISOString().slice(0, 19)}.${String(Math.round((seconds - whole) * 1e6)).padStart(6, '0')}Z`;
}

function callRows(analysis: CallAnalysis, frameOfRow: (row: number) => number, keep: Set<number> | undefined) {
  return analysis.calls.filter((c) => !keep || keep.has(c.index)).map((c) => {
    const groups = c.procedures.map((id) => analysis.procedures[id]).map((p) => (p.kind ? `${p.group}(${p.kind})` : p.group));
    return {
      call: c.index + 1,
      session: c.session + 1,
      callId: c.callId,
      state: c.state,
      from: c.from,
      to: c.to,
      start: isoTime(c.start),
      durationMs: Math.round((c.end - c.start) * 1e6) / 1e3,
      messages: c.rows.length,
      dialogs: analysis.dialogs.filter((d) => d.call === c.index).map((d) => ({ state: d.state, early: d.early !== undefined ? frameOfRow(d.early) : null, confirmed: d.confirmed !== undefined ? frameOfRow(d.confirmed) : null, terminated: d.terminated !== undefined ? frameOfRow(d.terminated) : null })),
      procedures: groups,
      kpis: c.kpis,
      findings: c.findings.map((i) => analysis.findings[i]).map((f) => ({ severity: f.severity, code: f.code, message: f.message, frames: f.rows.map(frameOfRow) })),
    };
  });
}

export async function callsCommand(argv: string[]): Promise<number> {
  const { positionals, options } = parseArgs(argv, {
    format: { value: true, choices: ['table', 'json', 'csv'], short: 'f' },
    filter: { value: true, short: 'Y' },
    'no-link': {},
    help: { short: 'h' },
  });
  if (options.has('help')) {
    process.stdout.write(`${callsUsage}\n`);
    return 0;
  }
  if (positionals.length !== 1) throw new UsageError('calls needs one capture FILE');
  const filter = filterOption(options.get('filter') as string | undefined);
  if (filter === 2) return 2;
  const loaded = await load(positionals[0], !options.has('no-link'), filter);
  if (typeof loaded === 'number') return loaded;
  const { result, calls, keep } = loaded;
  const rows = callRows(calls, (row) => result.engine.index.frameOf(row), keep);
  const out = new TextOutput(process.stdout);
  const format = options.get('format') ?? 'table';
  if (format === 'json') {
    await out.write(`${JSON.stringify({ file: result.file.path, ...(filter ? { filter: filter.text } : {}), calls: rows }, null, 1)}\n`);
  } else if (format === 'csv') {
    await out.write('call,session,call_id,state,from,to,start,duration_ms,messages,procedures,post_dial_delay_ms,answer_time_ms,setup_time_ms,call_duration_ms,registration_time_ms,findings\n');
    for (const r of rows) {
      const k = r.kpis;
      const fields = [r.call, r.session, r.callId, r.state, r.from, r.to, r.start, r.durationMs, r.messages, r.procedures.join(' '), k.postDialDelayMs ?? '', k.answerTimeMs ?? '', k.setupTimeMs ?? '', k.durationMs ?? '', k.registrationTimeMs ?? '', r.findings.map((f) => `${f.severity}:${f.code}`).join(' ')];
      await out.write(`${fields.map((f) => csvField(String(f))).join(',')}\n`);
    }
  } else if (rows.length === 0) {
    if (filter) await out.write(`No call has a message matching the filter (of ${calls.calls.length} calls).\n`);
    else await out.write(`No calls: no SIP messages among ${result.engine.stats.packets} packet(s).\n`);
  } else {
    await out.write(`${'Call'.padStart(5)} ${'Sess'.padStart(4)}  ${'State'.padEnd(15)} ${'Start'.padEnd(27)} ${'Duration'.padStart(10)} ${'Msgs'.padStart(5)}  ${'PDD ms'.padStart(9)} ${'Answer ms'.padStart(9)}  From → To\n`);
    for (const r of rows) {
      const k = r.kpis;
      const num = (v: number | undefined) => (v === undefined ? '' : v.toFixed(1)).padStart(9);
      await out.write(`${String(r.call).padStart(5)} ${String(r.session).padStart(4)}  ${r.state.padEnd(15)} ${r.start.padEnd(27)} ${`${(r.durationMs / 1000).toFixed(3)}s`.padStart(10)} ${String(r.messages).padStart(5)}  ${num(k.postDialDelayMs)} ${num(k.answerTimeMs)}  ${escapeControls(r.from)} → ${escapeControls(r.to)}\n`);
      await out.write(`${''.padStart(13)}${escapeControls(r.callId)}: ${r.procedures.join(', ')}\n`);
      for (const f of r.findings) if (f.severity !== 'note') await out.write(`${''.padStart(13)}${f.severity} ${escapeControls(f.message)} (frame ${f.frames.join(', ')})\n`);
    }
  }
  await out.flush();
  return 0;
}

function dist(d: Distribution | undefined): string {
  return d ? `median ${d.median.toFixed(1)} ms, mean ${d.mean.toFixed(1)} ms, max ${d.max.toFixed(1)} ms (${d.count})` : '—';
}

function ratio(r: number | undefined): string {
  return r === undefined ? '—' : `${(r * 100).toFixed(1)} %`;
}

export async function statsCommand(argv: string[]): Promise<number> {
  const { positionals, options } = parseArgs(argv, { format: { value: true, choices: ['text', 'json'], short: 'f' }, filter: { value: true, short: 'Y' }, help: { short: 'h' } });
  if (options.has('help')) {
    process.stdout.write(`${callsUsage}\n`);
    return 0;
  }
  if (positionals.length !== 1) throw new UsageError('stats needs one capture FILE');
  const filter = filterOption(options.get('filter') as string | undefined);
  if (filter === 2) return 2;
  const loaded = await load(positionals[0], true, filter);
  if (typeof loaded === 'number') return loaded;
  const { result, calls, keep } = loaded;
  const index = result.engine.index;
  const k = keep ? kpisOfCalls(index, calls, keep) : calls.kpis;
  const messages = keep ? calls.calls.filter((c) => keep.has(c.index)).reduce((n, c) => n + c.rows.length, 0) : index.count;
  const out = new TextOutput(process.stdout);
  if (options.get('format') === 'json') {
    await out.write(`${JSON.stringify({ file: result.file.path, ...(filter ? { filter: filter.text } : {}), messages, ...k }, null, 1)}\n`);
  } else {
    const lines = [
      `File:               ${result.file.path}`,
      ...(filter ? [`Filter:             ${escapeControls(filter.text)} (the calls with a matching message)`] : []),
      `Messages:           ${messages} in ${k.calls} calls (${k.sessions} sessions)`,
      `Call set-ups:       ${k.callSetups}, answered ${k.answered}`,
      `ASR:                ${ratio(k.answerSeizureRatio)}   NER: ${ratio(k.networkEffectivenessRatio)}`,
      `Post-dial delay:    ${dist(k.postDialDelayMs)}`,
      `Answer time:        ${dist(k.answerTimeMs)}`,
      `Set-up time:        ${dist(k.setupTimeMs)}`,
      `Call duration:      ${dist(k.durationMs)}`,
      `Registrations:      ${k.registrations}, success rate ${ratio(k.registrationSuccessRate)}`,
      `Registration time:  ${dist(k.registrationTimeMs)}`,
      `Procedures:         ${Object.entries(k.procedures).map(([g, o]) => `${g} ${o.success}✓ ${o.failure}✗${o.timeout ? ` ${o.timeout} timeout` : ''}${o.incomplete ? ` ${o.incomplete} incomplete` : ''}`).join('; ') || '—'}`,
      `Responses:          ${Object.entries(k.responseCodes).map(([m, codes]) => `${escapeControls(m)}: ${Object.entries(codes).map(([c, n]) => `${c}×${n}`).join(' ')}`).join('; ') || '—'}`,
      `Findings:           ${k.findings.error} error(s), ${k.findings.warning} warning(s), ${k.findings.note} note(s)`,
    ];
    await out.write(`${lines.join('\n')}\n`);
  }
  await out.flush();
  return 0;
}
