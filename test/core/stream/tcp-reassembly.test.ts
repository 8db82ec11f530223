import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { TCP_FIN, TCP_RST, TCP_SYN } from '../../../src/core/layers/tcp.js';
import type { TimedChunk } from '../../../src/core/stream/chunks.js';
import type { StreamSink } from '../../../src/core/stream/stream-sink.js';
import { TcpReassembler } from '../../../src/core/stream/tcp-reassembly.js';
import { haveSharedCaptures, sharedCapture } from '../../helpers/paths.js';
import { seededRandom, shuffle } from '../../helpers/random.js';
import {
  directions,
  expectChunksMatch,
  jitter,
  readTcpSegments,
  run,
  streamBytes,
  synthetic,
  texts,
  type CaptureSegments,
  type Message,
  type Run,
  type Segment,
} from './capture-segments.js';

/** `INVITE` or `200`: what tshark's sip.Method / sip.Status-Code columns say about a message. */
function label(text: string): string {
  const line = text.slice(0, text.indexOf('\r\n'));
  return line.startsWith('SIP/2.0 ') ? line.split(' ')[1] : line.split(' ')[0];
}

/** tshark's rows (frame, method or status) from a `.tshark.tsv` / `.tshark.alt.tsv` reference decode. */
function tsharkMessages(path: string): string[] {
  const out: string[] = [];
  for (const row of readFileSync(path, 'utf8').split('\n')) {
    if (!row) continue;
    const f = row.split('\t');
    for (const m of [...f[5].split(','), ...f[6].split(',')]) if (m) out.push(`${f[0]} ${m}`);
  }
  return out.sort();
}

/** Ours, labelled the same way: a message is shown in the frame of its last byte, as tshark does. */
function ourMessages(r: Run): string[] {
  return r.all.map((m) => `${m.chunks[m.chunks.length - 1].frame} ${label(m.text)}`).sort();
}

function withSynAndFin(capture: CaptureSegments, segments: Segment[]): { syns: Segment[]; fins: Segment[] } {
  const syns: Segment[] = [];
  const fins: Segment[] = [];
  for (const [key, d] of directions(segments)) {
    const first = d.segments[0];
    syns.push(synthetic(capture.packets, key, d.firstSeq - 1, TCP_SYN, new Uint8Array(0), first));
    fins.push(synthetic(capture.packets, key, d.endSeq, TCP_FIN, new Uint8Array(0), d.segments[d.segments.length - 1]));
  }
  return { syns, fins };
}

const FRAGMENTED = sharedCapture('heplify_sip_ipv4_tcp_fragmented.pcap');
const SIMPLE = sharedCapture('heplify_sip_ipv4_tcp.pcap');
const OTT = sharedCapture('nokia_50_sip_ott.pcap.gz');

