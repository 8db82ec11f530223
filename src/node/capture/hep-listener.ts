/**
 * The HEP listener: a capture source that receives HEP (Homer Encapsulation Protocol) from capture agents
 * (heplify, Kamailio siptrace, OpenSIPS proto_hep, sngrep -H, FreeSWITCH, Asterisk res_hep) on a UDP or
 * TCP port, and turns each HEP packet into a `CapturedPacket`: a synthetic Ethernet / IP / UDP frame from
 * the agent's address:port to the listener's, carrying the HEP packet as its payload — "HEP inside UDP",
 * so that a pcapng written from it round-trips through our engine and through tshark (with a HEP dissector)
 * like a capture of the HEP traffic itself.
 *
 *  - UDP: one datagram is one HEP packet, v3 (magic "HEP3", HEP3 specification §2) or v1/v2 (Kamailio
 *    sipcapture hep.h fixed layout).
 *  - TCP: a byte stream of HEP v3 packets, each framed by its own total-length field; cut by the engine's
 *    HEP-over-TCP framer (`HepStreamSink`, src/core/stream/hep-stream.ts), as it does for captured TCP.
 *
 * Feeding a `TraceEngine`: HEP v3 is recognised on any UDP port (its magic, src/core/layers/udp.ts), HEP v1/v2
 * only on port 9060 or with a decode-as rule, so pass `listener.decodeAs` in `EngineOptions.decodeAs`
 * (empty for port 9060, else `udp.port==PORT,hep`). Malformed input is counted in `stats` and reported
 * through `onError`, never thrown.
 */
import { createSocket, type RemoteInfo, type Socket as UdpSocket } from 'node:dgram';
import { createServer, isIPv6, type Server, type Socket as TcpSocket } from 'node:net';
import type { CapturedPacket } from '../../core/capture/types.js';
import { decoderBug, malformed, note, truncated, type Diagnostic } from '../../core/diagnostics.js';
import type { DecodeAsRule } from '../../core/engine/decode-as.js';
import { HEP_PORT } from '../../core/layers/hep.js';
import type { TimedChunk } from '../../core/stream/chunks.js';
import { HepStreamSink } from '../../core/stream/hep-stream.js';
import type { StreamOutputs } from '../../core/stream/stream-sink.js';
import { PcapngFile } from './pcapng-file.js';
import { buildUdpFrame, LINKTYPE_ETHERNET, unmapIpv4, type UdpEndpoint } from './udp-frame.js';

export type HepTransport = 'udp' | 'tcp';

/** What went wrong, for the caller to show; the listener keeps running after every one of them. */
export interface HepListenerProblem {
  /**
   * `not-hep`: a datagram (dropped) or stream bytes (skipped) that are not HEP; `truncated`: a HEP packet
   * shorter than its own header says (UDP: forwarded anyway, the engine reports the damage; TCP: lost when
   * the connection closed mid-packet); `oversize`: a HEP packet too large for one UDP datagram in the
   * synthetic frame (dropped); `socket`: a socket or connection error; `file`: the pcapng could not be
   * written (writing stops, decoding goes on); `internal`: `onPacket` or the framer threw (a bug, caught
   * per packet like the engine's decoder bugs).
   */
  kind: 'not-hep' | 'truncated' | 'oversize' | 'socket' | 'file' | 'internal';
  diagnostic: Diagnostic;
  /** The agent, `address:port` (`[v6]:port`), when the problem came from one. */
  remote?: string;
}

export interface HepListenerStats {
  /** UDP datagrams received (HEP or not). */
  datagrams: number;
  /** TCP connections accepted, and those still open. */
  connections: number;
  openConnections: number;
  /** Bytes received from the socket(s), HEP or not. */
  bytesReceived: number;
  /** HEP packets handed to `onPacket` (and written, when writing). */
  packets: number;
  notHep: number;
  /** Stream bytes skipped while looking for "HEP3" (TCP). */
  discardedBytes: number;
  truncated: number;
  oversize: number;
  socketErrors: number;
  /** Packets written to the pcapng (equal to `packets` unless writing failed). */
  written: number;
}

