/**
 * Issue 7's capture test: real SIPp calls on loopback, over IPv4 (127.0.0.1) and IPv6 (::1), captured by the
 * real `sipscope capture -i lo -w FILE --format ndjson` (the compiled CLI and helper: `npm run build:cli` first).
 * What SIPp sent is the reference: its -trace_msg log holds every message it put on the wire (scenario messages,
 * retransmissions and anything sent on its own), each after a "UDP message sent" line. Every one of them must be
 * printed live, be in the pcapng, and be decoded from that file by our engine and by tshark, as the same multiset
 * of (Call-ID, CSeq, method or status); each SIPp's messages must also come out in the order it sent them (one UDP
 * socket on lo: the kernel captures its datagrams in send order).
 * The calls use ../shared/bench's VoLTE scenarios (12 messages a call: INVITE, 100, 183 with 100rel, PRACK, 200,
 * UPDATE, 200, 180, 200, ACK, BYE, 200) on ports of this test only, with a capture filter on those ports, so other
 * SIP on lo does not disturb the counts.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { messageJson, type MessageJson } from '../../src/core/report/message-json.js';
import { analyzeFile } from '../../src/node/analyze.js';
import { capInstalled } from '../helpers/capture.js';
import { repoRoot } from '../helpers/paths.js';
import { haveTshark } from '../helpers/tshark.js';

const bin = join(repoRoot, 'bin/sipscope.js');
const scenarios = join(repoRoot, '../shared/bench');
const haveSipp = spawnSync('sipp', ['-v'], { stdio: 'ignore' }).error === undefined;
const runnable = capInstalled && process.getuid?.() === 0 && haveSipp && existsSync(join(scenarios, 'volte_uac.xml'));
const CALLS = 4;
const tmp = mkdtempSync(join(tmpdir(), 'sipscope-capture-sipp-'));

beforeAll(() => {
  if (!existsSync(join(repoRoot, 'dist/node/capture/capture-helper.js')) || !existsSync(join(repoRoot, 'dist/cli/capture.js'))) {
    throw new Error('sipscope capture runs the compiled CLI and capture helper: run `npm run build:cli` first');
  }
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** One SIP message as SIPp logged it or as a decoder saw it: who sent it and what identifies it. */
interface Seen {
  /** The sender's UDP port. */
  port: number;
  /** `Call-ID|CSeq number|CSeq method|method or status code`. */
  key: string;
}

/** The messages a SIPp -trace_msg log says were sent, in order (RFC 3261 §7.1/§7.2 start lines, §20.8/§20.16 headers). */
function sippSent(logPath: string, port: number): Seen[] {
  const entries = readFileSync(logPath, 'latin1').split(/^-{20,} .*$/m);
  const sent: Seen[] = [];
  for (const entry of entries) {
    const m = /^\s*UDP message sent \(\d+ bytes\):\s*\n\s*\n([^\n]*)\n([\s\S]*)$/.exec(entry);
    if (!m) continue;
    const start = m[1].trim();
    const callId = /^Call-ID:\s*(.+?)\s*$/im.exec(m[2])?.[1];
    const cseq = /^CSeq:\s*(\d+)\s+(\S+)\s*$/im.exec(m[2]);
    const status = /^SIP\/2\.0 (\d{3}) /.exec(start)?.[1];
    const method = status ? undefined : /^([A-Z]+) /.exec(start)?.[1];
    if (!callId || !cseq || !(status || method)) throw new Error(`unreadable SIPp log entry in ${logPath}:\n${entry.slice(0, 400)}`);
    sent.push({ port, key: `${callId}|${cseq[1]}|${cseq[2]}|${status ?? method}` });
  }
  return sent;
}

/** The sender port of an address:port the ndjson prints (`127.0.0.1:5060`, `[::1]:5060`). */
const portOf = (endpoint: string): number => Number(endpoint.slice(endpoint.lastIndexOf(':') + 1));

function fromJson(m: MessageJson): Seen {
  return { port: portOf(m.src), key: `${m.callId}|${m.cseq?.seq}|${m.cseq?.method}|${m.status ?? m.method}` };
}

const sorted = (seen: Seen[]): string[] => seen.map((s) => `${s.port} ${s.key}`).sort();
const inOrderFrom = (seen: Seen[], port: number): string[] => seen.filter((s) => s.port === port).map((s) => s.key);

function exited(child: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => (child.exitCode !== null || child.signalCode !== null ? resolve(child.exitCode) : child.on('close', (code) => resolve(code))));
}

