import { randomBytes } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { basename } from 'node:path';
import { emptyAnnotations, MAX_ANNOTATIONS_TEXT, notesOfSelection, parseAnnotations, type Annotations } from '../core/annotations/annotations.js';
import { analyzeCalls, type CallAnalysis } from '../core/calls/analysis.js';
import { AnonymizationMap, anonymizeData, anonymizingTransform } from '../core/export/anonymize.js';
import { callsCsv } from '../core/export/csv.js';
import { framesOfRows } from '../core/export/frames.js';
import { buildReport, type Report } from '../core/export/report-input.js';
import { callSummaries } from '../core/view/trace-view.js';
import type { DisplayFilter } from '../core/filter/filter.js';
import type { MessageIndex } from '../core/index/message-index.js';
import { analyzeFile, type AnalysisResult } from '../node/analyze.js';
import { AnnotationsError, loadAnnotations, readAutosave } from '../node/annotations/load.js';
import { CaptureFileError } from '../node/capture-file.js';
import { documentFiles, type DocumentFormat } from '../node/export/documents.js';
import { PNG_SCALE } from '../node/export/png.js';
import { ExportError, writeCapture } from '../node/export/write-capture.js';
import { writeFiles, type OutputFile } from '../node/export/write-files.js';
import { parseArgs, UsageError } from './args.js';
import { engineOptionsFor, filterContext, filterOption, filterOptionHelp } from './filter.js';
import { escapeControls, readingProgress } from './output.js';

const FORMATS = ['pcapng', 'pcap', 'html', 'svg', 'png', 'md', 'json', 'csv'] as const;
type Format = (typeof FORMATS)[number];

/**
 * Most calls a ladder document (HTML, SVG, PNG, Markdown) or the JSON report takes when the calls were not named
 * with --call: a whole trace of thousands of calls as one ladder is a document nobody can read (and a JSON of
 * every message's detail, gigabytes). The CSV call list and the captures have no such limit.
 */
export const MAX_REPORT_CALLS = 50;

export const exportUsage = `Usage: sipscope export FILE [--call CALL-ID]... [--filter EXPR] --format F -o OUT [--force] [--notes NOTES.json] [--anonymize]

Exports calls of a capture, with their notes, in a form others can read without sipscope:
  pcapng  the capture of the selected calls (every frame their messages came from: TCP segments, IP
          fragments), the notes as frame comments Wireshark shows and in sipscope's block; reopens with
          every note
  pcap    the same frames, without notes (pcap has no comments)
  html    one self-contained page (no script, works offline): the ladder, every message, notes, reference
          notes, KPIs and findings
  svg     the ladder diagram with host aliases and notes
  png     the same at ${PNG_SCALE}× scale; a long ladder is cut into pages OUT-1.png, OUT-2.png... (each
          with the host columns; one page keeps the name OUT)
  md      Markdown: a text ladder, the notes and KPIs, to paste into an issue tracker
  json    calls, messages, procedures, KPIs, findings and notes (schema: docs/export-json.md)
  csv     the call list

  --call CALL-ID    export this call; may be repeated. An unknown Call-ID is an error
${filterOptionHelp}
                    Alone: the calls with a matching message (pcap/pcapng: only the matching messages'
                    frames); with --call: only the matching messages of those calls
                    Neither: every call (the ladder formats and json: the first ${MAX_REPORT_CALLS}; pcap/pcapng:
                    the whole capture, every frame)
  --format F        ${FORMATS.join(', ')}
  -o, --output OUT  the file to write; an existing one is not replaced without --force
  --force           replace OUT if it exists
  --notes FILE      take the notes from this JSON file (sipscope's annotations, or an autosave
                    <trace>.sipscope-notes.json) instead of those the capture carries
  --anonymize       replace phone numbers, IMSI/IMPI/IMPU, names and IP addresses by consistent
                    pseudonyms of the same length (a new mapping each export), in every format: in
                    pcap/pcapng the packets too (IP headers, tunnels, SIP/SDP; checksums recomputed)
Notes are those the capture carries (pcapng), replaced by the app's autosave beside it when that is
newer and of this very file. A failed export leaves no file behind.`;