export interface HepListenerOptions {
  transport: HepTransport;
  /** Address to bind: `0.0.0.0`, `::` (dual-stack), `127.0.0.1`, `::1`... */
  host: string;
  /** 0 picks a free port (see `HepListener.port`). */
  port: number;
  /** Called once per HEP packet, synchronously; `packet.data` is the listener's own copy and may be kept. */
  onPacket: (packet: CapturedPacket) => void;
  onError?: (problem: HepListenerProblem) => void;
  /** Write every packet to this pcapng file as it arrives (synchronously, before `onPacket`). */
  pcapngPath?: string;
  /** Frame numbers: by default 1, 2, 3...; a caller merging several sources into one engine passes its counter. */
  nextFrame?: () => number;
  /** `CapturedPacket.interfaceId` (default 0; the pcapng written here has its own interface 0). */
  interfaceId?: number;
  /** UDP socket receive buffer asked for (default 8 MiB; the kernel caps it at net.core.rmem_max). */
  receiveBufferBytes?: number;
}

export interface HepListener {
  readonly transport: HepTransport;
  /** Bound address and port (the real port when 0 was asked). */
  readonly address: string;
  readonly port: number;
  readonly stats: HepListenerStats;
  /**
   * Decode-as rules the engine needs for what this listener produces (`new TraceEngine({ decodeAs })`):
   * none on 9060, else `udp.port==PORT,hep` so that HEP v1/v2 (which has no magic) is recognised too.
   */
  readonly decodeAs: DecodeAsRule[];
  /** UDP: the receive buffer the kernel granted (bytes), when known. */
  readonly receiveBufferBytes: number | undefined;
  /** Stops listening, closes connections (reporting half-received packets) and finishes the pcapng. */
  close(): Promise<void>;
}

/** Decode-as rules for an engine fed by a HEP listener on `port` (see `HepListener.decodeAs`). */
export function hepDecodeAs(port: number): DecodeAsRule[] {
  return port === HEP_PORT ? [] : [{ transport: 'udp', port, protocol: 'hep' }];
}

/** `address:port`, brackets around IPv6 (RFC 3986 §3.2.2), IPv4-mapped addresses shown as IPv4. */
export function formatEndpoint(address: string, port: number): string {
  const plain = unmapIpv4(address);
  return isIPv6(plain) ? `[${plain}]:${port}` : `${plain}:${port}`;
}

/**
 * Arrival clock: wall-clock time at start plus a monotonic offset (nanoseconds), so timestamps never go
 * backwards within a listener even when the system clock is stepped.
 */
function arrivalClock(): () => { tsSec: number; tsNsec: number } {
  const startEpochNs = BigInt(Date.now()) * 1_000_000n;
  const startHr = process.hrtime.bigint();
  return () => {
    const now = startEpochNs + (process.hrtime.bigint() - startHr);
    return { tsSec: Number(now / 1_000_000_000n), tsNsec: Number(now % 1_000_000_000n) };
  };
}

const AF_INET = 2;
const AF_INET6 = 10;

type DatagramVerdict = { kind: 'hep' } | { kind: 'truncated' | 'not-hep'; message: string };

/**
 * Is this datagram a HEP packet? v3: magic "HEP3" and a 16-bit total length counting the 6-byte header
 * (HEP3 specification §2); a total length beyond the datagram is a truncated packet. v1/v2 (no magic,
 * Kamailio sipcapture hep.h): version 1 or 2, address family AF_INET (2) or AF_INET6 (10), then a header of
 * 8 bytes + two addresses (+ 12 bytes of time header in v2). Chunk contents are the engine's business.
 */
export function judgeHepDatagram(bytes: Uint8Array): DatagramVerdict {
  const n = bytes.length;
  if (n >= 4 && bytes[0] === 0x48 && bytes[1] === 0x45 && bytes[2] === 0x50 && bytes[3] === 0x33) {
    if (n < 6) return { kind: 'truncated', message: `HEP3 header needs 6 bytes, the datagram has ${n}` };
    const total = (bytes[4] << 8) | bytes[5];
    if (total < 6) return { kind: 'not-hep', message: `HEP3 total length ${total} is below its 6-byte header` };
    if (total > n) return { kind: 'truncated', message: `HEP3 packet of ${total} bytes in a datagram of ${n}` };
    return { kind: 'hep' };
  }
  if (n >= 8 && (bytes[0] === 1 || bytes[0] === 2) && (bytes[2] === AF_INET || bytes[2] === AF_INET6)) {
    const header = 8 + 2 * (bytes[2] === AF_INET ? 4 : 16) + (bytes[0] === 2 ? 12 : 0);
    if (header > n) return { kind: 'truncated', message: `HEP v${bytes[0]} header needs ${header} bytes, the datagram has ${n}` };
    return { kind: 'hep' };
  }
  const head = Array.from(bytes.subarray(0, 4), (b) => b.toString(16).padStart(2, '0')).join(' ');
  return { kind: 'not-hep', message: `a ${n}-byte datagram that is not HEP (starts ${head || 'empty'}; neither "HEP3" nor a HEP v1/v2 header)` };
}

