import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createCaptureReader } from '../../../src/core/capture/open.js';
import { encodePcapFile } from '../../../src/core/capture/pcap-writer.js';
import type { Diagnostic } from '../../../src/core/diagnostics.js';
import { dissectPacket } from '../../../src/core/layers/dissect.js';
import { PacketDecodeState } from '../../../src/core/layers/packet.js';
import { LinkType } from '../../../src/core/layers/registry.js';
import { formatIpv4 } from '../../../src/core/net/address.js';
import { parseSip } from '../../../src/core/sip/parser.js';
import type { TimedChunk } from '../../../src/core/stream/chunks.js';
import { SctpMessageTable } from '../../../src/core/stream/sctp-messages.js';
import { ascii, concat, ethernet, ipv4, sampleInvite } from '../../helpers/packet-builder.js';
import { haveSharedCaptures, sharedCapture } from '../../helpers/paths.js';

// ---- SCTP packet builder (RFC 9260 §3.3.1, RFC 8260 §2.1); checksums 0, which tshark does not verify ----
function be(n: number, bytes: number): number[] {
  const out: number[] = [];
  for (let i = bytes - 1; i >= 0; i--) out.push(Math.floor(n / 2 ** (8 * i)) & 0xff);
  return out;
}
function pad4(chunk: number[]): Uint8Array {
  while (chunk.length % 4) chunk.push(0);
  return new Uint8Array(chunk);
}
function dataChunk(payload: Uint8Array, tsn: number, b: boolean, e: boolean, sid = 0, ssn = 0): Uint8Array {
  return pad4([0, (b ? 2 : 0) | (e ? 1 : 0), ...be(16 + payload.length, 2), ...be(tsn, 4), ...be(sid, 2), ...be(ssn, 2), 0, 0, 0, 0, ...payload]);
}
function iDataChunk(payload: Uint8Array, tsn: number, sid: number, mid: number, fsn: number, b: boolean, e: boolean): Uint8Array {
  return pad4([64, (b ? 2 : 0) | (e ? 1 : 0), ...be(20 + payload.length, 2), ...be(tsn, 4), ...be(sid, 2), 0, 0, ...be(mid, 4), ...be(b ? 0 : fsn, 4), ...payload]);
}
function frame(chunks: Uint8Array[], vtag = 0x0a0b0c0d): Uint8Array {
  const common = new Uint8Array([...be(5060, 2), ...be(5060, 2), ...be(vtag, 4), 0, 0, 0, 0]);
  return ethernet(0x0800, ipv4(concat(common, ...chunks), { protocol: 132, src: '198.51.100.1', dst: '198.51.100.2' }));
}

interface Emitted {
  flow: string;
  text: string;
  frames: number[];
  diagnostics: string[];
  bytes: Uint8Array;
  start: number;
  end: number;
}

/** Runs frames through dissectPacket and a SctpMessageTable, as the engine does. */
function run(frames: { frame: number; linkType: number; data: Uint8Array; fileOffset?: number }[], table?: (emit: (flow: string, bytes: Uint8Array, start: number, end: number, chunks: TimedChunk[], d: Diagnostic[]) => void) => SctpMessageTable<string>) {
  const out: Emitted[] = [];
  const emit = (flow: string, bytes: Uint8Array, start: number, end: number, chunks: TimedChunk[], d: Diagnostic[]) => {
    out.push({ flow, text: new TextDecoder().decode(bytes.subarray(start, end)), frames: chunks.map((c) => c.frame), diagnostics: d.map((x) => `${x.kind} ${x.layer}: ${x.message}`), bytes, start, end });
    expect(chunks.reduce((n, c) => n + c.length, 0)).toBe(end - start);
  };
  const messages = table ? table(emit) : new SctpMessageTable<string>(emit);
  const state = new PacketDecodeState();
  for (const f of frames) {
    dissectPacket(state, f.linkType, f.data);
    const b = state.bytes;
    const flow = `${formatIpv4(b, state.srcAddrOffset)}:${state.srcPort} > ${formatIpv4(b, state.dstAddrOffset)}:${state.dstPort}`;
    const key = `${flow} vtag ${state.sctpVerificationTag}`;
    for (let i = 0; i < state.sctpChunkCount; i++) {
      const c = state.sctpChunks[i];
      const where: TimedChunk = { frame: f.frame, fileOffset: (f.fileOffset ?? 0) + c.payloadStart, length: c.payloadEnd - c.payloadStart, tsSec: 0, tsNsec: 0 };
      messages.add(key, () => flow, b, c, where);
    }
  }
  messages.finish();
  return { out, messages };
}

