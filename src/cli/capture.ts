import { formatDiagnostic } from '../core/diagnostics.js';
import { TraceEngine } from '../core/engine/trace-engine.js';
import type { MessageRecord } from '../core/index/message-index.js';
import { messageJsonText } from '../core/report/message-json.js';
import { CaptureError, DEFAULT_KERNEL_BUFFER_BYTES, startCapture, type CaptureOptions, type CaptureStats, type PacketBatch, type RunningCapture } from '../node/capture/capture-client.js';
import { formatEndpoint, startHepListener, type HepListener, type HepTransport } from '../node/capture/hep-listener.js';
import { toEnginePackets } from '../node/capture/live-capture.js';
import { parseArgs, UsageError } from './args.js';
import { TABLE_HEADER, tableRow, TextOutput, TSV_COLUMNS, tsvRow } from './output.js';

export const captureUsage = `Usage: sipscope capture -i IFACE [-i IFACE2...] [-f BPF] [-w OUT.pcapng] [--ring FILES:MB] [--duration S] [--count N]
                        [-B MIB] [--hep-listen udp:HOST:PORT|tcp:HOST:PORT] [--format table|tsv|ndjson]

Captures live and prints each SIP message as it is decoded (the formats of 'sipscope analyze'); a summary
with packet, message and drop counts goes to stderr at the end. Ctrl-C (SIGINT) or SIGTERM stops cleanly.

  -i, --interface IFACE   capture on this interface ('sipscope interfaces' lists them; 'any' for all); repeat it
                          for several, each captured by its own helper into its own file (-w OUT.pcapng
                          becomes OUT_IFACE.pcapng per interface)
  -f, --filter BPF        capture filter (BPF syntax); by default SIP ports 5060-5061, IP fragments and GTP-U
  -w, --write FILE        write every captured packet to this pcapng file as it arrives
  --ring FILES:MB         with -w: rotate through FILES files of MB megabytes each
  --duration S            stop after S seconds
  --count N               stop after N SIP messages
  -B, --buffer-size MIB   kernel capture buffer in MiB, default ${DEFAULT_KERNEL_BUFFER_BYTES >> 20} (on lo libpcap gives each packet a 64 KiB
                          slot: about ${DEFAULT_KERNEL_BUFFER_BYTES >> 16} packets); the summary's kernel drops say if it overflowed
  --hep-listen T:HOST:PORT  also receive HEP (v1/v2/v3) from capture agents, T udp or tcp (e.g. udp:0.0.0.0:9060);
                          alone (without -i) it is the only source and -w writes what it receives (HEP in UDP);
                          with -i, -w is the interface's file and HEP is decoded only
  --format F              table (default), tsv or ndjson`;

const FORMATS = ['table', 'tsv', 'ndjson'] as const;
type Format = (typeof FORMATS)[number];

/**
 * The file of one interface: `-w` itself for a single interface; `OUT_IFACE.pcapng` (before the extension) for
 * each of several, since each helper writes its own file.
 */
export function interfaceFilePath(writePath: string, iface: string, several: boolean): string {
  if (!several) return writePath;
  const safe = iface.replace(/[^A-Za-z0-9._-]/g, '_');
  const dot = writePath.lastIndexOf('.');
  const slash = Math.max(writePath.lastIndexOf('/'), writePath.lastIndexOf('\\'));
  return dot > slash + 1 ? `${writePath.slice(0, dot)}_${safe}${writePath.slice(dot)}` : `${writePath}_${safe}`;
}

export interface RingSpec {
  files: number;
  bytes: number;
}

/** `FILES:MB`, e.g. `10:100`: at least 2 files (one file is -w alone), a positive size. */
export function parseRing(text: string): RingSpec {
  const match = /^(\d+):(\d+(?:\.\d+)?)$/.exec(text);
  const files = match ? Number(match[1]) : NaN;
  const mb = match ? Number(match[2]) : NaN;
  if (!match || files < 2 || !(mb > 0)) throw new UsageError(`option '--ring' takes FILES:MB with at least 2 files and a size above 0 (e.g. 10:100), not '${text}'`);
  return { files, bytes: Math.round(mb * 1e6) };
}