/** Starts listening; resolves once bound, rejects with a readable message when the port cannot be had. */
export function startHepListener(options: HepListenerOptions): Promise<HepListener> {
  return options.transport === 'udp' ? startUdp(options) : startTcp(options);
}

/** What both transports share: frame numbering, clock, the pcapng, stats and problem reports. */
class PacketEmitter {
  readonly stats: HepListenerStats = {
    datagrams: 0,
    connections: 0,
    openConnections: 0,
    bytesReceived: 0,
    packets: 0,
    notHep: 0,
    discardedBytes: 0,
    truncated: 0,
    oversize: 0,
    socketErrors: 0,
    written: 0,
  };
  readonly now = arrivalClock();
  private frame = 0;
  private file: PcapngFile | undefined;
  /** Offset of the next packet's bytes when no file is written: a running count, so offsets stay unique. */
  private virtualOffset = 0;
  private ipIdentification = 0;

  constructor(private readonly options: HepListenerOptions) {}

  /** Opens the pcapng once the listening address is known (it names the interface). Throws on an I/O error. */
  openFile(address: string, port: number): void {
    if (!this.options.pcapngPath) return;
    this.file = new PcapngFile(this.options.pcapngPath, {
      linkType: LINKTYPE_ETHERNET,
      interfaceName: `hep:${this.options.transport}:${formatEndpoint(address, port)}`,
      interfaceDescription: `HEP received on ${this.options.transport.toUpperCase()} ${formatEndpoint(address, port)}, each HEP packet in a synthetic UDP datagram from the agent`,
    });
  }

  problem(kind: HepListenerProblem['kind'], diagnostic: Diagnostic, remote?: string): void {
    try {
      this.options.onError?.({ kind, diagnostic, remote });
    } catch {
      // A failing error handler must not take the socket down with it.
    }
  }

  /** One HEP packet `hep` from `agent` to `listener`: frame it, write it, hand it over. */
  emit(agent: UdpEndpoint, listener: UdpEndpoint, hep: Uint8Array): void {
    const built = buildUdpFrame(agent, listener, hep, this.ipIdentification++);
    if ('error' in built) {
      this.stats.oversize++;
      this.problem('oversize', malformed('hep', `HEP packet dropped: ${built.error}`), formatEndpoint(agent.address, agent.port));
      return;
    }
    const frame = built.frame;
    const { tsSec, tsNsec } = this.now();
    let dataOffset = this.virtualOffset;
    if (this.file?.open) {
      try {
        dataOffset = this.file.writePacket(frame, tsSec, tsNsec);
        this.stats.written++;
      } catch (error) {
        this.file.abandon();
        this.problem('file', malformed('pcapng', `writing ${this.file.path} failed, no more packets are written: ${error instanceof Error ? error.message : String(error)}`));
      }
    }
    this.virtualOffset += frame.length;
    this.stats.packets++;
    const packet: CapturedPacket = {
      frame: this.options.nextFrame ? this.options.nextFrame() : ++this.frame,
      interfaceId: this.options.interfaceId ?? 0,
      linkType: LINKTYPE_ETHERNET,
      tsSec,
      tsNsec,
      capturedLength: frame.length,
      originalLength: frame.length,
      dataOffset,
      data: frame,
    };
    try {
      this.options.onPacket(packet);
    } catch (error) {
      this.problem('internal', decoderBug('hep-listener', error));
    }
  }

  finishFile(): void {
    if (!this.file?.open) return;
    const { tsSec, tsNsec } = this.now();
    const s = this.stats;
    try {
      this.file.finish(tsSec, tsNsec, s.packets + s.notHep + s.oversize, `HEP packets ${s.packets}, not HEP ${s.notHep}, truncated ${s.truncated}, oversize ${s.oversize}`);
    } catch (error) {
      this.problem('file', malformed('pcapng', `finishing ${this.file.path} failed: ${error instanceof Error ? error.message : String(error)}`));
    }
  }
}

