import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import type { TimedChunk } from '../../../src/core/stream/chunks.js';
import { newSipFramerStats, SipStreamFramer, type SipFramerStats } from '../../../src/core/stream/sip-framer.js';
import type { StreamOutputs } from '../../../src/core/stream/stream-sink.js';
import { haveSharedCaptures, sharedCapture } from '../../helpers/paths.js';
import { seededRandom } from '../../helpers/random.js';
import { directions, readTcpSegments, streamBytes } from './capture-segments.js';

interface Framed {
  text: string;
  complete: boolean;
  diagnostics: string[];
  chunks: TimedChunk[];
}

const latin1 = new TextDecoder('latin1');
const enc = (s: string): Uint8Array => new Uint8Array([...s].map((c) => c.charCodeAt(0)));

function framer(): { out: Framed[]; sink: SipStreamFramer<string>; stats: SipFramerStats } {
  const out: Framed[] = [];
  const outputs: StreamOutputs<string> = {
    message: (_flow, bytes, start, end, chunks, diagnostics, complete) =>
      out.push({ text: latin1.decode(bytes.subarray(start, end)), complete, diagnostics: diagnostics.map((d) => d.message), chunks }),
    hep: () => expect.unreachable(),
    report: () => expect.unreachable(),
  };
  const stats = newSipFramerStats();
  return { out, sink: new SipStreamFramer('flow', outputs, stats), stats };
}

/** Feeds `bytes` cut at `cuts` (stream offsets), each piece described as if it sat at file offset 1000 + its stream offset. */
function feed(sink: SipStreamFramer<string>, bytes: Uint8Array, cuts: number[]): void {
  const bounds = [0, ...cuts.filter((c) => c > 0 && c < bytes.length).sort((a, b) => a - b), bytes.length];
  for (let i = 0; i + 1 < bounds.length; i++) {
    const [from, to] = [bounds[i], bounds[i + 1]];
    if (from === to) continue;
    // Give the framer the piece inside a larger buffer, as a packet would.
    const packet = new Uint8Array(to - from + 20);
    packet.set(bytes.subarray(from, to), 10);
    sink.data(packet, 10, 10 + to - from, { frame: i + 1, fileOffset: 1000 + from, length: to - from, tsSec: i, tsNsec: 0 });
  }
}

function label(text: string): string {
  const line = text.slice(0, text.indexOf('\r\n'));
  return line.startsWith('SIP/2.0 ') ? line.split(' ')[1] : line.split(' ')[0];
}

/** The chunks of a message, laid over the stream (piece at file offset 1000 + stream offset), give its bytes. */
function expectChunks(m: Framed, stream: Uint8Array): void {
  expect(m.chunks.map((c) => latin1.decode(stream.subarray(c.fileOffset - 1000, c.fileOffset - 1000 + c.length))).join('')).toBe(m.text);
  for (let i = 1; i < m.chunks.length; i++) expect(m.chunks[i].fileOffset).toBe(m.chunks[i - 1].fileOffset + m.chunks[i - 1].length);
}

const FRAGMENTED = sharedCapture('heplify_sip_ipv4_tcp_fragmented.pcap');

