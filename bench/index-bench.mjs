#!/usr/bin/env node
// Benchmark: a full index of a large VoLTE capture (`sipscope analyze FILE --summary`), against sngrep
// (`sngrep -I FILE -N -q`) on the same file in the same run; then the call analysis (`sipscope stats FILE`). Reports median wall time, peak RSS and MB/s
// over several runs, and the ratios to sngrep. Targets (issue 2): ≤ 0.25× sngrep's wall time and ≤ 0.5× its
// peak RSS.
//
//   npm run bench                      # generates bench/data/volte-25k.pcap first if it is missing
//   npm run bench -- --file X.pcap     # any capture
//   npm run bench -- --runs 7
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { file, median, root, runs } from './common.mjs';

function have(command) {
  return spawnSync('sh', ['-c', `command -v ${command}`]).status === 0;
}

if (!existsSync(file)) {
  const script = resolve(root, '../shared/bench/make-volte-capture.sh');
  if (!existsSync(script)) {
    console.error(`No capture at ${file} and no generator at ${script}. Pass --file FILE.`);
    process.exit(1);
  }
  console.error(`Generating ${file} with ${script} (25k calls over SIPp on loopback; needs root, sipp and tcpdump)...`);
  mkdirSync(dirname(file), { recursive: true });
  execFileSync('bash', [script, file], { stdio: 'inherit' });
}
if (!have('/usr/bin/time')) {
  console.error('GNU time (/usr/bin/time) is needed to measure peak RSS: apt-get install time');
  process.exit(1);
}
if (!existsSync(join(root, 'dist/cli/main.js'))) execFileSync('npm', ['run', 'build:cli'], { cwd: root, stdio: 'inherit' });

const size = statSync(file).size;

/** Runs a command under GNU time; returns wall seconds and peak RSS in bytes. */
function measure(command, commandArgs) {
  const r = spawnSync('/usr/bin/time', ['-f', '@@TIME %e %M', command, ...commandArgs], { encoding: 'utf8', maxBuffer: 1 << 30 });
  const line = r.stderr.split('\n').find((l) => l.startsWith('@@TIME'));
  if (r.status !== 0 || !line) throw new Error(`${command} ${commandArgs.join(' ')} failed (${r.status}):\n${r.stderr}`);
  const [, wall, rssKb] = line.split(' ');
  return { wall: Number(wall), rss: Number(rssKb) * 1024, stdout: r.stdout };
}


function report(label, samples) {
  const wall = median(samples.map((s) => s.wall));
  const rss = Math.max(...samples.map((s) => s.rss));
  console.log(`${label.padEnd(9)} median ${wall.toFixed(3)} s  (runs: ${samples.map((s) => s.wall.toFixed(2)).join(' ')})  peak RSS ${(rss / 2 ** 20).toFixed(1)} MiB  ${(size / 1e6 / wall).toFixed(1)} MB/s`);
  return { wall, rss };
}

console.log(`File: ${file} (${(size / 1e6).toFixed(1)} MB), ${runs} runs each after one warm-up, interleaved, on ${process.platform} ${process.arch}, node ${process.version}`);
const ourCommand = [process.execPath, [join(root, 'bin/sipscope.js'), 'analyze', file, '--summary', '--no-progress']];
const theirCommand = ['sngrep', ['-I', file, '-N', '-q']];
const withSngrep = have('sngrep');
// One warm-up each (page cache, binaries), then the runs alternate, so that a change in the load of a
// shared machine weighs on both tools alike and the ratio stays fair.
const first = measure(...ourCommand);
if (withSngrep) measure(...theirCommand);
const ourSamples = [];
const theirSamples = [];
for (let i = 0; i < runs; i++) {
  ourSamples.push(measure(...ourCommand));
  if (withSngrep) theirSamples.push(measure(...theirCommand));
}
const ours = report('sipscope', ourSamples);
const sipLine = first.stdout.split('\n').find((l) => l.startsWith('SIP:'));
if (sipLine) console.log(`          ${sipLine.trim()}`);
if (withSngrep) {
  const theirs = report('sngrep', theirSamples);
  const timeRatio = ours.wall / theirs.wall;
  const rssRatio = ours.rss / theirs.rss;
  const pairRatios = ourSamples.map((s, i) => s.wall / theirSamples[i].wall);
  console.log(`Ratios:   time ${timeRatio.toFixed(3)}× sngrep (target ≤ 0.25) ${timeRatio <= 0.25 ? 'MET' : 'NOT MET'};  peak RSS ${rssRatio.toFixed(3)}× sngrep (target ≤ 0.5) ${rssRatio <= 0.5 ? 'MET' : 'NOT MET'}`);
  console.log(`          per-pair time ratios: ${pairRatios.map((r) => r.toFixed(2)).join(' ')}`);
} else {
  console.log('sngrep is not installed (apt-get install sngrep): no comparison.');
}

// The call analysis (`sipscope stats`: transactions, dialogs, procedures, KPIs, findings) on the same file.
// No target from the issues yet; measured so that a slow-down (a quadratic step) shows up here.
const statsCommand = [process.execPath, [join(root, 'bin/sipscope.js'), 'stats', file]];
const statsSamples = [];
for (let i = 0; i < Math.min(runs, 3); i++) statsSamples.push(measure(...statsCommand));
report('stats', statsSamples);
const callsLine = statsSamples[0].stdout.split('\n').find((l) => l.startsWith('Messages:'));
if (callsLine) console.log(`          ${callsLine.trim()}`);