/** Runs CALLS calls between two SIPp on `address` while `sipscope capture` runs; returns what each side saw. */
async function sippThroughCapture(family: 'ipv4' | 'ipv6') {
  const address = family === 'ipv4' ? '127.0.0.1' : '::1';
  // SIPp's remote host: an IPv6 address in brackets, as in a SIP URI (RFC 3261 §19.1.1 / RFC 2732).
  const host = family === 'ipv4' ? address : `[${address}]`;
  const dir = mkdtempSync(join(tmp, `${family}-`));
  const uasPort = 30000 + Math.floor(Math.random() * 15000) * 2;
  const uacPort = uasPort + 1;
  const pcapng = join(dir, 'sipp.pcapng');
  const children: ChildProcess[] = [];
  try {
    const cli = spawn(process.execPath, [bin, 'capture', '-i', 'lo', '-f', `udp and (port ${uacPort} or port ${uasPort})`, '-w', pcapng, '--format', 'ndjson'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    children.push(cli);
    let stdout = '';
    let stderr = '';
    cli.stdout?.setEncoding('utf8').on('data', (t: string) => (stdout += t));
    cli.stderr?.setEncoding('utf8').on('data', (t: string) => (stderr += t));
    for (let waited = 0; !/capturing on lo/.test(stderr); waited += 50) {
      if (cli.exitCode !== null || waited > 15_000) throw new Error(`sipscope capture did not start:\n${stderr}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    const common = ['-t', 'u1', '-nostdin', '-m', String(CALLS), '-trace_msg', '-timeout', '20'];
    // -m on the server too: it exits by itself once it has answered CALLS calls.
    const uas = spawn('sipp', ['-sf', join(scenarios, 'volte_uas.xml'), '-i', address, '-p', String(uasPort), '-message_file', join(dir, 'uas.log'), ...common], { cwd: dir, stdio: 'ignore' });
    children.push(uas);
    await new Promise((r) => setTimeout(r, 300));
    const uac = spawn(
      'sipp',
      ['-sf', join(scenarios, 'volte_uac.xml'), '-i', address, '-p', String(uacPort), `${host}:${uasPort}`, '-r', '20', '-message_file', join(dir, 'uac.log'), ...common],
      { cwd: dir, stdio: 'ignore' },
    );
    children.push(uac);
    const [uacCode, uasCode] = await Promise.all([exited(uac), exited(uas)]);
    const sent = [...sippSent(join(dir, 'uac.log'), uacPort), ...sippSent(join(dir, 'uas.log'), uasPort)];
    // Stop once everything sent has been printed (or after 5 s, and the comparison below says what is missing).
    for (let waited = 0; stdout.split('\n').length - 1 < sent.length && waited < 5000; waited += 50) await new Promise((r) => setTimeout(r, 50));
    cli.kill('SIGINT');
    const cliCode = await exited(cli);

    const live = stdout
      .split('\n')
      .filter(Boolean)
      .map((line) => fromJson(JSON.parse(line) as MessageJson));
    const analysed = await analyzeFile(pcapng);
    const decoded: Seen[] = [];
    for (let i = 0; i < analysed.engine.index.count; i++) decoded.push(fromJson(messageJson(analysed.engine.index.get(i))));
    return { uacCode, uasCode, cliCode, stderr, sent, live, decoded, filePackets: analysed.file.packets, pcapng, uacPort, uasPort };
  } finally {
    for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  }
}

/** tshark's reading of the same file, as the independent reference (SIP forced on the test's ports). */
function tsharkSeen(pcapng: string, ports: number[]): Seen[] {
  const r = spawnSync(
    'tshark',
    [
      '-r',
      pcapng,
      ...ports.flatMap((p) => ['-d', `udp.port==${p},sip`]),
      '-Y',
      'sip',
      '-T',
      'fields',
      '-E',
      'separator=|',
      '-e',
      'udp.srcport',
      '-e',
      'sip.Call-ID',
      '-e',
      'sip.CSeq.seq',
      '-e',
      'sip.CSeq.method',
      '-e',
      'sip.Method',
      '-e',
      'sip.Status-Code',
    ],
    { encoding: 'utf8', maxBuffer: 64 << 20 },
  );
  if (r.status !== 0) throw new Error(`tshark failed: ${r.stderr}`);
  return r.stdout
    .trim()
    .split('\n')
    .filter(Boolean)
    .map((line) => {
      const [port, callId, seq, cseqMethod, method, status] = line.split('|');
      return { port: Number(port), key: `${callId}|${seq}|${cseqMethod}|${status || method}` };
    });
}

describe.skipIf(!runnable)('sipscope capture -i lo with SIPp calls', () => {
  for (const family of ['ipv4', 'ipv6'] as const) {
    it(`prints live and writes to the pcapng every message SIPp sent (${family === 'ipv4' ? '127.0.0.1' : '::1'})`, { timeout: 30_000 }, async () => {
      const run = await sippThroughCapture(family);
      expect(run.uacCode, 'the SIPp client completed its calls').toBe(0);
      expect(run.uasCode, 'the SIPp server answered its calls').toBe(0);
      expect(run.cliCode, run.stderr).toBe(0);
      // 12 messages a call at least (more only if SIPp retransmitted).
      expect(run.sent.length).toBeGreaterThanOrEqual(CALLS * 12);
      expect(new Set(run.sent.map((s) => s.key.split('|')[0])).size).toBe(CALLS);

      // Live: the same messages, each SIPp's in its send order.
      expect(sorted(run.live)).toEqual(sorted(run.sent));
      expect(inOrderFrom(run.live, run.uacPort)).toEqual(inOrderFrom(run.sent, run.uacPort));
      expect(inOrderFrom(run.live, run.uasPort)).toEqual(inOrderFrom(run.sent, run.uasPort));
      // The summary agrees: one packet per message, nothing dropped by the helper's queue.
      expect(run.stderr).toMatch(new RegExp(`^Captured: +${run.sent.length} packets, \\d+ bytes on lo$`, 'm'));
      expect(run.stderr).toMatch(new RegExp(`^SIP: +${run.sent.length} messages$`, 'm'));
      expect(run.stderr).toMatch(/^Drops: +queue 0, /m);
      expect(run.stderr).toContain(`(${run.sent.length} packets written)`);

      // The file: one packet per message, decoded by our engine to the same messages in the same order as live.
      expect(run.filePackets).toBe(run.sent.length);
      expect(run.decoded).toEqual(run.live);
      if (haveTshark) expect(sorted(tsharkSeen(run.pcapng, [run.uacPort, run.uasPort]))).toEqual(sorted(run.sent));
    });
  }
});