export interface HepListenSpec {
  transport: HepTransport;
  host: string;
  port: number;
}

/** `udp:HOST:PORT` or `tcp:HOST:PORT`; an IPv6 HOST in brackets (`udp:[::]:9060`), as in a URI (RFC 3986 §3.2.2). */
export function parseHepListen(text: string): HepListenSpec {
  const match = /^(udp|tcp):(\[[0-9a-fA-F:.]+\]|[^:[\]]+):(\d{1,5})$/.exec(text);
  const port = match ? Number(match[3]) : NaN;
  if (!match || port > 65535) throw new UsageError(`option '--hep-listen' takes udp:HOST:PORT or tcp:HOST:PORT (e.g. udp:0.0.0.0:9060), not '${text}'`);
  const host = match[2].startsWith('[') ? match[2].slice(1, -1) : match[2];
  return { transport: match[1] as HepTransport, host, port };
}

function positiveNumber(name: string, text: string | undefined, integer: boolean): number | undefined {
  if (text === undefined) return undefined;
  const value = Number(text);
  if (!/^\d+(\.\d+)?$/.test(text) || !(value > 0) || (integer && !Number.isInteger(value))) {
    throw new UsageError(`option '--${name}' takes a ${integer ? 'whole ' : ''}number above 0, not '${text}'`);
  }
  return value;
}

/** The HEP listener could not start (its message says why and is meant for the user). */
class HepBindError extends Error {}

