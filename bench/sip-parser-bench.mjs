#!/usr/bin/env node
// Micro-benchmark of the SIP parser on the 12 messages of one SIPp VoLTE call (../shared/bench/volte_*.xml,
// placeholders filled as in test/core/sip/volte-fixtures.ts). Runs the compiled parser:
//   npx tsc -p tsconfig.cli.json && node bench/sip-parser-bench.mjs [seconds-per-scenario=3]
// Reports messages/s for: index fields only (default lazy body), eager body (multipart + SDP parsed), and
// index + reading every header value.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const { parseSip } = await import(pathToFileURL(join(root, 'dist/core/sip/parser.js')).href);
const benchDir = join(root, '../shared/bench');
const seconds = Number(process.argv[2] ?? 3);

function cdata(xml) {
  return [...xml.matchAll(/<!\[CDATA\[([\s\S]*?)\]\]>/g)].map((m) => m[1]);
}
function render(template, vars, last = '') {
  let text = template.replace(/\[last_([A-Za-z-]+):\]/g, (_, name) =>
    last.split('\r\n').find((l) => l.toLowerCase().startsWith(name.toLowerCase() + ':')) ?? '');
  text = text.replace(/\[(\$?[a-z_]+)\]/g, (whole, name) => (name in vars ? vars[name] : whole));
  const lines = text.split('\n').map((l) => l.trim());
  while (lines.length && lines[0] === '') lines.shift();
  while (lines.length && lines[lines.length - 1] === '') lines.pop();
  const blank = lines.indexOf('');
  const head = blank < 0 ? lines : lines.slice(0, blank);
  const body = blank < 0 ? '' : lines.slice(blank + 1).map((l) => l + '\r\n').join('');
  return head.map((l) => l + '\r\n').join('').replace('[len]', String(body.length)) + '\r\n' + body;
}
function call(n) {
  const uac = cdata(readFileSync(join(benchDir, 'volte_uac.xml'), 'utf8'));
  const uas = cdata(readFileSync(join(benchDir, 'volte_uas.xml'), 'utf8'));
  const pid = '4321';
  const common = { transport: 'UDP', call_number: String(n), pid, call_id: `${n}-${pid}@10.0.0.1`, local_ip_type: '4', media_ip_type: '4', remote_port: '5070', len: '[len]' };
  const ue = { ...common, local_ip: '10.0.0.1', local_port: '5060', media_ip: '10.0.0.1', media_port: '6000' };
  const peer = { ...common, local_ip: '10.0.0.2', local_port: '5070', media_ip: '10.0.0.2', media_port: '6002' };
  const dialog = { next_url: 'sip:10.0.0.2:5070;transport=UDP', routes: 'Route: <sip:scscf.ims.mnc001.mcc001.3gppnetwork.org;lr>', peer_tag_param: `;tag=${pid}SIPpTag01${n}`, $rs: '1' };
  const req = (i) => render(uac[i], { ...ue, ...dialog, branch: `z9hG4bK-${pid}-${n}-${i}` });
  const [invite, prack, update, ack, bye] = [0, 1, 2, 3, 4].map(req);
  const hv = (m, name) => (m.split('\r\n').find((l) => l.startsWith(name + ':')) ?? '').substring(name.length + 1).trim();
  const vars = { ...peer, $via: hv(invite, 'Via'), $to: hv(invite, 'To') };
  const res = (i, last) => render(uas[i], vars, last);
  return [invite, res(0, invite), res(1, invite), prack, res(2, prack), update, res(3, update), res(4, update), res(5, update), ack, bye, res(6, bye)];
}

// 64 calls (768 messages, distinct Call-IDs) packed in one buffer like a capture reader's working buffer.
const texts = [];
for (let n = 1; n <= 64; n++) texts.push(...call(n));
const enc = new TextEncoder();
const chunks = texts.map((t) => enc.encode(t));
const buffer = new Uint8Array(chunks.reduce((a, c) => a + c.length, 0));
const spans = [];
let off = 0;
for (const c of chunks) {
  buffer.set(c, off);
  spans.push([off, off + c.length]);
  off += c.length;
}
const avgSize = Math.round(buffer.length / spans.length);

let sink = 0;
/**
 * Runs `fn` over all messages in 30 trials of ~`seconds / 30` each; reports the best trial (on a shared host
 * other load only ever slows a trial down, so the best one is the closest to the parser's own speed) and the
 * median.
 */
function run(label, fn) {
  for (let r = 0; r < 300; r++) for (const [s, e] of spans) sink += fn(s, e); // warm-up
  const rates = [];
  for (let trial = 0; trial < 30; trial++) {
    let count = 0;
    const t0 = performance.now();
    let elapsed = 0;
    while (elapsed < (seconds * 1000) / 30) {
      for (const [s, e] of spans) sink += fn(s, e);
      count += spans.length;
      elapsed = performance.now() - t0;
    }
    rates.push(count / (elapsed / 1000));
  }
  rates.sort((a, b) => a - b);
  const best = rates[rates.length - 1];
  const median = rates[rates.length >> 1];
  const fmt = (n) => Math.round(n).toLocaleString('en-US').padStart(9);
  console.log(`${label.padEnd(40)} best ${fmt(best)} msg/s (${(1e6 / best).toFixed(2)} µs/msg)   median ${fmt(median)} msg/s`);
  return best;
}

console.log(`node ${process.version}; ${spans.length} messages, average ${avgSize} bytes`);
let errors = 0;
for (const [s, e] of spans) errors += parseSip(buffer, s, e).diagnostics.filter((d) => d.severity === 'error').length;
if (errors) console.log(`WARNING: ${errors} error diagnostics on the benchmark messages`);
const rate = run('parseSip (index fields, lazy body)', (s, e) => {
  const m = parseSip(buffer, s, e);
  return m.vias.length + (m.callId ? 1 : 0) + (m.from?.tag ? 1 : 0) + m.diagnostics.length;
});
run('parseSip + sdp (body: eager)', (s, e) => {
  const m = parseSip(buffer, s, e, { body: 'eager' });
  return m.vias.length + (m.sdp ? m.sdp.media.length : 0);
});
run('parseSip + every header value', (s, e) => {
  const m = parseSip(buffer, s, e);
  let n = 0;
  for (const h of m.headers) n += h.value.length + h.name.length;
  return n;
});
console.log(rate >= 300_000 ? 'target >= 300k msg/s: met' : 'target >= 300k msg/s: NOT met');
if (sink === 42) console.log('');
