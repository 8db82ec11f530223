/**
 * `sipscope calls` and `sipscope stats` as a user runs them (the compiled bin), on the bundled sample trace:
 * three SIPp VoLTE calls (INVITE, 100, reliable 183, PRACK, 200, precondition UPDATE, 200, 180, 200, ACK, BYE,
 * 200). The KPI references are computed here from tshark's own frame times, not from our output.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../helpers/paths.js';

const bin = join(repoRoot, 'bin/sipscope.js');
const sample = join(repoRoot, 'resources/sample-volte.pcap');

function run(...args: string[]) {
  const r = spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** frame → epoch time and label, from tshark. */
function tsharkFrames(): Map<number, { time: number; label: string; callId: string }> {
  const r = spawnSync('tshark', ['-r', sample, '-Y', 'sip', '-T', 'fields', '-e', 'frame.number', '-e', 'frame.time_epoch', '-e', 'sip.Method', '-e', 'sip.Status-Code', '-e', 'sip.CSeq.method', '-e', 'sip.Call-ID'], { encoding: 'utf8' });
  const frames = new Map<number, { time: number; label: string; callId: string }>();
  for (const line of r.stdout.trim().split('\n')) {
    const [frame, time, method, status, cseqMethod, callId] = line.split('\t');
    frames.set(Number(frame), { time: Number(time), label: method || `${status} ${cseqMethod}`, callId });
  }
  return frames;
}

describe('sipscope calls / stats', () => {
  it('lists the three calls, COMPLETED, with KPIs equal to tshark’s frame times', () => {
    const r = run('calls', sample, '--format', 'json');
    expect(r.code).toBe(0);
    const { calls } = JSON.parse(r.stdout) as { calls: { callId: string; state: string; messages: number; procedures: string[]; kpis: Record<string, number> }[] };
    expect(calls.map((c) => [c.state, c.messages, c.procedures.join(' ')])).toEqual(Array(3).fill(['COMPLETED', 12, 'call-setup call-release']));
    const frames = tsharkFrames();
    for (const call of calls) {
      const mine = [...frames.values()].filter((f) => f.callId === call.callId);
      const at = (label: string) => (mine.find((f) => f.label === label) as { time: number }).time;
      const ms = (a: number, b: number) => Math.round((b - a) * 1e6) / 1e3;
      const invite = at('INVITE');
      expect(call.kpis.postDialDelayMs).toBeCloseTo(ms(invite, Math.min(at('183 INVITE'), at('180 INVITE'))), 2);
      expect(call.kpis.answerTimeMs).toBeCloseTo(ms(invite, at('200 INVITE')), 2);
      expect(call.kpis.setupTimeMs).toBeCloseTo(ms(invite, at('ACK')), 2);
      expect(call.kpis.durationMs).toBeCloseTo(ms(at('ACK'), at('BYE')), 2);
    }
  });

  it('prints a table and a CSV with one row per call', () => {
    const table = run('calls', sample);
    expect(table.code).toBe(0);
    expect(table.stdout.split('\n').filter((l) => /^\s+\d+\s+\d+\s+COMPLETED/.test(l))).toHaveLength(3);
    const csv = run('calls', sample, '--format', 'csv');
    const lines = csv.stdout.trim().split('\n');
    expect(lines[0].split(',').slice(0, 4)).toEqual(['call', 'session', 'call_id', 'state']);
    expect(lines).toHaveLength(4);
  });

  it('stats: ASR and NER 100 %, every procedure a success, responses per method', () => {
    const r = run('stats', sample, '--format', 'json');
    expect(r.code).toBe(0);
    const k = JSON.parse(r.stdout);
    expect(k).toMatchObject({ messages: 36, calls: 3, callSetups: 3, answered: 3, answerSeizureRatio: 1, networkEffectivenessRatio: 1 });
    expect(k.procedures).toEqual({ 'call-setup': { success: 3, failure: 0, timeout: 0, incomplete: 0 }, 'call-release': { success: 3, failure: 0, timeout: 0, incomplete: 0 } });
    expect(k.responseCodes.INVITE).toEqual({ 100: 3, 180: 3, 183: 3, 200: 3 });
    expect(run('stats', sample).stdout).toMatch(/ASR:\s+100\.0 %/);
  });

  it('explains a response code and exits 2 without a file', () => {
    expect(run('explain', '580').stdout).toMatch(/Precondition Failure/);
    expect(run('calls').code).toBe(2);
    expect(run('stats', join(repoRoot, 'no-such.pcap')).code).toBe(1);
  });
});
