/**
 * `--filter` and `sipscope fields` as a user runs them: the real bin script, real captures, exit codes.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fixtures, haveSharedCaptures, repoRoot, sharedCapture } from '../helpers/paths.js';

const bin = join(repoRoot, 'bin/sipscope.js');

function run(...args: string[]) {
  const r = spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8', maxBuffer: 1 << 28 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe.skipIf(!haveSharedCaptures)('sipscope --filter', () => {
  const aaa = sharedCapture('sngrep_aaa.pcap');

  it('analyze lists only the matching messages (tshark -Y finds the same 7 frames)', () => {
    const r = run('analyze', aaa, '--format', 'ndjson', '--filter', 'sip.Status-Code >= 400 && sip.CSeq.method == "INVITE"');
    expect(r.code).toBe(0);
    const messages = r.stdout.trim().split('\n').map((line) => JSON.parse(line) as { frame: number; status: number; cseq: { method: string } });
    expect(messages).toHaveLength(7);
    for (const m of messages) {
      expect(m.status).toBeGreaterThanOrEqual(400);
      expect(m.cseq.method).toBe('INVITE');
    }
  });

  it('-Y is --filter, as in tshark; the summary says how many matched', () => {
    const r = run('analyze', aaa, '-Y', 'sip.User-Agent contains "Nero"', '--summary');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Filter:      40 of 81 messages match sip.User-Agent contains "Nero"');
  });

  it('a bad filter exits 2 with the filter underlined on stderr and nothing on stdout', () => {
    for (const command of ['analyze', 'calls', 'stats']) {
      const r = run(command, aaa, '--filter', 'sip.Mehtod == "INVITE"');
      expect(r.code, command).toBe(2);
      expect(r.stdout, command).toBe('');
      expect(r.stderr).toBe('sipscope: bad display filter\nsip.Mehtod == "INVITE"\n^~~~~~~~~~\nUnknown field "sip.Mehtod": did you mean sip.Method?\n');
    }
    const regex = run('analyze', aaa, '--filter', 'sip.From matches "(a+"');
    expect(regex.code).toBe(2);
    expect(regex.stderr).toContain('                  ^~~\nInvalid regular expression: missing closing ) at "(a+"');
  });

  it('a bad filter is reported before the file is read (even a missing file)', () => {
    const r = run('analyze', '/nonexistent.pcap', '--filter', 'sip.Status-Code ==');
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('Missing value after "=="');
  });

  it('calls keeps the calls with at least one matching message', () => {
    const all = JSON.parse(run('calls', aaa, '--format', 'json').stdout) as { calls: { callId: string; state: string }[] };
    const r = run('calls', aaa, '--format', 'json', '--filter', 'sip.Status-Code == 408');
    expect(r.code).toBe(0);
    const kept = JSON.parse(r.stdout) as { filter: string; calls: { callId: string; state: string }[] };
    expect(kept.filter).toBe('sip.Status-Code == 408');
    // The Call-IDs of the 408s, as tshark reads them (-T fields -e sip.Call-ID).
    const callIds = spawnSync('tshark', ['-r', aaa, '-Y', 'sip.Status-Code == 408', '-T', 'fields', '-e', 'sip.Call-ID'], { encoding: 'utf8' });
    const expectedIds = callIds.status === 0 ? [...new Set(callIds.stdout.trim().split('\n'))].sort() : undefined;
    expect(kept.calls.length).toBeGreaterThan(0);
    expect(kept.calls.length).toBeLessThan(all.calls.length);
    if (expectedIds) expect([...new Set(kept.calls.map((c) => c.callId))].sort()).toEqual(expectedIds);
    const none = run('calls', aaa, '--filter', 'sip.Status-Code == 699');
    expect(none.stdout).toBe('No call has a message matching the filter (of 6 calls).\n');
  });

  it('stats with a filter gives the KPIs of the matching calls', () => {
    const all = JSON.parse(run('stats', aaa, '--format', 'json').stdout) as { calls: number; registrations: number; callSetups: number };
    const r = JSON.parse(run('stats', aaa, '--format', 'json', '--filter', 'ims.procedure == "registration"').stdout) as { filter: string; calls: number; registrations: number; callSetups: number };
    expect(r.filter).toBe('ims.procedure == "registration"');
    expect(r.registrations).toBe(all.registrations);
    expect(r.calls).toBeLessThan(all.calls);
    expect(r.callSetups).toBe(0);
  });

  it('filters on tunnel fields: gtp.teid (tshark: 15 frames with TEID 0xa001)', () => {
    const r = run('analyze', join(fixtures, 'gtpu-volte.pcap'), '--format', 'tsv', '--filter', 'gtp.teid == 0xa001');
    expect(r.code).toBe(0);
    expect(r.stdout.trim().split('\n')).toHaveLength(1 + 15);
  });
});

describe('sipscope fields', () => {
  it('lists every field with its type and description, Wireshark names included', () => {
    const r = run('fields');
    expect(r.code).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines.length).toBeGreaterThan(150);
    for (const name of ['sip.Method', 'sip.Status-Code', 'sip.Call-ID', 'sip.P-Asserted-Identity', 'sip.r-uri.user', 'sdp.media', 'ip.addr', 'gtp.teid', 'esp.spi', 'call.state', 'ims.procedure', 'ims.icid', 'transaction.retransmission', 'expert.severity', 'expert.message']) {
      expect(lines.some((line) => line.startsWith(`${name} `)), name).toBe(true);
    }
    expect(lines.find((line) => line.startsWith('ims.procedure '))).toContain('values: registration, call-setup');
  });

  it('keeps fields by prefix and prints JSON for autocomplete', () => {
    const r = run('fields', 'ims.', '--format', 'json');
    const fields = JSON.parse(r.stdout) as { name: string; type: string; description: string }[];
    expect(fields.length).toBeGreaterThan(3);
    expect(fields.every((f) => f.name.startsWith('ims.') && f.type && f.description)).toBe(true);
  });
});
