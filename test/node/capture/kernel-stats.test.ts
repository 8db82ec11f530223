/**
 * The kernel's received/dropped counts of a live capture (kernel-stats.ts, native/packet-stats), on loopback only:
 * a capture that loses nothing, one whose ring the kernel overflows while the helper is stopped (SIGSTOP), one
 * stopped with packets still in the ring, and a helper without the addon. Each capture test binds its own sender and sink and captures only the sender's source
 * port, so the kernel's `received` is exactly the datagrams sent, whatever else runs on this host.
 * Runs the compiled helper (`npm run build:cli`) and the built addon (`node scripts/build-native.mjs`); skipped
 * without `cap` or capture rights, like the other capture tests.
 */
import { createSocket, type Socket } from 'node:dgram';
import { closeSync, existsSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { capInstalled, canCapture } from '../../helpers/capture.js';
import { createCaptureReader } from '../../../src/core/capture/open.js';
import { defaultHelperPath, startCapture, type CaptureStats } from '../../../src/node/capture/capture-client.js';
import { ADDON_PATH_ENV, KernelStats, defaultAddonPath, probeBeforeOpen } from '../../../src/node/capture/kernel-stats.js';

const linux = process.platform === 'linux';
const addonBuilt = existsSync(defaultAddonPath());
const work = mkdtempSync(join(tmpdir(), 'sipscope-kernel-stats-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

beforeAll(() => {
  if (!existsSync(defaultHelperPath())) {
    throw new Error(`the capture tests run the compiled helper ${defaultHelperPath()}: run \`npm run build:cli\` first`);
  }
  // Where `cap` built, the same toolchain builds the addon: its absence then is a missed build step, not a platform.
  if (linux && capInstalled && !addonBuilt) {
    throw new Error(`the kernel counts need the addon ${defaultAddonPath()}: run \`node scripts/build-native.mjs\` first`);
  }
});

interface Peers {
  sender: Socket;
  senderPort: number;
  sink: Socket;
  sinkPort: number;
  close(): void;
}

/** A sender and a sink of our own: nobody else's listener gets our datagrams, and none come back as ICMP errors. */
async function peers(): Promise<Peers> {
  const bind = async () => {
    const socket = createSocket('udp4');
    await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
    return socket;
  };
  const sender = await bind();
  const sink = await bind();
  return {
    sender,
    senderPort: sender.address().port,
    sink,
    sinkPort: sink.address().port,
    close: () => {
      sender.close();
      sink.close();
    },
  };
}

/** Sends `count` datagrams of `size` bytes, waiting for the socket every `burst` so its queue stays short. */
async function send(p: Peers, count: number, size = 120, burst = 500): Promise<void> {
  const payload = Buffer.alloc(size, 0x53);
  for (let i = 0; i < count; i++) {
    if (i % burst === burst - 1 || i === count - 1) {
      await new Promise<void>((resolve, reject) => p.sender.send(payload, p.sinkPort, '127.0.0.1', (error) => (error ? reject(error) : resolve())));
    } else {
      p.sender.send(payload, p.sinkPort, '127.0.0.1');
    }
  }
}

async function waitFor(condition: () => boolean, ms: number): Promise<void> {
  const end = Date.now() + ms;
  while (!condition() && Date.now() < end) await new Promise((resolve) => setTimeout(resolve, 10));
}

/** The file's packet count and its (last) Interface Statistics Block for interface 0, through our pcapng reader. */
function readCapture(path: string): { packets: number; isb: { received?: bigint; dropped?: bigint } | undefined; diagnostics: string[] } {
  let packets = 0;
  const diagnostics: string[] = [];
  const reader = createCaptureReader('pcapng', { packet: () => void packets++, diagnostic: (d) => diagnostics.push(d.message) });
  reader.push(readFileSync(path));
  reader.end();
  return { packets, isb: reader.info.interfaceStatistics.get(0), diagnostics };
}

describe.skipIf(!linux || !addonBuilt)('packet-stats addon, in this process', () => {
  const addon = () =>
    createRequire(import.meta.url)(defaultAddonPath()) as { statistics(fd: number): unknown; pending(fd: number): unknown; stopQueueing(fd: number): unknown };

  it('refuses a descriptor that is not a packet socket, with the errno text, and never touches it', () => {
    const fd = openSync(defaultAddonPath(), 'r');
    try {
      for (const call of [addon().statistics, addon().pending, addon().stopQueueing]) {
        expect(() => call(fd)).toThrow(expect.objectContaining({ code: 'ENOTSOCK', message: 'not a socket: Socket operation on non-socket' }));
      }
    } finally {
      closeSync(fd);
    }
    expect(() => addon().statistics(fd)).toThrow(expect.objectContaining({ code: 'EBADF', message: 'not a socket: Bad file descriptor' }));
    expect(() => addon().statistics(-1)).toThrow(RangeError);
    expect(() => (addon().statistics as (fd: unknown) => unknown)('3')).toThrow(TypeError);
  });

  it('finds no capture socket in a process that opened none, and says so', () => {
    const found = KernelStats.afterOpen('lo', probeBeforeOpen());
    expect(found).toBe("libpcap's packet socket for lo was not found among this process's descriptors (not an AF_PACKET capture?)");
  });
});

describe.skipIf(!capInstalled || !linux)('kernel counts of a live capture on lo', () => {
  it('counts every datagram that passed the filter, live and at stop, none dropped', async (ctx) => {
    if (!(await canCapture())) return ctx.skip('no capture rights here');
    const p = await peers();
    const sent = 500;
    let delivered = 0;
    const live: CaptureStats[] = [];
    // lo's 64 KiB MTU makes each ring slot 64 KiB: 64 MiB holds the whole burst even if the helper is slow to read.
    const capture = await startCapture({
      interface: 'lo',
      filter: `udp src port ${p.senderPort}`,
      kernelBufferBytes: 64 << 20,
      statsMs: 50,
      onBatch: (batch) => void (delivered += batch.packets.length),
      onStats: (stats) => void live.push(stats),
    });
    await send(p, sent);
    await waitFor(() => delivered >= sent && (live.at(-1)?.kernel?.received ?? 0) >= sent, 10_000);
    // Live: the periodic stats carry the kernel's counts while capturing.
    expect(live.at(-1)?.kernel).toEqual({ received: sent, dropped: 0, interfaceDropped: 0 });
    const stats = await capture.stop();
    p.close();

    expect(stats.packets).toBe(sent);
    expect(stats.kernel).toEqual({ received: sent, dropped: 0, interfaceDropped: 0 });
    expect(stats.kernelUnavailable).toBeUndefined();
    // Counted once each, although lo shows the kernel every packet twice (outgoing and incoming copies).
    expect(stats.kernel?.received).toBe(stats.packets + (stats.kernel?.dropped ?? 0));
  });

  it('reports the drops of a ring that overflowed while the helper was stopped, exactly, and writes them to the ISB', async (ctx) => {
    if (!(await canCapture())) return ctx.skip('no capture rights here');
    const p = await peers();
    const path = join(work, 'overflow.pcapng');
    const sent = 20_000;
    let delivered = 0;
    // 1 MiB of ring is about 16 slots of 64 KiB on lo: a helper that does not read overflows it at once.
    const capture = await startCapture({
      interface: 'lo',
      filter: `udp src port ${p.senderPort}`,
      kernelBufferBytes: 1 << 20,
      output: { path },
      onBatch: (batch) => void (delivered += batch.packets.length),
    });
    process.kill(capture.helperPid, 'SIGSTOP');
    try {
      await send(p, sent);
    } finally {
      process.kill(capture.helperPid, 'SIGCONT');
    }
    // What the ring held reaches the parent once the helper runs again; stop() then drains whatever is left.
    await waitFor(() => delivered > 0, 5_000);
    const stats = await capture.stop();
    p.close();

    expect(stats.kernel).not.toBeNull();
    const kernel = stats.kernel as NonNullable<CaptureStats['kernel']>;
    // The filter selects exactly our datagrams, and each is counted once: received, or received and dropped.
    expect(kernel.received).toBe(sent);
    expect(kernel.dropped).toBeGreaterThan(0);
    // stop() stops the kernel queueing and lets the helper drain the ring before the last read: nothing in between.
    expect(kernel.received).toBe(stats.packets + kernel.dropped);
    expect(delivered).toBe(stats.packets);

    // The file: every packet the helper got, and an ISB with the kernel's counts, as dumpcap writes pcap_stats.
    const file = readCapture(path);
    expect(file.diagnostics).toEqual([]);
    expect(file.packets).toBe(stats.packets);
    expect(file.isb).toMatchObject({ received: BigInt(kernel.received), dropped: BigInt(kernel.dropped) });
  });

  it('packets still in the ring when the stop request arrives are delivered, not lost at close', async (ctx) => {
    if (!(await canCapture())) return ctx.skip('no capture rights here');
    const p = await peers();
    let delivered = 0;
    // 4 MiB is about 64 slots of 64 KiB on lo: room for the 40 datagrams below, so the kernel drops none.
    const capture = await startCapture({
      interface: 'lo',
      filter: `udp src port ${p.senderPort}`,
      kernelBufferBytes: 4 << 20,
      onBatch: (batch) => void (delivered += batch.packets.length),
    });
    // The stop request reaches the stopped helper before the datagrams do, so when it runs again it reads the request
    // while they sit in the ring: closing the socket then would lose them. stop() stops the kernel queueing and lets
    // the helper drain the ring before the last read and the close.
    process.kill(capture.helperPid, 'SIGSTOP');
    let stopping: Promise<CaptureStats>;
    try {
      stopping = capture.stop();
      await send(p, 40);
    } finally {
      process.kill(capture.helperPid, 'SIGCONT');
    }
    const stats = await stopping;
    p.close();

    expect(stats.kernel).toEqual({ received: 40, dropped: 0, interfaceDropped: 0 });
    expect(stats.packets).toBe(40);
    expect(delivered).toBe(40);
  });

  it('without the addon, captures as before: kernel null with the reason, ISB without a drop count', async (ctx) => {
    if (!(await canCapture())) return ctx.skip('no capture rights here');
    const p = await peers();
    const path = join(work, 'no-addon.pcapng');
    const missing = join(work, 'no-such-addon.node');
    let delivered = 0;
    const previous = process.env[ADDON_PATH_ENV];
    // The helper inherits this process's environment when it is forked.
    process.env[ADDON_PATH_ENV] = missing;
    let capture;
    try {
      capture = await startCapture({
        interface: 'lo',
        filter: `udp src port ${p.senderPort}`,
        kernelBufferBytes: 64 << 20,
        output: { path },
        onBatch: (batch) => void (delivered += batch.packets.length),
      });
    } finally {
      if (previous === undefined) delete process.env[ADDON_PATH_ENV];
      else process.env[ADDON_PATH_ENV] = previous;
    }
    await send(p, 50);
    await waitFor(() => delivered >= 50, 10_000);
    const stats = await capture.stop();
    p.close();

    expect(stats.packets).toBe(50);
    expect(stats.kernel).toBeNull();
    expect(stats.kernelUnavailable).toBe(
      `kernel drop counts need the packet-stats addon, which is not built (${missing} is missing; \`node scripts/build-native.mjs\` builds it)`,
    );
    const file = readCapture(path);
    expect(file.packets).toBe(50);
    // isb_ifrecv falls back to the packets libpcap delivered; no isb_ifdrop rather than a made-up 0.
    expect(file.isb?.received).toBe(50n);
    expect(file.isb?.dropped).toBeUndefined();
  });
});
