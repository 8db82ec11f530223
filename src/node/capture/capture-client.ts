/**
 * The parent side of live capture: starts the capture helper (capture-helper.ts) as a child process and talks to
 * it. This process never loads `cap`: capture rights, libpcap and native crashes stay in the helper.
 *
 * The helper runs from the compiled dist/node/capture/capture-helper.js (plain Node cannot run the .ts source), so
 * `npm run build:cli` must have run; callers get a 'helper-missing' error saying so when it has not.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { setPriority } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type {
  CaptureErrorInfo,
  CaptureErrorKind,
  CaptureInterface,
  CaptureOutput,
  CaptureRequest,
  CaptureStats,
  HelperToParent,
  LinkType,
  ParentToHelper,
} from './helper-protocol.js';

export type { CaptureErrorKind, CaptureInterface, CaptureOutput, CaptureStats, InterfaceAddress, LinkType } from './helper-protocol.js';

/**
 * What the capture filter keeps when the user gives none: SIP and what SIP hides in.
 * - SIP on its registered ports over UDP, TCP and SCTP: 5060, and 5061 (SIP over TLS, RFC 3261 §26.2; the bytes are
 *   encrypted but the connection is part of the trace).
 * - IPv4 fragments (more-fragments flag or a non-zero offset): a large SIP/SDP message over UDP arrives fragmented,
 *   and only the first fragment carries the UDP ports, so a port filter alone would keep an unusable piece.
 * - IPv6 fragments (a Fragment header right after the fixed header, next header 44), for the same reason.
 * - GTP-U (UDP 2152, TS 29.281): on S1-U/N3 the UE's SIP travels inside the user-plane tunnel, on any port.
 */
export const DEFAULT_CAPTURE_FILTER =
  'udp portrange 5060-5061 or tcp portrange 5060-5061 or sctp portrange 5060-5061 or (ip[6:2] & 0x3fff != 0) or (ip6 and ip6[6] == 44) or udp port 2152';

/**
 * The default size of libpcap's kernel ring (pcap_set_buffer_size), which holds what arrives while the helper is busy
 * (writing the file, sending a batch, collecting garbage, or not scheduled at all on a loaded machine).
 * 256 MiB, not libpcap's 2 MiB or dumpcap's: `cap` opens in immediate mode, where libpcap 1.10 uses a TPACKET_V2 ring
 * of fixed-size slots, one packet each, sized for the largest packet the interface can deliver (MTU + 18, or 64 KiB
 * when the interface does segmentation offload; lo's MTU is 65536). On lo a packet then takes a 64 KiB slot whatever
 * its size. Measured with libpcap 1.10.3 on lo (helper stopped with SIGSTOP, datagrams sent, helper resumed): 32 MiB
 * held 512 packets, 256 MiB held 4092, i.e. 340 ms of SIPp's 12,000 messages/s (bench/capture-bench.mjs) against
 * 43 ms, which one slow file write or garbage collection on a busy machine exceeds. When the kernel cannot allocate
 * the ring, libpcap shrinks it (by 5% steps) rather than fail, so a smaller machine still opens the interface.
 */
export const DEFAULT_KERNEL_BUFFER_BYTES = 256 << 20;

/**
 * Nice value asked for the capture helper: the only process that must never wait, since the kernel ring overflows
 * while it does; the decoder and the UI may lag and catch up. Needs root or CAP_SYS_NICE; without them the helper
 * keeps the default priority (nothing else changes).
 */
const HELPER_NICE = -10;

/** A capture failure with a kind to branch on and a message written for the user (no stack trace needed). */
export class CaptureError extends Error {
  constructor(
    readonly kind: CaptureErrorKind,
    message: string,
  ) {
    super(message);
    this.name = 'CaptureError';
  }

  static from(info: CaptureErrorInfo): CaptureError {
    return new CaptureError(info.kind, info.message);
  }
}

export interface HelperOptions {
  /** The compiled helper script; by default dist/node/capture/capture-helper.js. */
  helperPath?: string;
  /**
   * A command that starts the helper's Node, e.g. ['setpriv', '--reuid=nobody', ...] (the tests drop rights so).
   * It must keep file descriptors open: the IPC channel is an inherited descriptor (sudo closes them).
   */
  launcher?: readonly string[];
  /** The Node binary for the helper; by default this process's (Electron will pass its own with ELECTRON_RUN_AS_NODE). */
  nodePath?: string;
  /** Load this module instead of `cap` in the helper: tests name a missing one to take the "not enabled" path. */
  capModule?: string;
  /** How long the helper may take to answer a request. */
  timeoutMs?: number;
}

