/**
 * The capture helper: a child process (forked by capture-client.ts from dist/node/capture/capture-helper.js) that
 * alone loads `cap`. Like Wireshark's dumpcap, it is the only process that needs capture rights, and a crash in
 * native code takes down only this process. It answers one request per process: list the interfaces, or capture on
 * one interface and stream the packets to the parent in batches until told to stop.
 *
 * Timestamps: `cap` 0.2.1 hands over packet bytes without libpcap's pcap_pkthdr timestamp, so each packet is
 * stamped here when its 'packet' event runs, from process.hrtime (monotonic, nanoseconds) anchored once to the
 * wall clock. They order packets exactly, but they are the helper's read time, not the kernel's arrival time: a
 * packet that waited in the kernel buffer (helper busy) is stamped late.
 *
 * Output: with `request.output`, every captured packet is written to pcapng here, in the helper, as it is captured
 * (like dumpcap): a crash of the parent loses nothing, and the packets are appended synchronously, one write per
 * batch, so a kill of the helper itself leaves a readable file holding every batch written before it. The file does
 * not wait for the parent: packets the parent is too slow to take (queue full, counted in queueDropped) are still
 * written.
 */
import type { CapHandle } from './cap-module.js';
import { CaptureFailure, classifyOpenFailure, linkTypeFromCap, loadCap } from './cap-module.js';
import type {
  CaptureErrorInfo,
  CaptureInterface,
  CaptureRequest,
  CaptureStats,
  HelperToParent,
  ParentToHelper,
} from './helper-protocol.js';
import { KernelStats, probeBeforeOpen, type KernelStatsReading } from './kernel-stats.js';
import { PcapngOutput, PcapngOutputError, type PcapngPacket } from './pcapng-file.js';

/** cap opens every device with snap length 65535; a buffer this size never truncates. */
const PACKET_BUFFER_BYTES = 65535;

/** argv[2] names the module to load instead of `cap` (tests use it to take the "capture not enabled" path). */
const capModuleName = process.argv[2] || 'cap';

function send(message: HelperToParent): Promise<void> {
  return new Promise((resolve) => {
    if (!process.connected || !process.send) return resolve();
    process.send(message, undefined, undefined, () => resolve());
  });
}

function errorInfo(error: unknown): CaptureErrorInfo {
  if (error instanceof CaptureFailure) return error.info;
  if (error instanceof PcapngOutputError) return { kind: 'output-failed', message: error.message };
  return { kind: 'helper-failed', message: `The capture helper failed: ${error instanceof Error ? error.message : String(error)}` };
}

async function failAndExit(error: unknown): Promise<never> {
  await send({ type: 'error', error: errorInfo(error) });
  process.exit(1);
}

/**
 * Handles whose open() failed. cap 0.2.1 keeps the pcap_t of a failed open but never initialises its poll handle,
 * and both close() and the garbage collector's destructor then call uv_poll_stop on it: a segmentation fault
 * (seen on a down `ifb0`). Such a handle is never closed and stays referenced so it is never collected; it leaks
 * one pcap_t, in a process that lives for one request.
 */
const failedHandles: CapHandle[] = [];
function keepFailedHandle(handle: CapHandle): void {
  failedHandles.push(handle);
}

function listInterfaces(): CaptureInterface[] {
  const { Cap } = loadCap(capModuleName);
  return Cap.deviceList().map((device) => {
    const entry: CaptureInterface = {
      name: device.name,
      ...(device.description ? { description: device.description } : {}),
      addresses: device.addresses.map((a) => ({
        address: a.addr,
        ...(a.netmask ? { netmask: a.netmask } : {}),
        ...(a.broadaddr ? { broadcast: a.broadaddr } : {}),
        ...(a.dstaddr ? { destination: a.dstaddr } : {}),
      })),
      loopback: device.flags === 'PCAP_IF_LOOPBACK',
      link: null,
    };
    // The link type is only known by opening the device (pcap_datalink). Open and close in the same tick: the
    // event loop never polls the handle, so no packet is read. cap always opens promiscuously, for microseconds here.
    const probe = new Cap();
    try {
      entry.link = linkTypeFromCap(probe.open(device.name, '', 1 << 16, Buffer.alloc(PACKET_BUFFER_BYTES)));
      probe.close();
    } catch (error) {
      entry.linkError = classifyOpenFailure(device.name, '', error instanceof Error ? error.message : String(error));
      keepFailedHandle(probe);
    }
    return entry;
  });
}

