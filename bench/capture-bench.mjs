#!/usr/bin/env node
// Live capture under load (issue 7): SIPp places VoLTE-style calls on 127.0.0.1 (../shared/bench/volte_uac.xml
// against volte_uas.xml, 12 SIP messages a call) while the real CLI captures them:
//   node bin/sipscope.js capture -i lo -f 'udp and (port UAC or port UAS)' -w <tmp>.pcapng --format ndjson
// started before SIPp and stopped with SIGINT after it. Needs root (capture on lo), the optional `cap` module,
// sipp, and `npm run build:cli` (the CLI and the capture helper run from dist/).
//
//   node bench/capture-bench.mjs [--rate 1000] [--seconds 30] [--search 250,500,1000,1500,2000,3000]
//                                [--search-seconds 10] [--format ndjson|tsv] [--buffer-mb N] [--keep]
//
// What is counted, per run (every count is of SIP messages = UDP datagrams: the scenarios never fragment):
//   sent      what the two SIPp instances sent, from their -trace_counts files: the sum of every <send>'s
//             "Sent" and "Retrans" columns (a retransmission is a datagram on the wire like any other; SIPp also
//             counts there the last response it re-sends when a request is retransmitted to it). SIPp can send
//             messages no scenario line counts (its default BYE/CANCEL on an unexpected message, automatic
//             answers): the -trace_stat counters FailedCall, OutOfCallMsgs, DeadCallMsgs and AutoAnswered say when
//             that may have happened, and the run is then marked "inexact".
//   captured  packets libpcap handed to the capture helper (the CLI's summary, "Captured:"). On lo nothing is lost
//             on the wire, so sent - captured is what the kernel ring dropped (the CLI also prints the kernel's
//             own drop count when the helper can read it).
//   file      Enhanced Packet Blocks in the pcapng, read back with our reader (src/node/capture-file.ts), and the
//             SIP messages the engine decodes from it.
//   live      SIP messages the CLI printed while capturing (ndjson or tsv lines on its stdout).
// A run passes when sent == captured == file packets == file messages == live, with no queue drop.
// The search runs the listed rates (ascending, --search-seconds each) and stops at the first that loses
// anything; --search '' skips it.
import { spawn, spawnSync } from 'node:child_process';
import { createReadStream, existsSync, mkdtempSync, openSync, closeSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { option, root } from './common.mjs';

const rate = Number(option('rate', '1000'));
const seconds = Number(option('seconds', '30'));
const searchRates = option('search', '250,500,1000,1500,2000,3000')
  .split(',')
  .filter(Boolean)
  .map(Number);
const searchSeconds = Number(option('search-seconds', '10'));
const format = option('format', 'ndjson');
const bufferMb = option('buffer-mb', undefined);
const keep = process.argv.includes('--keep');
const scenarios = join(root, '../shared/bench');
const bin = join(root, 'bin/sipscope.js');

for (const [what, ok] of [
  ['the compiled CLI and capture helper (npm run build:cli)', existsSync(join(root, 'dist/node/capture/capture-helper.js'))],
  ['the SIPp scenarios in ../shared/bench', existsSync(join(scenarios, 'volte_uac.xml'))],
  ['root (capture on lo)', process.getuid?.() === 0],
  // Checked in a child process, as test/helpers/capture.ts does: this process never loads the native module.
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

const { analyzeFile } = await import(pathToFileURL(join(root, 'dist/node/analyze.js')).href);

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

async function runOnce(callsPerSecond, durationS) {
  const dir = mkdtempSync(join(tmpdir(), 'sipscope-capture-bench-'));
  // Ports of this run only: other SIP traffic on lo (tests on 5060) stays out of the counts.
  const uasPort = 20000 + Math.floor(Math.random() * 20000);
  const uacPort = uasPort + 1;
  const pcapng = join(dir, 'capture.pcapng');
  const stdoutPath = join(dir, `live.${format}`);
  const stdoutFd = openSync(stdoutPath, 'w');
  let cliErr = '';
  const children = [];
  try {
    const cliArgs = [bin, 'capture', '-i', 'lo', '-f', `udp and (port ${uacPort} or port ${uasPort})`, '-w', pcapng, '--format', format];
    if (bufferMb) cliArgs.push('--buffer-size', bufferMb);
    // stdout straight to a file: the benchmark process takes no CPU from the capture while it runs.
    const cli = spawn(process.execPath, cliArgs, { stdio: ['ignore', stdoutFd, 'pipe'] });
    children.push(cli);
    cli.stderr.setEncoding('utf8').on('data', (t) => (cliErr += t));
    for (let waited = 0; !/capturing on lo/.test(cliErr); waited += 50) {
      if (cli.exitCode !== null || waited > 15_000) throw new Error(`sipscope capture did not start:\n${cliErr}`);
      await sleep(50);
    }
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
    cli.kill('SIGINT');
    const cliCode = await exited(cli);
    const uasTimer = setTimeout(() => uas.kill('SIGTERM'), 3000);
    await exited(uas);
    clearTimeout(uasTimer);

    const uacCounts = sippCsv(dir, `volte_uac_${uac.pid}_counts.csv`);
    const uasCounts = sippCsv(dir, `volte_uas_${uas.pid}_counts.csv`);
    if (!uacCounts || !uasCounts) throw new Error(`SIPp wrote no -trace_counts file in ${dir}`);
    const a = sippSent(uacCounts);
    const b = sippSent(uasCounts);
    const stat = (name, key) => sippCsv(dir, `volte_${name}_.csv`)?.get(key) ?? 0;
    const failedCalls = stat(`uac_${uac.pid}`, 'FailedCall(C)') + stat(`uas_${uas.pid}`, 'FailedCall(C)');
    const successfulCalls = stat(`uac_${uac.pid}`, 'SuccessfulCall(C)');
    const irregular = { ...sippIrregular(sippCsv(dir, `volte_uac_${uac.pid}_.csv`)), ...sippIrregular(sippCsv(dir, `volte_uas_${uas.pid}_.csv`)) };
    const summary = (re) => {
      const m = re.exec(cliErr);
      return m ? m.slice(1) : undefined;
    };
    const [captured] = summary(/^Captured: +(\d+) packets/m) ?? [NaN];
    const [sipLive] = summary(/^SIP: +(\d+) messages/m) ?? [NaN];
    const [queueDropped, kernel] = summary(/^Drops: +queue (\d+|\?), kernel (.*)$/m) ?? ['?', '?'];
    const [written] = summary(/\((\d+) packets written\)/m) ?? [NaN];
    const printedLines = await countLines(stdoutPath);
    const live = format === 'tsv' ? printedLines - 1 : printedLines;
    const analysed = await analyzeFile(pcapng);
    return {
      rate: callsPerSecond,
      seconds: durationS,
      calls,
      sippSeconds,
      uacCode,
      cliCode,
      failedCalls,
      successfulCalls,
      load: loadavg()[0],
      sent: a.sent + a.retrans + b.sent + b.retrans,
      retrans: a.retrans + b.retrans,
      irregular,
      captured: Number(captured),
      written: Number(written),
      filePackets: analysed.file.packets,
      fileComplete: analysed.file.complete,
      fileMessages: analysed.engine.index.count,
      live,
      summaryMessages: Number(sipLive),
      queueDropped,
      kernel: kernel.trim(),
      stderrTail: cliErr.split('\n').slice(-8).join('\n'),
    };
  } finally {
    for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    closeSync(stdoutFd);
    if (keep) console.log(`kept ${dir}`);
    else rmSync(dir, { recursive: true, force: true });
  }
}

const lossless = (r) =>
  r.sent === r.captured && r.captured === r.filePackets && r.filePackets === r.fileMessages && r.fileMessages === r.live && r.queueDropped === '0' && r.fileComplete;
/** SIPp kept up: every call completed. When it did not, the run still checks the capture but says less about the rate. */
const sippHealthy = (r) => r.uacCode === 0 && r.failedCalls === 0;
const verdict = (r) => (!lossless(r) ? 'LOSS' : sippHealthy(r) ? 'lossless' : 'lossless, SIPp overloaded');

function table(results) {
  const head = ['calls/s', 'sec', 'SIPp s', 'calls ok', 'failed', 'sent', 'retrans', 'captured', 'sent-captured', 'file pkts', 'file SIP', 'live SIP', 'queue drop', 'kernel drops', 'load', 'result'];
  const rows = results.map((r) => [
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
    r.queueDropped,
    r.kernel,
    r.load.toFixed(1),
    verdict(r),
  ]);
  const widths = head.map((h, i) => Math.max(String(h).length, ...rows.map((row) => String(row[i]).length)));
  const line = (cells) => cells.map((c, i) => String(c).padStart(widths[i])).join('  ');
  console.log(line(head));
  for (const row of rows) console.log(line(row));
  for (const r of results) {
    if (Object.keys(r.irregular).length) console.log(`* ${r.rate} calls/s: SIPp counters ${JSON.stringify(r.irregular)}: it may have sent messages its per-message counts miss (inexact)`);
    if (!sippHealthy(r)) console.log(`  ${r.rate} calls/s: SIPp did not keep up (client exit ${r.uacCode}, ${r.failedCalls} failed calls, ${r.retrans} retransmissions): the machine is too busy for this rate`);
    if (r.cliCode !== 0) console.log(`  ${r.rate} calls/s: sipscope capture exited with ${r.cliCode}:\n${r.stderrTail}`);
  }
}

console.log(
  `capture-bench: SIPp ${rate} calls/s (${rate * 12} SIP messages/s) for ${seconds} s through sipscope capture -i lo -w FILE --format ${format}` +
    `${bufferMb ? ` --buffer-size ${bufferMb}` : ''} (${cpus().length} CPUs, load ${loadavg()[0].toFixed(1)})`,
);
const target = await runOnce(rate, seconds);
table([target]);
const pass = lossless(target) && sippHealthy(target);
console.log(
  `${pass ? 'PASS' : 'MISS'}: ${rate} calls/s for ${seconds} s: sent ${target.sent}, not captured ${target.sent - target.captured}, ` +
    `file ${target.filePackets} packets / ${target.fileMessages} SIP, live ${target.live} SIP, queue dropped ${target.queueDropped}, kernel drops ${target.kernel}` +
    ` (target: zero loss${sippHealthy(target) ? '' : '; SIPp itself did not sustain the rate'})`,
);

if (searchRates.length > 0) {
  console.log(`\nHighest loss-free rate: ${searchRates.join(', ')} calls/s, ${searchSeconds} s each, stopping at the first loss or overloaded SIPp`);
  const results = [];
  let best;
  for (const r of [...searchRates].sort((x, y) => x - y)) {
    const result = await runOnce(r, searchSeconds);
    results.push(result);
    if (!lossless(result) || !sippHealthy(result)) break;
    best = r;
  }
  table(results);
  const last = results[results.length - 1];
  const why = last && !lossless(last) ? `loss at ${last.rate}` : last && !sippHealthy(last) ? `SIPp overloaded at ${last.rate}: the capture was not the limit` : 'every listed rate passed';
  console.log(best === undefined ? `no listed rate was loss-free for ${searchSeconds} s (${why})` : `highest loss-free rate: ${best} calls/s (${best * 12} SIP messages/s) for ${searchSeconds} s (${why})`);
}
// Exit 0 on a MISS too: `npm run bench` runs the other benchmarks after this one; the MISS line says it.
process.exit(0);