describe.skipIf(!haveSharedCaptures)('TCP reassembly of real streams', () => {
  let fragmented: CaptureSegments;
  let reference: Run;
  let referenceTexts: Map<string, string[]>;

  beforeAll(async () => {
    fragmented = await readTcpSegments(FRAGMENTED);
    reference = run(fragmented.segments);
    referenceTexts = texts(reference);
  });

  it('finds in file order exactly the messages tshark decodes (406, -d tcp.port==6060,sip), whole, in the frames of their last bytes', () => {
    expect(reference.all.length).toBe(406);
    expect(ourMessages(reference)).toEqual(tsharkMessages(`${FRAGMENTED}.tshark.alt.tsv`));
    expect(reference.all.every((m) => m.complete && m.diagnostics.length === 0)).toBe(true);
    expectChunksMatch(reference.all, fragmented.packets);
    expect(reference.table.gaps).toBe(0);
    expect(reference.table.retransmittedSegments).toBe(0);
    // 4 connections, both directions.
    expect(reference.table.streamCount).toBe(8);
  });

  it('gives the same messages for every order of a window of segments, with and without the SYN (exhaustive)', () => {
    const [key, d] = [...directions(fragmented.segments)][0];
    const { syns, fins } = withSynAndFin(fragmented, fragmented.segments);
    const syn = syns.find((s) => s.key === key) as Segment;
    const fin = fins.find((s) => s.key === key) as Segment;
    const mine = d.segments;
    const expected = referenceTexts.get(key) ?? [];
    expect(expected.length).toBeGreaterThan(20);
    let runs = 0;
    for (const [head, tail] of [
      [mine.slice(0, 7), mine.slice(7, 30)],
      [[syn, ...mine.slice(0, 6)], mine.slice(6, 30)],
    ] as const) {
      // In order, these segments give the first messages of the reference, the last one unfinished.
      const inOrder = run([...head, ...tail]).all;
      expect(inOrder.length).toBeGreaterThan(5);
      expect(inOrder.slice(0, -1).map((m) => m.text)).toEqual(expected.slice(0, inOrder.length - 1));
      // Messages with their chunks (frames, offsets, times), compared as text for speed.
      const want = JSON.stringify(inOrder);
      let mismatches = 0;
      for (const order of permutations(head)) {
        if (JSON.stringify(run([...order, ...tail]).all) !== want) mismatches++;
        runs++;
      }
      expect(mismatches).toBe(0);
    }
    expect(runs).toBe(2 * 5040);
    // The whole direction after a permuted start, closed by its FIN: exactly the reference.
    expect(run([...permutations(mine.slice(0, 7))][1234].concat(mine.slice(7), fin)).all.map((m) => m.text)).toEqual(expected);
  });

  it('gives the same messages for seeded random orders of the whole capture (SYNs first)', () => {
    const { syns, fins } = withSynAndFin(fragmented, fragmented.segments);
    for (let seed = 1; seed <= 6; seed++) {
      const r = run([...syns, ...shuffle(fragmented.segments, seededRandom(seed)), ...fins]);
      expect(texts(r), `seed ${seed}`).toEqual(referenceTexts);
      expect(r.table.gaps).toBe(0);
      expect(r.table.outOfOrderSegments).toBeGreaterThan(100);
      expectChunksMatch(r.all, fragmented.packets);
    }
  });

  it('starts streams whose SYN was not captured at their lowest sequence number when the start is reordered', () => {
    for (let seed = 1; seed <= 6; seed++) {
      // No segment moves more than 24 places: within what an unanchored stream holds before starting.
      const r = run(jitter(fragmented.segments, 24, seededRandom(seed)));
      expect(texts(r), `seed ${seed}`).toEqual(referenceTexts);
      expect(r.table.gaps).toBe(0);
      expect(r.all.every((m) => m.complete)).toBe(true);
    }
  });

  it('places a late SYN (reordered among the first segments) at the start of its stream', () => {
    const { syns, fins } = withSynAndFin(fragmented, fragmented.segments);
    for (let seed = 1; seed <= 4; seed++) {
      const r = run([...jitter([...syns, ...fragmented.segments], 24, seededRandom(seed)), ...fins]);
      expect(texts(r), `seed ${seed}`).toEqual(referenceTexts);
    }
  });

  it('drops duplicated segments and counts them', () => {
    const rnd = seededRandom(42);
    const { syns, fins } = withSynAndFin(fragmented, fragmented.segments);
    const data = fragmented.segments.filter((s) => s.payload.length > 0);
    const duplicates = data.filter(() => rnd() < 0.2);
    // Each duplicate again, somewhere later in the capture.
    const order = [...fragmented.segments];
    for (const dup of duplicates) order.splice(order.indexOf(dup) + 1 + Math.floor(rnd() * 40), 0, dup);
    const r = run([...syns, ...order, ...fins]);
    expect(texts(r)).toEqual(referenceTexts);
    expect(r.table.retransmittedSegments).toBe(duplicates.length);
    const shuffled = run([...syns, ...shuffle(order, seededRandom(7)), ...fins]);
    expect(texts(shuffled)).toEqual(referenceTexts);
    expect(shuffled.table.retransmittedSegments).toBe(duplicates.length);
  });

  it('gives the same messages when the streams are re-cut at other boundaries with overlapping retransmissions', () => {
    for (let seed = 1; seed <= 4; seed++) {
      const rnd = seededRandom(seed);
      const segments: Segment[] = [];
      for (const [key, d] of directions(fragmented.segments)) {
        const bytes = streamBytes(d.segments);
        const ts = d.segments[0];
        segments.push(synthetic(fragmented.packets, key, d.firstSeq - 1, TCP_SYN, new Uint8Array(0), ts));
        for (let at = 0; at < bytes.length; ) {
          const size = 1 + Math.floor(rnd() * 1800);
          const end = Math.min(bytes.length, at + size);
          segments.push(synthetic(fragmented.packets, key, d.firstSeq + at, 0, bytes.slice(at, end), ts));
          // A retransmission overlapping this segment and whatever went before, sometimes beyond it.
          if (rnd() < 0.3) {
            const from = Math.max(0, at - Math.floor(rnd() * 3000));
            const to = Math.min(bytes.length, end + Math.floor(rnd() * 500));
            segments.push(synthetic(fragmented.packets, key, d.firstSeq + from, 0, bytes.slice(from, to), ts));
          }
          at = end;
        }
        segments.push(synthetic(fragmented.packets, key, d.endSeq, TCP_FIN, new Uint8Array(0), ts));
      }
      const inOrder = run(segments);
      expect(texts(inOrder), `seed ${seed}`).toEqual(referenceTexts);
      expect(inOrder.table.overlapBytes + inOrder.table.retransmittedSegments).toBeGreaterThan(0);
      expectChunksMatch(inOrder.all, fragmented.packets);
      // The same segments in any order (SYN first, FIN where it falls: it waits for the bytes before it).
      const syns = segments.filter((s) => s.flags & TCP_SYN);
      const shuffled = run([...syns, ...shuffle(segments.filter((s) => !(s.flags & TCP_SYN)), rnd)]);
      expect(texts(shuffled), `seed ${seed}`).toEqual(referenceTexts);
      expectChunksMatch(shuffled.all, fragmented.packets);
    }
  });

  it('handles sequence numbers that wrap around 2^32 in the middle of a stream, in any order', () => {
    const { syns, fins } = withSynAndFin(fragmented, fragmented.segments);
    const dirs = directions(fragmented.segments);
    // Move every direction's sequence space so that it wraps a third of the way through.
    const shift = new Map([...dirs].map(([key, d]) => [key, (0x1_0000_0000 - Math.floor(streamBytes(d.segments).length / 3) - d.firstSeq) >>> 0]));
    const moved = (s: Segment): Segment => ({ ...s, seq: (s.seq + (shift.get(s.key) ?? 0)) >>> 0 });
    const segments = fragmented.segments.map(moved);
    expect(segments.some((s) => s.seq > 0xffff0000) && segments.some((s) => s.seq < 0x10000)).toBe(true);
    expect(texts(run([...syns.map(moved), ...shuffle(segments, seededRandom(3)), ...fins.map(moved)]))).toEqual(referenceTexts);
    expect(texts(run(jitter(segments, 24, seededRandom(4))))).toEqual(referenceTexts);
  });

  it('reports a dropped segment as one gap: one flagged partial message, everything else intact', () => {
    const { syns, fins } = withSynAndFin(fragmented, fragmented.segments);
    const dirs = directions(fragmented.segments);
    const rnd = seededRandom(11);
    let flaggedTotal = 0;
    let checked = 0;
    for (const [key, d] of dirs) {
      const bytes = streamBytes(d.segments);
      // Where each reference message of this direction sits in its byte stream.
      const expected = referenceTexts.get(key) ?? [];
      const spans: { from: number; to: number; text: string }[] = [];
      let at = 0;
      const stream = new TextDecoder('latin1').decode(bytes);
      for (const text of expected) {
        const from = stream.indexOf(text, at);
        spans.push({ from, to: from + text.length, text });
        at = from + text.length;
      }
      for (const victim of d.segments.filter(() => rnd() < 0.25)) {
        const holeFrom = (victim.seq - d.firstSeq) >>> 0;
        const holeTo = holeFrom + victim.payload.length;
        const r = run([...syns, ...fragmented.segments.filter((s) => s !== victim), ...fins]);
        expect(r.table.gaps).toBe(1);
        expect(r.table.gapBytes).toBe(victim.payload.length);
        const got = r.byKey.get(key) ?? [];
        const intact = spans.filter((s) => s.to <= holeFrom || s.from >= holeTo).map((s) => s.text);
        expect(got.filter((m) => m.complete).map((m) => m.text)).toEqual(intact);
        const flagged = got.filter((m) => !m.complete);
        // The message the hole starts in (if it started before the hole) is kept, cut at the hole, flagged.
        const broken = spans.find((s) => s.from < holeFrom && s.to > holeFrom);
        if (broken && holeFrom - broken.from > broken.text.indexOf('\r\n') + 2) {
          expect(flagged.map((m) => m.text)).toEqual([broken.text.slice(0, holeFrom - broken.from)]);
          expect(flagged[0].diagnostics.join()).toMatch(new RegExp(`${victim.payload.length} byte\\(s\\) of the TCP stream are missing`));
        } else if (broken) {
          // The hole cut the start line itself: a piece of a line is not a message.
          expect(flagged.length).toBeLessThanOrEqual(1);
        } else {
          expect(flagged).toEqual([]);
        }
        flaggedTotal += flagged.length;
        // Other directions are untouched.
        for (const [other, list] of referenceTexts) if (other !== key) expect(r.byKey.get(other)?.map((m) => m.text)).toEqual(list);
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(100);
    expect(flaggedTotal).toBeGreaterThan(50);
  });

  it('bounds the out-of-order buffer: a hole that never fills becomes a gap after the bound, memory stays bounded', () => {
    const [key, d] = [...directions(fragmented.segments)].sort((a, b) => b[1].segments.length - a[1].segments.length)[0];
    const bytes = streamBytes(d.segments);
    // Re-cut into 40-byte segments: far more than 1024 of them.
    const segments: Segment[] = [];
    const ts = d.segments[0];
    for (let at = 0; at < bytes.length; at += 40) segments.push(synthetic(fragmented.packets, key, d.firstSeq + at, 0, bytes.slice(at, at + 40), ts));
    expect(segments.length).toBeGreaterThan(1100);
    const syn = synthetic(fragmented.packets, key, d.firstSeq - 1, TCP_SYN, new Uint8Array(0), ts);
    const lost = segments[3];
    const r = run([syn, ...segments.filter((s) => s !== lost)]);
    expect(r.table.gaps).toBe(1);
    expect(r.table.gapBytes).toBe(40);
    // The bound (1024 segments) was reached, not the whole stream buffered.
    expect(r.table.reassembler.maxBufferedBytesSeen).toBeLessThanOrEqual(1025 * 40);
    expect(r.table.reassembler.maxBufferedBytesSeen).toBeGreaterThanOrEqual(1024 * 40);
    const expected = referenceTexts.get(key) ?? [];
    const got = r.byKey.get(key) ?? [];
    // The first message lost its 4th segment: flagged; all the others whole.
    expect(got.filter((m) => !m.complete).length).toBe(1);
    expect(got.filter((m) => m.complete).map((m) => m.text)).toEqual(expected.slice(1));
    // The byte bound works the same way.
    const small = run([syn, ...segments.filter((s) => s !== lost)], { maxBufferedBytes: 8 * 1024 });
    expect(small.table.gaps).toBe(1);
    expect(small.table.reassembler.maxBufferedBytesSeen).toBeLessThanOrEqual(8 * 1024 + 40);
    expect(small.byKey.get(key)?.filter((m) => m.complete).map((m) => m.text)).toEqual(expected.slice(1));
    // The lost segment arriving after the gap was declared changes nothing (its bytes are behind the stream).
    const late = run([syn, ...segments.filter((s) => s !== lost), lost]);
    expect(late.byKey.get(key)?.map((m) => m.text)).toEqual(got.map((m) => m.text));
  });
});

describe.skipIf(!haveSharedCaptures)('TCP reassembly: connections with SYN/FIN and IPv6', () => {
  it('matches tshark on a call over TCP with its handshake (heplify_sip_ipv4_tcp), in every order of the first 8 segments', async () => {
    const capture = await readTcpSegments(SIMPLE);
    const reference = run(capture.segments);
    expect(ourMessages(reference)).toEqual(tsharkMessages(`${SIMPLE}.tshark.tsv`));
    const expected = texts(reference);
    const head = capture.segments.slice(0, 8); // SYN, SYN-ACK and the first messages of both directions
    expect(head.filter((s) => s.flags & TCP_SYN).length).toBe(2);
    let n = 0;
    for (const order of permutations(head)) {
      expect(texts(run([...order, ...capture.segments.slice(8)]))).toEqual(expected);
      n++;
    }
    expect(n).toBe(40320);
  });

  // Every shared capture with SIP over TCP: tshark's rows for the frames that are TCP segments.
  // nokia_10's anonymiser gave both directions of its TLS-decrypted connection the same address and port,
  // so one "direction" carries two interleaved streams: first-seen bytes win there, as in tshark (7 messages).
  it.each([
    ['heplify_sip_ipv4_tcp_retrans.pcap', 4, true],
    ['sv_sip-body-large.pcap', 2, true],
    ['sv_sip-tcp.pcap', 2, true],
    ['sngrep_ipip.pcap', 4, true],
    ['sngrep_tlssaved.pcap', 0, true],
    ['nokia_10_tcp_volte.pcap.gz', 7, false],
  ] as const)('matches tshark on %s (%i TCP messages)', async (name, count, reorder) => {
    const file = sharedCapture(name);
    const capture = await readTcpSegments(file);
    const reference = run(capture.segments);
    const tcpFrames = new Set(capture.segments.map((s) => s.frame));
    const tshark = tsharkMessages(`${file}.tshark.tsv`).filter((row) => tcpFrames.has(Number(row.split(' ')[0])));
    expect(ourMessages(reference)).toEqual(tshark);
    expect(reference.all.length).toBe(count);
    expect(reference.all.every((m) => m.complete)).toBe(true);
    expectChunksMatch(reference.all, capture.packets);
    if (reorder) for (let seed = 1; seed <= 10; seed++) expect(texts(run(jitter(capture.segments, 8, seededRandom(seed))))).toEqual(texts(reference));
  });

  it('matches tshark on IPv6 segmented messages (nokia_50_sip_ott) in random orders', async () => {
    const capture = await readTcpSegments(OTT);
    const reference = run(capture.segments);
    const tshark = tsharkMessages(`${OTT}.tshark.tsv`);
    // The capture also has SIP over UDP: compare the TCP messages only.
    const tcpFrames = new Set(capture.segments.map((s) => s.frame));
    expect(ourMessages(reference)).toEqual(tshark.filter((row) => tcpFrames.has(Number(row.split(' ')[0]))));
    expect(reference.all.length).toBeGreaterThan(5);
    for (let seed = 1; seed <= 20; seed++) expect(texts(run(jitter(capture.segments, 12, seededRandom(seed))))).toEqual(texts(reference));
  });
});

/** A hand-driven reassembler whose sink records what it is given, for the FIN/RST/SYN rules. */
function recorder(): { log: string[]; reassembler: TcpReassembler<string> } {
  const log: string[] = [];
  const sink = (flow: string): StreamSink => ({
    data: (p, s, e, c) => log.push(`${flow} data ${new TextDecoder().decode(p.subarray(s, e))} @${c.frame}+${c.fileOffset}/${c.length}`),
    gap: (missing, frame) => log.push(`${flow} gap ${missing} @${frame}`),
    close: (reason) => log.push(`${flow} close ${reason}`),
  });
  return { log, reassembler: new TcpReassembler<string>(sink) };
}

describe('TCP reassembly rules (RFC 9293 §3.4, §3.10.7.4)', () => {
  // Bytes of a real message (the 100 Trying of heplify_sip_ipv4_tcp frame 5) cut into lettered pieces is
  // overkill here: these rules are about sequence numbers, so short ASCII payloads keep the logs readable.
  const enc = new TextEncoder();
  const chunk = (frame: number, length: number): TimedChunk => ({ frame, fileOffset: frame * 1000, length, tsSec: frame, tsNsec: 0 });
  const feed = (r: TcpReassembler<string>, seq: number, flags: number, text: string, frame: number): void =>
    r.segment('k', () => 'k', seq, flags, enc.encode(text), 0, text.length, chunk(frame, text.length));

  it('closes at a FIN only once the bytes before it are delivered', () => {
    const { log, reassembler } = recorder();
    feed(reassembler, 100, TCP_SYN, '', 1);
    feed(reassembler, 106, TCP_FIN, 'world', 2); // FIN with data, ahead of a hole
    expect(log).toEqual([]);
    feed(reassembler, 101, 0, 'hello', 3);
    expect(log).toEqual(['k data hello @3+3000/5', 'k data world @2+2000/5', 'k close the TCP connection closed']);
    // A retransmission after the close is recognised, not a new stream.
    feed(reassembler, 101, 0, 'hello', 4);
    expect(reassembler.retransmittedSegments).toBe(1);
    reassembler.finish();
    expect(log.length).toBe(3);
  });

  it('closes at once on RST, reporting the hole before what was buffered', () => {
    const { log, reassembler } = recorder();
    feed(reassembler, 100, TCP_SYN, '', 1);
    feed(reassembler, 101, 0, 'ab', 2);
    feed(reassembler, 110, 0, 'xyz', 3);
    feed(reassembler, 113, TCP_RST, '', 4);
    expect(log).toEqual(['k data ab @2+2000/2', 'k gap 7 @3', 'k data xyz @3+3000/3', 'k close the TCP connection was reset']);
    expect(reassembler.gaps).toBe(1);
    expect(reassembler.gapBytes).toBe(7);
  });

  it('keeps first-seen bytes of overlapping segments and trims the chunk to the delivered bytes', () => {
    const { log, reassembler } = recorder();
    feed(reassembler, 0, TCP_SYN, '', 1);
    feed(reassembler, 5, 0, 'EFGH', 2); // bytes 5..8
    feed(reassembler, 1, 0, 'abcdefghij', 3); // bytes 1..10, overlapping 5..8
    expect(log).toEqual(['k data abcd @3+3000/4', 'k data EFGH @2+2000/4', 'k data ij @3+3008/2']);
    expect(reassembler.overlapBytes).toBe(4);
    expect(reassembler.outOfOrderSegments).toBe(1);
  });

  it('treats a SYN with another initial sequence number as a new connection', () => {
    const { log, reassembler } = recorder();
    feed(reassembler, 1000, TCP_SYN, '', 1);
    feed(reassembler, 1001, 0, 'one', 2);
    feed(reassembler, 1000, TCP_SYN, '', 3); // retransmitted SYN: ignored
    feed(reassembler, 50000, TCP_SYN, '', 4);
    feed(reassembler, 50001, 0, 'two', 5);
    reassembler.finish();
    expect(log).toEqual(['k data one @2+2000/3', 'k close a new TCP connection reused the addresses', 'k data two @5+5000/3', 'k close the capture ended']);
    expect(reassembler.directionCount).toBe(2);
  });

  it('reports missing bytes before a FIN at the end of the capture', () => {
    const { log, reassembler } = recorder();
    feed(reassembler, 0, TCP_SYN, '', 1);
    feed(reassembler, 1, 0, 'abc', 2);
    feed(reassembler, 10, TCP_FIN, '', 3);
    reassembler.finish();
    expect(log).toEqual(['k data abc @2+2000/3', 'k gap 6 @3', 'k close the TCP connection closed']);
  });

  it('after a FIN, takes data far from where the stream ended for a new connection whose SYN was not captured', () => {
    const { log, reassembler } = recorder();
    feed(reassembler, 0, TCP_SYN, '', 1);
    feed(reassembler, 1, TCP_FIN, 'bye', 2);
    feed(reassembler, 2, 0, 'ye', 3); // retransmitted tail: ignored
    feed(reassembler, 5, 0, 'zz', 4); // beyond the FIN: ignored, counted
    feed(reassembler, 0x4000_0000, 0, 'next', 5);
    reassembler.finish();
    expect(log).toEqual(['k data bye @2+2000/3', 'k close the TCP connection closed', 'k data next @5+5000/4', 'k close the capture ended']);
    expect([reassembler.retransmittedSegments, reassembler.lateSegments, reassembler.directionCount]).toEqual([1, 1, 2]);
  });

  it('bounds the bytes buffered over all directions', () => {
    const log: string[] = [];
    const r = new TcpReassembler<string>((flow) => ({ data: () => undefined, gap: (n) => log.push(`${flow} gap ${n}`), close: () => undefined }), { maxTotalBufferedBytes: 10 });
    for (const key of ['a', 'b']) r.segment(key, () => key, 0, TCP_SYN, new Uint8Array(0), 0, 0, chunk(1, 0));
    r.segment('a', () => 'a', 11, 0, enc.encode('123456'), 0, 6, chunk(2, 6));
    r.segment('b', () => 'b', 11, 0, enc.encode('123456'), 0, 6, chunk(3, 6)); // 12 bytes buffered: b gives up its hole
    expect(log).toEqual(['b gap 10']);
    expect(r.bufferedBytes).toBe(6);
  });

  it('holds an unanchored stream only up to its bound, then starts at the lowest sequence number', () => {
    const log: string[] = [];
    const r = new TcpReassembler<string>(
      () => ({ data: (p, s, e) => log.push(new TextDecoder().decode(p.subarray(s, e))), gap: (n) => log.push(`gap ${n}`), close: () => log.push('close') }),
      { maxUnanchoredSegments: 3 },
    );
    feed(r, 20, 0, 'c', 1);
    feed(r, 10, 0, 'b', 2);
    expect(log).toEqual([]);
    feed(r, 5, 0, 'a', 3); // third segment: start at seq 5, wait for the holes
    expect(log).toEqual(['a']);
    feed(r, 6, 0, 'XXXX', 4);
    expect(log).toEqual(['a', 'XXXX', 'b']);
    r.finish();
    expect(log).toEqual(['a', 'XXXX', 'b', 'gap 9', 'c', 'close']);
    feed(r, 0, TCP_RST, '', 5); // after the close: ignored
    expect(r.lateSegments + r.retransmittedSegments).toBe(0);
  });
});

function* permutations<T>(items: readonly T[]): Generator<T[]> {
  // Heap's algorithm.
  const a = [...items];
  const c = new Array<number>(a.length).fill(0);
  yield [...a];
  let i = 0;
  while (i < a.length) {
    if (c[i] < i) {
      const j = i % 2 === 0 ? 0 : c[i];
      [a[j], a[i]] = [a[i], a[j]];
      yield [...a];
      c[i]++;
      i = 0;
    } else {
      c[i] = 0;
      i++;
    }
  }
}

export type { Message };