/** The formats made from the calls (documents), as opposed to the captures (pcap, pcapng). */
const REPORT_FORMATS: ReadonlySet<Format> = new Set(['html', 'svg', 'png', 'md', 'json', 'csv']);

function fail(message: string): number {
  process.stderr.write(`sipscope: ${message}\n`);
  return 1;
}

function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

/** Reads `--notes`: sipscope's annotations JSON, or an autosave file (its wrapper around them). */
async function readNotesFile(path: string): Promise<Annotations | string> {
  let text: string;
  try {
    // UTF-8 bytes bound the characters from above: refuse before reading something absurd into memory.
    const size = (await stat(path)).size;
    if (size > MAX_ANNOTATIONS_TEXT * 3 + 4096) return `the notes file "${path}" is ${size} bytes, too large to be sipscope's`;
    text = await readFile(path, 'utf8');
  } catch (error) {
    return `cannot read the notes file "${path}": ${(error as Error).message}`;
  }
  let parsed = parseAnnotations(text);
  if ('error' in parsed) {
    let wrapper: unknown;
    try {
      wrapper = JSON.parse(text);
    } catch {
      // Not JSON at all: parseAnnotations's message says so.
    }
    const w = wrapper as { sipscopeAutosave?: unknown; annotations?: unknown } | null | undefined;
    if (typeof w === 'object' && w !== null && w.sipscopeAutosave === 1) parsed = parseAnnotations(JSON.stringify(w.annotations ?? null));
  }
  if ('error' in parsed) return `the notes file "${path}" was not used: ${parsed.error.replace(/^annotations: /, '')}`;
  return parsed.annotations;
}

/**
 * The notes of the trace as the app would show them: its own (sipscope's block, or Wireshark's frame comments),
 * replaced by the autosave beside it when that is of this very file (the autosave holds the latest edits).
 * Problems are warnings: the export goes on with what could be read.
 */
async function traceNotes(path: string, result: AnalysisResult): Promise<{ annotations: Annotations; origin: string | null }> {
  let annotations: Annotations | null = null;
  let origin: string | null = null;
  // Only pcapng carries notes (comments and custom blocks); a pcap is not read a second time for nothing.
  if (result.file.format === 'pcapng') {
    const loaded = await loadAnnotations(path, { index: result.engine.index });
    for (const problem of loaded.problems) process.stderr.write(`sipscope: warning: ${path}: ${escapeControls(problem)}\n`);
    annotations = loaded.annotations;
    origin = loaded.origin === 'block' ? 'the capture' : loaded.origin === 'comments' ? "the capture's frame comments" : null;
  }
  try {
    const autosaved = await readAutosave(path);
    if (autosaved?.traceChanged) {
      process.stderr.write(`sipscope: warning: the notes autosaved on ${escapeControls(autosaved.savedAt)} beside ${path} belong to an earlier version of the file; not used\n`);
    } else if (autosaved) {
      annotations = autosaved.annotations;
      origin = 'the autosave';
    }
  } catch (error) {
    if (!(error instanceof AnnotationsError)) throw error;
    process.stderr.write(`sipscope: warning: ${escapeControls(error.message)}\n`);
  }
  return { annotations: annotations ?? emptyAnnotations(), origin };
}

function isEmpty(a: Annotations): boolean {
  return a.messages.length === 0 && a.calls.length === 0 && Object.keys(a.hosts).length === 0;
}



interface Selection {
  /** Call indexes, in trace order. */
  calls: number[];
  /** The messages, when not whole calls (a filter's matches). */
  rows: number[] | undefined;
  /** Every message of the selection. */
  allRows: number[];
  /** Nothing was asked for: the whole trace. */
  everything: boolean;
  /** Calls left out by MAX_REPORT_CALLS. */
  capped: number;
}

