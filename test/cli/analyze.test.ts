/**
 * The `sipscope analyze` command as a user runs it: the real bin script (compiled by `npm test`'s build
 * step), real captures, exit codes, and output formats.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { haveSharedCaptures, repoRoot, sharedCapture } from '../helpers/paths.js';

const bin = join(repoRoot, 'bin/sipscope.js');

function run(...args: string[]) {
  const r = spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8', maxBuffer: 1 << 28 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe.skipIf(!haveSharedCaptures)('sipscope analyze', () => {
  it('prints one ndjson object per SIP message with the documented keys', () => {
    const r = run('analyze', sharedCapture('sngrep_aaa.pcap'), '--format', 'ndjson');
    expect(r.code).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines).toHaveLength(81); // MANIFEST: 81 SIP messages, as tshark finds
    const first = JSON.parse(lines[0]);
    expect(first).toMatchObject({
      frame: 19,
      src: '192.168.1.2:5060',
      dst: '212.242.33.35:5060',
      transport: 'UDP',
      method: 'REGISTER',
      callId: '578222729-4665d775@578222732-4665d772',
      cseq: { seq: 68, method: 'REGISTER' },
      diagnostics: [],
    });
    for (const key of ['frame', 'time', 'src', 'dst', 'transport', 'callId', 'cseq', 'fromTag', 'toTag', 'diagnostics']) expect(first).toHaveProperty(key);
    // Epoch seconds at the capture's microsecond precision, as tshark prints frame.time_epoch.
    expect(lines[0]).toContain("\"time\":1120469572.844249,"); // tshark -e frame.time_epoch: 1120469572.844249000
    const second = JSON.parse(lines[1]);
    expect(second).toMatchObject({ frame: 20, status: 401, reason: 'Unauthorized' });
    expect(second).not.toHaveProperty('method');
  });

  it('brackets IPv6 addresses in src and dst', () => {
    const r = run('analyze', sharedCapture('heplify_sip_ipv6_udp.pcap'), '--format', 'ndjson');
    const first = JSON.parse(r.stdout.split('\n')[0]);
    expect(first.src).toMatch(/^\[[0-9a-f:]+\]:\d+$/);
  });

  it('prints a TSV with a header row', () => {
    const r = run('analyze', sharedCapture('sv_sip-tcp.pcap'), '--format', 'tsv');
    expect(r.code).toBe(0);
    const rows = r.stdout.trim().split('\n').map((l) => l.split('\t'));
    expect(rows[0]).toEqual(['frame', 'time', 'src', 'dst', 'transport', 'method', 'status', 'reason', 'call_id', 'cseq', 'from_tag', 'to_tag', 'branch', 'diagnostics']);
    expect(rows).toHaveLength(3);
    expect(rows[1][4]).toBe('TCP');
    expect(rows[1][5]).toBe('REGISTER');
    expect(rows[2][6]).toBe('200');
  });

  it('prints a table by default, with the diagnostics of malformed messages under them', () => {
    const r = run('analyze', sharedCapture('zeek_invalid-content-length.pcap'));
    expect(r.code).toBe(0);
    const lines = r.stdout.split('\n');
    expect(lines[0]).toMatch(/^\s+No\.\s+Time\s+Source\s+Destination/);
    expect(r.stdout).toMatch(/INVITE/);
    expect(r.stdout).toMatch(/error \[sip\] .*Content-Length/);
  });

  it('prints a JSON document with the summary', () => {
    const r = run('analyze', sharedCapture('nokia_50_sip_ott.pcap.gz'), '--format', 'json', '--summary');
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout);
    expect(doc.compressed).toBe(true);
    expect(doc.messages).toHaveLength(14);
    expect(doc.summary.messages).toBe(14);
    expect(doc.summary.methods).toContainEqual(['MESSAGE', 1]);
  });

  it('summarises counts and timing', () => {
    const r = run('analyze', sharedCapture('sipnab_sipp-branch-scenario.pcapng'), '--summary');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/SIP:\s+8989 messages \(3907 requests, 5082 responses\) in 1334 Call-IDs/);
    expect(r.stdout).toMatch(/Responses:\s+100 110, 180 1259, 200 2565, 403 1148/);
    expect(r.stdout).toMatch(/Time:\s+[\d.]+ s \([\d.]+ MB\/s\), peak RSS [\d.]+ MB/);
    expect(r.stderr).toBe(''); // no progress line when stderr is not a terminal
  });

  it('refuses a NetMon file, naming it and saying how to convert it', () => {
    const r = run('analyze', sharedCapture('sipnab_c07-sip-r2.cap'));
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('sipnab_c07-sip-r2.cap');
    expect(r.stderr).toMatch(/Network Monitor/);
    expect(r.stderr).toMatch(/editcap/);
    expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace
  });
});

describe('sipscope analyze on bad input and bad usage', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sipscope-cli-'));

  it('exits 1 naming a missing file', () => {
    const r = run('analyze', join(dir, 'nope.pcap'));
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/nope\.pcap.*no such file/);
  });

  it('exits 1 for a text file and an empty file, saying what they are', () => {
    writeFileSync(join(dir, 'notes.txt'), 'INVITE sip:bob@example.com SIP/2.0\r\n');
    writeFileSync(join(dir, 'empty.pcap'), '');
    const text = run('analyze', join(dir, 'notes.txt'));
    expect(text.code).toBe(1);
    expect(text.stderr).toMatch(/notes\.txt/);
    expect(text.stderr).toMatch(/text/i);
    const empty = run('analyze', join(dir, 'empty.pcap'));
    expect(empty.code).toBe(1);
    expect(empty.stderr).toMatch(/empty/i);
  });

  it('exits 2 on bad usage', () => {
    expect(run('analyze').code).toBe(2);
    expect(run('analyze', 'a.pcap', '--format', 'xml').stderr).toMatch(/--format.*table, tsv, json, ndjson.*'xml'/);
    expect(run('analyze', 'a.pcap', '--bogus').code).toBe(2);
    expect(run('frobnicate').code).toBe(2);
  });

  it.skipIf(!haveSharedCaptures)('stops quietly when the reader of its output goes away', async () => {
    const child = spawn(process.execPath, [bin, 'analyze', sharedCapture('sipnab_sipp-branch-scenario.pcapng'), '--format', 'ndjson']);
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    child.stdout.once('data', () => child.stdout.destroy());
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect(stderr).toBe('');
    expect(code).toBe(0);
  });
});