function bindError(options: HepListenerOptions, error: unknown): Error {
  const code = (error as NodeJS.ErrnoException).code;
  const why =
    code === 'EADDRINUSE'
      ? 'the port is already in use (another collector or a previous run?)'
      : code === 'EACCES'
        ? 'permission denied (ports below 1024 need root or CAP_NET_BIND_SERVICE; use a port such as 9060)'
        : code === 'EADDRNOTAVAIL'
          ? 'no interface of this host has that address'
          : error instanceof Error
            ? error.message
            : String(error);
  return new Error(`cannot listen for HEP on ${options.transport}:${formatEndpoint(options.host, options.port)}: ${why}`);
}

function startUdp(options: HepListenerOptions): Promise<HepListener> {
  const emitter = new PacketEmitter(options);
  const socket: UdpSocket = createSocket({ type: isIPv6(options.host) ? 'udp6' : 'udp4' });
  let local: UdpEndpoint = { address: options.host, port: options.port };

  const onMessage = (message: Buffer, remote: RemoteInfo): void => {
    const stats = emitter.stats;
    stats.datagrams++;
    stats.bytesReceived += message.length;
    const agent = { address: remote.address, port: remote.port };
    // A copy, not the Buffer: it may come from a shared pool, and the packet may be kept by the consumer.
    const bytes = new Uint8Array(message);
    const verdict = judgeHepDatagram(bytes);
    if (verdict.kind === 'not-hep') {
      stats.notHep++;
      emitter.problem('not-hep', malformed('hep', `${verdict.message}: dropped`), formatEndpoint(agent.address, agent.port));
      return;
    }
    if (verdict.kind === 'truncated') {
      // Kept: the engine decodes what is there and says what is missing, and the file shows what arrived.
      stats.truncated++;
      emitter.problem('truncated', truncated('hep', verdict.message), formatEndpoint(agent.address, agent.port));
    }
    // The destination is the bound address: with a wildcard bind (0.0.0.0, ::) Node does not tell which
    // local address a datagram was sent to (no IP_PKTINFO), so the frame says 0.0.0.0 / :: there.
    emitter.emit(agent, local, bytes);
  };

  return new Promise((resolve, reject) => {
    const failBind = (error: Error): void => {
      socket.close();
      reject(bindError(options, error));
    };
    socket.once('error', failBind);
    socket.bind({ address: options.host, port: options.port, exclusive: true }, () => {
      socket.off('error', failBind);
      const bound = socket.address();
      local = { address: bound.address, port: bound.port };
      try {
        emitter.openFile(bound.address, bound.port);
      } catch (error) {
        socket.close();
        reject(new Error(`cannot write ${options.pcapngPath}: ${error instanceof Error ? error.message : String(error)}`));
        return;
      }
      let granted: number | undefined;
      try {
        socket.setRecvBufferSize(options.receiveBufferBytes ?? 8 * 1024 * 1024);
      } catch {
        // Refused or capped: keep the default; what we got is reported below.
      }
      try {
        granted = socket.getRecvBufferSize();
      } catch {
        granted = undefined;
      }
      socket.on('message', onMessage);
      socket.on('error', (error) => {
        emitter.stats.socketErrors++;
        emitter.problem('socket', note('hep', `UDP socket error: ${error.message}`));
      });
      let closing: Promise<void> | undefined;
      resolve({
        transport: 'udp',
        address: bound.address,
        port: bound.port,
        stats: emitter.stats,
        decodeAs: hepDecodeAs(bound.port),
        receiveBufferBytes: granted,
        close: () =>
          (closing ??= new Promise<void>((done) => {
            socket.close(() => {
              emitter.finishFile();
              done();
            });
          })),
      });
    });
  });
}