function select(analysis: CallAnalysis, index: MessageIndex, format: Format, callIds: readonly string[], filter: DisplayFilter | undefined, matched: Uint8Array | undefined): Selection | string {
  const all = analysis.calls;
  let calls: number[];
  let rows: number[] | undefined;
  if (callIds.length > 0) {
    // Call-IDs compare byte by byte (RFC 3261 §8.1.1.4: case-sensitive).
    const wanted = new Set(callIds);
    const found = new Set<string>();
    calls = [];
    for (const call of all) {
      if (!wanted.has(call.callId)) continue;
      calls.push(call.index);
      found.add(call.callId);
    }
    const unknown = [...wanted].filter((id) => !found.has(id));
    if (unknown.length > 0) return `no call with Call-ID ${unknown.map((id) => `"${escapeControls(id)}"`).join(', ')} in the capture`;
    if (matched) {
      rows = calls.flatMap((c) => all[c].rows.filter((row) => matched[row] === 1)).sort((a, b) => index.frameOf(a) - index.frameOf(b) || a - b);
      if (rows.length === 0) return `no message of ${callIds.length === 1 ? 'that call' : 'those calls'} matches the filter: nothing to export`;
    }
  } else if (matched && filter) {
    calls = all.filter((call) => call.rows.some((row) => matched[row] === 1)).map((call) => call.index);
    if (calls.length === 0) return 'no message matches the filter: nothing to export';
    // A capture holds the matching messages themselves; a document, their whole calls.
    if (!REPORT_FORMATS.has(format)) {
      rows = [];
      for (const row of index.frameOrder()) if (matched[row] === 1) rows.push(row);
    }
  } else {
    calls = all.map((call) => call.index);
    if (calls.length === 0 && REPORT_FORMATS.has(format)) return 'no SIP calls in the capture: nothing to export';
  }
  let capped = 0;
  if (callIds.length === 0 && format !== 'csv' && REPORT_FORMATS.has(format) && calls.length > MAX_REPORT_CALLS) {
    capped = calls.length - MAX_REPORT_CALLS;
    calls = calls.slice(0, MAX_REPORT_CALLS);
  }
  const allRows = rows ?? calls.flatMap((c) => all[c].rows);
  return { calls, rows, allRows, everything: callIds.length === 0 && !filter, capped };
}

function titleOf(analysis: CallAnalysis, selection: Selection, file: string, filter: DisplayFilter | undefined): string {
  const calls = selection.calls;
  const what = calls.length === 1 ? `Call ${analysis.calls[calls[0]].callId}` : `${plural(calls.length, 'call')} of ${file}`;
  return selection.rows && filter ? `${what} (messages matching ${filter.text})` : what;
}

async function exportCapture(
  path: string,
  out: string,
  format: 'pcap' | 'pcapng',
  force: boolean,
  result: AnalysisResult,
  analysis: CallAnalysis,
  selection: Selection,
  annotations: Annotations,
  anonymize: boolean,
): Promise<number> {
  const index = result.engine.index;
  let frames: Set<number> | undefined;
  let notes = annotations;
  if (!selection.everything) {
    frames = framesOfRows(index, selection.allRows);
    const rows = new Set(selection.allRows);
    const callIds = new Set(selection.calls.map((c) => analysis.calls[c].callId));
    notes = notesOfSelection(index, annotations, rows, callIds);
  }
  // One map per export, randomly seeded; every packet is learnt before any is rewritten.
  const transform = anonymize ? anonymizingTransform(new AnonymizationMap({ seed: randomBytes(4).readUInt32BE(0) })) : undefined;
  const written = await writeCapture({ source: path, dest: out, format, frames, annotations: isEmpty(notes) ? undefined : notes, force, transform });
  for (const problem of transform?.problems ?? []) process.stderr.write(`sipscope: warning: anonymisation: ${escapeControls(problem)}\n`);
  let summary = `sipscope: wrote ${written.path} (${format}): `;
  if (selection.everything) summary += `the whole capture, ${plural(written.frames, 'frame')}, ${plural(index.count, 'SIP message')} in ${plural(analysis.calls.length, 'call')}`;
  else summary += `${plural(selection.calls.length, 'call')}, ${plural(selection.allRows.length, 'message')} in ${plural(written.frames, 'frame')}`;
  if (format === 'pcapng') summary += `, ${plural(written.notes, 'message note')}, ${plural(notes.calls.length, 'call note')}`;
  process.stderr.write(`${summary}\n`);
  if (frames) {
    // Frames hold whole TCP segments: messages of other calls sharing a segment with a selected one come along
    // (they end in an exported frame), and reopening the file shows them too.
    const selected = new Set(selection.allRows);
    let along = 0;
    for (let row = 0; row < index.count; row++) if (!selected.has(row) && frames.has(index.frameOf(row))) along++;
    if (along > 0) process.stderr.write(`sipscope: note: the file also holds ${plural(along, 'other message')} that share TCP segments (frames) with the selected ones; they reopen with it\n`);
  }
  if (format === 'pcap' && written.notesLeftOut > 0) {
    process.stderr.write(`sipscope: note: pcap has no comments: ${plural(written.notesLeftOut, 'message note')} not written (export as pcapng to keep them)\n`);
  }
  return 0;
}