export async function captureCommand(argv: string[]): Promise<number> {
  const { positionals, options, lists } = parseArgs(argv, {
    interface: { value: true, short: 'i', repeatable: true },
    filter: { value: true, short: 'f' },
    write: { value: true, short: 'w' },
    ring: { value: true },
    duration: { value: true },
    count: { value: true },
    'buffer-size': { value: true, short: 'B' },
    'hep-listen': { value: true },
    format: { value: true, choices: FORMATS },
    help: { short: 'h' },
  });
  if (options.has('help')) {
    process.stdout.write(`${captureUsage}\n`);
    return 0;
  }
  if (positionals.length > 0) throw new UsageError(`capture takes no positional argument, got '${positionals[0]}'`);
  // Each interface once, in the order given.
  const interfaces = [...new Set(lists.get('interface') ?? [])];
  const iface = interfaces[0];
  const hepSpec = options.has('hep-listen') ? parseHepListen(options.get('hep-listen') as string) : undefined;
  if (iface === undefined && !hepSpec) throw new UsageError('capture needs an interface (-i IFACE) or --hep-listen');
  const filter = options.get('filter') as string | undefined;
  if (filter !== undefined && iface === undefined) throw new UsageError("option '--filter' applies to an interface capture (-i)");
  const writePath = options.get('write') as string | undefined;
  const ring = options.has('ring') ? parseRing(options.get('ring') as string) : undefined;
  if (ring && writePath === undefined) throw new UsageError("option '--ring' needs -w FILE (the ring's file name)");
  if (ring && iface === undefined) throw new UsageError("option '--ring' applies to an interface capture (-i)");
  const durationS = positiveNumber('duration', options.get('duration') as string | undefined, false);
  const count = positiveNumber('count', options.get('count') as string | undefined, true);
  const bufferMiB = positiveNumber('buffer-size', options.get('buffer-size') as string | undefined, true);
  if (bufferMiB !== undefined && iface === undefined) throw new UsageError("option '--buffer-size' applies to an interface capture (-i)");
  // pcap_set_buffer_size takes an int: stay below 2 GiB.
  if (bufferMiB !== undefined && bufferMiB > 2047) throw new UsageError(`option '--buffer-size' takes at most 2047 MiB, not ${bufferMiB}`);
  const format = (options.get('format') as Format | undefined) ?? 'table';

  const out = new TextOutput(process.stdout, 0);
  // One frame counter for every source: the engine numbers messages by frame, and the two feeds share it.
  let frame = 0;
  const nextFrame = (): number => ++frame;
  let hep: HepListener | undefined;
  const captures: RunningCapture[] = [];
  let engine: TraceEngine | undefined;
  let printed = 0;
  let firstMessage: MessageRecord | undefined;
  let tsvHeaderDone = false;
  let stopping = false;
  let failure: CaptureError | undefined;
  let wake: () => void = () => {};
  const stopped = new Promise<void>((resolve) => {
    wake = resolve;
  });
  const requestStop = (): void => {
    stopping = true;
    wake();
  };

  /** Prints the rows indexed since the last call (the index only grows), up to --count. */
  const printNew = (): void => {
    if (!engine) return;
    const index = engine.index;
    let text = '';
    while (printed < index.count && (count === undefined || printed < count)) {
      const m = index.get(printed++);
      if (format === 'ndjson') text += `${messageJsonText(m)}\n`;
      else if (format === 'tsv') text += tsvRow(m);
      else {
        if (!firstMessage) {
          firstMessage = m;
          text += TABLE_HEADER;
        }
        text += tableRow(m, firstMessage);
      }
    }
    // The TSV header goes out at once (as analyze prints it even for no message): a reader of the pipe knows the columns.
    if (format === 'tsv' && !tsvHeaderDone) {
      text = `${TSV_COLUMNS.join('\t')}\n${text}`;
      tsvHeaderDone = true;
    }
    // flushAt 0: every write goes out at once, a live listing must not sit in a buffer.
    if (text) void out.write(text);
    if (count !== undefined && printed >= count) requestStop();
    // `sipscope capture ... | head`: once the reader is gone, capturing on would only fill the disk.
    if (out.closed) requestStop();
  };

  /** The packets of one interface's batch, into the engine: interface ids 0..n-1 in -i order (HEP comes after). */
  const onBatch = (batch: PacketBatch, interfaceId: number, linkType: number): void => {
    if (!engine) return;
    for (const packet of toEnginePackets(batch, linkType, interfaceId, nextFrame)) engine.addPacket(packet);
    printNew();
  };

  try {
    if (hepSpec) {
      let printScheduled = false;
      hep = await startHepListener({
        transport: hepSpec.transport,
        host: hepSpec.host,
        port: hepSpec.port,
        nextFrame,
        interfaceId: interfaces.length,
        // Written only when HEP is the sole source: with -i, -w is the interface capture's file.
        pcapngPath: iface === undefined ? writePath : undefined,
        onPacket: (packet) => {
          engine?.addPacket(packet);
          // Datagrams arrive one by one: print once per turn of the event loop, not once per packet.
          if (!printScheduled) {
            printScheduled = true;
            setImmediate(() => {
              printScheduled = false;
              printNew();
            });
          }
        },
        onError: (problem) => process.stderr.write(`sipscope: HEP${problem.remote ? ` from ${problem.remote}` : ''}: ${formatDiagnostic(problem.diagnostic)}\n`),
      }).catch((error: unknown) => {
        // The listener rejects with a message for the user (port in use, no such address): not a bug, no stack.
        throw new HepBindError(error instanceof Error ? error.message : String(error));
      });
      process.stderr.write(`sipscope: listening for HEP on ${hep.transport} ${formatEndpoint(hep.address, hep.port)}\n`);
    }
    // HEP v1/v2 have no magic: off port 9060 the engine needs the listener's decode-as rule to recognise them.
    engine = new TraceEngine({ decodeAs: hep?.decodeAs ?? [] });

    for (let id = 0; id < interfaces.length; id++) {
      const name = interfaces[id];
      const path = writePath === undefined ? undefined : interfaceFilePath(writePath, name, interfaces.length > 1);
      let linkType = -1;
      const request: CaptureOptions = {
        interface: name,
        filter,
        ...(path !== undefined ? { output: { path, ...(ring ? { ringFiles: ring.files, ringBytes: ring.bytes } : {}) } } : {}),
        ...(bufferMiB !== undefined ? { kernelBufferBytes: bufferMiB * 1024 * 1024 } : {}),
        capModule: process.env['SIPSCOPE_CAP_MODULE'] || undefined,
        onBatch: (batch) => onBatch(batch, id, linkType),
        onError: (error) => {
          failure ??= interfaces.length > 1 ? new CaptureError(error.kind, `${name}: ${error.message}`) : error;
          requestStop();
        },
      };
      const capture = await startCapture(request);
      linkType = capture.link.linkType;
      captures.push(capture);
      process.stderr.write(`sipscope: capturing on ${capture.interface} (${capture.link.name}), filter: ${capture.filter || '(none)'}${path ? `, writing ${path}` : ''}\n`);
    }
  } catch (error) {
    // An interface that fails to open stops the ones already capturing (their files are finished).
    await Promise.allSettled(captures.map((c) => c.stop()));
    await hep?.close();
    if (error instanceof CaptureError) {
      process.stderr.write(`sipscope: ${error.message}\n`);
      return 1;
    }
    if (error instanceof HepBindError) {
      process.stderr.write(`sipscope: ${error.message}\n`);
      return 1;
    }
    throw error;
  }

  printNew();
  const onSignal = (): void => requestStop();
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  const timer = durationS !== undefined ? setTimeout(requestStop, durationS * 1000) : undefined;
  if (!stopping) await stopped;
  if (timer) clearTimeout(timer);

  // Each capture's final counters (undefined when it failed): stop() resolves after every captured packet went
  // through onBatch and the file is finished.
  const stats: (CaptureStats | undefined)[] = [];
  for (const capture of captures) {
    if (failure) {
      // A failed interface ended the capture: the others still stop cleanly and finish their files.
      stats.push(await capture.stop().catch(() => undefined));
      continue;
    }
    try {
      stats.push(await capture.stop());
    } catch (error) {
      if (!(error instanceof CaptureError)) throw error;
      failure = error;
      stats.push(undefined);
    }
  }
  await hep?.close();
  process.off('SIGINT', onSignal);
  process.off('SIGTERM', onSignal);
  // TCP messages still in a stream and incomplete datagrams are reported now.
  engine.finish();
  printNew();
  await out.flush();

  process.stderr.write(summaryText(engine, printed, stats, captures, hep, writePath));
  if (failure) {
    process.stderr.write(`sipscope: ${failure.message}\n`);
    return 1;
  }
  return 0;
}