function startTcp(options: HepListenerOptions): Promise<HepListener> {
  const emitter = new PacketEmitter(options);
  const connections = new Set<{ socket: TcpSocket; finish: (reason: string) => void }>();

  const onConnection = (socket: TcpSocket): void => {
    const stats = emitter.stats;
    stats.connections++;
    stats.openConnections++;
    const agent: UdpEndpoint = { address: socket.remoteAddress ?? '::', port: socket.remotePort ?? 0 };
    // Unlike UDP, an accepted connection knows the local address the agent reached (even on a wildcard bind).
    const listener: UdpEndpoint = { address: socket.localAddress ?? options.host, port: socket.localPort ?? options.port };
    const remote = formatEndpoint(agent.address, agent.port);
    // Each HEP packet framed from the stream gets its own synthetic UDP datagram (agent -> listener): the
    // file then reads like HEP over UDP. The TCP connection itself (handshake, segment boundaries) is not
    // recorded; the HEP packets, their order and their arrival times are.
    let discarded = 0;
    let broken = 0;
    /** Bytes of the current run of non-HEP bytes, reported once when it ends (next packet or end of stream). */
    let skippedRun = 0;
    const noteSkipped = (): void => {
      const skipped = sink.stats.discardedBytes - discarded;
      discarded = sink.stats.discardedBytes;
      skippedRun += skipped;
      stats.discardedBytes += skipped;
    };
    const endSkippedRun = (): void => {
      if (skippedRun === 0) return;
      stats.notHep++;
      emitter.problem('not-hep', malformed('hep', `${skippedRun} stream bytes that are not HEP v3 skipped (HEP over TCP carries only "HEP3" packets)`), remote);
      skippedRun = 0;
    };
    /** What the framer lost since the last look (it counts; we turn counts into problems). */
    const reportBroken = (): void => {
      const lost = sink.stats.brokenPackets - broken;
      if (lost <= 0) return;
      broken = sink.stats.brokenPackets;
      stats.truncated += lost;
      emitter.problem('truncated', truncated('hep', `${lost} HEP packet${lost === 1 ? '' : 's'} cut short (connection ended mid-packet)`), remote);
    };
    const outputs: StreamOutputs<null> = {
      // The framer hands a packet over only after counting the bytes it skipped to reach it.
      hep: (_flow, bytes, start, end) => {
        noteSkipped();
        endSkippedRun();
        emitter.emit(agent, listener, bytes.slice(start, end));
      },
      // The HEP framer emits no SIP messages of its own; its summary is read from its stats instead.
      message: () => {},
      report: () => {},
    };
    const sink = new HepStreamSink<null>(null, outputs);
    let finished = false;
    const finish = (reason: string): void => {
      if (finished) return;
      finished = true;
      stats.openConnections--;
      try {
        sink.close(reason);
      } catch (error) {
        emitter.problem('internal', decoderBug('hep-stream', error), remote);
      }
      noteSkipped();
      endSkippedRun();
      reportBroken();
      connections.delete(entry);
    };
    const entry = { socket, finish };
    connections.add(entry);
    let received = 0;
    socket.on('data', (data: Buffer) => {
      stats.bytesReceived += data.length;
      const chunk: TimedChunk = { frame: 0, fileOffset: received, length: data.length, ...emitter.now() };
      received += data.length;
      try {
        sink.data(data, 0, data.length, chunk);
      } catch (error) {
        emitter.problem('internal', decoderBug('hep-stream', error), remote);
      }
      noteSkipped();
    });
    socket.on('error', (error) => {
      stats.socketErrors++;
      emitter.problem('socket', note('hep', `connection error: ${error.message}`), remote);
    });
    socket.on('close', () => finish('connection closed'));
  };

  const server: Server = createServer(onConnection);
  return new Promise((resolve, reject) => {
    const failBind = (error: Error): void => reject(bindError(options, error));
    server.once('error', failBind);
    server.listen({ host: options.host, port: options.port, exclusive: true }, () => {
      server.off('error', failBind);
      const bound = server.address();
      const address = typeof bound === 'object' && bound ? bound.address : options.host;
      const port = typeof bound === 'object' && bound ? bound.port : options.port;
      try {
        emitter.openFile(address, port);
      } catch (error) {
        server.close();
        reject(new Error(`cannot write ${options.pcapngPath}: ${error instanceof Error ? error.message : String(error)}`));
        return;
      }
      server.on('error', (error) => {
        emitter.stats.socketErrors++;
        emitter.problem('socket', note('hep', `TCP listener error: ${error.message}`));
      });
      let closing: Promise<void> | undefined;
      resolve({
        transport: 'tcp',
        address,
        port,
        stats: emitter.stats,
        decodeAs: hepDecodeAs(port),
        receiveBufferBytes: undefined,
        close: () =>
          (closing ??= new Promise<void>((done) => {
            server.close(() => {
              emitter.finishFile();
              done();
            });
            for (const connection of [...connections]) {
              connection.finish('listener closed');
              connection.socket.destroy();
            }
          })),
      });
    });
  });
}
