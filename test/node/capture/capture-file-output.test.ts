/**
 * The capture helper writing pcapng as it captures (startCapture's `output`), on loopback only: one file, a ring
 * buffer, a helper killed mid-capture, and write errors. Each test binds its UDP sender first and captures only that
 * source port, so other traffic to 5060 on this host (someone else's SIPp or capture test) cannot get in the way.
 * Like capture-client.test.ts, it runs the compiled helper (`npm run build:cli`) and is skipped without `cap` or
 * without capture rights.
 */
import { spawnSync } from 'node:child_process';
import { createSocket, type Socket } from 'node:dgram';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { capInstalled, canCapture } from '../../helpers/capture.js';
import { createCaptureReader } from '../../../src/core/capture/open.js';
import { analyzeFile } from '../../../src/node/analyze.js';
import { CaptureError, defaultHelperPath, startCapture, type CapturedPacket } from '../../../src/node/capture/capture-client.js';
import { haveTshark } from '../../helpers/tshark.js';

// Checked in a separate process so this one never loads the native module.

const work = mkdtempSync(join(tmpdir(), 'sipscope-capture-output-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

beforeAll(() => {
  if (!existsSync(defaultHelperPath())) {
    throw new Error(`the capture tests run the compiled helper ${defaultHelperPath()}: run \`npm run build:cli\` first`);
  }
});


/** An OPTIONS of about `size` bytes whose Call-ID carries its number. */
function sipDatagram(i: number, size: number): Buffer {
  const head = `OPTIONS sip:probe@127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1;branch=z9hG4bK-${i}\r\nCall-ID: output-test-${i}\r\nCSeq: ${i} OPTIONS\r\nMax-Forwards: 70\r\n`;
  const pad = Math.max(0, size - head.length - 'X-Pad: \r\nContent-Length: 0\r\n\r\n'.length);
  return Buffer.from(`${head}X-Pad: ${'p'.repeat(pad)}\r\nContent-Length: 0\r\n\r\n`);
}

async function boundSender(): Promise<{ socket: Socket; port: number }> {
  const socket = createSocket('udp4');
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  return { socket, port: socket.address().port };
}

/** Sends to 127.0.0.1:5060, yielding to the event loop every `burst` datagrams (and pausing `pauseMs`). */
async function sendAll(socket: Socket, datagrams: Buffer[], burst = 50, pauseMs = 0): Promise<void> {
  for (let i = 0; i < datagrams.length; i++) {
    await new Promise<void>((resolve, reject) => socket.send(datagrams[i], 5060, '127.0.0.1', (error) => (error ? reject(error) : resolve())));
    if (i % burst === burst - 1) await new Promise((resolve) => (pauseMs > 0 ? setTimeout(resolve, pauseMs) : setImmediate(resolve)));
  }
}

async function waitFor(condition: () => boolean, ms: number): Promise<void> {
  const end = Date.now() + ms;
  while (!condition() && Date.now() < end) await new Promise((resolve) => setTimeout(resolve, 10));
}

/** The UDP payload of an Ethernet/IPv4/UDP frame (loopback frames are Ethernet), or undefined. */
function udpPayload(frame: Uint8Array): Buffer | undefined {
  if (frame.length < 14 + 20 + 8) return undefined;
  const view = new DataView(frame.buffer, frame.byteOffset, frame.byteLength);
  if (view.getUint16(12) !== 0x0800 || frame[14 + 9] !== 17) return undefined;
  const udp = 14 + (frame[14] & 0x0f) * 4;
  return Buffer.from(frame.subarray(udp + 8, udp + view.getUint16(udp + 4)));
}

/** The packets of a pcapng file through our reader, with the file-level diagnostics. */
function readPackets(path: string): { payloads: Buffer[]; linkTypes: Set<number>; diagnostics: { kind: string; message: string }[] } {
  const payloads: Buffer[] = [];
  const linkTypes = new Set<number>();
  const diagnostics: { kind: string; message: string }[] = [];
  const reader = createCaptureReader('pcapng', {
    packet: (p) => {
      linkTypes.add(p.linkType);
      const payload = udpPayload(p.data);
      if (payload) payloads.push(payload);
    },
    diagnostic: (d) => diagnostics.push({ kind: d.kind, message: d.message }),
  });
  reader.push(readFileSync(path));
  reader.end();
  return { payloads, linkTypes, diagnostics };
}

interface Block {
  type: number;
  body: Buffer;
}

/** The blocks of a little-endian pcapng file (what the helper writes), to check the ones our reader does not expose. */
function blocks(path: string): Block[] {
  const bytes = readFileSync(path);
  const out: Block[] = [];
  for (let at = 0; at + 12 <= bytes.length; ) {
    const length = bytes.readUInt32LE(at + 4);
    if (length < 12 || at + length > bytes.length) break;
    out.push({ type: bytes.readUInt32LE(at), body: bytes.subarray(at + 8, at + length - 4) });
    at += length;
  }
  return out;
}

/** A block's options from `from` (after its fixed part), by code. */
function options(body: Buffer, from: number): Map<number, Buffer> {
  const out = new Map<number, Buffer>();
  for (let at = from; at + 4 <= body.length; ) {
    const code = body.readUInt16LE(at);
    const length = body.readUInt16LE(at + 2);
    if (code === 0) break;
    out.set(code, body.subarray(at + 4, at + 4 + length));
    at += 4 + ((length + 3) & ~3);
  }
  return out;
}

/** tshark's reading of the file: Call-IDs of our source port's SIP, in order, and its exit status. */
function tsharkCallIds(path: string, port: number): { status: number | null; callIds: string[]; stderr: string } {
  const run = spawnSync('tshark', ['-r', path, '-Y', `udp.srcport == ${port}`, '-d', 'udp.port==5060,sip', '-T', 'fields', '-e', 'sip.Call-ID'], { encoding: 'utf8' });
  return { status: run.status, callIds: run.stdout.split('\n').filter((line) => line !== ''), stderr: run.stderr };
}

const BLOCK_SHB = 0x0a0d0d0a;
const BLOCK_IDB = 1;
const BLOCK_EPB = 6;
const BLOCK_ISB = 5;

describe.skipIf(!capInstalled)('capture output (pcapng written by the helper)', () => {
  it('one file: every datagram, readable by tshark and by our reader, with the interface and statistics blocks', async (ctx) => {
    if (!(await canCapture())) return ctx.skip('no capture rights here');
    const path = join(work, 'single.pcapng');
    const { socket, port } = await boundSender();
    const sent = Array.from({ length: 400 }, (_, i) => sipDatagram(i, [300, 800, 1400, 3000, 9000][i % 5]));
    const frames: CapturedPacket[] = [];
    const filter = `udp src port ${port} and udp dst port 5060`;
    // lo's MTU is 64 KiB, so each slot of libpcap's kernel ring is too (about 256 slots in the default 32 MiB): a
    // larger ring lets the burst wait while the helper writes a batch to disk (the default dropped about 13 of 400
    // here on a loaded machine). The other tests below that must see every packet do the same.
    const capture = await startCapture({ interface: 'lo', filter, kernelBufferBytes: 128 << 20, output: { path }, onBatch: (batch) => void frames.push(...batch.packets) });
    await sendAll(socket, sent);
    await waitFor(() => frames.length >= sent.length, 10_000);
    const stats = await capture.stop();
    socket.close();

    expect(stats).toMatchObject({ packets: sent.length, written: sent.length, files: [path], queueDropped: 0 });
    const ours = readPackets(path);
    expect(ours.diagnostics).toEqual([]);
    expect(ours.linkTypes).toEqual(new Set([1]));
    expect(ours.payloads.length).toBe(sent.length);
    ours.payloads.forEach((payload, i) => expect(payload.equals(sent[i]), `datagram ${i}`).toBe(true));

    // Our SIP decoder on the file: every message, in order, no file-level problem.
    const analysis = await analyzeFile(path);
    expect(analysis.fileDiagnostics).toEqual([]);
    const callIds: string[] = [];
    for (let i = 0; i < analysis.engine.index.count; i++) {
      const m = analysis.engine.index.get(i);
      if (m.src === `127.0.0.1:${port}`) callIds.push(m.callId);
    }
    expect(callIds).toEqual(sent.map((_, i) => `output-test-${i}`));

    // The blocks: SHB, IDB (link type, snaplen, if_name, if_tsresol 9, if_filter), one EPB per packet, ISB last.
    const all = blocks(path);
    expect(all.map((b) => b.type)).toEqual([BLOCK_SHB, BLOCK_IDB, ...sent.map(() => BLOCK_EPB), BLOCK_ISB]);
    const idb = all[1].body;
    expect(idb.readUInt16LE(0)).toBe(1);
    expect(idb.readUInt32LE(4)).toBe(65535);
    const idbOptions = options(idb, 8);
    expect(idbOptions.get(2)?.toString()).toBe('lo');
    expect(idbOptions.get(9)).toEqual(Buffer.of(9));
    expect(idbOptions.get(11)?.subarray(1).toString()).toBe(filter);
    // EPB timestamps are the ones handed to onBatch, in nanoseconds.
    const epb = all[2].body;
    expect((BigInt(epb.readUInt32LE(4)) << 32n) | BigInt(epb.readUInt32LE(8))).toBe(frames[0].timestampNs);
    const isbOptions = options(all[all.length - 1].body, 12);
    expect(isbOptions.get(4)?.readBigUInt64LE(0)).toBe(BigInt(sent.length));
    expect(isbOptions.get(5)?.readBigUInt64LE(0)).toBe(0n);
    expect(isbOptions.get(1)?.toString()).toMatch(new RegExp(`the kernel received ${sent.length} \\(isb_ifrecv\\) and dropped 0 \\(isb_ifdrop, ring full\\)`));

    if (!haveTshark) return ctx.skip('tshark is not installed: the reference reading is skipped');
    const reference = tsharkCallIds(path, port);
    expect(reference.status, reference.stderr).toBe(0);
    expect(reference.callIds).toEqual(callIds);
  });

  it('ring buffer: several files of about ringBytes, at most ringFiles kept, holding the latest packets in order', async (ctx) => {
    if (!(await canCapture())) return ctx.skip('no capture rights here');
    const folder = join(work, 'ring');
    mkdirSync(folder);
    const { socket, port } = await boundSender();
    // 1000-byte datagrams are 1042-byte frames, 1076 bytes as EPBs: about 7 per 8000-byte file, so about 30 files.
    const sent = Array.from({ length: 200 }, (_, i) => sipDatagram(i, 1000));
    const frames: CapturedPacket[] = [];
    const capture = await startCapture({
      interface: 'lo',
      filter: `udp src port ${port} and udp dst port 5060`,
      batchPackets: 10,
      kernelBufferBytes: 128 << 20,
      output: { path: join(folder, 'ring.pcapng'), ringFiles: 3, ringBytes: 8000 },
      onBatch: (batch) => void frames.push(...batch.packets),
    });
    await sendAll(socket, sent, 20);
    await waitFor(() => frames.length >= sent.length, 10_000);
    const stats = await capture.stop();
    socket.close();

    expect(stats).toMatchObject({ packets: sent.length, written: sent.length });
    expect(stats.files).toHaveLength(3);
    expect(readdirSync(folder).sort()).toEqual(stats.files.map((f) => f.slice(folder.length + 1)));
    const numbers = stats.files.map((f) => {
      const name = /\/ring_(\d{5})_(\d{14})\.pcapng$/.exec(f);
      expect(name, f).not.toBeNull();
      return Number(name?.[1]);
    });
    // Consecutive, and well past 3: most files were written then deleted.
    expect(numbers).toEqual([numbers[0], numbers[0] + 1, numbers[0] + 2]);
    expect(numbers[0]).toBeGreaterThan(10);

    const kept: Buffer[] = [];
    stats.files.forEach((file, i) => {
      const read = readPackets(file);
      expect(read.diagnostics, file).toEqual([]);
      const types = blocks(file).map((b) => b.type);
      expect(types[0]).toBe(BLOCK_SHB);
      expect(types[1]).toBe(BLOCK_IDB);
      expect(types[types.length - 1]).toBe(BLOCK_ISB);
      // Each file but the last was closed at the first packet that took it to ringBytes or past.
      if (i < stats.files.length - 1) {
        expect(statSync(file).size).toBeGreaterThanOrEqual(8000);
        expect(statSync(file).size).toBeLessThan(8000 + 1076 + 200);
      }
      kept.push(...read.payloads);
    });
    // The kept files hold the last packets sent, contiguous and in order.
    expect(kept.length).toBeGreaterThan(10);
    const first = sent.length - kept.length;
    kept.forEach((payload, i) => expect(payload.equals(sent[first + i]), `datagram ${first + i}`).toBe(true));
  });

  it('ring buffer by age: a new file once the current one is ringSeconds old', async (ctx) => {
    if (!(await canCapture())) return ctx.skip('no capture rights here');
    const folder = join(work, 'ring-age');
    mkdirSync(folder);
    const { socket, port } = await boundSender();
    const frames: CapturedPacket[] = [];
    const capture = await startCapture({
      interface: 'lo',
      filter: `udp src port ${port} and udp dst port 5060`,
      batchPackets: 4,
      output: { path: join(folder, 'aged'), ringSeconds: 0.3 },
      onBatch: (batch) => void frames.push(...batch.packets),
    });
    // Three rounds of 5 datagrams, 400 ms apart: each round finds the file older than 300 ms and starts a new one.
    for (let round = 0; round < 3; round++) {
      if (round > 0) await new Promise((resolve) => setTimeout(resolve, 400));
      await sendAll(socket, Array.from({ length: 5 }, (_, i) => sipDatagram(round * 5 + i, 400)));
      await waitFor(() => frames.length >= (round + 1) * 5, 5_000);
    }
    const stats = await capture.stop();
    socket.close();
    // No ringFiles: all kept. A path without an extension gets .pcapng.
    expect(stats.files.map((f) => /\/aged_(\d{5})_\d{14}\.pcapng$/.exec(f)?.[1])).toEqual(['00001', '00002', '00003']);
    expect(stats.files.map((f) => readPackets(f).payloads.map((p) => /output-test-(\d+)/.exec(p.toString())?.[1]).join(','))).toEqual([
      '0,1,2,3,4',
      '5,6,7,8,9',
      '10,11,12,13,14',
    ]);
  });

  it('a helper killed mid-capture leaves a readable file holding every batch written before the kill', async (ctx) => {
    if (!(await canCapture())) return ctx.skip('no capture rights here');
    const path = join(work, 'killed.pcapng');
    const { socket, port } = await boundSender();
    const sent = Array.from({ length: 2000 }, (_, i) => sipDatagram(i, 600));
    const frames: CapturedPacket[] = [];
    const errors: CaptureError[] = [];
    const capture = await startCapture({
      interface: 'lo',
      filter: `udp src port ${port} and udp dst port 5060`,
      batchPackets: 16,
      kernelBufferBytes: 128 << 20,
      output: { path },
      onBatch: (batch) => void frames.push(...batch.packets),
      onError: (error) => errors.push(error),
    });
    // Keep sending while the helper is killed: 20 datagrams every 2 ms.
    const sending = sendAll(socket, sent, 20, 2);
    await waitFor(() => frames.length >= 300, 10_000);
    process.kill(capture.helperPid, 'SIGKILL');
    await sending;
    await waitFor(() => errors.length > 0, 5_000);
    socket.close();
    expect(errors[0]?.message).toMatch(/^The capture helper was killed by SIGKILL unexpectedly\./);
    // Sending went on after the kill, so the capture was cut mid-flow.
    expect(frames.length).toBeLessThan(sent.length);

    const read = readPackets(path);
    // Whole batches are written with one write each: at worst the last record is cut short.
    expect(read.diagnostics.filter((d) => d.kind !== 'truncated')).toEqual([]);
    expect(read.diagnostics.length).toBeLessThanOrEqual(1);
    // Every packet the parent was handed had been written before it was sent; the file may hold a few more.
    expect(read.payloads.length).toBeGreaterThanOrEqual(frames.length);
    read.payloads.forEach((payload, i) => expect(payload.equals(sent[i]), `datagram ${i}`).toBe(true));
    // No statistics block: the helper never got to stop.
    expect(blocks(path).map((b) => b.type)).not.toContain(BLOCK_ISB);

    const analysis = await analyzeFile(path);
    expect(analysis.fileDiagnostics.filter((d) => d.kind !== 'truncated')).toEqual([]);
    if (!haveTshark) return ctx.skip('tshark is not installed: the reference reading is skipped');
    const reference = tsharkCallIds(path, port);
    expect(reference.status, reference.stderr).toBe(0);
    expect(reference.callIds).toEqual(read.payloads.map((_, i) => `output-test-${i}`));
  });

  it('a folder that does not exist: startCapture refuses, naming the file', async (ctx) => {
    if (!(await canCapture())) return ctx.skip('no capture rights here');
    const path = join(work, 'no-such-folder', 'out.pcapng');
    const failure = await startCapture({ interface: 'lo', output: { path }, onBatch: () => undefined }).catch((error: unknown) => error);
    expect(failure).toEqual(new CaptureError('output-failed', `Cannot write the capture file ${path}: the folder ${join(work, 'no-such-folder')} does not exist (ENOENT).`));
  });

  it('a write failure mid-capture (the ring\'s folder removed) ends the capture through onError, naming the file', async (ctx) => {
    if (!(await canCapture())) return ctx.skip('no capture rights here');
    const folder = join(work, 'vanishing');
    mkdirSync(folder);
    const { socket, port } = await boundSender();
    const frames: CapturedPacket[] = [];
    const errors: CaptureError[] = [];
    const capture = await startCapture({
      interface: 'lo',
      filter: `udp src port ${port} and udp dst port 5060`,
      batchPackets: 4,
      output: { path: join(folder, 'ring.pcapng'), ringFiles: 2, ringBytes: 3000 },
      onBatch: (batch) => void frames.push(...batch.packets),
      onError: (error) => errors.push(error),
    });
    await sendAll(socket, Array.from({ length: 4 }, (_, i) => sipDatagram(i, 1000)));
    await waitFor(() => frames.length >= 4, 5_000);
    // The open file lives on once unlinked; the next file of the ring cannot be created.
    rmSync(folder, { recursive: true });
    await sendAll(socket, Array.from({ length: 20 }, (_, i) => sipDatagram(4 + i, 1000)));
    await waitFor(() => errors.length > 0, 5_000);
    socket.close();
    expect(errors).toHaveLength(1);
    expect(errors[0].kind).toBe('output-failed');
    expect(errors[0].message).toMatch(new RegExp(`^Cannot write the capture file ${folder}/ring_0000\\d_\\d{14}\\.pcapng: the folder ${folder} does not exist \\(ENOENT\\)\\.$`));
    await expect(capture.stop()).rejects.toThrow('The capture already ended in an error.');
  });
});

describe('capture output options', () => {
  it('a ring buffer without a size or a duration is refused before any helper starts', async () => {
    const failure = await startCapture({ interface: 'lo', output: { path: join(work, 'x.pcapng'), ringFiles: 3 }, onBatch: () => undefined }).catch((error: unknown) => error);
    expect(failure).toEqual(new CaptureError('bad-output', 'A ring buffer needs a file size (ringBytes) or a file duration (ringSeconds) as well as a number of files.'));
  });

  it('a ring size that is not a whole number is refused', async () => {
    const failure = await startCapture({ interface: 'lo', output: { path: join(work, 'x.pcapng'), ringBytes: 0.5 }, onBatch: () => undefined }).catch((error: unknown) => error);
    expect((failure as CaptureError).kind).toBe('bad-output');
  });
});
