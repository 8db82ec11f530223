/**
 * A live capture as the app runs it (src/node/capture/live-capture.ts), on loopback: several interfaces at
 * once, one capture helper and one pcapng file each, the packets handed over with one frame counter across
 * them and the counters summed; an interface that fails to open stops the others; a ring buffer setting
 * without a size or a duration is refused before anything starts. Each capture filters on the source port of
 * a socket bound by the test, so other traffic on lo (parallel tests) stays out. Runs the compiled helper
 * (`npm run build:cli`); skipped without `cap` or without capture rights.
 */
import { createSocket, type Socket } from 'node:dgram';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCaptureReader } from '../../../src/core/capture/open.js';
import type { CapturedPacket } from '../../../src/core/capture/types.js';
import { CaptureError, defaultHelperPath } from '../../../src/node/capture/capture-client.js';
import { startLiveCapture } from '../../../src/node/capture/live-capture.js';
import { canCapture, capInstalled } from '../../helpers/capture.js';

const work = mkdtempSync(join(tmpdir(), 'sipscope-live-capture-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

beforeAll(() => {
  if (capInstalled && !existsSync(defaultHelperPath())) {
    throw new Error(`the capture tests run the compiled helper ${defaultHelperPath()}: run \`npm run build:cli\` first`);
  }
});

/** The file names' time: 2026-11-24 13:05:01 local time → `20261124-130501`. */
const now = () => new Date(2026, 10, 24, 13, 5, 1);
const LINKTYPE_ETHERNET = 1;

/** An OPTIONS whose Call-ID carries `tag` and its number. */
function options(tag: string, i: number): Buffer {
  return Buffer.from(
    `OPTIONS sip:probe@127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1;branch=z9hG4bK-${tag}-${i}\r\nCall-ID: ${tag}-${i}@live\r\nCSeq: ${i} OPTIONS\r\nMax-Forwards: 70\r\nContent-Length: 0\r\n\r\n`,
  );
}

async function boundSender(): Promise<{ socket: Socket; port: number }> {
  const socket = createSocket('udp4');
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  return { socket, port: socket.address().port };
}

async function send(socket: Socket, datagrams: Buffer[]): Promise<void> {
  for (const datagram of datagrams) {
    await new Promise<void>((resolve, reject) => socket.send(datagram, 5060, '127.0.0.1', (error) => (error ? reject(error) : resolve())));
  }
}

async function waitFor(what: string, condition: () => boolean, ms = 15_000): Promise<void> {
  const end = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** The Call-IDs of `tag` in some packet bytes, whatever the link layer (Ethernet on lo, Linux cooked on any). */
function callIds(data: Uint8Array, tag: string): string[] {
  return Buffer.from(data).toString('latin1').match(new RegExp(`${tag}-\\d+@live`, 'g')) ?? [];
}

/** A pcapng file through our reader: its link types, the Call-IDs of `tag` per packet, and its diagnostics. */
function readFile(path: string, tag: string): { linkTypes: number[]; callIds: string[]; diagnostics: string[] } {
  const linkTypes: number[] = [];
  const ids: string[] = [];
  const diagnostics: string[] = [];
  const reader = createCaptureReader('pcapng', {
    packet: (p) => {
      linkTypes.push(p.linkType);
      ids.push(...callIds(p.data, tag));
    },
    diagnostic: (d) => diagnostics.push(`${d.kind}: ${d.message}`),
  });
  reader.push(readFileSync(path));
  reader.end();
  return { linkTypes, callIds: ids, diagnostics };
}

/** The block types of a little-endian pcapng file. */
function blockTypes(path: string): number[] {
  const bytes = readFileSync(path);
  const types: number[] = [];
  for (let at = 0; at + 12 <= bytes.length; ) {
    const length = bytes.readUInt32LE(at + 4);
    if (length < 12 || at + length > bytes.length) break;
    types.push(bytes.readUInt32LE(at));
    at += length;
  }
  return types;
}

it.runIf(!capInstalled)('live capture on interfaces', (ctx) => ctx.skip('the `cap` module is not installed here (libpcap bindings)'));

describe.skipIf(!capInstalled)('startLiveCapture on several interfaces', () => {
  it('captures lo and any at once: a file each holding the packets, frames numbered across both, counters summed', async (ctx) => {
    if (!(await canCapture())) return ctx.skip('no capture rights here');
    const folder = join(work, 'two');
    const { socket, port } = await boundSender();
    const filter = `udp and src port ${port}`;
    const packets: CapturedPacket[] = [];
    const errors: string[] = [];
    const sent = Array.from({ length: 30 }, (_, i) => options('two', i));
    const capture = await startLiveCapture({
      source: { kind: 'interfaces', interfaces: ['lo', 'any'], filter },
      folder,
      ring: null,
      now,
      onPackets: (batch) => void packets.push(...batch),
      onError: (message) => void errors.push(message),
    });
    try {
      expect(capture.label).toMatch(new RegExp(`^lo \\(ethernet\\), any \\(linux-sll2?\\) — capture filter: ${filter}$`));
      expect(capture.startedAt).toBe(now().getTime() / 1000);
      expect(capture.decodeAs).toEqual([]);
      await send(socket, sent);
      // `any` sees the datagrams lo carries too: each reaches both captures.
      const seen = (interfaceId: number) => packets.filter((p) => p.interfaceId === interfaceId).flatMap((p) => callIds(p.data, 'two'));
      await waitFor('every datagram on both interfaces', () => new Set(seen(0)).size === sent.length && new Set(seen(1)).size === sent.length);
    } finally {
      socket.close();
    }
    const final = await capture.stop();
    expect(errors).toEqual([]);

    // One frame counter across the interfaces: 1..n, each once, in the order of delivery.
    expect(packets.map((p) => p.frame)).toEqual(packets.map((_, i) => i + 1));
    const lo = packets.filter((p) => p.interfaceId === 0);
    const any = packets.filter((p) => p.interfaceId === 1);
    expect(lo.length + any.length).toBe(packets.length);
    expect(new Set(lo.map((p) => p.linkType))).toEqual(new Set([LINKTYPE_ETHERNET]));
    const anyLinkType = any[0]?.linkType;
    expect([113, 276]).toContain(anyLinkType);
    expect(any.every((p) => p.linkType === anyLinkType)).toBe(true);
    // lo carries each datagram once, in the order sent.
    expect(lo.flatMap((p) => callIds(p.data, 'two'))).toEqual(sent.map((_, i) => `two-${i}@live`));
    for (const p of packets) {
      expect(p.capturedLength).toBe(p.data.length);
      expect(p.tsNsec).toBeLessThan(1_000_000_000);
    }

    // A file per interface, named by interface and start time, each holding what its interface captured.
    const loFile = join(folder, 'sipscope_lo_20261124-130501.pcapng');
    const anyFile = join(folder, 'sipscope_any_20261124-130501.pcapng');
    expect(final.files).toEqual([loFile, anyFile]);
    expect(readdirSync(folder).sort()).toEqual(['sipscope_any_20261124-130501.pcapng', 'sipscope_lo_20261124-130501.pcapng']);
    const loRead = readFile(loFile, 'two');
    const anyRead = readFile(anyFile, 'two');
    expect(loRead.diagnostics).toEqual([]);
    expect(anyRead.diagnostics).toEqual([]);
    expect(loRead.linkTypes).toEqual(lo.map(() => LINKTYPE_ETHERNET));
    expect(loRead.callIds).toEqual(lo.flatMap((p) => callIds(p.data, 'two')));
    expect(anyRead.linkTypes).toEqual(any.map(() => anyLinkType));
    expect(anyRead.callIds).toEqual(any.flatMap((p) => callIds(p.data, 'two')));

    // The counters are the sums over both helpers.
    expect(final.packets).toBe(packets.length);
    expect(final.bytes).toBe(packets.reduce((sum, p) => sum + p.data.length, 0));
    expect(final.queueDropped).toBe(0);
    if (final.kernelReceived !== null) expect(final.kernelReceived).toBeGreaterThanOrEqual(packets.length);
    expect(capture.counters()).toEqual(final);
  }, 60_000);

  it('captures an interface named twice once: one helper, one file', async (ctx) => {
    if (!(await canCapture())) return ctx.skip('no capture rights here');
    const folder = join(work, 'twice');
    const { socket, port } = await boundSender();
    const packets: CapturedPacket[] = [];
    const capture = await startLiveCapture({
      source: { kind: 'interfaces', interfaces: ['lo', 'lo'], filter: `udp and src port ${port}` },
      folder,
      ring: null,
      now,
      onPackets: (batch) => void packets.push(...batch),
      onError: (message) => expect.fail(message),
    });
    try {
      expect(capture.label).toBe(`lo (ethernet) — capture filter: udp and src port ${port}`);
      await send(socket, [options('twice', 0), options('twice', 1)]);
      await waitFor('both datagrams', () => packets.length >= 2);
    } finally {
      socket.close();
    }
    const final = await capture.stop();
    expect(packets.map((p) => [p.frame, p.interfaceId])).toEqual([
      [1, 0],
      [2, 0],
    ]);
    expect(final.files).toEqual([join(folder, 'sipscope_lo_20261124-130501.pcapng')]);
    expect(final.packets).toBe(2);
    expect(readFile(final.files[0]!, 'twice').callIds).toEqual(['twice-0@live', 'twice-1@live']);
  }, 30_000);

  it('stops the interfaces already capturing when a later one fails to open, and rejects with its message', async (ctx) => {
    if (!(await canCapture())) return ctx.skip('no capture rights here');
    const folder = join(work, 'failing');
    const failure = await startLiveCapture({
      source: { kind: 'interfaces', interfaces: ['lo', 'no-such0'], filter: 'udp and src port 9' },
      folder,
      ring: null,
      now,
      onPackets: () => undefined,
      onError: (message) => expect.fail(message),
    }).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(CaptureError);
    expect((failure as CaptureError).kind).toBe('no-such-interface');
    expect((failure as CaptureError).message).toMatch(/^No interface named 'no-such0' \(.*\); 'sipscope interfaces' lists them\.$/);
    // lo's helper was stopped, not left running: its file is finished (the statistics block written at stop comes last).
    const loFile = join(folder, 'sipscope_lo_20261124-130501.pcapng');
    expect(readdirSync(folder)).toEqual(['sipscope_lo_20261124-130501.pcapng']);
    const types = blockTypes(loFile);
    expect(types.slice(0, 2)).toEqual([0x0a0d0d0a, 1]);
    expect(types.at(-1)).toBe(5);
    expect(readFile(loFile, 'x').diagnostics).toEqual([]);
  }, 30_000);
});

describe('startLiveCapture settings checks', () => {
  it("refuses a ring buffer without a file size or duration ('bad-output') before starting anything", async () => {
    const folder = join(work, 'ring');
    const failure = await startLiveCapture({
      source: { kind: 'interfaces', interfaces: ['lo'], filter: '' },
      folder,
      ring: { files: 5, megabytes: null, seconds: null },
      onPackets: () => undefined,
      onError: () => undefined,
    }).catch((error: unknown) => error);
    expect(failure).toEqual(new CaptureError('bad-output', 'A ring buffer needs a file size (MB) or a file duration (seconds) as well as a number of files.'));
    expect((failure as CaptureError).kind).toBe('bad-output');
    expect(readdirSync(folder)).toEqual([]);
  });

  it('refuses a capture without interfaces', async () => {
    const failure = await startLiveCapture({
      source: { kind: 'interfaces', interfaces: [], filter: '' },
      folder: join(work, 'none'),
      ring: null,
      onPackets: () => undefined,
      onError: () => undefined,
    }).catch((error: unknown) => error);
    expect(failure).toEqual(new CaptureError('no-such-interface', 'Choose at least one interface to capture on.'));
  });

  it('says which folder it cannot create', async () => {
    // Under a file, so mkdir fails (not under /proc: Node 20's recursive mkdirSync loops forever there).
    const failure = await startLiveCapture({
      source: { kind: 'interfaces', interfaces: ['lo'], filter: '' },
      folder: '/dev/null/sipscope-captures',
      ring: null,
      onPackets: () => undefined,
      onError: () => undefined,
    }).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(CaptureError);
    expect((failure as CaptureError).kind).toBe('output-failed');
    expect((failure as CaptureError).message).toMatch(/^Cannot create the capture folder \/dev\/null\/sipscope-captures: ENOTDIR/);
  });
});
