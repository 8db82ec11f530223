/**
 * A live capture as the app runs it: one source (one or several interfaces, each through its own capture helper,
 * or a HEP listener), every packet written to pcapng as it arrives, and the packets handed over in engine form
 * (src/core's CapturedPacket, one frame counter for every interface) for a TraceEngine to decode as they come.
 *
 * Several interfaces are captured by several helpers, one each: a helper writes its own pcapng (one file per
 * interface, or one ring per interface), so a crash of one loses nothing of the others, and each keeps its
 * own kernel buffer. Frames are numbered in the order batches reach this process: within an interface that is
 * capture order; across interfaces it is the order of delivery (the timestamps say when each was read).
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { CapturedPacket as EnginePacket } from '../../core/capture/types.js';
import type { DecodeAsRule } from '../../core/engine/decode-as.js';
import type { CaptureSettings, CaptureSource } from '../../shared/api.js';
import { CaptureError, startCapture, type CaptureStats, type HelperOptions, type PacketBatch, type RunningCapture } from './capture-client.js';
import { formatEndpoint, startHepListener, type HepListener, type HepListenerProblem } from './hep-listener.js';

/** The counters of a live capture, summed over its sources. */
export interface LiveCaptureCounters {
  packets: number;
  bytes: number;
  kernelReceived: number | null;
  kernelDropped: number | null;
  /** Why the kernel counts are null (the packet-stats addon not built, not Linux...), when they are. */
  kernelUnavailable: string | null;
  queueDepth: number;
  queueDropped: number;
  files: string[];
}

export interface LiveCaptureOptions {
  source: CaptureSource;
  /** Folder for the capture files (created if missing). */
  folder: string;
  ring: CaptureSettings['ring'];
  /** Receives the packets of each batch, in order; called synchronously as batches arrive. */
  onPackets: (packets: EnginePacket[]) => void;
  /** The capture ended on an error after it started (a helper died, the disk filled); it is over. */
  onError: (message: string) => void;
  /** A HEP packet that could not be used (not HEP, truncated): noted, the listener goes on. */
  onProblem?: (problem: HepListenerProblem) => void;
  /** Capture-helper options (tests: the cap module, a launcher without rights). */
  helper?: HelperOptions;
  /** Overrides the time in file names (tests). */
  now?: () => Date;
}

export interface LiveCapture {
  /** For a title: `lo, eth1 — filter: udp port 5060`, `HEP udp 0.0.0.0:9060`. */
  readonly label: string;
  /** Epoch seconds when it started. */
  readonly startedAt: number;
  /** Decode-as rules the engine decoding this capture needs (a HEP listener off port 9060). */
  readonly decodeAs: DecodeAsRule[];
  counters(): LiveCaptureCounters;
  /** Stops every source: resolves once each delivered its last packets and finished its files. */
  stop(): Promise<LiveCaptureCounters>;
}

/** `20261124-130501`: sortable, and free of characters a file system could refuse. */
function fileStamp(date: Date): string {
  const two = (n: number) => String(n).padStart(2, '0');
  return `${date.getFullYear()}${two(date.getMonth() + 1)}${two(date.getDate())}-${two(date.getHours())}${two(date.getMinutes())}${two(date.getSeconds())}`;
}

/** An interface name as a file-name part (`any`, `eth0.100`; anything odd becomes `_`). */
function safeName(name: string): string {
  return name.replace(/[^A-Za-z0-9._-]/g, '_').slice(0, 40) || 'interface';
}

/** Throws a CaptureError('bad-output') naming the mistake in a ring buffer setting. */
function ringOutput(ring: CaptureSettings['ring']): { ringFiles?: number; ringBytes?: number; ringSeconds?: number } {
  if (!ring) return {};
  if (ring.megabytes === null && ring.seconds === null) {
    throw new CaptureError('bad-output', 'A ring buffer needs a file size (MB) or a file duration (seconds) as well as a number of files.');
  }
  return {
    ringFiles: ring.files,
    ...(ring.megabytes !== null ? { ringBytes: Math.round(ring.megabytes * 1e6) } : {}),
    ...(ring.seconds !== null ? { ringSeconds: ring.seconds } : {}),
  };
}

/** A helper's batch as the engine's packets: frames numbered by `nextFrame`, shared by every source of one engine. */
export function toEnginePackets(batch: PacketBatch, linkType: number, interfaceId: number, nextFrame: () => number): EnginePacket[] {
  return batch.packets.map((p) => ({
    frame: nextFrame(),
    interfaceId,
    linkType,
    tsSec: Number(p.timestampNs / 1_000_000_000n),
    tsNsec: Number(p.timestampNs % 1_000_000_000n),
    capturedLength: p.data.length,
    originalLength: p.data.length,
    dataOffset: 0,
    data: p.data,
  }));
}

function sumKernel(stats: (CaptureStats | undefined)[], pick: (kernel: NonNullable<CaptureStats['kernel']>) => number): number | null {
  let total = 0;
  for (const s of stats) {
    // One interface without kernel counts makes the sum unknown rather than too small.
    if (!s?.kernel) return null;
    total += pick(s.kernel);
  }
  return total;
}

