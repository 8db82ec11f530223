/**
 * Live capture through the helper process, on loopback only. The helper runs from the compiled
 * dist/node/capture/capture-helper.js (plain Node cannot run the .ts source): `npm run build:cli` must have run, and
 * these tests fail saying so when it has not. Where `cap` is not installed (CI without libpcap) the capture tests
 * are skipped with that reason; the "capture not enabled" path is tested everywhere.
 */
import { spawnSync } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { existsSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { capInstalled, canCapture } from '../../helpers/capture.js';
import {
  CaptureError,
  DEFAULT_CAPTURE_FILTER,
  defaultHelperPath,
  listInterfaces,
  startCapture,
  type CapturedPacket,
  type CaptureStats,
} from '../../../src/node/capture/capture-client.js';

const capSkipNote = 'the `cap` module is not installed here (libpcap bindings): live capture is untestable';

beforeAll(() => {
  if (!existsSync(defaultHelperPath())) {
    throw new Error(`the capture tests run the compiled helper ${defaultHelperPath()}: run \`npm run build:cli\` first`);
  }
});


/** The UDP payload of an Ethernet/IPv4/UDP frame from `srcPort`, or undefined (loopback frames are Ethernet). */
function udpPayloadFrom(frame: Uint8Array, srcPort: number): Uint8Array | undefined {
  if (frame.length < 14 + 20 + 8) return undefined;
  const view = new DataView(frame.buffer, frame.byteOffset, frame.byteLength);
  if (view.getUint16(12) !== 0x0800 || frame[14 + 9] !== 17) return undefined;
  const udp = 14 + (frame[14] & 0x0f) * 4;
  if (udp + 8 > frame.length || view.getUint16(udp) !== srcPort) return undefined;
  return frame.subarray(udp + 8, udp + view.getUint16(udp + 4));
}

/** An OPTIONS of `size` bytes (padded with a header), numbered by its CSeq. */
function sipDatagram(i: number, size: number): Buffer {
  const head = `OPTIONS sip:probe@127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1;branch=z9hG4bK-${i}\r\nCall-ID: capture-test-${i}\r\nCSeq: ${i} OPTIONS\r\nMax-Forwards: 70\r\n`;
  const pad = Math.max(0, size - head.length - 'X-Pad: \r\nContent-Length: 0\r\n\r\n'.length);
  return Buffer.from(`${head}X-Pad: ${'p'.repeat(pad)}\r\nContent-Length: 0\r\n\r\n`);
}

/** Sends the datagrams to 127.0.0.1:5060 in bursts of 50; resolves with the sender's port once all went out. */
async function sendAll(datagrams: Buffer[]): Promise<{ port: number; close(): void }> {
  const socket = createSocket('udp4');
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  for (let i = 0; i < datagrams.length; i++) {
    await new Promise<void>((resolve, reject) => socket.send(datagrams[i], 5060, '127.0.0.1', (error) => (error ? reject(error) : resolve())));
    if (i % 50 === 49) await new Promise((resolve) => setImmediate(resolve));
  }
  return { port: socket.address().port, close: () => socket.close() };
}

async function waitFor(condition: () => boolean, ms: number): Promise<void> {
  const end = Date.now() + ms;
  while (!condition() && Date.now() < end) await new Promise((resolve) => setTimeout(resolve, 10));
}

// Says why the capture tests below are skipped, where they are.
it.runIf(!capInstalled)('live capture', (ctx) => ctx.skip(capSkipNote));

describe('listInterfaces', () => {
  it.skipIf(!capInstalled)('lists lo (loopback, 127.0.0.1 and ::1, Ethernet link type) and the any pseudo-device', async (ctx) => {
    const interfaces = await listInterfaces();
    const lo = interfaces.find((i) => i.name === 'lo');
    expect(lo).toBeDefined();
    expect(lo?.loopback).toBe(true);
    expect(lo?.addresses.map((a) => a.address)).toEqual(expect.arrayContaining(['127.0.0.1', '::1']));
    expect(interfaces.find((i) => i.name === 'any')?.description).toBe('Pseudo-device that captures on all interfaces');
    if (!(await canCapture())) return ctx.skip('no capture rights here: link types are unknown');
    // Linux loopback is captured with fake Ethernet headers (LINKTYPE_ETHERNET), `any` with Linux cooked headers.
    expect(lo?.link).toEqual({ linkType: 1, name: 'ethernet' });
    expect(interfaces.find((i) => i.name === 'any')?.link).toEqual({ linkType: 113, name: 'linux-sll' });
  });

  it('without `cap`, says how to enable capture', async () => {
    const failure = await listInterfaces({ capModule: 'sipscope-test-no-such-cap-module' }).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(CaptureError);
    expect((failure as CaptureError).kind).toBe('capture-unavailable');
    expect((failure as CaptureError).message).toMatch(/^Live capture is not enabled: the `cap` module \(libpcap bindings\)/);
  });

  it('without the built helper, says to build it', async () => {
    const failure = await listInterfaces({ helperPath: '/nonexistent/capture-helper.js' }).catch((error: unknown) => error);
    expect(failure).toEqual(new CaptureError('helper-missing', 'The capture helper is not built (/nonexistent/capture-helper.js is missing): run `npm run build:cli` in the sipscope folder.'));
  });
});

describe.skipIf(!capInstalled)('startCapture on lo', () => {
  it('receives every UDP SIP datagram sent to 127.0.0.1:5060 (count, bytes, content, order) with increasing timestamps', async (ctx) => {
    if (!(await canCapture())) return ctx.skip('no capture rights here');
    // Sizes from a bare OPTIONS to a 9000-byte one (larger than an Ethernet MTU; lo's is 65536, so unfragmented).
    const sent = Array.from({ length: 600 }, (_, i) => sipDatagram(i, [300, 800, 1400, 3000, 9000][i % 5]));
    const frames: CapturedPacket[] = [];
    let batches = 0;
    let lastStats: CaptureStats | undefined;
    const before = BigInt(Date.now() - 1) * 1_000_000n;
    const capture = await startCapture({
      interface: 'lo',
      onBatch: (batch) => {
        batches++;
        frames.push(...batch.packets);
      },
      onStats: (stats) => (lastStats = stats),
    });
    expect(capture.filter).toBe(DEFAULT_CAPTURE_FILTER);
    expect(capture.link).toEqual({ linkType: 1, name: 'ethernet' });
    const sender = await sendAll(sent);
    const mine = () => frames.map((f) => udpPayloadFrom(f.data, sender.port)).filter((p): p is Uint8Array => p !== undefined);
    await waitFor(() => mine().length >= sent.length, 10_000);
    const stats = await capture.stop();
    sender.close();
    const after = BigInt(Date.now() + 1) * 1_000_000n;

    // Other traffic to 5060 on this host (someone's SIPp) may be captured too; ours is told apart by source port.
    const received = mine();
    expect(received.length).toBe(sent.length);
    expect(received.reduce((sum, p) => sum + p.length, 0)).toBe(sent.reduce((sum, d) => sum + d.length, 0));
    received.forEach((payload, i) => expect(Buffer.from(payload).equals(sent[i]), `datagram ${i}`).toBe(true));
    for (let i = 1; i < frames.length; i++) expect(frames[i].timestampNs > frames[i - 1].timestampNs, `frame ${i}`).toBe(true);
    expect(frames[0].timestampNs >= before && frames[frames.length - 1].timestampNs <= after).toBe(true);
    // 600 packets leave the helper in several batches (256 a batch at most).
    expect(batches).toBeGreaterThanOrEqual(3);
    expect(stats.packets).toBe(frames.length);
    expect(stats.bytes).toBe(frames.reduce((sum, f) => sum + f.data.length, 0));
    expect(stats).toMatchObject({ sentPackets: frames.length, queueDropped: 0, queueDepth: 0, truncated: 0 });
    // The kernel saw exactly what was delivered (lo: outgoing copies ignored), and dropped nothing.
    expect(stats.kernel).toEqual({ received: stats.packets, dropped: 0, interfaceDropped: 0 });
    expect(lastStats).toEqual(stats);
  });

  it('a slow consumer holds the helper back without loss; past the queue limit it drops and counts', async (ctx) => {
    if (!(await canCapture())) return ctx.skip('no capture rights here');
    const run = async (queueLimitBytes: number, waitMs: number) => {
      const sent = Array.from({ length: 400 }, (_, i) => sipDatagram(i, 500));
      const frames: CapturedPacket[] = [];
      const capture = await startCapture({
        interface: 'lo',
        filter: 'udp dst port 5060',
        batchPackets: 16,
        batchesInFlight: 1,
        queueLimitBytes,
        // An asynchronous consumer (a file writer): each batch waits 5 ms before it is acknowledged.
        onBatch: async (batch) => {
          await new Promise((resolve) => setTimeout(resolve, 5));
          frames.push(...batch.packets);
        },
      });
      const sender = await sendAll(sent);
      const mine = () => frames.filter((f) => udpPayloadFrom(f.data, sender.port)).length;
      await waitFor(() => mine() >= sent.length, waitMs);
      const stats = await capture.stop();
      sender.close();
      return { received: mine(), stats, sent: sent.length };
    };
    const roomy = await run(64 << 20, 5_000);
    expect(roomy.received).toBe(roomy.sent);
    expect(roomy.stats.queueDropped).toBe(0);
    expect(roomy.stats.queueHighWater).toBeGreaterThan(16);

    // Room for about 10 frames of 542 bytes: most of the burst cannot be held (so not all arrive: wait less).
    const cramped = await run(5_500, 500);
    expect(cramped.stats.queueDropped).toBeGreaterThan(0);
    expect(cramped.stats.sentPackets + cramped.stats.queueDropped).toBe(cramped.stats.packets);
    expect(cramped.received).toBeLessThanOrEqual(cramped.sent - cramped.stats.queueDropped);
  });

  it('an invalid BPF filter is refused with libpcap\'s reason', async () => {
    const failure = await startCapture({ interface: 'lo', filter: 'udp prot 5060', onBatch: () => undefined }).catch((error: unknown) => error);
    expect(failure).toEqual(
      new CaptureError('bad-filter', "Invalid capture filter 'udp prot 5060': can't parse filter expression: syntax error (capture filters use BPF syntax, see 'man pcap-filter')."),
    );
  });

  it('an interface that does not exist is named', async () => {
    const failure = await startCapture({ interface: 'nosuch0', onBatch: () => undefined }).catch((error: unknown) => error);
    expect((failure as CaptureError).kind).toBe('no-such-interface');
    expect((failure as CaptureError).message).toBe("No interface named 'nosuch0' (No such device exists); 'sipscope interfaces' lists them.");
  });

  it('the helper dying mid-capture is reported through onError', async (ctx) => {
    if (!(await canCapture())) return ctx.skip('no capture rights here');
    const errors: CaptureError[] = [];
    const capture = await startCapture({ interface: 'lo', onBatch: () => undefined, onError: (error) => errors.push(error) });
    process.kill(capture.helperPid, 'SIGKILL');
    await waitFor(() => errors.length > 0, 5_000);
    expect(errors.map((e) => [e.kind, e.message.split('\n')[0]])).toEqual([['helper-failed', 'The capture helper was killed by SIGKILL unexpectedly.']]);
    await expect(capture.stop()).rejects.toThrow('The capture already ended in an error.');
  });

  it('without `cap`, capture says how to enable it', async () => {
    const failure = await startCapture({ interface: 'lo', capModule: 'sipscope-test-no-such-cap-module', onBatch: () => undefined }).catch((error: unknown) => error);
    expect((failure as CaptureError).kind).toBe('capture-unavailable');
  });
});

/**
 * A way to run the helper without capture rights: as nobody (setpriv), or as root without CAP_NET_RAW (capsh).
 * Both keep the IPC descriptor open, which the helper needs.
 */
function unprivilegedLauncher(): string[] | undefined {
  const has = (tool: string) => spawnSync('sh', ['-c', `command -v ${tool}`]).status === 0;
  if (process.getuid?.() !== 0) return []; // Already unprivileged (unless node was given capabilities).
  if (has('setpriv')) return ['setpriv', '--reuid=nobody', '--regid=nogroup', '--clear-groups'];
  // bash -c 'exec "$0" "$@"' node helper.js: capsh hands what follows `--` to bash.
  if (has('capsh')) return ['capsh', '--drop=cap_net_raw,cap_net_admin', '--', '-c', 'exec "$0" "$@"'];
  return undefined;
}

describe.skipIf(!capInstalled)('without capture rights', () => {
  it('capture fails with what to run, and listing still works', async (ctx) => {
    const launcher = unprivilegedLauncher();
    if (launcher === undefined) return ctx.skip('no way to drop capture rights here (neither setpriv nor capsh)');
    const failure = await startCapture({ interface: 'lo', launcher, onBatch: () => undefined }).catch((error: unknown) => error);
    if (!(failure instanceof CaptureError)) {
      await (failure as { stop(): Promise<unknown> }).stop();
      return ctx.skip('this Node binary has capture capabilities (setcap), so rights cannot be dropped by user');
    }
    expect(failure.kind).toBe('permission');
    expect(failure.message).toMatch(/^No permission to capture on lo \(socket: Operation not permitted\)\.\n/);
    expect(failure.message).toMatch(/\n {2}sudo setcap cap_net_raw,cap_net_admin=eip \/\S+ \(or run sipscope as root\)$/);
    expect(failure.message).not.toMatch(/\n\s+at /);

    const lo = (await listInterfaces({ launcher })).find((i) => i.name === 'lo');
    expect(lo?.link).toBeNull();
    expect(lo?.linkError?.kind).toBe('permission');
  });
});