function summaryText(engine: TraceEngine, printed: number, stats: (CaptureStats | undefined)[], captures: RunningCapture[], hep: HepListener | undefined, writePath: string | undefined): string {
  const lines: string[] = [];
  captures.forEach((capture, i) => {
    const s = stats[i];
    lines.push(`Captured:    ${s ? `${s.packets} packets, ${s.bytes} bytes` : 'unknown (the capture failed)'} on ${capture.interface}`);
  });
  if (hep) {
    const h = hep.stats;
    lines.push(`HEP:         ${h.packets} packets, ${h.bytesReceived} bytes (${h.datagrams} datagrams, ${h.connections} connections, ${h.notHep} not HEP, ${h.truncated} truncated)`);
  }
  lines.push(`SIP:         ${engine.index.count} messages${printed < engine.index.count ? ` (${printed} printed: --count)` : ''}`);
  const known = stats.filter((s): s is CaptureStats => s !== undefined);
  const queue = captures.length === 0 ? '0' : known.length < captures.length ? '?' : String(known.reduce((sum, s) => sum + s.queueDropped, 0));
  let kernel = 'not available';
  if (known.length > 0 && known.length === captures.length && known.every((s) => s.kernel)) {
    const dropped = known.reduce((sum, s) => sum + (s.kernel?.dropped ?? 0), 0);
    const received = known.reduce((sum, s) => sum + (s.kernel?.received ?? 0), 0);
    kernel = `${dropped} (of ${received} received)`;
  } else {
    const why = known.find((s) => s.kernelUnavailable)?.kernelUnavailable;
    if (why) kernel = `not available (${why})`;
  }
  lines.push(`Drops:       queue ${queue}, kernel ${kernel}`);
  // The interface captures' files are what their writers report; HEP alone writes -w itself.
  const files = captures.length > 0 ? known.flatMap((s) => s.files) : writePath !== undefined ? [writePath] : [];
  const written = known.reduce((sum, s) => sum + s.written, 0);
  lines.push(`Files:       ${files.length > 0 ? files.join(', ') : 'none'}${captures.length > 0 && writePath !== undefined ? ` (${written} packets written)` : ''}`);
  return `${lines.join('\n')}\n`;
}