/** `, anonymised: N values replaced` for the summary line ('' without anonymisation); problems as warnings. */
function anonymised(map: AnonymizationMap | undefined): string {
  if (!map) return '';
  for (const problem of map.problems) process.stderr.write(`sipscope: warning: anonymisation: ${escapeControls(problem)}\n`);
  return `, anonymised: ${plural(map.size, 'value')} replaced`;
}

async function exportDocument(out: string, format: DocumentFormat, force: boolean, report: Report, anonymisedText = ''): Promise<number> {
  let files: OutputFile[];
  let what: string;
  try {
    ({ files, what } = await documentFiles(format, report, out));
  } catch (error) {
    return fail(`Not writing "${out}": ${(error as Error).message}`);
  }
  const written = await writeFiles(files, { force });
  const where = written.length === 1 ? written[0] : `${written[0]} … ${written[written.length - 1]}`;
  const messageNotes = report.notes.messages.length;
  const callNotes = report.notes.calls.length;
  process.stderr.write(
    `sipscope: wrote ${where} (${what}${anonymisedText}): ${plural(report.calls.length, 'call')}, ${plural(report.messages.length, 'message')}, ${plural(messageNotes, 'message note')}, ${plural(callNotes, 'call note')}\n`,
  );
  return 0;
}

export async function exportCommand(argv: string[]): Promise<number> {
  const { positionals, options, lists } = parseArgs(argv, {
    call: { value: true, repeatable: true, short: 'c' },
    filter: { value: true, short: 'Y' },
    format: { value: true, choices: FORMATS, short: 'f' },
    output: { value: true, short: 'o' },
    force: {},
    notes: { value: true },
    anonymize: {},
    help: { short: 'h' },
  });
  if (options.has('help')) {
    process.stdout.write(`${exportUsage}\n`);
    return 0;
  }
  if (positionals.length !== 1) throw new UsageError(positionals.length === 0 ? 'export needs a capture FILE' : `export takes one FILE, got ${positionals.length}`);
  const format = options.get('format') as Format | undefined;
  if (format === undefined) throw new UsageError(`export needs --format (${FORMATS.join(', ')})`);
  const out = options.get('output') as string | undefined;
  if (out === undefined || out === '') throw new UsageError('export needs -o OUT, the file to write');
  const anonymize = options.has('anonymize');
  // The packets of a capture need anonymizePacket inside writeCapture's copy loop, which has no hook for it yet.
  const path = positionals[0];
  const force = options.has('force');
  const callIds = lists.get('call') ?? [];
  const filter = filterOption(options.get('filter') as string | undefined);
  if (filter === 2) return 2;

  let given: Annotations | undefined;
  const notesPath = options.get('notes') as string | undefined;
  if (notesPath !== undefined) {
    const read = await readNotesFile(notesPath);
    if (typeof read === 'string') return fail(escapeControls(read));
    given = read;
  }
  // Refused now rather than after reading a large capture (writing checks again: the file may appear meanwhile).
  // (PNG pages get their names only once the ladder is cut: writeFiles checks those.)
  if (format !== 'png') {
    const existing = await stat(out).catch(() => undefined);
    if (existing?.isDirectory()) return fail(`Cannot write "${out}": it is a folder.`);
    if (existing && !force) return fail(`Not writing "${out}": the file already exists. Choose another name, or add --force to replace it.`);
  }

  const progress = readingProgress(path);
  let result: AnalysisResult;
  try {
    // Documents show every message's headers and body: the engine keeps their bytes.
    result = await analyzeFile(path, { engine: engineOptionsFor(filter, { messageFacts: true, keepMessageBytes: REPORT_FORMATS.has(format) && format !== 'csv' }), onProgress: progress.onProgress });
  } catch (error) {
    progress.clear();
    if (error instanceof CaptureFileError) return fail(error.message);
    throw error;
  }
  progress.clear();

  try {
    const engine = result.engine;
    const index = engine.index;
    const analysis = analyzeCalls(index, (row) => engine.facts.get(row), { sessionKeys: (row) => engine.facts.sessionKeys(row) });
    let matched: Uint8Array | undefined;
    if (filter) {
      // Each message evaluated once; the calls read the marks.
      const predicate = filter.bind(filterContext(engine, analysis));
      matched = new Uint8Array(index.count);
      for (let row = 0; row < index.count; row++) if (predicate(row)) matched[row] = 1;
    }
    const selection = select(analysis, index, format, callIds, filter, matched);
    if (typeof selection === 'string') return fail(`${path}: ${selection}`);
    if (selection.capped > 0) {
      process.stderr.write(`sipscope: note: ${format} export of the first ${MAX_REPORT_CALLS} of ${selection.calls.length + selection.capped} calls; name others with --call or choose with --filter\n`);
    }

    let annotations: Annotations;
    if (given) annotations = given;
    else {
      const found = await traceNotes(path, result);
      annotations = found.annotations;
      if (found.origin && !isEmpty(annotations)) process.stderr.write(`sipscope: notes from ${found.origin}\n`);
    }

    if (format === 'pcap' || format === 'pcapng') return await exportCapture(path, out, format, force, result, analysis, selection, annotations, anonymize);
    const source = { engine, calls: analysis, context: filterContext(engine, analysis) };
    // One map per export, randomly seeded: consistent within the export, unlinkable across exports.
    const map = anonymize ? new AnonymizationMap({ seed: randomBytes(4).readUInt32BE(0) }) : undefined;
    if (format === 'csv') {
      // The call list only: no ladder and no message detail to build (a whole trace's CSV stays cheap).
      const inRows = selection.rows ? new Set(selection.rows.map((row) => analysis.callOf[row])) : undefined;
      const summaries = callSummaries(source, [...selection.calls].sort((a, b) => a - b).filter((c) => !inRows || inRows.has(c)));
      const calls = map ? anonymizeData(summaries, map) : summaries;
      const [written] = await writeFiles([{ path: out, data: callsCsv(calls) }], { force });
      process.stderr.write(`sipscope: wrote ${written} (csv${anonymised(map)}): ${plural(calls.length, 'call')}, ${plural(calls.reduce((n, c) => n + c.messages, 0), 'message')}\n`);
      return 0;
    }
    const built = buildReport(
      source,
      { calls: selection.calls, rows: selection.rows, annotations, title: titleOf(analysis, selection, basename(path), filter), file: basename(path), generatedAt: new Date().toISOString() },
    );
    // Everything the documents show comes from the report: anonymised there, it is anonymised in every format.
    const report = map ? anonymizeData(built, map) : built;
    return await exportDocument(out, format as DocumentFormat, force, report, anonymised(map));
  } catch (error) {
    if (error instanceof ExportError || error instanceof CaptureFileError) return fail(error.message);
    throw error;
  }
}