const haveTshark = spawnSync('tshark', ['-v'], { stdio: 'ignore' }).status === 0;
function tsharkSip(frames: Uint8Array[]): string[] {
  const dir = mkdtempSync(join(tmpdir(), 'sctp-msg-'));
  const file = join(dir, 'crafted.pcap');
  writeFileSync(file, encodePcapFile({ linkType: LinkType.ETHERNET }, frames.map((data, i) => ({ tsSec: 1_700_000_000 + i, data }))));
  const out = spawnSync('tshark', ['-r', file, '-Y', 'sip', '-T', 'fields', '-e', 'frame.number', '-e', 'sip.Call-ID', '-e', 'sip.Content-Length'], { encoding: 'utf8' });
  return out.stdout.split('\n').filter((l) => l !== '');
}

function permutations<T>(items: T[]): T[][] {
  if (items.length <= 1) return [items];
  return items.flatMap((item, i) => permutations([...items.slice(0, i), ...items.slice(i + 1)]).map((rest) => [item, ...rest]));
}

describe('SCTP user-message reassembly', () => {
  it.skipIf(!haveSharedCaptures)('finds every SIP message tshark finds in heplify_sip_sctp.pcap', () => {
    const packets: { frame: number; linkType: number; data: Uint8Array; fileOffset: number }[] = [];
    const reader = createCaptureReader('pcap', { packet: (p) => packets.push({ frame: p.frame, linkType: p.linkType, data: p.data.slice(), fileOffset: p.dataOffset }), diagnostic: () => {} });
    reader.push(readFileSync(sharedCapture('heplify_sip_sctp.pcap')));
    reader.end();
    const { out, messages } = run(packets);
    // The reference: frame, ip.src, ipv6.src, ip.dst, ipv6.dst, method, status, Call-ID, CSeq per SIP message
    // (tshark reports a reassembled message in the frame of its last fragment).
    const expected = readFileSync(sharedCapture('heplify_sip_sctp.pcap.tshark.tsv'), 'utf8').split('\n').filter((l) => l !== '');
    const ours = out.map((m) => {
      const sip = parseSip(m.bytes, m.start, m.end);
      const [src, dst] = m.flow.split(' > ').map((a) => a.split(':')[0]);
      return [m.frames[m.frames.length - 1], src, '', dst, '', sip.method, sip.statusCode || '', sip.callId, `${sip.cseq?.seq} ${sip.cseq?.method}`].join('\t');
    });
    expect(ours).toEqual(expected);
    expect(out.map((m) => m.frames)).toEqual([[1, 2], [3], [4], [5]]);
    expect(out.every((m) => m.diagnostics.length === 0)).toBe(true);
    // The INVITE: 1452 + 312 bytes (tshark: "Reassembled SCTP Fragments (1764 bytes, 2 fragments)").
    expect(out[0].end - out[0].start).toBe(1764);
    expect([messages.messages, messages.partialMessages, messages.duplicateChunks]).toEqual([4, 0, 0]);
  });

  const body = 'v=0\r\no=- 1 1 IN IP4 198.51.100.1\r\ns=-\r\nc=IN IP4 198.51.100.1\r\nt=0 0\r\nm=audio 4000 RTP/AVP 0\r\n';
  const whole = sampleInvite.replace('a84b4c76e66710@pc33.example.com', 'frag3@example.com').replace('Content-Length: 0\r\n\r\n', `Content-Type: application/sdp\r\nContent-Length: ${body.length}\r\n\r\n${body}`);
  const bytes = ascii(whole);
  const cuts = [0, 150, 301, bytes.length];
  const pieces = [0, 1, 2].map((i) => bytes.subarray(cuts[i], cuts[i + 1]));
  const fragmentFrames = pieces.map((p, i) => frame([dataChunk(p, 1000 + i, i === 0, i === 2, 1, 4)]));

  it('reassembles a SIP message fragmented over 3 DATA chunks, in every arrival order', () => {
    for (const order of permutations([0, 1, 2])) {
      const { out } = run(order.map((i) => ({ frame: i + 1, linkType: LinkType.ETHERNET, data: fragmentFrames[i] })));
      expect(out.map((m) => m.text)).toEqual([whole]);
      // Chunks in TSN order, whatever the arrival order.
      expect(out[0].frames).toEqual([1, 2, 3]);
      expect(out[0].diagnostics).toEqual([]);
    }
    // tshark reassembles the in-order capture to the same single message (Call-ID, Content-Length).
    if (haveTshark) expect(tsharkSip(fragmentFrames)).toEqual([`3\tfrag3@example.com\t${body.length}`]);
    // (tshark 4.0 with default preferences finds no SIP when the last fragment arrives first: its SCTP
    // reassembly gives up on that order, so the permutations are checked against the in-order message.)
  });

  it('delivers an unfragmented chunk without copying, and a retransmitted chunk once', () => {
    const single = frame([dataChunk(ascii(sampleInvite), 7, true, true)]);
    const { out, messages } = run([
      { frame: 1, linkType: LinkType.ETHERNET, data: single },
      { frame: 2, linkType: LinkType.ETHERNET, data: single },
      { frame: 3, linkType: LinkType.ETHERNET, data: fragmentFrames[0] },
      { frame: 4, linkType: LinkType.ETHERNET, data: fragmentFrames[1] },
      { frame: 5, linkType: LinkType.ETHERNET, data: fragmentFrames[1] },
      { frame: 6, linkType: LinkType.ETHERNET, data: fragmentFrames[2] },
    ]);
    expect(out.map((m) => [m.text, m.frames])).toEqual([
      [sampleInvite, [1]],
      [whole, [3, 4, 6]],
    ]);
    expect(out[0].bytes).toBe(single);
    expect(messages.duplicateChunks).toBe(2);
    if (haveTshark) expect(tsharkSip([single, ...fragmentFrames]).map((l) => l.split('\t')[1])).toEqual(['a84b4c76e66710@pc33.example.com', 'frag3@example.com']);
  });

  it('reassembles interleaved I-DATA messages by MID and FSN (RFC 8260 §2.1)', () => {
    const a = ascii(sampleInvite.replace('a84b4c76e66710@pc33.example.com', 'idata-a@x'));
    const b = ascii(sampleInvite.replace('a84b4c76e66710@pc33.example.com', 'idata-b@x'));
    // Two messages on streams 1 and 2, fragments interleaved in TSN order and one packet arriving late.
    const f1 = frame([iDataChunk(a.subarray(0, 100), 1, 1, 0, 0, true, false), iDataChunk(b.subarray(0, 50), 2, 2, 0, 0, true, false)]);
    const f2 = frame([iDataChunk(a.subarray(100, 200), 3, 1, 0, 1, false, false), iDataChunk(b.subarray(50), 4, 2, 0, 1, false, true)]);
    const f3 = frame([iDataChunk(a.subarray(200), 5, 1, 0, 2, false, true)]);
    const { out } = run([
      { frame: 1, linkType: LinkType.ETHERNET, data: f1 },
      { frame: 3, linkType: LinkType.ETHERNET, data: f3 },
      { frame: 2, linkType: LinkType.ETHERNET, data: f2 },
    ]);
    // Frame 2's first chunk completes message a (its FSN 2 came early in frame 3), the second completes b.
    expect(out.map((m) => [m.text, m.frames])).toEqual([
      [new TextDecoder().decode(a), [1, 2, 3]],
      [new TextDecoder().decode(b), [1, 2]],
    ]);
  });

  it('emits incomplete messages at finish(), flagged, and keeps separate associations apart', () => {
    const { out } = run([
      { frame: 1, linkType: LinkType.ETHERNET, data: fragmentFrames[0] },
      { frame: 2, linkType: LinkType.ETHERNET, data: fragmentFrames[2] },
      // The same TSNs under another verification tag belong to another association: not duplicates.
      { frame: 3, linkType: LinkType.ETHERNET, data: frame([dataChunk(pieces[0], 1000, true, false, 1, 4)], 0x99) },
    ]);
    expect(out.map((m) => [m.text, m.frames, m.diagnostics])).toEqual([
      [new TextDecoder().decode(pieces[0]), [1], ['truncated sctp: incomplete user message (stream 1, TSN 1000..1000, no last fragment): the capture ended']],
      [new TextDecoder().decode(pieces[2]), [2], ['truncated sctp: incomplete user message (stream 1, TSN 1002..1002, no first fragment): the capture ended']],
      [new TextDecoder().decode(pieces[0]), [3], ['truncated sctp: incomplete user message (stream 1, TSN 1000..1000, no last fragment): the capture ended']],
    ]);
  });

  it('bounds what it buffers: past the limit, waiting fragments are emitted as partial messages', () => {
    const limits = { maxPendingBytes: 200, maxPendingFragments: 10, tsnWindow: 4 };
    const frames = [0, 1, 2, 3].map((i) => frame([dataChunk(ascii('x'.repeat(80)), 10 + 2 * i, true, false)]));
    const { out } = run(frames.map((data, i) => ({ frame: i + 1, linkType: LinkType.ETHERNET, data })), (emit) => new SctpMessageTable<string>(emit, limits));
    expect(out.map((m) => m.frames)).toEqual([[1], [2], [3], [4]]);
    expect(out.slice(0, 3).every((m) => m.diagnostics[0].includes('more than 200 bytes'))).toBe(true);
    expect(out[3].diagnostics[0]).toContain('the capture ended');
  });
});