/** One captured packet: its bytes as captured (the link layer of `RunningCapture.link`) and when it was read. */
export interface CapturedPacket {
  data: Uint8Array;
  /** Nanoseconds since the Unix epoch: the helper's read time (cap exposes no kernel timestamp). */
  timestampNs: bigint;
}

export interface PacketBatch {
  seq: number;
  packets: CapturedPacket[];
  bytes: number;
}

export interface CaptureOptions extends HelperOptions {
  interface: string;
  /** BPF capture filter; DEFAULT_CAPTURE_FILTER when undefined, everything when ''. */
  filter?: string;
  /**
   * Receives each batch in capture order. Return a promise to hold the helper back until it settles (a file writer
   * does): the helper keeps at most `batchesInFlight` batches unacknowledged, then queues, then drops and counts.
   */
  onBatch: (batch: PacketBatch) => void | Promise<void>;
  onStats?: (stats: CaptureStats) => void;
  /** A failure after the capture started (the helper died, or onBatch threw). The capture is over. */
  onError?: (error: CaptureError) => void;
  /** libpcap's kernel buffer (ring) in bytes; DEFAULT_KERNEL_BUFFER_BYTES when absent. */
  kernelBufferBytes?: number;
  batchPackets?: number;
  batchMs?: number;
  batchesInFlight?: number;
  queueLimitBytes?: number;
  statsMs?: number;
  /**
   * Write every captured packet to pcapng, in the helper, as it is captured (so a crash of this process, or a kill
   * of the helper, loses nothing already written). Without ring options one file at `path` (replaced if it exists);
   * with any of them a ring buffer like dumpcap's: files `<base>_00001_<YYYYMMDDhhmmss>.pcapng`, a new one when the
   * current one reaches `ringBytes` bytes or `ringSeconds` seconds (checked as packets arrive: an idle capture does
   * not make empty files), at most `ringFiles` kept (oldest deleted).
   * A file that cannot be created makes startCapture reject ('output-failed'); a write failure later ends the
   * capture through onError ('output-failed', naming the file). The final stats list the files and count the packets.
   */
  output?: { path: string; ringFiles?: number; ringBytes?: number; ringSeconds?: number };
}

/** Checks the output options before a helper is started, so that a mistake is named rather than half-applied. */
function checkOutput(output: CaptureOutput | undefined): void {
  if (output === undefined) return;
  const bad = (message: string) => {
    throw new CaptureError('bad-output', message);
  };
  if (typeof output.path !== 'string' || output.path === '') bad('The capture file needs a path.');
  const { ringFiles, ringBytes, ringSeconds } = output;
  if (ringFiles !== undefined && !(Number.isInteger(ringFiles) && ringFiles >= 1)) bad(`The ring buffer's number of files must be a whole number of at least 1 (got ${ringFiles}).`);
  if (ringBytes !== undefined && !(Number.isInteger(ringBytes) && ringBytes >= 1)) bad(`The ring buffer's file size must be a whole number of bytes of at least 1 (got ${ringBytes}).`);
  if (ringSeconds !== undefined && !(Number.isFinite(ringSeconds) && ringSeconds > 0)) bad(`The ring buffer's file duration must be a positive number of seconds (got ${ringSeconds}).`);
  // As dumpcap: a number of files alone never switches file, so the ring would be one file growing without limit.
  if (ringFiles !== undefined && ringBytes === undefined && ringSeconds === undefined) {
    bad('A ring buffer needs a file size (ringBytes) or a file duration (ringSeconds) as well as a number of files.');
  }
}

export interface RunningCapture {
  interface: string;
  filter: string;
  link: LinkType;
  /** How the packets' timestamps are made. */
  timestampSource: string;
  /** The helper's process id (to watch it, or to kill it in a crash test). */
  helperPid: number;
  /**
   * Stops capturing; resolves after every captured packet went through onBatch, with the final counters (with
   * `output`: the files on disk, finished with their statistics blocks, and the packets written).
   */
  stop(): Promise<CaptureStats>;
}

/** Where the compiled helper is: beside this module in dist/, or in dist/ when this module runs from src/ (tests). */
export function defaultHelperPath(): string {
  const here = fileURLToPath(import.meta.url);
  if (!here.endsWith('.js')) return join(dirname(here), '../../../dist/node/capture/capture-helper.js');
  // Bundled by electron-vite, this module may sit in a shared chunk one folder below out/main/.
  const beside = join(dirname(here), 'capture-helper.js');
  const above = join(dirname(here), '..', 'capture-helper.js');
  return existsSync(beside) || !existsSync(above) ? beside : above;
}

interface Helper {
  child: ChildProcess;
  send(message: ParentToHelper): void;
  /** The helper's last stderr lines, for a crash message. */
  stderrTail(): string;
}

