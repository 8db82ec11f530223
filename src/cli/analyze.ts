import { formatDiagnostic } from '../core/diagnostics.js';
import { DECODE_AS_PROTOCOLS, parseDecodeAs, type DecodeAsRule } from '../core/engine/decode-as.js';
import type { MessageIndex } from '../core/index/message-index.js';
import { analyzeCalls } from '../core/calls/analysis.js';
import { matchingRows, type DisplayFilter } from '../core/filter/filter.js';
import { messageJsonText, type MessageCallKeys } from '../core/report/message-json.js';
import { summarizeIndex } from '../core/report/summary.js';
import { analyzeFile, type AnalysisResult } from '../node/analyze.js';
import { CaptureFileError } from '../node/capture-file.js';
import { parseArgs, UsageError } from './args.js';
import { engineOptionsFor, filterContext, filterOption, filterOptionHelp } from './filter.js';
import { escapeControls, readingProgress, TABLE_HEADER, tableRow, TextOutput, TSV_COLUMNS, tsvRow } from './output.js';

export const analyzeUsage = `Usage: sipscope analyze FILE [--format table|tsv|json|ndjson] [--filter EXPR] [--summary] [--decode-as RULE]...

Lists every SIP message in a pcap or pcapng capture (gzip-compressed or not), whatever carries it:
UDP, TCP, SCTP, WebSocket, IP fragments, IP-in-IP, GRE/ERSPAN, VXLAN, MPLS, GTP-U, ESP (NULL), HEP.

  --format F        table (default), tsv, json or ndjson (one JSON object per message)
${filterOptionHelp}
  --summary         print counts and timing; alone, only the summary is printed
  --decode-as RULE  decode a port as a protocol content detection cannot recognise, e.g.
                    udp.port==2153,gtpu  tcp.port==8443,websocket  tcp.port==6060,sip  udp.port==5062,none
                    (protocols: ${DECODE_AS_PROTOCOLS.join(', ')}); may be repeated
  --no-progress     never show the progress line on stderr (shown only when stderr is a terminal)`;

const FORMATS = ['table', 'tsv', 'json', 'ndjson'] as const;