/** Wall-clock nanoseconds of hrtime 0, so that `anchor + hrtime` is a Unix-epoch timestamp in nanoseconds. */
const epochAnchorNs = BigInt(Math.round((performance.timeOrigin + performance.now()) * 1e6)) - process.hrtime.bigint();

interface Batch {
  seq: number;
  packets: number;
  bytes: number;
  message: HelperToParent & { type: 'batch' };
}

class CaptureSession {
  private readonly cap: CapHandle;
  private readonly packetBuffer = Buffer.alloc(PACKET_BUFFER_BYTES);
  /** Packets captured and not yet in a batch. */
  private pending: Buffer[] = [];
  private pendingStamps: bigint[] = [];
  private pendingBytes = 0;
  private pendingSince = 0n;
  /** The capture files, when the request asks for them; packets captured and not yet written. */
  private output: PcapngOutput | undefined;
  private filePending: PcapngPacket[] = [];
  private outputFailed = false;
  private outputError: unknown;
  /** Batches built and not yet acknowledged (the first `inFlight` of them are sent). */
  private readonly unacked: Batch[] = [];
  private inFlight = 0;
  private heldBytes = 0;
  private heldPackets = 0;
  private nextSeq = 1;
  private stopping = false;
  private readonly stats: CaptureStats = {
    packets: 0,
    bytes: 0,
    sentPackets: 0,
    queueDropped: 0,
    queueDepth: 0,
    queueHighWater: 0,
    truncated: 0,
    kernel: null,
    files: [],
    written: 0,
  };
  private readonly timers: NodeJS.Timeout[] = [];
  /** The kernel's received/dropped counters of cap's packet socket, or why they cannot be read (kernel-stats.ts). */
  private kernelStats: KernelStats | string = 'the capture has not started';

  constructor(private readonly request: CaptureRequest) {
    const { Cap } = loadCap(capModuleName);
    this.cap = new Cap();
  }

  async start(): Promise<void> {
    const { request } = this;
    let capLink: string;
    // cap does not say which descriptor it opened: the packet sockets that exist before open() are not it.
    const kernelProbe = probeBeforeOpen();
    try {
      capLink = this.cap.open(request.interface, request.filter, request.kernelBufferBytes, this.packetBuffer);
    } catch (error) {
      keepFailedHandle(this.cap);
      throw new CaptureFailure(classifyOpenFailure(request.interface, request.filter, error instanceof Error ? error.message : String(error)));
    }
    this.kernelStats = KernelStats.afterOpen(request.interface, kernelProbe);
    const link = linkTypeFromCap(capLink);
    if (request.output) {
      if (link.linkType < 0) {
        throw new CaptureFailure({ kind: 'output-failed', message: `Cannot write ${request.output.path}: ${request.interface} has a link type pcapng has no number for (${link.name}).` });
      }
      // Opened before 'started': a folder that does not exist or is not writable is refused like a bad filter.
      this.output = new PcapngOutput(
        request.output,
        {
          linkType: link.linkType,
          interfaceName: request.interface,
          snapLength: PACKET_BUFFER_BYTES,
          filter: request.filter,
          application: 'sipscope (capture helper)',
        },
        () => this.fileStatistics(),
      );
    }
    this.cap.on('packet', (nbytes, truncated) => this.onPacket(nbytes, truncated));
    await send({
      type: 'started',
      interface: request.interface,
      filter: request.filter,
      link,
      timestampSource: 'helper read time (process.hrtime anchored to the wall clock): cap 0.2.1 does not expose libpcap timestamps',
    });
    this.timers.push(setInterval(() => this.flushIfOld(), Math.max(1, Math.floor(request.batchMs / 2))));
    this.timers.push(setInterval(() => void send({ type: 'stats', stats: this.snapshot() }), request.statsMs));
  }