/**
 * The Node binary that runs the helper. From plain Node, this process's own. From Electron, the system's
 * `node` when there is one: `cap` is a native module built by npm for that Node's ABI, which Electron's
 * embedded Node does not share (loading it there fails with "compiled against a different Node.js version"),
 * and it is the binary the README's setcap line grants capture rights to. `npm start` sets npm_node_execpath.
 */
export function helperNode(): string {
  if (!process.versions.electron) return process.execPath;
  const candidates = [process.env['npm_node_execpath'], ...(process.env['PATH'] ?? '').split(delimiter).filter(Boolean).map((dir) => join(dir, process.platform === 'win32' ? 'node.exe' : 'node'))];
  return candidates.find((path): path is string => typeof path === 'string' && path !== '' && existsSync(path)) ?? process.execPath;
}

function startHelper(options: HelperOptions): Helper {
  const helperPath = options.helperPath ?? defaultHelperPath();
  if (!existsSync(helperPath)) {
    throw new CaptureError('helper-missing', `The capture helper is not built (${helperPath} is missing): run \`npm run build:cli\` in the sipscope folder.`);
  }
  const node = options.nodePath ?? helperNode();
  const launcher = options.launcher ?? [];
  const child = fork(helperPath, [options.capModule ?? ''], {
    execPath: launcher.length > 0 ? launcher[0] : node,
    execArgv: launcher.length > 0 ? [...launcher.slice(1), node] : [],
    // Electron's own binary runs the helper as plain Node only when told to.
    ...(node === process.execPath && process.versions.electron ? { env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' } } : {}),
    serialization: 'advanced',
    stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
  });
  let stderr = '';
  child.stderr?.setEncoding('utf8');
  child.stderr?.on('data', (text: string) => {
    // libpcap prints harmless warnings here ("SIOCGIFADDR: ... This may not actually work"); keep the tail only.
    stderr = (stderr + text).slice(-4000);
  });
  return {
    child,
    send(message) {
      // With a callback, a failed send is handed to it instead of becoming the child's 'error' event. The helper may
      // exit between `connected` and the write (an 'ack' racing its clean exit after 'stopped'): EPIPE then, which
      // is no failure of its own; a helper that really died is reported by 'close'.
      if (child.connected) child.send(message, () => {});
    },
    stderrTail: () => stderr.trim(),
  };
}

function helperDied(helper: Helper, code: number | null, signal: NodeJS.Signals | null): CaptureError {
  const how = signal ? `was killed by ${signal}` : `exited with code ${code}`;
  const tail = helper.stderrTail();
  return new CaptureError('helper-failed', `The capture helper ${how} unexpectedly.${tail ? `\n${tail}` : ''}`);
}

/** Lists the interfaces libpcap can capture on, with their link types where the helper may open them. */
export function listInterfaces(options: HelperOptions = {}): Promise<CaptureInterface[]> {
  return new Promise((resolve, reject) => {
    let helper: Helper;
    try {
      helper = startHelper(options);
    } catch (error) {
      reject(error);
      return;
    }
    let settled = false;
    const settle = (fn: () => void) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      fn();
    };
    const timer = setTimeout(() => {
      helper.child.kill('SIGKILL');
      settle(() => reject(new CaptureError('helper-failed', `The capture helper did not list the interfaces within ${(options.timeoutMs ?? 15_000) / 1000} s.`)));
    }, options.timeoutMs ?? 15_000);
    helper.child.on('message', (message: HelperToParent) => {
      if (message.type === 'interfaces') settle(() => resolve(message.interfaces));
      else if (message.type === 'error') settle(() => reject(CaptureError.from(message.error)));
    });
    helper.child.on('error', (error) => settle(() => reject(new CaptureError('helper-failed', `Cannot start the capture helper: ${error.message}`))));
    // 'close', not 'exit': it comes after the IPC channel is drained, so an 'error' message sent just before the
    // helper exited is read first.
    helper.child.on('close', (code, signal) => settle(() => reject(helperDied(helper, code, signal))));
    helper.send({ type: 'list' });
  });
}

/**
 * Starts capturing on one interface. Resolves once the interface is open and the filter applied (with its link
 * type, which a pcap/pcapng writer needs first); rejects with a CaptureError (permission, bad filter, no such
 * interface, capture not enabled) otherwise.
 */
export function startCapture(options: CaptureOptions): Promise<RunningCapture> {
  const request: CaptureRequest = {
    interface: options.interface,
    filter: options.filter ?? DEFAULT_CAPTURE_FILTER,
    kernelBufferBytes: options.kernelBufferBytes ?? DEFAULT_KERNEL_BUFFER_BYTES,
    batchPackets: options.batchPackets ?? 256,
    batchMs: options.batchMs ?? 20,
    batchesInFlight: options.batchesInFlight ?? 8,
    queueLimitBytes: options.queueLimitBytes ?? 128 << 20,
    statsMs: options.statsMs ?? 1000,
    ...(options.output ? { output: { ...options.output } } : {}),
  };
  return new Promise((resolve, reject) => {
    let helper: Helper;
    try {
      checkOutput(options.output);
      helper = startHelper(options);
    } catch (error) {
      reject(error);
      return;
    }
    const { child } = helper;
    if (child.pid !== undefined) {
      try {
        setPriority(child.pid, HELPER_NICE);
      } catch {
        // No right to raise priorities (EACCES/EPERM): the helper runs at the default one, which is fine when idle.
      }
    }
    let started = false;
    let finished = false;
    let finalStats: CaptureStats | undefined;
    let stopWaiters: { resolve: (stats: CaptureStats) => void; reject: (error: CaptureError) => void }[] = [];
    // Batches are handed to onBatch one at a time, in order, even when onBatch is asynchronous.
    let chain: Promise<void> = Promise.resolve();

    const startTimer = setTimeout(() => {
      child.kill('SIGKILL');
      fail(new CaptureError('helper-failed', `The capture helper did not open ${request.interface} within ${(options.timeoutMs ?? 15_000) / 1000} s.`));
    }, options.timeoutMs ?? 15_000);

    const fail = (error: CaptureError) => {
      if (finished) return;
      finished = true;
      clearTimeout(startTimer);
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      if (!started) reject(error);
      else {
        options.onError?.(error);
        for (const waiter of stopWaiters) waiter.reject(error);
        stopWaiters = [];
      }
    };

    const deliver = (message: HelperToParent & { type: 'batch' }) => {
      const packets: CapturedPacket[] = new Array(message.lengths.length);
      // The V8 serializer may hand over a view at an offset into a larger buffer: keep its offset.
      const data = message.data;
      let offset = 0;
      for (let i = 0; i < message.lengths.length; i++) {
        const length = message.lengths[i];
        packets[i] = { data: data.subarray(offset, offset + length), timestampNs: message.timestampsNs[i] };
        offset += length;
      }
      chain = chain
        .then(() => options.onBatch({ seq: message.seq, packets, bytes: offset }))
        .then(
          () => helper.send({ type: 'ack', seq: message.seq }),
          (error: unknown) => fail(new CaptureError('helper-failed', `Handling captured packets failed: ${error instanceof Error ? error.message : String(error)}`)),
        );
    };

    child.on('message', (message: HelperToParent) => {
      switch (message.type) {
        case 'started':
          started = true;
          clearTimeout(startTimer);
          resolve({
            interface: message.interface,
            filter: message.filter,
            link: message.link,
            timestampSource: message.timestampSource,
            helperPid: child.pid ?? -1,
            stop: () =>
              new Promise<CaptureStats>((resolveStop, rejectStop) => {
                if (finalStats) return resolveStop(finalStats);
                if (finished) return rejectStop(new CaptureError('helper-failed', 'The capture already ended in an error.'));
                stopWaiters.push({ resolve: resolveStop, reject: rejectStop });
                helper.send({ type: 'stop' });
                // A helper stuck in native code never answers: do not hang the caller with it.
                setTimeout(
                  () => fail(new CaptureError('helper-failed', `The capture helper did not stop within ${(options.timeoutMs ?? 15_000) / 1000} s; it was killed.`)),
                  options.timeoutMs ?? 15_000,
                ).unref();
              }),
          });
          return;
        case 'batch':
          deliver(message);
          return;
        case 'stats':
          options.onStats?.(message.stats);
          return;
        case 'stopped': {
          const stats = message.stats;
          // Resolve stop() only after onBatch has seen every batch sent before 'stopped'.
          chain = chain.then(() => {
            if (finished) return;
            finished = true;
            finalStats = stats;
            options.onStats?.(stats);
            for (const waiter of stopWaiters) waiter.resolve(stats);
            stopWaiters = [];
          });
          return;
        }
        case 'error':
          fail(CaptureError.from(message.error));
          return;
        case 'interfaces':
          return;
      }
    });
    child.on('error', (error) => fail(new CaptureError('helper-failed', `Cannot start the capture helper: ${error.message}`)));
    child.on('close', (code, signal) => {
      // After the IPC channel is drained (unlike 'exit'). A clean end after 'stopped' is normal; wait for the
      // batches still being handled.
      void chain.then(() => {
        if (!finished) fail(helperDied(helper, code, signal));
      });
    });
    helper.send({ type: 'start', request });
  });
}