export async function analyzeCommand(argv: string[]): Promise<number> {
  const { positionals, options, lists } = parseArgs(argv, {
    format: { value: true, choices: FORMATS, short: 'f' },
    summary: { short: 's' },
    'decode-as': { value: true, repeatable: true, short: 'd' },
    filter: { value: true, short: 'Y' },
    'no-progress': {},
    help: { short: 'h' },
  });
  if (options.has('help')) {
    process.stdout.write(`${analyzeUsage}\n`);
    return 0;
  }
  if (positionals.length !== 1) throw new UsageError(positionals.length === 0 ? 'analyze needs a capture FILE' : `analyze takes one FILE, got ${positionals.length}`);
  const path = positionals[0];
  const decodeAs: DecodeAsRule[] = [];
  for (const text of lists.get('decode-as') ?? []) {
    const rule = parseDecodeAs(text);
    if ('error' in rule) throw new UsageError(rule.error);
    decodeAs.push(rule);
  }
  const filter = filterOption(options.get('filter') as string | undefined);
  if (filter === 2) return 2;
  const wantSummary = options.has('summary');
  const format = (options.get('format') as (typeof FORMATS)[number] | undefined) ?? (wantSummary ? undefined : 'table');

  const progress = readingProgress(path, !options.has('no-progress'));
  let result: AnalysisResult;
  try {
    result = await analyzeFile(path, {
      // The JSON formats carry each message's transaction, dialog, call and procedure: they need the facts.
      engine: engineOptionsFor(filter, { decodeAs, messageFacts: format === 'ndjson' || format === 'json' }),
      onProgress: progress.onProgress,
    });
  } catch (error) {
    progress.clear();
    if (error instanceof CaptureFileError) {
      process.stderr.write(`sipscope: ${error.message}\n`);
      return 1;
    }
    throw error;
  }
  progress.clear();

  const out = new TextOutput(process.stdout);
  const index = result.engine.index;
  const engine = result.engine;
  const needCalls = format === 'ndjson' || format === 'json' || filter?.needs.has('calls') === true;
  const calls = needCalls ? analyzeCalls(index, (row) => engine.facts.get(row), { sessionKeys: (row) => engine.facts.sessionKeys(row) }) : undefined;
  const rows = filter ? matchingRows(filter.bind(filterContext(engine, calls)), index.frameOrder()) : index.frameOrder();
  if (format === 'table') await printTable(out, index, rows, result.engine.stats.packets);
  else if (format === 'tsv') await printTsv(out, index, rows);
  else if (calls && (format === 'ndjson' || format === 'json')) {
    const keys = (row: number): MessageCallKeys => {
      const procedure = calls.procedureOf[row];
      return {
        transaction: calls.transactionOf[row],
        dialog: calls.dialogOf[row],
        call: calls.callOf[row],
        procedure: procedure >= 0 ? calls.procedures[procedure].group : undefined,
        procedureInstance: procedure,
        retransmission: calls.retransmission[row] === 1,
      };
    };
    if (format === 'ndjson') await printNdjson(out, index, rows, keys);
    else await printJson(out, index, rows, result, wantSummary, keys, filter);
  }
  if (wantSummary && format !== 'json') {
    // With a machine-readable list on stdout, the summary goes to stderr so the list stays parseable.
    const target = format === 'tsv' || format === 'ndjson' ? new TextOutput(process.stderr) : out;
    if (format === 'table') await out.write('\n');
    await target.write(summaryText(result, filter, rows.length));
    await target.flush();
  }
  await out.flush();
  for (const d of result.fileDiagnostics) {
    if (d.severity !== 'note') process.stderr.write(`sipscope: ${path}: ${formatDiagnostic(d)} (file offset ${d.fileOffset})\n`);
  }
  return 0;
}

function mb(bytes: number): string {
  return (bytes / 1e6).toFixed(1);
}

async function printTable(out: TextOutput, index: MessageIndex, rows: ArrayLike<number>, packets: number): Promise<void> {
  if (index.count === 0) {
    await out.write(`No SIP messages found among ${packets} packet(s).\n`);
    return;
  }
  if (rows.length === 0) {
    await out.write(`No message matches the filter (of ${index.count} SIP messages).\n`);
    return;
  }
  const first = index.get(index.frameOrder()[0]);
  await out.write(TABLE_HEADER);
  for (const i of Array.from(rows)) await out.write(tableRow(index.get(i), first));
}

async function printTsv(out: TextOutput, index: MessageIndex, rows: ArrayLike<number>): Promise<void> {
  await out.write(`${TSV_COLUMNS.join('\t')}\n`);
  for (const i of Array.from(rows)) await out.write(tsvRow(index.get(i)));
}

async function printNdjson(out: TextOutput, index: MessageIndex, rows: ArrayLike<number>, keys: (row: number) => MessageCallKeys): Promise<void> {
  for (const i of Array.from(rows)) await out.write(`${messageJsonText(index.get(i), keys(i))}\n`);
}

async function printJson(
  out: TextOutput,
  index: MessageIndex,
  rows: ArrayLike<number>,
  result: AnalysisResult,
  withSummary: boolean,
  keys: (row: number) => MessageCallKeys,
  filter: DisplayFilter | undefined,
): Promise<void> {
  const filterText = filter ? `,"filter":${JSON.stringify(filter.text)},"matching":${rows.length}` : '';
  await out.write(`{"file":${JSON.stringify(result.file.path)},"format":${JSON.stringify(result.file.format)},"compressed":${result.file.compressed},"packets":${result.engine.stats.packets}${filterText},"messages":[`);
  let first = true;
  for (const i of Array.from(rows)) {
    await out.write(`${first ? '\n' : ',\n'}${messageJsonText(index.get(i), keys(i))}`);
    first = false;
  }
  await out.write('\n]');
  if (withSummary) await out.write(`,"summary":${JSON.stringify(summaryObject(result))}`);
  await out.write('}\n');
}

