import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { encodePcapFile } from '../../../src/core/capture/pcap-writer.js';
import { framesOfRows } from '../../../src/core/export/frames.js';
import type { MessageIndex } from '../../../src/core/index/message-index.js';
import { analyzeFile } from '../../../src/node/analyze.js';
import { writeCapture } from '../../../src/node/export/write-capture.js';
import { framesToPcap, ipv4Fragments } from '../../helpers/fragments.js';
import { ascii, ethernet, ipv4, sampleInvite, tcp, udp } from '../../helpers/packet-builder.js';
import { fixtures, haveSharedCaptures, sharedCapture } from '../../helpers/paths.js';

/**
 * framesOfRows on real captures: the frames of some calls, written out and read back, give exactly those
 * calls' messages (same Call-ID, CSeq, kind, addresses and size), whatever carried them: TCP segments,
 * IPv4 or IPv6 fragments, one UDP datagram.
 */
const dir = mkdtempSync(join(tmpdir(), 'sipscope-frames-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function signature(index: MessageIndex, row: number): string {
  const m = index.get(row);
  return `${m.callId}|${m.cseq ? `${m.cseq.seq} ${m.cseq.method}` : '-'}|${m.method ?? m.status}|${m.src}>${m.dst}|${m.size}`;
}

function callRows(index: MessageIndex, callIds: ReadonlySet<string>): number[] {
  const rows: number[] = [];
  for (let row = 0; row < index.count; row++) if (callIds.has(index.callIdOf(row))) rows.push(row);
  return rows;
}

/** Call-IDs in first-seen order. */
function callIdsOf(index: MessageIndex): string[] {
  const seen = new Set<string>();
  for (let row = 0; row < index.count; row++) seen.add(index.callIdOf(row));
  return [...seen];
}

async function roundTrip(file: string, pick: (callIds: string[], index: MessageIndex) => string[]): Promise<{ expected: string[]; whole: string[]; got: string[]; frames: number; total: number }> {
  const { engine } = await analyzeFile(file);
  const index = engine.index;
  const chosen = new Set(pick(callIdsOf(index), index));
  const rows = callRows(index, chosen);
  const frames = framesOfRows(index, rows);
  const out = join(dir, `${Math.random().toString(36).slice(2)}.pcapng`);
  const written = await writeCapture({ source: file, dest: out, format: 'pcapng', frames });
  expect(written.frames).toBe(frames.size);
  const back = (await analyzeFile(out)).engine.index;
  const got: string[] = [];
  for (let row = 0; row < back.count; row++) got.push(signature(back, row));
  // A frame is written whole: a TCP segment that also carries (part of) another call's message brings it
  // along. What must come back is every message all of whose frames were written, and nothing else.
  const whole: string[] = [];
  for (let row = 0; row < index.count; row++) {
    if ([...framesOfRows(index, [row])].every((f) => frames.has(f))) whole.push(signature(index, row));
  }
  return { expected: rows.map((row) => signature(index, row)).sort(), whole: whole.sort(), got: got.sort(), frames: frames.size, total: index.count };
}

describe('framesOfRows: a subset reopens to the same messages', () => {
  it('SIP over TCP with many calls sharing connections (sipp-volte-tcp-loaded.pcap): three calls', async () => {
    const r = await roundTrip(join(fixtures, 'sipp-volte-tcp-loaded.pcap'), (ids) => [ids[0], ids[Math.floor(ids.length / 2)], ids[ids.length - 1]]);
    expect(r.expected.length).toBeGreaterThan(10);
    // Its segments carry several messages each: 3 calls' 36 messages share 33 frames with 306 others.
    expect(r.got.length).toBeGreaterThan(r.expected.length);
    expect(r.got).toEqual(r.whole);
    for (const m of r.expected) expect(r.got).toContain(m);
  });

  it.runIf(haveSharedCaptures)('SIP over TCP/IPv6 split across segments, gzip-compressed source (nokia_50_sip_ott.pcap.gz)', async () => {
    const r = await roundTrip(sharedCapture('nokia_50_sip_ott.pcap.gz'), (ids) => ids);
    expect(r.expected.length).toBe(14);
    expect(r.got).toEqual(r.whole);
    expect(r.got).toEqual(r.expected);
  });

  it.runIf(haveSharedCaptures)('REGISTERs in IPv4 fragments (gprshome_sip.pcap): the calls whose messages came in fragments', async () => {
    const file = sharedCapture('gprshome_sip.pcap');
    const { engine } = await analyzeFile(file);
    const index = engine.index;
    const fragmented = new Set<string>();
    for (let row = 0; row < index.count; row++) if (index.fragmentFramesOf(index.frameOf(row)).length > 1) fragmented.add(index.callIdOf(row));
    expect(fragmented.size).toBeGreaterThan(0);
    const r = await roundTrip(file, () => [...fragmented]);
    expect(r.got).toEqual(r.whole);
    expect(r.got).toEqual(r.expected);
  });

  it.runIf(haveSharedCaptures)('IPv6 fragments (sngrep_ipv6frag.pcap): one call of two', async () => {
    const r = await roundTrip(sharedCapture('sngrep_ipv6frag.pcap'), (ids) => [ids[0]]);
    expect(r.expected.length).toBeGreaterThan(5);
    expect(r.got).toEqual(r.whole);
    expect(r.got).toEqual(r.expected);
  });

  it('records every fragment frame of a reassembled datagram, not only those holding message bytes', async () => {
    if (!haveSharedCaptures) return;
    const { engine } = await analyzeFile(sharedCapture('gprshome_sip.pcap'));
    const index = engine.index;
    let fragmentedRows = 0;
    for (let row = 0; row < index.count; row++) {
      const fragments = index.fragmentFramesOf(index.frameOf(row));
      if (fragments.length < 2) continue;
      fragmentedRows++;
      const frames = framesOfRows(index, [row]);
      for (const f of fragments) expect(frames.has(f)).toBe(true);
      expect(frames.has(index.frameOf(row))).toBe(true);
    }
    expect(fragmentedRows).toBeGreaterThan(0);
  });

  it('ignores rows outside the index', async () => {
    const { engine } = await analyzeFile(join(fixtures, 'sipp-volte-tcp-loaded.pcap'));
    expect(framesOfRows(engine.index, [-1, 1.5, engine.index.count]).size).toBe(0);
    expect(framesOfRows(engine.index, [0])).toEqual(new Set([engine.index.frameOf(0), ...engine.index.chunksOf(0).map((c) => c.frame)]));
  });
});

describe('framesOfRows: fragments the message bytes do not name', () => {
  it('includes every fragment of a TCP segment sent in IPv4 fragments, and a duplicate fragment', async () => {
    const headers = sampleInvite.replace('Content-Length: 0', '').trimEnd();
    const body = Array.from({ length: 60 }, (_, i) => `a=fmtp:${96 + (i % 30)} padding=${'x'.repeat(30)}`).join('\r\n');
    const invite = `${headers}\r\nContent-Type: application/sdp\r\nContent-Length: ${body.length}\r\n\r\n${body}`;
    const fragments = ipv4Fragments(tcp(ascii(invite), { srcPort: 5060, dstPort: 5060, seq: 1000, flags: 0x18 }), { protocol: 6, duplicate: [0] });
    expect(fragments.length).toBe(4); // three fragments, the first one twice
    const other = ethernet(0x0800, ipv4(udp(ascii(sampleInvite.replace(/Call-ID: .*/, 'Call-ID: other@host')), 5060, 5060), { src: '10.9.9.9', dst: '10.8.8.8' }));
    const file = join(dir, 'tcp-in-fragments.pcap');
    writeFileSync(file, framesToPcap([other, ...fragments]));
    const index = (await analyzeFile(file)).engine.index;
    const row = [...Array(index.count).keys()].find((r) => index.sizeOf(r) === invite.length);
    expect(row).toBeDefined();
    // The segment is filed under the fragment that completed it: its chunk names that frame only.
    expect(index.chunksOf(row as number).map((c) => c.frame)).toEqual([5]);
    const frames = framesOfRows(index, [row as number]);
    expect(frames).toEqual(new Set([2, 3, 4, 5]));
    const out = join(dir, 'tcp-in-fragments-out.pcapng');
    await writeCapture({ source: file, dest: out, format: 'pcapng', frames });
    const back = (await analyzeFile(out)).engine.index;
    expect(back.count).toBe(1);
    expect(signature(back, 0)).toBe(signature(index, row as number));
  });
});

describe('framesOfRows: copies', () => {
  it('adds the frames of the other captures of a message when asked (plain and IP-in-IP)', async () => {
    // Built like the engine's own copy test (test/core/engine/transports.test.ts), written to a file.
    const plain = ethernet(0x0800, ipv4(udp(ascii(sampleInvite), 5060, 5060), { src: '10.1.1.1', dst: '10.2.2.2' }));
    const tunnelled = ethernet(0x0800, ipv4(ipv4(udp(ascii(sampleInvite), 5060, 5060), { src: '10.1.1.1', dst: '10.2.2.2' }), { protocol: 4, src: '172.16.0.1', dst: '172.16.0.2' }));
    const file = join(dir, 'copies.pcap');
    writeFileSync(file, encodePcapFile({ linkType: 1 }, [{ tsSec: 1, data: plain }, { tsSec: 1, tsNsec: 5000, data: tunnelled }]));
    const index = (await analyzeFile(file)).engine.index;
    expect(index.copiesOf(0)).toEqual([1]);
    expect(framesOfRows(index, [0])).toEqual(new Set([1]));
    expect(framesOfRows(index, [0], { copies: true })).toEqual(new Set([1, 2]));
  });
});