/** Starts a live capture; rejects with a CaptureError (or the HEP listener's Error) whose message is for the user. */
export async function startLiveCapture(options: LiveCaptureOptions): Promise<LiveCapture> {
  const { source } = options;
  const started = options.now?.() ?? new Date();
  const stamp = fileStamp(started);
  // Kernel pseudo-file systems take no files, and Node 20's recursive mkdir loops forever under /proc.
  if (/^\/(proc|sys)(\/|$)/.test(options.folder)) throw new CaptureError('output-failed', `Capture files cannot be written under ${options.folder}: choose another folder.`);
  try {
    mkdirSync(options.folder, { recursive: true });
  } catch (error) {
    throw new CaptureError('output-failed', `Cannot create the capture folder ${options.folder}: ${error instanceof Error ? error.message : String(error)}`);
  }
  let frame = 0;
  const nextFrame = (): number => ++frame;

  if (source.kind === 'hep') {
    const path = join(options.folder, `sipscope_hep-${source.transport}-${source.port}_${stamp}.pcapng`);
    const hep: HepListener = await startHepListener({
      transport: source.transport,
      host: source.host,
      port: source.port,
      pcapngPath: path,
      nextFrame,
      onPacket: (packet) => options.onPackets([packet]),
      onError: (problem) => options.onProblem?.(problem),
    });
    const counters = (): LiveCaptureCounters => ({
      packets: hep.stats.packets,
      bytes: hep.stats.bytesReceived,
      kernelReceived: null,
      kernelDropped: null,
      kernelUnavailable: null,
      queueDepth: 0,
      queueDropped: 0,
      files: [path],
    });
    return {
      label: `HEP ${hep.transport} ${formatEndpoint(hep.address, hep.port)}`,
      startedAt: started.getTime() / 1000,
      decodeAs: hep.decodeAs,
      counters,
      async stop() {
        await hep.close();
        return counters();
      },
    };
  }

  const names = [...new Set(source.interfaces)];
  if (names.length === 0) throw new CaptureError('no-such-interface', 'Choose at least one interface to capture on.');
  const ring = ringOutput(options.ring);
  const captures: RunningCapture[] = [];
  const live: (CaptureStats | undefined)[] = names.map(() => undefined);
  // What reached this process so far: the helper's statistics come once a second, the packets sooner.
  const delivered = names.map(() => ({ packets: 0, bytes: 0 }));
  const final: (CaptureStats | undefined)[] = names.map(() => undefined);
  let failed = false;
  try {
    for (let i = 0; i < names.length; i++) {
      const name = names[i];
      let linkType = -1;
      const capture = await startCapture({
        ...options.helper,
        interface: name,
        filter: source.filter,
        output: { path: join(options.folder, `sipscope_${safeName(name)}_${stamp}.pcapng`), ...ring },
        onBatch: (batch) => {
          delivered[i].packets += batch.packets.length;
          delivered[i].bytes += batch.bytes;
          options.onPackets(toEnginePackets(batch, linkType, i, nextFrame));
        },
        onStats: (stats) => {
          live[i] = stats;
        },
        onError: (error) => {
          if (failed) return;
          failed = true;
          options.onError(names.length > 1 ? `${name}: ${error.message}` : error.message);
        },
      });
      linkType = capture.link.linkType;
      captures.push(capture);
    }
  } catch (error) {
    // One interface failed to open: the ones already capturing stop, their files stay (they are complete).
    await Promise.allSettled(captures.map((c) => c.stop()));
    throw error;
  }

  const counters = (): LiveCaptureCounters => {
    const stats = names.map((_, i) => final[i] ?? live[i]);
    let packets = 0;
    let bytes = 0;
    let queueDepth = 0;
    let queueDropped = 0;
    const files: string[] = [];
    stats.forEach((s, i) => {
      packets += Math.max(s?.packets ?? 0, delivered[i].packets);
      bytes += Math.max(s?.bytes ?? 0, delivered[i].bytes);
      if (!s) return;
      queueDepth += s.queueDepth;
      queueDropped += s.queueDropped;
      files.push(...s.files);
    });
    // Before the first statistics message, the files are the ones asked for.
    if (files.length === 0 && !options.ring) files.push(...names.map((name) => join(options.folder, `sipscope_${safeName(name)}_${stamp}.pcapng`)));
    return {
      packets,
      bytes,
      kernelReceived: sumKernel(stats, (k) => k.received),
      kernelDropped: sumKernel(stats, (k) => k.dropped),
      kernelUnavailable: stats.find((s) => s?.kernelUnavailable)?.kernelUnavailable ?? null,
      queueDepth,
      queueDropped,
      files,
    };
  };
  const filterText = source.filter === '' ? 'none (every packet)' : source.filter;
  return {
    label: `${captures.map((c) => `${c.interface} (${c.link.name})`).join(', ')} — capture filter: ${filterText}`,
    startedAt: started.getTime() / 1000,
    decodeAs: [],
    counters,
    async stop() {
      const results = await Promise.allSettled(captures.map((c) => c.stop()));
      results.forEach((result, i) => {
        if (result.status === 'fulfilled') final[i] = result.value;
      });
      const rejected = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
      if (rejected && !failed) {
        failed = true;
        options.onError(rejected.reason instanceof Error ? rejected.reason.message : String(rejected.reason));
      }
      return counters();
    },
  };
}