  private onPacket(nbytes: number, truncated: boolean): void {
    const stamp = epochAnchorNs + process.hrtime.bigint();
    this.stats.packets++;
    this.stats.bytes += nbytes;
    if (truncated) this.stats.truncated++;
    if (this.pending.length === 0 && this.filePending.length === 0) this.pendingSince = stamp;
    // The packet buffer is reused by the next packet: copy (once, shared by the file and the batch).
    const copy = Buffer.from(this.packetBuffer.subarray(0, nbytes));
    if (this.output && !this.outputFailed) {
      this.filePending.push({ data: copy, tsSec: Number(stamp / 1_000_000_000n), tsNsec: Number(stamp % 1_000_000_000n) });
      // The file does not wait for the parent's queue: write when a batch's worth is pending even if none is sent.
      if (this.filePending.length >= this.request.batchPackets) this.writeOutput();
    }
    // Bounded queue: when the parent falls this far behind, drop and count rather than grow without limit.
    if (this.heldBytes + nbytes > this.request.queueLimitBytes) {
      this.stats.queueDropped++;
      return;
    }
    this.pending.push(copy);
    this.pendingStamps.push(stamp);
    this.pendingBytes += nbytes;
    this.heldBytes += nbytes;
    this.heldPackets++;
    if (this.heldPackets > this.stats.queueHighWater) this.stats.queueHighWater = this.heldPackets;
    if (this.pending.length >= this.request.batchPackets) this.flush();
  }

  private flushIfOld(): void {
    if (this.pending.length === 0 && this.filePending.length === 0) return;
    const ageMs = Number(epochAnchorNs + process.hrtime.bigint() - this.pendingSince) / 1e6;
    if (ageMs >= this.request.batchMs) this.flush();
  }

  /** Moves the pending packets into a batch and sends what the window allows. */
  private flush(): void {
    // To disk first: whatever the parent has been sent is already in the file, whatever happens next.
    this.writeOutput();
    if (this.pending.length > 0) {
      const lengths = Uint32Array.from(this.pending, (p) => p.length);
      const batch: Batch = {
        seq: this.nextSeq++,
        packets: this.pending.length,
        bytes: this.pendingBytes,
        message: {
          type: 'batch',
          seq: 0,
          data: Buffer.concat(this.pending, this.pendingBytes),
          lengths,
          timestampsNs: BigUint64Array.from(this.pendingStamps),
        },
      };
      batch.message.seq = batch.seq;
      this.unacked.push(batch);
      this.pending = [];
      this.pendingStamps = [];
      this.pendingBytes = 0;
    }
    this.pump();
  }

  /** Appends the pending packets to the capture file in one synchronous write. */
  private writeOutput(): void {
    if (!this.output || this.outputFailed || this.filePending.length === 0) return;
    const packets = this.filePending;
    this.filePending = [];
    try {
      this.output.writePackets(packets);
    } catch (error) {
      this.outputFailed = true;
      this.outputError = error;
      // Often inside cap's 'packet' callback: close the handle from a fresh tick, not from within its own event.
      // When stopping, stop() reports it itself (before the channel is closed).
      if (!this.stopping) setImmediate(() => void this.failOutput());
    }
  }

  /**
   * A write failed: stop capturing, hand the parent what it has not had yet, report the error (naming the file)
   * and exit. The file keeps everything written before the failure, without a statistics block.
   */
  private async failOutput(): Promise<void> {
    if (!this.stopping) {
      this.stopping = true;
      for (const timer of this.timers) clearInterval(timer);
      this.cap.close();
    }
    this.output?.abandon();
    this.flush();
    await failAndExit(this.outputError);
  }

  /** The kernel's counts now (cumulative), or why there are none. Never throws. */
  private readKernel(): KernelStatsReading {
    return typeof this.kernelStats === 'string' ? { unavailable: this.kernelStats } : this.kernelStats.read();
  }