describe.skipIf(!haveSharedCaptures)('SIP stream framing (RFC 3261 §18.3) on real streams', () => {
  /** The byte streams of the 8 directions of heplify_sip_ipv4_tcp_fragmented (406 messages per tshark). */
  let streams: Uint8Array[];
  let tsharkLabels: string[];

  beforeAll(async () => {
    const capture = await readTcpSegments(FRAGMENTED);
    streams = [...directions(capture.segments).values()].map((d) => streamBytes(d.segments));
    tsharkLabels = [];
    for (const row of readFileSync(`${FRAGMENTED}.tshark.alt.tsv`, 'utf8').split('\n')) {
      const f = row.split('\t');
      if (row) tsharkLabels.push(f[5] || f[6]);
    }
    tsharkLabels.sort();
  });

  it('frames every message tshark finds, whatever the cuts: whole stream, byte by byte, random pieces', () => {
    for (const cutting of ['whole', 'bytes', 'random'] as const) {
      const rnd = seededRandom(5);
      const labels: string[] = [];
      for (const stream of streams) {
        const { out, sink, stats } = framer();
        const cuts =
          cutting === 'whole' ? [] : cutting === 'bytes' ? [...Array(stream.length).keys()] : [...Array(Math.floor(stream.length / 300))].map(() => Math.floor(rnd() * stream.length));
        feed(sink, stream, cuts);
        sink.close('the capture ended');
        expect(out.every((m) => m.complete && m.diagnostics.length === 0)).toBe(true);
        // Nothing but keep-alive CRLFs between the messages.
        expect(out.map((m) => m.text).join('').length).toBe(stream.length - countOutsideCrlf(stream, out));
        expect(stats.discardedBytes).toBe(0);
        for (const m of out) expectChunks(m, stream);
        labels.push(...out.map((m) => label(m.text)));
      }
      expect(labels.sort(), cutting).toEqual(tsharkLabels);
    }
  });

  it('skips CRLF keep-alives between messages (RFC 5626 §3.5.1), even cut in the middle', () => {
    const stream = streams[0];
    const { out: plain, sink: a } = framer();
    feed(a, stream, []);
    // Insert a double-CRLF ping before every message and a CRLF pong after it.
    const withPings = enc(plain.map((m) => `\r\n\r\n${m.text}\r\n`).join(''));
    const { out, sink, stats } = framer();
    const rnd = seededRandom(9);
    feed(sink, withPings, [...Array(200)].map(() => Math.floor(rnd() * withPings.length)));
    sink.close('the capture ended');
    expect(out.map((m) => m.text)).toEqual(plain.map((m) => m.text));
    expect(stats.discardedBytes).toBe(0);
  });

  it('keeps a message broken by a gap, flagged, and resynchronises on the next start line', () => {
    const stream = streams[1];
    const { out: whole, sink: a } = framer();
    feed(a, stream, []);
    const texts = whole.map((m) => m.text);
    // Lose 200 bytes in the middle of the 3rd message's headers.
    const third = latin1.decode(stream).indexOf(texts[2]);
    const holeFrom = third + 100;
    const holeTo = holeFrom + 200;
    const { out, sink, stats } = framer();
    sink.data(stream, 0, holeFrom, { frame: 1, fileOffset: 1000, length: holeFrom, tsSec: 0, tsNsec: 0 });
    sink.gap(200, 2);
    sink.data(stream, holeTo, stream.length, { frame: 3, fileOffset: 1000 + holeTo, length: stream.length - holeTo, tsSec: 0, tsNsec: 0 });
    sink.close('the capture ended');
    expect(out.map((m) => m.text)).toEqual([texts[0], texts[1], texts[2].slice(0, 100), ...texts.slice(3)]);
    expect(out.map((m) => m.complete)).toEqual(texts.map((_, i) => i !== 2));
    expect(out[2].diagnostics).toEqual(['incomplete message: 200 byte(s) of the TCP stream are missing from the capture before frame 2']);
    // The rest of the 3rd message was skipped to find the 4th.
    expect(stats.discardedBytes).toBe(texts[2].length - 300);
    expect(stats.partialMessages).toBe(1);
  });

  it('resynchronises when the stream starts in the middle of a message', () => {
    const stream = streams[2];
    const { out: whole, sink: a } = framer();
    feed(a, stream, []);
    const { out, sink, stats } = framer();
    feed(sink, stream.subarray(25), [7, 300]);
    expect(out.map((m) => m.text)).toEqual(whole.slice(1).map((m) => m.text));
    expect(stats.discardedBytes).toBe(whole[0].text.length - 25);
  });

  it('reports the unfinished message when the stream closes, with the reason', () => {
    const stream = streams[3];
    const { out: whole, sink: a } = framer();
    feed(a, stream, []);
    const end = whole[0].text.length + 150; // inside the 2nd message
    const { out, sink } = framer();
    feed(sink, stream.subarray(0, end), [40, 90]);
    expect(out.length).toBe(1);
    sink.close('the TCP connection closed');
    expect(out.length).toBe(2);
    expect(out[1]).toMatchObject({ text: whole[1].text.slice(0, 150), complete: false, diagnostics: ['incomplete message: the TCP connection closed before the message was complete'] });
    // The partial message's chunks: the tail of the first piece and the rest.
    expect(out[1].chunks.reduce((n, c) => n + c.length, 0)).toBe(150);
  });
});

describe('SIP stream framing: what is not SIP', () => {
  it('finds nothing in HTTP on the SIP port (ndpi_http_on_sip_port) and discards its bytes', async () => {
    if (!haveSharedCaptures) return;
    const capture = await readTcpSegments(sharedCapture('ndpi_http_on_sip_port.pcap'));
    let total = 0;
    for (const d of directions(capture.segments).values()) {
      const { out, sink, stats } = framer();
      const stream = streamBytes(d.segments);
      feed(sink, stream, []);
      sink.close('the capture ended');
      expect(out).toEqual([]);
      expect(stats.discardedBytes).toBe(stream.length);
      total += stream.length;
    }
    expect(total).toBeGreaterThan(100);
  });

  it('gives up on a message whose body never ends after 4 MiB, flagged, and frames what follows', () => {
    // RFC 3261 §20.14 lets Content-Length be any number; a stream position is not held beyond 4 MiB.
    const head = enc('MESSAGE sip:bob@example.com SIP/2.0\r\nVia: SIP/2.0/TCP 192.0.2.1;branch=z9hG4bK1\r\nCall-ID: big\r\nCSeq: 1 MESSAGE\r\nContent-Length: 99999999\r\n\r\n');
    const { out, sink } = framer();
    const body = new Uint8Array(64 * 1024).fill(0x41);
    sink.data(head, 0, head.length, { frame: 1, fileOffset: 0, length: head.length, tsSec: 0, tsNsec: 0 });
    for (let i = 0; i < 66; i++) sink.data(body, 0, body.length, { frame: i + 2, fileOffset: 0, length: body.length, tsSec: 0, tsNsec: 0 });
    expect(out.length).toBe(1);
    expect(out[0].complete).toBe(false);
    expect(out[0].diagnostics[0]).toMatch(/no end of message after \d+ bytes/);
  });
});

/** Bytes of `stream` that are not in any message (the CRLFs between them). */
function countOutsideCrlf(stream: Uint8Array, out: Framed[]): number {
  const joined = out.map((m) => m.text).join('');
  let crlf = 0;
  for (const b of stream) if (b === 0x0d || b === 0x0a) crlf++;
  let inside = 0;
  for (let i = 0; i < joined.length; i++) if (joined.charCodeAt(i) === 0x0d || joined.charCodeAt(i) === 0x0a) inside++;
  return crlf - inside;
}
