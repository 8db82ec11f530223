#!/usr/bin/env node
// Live capture under load (issue 7): SIPp places VoLTE-style calls on 127.0.0.1 (../shared/bench/volte_uac.xml
// against volte_uas.xml, 12 SIP messages a call) while sipscope captures them with the capture filter
// 'udp and (port UAC or port UAS)', through one of two paths:
//   cli  the real CLI, started before SIPp and stopped with SIGINT after it:
//          node bin/sipscope.js capture -i lo -f FILTER -w <tmp>.pcapng --format ndjson
//   app  the app's capture path: the trace service of a window or served page (dist/main/trace-service.js,
//        createEngineTraceService: the engine in a worker thread, dist/main/trace-worker.js), its
//        startCapture({ source: { kind: 'interfaces', interfaces: ['lo'], filter }, folder, ring: null }), the
//        table's getRows every 250 ms meanwhile, and stopCapture().
// Needs root (capture on lo), the optional `cap` module, sipp, and `npm run build:cli` (the CLI, the trace
// service, its worker and the capture helper run from dist/).
//
//   node bench/capture-bench.mjs [--cli | --app] [--rate 1000] [--seconds 30] [--search 250,500,1000,1500,2000,3000]
//                                [--search-seconds 10] [--format ndjson|tsv] [--buffer-mb N] [--keep]
// Without --cli or --app both run at the target rate (CLI, then app); the rate search runs the CLI only
// (--app alone skips it). --format and --buffer-mb are the CLI's.
//
// What is counted, per run (every count is of SIP messages = UDP datagrams: the scenarios never fragment):
//   sent      what the two SIPp instances sent, from their -trace_counts files: the sum of every <send>'s
//             "Sent" and "Retrans" columns (a retransmission is a datagram on the wire like any other; SIPp also
//             counts there the last response it re-sends when a request is retransmitted to it). SIPp can send
//             messages no scenario line counts (its default BYE/CANCEL on an unexpected message, automatic
//             answers): the -trace_stat counters FailedCall, OutOfCallMsgs, DeadCallMsgs and AutoAnswered say when
//             that may have happened, and the run is then marked "inexact".
//   captured  packets libpcap handed to the capture helper (cli: the summary's "Captured:"; app: the final
//             CaptureStatus.packets). On lo nothing is lost on the wire, so sent - captured is what the kernel
//             ring dropped (the kernel's own drop count is printed too when the helper can read it).
//   file      Enhanced Packet Blocks in the pcapng, read back with our reader (src/node/capture-file.ts), and the
//             SIP messages the engine decodes from it.
//   live      cli: SIP messages the CLI printed while capturing (ndjson or tsv lines on its stdout).
//             app: the final CaptureStatus.messages (decoded in the service) and the rows view 0 serves at the
//             end (getRows' total); calls: the final CaptureStatus.calls against the distinct Call-IDs in the
//             file and the calls SIPp's client placed (TotalCallCreated; SuccessfulCall + FailedCall once every
//             call ended): one Call-ID per call.
//   app, while capturing: how far the decoded messages trail the captured packets (status.packets -
//             status.messages in each status push, every 500 ms as the app gets them); how long the oldest
//             message new to each 250 ms getRows poll had waited since libpcap stamped it (its capture time to
//             the poll's answer: this includes the helper's 20 ms batching and up to one poll interval); the
//             poll's round trip; and the time between two analyses (status.analysis increments, seen at the
//             500 ms status cadence: an analysis every max(1 s, 2 x its duration) means an interval of
//             ~1 s + d, or ~3d once d > 1 s).
// A run passes when sent == captured == file packets == file messages == live (app: == rows, and calls ==
// Call-IDs == SIPp's calls), with no queue or kernel drop. "CPU s": what sipscope's decoding process used while
// capturing (cli: the CLI process; app: this process, the trace worker and the table's polls), the capture
// helper not included in either.
// The search runs the listed rates (ascending, --search-seconds each) and stops at the first that loses
// anything; --search '' skips it.
import { spawn, spawnSync } from 'node:child_process';
import { createReadStream, existsSync, mkdtempSync, openSync, closeSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { median, option, root } from './common.mjs';

const rate = Number(option('rate', '1000'));
const seconds = Number(option('seconds', '30'));
const onlyCli = process.argv.includes('--cli');
const onlyApp = process.argv.includes('--app');
const modes = onlyCli === onlyApp ? ['cli', 'app'] : onlyApp ? ['app'] : ['cli'];
const searchRates = (modes.includes('cli') ? option('search', '250,500,1000,1500,2000,3000') : '')
  .split(',')
  .filter(Boolean)
  .map(Number);
const searchSeconds = Number(option('search-seconds', '10'));
const format = option('format', 'ndjson');
const bufferMb = option('buffer-mb', undefined);
const keep = process.argv.includes('--keep');
/** --timeline FILE: the app mode's status pushes and polls, as JSON (to see when the lag and the waits happen). */
const timelinePath = option('timeline', undefined);
const scenarios = join(root, '../shared/bench');
const bin = join(root, 'bin/sipscope.js');
/** The app table's poll of a growing view (src/renderer/src/table/MessageTable.tsx GROWTH_POLL_MS) and its page size. */
const POLL_MS = 250;
const PAGE_ROWS = 200;

for (const [what, ok] of [
  ['the compiled CLI and capture helper (npm run build:cli)', existsSync(join(root, 'dist/node/capture/capture-helper.js'))],
  ['the compiled trace service and its worker (npm run build:cli)', existsSync(join(root, 'dist/main/trace-worker.js'))],
  ['the SIPp scenarios in ../shared/bench', existsSync(join(scenarios, 'volte_uac.xml'))],
  ['root (capture on lo)', process.getuid?.() === 0],
  // Checked in a child process, as test/helpers/capture.ts does: this process never loads the native module
  // (the app mode's capture helper, a child of the worker thread, does).
  ['the optional `cap` module', spawnSync(process.execPath, ['-e', "require('cap')"], { cwd: root }).status === 0],
]) {
  if (!ok) {
    console.log(`capture-bench: skipped, needs ${what}`);
    process.exit(0);
  }
}
const which = (cmd) => new Promise((resolve) => spawn('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).on('close', (code) => resolve(code === 0)));
if (!(await which('sipp'))) {
  console.log('capture-bench: skipped, needs sipp (apt-get install sip-tester)');
  process.exit(0);
}

const dist = (path) => import(pathToFileURL(join(root, 'dist', path)).href);
const { analyzeFile } = await dist('node/analyze.js');
const { TextColumn } = await dist('core/index/message-index.js');
const { createEngineTraceService } = await dist('main/trace-service.js');
const { findTraceWorkerFile } = await dist('main/trace-worker-client.js');

const exited = (child) => new Promise((resolve) => (child.exitCode !== null || child.signalCode !== null ? resolve(child.exitCode) : child.on('close', (code) => resolve(code))));
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** The last line of a SIPp CSV (-trace_counts or -trace_stat) as a map of column name to number. */
function sippCsv(dir, suffix) {
  const name = readdirSync(dir).find((f) => f.endsWith(suffix));
  if (!name) return undefined;
  const lines = readFileSync(join(dir, name), 'utf8').trim().split('\n');
  const header = lines[0].split(';');
  const values = lines[lines.length - 1].split(';');
  return new Map(header.map((h, i) => [h.trim(), Number(values[i])]));
}

/** Datagrams one SIPp sent: every <send>'s first transmissions and retransmissions (see the header comment). */
function sippSent(counts) {
  let sent = 0;
  let retrans = 0;
  for (const [name, value] of counts) {
    const m = /^(\d+)_(.*)_Sent$/.exec(name);
    if (!m) continue;
    sent += value;
    retrans += counts.get(`${m[1]}_${m[2]}_Retrans`) ?? 0;
  }
  return { sent, retrans };
}

/** Counters that mean SIPp may have sent what its per-message counts miss. */
function sippIrregular(stat) {
  const out = {};
  for (const key of ['FailedCall(C)', 'OutOfCallMsgs(C)', 'DeadCallMsgs(C)', 'AutoAnswered(C)']) {
    const v = stat?.get(key) ?? 0;
    if (v) out[key.replace('(C)', '')] = v;
  }
  return out;
}

/** Lines of a file (streamed: a 30 s run prints ~200 MB of ndjson). */
async function countLines(path) {
  let lines = 0;
  for await (const chunk of createReadStream(path)) {
    for (let i = chunk.indexOf(10); i >= 0; i = chunk.indexOf(10, i + 1)) lines++;
  }
  return lines;
}

/** The CLI's capture: `sipscope capture -i lo`, its summary parsed from stderr once SIGINT stopped it. */
async function startCliCapture(filter, dir, children) {
  const pcapng = join(dir, 'capture.pcapng');
  const stdoutPath = join(dir, `live.${format}`);
  const stdoutFd = openSync(stdoutPath, 'w');
  let cliErr = '';
  let cli;
  try {
    const cliArgs = [bin, 'capture', '-i', 'lo', '-f', filter, '-w', pcapng, '--format', format];
    if (bufferMb) cliArgs.push('--buffer-size', bufferMb);
    // stdout straight to a file: the benchmark process takes no CPU from the capture while it runs.
    cli = spawn(process.execPath, cliArgs, { stdio: ['ignore', stdoutFd, 'pipe'] });
    children.push(cli);
    cli.stderr.setEncoding('utf8').on('data', (t) => (cliErr += t));
    for (let waited = 0; !/capturing on lo/.test(cliErr); waited += 50) {
      if (cli.exitCode !== null || waited > 15_000) throw new Error(`sipscope capture did not start:\n${cliErr}`);
      await sleep(50);
    }
  } finally {
    closeSync(stdoutFd);
  }
  return {
    async stop() {
      const cpuSeconds = processCpuSeconds(cli.pid);
      cli.kill('SIGINT');
      const code = await exited(cli);
      const summary = (re) => {
        const m = re.exec(cliErr);
        return m ? m.slice(1) : undefined;
      };
      const [captured] = summary(/^Captured: +(\d+) packets/m) ?? [NaN];
      const [queueDropped, kernel] = summary(/^Drops: +queue (\d+|\?), kernel (.*)$/m) ?? ['?', '?'];
      const printedLines = await countLines(stdoutPath);
      return {
        file: pcapng,
        code,
        problem: code !== 0 ? `sipscope capture exited with ${code}:\n${cliErr.split('\n').slice(-8).join('\n')}` : null,
        captured: Number(captured),
        queueDropped,
        kernel: kernel.trim(),
        kernelDropped: /^(\d+)/.exec(kernel.trim())?.[1] ?? '?',
        live: format === 'tsv' ? printedLines - 1 : printedLines,
        cpuSeconds,
      };
    },
  };
}

/**
 * The app's capture: a trace service as each window and `sipscope serve` page makes it, polled like the message
 * table follows a live capture, its status pushes recorded.
 */
async function startAppCapture(filter, dir) {
  if (!findTraceWorkerFile()) throw new Error('dist/main/trace-worker.js is missing: the service would run in this thread, not as the app does');
  const service = createEngineTraceService();
  const began = performance.now();
  const cpuBefore = process.cpuUsage();
  const statuses = [];
  await service.startCapture({ source: { kind: 'interfaces', interfaces: ['lo'], filter }, folder: dir, ring: null }, (status) => {
    statuses.push({ at: performance.now() - began, packets: status.packets, messages: status.messages, analysis: status.analysis, queueDepth: status.queueDepth, state: status.state });
  });
  // The table's poll: the rows new since the last poll (the first page of them). Its answer says how many rows
  // view 0 serves and, through the oldest new row's capture time, how long that message waited to be served.
  const polls = [];
  let seen = 0;
  let previousAskedAt = null;
  let polling = true;
  const poller = (async () => {
    while (polling) {
      const asked = performance.now();
      const askedAt = Date.now();
      const page = await service.getRows({ view: 0, start: seen, count: PAGE_ROWS });
      const answered = performance.now();
      const capturedAt = page.rows.length > 0 ? page.rows[0].time * 1000 : null;
      polls.push({
        at: answered - began,
        roundTripMs: answered - asked,
        total: page.total,
        // At most: from its capture to this answer. At least: the previous poll did not get it, so it was not
        // servable yet when that poll was asked.
        oldestWaitMs: capturedAt === null ? null : Date.now() - capturedAt,
        oldestWaitAtLeastMs: capturedAt === null || previousAskedAt === null ? null : Math.max(0, previousAskedAt - capturedAt),
      });
      seen = page.total;
      previousAskedAt = askedAt;
      await sleep(Math.max(0, POLL_MS - (performance.now() - asked)));
    }
  })();
  return {
    async stop() {
      polling = false;
      await poller;
      const cpu = process.cpuUsage(cpuBefore);
      const stopAsked = performance.now();
      let final;
      let problem = null;
      try {
        final = await service.stopCapture();
      } catch (error) {
        problem = `stopCapture failed: ${error.message}`;
      }
      const stopMs = performance.now() - stopAsked;
      const rows = final ? (await service.getRows({ view: 0, start: 0, count: 1 })).total : NaN;
      service.dispose();
      if (final?.problem && final.state === 'failed') problem = final.problem;
      const kernelKnown = final && final.kernelDropped !== null;
      return {
        file: final?.files[0],
        code: final?.state === 'stopped' ? 0 : 1,
        problem,
        captured: final?.packets ?? NaN,
        queueDropped: final ? String(final.queueDropped) : '?',
        kernel: kernelKnown ? `${final.kernelDropped} (of ${final.kernelReceived} received)` : `not available${final?.problem ? ` (${final.problem})` : ''}`,
        kernelDropped: kernelKnown ? String(final.kernelDropped) : '?',
        live: final?.messages ?? NaN,
        rows,
        calls: final?.calls ?? NaN,
        analyses: final?.analysis ?? NaN,
        stopMs,
        cpuSeconds: (cpu.user + cpu.system) / 1e6,
        ...liveMeasures(statuses, polls),
        timeline: { statuses, polls },
      };
    },
  };
}

/** What the status pushes and the polls say about the app's capture while it ran (see the header comment). */
function liveMeasures(statuses, polls) {
  const capturing = statuses.filter((s) => s.state === 'capturing');
  const lag = capturing.map((s) => s.packets - s.messages);
  const analysisAt = [];
  for (let i = 1; i < capturing.length; i++) if (capturing[i].analysis > capturing[i - 1].analysis) analysisAt.push(capturing[i].at);
  const intervals = analysisAt.slice(1).map((at, i) => at - analysisAt[i]);
  const waits = polls.map((p) => p.oldestWaitMs).filter((w) => w !== null);
  const waitsAtLeast = polls.map((p) => p.oldestWaitAtLeastMs).filter((w) => w !== null);
  const trips = polls.map((p) => p.roundTripMs);
  const stat = (values) => (values.length ? { median: median(values), max: Math.max(...values) } : { median: NaN, max: NaN });
  return {
    lag: stat(lag),
    maxQueueDepth: Math.max(0, ...capturing.map((s) => s.queueDepth)),
    wait: stat(waits),
    waitAtLeast: stat(waitsAtLeast),
    roundTrip: stat(trips),
    analysisInterval: stat(intervals),
    lastAnalysisInterval: intervals.at(-1) ?? NaN,
    polls: polls.length,
    statuses: capturing.length,
  };
}

/** CPU seconds a process used so far (Linux /proc; NaN elsewhere): user + system, in clock ticks of 1/100 s. */
function processCpuSeconds(pid) {
  try {
    // The fields after the command name (which may hold spaces, so cut at its closing parenthesis): utime is
    // the 14th field of the line, stime the 15th.
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return NaN;
  }
}

/** Distinct Call-IDs among the decoded messages (interned strings: one id per distinct text). */
function distinctCallIds(index) {
  const ids = new Set();
  for (let row = 0; row < index.count; row++) ids.add(index.textId(row, TextColumn.CallId));
  return ids.size;
}

async function runOnce(mode, callsPerSecond, durationS) {
  const dir = mkdtempSync(join(tmpdir(), 'sipscope-capture-bench-'));
  // Ports of this run only: other SIP traffic on lo (tests on 5060) stays out of the counts.
  const uasPort = 20000 + Math.floor(Math.random() * 20000);
  const uacPort = uasPort + 1;
  const filter = `udp and (port ${uacPort} or port ${uasPort})`;
  const children = [];
  try {
    const capture = mode === 'app' ? await startAppCapture(filter, dir) : await startCliCapture(filter, dir, children);
    // -buff_size: SIPp's sockets get 4 MiB (what net.core.rmem_max usually allows) instead of 64 KiB, so that a
    // SIPp paused by a busy machine does not drop what it receives and turn the run into a retransmission storm.
    const sippCommon = ['-t', 'u1', '-nostdin', '-buff_size', String(4 << 20), '-trace_counts', '-trace_stat', '-fd', '1'];
    const uas = spawn('sipp', ['-sf', join(scenarios, 'volte_uas.xml'), '-i', '127.0.0.1', '-p', String(uasPort), ...sippCommon], { cwd: dir, stdio: 'ignore' });
    children.push(uas);
    await sleep(500);
    const calls = Math.round(callsPerSecond * durationS);
    const began = performance.now();
    const uac = spawn(
      'sipp',
      ['-sf', join(scenarios, 'volte_uac.xml'), '-i', '127.0.0.1', '-p', String(uacPort), `127.0.0.1:${uasPort}`, '-m', String(calls), '-r', String(callsPerSecond), '-l', '5000', ...sippCommon],
      { cwd: dir, stdio: 'ignore' },
    );
    children.push(uac);
    // Calls whose messages SIPp itself lost (its socket overflowed) can hang it for good: stop it (SIGUSR1 ends
    // SIPp softly, writing its final counts) when it runs well past its time, then more firmly.
    const overtime = [
      setTimeout(() => uac.kill('SIGUSR1'), (durationS + 20) * 1000),
      setTimeout(() => uac.kill('SIGTERM'), (durationS + 30) * 1000),
    ];
    const uacCode = await exited(uac);
    overtime.forEach(clearTimeout);
    const sippSeconds = (performance.now() - began) / 1000;
    // Let the last retransmissions and the last batch (batchMs) arrive, then stop both like a user would.
    await sleep(1000);
    uas.kill('SIGUSR1');
    const captured = await capture.stop();
    const uasTimer = setTimeout(() => uas.kill('SIGTERM'), 3000);
    await exited(uas);
    clearTimeout(uasTimer);

    const uacCounts = sippCsv(dir, `volte_uac_${uac.pid}_counts.csv`);
    const uasCounts = sippCsv(dir, `volte_uas_${uas.pid}_counts.csv`);
    if (!uacCounts || !uasCounts) throw new Error(`SIPp wrote no -trace_counts file in ${dir}`);
    const a = sippSent(uacCounts);
    const b = sippSent(uasCounts);
    const stat = (name, key) => sippCsv(dir, `volte_${name}_.csv`)?.get(key) ?? 0;
    const uacFailed = stat(`uac_${uac.pid}`, 'FailedCall(C)');
    const failedCalls = uacFailed + stat(`uas_${uas.pid}`, 'FailedCall(C)');
    const successfulCalls = stat(`uac_${uac.pid}`, 'SuccessfulCall(C)');
    const irregular = { ...sippIrregular(sippCsv(dir, `volte_uac_${uac.pid}_.csv`)), ...sippIrregular(sippCsv(dir, `volte_uas_${uas.pid}_.csv`)) };
    if (timelinePath && captured.timeline) writeFileSync(timelinePath, JSON.stringify(captured.timeline));
    delete captured.timeline;
    const analysed = captured.file && existsSync(captured.file) ? await analyzeFile(captured.file) : undefined;
    return {
      mode,
      rate: callsPerSecond,
      seconds: durationS,
      calls,
      sippSeconds,
      uacCode,
      failedCalls,
      successfulCalls,
      /** Calls SIPp's client placed, each with its own Call-ID (successful + failed once every call ended). */
      sippCalls: stat(`uac_${uac.pid}`, 'TotalCallCreated'),
      sippEnded: successfulCalls + uacFailed,
      load: loadavg()[0],
      sent: a.sent + a.retrans + b.sent + b.retrans,
      retrans: a.retrans + b.retrans,
      irregular,
      filePackets: analysed?.file.packets ?? NaN,
      fileComplete: analysed?.file.complete ?? false,
      fileMessages: analysed?.engine.index.count ?? NaN,
      fileCallIds: analysed ? distinctCallIds(analysed.engine.index) : NaN,
      ...captured,
    };
  } finally {
    for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    if (keep) console.log(`kept ${dir}`);
    else rmSync(dir, { recursive: true, force: true });
  }
}

/** Every stage after the kernel agrees with the one before, with no drop (sent aside). */
const captureConsistent = (r) =>
  r.captured === r.filePackets &&
  r.filePackets === r.fileMessages &&
  r.fileMessages === r.live &&
  (r.mode !== 'app' || (r.live === r.rows && r.calls === r.fileCallIds)) &&
  r.queueDropped === '0' &&
  (r.kernelDropped === '0' || r.kernelDropped === '?') &&
  r.fileComplete;
const lossless = (r) => r.sent === r.captured && (r.mode !== 'app' || r.calls === r.sippCalls) && captureConsistent(r);
/**
 * SIPp overloaded sends messages its per-message counts miss (see the header comment): when those counters say so
 * and the capture's own stages agree, a sent/captured difference is SIPp's count, not a loss.
 */
const sippInexact = (r) => !lossless(r) && captureConsistent(r) && Object.keys(r.irregular).length > 0 && r.kernelDropped === '0';
/** SIPp kept up: every call completed. When it did not, the run still checks the capture but says less about the rate. */
const sippHealthy = (r) => r.uacCode === 0 && r.failedCalls === 0;
const verdict = (r) => (sippInexact(r) ? 'SIPp overloaded, counts inexact' : !lossless(r) ? 'LOSS' : sippHealthy(r) ? 'lossless' : 'lossless, SIPp overloaded');

function printTable(head, rows) {
  const widths = head.map((h, i) => Math.max(String(h).length, ...rows.map((row) => String(row[i]).length)));
  const line = (cells) => cells.map((c, i) => String(c).padStart(widths[i])).join('  ');
  console.log(line(head));
  for (const row of rows) console.log(line(row));
}

function table(results) {
  const app = results.some((r) => r.mode === 'app');
  const head = ['path', 'calls/s', 'sec', 'SIPp s', 'calls ok', 'failed', 'sent', 'retrans', 'captured', 'sent-captured', 'file pkts', 'file SIP', 'live SIP'];
  if (app) head.push('rows', 'calls', 'Call-IDs', 'SIPp calls');
  head.push('queue drop', 'kernel drops', 'CPU s', 'load', 'result');
  printTable(
    head,
    results.map((r) => [
      r.mode,
      r.rate,
      r.seconds,
      r.sippSeconds.toFixed(1),
      r.successfulCalls,
      r.failedCalls,
      r.sent + (Object.keys(r.irregular).length ? '*' : ''),
      r.retrans,
      r.captured,
      r.sent - r.captured,
      r.filePackets,
      r.fileMessages,
      r.live,
      ...(app ? (r.mode === 'app' ? [r.rows, r.calls, r.fileCallIds, r.sippCalls] : ['', '', r.fileCallIds, r.sippCalls]) : []),
      r.queueDropped,
      r.kernel,
      Number.isFinite(r.cpuSeconds) ? r.cpuSeconds.toFixed(1) : '-',
      r.load.toFixed(1),
      verdict(r),
    ]),
  );
  const live = results.filter((r) => r.mode === 'app');
  if (live.length) {
    const ms = (v) => (Number.isFinite(v) ? Math.round(v) : '-');
    console.log('\napp capture while running (status pushes every 500 ms, getRows every 250 ms):');
    printTable(
      ['calls/s', 'lag median', 'lag max', 'helper queue max', 'wait median ms', 'wait max ms', 'wait at least max ms', 'getRows median ms', 'getRows max ms', 'analyses', 'analysis every (median) ms', 'last interval ms', 'stop ms'],
      live.map((r) => [r.rate, r.lag.median, r.lag.max, r.maxQueueDepth, ms(r.wait.median), ms(r.wait.max), ms(r.waitAtLeast.max), ms(r.roundTrip.median), ms(r.roundTrip.max), r.analyses, ms(r.analysisInterval.median), ms(r.lastAnalysisInterval), ms(r.stopMs)]),
    );
    console.log('  lag = status.packets - status.messages (captured but not yet decoded); wait = capture time of the oldest row new to a poll to its answer');
    console.log('  (an upper bound: one poll interval included); wait at least = that row missed the previous poll, so it waited at least from its capture to then;');
    console.log('  an analysis interval is ~1 s + its duration d while d < 1 s, ~3d beyond; stop = stopCapture() to its final status (the last analysis included)');
  }
  for (const r of results) {
    if (Object.keys(r.irregular).length) console.log(`* ${r.mode} ${r.rate} calls/s: SIPp counters ${JSON.stringify(r.irregular)}: it may have sent messages its per-message counts miss (inexact)`);
    if (r.sippEnded !== r.sippCalls) console.log(`  ${r.mode} ${r.rate} calls/s: SIPp's client placed ${r.sippCalls} calls but counted ${r.sippEnded} successful or failed (some never ended)`);
    if (!sippHealthy(r)) console.log(`  ${r.mode} ${r.rate} calls/s: SIPp did not keep up (client exit ${r.uacCode}, ${r.failedCalls} failed calls, ${r.retrans} retransmissions): the machine is too busy for this rate`);
    if (r.problem) console.log(`  ${r.mode} ${r.rate} calls/s: ${r.problem}`);
  }
}

function summaryLine(r) {
  const pass = lossless(r) && sippHealthy(r);
  const what =
    r.mode === 'app'
      ? `live ${r.live} SIP decoded / ${r.rows} rows served, calls ${r.calls} analysed / ${r.fileCallIds} Call-IDs / ${r.sippCalls} SIPp calls`
      : `live ${r.live} SIP`;
  return (
    `${pass ? 'PASS' : 'MISS'}: ${r.mode} ${r.rate} calls/s for ${r.seconds} s: sent ${r.sent}, not captured ${r.sent - r.captured}, ` +
    `file ${r.filePackets} packets / ${r.fileMessages} SIP, ${what}, queue dropped ${r.queueDropped}, kernel drops ${r.kernel}` +
    ` (target: zero loss${sippHealthy(r) ? '' : '; SIPp itself did not sustain the rate'})`
  );
}

const described = { cli: `sipscope capture -i lo -w FILE --format ${format}${bufferMb ? ` --buffer-size ${bufferMb}` : ''}`, app: 'the app\'s trace service (worker thread) capturing lo, getRows every 250 ms' };
const targets = [];
for (const mode of modes) {
  console.log(`capture-bench: SIPp ${rate} calls/s (${rate * 12} SIP messages/s) for ${seconds} s through ${described[mode]} (${cpus().length} CPUs, load ${loadavg()[0].toFixed(1)})`);
  targets.push(await runOnce(mode, rate, seconds));
}
table(targets);
for (const r of targets) console.log(summaryLine(r));

if (searchRates.length > 0) {
  console.log(`\nHighest loss-free rate (CLI): ${searchRates.join(', ')} calls/s, ${searchSeconds} s each, stopping at the first loss or overloaded SIPp`);
  const results = [];
  let best;
  for (const r of [...searchRates].sort((x, y) => x - y)) {
    const result = await runOnce('cli', r, searchSeconds);
    results.push(result);
    if (!lossless(result) || !sippHealthy(result)) break;
    best = r;
  }
  table(results);
  const last = results[results.length - 1];
  const why = last && sippInexact(last) ? `SIPp overloaded at ${last.rate}, its counts inexact: the capture's stages agreed, with no drop` : last && !lossless(last) ? `loss at ${last.rate}` : last && !sippHealthy(last) ? `SIPp overloaded at ${last.rate}: the capture was not the limit` : 'every listed rate passed';
  console.log(best === undefined ? `no listed rate was loss-free for ${searchSeconds} s (${why})` : `highest loss-free rate: ${best} calls/s (${best * 12} SIP messages/s) for ${searchSeconds} s (${why})`);
}
// Exit 0 on a MISS too: `npm run bench` runs the other benchmarks after this one; the MISS line says it.
process.exit(0);