  /**
   * What each file's Interface Statistics Block says. As dumpcap writes pcap_stats: isb_ifrecv is the kernel's
   * received count (every packet that passed the filter, dropped ones included) and isb_ifdrop its dropped count.
   * Without kernel counts, isb_ifrecv is the packets libpcap delivered to the helper and there is no isb_ifdrop.
   * Packets the helper's queue dropped are not missing from the file (they are written regardless): comment only.
   */
  private fileStatistics(): { received: number; dropped?: number; comment: string } {
    const s = this.stats;
    const kernel = this.readKernel();
    const kernelText =
      'counts' in kernel
        ? `the kernel received ${kernel.counts.received} (isb_ifrecv) and dropped ${kernel.counts.dropped} (isb_ifdrop, ring full); the interface dropped ${kernel.counts.interfaceDropped}`
        : `no kernel counts: ${kernel.unavailable}`;
    return {
      received: 'counts' in kernel ? kernel.counts.received : s.packets,
      ...('counts' in kernel ? { dropped: kernel.counts.dropped } : {}),
      comment:
        `sipscope capture helper: ${s.packets} packets received from libpcap, ${this.output?.written ?? 0} written to the capture files, ` +
        `${s.queueDropped} not delivered to the live view (helper queue full, but written here), ${s.truncated} cut to ${PACKET_BUFFER_BYTES} bytes; ` +
        kernelText,
    };
  }

  private pump(): void {
    // When stopping, everything goes: the parent waits for 'stopped' and reads all that came before it.
    while (this.inFlight < this.unacked.length && (this.stopping || this.inFlight < this.request.batchesInFlight)) {
      const batch = this.unacked[this.inFlight++];
      this.stats.sentPackets += batch.packets;
      void send(batch.message);
    }
  }

  acknowledge(seq: number): void {
    while (this.unacked.length > 0 && this.unacked[0].seq <= seq) {
      const batch = this.unacked.shift() as Batch;
      this.inFlight--;
      this.heldBytes -= batch.bytes;
      this.heldPackets -= batch.packets;
    }
    this.pump();
  }

  private snapshot(): CaptureStats {
    const kernel = this.readKernel();
    return {
      ...this.stats,
      queueDepth: this.heldPackets,
      files: this.output ? [...this.output.files] : [],
      written: this.output?.written ?? 0,
      kernel: 'counts' in kernel ? { received: kernel.counts.received, dropped: kernel.counts.dropped, interfaceDropped: kernel.counts.interfaceDropped } : null,
      ...('unavailable' in kernel ? { kernelUnavailable: kernel.unavailable } : {}),
    };
  }

  async stop(): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    for (const timer of this.timers) clearInterval(timer);
    // Before closing: stop the kernel queueing, let cap take what is in the ring, read the last counts (kernel-stats.ts).
    if (typeof this.kernelStats !== 'string') await this.kernelStats.finish();
    this.cap.close();
    this.flush();
    if (this.outputFailed) await this.failOutput();
    try {
      this.output?.finish();
    } catch (error) {
      await failAndExit(error);
    }
    await send({ type: 'stopped', stats: this.snapshot() });
  }
}

let session: CaptureSession | undefined;

async function handle(message: ParentToHelper): Promise<void> {
  switch (message.type) {
    case 'list':
      await send({ type: 'interfaces', interfaces: listInterfaces() });
      process.disconnect();
      return;
    case 'start':
      if (session) return;
      session = new CaptureSession(message.request);
      await session.start();
      return;
    case 'ack':
      session?.acknowledge(message.seq);
      return;
    case 'stop':
      await session?.stop();
      process.disconnect();
      return;
  }
}

if (!process.send) {
  process.stderr.write('The sipscope capture helper is started by sipscope itself (it needs an IPC channel to its parent).\n');
  process.exit(2);
}
process.on('message', (message: ParentToHelper) => {
  handle(message).catch(failAndExit);
});
// The parent went away (closed the channel or died): stop capturing rather than run on unattended.
process.on('disconnect', () => {
  if (session) void session.stop().finally(() => process.exit(0));
});