function summaryObject(result: AnalysisResult): Record<string, unknown> {
  const summary = summarizeIndex(result.engine.index);
  return {
    ...summary,
    file: result.file.path,
    fileFormat: result.file.format,
    compressed: result.file.compressed,
    fileBytes: result.file.fileSize,
    stats: result.engine.stats,
    packetDiagnostics: result.engine.packetDiagnostics.length,
    streams: result.engine.streamReports,
    fileDiagnostics: result.fileDiagnostics.map((d) => ({ ...d })),
    elapsedMs: Math.round(result.elapsedMs),
    peakRssBytes: process.resourceUsage().maxRSS * 1024,
  };
}

function summaryText(result: AnalysisResult, filter: DisplayFilter | undefined, matching: number): string {
  const s = summarizeIndex(result.engine.index);
  const stats = result.engine.stats;
  const seconds = result.elapsedMs / 1000;
  const lines: string[] = [];
  lines.push(`File:        ${result.file.path} (${result.file.compressed ? 'gzip-compressed ' : ''}${result.file.format}, ${mb(result.file.fileSize)} MB)`);
  lines.push(`Packets:     ${stats.packets} (${stats.ipPackets} IP, ${stats.udpPackets} UDP, ${stats.tcpPackets} TCP${stats.sctpPackets ? `, ${stats.sctpPackets} SCTP` : ''})`);
  if (stats.ipFragments) lines.push(`Fragments:   ${stats.ipFragments} IP fragment(s): ${stats.ipReassembled} datagram(s) reassembled, ${stats.ipIncomplete} incomplete (flagged)`);
  lines.push(`SIP:         ${s.messages} messages (${s.requests} requests, ${s.responses} responses) in ${s.callIds} Call-IDs`);
  if (filter) lines.push(`Filter:      ${matching} of ${s.messages} messages match ${escapeControls(filter.text)}`);
  if (s.methods.length > 0) lines.push(`Requests:    ${s.methods.map(([m, n]) => `${escapeControls(m).slice(0, 40)} ${n}`).join(', ')}`);
  if (s.statusCodes.length > 0) lines.push(`Responses:   ${s.statusCodes.map(([c, n]) => `${c} ${n}`).join(', ')}`);
  lines.push(`Problems:    ${s.messagesWithErrors} message(s) with errors, ${s.messagesWithWarnings} with warnings; ${stats.packetsWithDiagnostics} other packet(s) with decode problems`);
  for (const d of s.diagnostics.slice(0, 12)) {
    lines.push(`             ${d.count} × ${d.severity} [${d.layer}] ${escapeControls(d.message)}${d.count > 1 ? ' (first in frame ' : ' (frame '}${d.firstFrame})`);
  }
  if (s.diagnostics.length > 12) lines.push(`             ... and ${s.diagnostics.length - 12} more kinds`);
  if (stats.tcpRetransmittedSegments || stats.tcpGaps) lines.push(`TCP:         ${stats.tcpRetransmittedSegments} retransmitted segment(s), ${stats.tcpGaps} gap(s)`);
  if (stats.copies) lines.push(`Copies:      ${stats.copies} message(s) seen again at another capture point or captured twice (kept, linked as copies)`);
  for (const r of result.engine.streamReports.slice(0, 20)) {
    lines.push(`Stream:      ${escapeControls(r.src)} → ${escapeControls(r.dst)} ${r.transport}: ${escapeControls(r.message)} (frames ${r.firstFrame}–${r.lastFrame})`);
  }
  if (stats.streamReports > 20) lines.push(`             ... and ${stats.streamReports - 20} more streams`);
  const rss = process.resourceUsage().maxRSS * 1024;
  lines.push(`Time:        ${seconds.toFixed(3)} s (${mb(result.file.bytesRead / seconds)} MB/s), peak RSS ${mb(rss)} MB`);
  return `${lines.join('\n')}\n`;
}
