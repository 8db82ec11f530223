import type { CapturedPacket } from '../capture/types.js';
import { decoderBug, malformed, type Diagnostic } from '../diagnostics.js';
import { MessageBytesStore } from '../index/message-bytes.js';
import { MessageIndex, TextColumn, type MessageChunk } from '../index/message-index.js';
import { dispatchIpProtocol, layerDescribers } from '../layers/dispatch.js';
import { u32 } from '../layers/bounds.js';
import { dissectPacket } from '../layers/dissect.js';
import { decodeHep } from '../layers/hep.js';
import { PacketDecodeState, Transport, transportNames, type DecodeAsTable } from '../layers/packet.js';
import { IpFragmentTable, type IpFragmentOptions, type ReassembledDatagram } from '../reassembly/ip-fragments.js';
import { TCP_FIN, TCP_RST, TCP_SYN } from '../layers/tcp.js';
import { formatEndpoint, formatIpv4, formatIpv6 } from '../net/address.js';
import { IndexFields, scanIndexFields } from '../sip/index-scan.js';
import { findSipStart, looksLikeSipStart, parseSip, sipFrameLength } from '../sip/parser.js';
import { sliceChunks, type TimedChunk } from '../stream/chunks.js';
import { SipStreamFramer } from '../stream/sip-framer.js';
import type { StreamOutputs, StreamReport, StreamSink } from '../stream/stream-sink.js';
import { StreamProtocolSniffer } from '../stream/stream-sniffer.js';
import { SctpMessageTable } from '../stream/sctp-messages.js';
import { TcpStreamTable } from '../stream/tcp-stream.js';
import { extractFacts, scanFacts } from '../calls/facts.js';
import { FactsTable } from '../calls/facts-table.js';
import type { SipMessage } from '../sip/types.js';
import { CopyDetector } from './copies.js';
import { decodeAsTable, type DecodeAsRule } from './decode-as.js';


/** Counters for the summary: what the engine saw, so nothing disappears without a number. */
export interface EngineStats {
  packets: number;
  bytes: number;
  /** Packets whose layers reached IPv4/IPv6. */
  ipPackets: number;
  udpPackets: number;
  tcpPackets: number;
  sctpPackets: number;
  /** IP fragments seen, datagrams put back together, and datagrams that stayed incomplete (reported). */
  ipFragments: number;
  ipReassembled: number;
  ipIncomplete: number;
  /** Packets that carried (part of) at least one SIP message. */
  sipPackets: number;
  sipMessages: number;
  requests: number;
  responses: number;
  /** Messages with at least one error/warning diagnostic. */
  messagesWithErrors: number;
  messagesWithWarnings: number;
  /** Streams summarised instead of decoded (TLS without keys), all counted, the first 10,000 listed. */
  streamReports: number;
  /** Messages also seen at another capture point (each such message counted once per extra copy). */
  copies: number;
  /** Packets with decode problems that carried no SIP (listed in `packetDiagnostics`). */
  packetsWithDiagnostics: number;
  tcpRetransmittedSegments: number;
  tcpGaps: number;
  /** Packets on link types we do not decode. */
  undecodedLinkType: number;
}

export interface PacketDiagnostic {
  frame: number;
  diagnostic: Diagnostic;
}

/** A stream that carried no readable SIP (TLS without keys), with its endpoints. */
export interface EngineStreamReport extends StreamReport {
  src: string;
  dst: string;
  transport: string;
}

export interface EngineOptions {
  /** Ports forced to a protocol content detection cannot recognise (`tcp.port==6060,sip`). */
  decodeAs?: readonly DecodeAsRule[];
  ipFragments?: IpFragmentOptions;
  /**
   * Read the facts the call analysis needs (Require, RSeq/RAck, Expires, SDP direction and codecs, ICID...)
   * from every message as it is indexed (`engine.facts`). Costs a header walk per message; `sipscope
   * calls`/`stats` and the app turn it on, a plain message listing does not need it.
   */
  messageFacts?: boolean;
  /**
   * Keep every message's bytes (`engine.messageBytes`): display filters on headers the index does not hold
   * (any `sip.<Header>`, the body, SDP) and the detail pane read them. Some 600 bytes per message.
   */
  keepMessageBytes?: boolean;
}

/** Per-packet context the SIP stage needs after the layers are decoded. */
interface FlowContext {
  /** Ids in the index's string table. */
  src: number;
  dst: number;
  transport: number;
  stack: number;
  /** Id of the outer layers' JSON text (0: none). */
  outer: number;
  /** Identifies where the packet was seen: interface, encapsulation and outer layers (for copies). */
  capturePoint: number;
}

/** The packet (or reassembled datagram) whose layers are being handled: where it is and when. */
interface PacketView {
  frame: number;
  tsSec: number;
  tsNsec: number;
  interfaceId: number;
  /** File offset of byte 0 of the decoded bytes (unused when `chunks` is set). */
  dataOffset: number;
  /** Reassembled datagrams: where the bytes from `chunksBase` on came from, fragment by fragment. */
  chunks: TimedChunk[] | undefined;
  chunksBase: number;
}

/** What the first fragment of a datagram told us, to resume decoding once the datagram is whole. */
interface FragmentContext {
  /** The first fragment's bytes up to its data: link, outer layers and the fragmented IP header. */
  prefix: Uint8Array;
  stack: string[];
  layerStarts: number[];
  ipVersion: 4 | 6;
  srcAddrOffset: number;
  dstAddrOffset: number;
  protocol: number;
  interfaceId: number;
  /** Layer problems of the first fragment other than being a fragment. */
  diagnostics: Diagnostic[];
}

/** Per encapsulation: its id, and which of its layers are outer layers worth showing. */
interface StackInfo {
  id: number;
  /** Indices in the stack of layers described in `outer` (empty for plain IP/UDP/TCP). */
  outerLayers: number[];
}

/** The empty diagnostics list, shared (callers copy before adding). */
const NO_DIAGNOSTICS: Diagnostic[] = [];

/** Slots of the table of recent datagrams (direct-mapped: a copy follows its original within milliseconds). */
const DATAGRAM_SLOTS = 4096;

/** Bound on stream reports kept (each is counted in `stats.streamReports`). */
const MAX_STREAM_REPORTS = 10_000;

/** Bound on packet-level diagnostics kept for packets that carried no SIP (the counters keep counting). */
const MAX_PACKET_DIAGNOSTICS = 100_000;

/** Layers whose addresses or ports the innermost ones replace: shown as outer layers when inside a tunnel. */
const ADDRESS_LAYERS = new Set(['ipv4', 'ipv6', 'udp', 'tcp', 'sctp']);

/**
 * The engine: consumes captured packets one at a time (from a file, a live capture or a HEP feed alike),
 * decodes their layers, puts IP fragments back together, finds the SIP messages in UDP datagrams and TCP
 * streams, and appends them to the message index. It never throws on packet content: problems become
 * diagnostics on the message, or on the packet when no message came of it.
 */
export class TraceEngine {
  readonly index = new MessageIndex();
  readonly stats: EngineStats = {
    packets: 0,
    bytes: 0,
    ipPackets: 0,
    udpPackets: 0,
    tcpPackets: 0,
    sctpPackets: 0,
    ipFragments: 0,
    ipReassembled: 0,
    ipIncomplete: 0,
    sipPackets: 0,
    sipMessages: 0,
    requests: 0,
    responses: 0,
    messagesWithErrors: 0,
    messagesWithWarnings: 0,
    copies: 0,
    streamReports: 0,
    packetsWithDiagnostics: 0,
    tcpRetransmittedSegments: 0,
    tcpGaps: 0,
    undecodedLinkType: 0,
  };
  readonly packetDiagnostics: PacketDiagnostic[] = [];
  /** Streams summarised instead of decoded (TLS: "encrypted, N records, no keys"), in the order they ended. */
  readonly streamReports: EngineStreamReport[] = [];
  /** Per row, with `messageFacts`: what the call analysis reads from each message. */
  readonly facts = new FactsTable();
  private readonly collectFacts: boolean;
  /** With `keepMessageBytes`: the bytes of every message, by row. */
  readonly messageBytes: MessageBytesStore | undefined;
  /** Called after each message is added to the index (live views subscribe here). */
  onMessage: ((row: number) => void) | undefined;

  /** The decode state of the packet being handled: `packetState`, or `resumeState` for a reassembled datagram. */
  private state: PacketDecodeState;
  private readonly packetState = new PacketDecodeState();
  private readonly resumeState = new PacketDecodeState();
  /** Decodes HEP packets cut from TCP streams. */
  private readonly hepState = new PacketDecodeState();
  private readonly fields = new IndexFields();
  private readonly tcp: TcpStreamTable<FlowContext>;
  private readonly fragments: IpFragmentTable<FragmentContext>;
  private readonly sctp: SctpMessageTable<FlowContext>;
  private readonly copies: CopyDetector;
  /** Recent IPv4 datagrams by (addresses, identification, checksum), for datagrams captured twice. */
  private readonly datagramHashes = new Uint32Array(DATAGRAM_SLOTS);
  private readonly datagramRows = new Int32Array(DATAGRAM_SLOTS).fill(-1);
  private readonly datagramTimes = new Float64Array(DATAGRAM_SLOTS);
  /** Endpoint (`ip:port`) and stack ids, cached so that address text is formatted once per endpoint. */
  private readonly ipv4Endpoints = new Map<number, number>();
  private readonly ipv6Endpoints = new Map<string, number>();
  private readonly recentEndpointKeys = [-1, -1];
  private readonly recentEndpointIds = [0, 0];
  private readonly stacks = new Map<string, StackInfo>();
  private lastStack: string[] = [];
  private lastStackInfo: StackInfo = { id: 0, outerLayers: [] };
  private readonly outerIds = new Map<string, number>();
  private readonly transportIds: number[] = transportNames.map((name) => this.index.strings.internString(name));
  private readonly webSocketTransportId = this.index.strings.internString('WS');
  /** The packet being decoded and, once computed, its flow description. */
  private current: PacketView | undefined;
  private readonly packetView: PacketView = { frame: 0, tsSec: 0, tsNsec: 0, interfaceId: 0, dataOffset: 0, chunks: undefined, chunksBase: 0 };
  private currentFlow: FlowContext | undefined;
  private readonly packetFlow: FlowContext = { src: 0, dst: 0, transport: 0, stack: 0, outer: 0, capturePoint: 0 };
  private lastFrameWithSip = 0;
  /** Out-values of `locate`. */
  private locatedOffset = 0;
  private locatedChunks: MessageChunk[] | undefined;

  constructor(options: EngineOptions = {}) {
    this.state = this.packetState;
    this.collectFacts = options.messageFacts === true;
    this.messageBytes = options.keepMessageBytes === true ? new MessageBytesStore() : undefined;
    if (options.decodeAs && options.decodeAs.length > 0) {
      const table: DecodeAsTable = decodeAsTable(options.decodeAs);
      this.packetState.decodeAs = table;
      this.resumeState.decodeAs = table;
      this.hepState.decodeAs = table;
    }
    const streamOutputs: StreamOutputs<FlowContext> = {
      message: (flow, bytes, start, end, chunks, diagnostics, framed) => this.addStreamMessage(flow, bytes, start, end, chunks, diagnostics, framed),
      hep: (flow, bytes, start, end, chunks) => this.addHepPacket(flow, bytes, start, end, chunks),
      report: (flow, report) => this.addStreamReport(flow, report),
    };
    this.tcp = new TcpStreamTable<FlowContext>(streamOutputs, (flow, outputs) => this.createStreamSink(flow, outputs));
    this.sctp = new SctpMessageTable<FlowContext>((flow, bytes, start, end, chunks, diagnostics) => this.addSctpMessage(flow, bytes, start, end, chunks, diagnostics));
    this.fragments = new IpFragmentTable<FragmentContext>((datagram) => this.addDatagram(datagram), options.ipFragments);
    this.copies = new CopyDetector(this.index, (a, b) => this.sameMessage(a, b));
  }

  addPacket(packet: CapturedPacket): void {
    const stats = this.stats;
    stats.packets++;
    stats.bytes += packet.capturedLength;
    this.index.noteFrame(packet.frame, packet.originalLength, packet.tsSec, packet.tsNsec);
    const state = this.packetState;
    this.state = state;
    const view = this.packetView;
    view.frame = packet.frame;
    view.tsSec = packet.tsSec;
    view.tsNsec = packet.tsNsec;
    view.interfaceId = packet.interfaceId;
    view.dataOffset = packet.dataOffset;
    view.chunks = undefined;
    view.chunksBase = 0;
    this.current = view;
    this.currentFlow = undefined;
    try {
      dissectPacket(state, packet.linkType, packet.data, packet.capturedLength);
      if (state.ipVersion !== 0) stats.ipPackets++;
      // Datagrams time out in capture time even when no fragment of theirs follows.
      if (this.fragments.pending > 0) this.fragments.expire(packet.tsSec);
      if (state.ipFragment) this.addFragment(packet);
      else this.handleTransport();
    } catch (error) {
      this.addPacketDiagnostic(packet.frame, decoderBug('engine', error));
    }
    this.state = state;
    this.reportPacketProblems(state, packet.frame);
    this.current = undefined;
    this.currentFlow = undefined;
  }

  /** End of input: reports messages left unfinished in TCP streams and datagrams left incomplete. */
  finish(): void {
    this.fragments.finish();
    this.tcp.finish();
    this.sctp.finish();
    this.stats.tcpRetransmittedSegments = this.tcp.retransmittedSegments;
    this.stats.tcpGaps = this.tcp.gaps;
  }

  private handleTransport(): void {
    const state = this.state;
    if (state.transport === Transport.UDP) {
      this.stats.udpPackets++;
      this.handleDatagram();
    } else if (state.transport === Transport.TCP) {
      this.stats.tcpPackets++;
      this.handleSegment();
    } else if (state.transport === Transport.SCTP) {
      this.stats.sctpPackets++;
      this.handleSctpChunks();
    }
  }

  /** Problems on packets that carried no SIP: keep errors and warnings, not routine notes (fragments). */
  private reportPacketProblems(state: PacketDecodeState, frame: number): void {
    if (!state.diagnostics || this.lastFrameWithSip === frame) return;
    let counted = false;
    for (const d of state.diagnostics) {
      if (d.kind === 'unsupported' && d.layer === 'frame') this.stats.undecodedLinkType++;
      if (d.severity === 'note') continue;
      if (!counted) {
        this.stats.packetsWithDiagnostics++;
        counted = true;
      }
      this.addPacketDiagnostic(frame, d);
    }
  }

  private addPacketDiagnostic(frame: number, diagnostic: Diagnostic): void {
    if (this.packetDiagnostics.length < MAX_PACKET_DIAGNOSTICS) this.packetDiagnostics.push({ frame, diagnostic });
  }

  /** One IP fragment into the reassembly table; the datagram comes back through `addDatagram`. */
  private addFragment(packet: CapturedPacket): void {
    const state = this.state;
    this.stats.ipFragments++;
    const b = state.bytes;
    const n = state.ipVersion === 4 ? 4 : 16;
    // RFC 791 §3.2 / RFC 8200 §4.5: source, destination, identification and protocol name a datagram.
    let key = state.ipVersion === 4 ? '4' : '6';
    for (let i = 0; i < n; i++) key += String.fromCharCode(b[state.srcAddrOffset + i]);
    for (let i = 0; i < n; i++) key += String.fromCharCode(b[state.dstAddrOffset + i]);
    key += `${state.fragmentId}/${state.fragmentProtocol}`;
    const start = state.fragmentPayloadStart;
    const end = state.fragmentPayloadEnd;
    let context: FragmentContext | undefined;
    if (state.fragmentOffset === 0) {
      // Keep the layers of the first fragment: decoding resumes after them once the datagram is whole.
      const depth = state.stack.length;
      context = {
        prefix: b.slice(0, start),
        stack: state.stack.slice(0, depth),
        layerStarts: state.layerStarts.slice(0, depth),
        ipVersion: state.ipVersion as 4 | 6,
        srcAddrOffset: state.srcAddrOffset,
        dstAddrOffset: state.dstAddrOffset,
        protocol: state.fragmentProtocol,
        interfaceId: packet.interfaceId,
        diagnostics: (state.diagnostics ?? []).filter((d) => d.severity !== 'note'),
      };
    }
    const chunk: TimedChunk = { frame: packet.frame, fileOffset: packet.dataOffset + start, length: end - start, tsSec: packet.tsSec, tsNsec: packet.tsNsec };
    this.fragments.add(key, state.ipVersion as 4 | 6, state.fragmentOffset * 8, state.moreFragments, b, start, end, chunk, context, packet.tsSec, state.fragmentWireLength);
    // The fragment's own problems travel with the datagram (first fragment) or are reported now.
    if (context) state.diagnostics = undefined;
  }

  /**
   * A datagram out of the reassembly table, whole or (evicted, end of capture) incomplete: decoding resumes
   * at the protocol it carries, with the first fragment's layers in front, and its message is attributed
   * to the fragment that completed it.
   */
  private addDatagram(datagram: ReassembledDatagram<FragmentContext>): void {
    const context = datagram.context;
    const stats = this.stats;
    if (datagram.complete) stats.ipReassembled++;
    else stats.ipIncomplete++;
    const last = latestChunk(datagram.chunks);
    if (!context) {
      // Without the first fragment there are no transport headers to decode: say what was lost.
      const frames = datagram.frames;
      const lost = datagram.diagnostics.map((d) => d.message).join('; ');
      this.addPacketDiagnostic(frames[frames.length - 1], {
        kind: 'truncated',
        severity: 'warning',
        layer: 'ip',
        message: `incomplete IP datagram: its first fragment was never captured, ${datagram.payload.length === 0 ? 'nothing' : 'its data'} could not be decoded (fragment frames ${frames.join(', ')})${lost ? `; ${lost}` : ''}`,
      });
      stats.packetsWithDiagnostics++;
      return;
    }
    // Exports of a message must carry every fragment, not only those whose bytes the message holds.
    if (datagram.frames.length > 1) this.index.noteFragmentFrames(last.frame, datagram.frames);
    const outerState = this.state;
    const outerView = this.current;
    const outerFlow = this.currentFlow;
    const state = this.resumeState;
    const bytes = new Uint8Array(context.prefix.length + datagram.payload.length);
    bytes.set(context.prefix, 0);
    bytes.set(datagram.payload, context.prefix.length);
    state.reset(bytes, bytes.length);
    for (let i = 0; i < context.stack.length; i++) state.push(context.stack[i], context.layerStarts[i]);
    state.ipVersion = context.ipVersion;
    state.srcAddrOffset = context.srcAddrOffset;
    state.dstAddrOffset = context.dstAddrOffset;
    for (const d of context.diagnostics) state.diagnose(d);
    for (const d of datagram.diagnostics) state.diagnose(d);
    const view: PacketView = {
      frame: last.frame,
      tsSec: last.tsSec,
      tsNsec: last.tsNsec,
      interfaceId: context.interfaceId,
      dataOffset: 0,
      chunks: datagram.chunks,
      chunksBase: context.prefix.length,
    };
    this.state = state;
    this.current = view;
    this.currentFlow = undefined;
    try {
      dispatchIpProtocol(state, context.protocol, context.prefix.length);
      this.handleTransport();
    } catch (error) {
      state.diagnose(decoderBug(state.stack[state.stack.length - 1] ?? 'ip', error));
    }
    this.reportPacketProblems(state, view.frame);
    this.state = outerState;
    this.current = outerView;
    this.currentFlow = outerFlow;
  }

  /** Addresses and encapsulation of the packet being decoded, formatted once per distinct value. */
  private flow(): FlowContext {
    if (this.currentFlow) return this.currentFlow;
    const state = this.state;
    let info = this.lastStackInfo;
    if (!sameStack(state.stack, this.lastStack)) {
      // Layer names are shared constants, so consecutive packets of one encapsulation compare by reference
      // and no key string is built per packet.
      const stackKey = state.stack.join('/');
      let known = this.stacks.get(stackKey);
      if (!known) {
        known = { id: this.index.strings.internString(stackKey), outerLayers: outerLayersOf(state.stack, state.hep !== undefined) };
        this.stacks.set(stackKey, known);
      }
      info = known;
      this.lastStack = [...state.stack];
      this.lastStackInfo = info;
    }
    // One object reused for every packet: datagram messages read it at once; TCP copies it per direction.
    const flow = this.packetFlow;
    flow.src = this.endpoint(state.srcAddrOffset, state.srcPort);
    flow.dst = this.endpoint(state.dstAddrOffset, state.dstPort);
    flow.transport = this.transportIds[state.transport];
    flow.stack = info.id;
    flow.outer = info.outerLayers.length > 0 ? this.outerId(info.outerLayers) : 0;
    flow.capturePoint = this.capturePointOf(info.id, flow.outer);
    this.currentFlow = flow;
    return flow;
  }

  /**
   * Where the packet was seen: interface, encapsulation, outer layers and, on Ethernet, the MAC address pair.
   * Two taps on either side of a router see one packet with the same layers but other MACs: without them,
   * the copy would pass for a retransmission. A number compared for equality (a hash: collisions only merge
   * two capture points).
   */
  private capturePointOf(stack: number, outer: number): number {
    const state = this.state;
    let h = Math.imul(stack ^ 0x9e3779b9, 0x85ebca6b) ^ outer;
    h = Math.imul(h ^ (h >>> 15), 0xc2b2ae35) ^ (this.current?.interfaceId ?? 0);
    if (state.stack[0] === 'eth' && state.bytes.length >= 12 && state.layerStarts[0] === 0) {
      for (let i = 0; i < 12; i += 4) h = Math.imul(h ^ (((state.bytes[i] << 24) | (state.bytes[i + 1] << 16) | (state.bytes[i + 2] << 8) | state.bytes[i + 3]) >>> 0), 0x01000193);
    }
    return (h ^ (h >>> 13)) >>> 0;
  }

  /** The outer layers of the packet being decoded, as interned JSON text (one text per distinct tunnel). */
  private outerId(layers: readonly number[]): number {
    const state = this.state;
    const details: Record<string, string | number>[] = [];
    for (const i of layers) {
      const layer = state.stack[i];
      const start = state.layerStarts[i];
      const fields = describeLayer(state, layer, start);
      if (fields) {
        // Fields that change with every packet stay out, so one text serves every packet of a tunnel (and
        // names one capture point): the HEP agent's time is the message's own time (handleDatagram), the
        // ESP sequence number is kept per message (addMessage).
        delete fields['hep.agent_time'];
        delete fields['esp.sequence'];
      }
      details.push({ layer, ...fields });
    }
    return this.outerTextId(JSON.stringify(details));
  }

  /** The id of an outer-layers JSON text, interned once. */
  private outerTextId(text: string): number {
    let id = this.outerIds.get(text);
    if (id === undefined) {
      id = this.index.strings.internString(text);
      this.outerIds.set(text, id);
    }
    return id;
  }

  /** The id and outer layers of an encapsulation (`eth/ipv4/udp`), computed once per distinct stack. */
  private stackInfo(stackKey: string, outerLayers: number[]): StackInfo {
    let info = this.stacks.get(stackKey);
    if (!info) {
      info = { id: this.index.strings.internString(stackKey), outerLayers };
      this.stacks.set(stackKey, info);
    }
    return info;
  }

  private endpoint(addressOffset: number, port: number): number {
    const state = this.state;
    const b = state.bytes;
    if (state.ipVersion === 4) {
      const key = ((b[addressOffset] << 24) | (b[addressOffset + 1] << 16) | (b[addressOffset + 2] << 8) | b[addressOffset + 3]) >>> 0;
      const numeric = key * 65536 + port;
      // Signalling runs between a few endpoints: the last two looked up answer most packets.
      if (numeric === this.recentEndpointKeys[0]) return this.recentEndpointIds[0];
      if (numeric === this.recentEndpointKeys[1]) return this.recentEndpointIds[1];
      let id = this.ipv4Endpoints.get(numeric);
      if (id === undefined) {
        id = this.index.strings.internString(formatEndpoint(formatIpv4(b, addressOffset), port));
        this.ipv4Endpoints.set(numeric, id);
      }
      this.recentEndpointKeys[1] = this.recentEndpointKeys[0];
      this.recentEndpointIds[1] = this.recentEndpointIds[0];
      this.recentEndpointKeys[0] = numeric;
      this.recentEndpointIds[0] = id;
      return id;
    }
    if (state.ipVersion === 6) {
      let key = String(port);
      for (let i = 0; i < 16; i++) key += String.fromCharCode(b[addressOffset + i]);
      let id = this.ipv6Endpoints.get(key);
      if (id === undefined) {
        id = this.index.strings.internString(formatEndpoint(formatIpv6(b, addressOffset), port));
        this.ipv6Endpoints.set(key, id);
      }
      return id;
    }
    return 0;
  }

  /**
   * Where bytes [start, end) of the decoded buffer are in the capture: sets `locatedOffset` and, for a
   * reassembled datagram, `locatedChunks` (one per fragment; undefined for bytes of one frame). Fields,
   * not a returned object: this runs for every message.
   */
  private locate(start: number, end: number): void {
    const view = this.current as PacketView;
    if (!view.chunks) {
      this.locatedOffset = view.dataOffset + start;
      this.locatedChunks = undefined;
      return;
    }
    const chunks = sliceChunks(view.chunks, start - view.chunksBase, end - view.chunksBase).map(({ frame, fileOffset, length }) => ({ frame, fileOffset, length }));
    this.locatedOffset = chunks.length > 0 ? chunks[0].fileOffset : 0;
    this.locatedChunks = chunks;
  }

  private handleDatagram(): void {
    const state = this.state;
    const bytes = state.bytes;
    let start = state.payloadStart;
    const end = state.payloadEnd;
    if (end - start < 12) return; // keep-alives (CRLF, 4-byte zeros, STUN-less pings) are not messages
    if (state.decodeAs.udp.size > 0 && forcedNone(state.decodeAs.udp, state.srcPort, state.dstPort)) return;
    // Clean SIP (nearly all of it) is recognised by the fast scan itself; the start-line checks below only
    // run for what it declines: malformed SIP, and the RTP and other traffic that is not SIP at all.
    let scanned = scanIndexFields(bytes, start, end, false, this.fields);
    let diagnostics = NO_DIAGNOSTICS; // shared and never written to: most datagrams are clean or not SIP
    if (!scanned && !looksLikeSipStart(bytes, start, end)) {
      const found = findSipStart(bytes, start, end);
      if (found < 0) return;
      diagnostics = [malformed('sip', `${found - start} byte(s) of non-SIP data before the start line`, found - start)];
      start = found;
      scanned = scanIndexFields(bytes, start, end, false, this.fields);
    }
    const view = this.current as PacketView;
    // A HEP-carried message is timed by the agent that captured it, not by the collector's receive time.
    const hep = state.hep;
    const timed = hep !== undefined && hep.tsSec > 0;
    const tsSec = timed ? hep.tsSec : view.tsSec;
    const tsNsec = timed ? hep.tsUsec * 1000 : view.tsNsec;
    if (hep !== undefined && state.transport === Transport.TCP) {
      // An agent mirroring TCP sends segment payloads: several messages may share one (RFC 3261 §18.3 framing).
      this.addSegmentMessages(bytes, start, end, diagnostics, tsSec, tsNsec);
      return;
    }
    this.locate(start, end);
    const chunks = this.locatedChunks;
    this.addMessage(this.flow(), bytes, start, end, false, diagnostics, view.frame, chunks ? chunks[0].frame : view.frame, tsSec, tsNsec, this.locatedOffset, chunks, scanned);
  }

  /** The SIP messages of one mirrored TCP segment payload, framed by Content-Length; a cut last one is flagged by the parser. */
  private addSegmentMessages(bytes: Uint8Array, start: number, end: number, diagnostics: Diagnostic[], tsSec: number, tsNsec: number): void {
    const view = this.current as PacketView;
    let pos = start;
    for (let count = 0; pos < end; count++) {
      while (pos < end && (bytes[pos] === 0x0d || bytes[pos] === 0x0a)) pos++;
      if (end - pos < 12 || (count > 0 && !looksLikeSipStart(bytes, pos, end))) break;
      const length = sipFrameLength(bytes, pos, end);
      const messageEnd = length < 0 || pos + length > end ? end : pos + length;
      this.locate(pos, messageEnd);
      const chunks = this.locatedChunks;
      const scanned = scanIndexFields(bytes, pos, messageEnd, true, this.fields);
      this.addMessage(this.flow(), bytes, pos, messageEnd, true, count === 0 ? diagnostics : NO_DIAGNOSTICS, view.frame, chunks ? chunks[0].frame : view.frame, tsSec, tsNsec, this.locatedOffset, chunks, scanned);
      pos = messageEnd;
    }
  }

  private handleSegment(): void {
    const state = this.state;
    const view = this.current as PacketView;
    const bytes = state.bytes;
    const key = this.flowKey();
    const flags = state.tcpFlags;
    this.locate(state.payloadStart, state.payloadEnd);
    this.tcp.segment(
      key,
      () => ({ ...this.flow() }),
      state.tcpSeq,
      (flags & TCP_SYN) !== 0,
      (flags & (TCP_FIN | TCP_RST)) !== 0,
      bytes,
      state.payloadStart,
      state.payloadEnd,
      // A segment put back together from IP fragments is filed under the fragment that completed it.
      { frame: view.frame, fileOffset: this.locatedOffset, length: state.payloadEnd - state.payloadStart, tsSec: view.tsSec, tsNsec: view.tsNsec },
      (flags & TCP_RST) !== 0,
    );
  }

  /**
   * One HEP packet cut from a TCP stream (HEP over TCP, `HepStreamSink`): decoded as a HEP datagram would
   * be, its message shown between the endpoints the agent captured, the collector's connection kept as
   * its outer layers.
   */
  private addHepPacket(collector: FlowContext, bytes: Uint8Array, start: number, end: number, chunks: TimedChunk[]): void {
    const state = this.hepState;
    state.reset(bytes, end);
    decodeHep(state, start);
    const last = latestChunk(chunks);
    const view: PacketView = { frame: last.frame, tsSec: last.tsSec, tsNsec: last.tsNsec, interfaceId: 0, dataOffset: 0, chunks, chunksBase: start };
    const outerState = this.state;
    const outerView = this.current;
    const outerFlow = this.currentFlow;
    this.state = state;
    this.current = view;
    try {
      if (state.hep && state.transport !== Transport.None) {
        const strings = this.index.strings;
        const collectorStack = strings.get(collector.stack);
        const stackKey = `${collectorStack}/${state.stack.join('/')}`;
        const info = this.stackInfo(stackKey, []);
        const hepFields = describeLayer(state, state.stack[0], start) ?? {};
        delete hepFields['hep.agent_time'];
        const outerText = JSON.stringify([{ layer: 'tcp', 'tcp.src': strings.get(collector.src), 'tcp.dst': strings.get(collector.dst) }, { layer: state.stack[0], ...hepFields }]);
        const outer = this.outerTextId(outerText);
        this.currentFlow = {
          src: this.endpoint(state.srcAddrOffset, state.srcPort),
          dst: this.endpoint(state.dstAddrOffset, state.dstPort),
          transport: this.transportIds[state.transport],
          stack: info.id,
          outer,
          capturePoint: (info.id * 0x100000 + outer) * 256,
        };
        this.handleDatagram();
      }
    } catch (error) {
      state.diagnose(decoderBug('hep3', error));
    }
    this.reportPacketProblems(state, view.frame);
    this.state = outerState;
    this.current = outerView;
    this.currentFlow = outerFlow;
  }

  /**
   * The sink of a new TCP direction: a sniffer that recognises SIP, SIP over WebSocket, TLS or HEP from the
   * first bytes (or obeys a decode-as rule for either port; called while the direction's first segment is
   * the packet being decoded). Messages that came over WebSocket are shown with transport `WS` and a
   * `websocket` layer, as Wireshark does.
   */
  private createStreamSink(flow: FlowContext, outputs: StreamOutputs<FlowContext>): StreamSink {
    const state = this.state;
    const rules = state.decodeAs.tcp;
    const forced = rules.size > 0 ? (rules.get(state.dstPort) ?? rules.get(state.srcPort)) : undefined;
    let webSocketFlow: FlowContext | undefined;
    const perDirection: StreamOutputs<FlowContext> = {
      message: (messageFlow, bytes, start, end, chunks, diagnostics, framed) => {
        if (sniffer.protocol === 'websocket') {
          webSocketFlow ??= this.webSocketFlow(messageFlow);
          messageFlow = webSocketFlow;
        }
        outputs.message(messageFlow, bytes, start, end, chunks, diagnostics, framed);
      },
      hep: outputs.hep,
      report: outputs.report,
    };
    const stats = this.tcp.framerStats;
    const sniffer = new StreamProtocolSniffer<FlowContext>(flow, perDirection, (f, o) => new SipStreamFramer(f, o, stats), forced);
    return sniffer;
  }

  private webSocketFlow(flow: FlowContext): FlowContext {
    const strings = this.index.strings;
    return { ...flow, transport: this.webSocketTransportId, stack: this.stackInfo(`${strings.get(flow.stack)}/websocket`, []).id };
  }

  /** A stream that carried nothing readable as SIP: reported with its endpoints (summary, app status). */
  private addStreamReport(flow: FlowContext, report: StreamReport): void {
    this.stats.streamReports++;
    if (this.streamReports.length >= MAX_STREAM_REPORTS) return; // counted above; a trace of 100k TLS connections keeps the first
    const strings = this.index.strings;
    this.streamReports.push({ ...report, src: strings.get(flow.src), dst: strings.get(flow.dst), transport: strings.get(flow.transport) });
  }

  /** SCTP DATA chunks: user messages put back together (RFC 9260 §6.9), one SIP message each (RFC 4168 §5). */
  private handleSctpChunks(): void {
    const state = this.state;
    if (state.sctpChunkCount === 0) return;
    if (state.decodeAs.sctp.size > 0 && forcedNone(state.decodeAs.sctp, state.srcPort, state.dstPort)) return;
    const view = this.current as PacketView;
    const vtag = state.sctpVerificationTag;
    const key = `${this.flowKey()}${String.fromCharCode(vtag >>> 16, vtag & 0xffff)}`;
    for (let i = 0; i < state.sctpChunkCount; i++) {
      const chunk = state.sctpChunks[i];
      this.locate(chunk.payloadStart, chunk.payloadEnd);
      this.sctp.add(key, () => ({ ...this.flow() }), state.bytes, chunk, {
        frame: view.frame,
        fileOffset: this.locatedOffset,
        length: chunk.payloadEnd - chunk.payloadStart,
        tsSec: view.tsSec,
        tsNsec: view.tsNsec,
      });
    }
  }

  /** An SCTP user message: SIP when it starts like SIP (Diameter, S1AP and NGAP share the associations' capture). */
  private addSctpMessage(flow: FlowContext, bytes: Uint8Array, start: number, end: number, chunks: TimedChunk[], diagnostics: Diagnostic[]): void {
    if (end - start < 12 || !looksLikeSipStart(bytes, start, end)) return;
    this.addStreamMessage(flow, bytes, start, end, chunks, diagnostics, false);
  }

  /** Direction key of the innermost TCP flow: addresses and ports as raw text, cheap and unambiguous. */
  private flowKey(): string {
    const state = this.state;
    const b = state.bytes;
    const n = state.ipVersion === 4 ? 4 : 16;
    let key = '';
    for (let i = 0; i < n; i++) key += String.fromCharCode(b[state.srcAddrOffset + i]);
    key += String.fromCharCode(state.srcPort >> 8, state.srcPort & 0xff);
    for (let i = 0; i < n; i++) key += String.fromCharCode(b[state.dstAddrOffset + i]);
    key += String.fromCharCode(state.dstPort >> 8, state.dstPort & 0xff);
    return key;
  }

  /**
   * A message framed out of a stream. Its frame and time are those of the segment that completed it: the
   * last of its bytes to arrive, which is the last in sequence order unless segments came out of order.
   */
  private addStreamMessage(flow: FlowContext, bytes: Uint8Array, start: number, end: number, chunks: TimedChunk[], diagnostics: Diagnostic[], complete: boolean): void {
    let last = chunks[0];
    let firstFrame = chunks[0].frame;
    for (const chunk of chunks) {
      if (chunk.frame > last.frame) last = chunk;
      if (chunk.frame < firstFrame) firstFrame = chunk.frame;
    }
    const plain = chunks.map(({ frame, fileOffset, length }) => ({ frame, fileOffset, length }));
    const scanned = scanIndexFields(bytes, start, end, complete, this.fields);
    this.addMessage(flow, bytes, start, end, complete, diagnostics, last.frame, firstFrame, last.tsSec, last.tsNsec, chunks[0].fileOffset, plain, scanned);
  }

  /**
   * Indexes one message: `frame` and the time are those of its last byte; `chunks` (stream messages) say
   * which frames it came from. `streamFraming`: the message ends after Content-Length body bytes.
   */
  private addMessage(
    flow: FlowContext,
    bytes: Uint8Array,
    start: number,
    end: number,
    streamFraming: boolean,
    diagnostics: Diagnostic[],
    frame: number,
    firstFrame: number,
    tsSec: number,
    tsNsec: number,
    fileOffset: number,
    chunks: MessageChunk[] | undefined,
    /** `this.fields` holds the fast scan of exactly this message (scanIndexFields accepted it). */
    scanned: boolean,
  ): void {
    const view = this.current;
    const index = this.index;
    const strings = index.strings;
    // Layer problems of the packet that completed the message belong to the message.
    const packetProblems = this.state.diagnostics !== undefined && view !== undefined && frame === view.frame;
    let problems = packetProblems ? [...diagnostics, ...(this.state.diagnostics as Diagnostic[])] : diagnostics;
    const f = this.fields;
    let row: number;
    let request: boolean;
    // With facts wanted, a clean message is read by a line walk; anything else is parsed in full anyway.
    let parsed: SipMessage | undefined;
    if (scanned) {
      if (this.collectFacts) this.facts.set(this.index.count, scanFacts(bytes, start, f.end));
      // Fast path: a clean message; every field is interned straight from the packet bytes.
      row = index.appendRow(frame, firstFrame, tsSec, tsNsec, f.end - start, fileOffset, chunks);
      this.messageBytes?.set(row, bytes, start, f.end);
      request = f.request;
      let methodOrReason: number;
      if (request) {
        // The fast scan checked that the CSeq method is the request method: one id serves both.
        methodOrReason = strings.internMemo(TextColumn.MethodOrReason, bytes, f.methodStart, f.methodEnd);
        index.setRequest(row, methodOrReason);
        index.setCSeq(row, f.cseqSeq, methodOrReason);
      } else {
        methodOrReason = strings.internMemo(TextColumn.MethodOrReason, bytes, f.reasonStart, f.reasonEnd);
        index.setResponse(row, f.status, methodOrReason);
        index.setCSeq(row, f.cseqSeq, strings.internMemo(TextColumn.CSeqMethod, bytes, f.cseqMethodStart, f.cseqMethodEnd));
      }
      const callId = strings.internMemo(TextColumn.CallId, bytes, f.callIdStart, f.callIdEnd);
      index.setText(row, TextColumn.CallId, callId);
      index.setText(row, TextColumn.FromUri, strings.internMemo(TextColumn.FromUri, bytes, f.fromUriStart, f.fromUriEnd));
      index.setText(row, TextColumn.FromTag, strings.internMemo(TextColumn.FromTag, bytes, f.fromTagStart, f.fromTagEnd));
      index.setText(row, TextColumn.ToUri, strings.internMemo(TextColumn.ToUri, bytes, f.toUriStart, f.toUriEnd));
      index.setText(row, TextColumn.ToTag, strings.internMemo(TextColumn.ToTag, bytes, f.toTagStart, f.toTagEnd));
      index.setBranch(row, bytes, f.branchStart, f.branchEnd);
    } else {
      // Anything unusual: the full parser, which says what is wrong.
      const message = parseSip(bytes, start, end, { stream: streamFraming });
      parsed = this.collectFacts ? message : undefined;
      if (message.diagnostics.length > 0) problems = [...problems, ...message.diagnostics];
      row = index.appendRow(frame, firstFrame, tsSec, tsNsec, message.end - start, fileOffset, chunks);
      this.messageBytes?.set(row, bytes, start, message.end);
      request = message.kind === 'request';
      const methodOrReason = strings.internString(request ? message.method : message.reason);
      if (request) index.setRequest(row, methodOrReason);
      else index.setResponse(row, message.statusCode, methodOrReason);
      const callId = strings.internString(message.callId);
      index.setText(row, TextColumn.CallId, callId);
      if (message.cseq) index.setCSeq(row, message.cseq.seq, strings.internString(message.cseq.method));
      index.setText(row, TextColumn.FromUri, strings.internString(message.from?.uri));
      index.setText(row, TextColumn.FromTag, strings.internString(message.from?.tag));
      index.setText(row, TextColumn.ToUri, strings.internString(message.to?.uri));
      index.setText(row, TextColumn.ToTag, strings.internString(message.to?.tag));
      index.setBranchString(row, message.vias[0]?.branch);
    }
    index.setText(row, TextColumn.Src, flow.src);
    index.setText(row, TextColumn.Dst, flow.dst);
    index.setText(row, TextColumn.Transport, flow.transport);
    index.setText(row, TextColumn.Stack, flow.stack);
    if (flow.outer !== 0) {
      index.setText(row, TextColumn.Outer, flow.outer);
      // RFC 4303 §2.2: the ESP sequence number of the packet that completed the message (kept per row:
      // it changes with every packet, unlike the SPI).
      const state = this.state;
      const esp = view !== undefined && frame === view.frame ? state.stack.lastIndexOf('esp') : -1;
      if (esp >= 0 && state.layerStarts[esp] + 8 <= state.bytes.length) index.setOuterField(row, 'esp', 'esp.sequence', u32(state.bytes, state.layerStarts[esp] + 4));
    }
    index.setDiagnostics(row, problems);
    if (parsed) {
      try {
        this.facts.set(row, extractFacts(parsed));
      } catch (error) {
        index.setDiagnostics(row, [...problems, decoderBug('calls', error)]);
      }
    }
    const stats = this.stats;
    stats.sipMessages++;
    if (request) stats.requests++;
    else stats.responses++;
    if (this.index.hasError(row)) stats.messagesWithErrors++;
    else if (this.index.hasWarning(row)) stats.messagesWithWarnings++;
    if (view && this.lastFrameWithSip !== view.frame) {
      this.lastFrameWithSip = view.frame;
      stats.sipPackets++;
    }
    const time = tsSec + tsNsec / 1e9;
    // A second capture of one datagram is a duplicate whatever else it matches (it may also be linked to the
    // message's copy at another capture point).
    const duplicateOf = this.sameDatagram(row, time);
    if (duplicateOf >= 0) index.markDuplicate(row);
    let copyOf = this.copies.add(row, flow.capturePoint, time);
    if (copyOf < 0) copyOf = duplicateOf;
    if (copyOf >= 0) {
      index.markCopy(copyOf, row);
      stats.copies++;
    }
    this.onMessage?.(row);
  }

  /**
   * The same IPv4 datagram captured twice (a SPAN port that copies a link twice, a capture on two bridged
   * interfaces): the same addresses, IP identification and UDP checksum within a second. A retransmission is a
   * new datagram with a new identification (RFC 791 §3.2), so it never matches; a zero identification (some
   * stacks leave it zero with DF set, RFC 6864 §4.1) tells nothing and is skipped. Returns the earlier row, or -1.
   */
  private sameDatagram(row: number, time: number): number {
    const state = this.state;
    if (state.ipVersion !== 4 || state.transport !== Transport.UDP || state.hep !== undefined || this.current?.chunks !== undefined) return -1;
    const b = state.bytes;
    const ipId = (b[state.srcAddrOffset - 8] << 8) | b[state.srcAddrOffset - 7];
    if (ipId === 0) return -1;
    const checksum = (b[state.payloadStart - 2] << 8) | b[state.payloadStart - 1];
    let h = Math.imul(ipId ^ 0x9e3779b9, 0x85ebca6b) ^ checksum;
    for (let i = 0; i < 8; i++) h = Math.imul(h ^ b[state.srcAddrOffset + i], 0x01000193);
    h = (h ^ (h >>> 15)) >>> 0;
    const slot = h & (DATAGRAM_SLOTS - 1);
    const earlier = this.datagramRows[slot];
    const match = earlier >= 0 && this.datagramHashes[slot] === h && time - this.datagramTimes[slot] <= 1 && this.index.sizeOf(earlier) === this.index.sizeOf(row) && this.sameMessage(earlier, row);
    this.datagramHashes[slot] = h;
    this.datagramRows[slot] = match ? earlier : row;
    this.datagramTimes[slot] = match ? this.datagramTimes[slot] : time;
    return match ? earlier : -1;
  }

  /** Same Call-ID, CSeq, method or status, size and top Via branch: the identity `CopyDetector` hashes. */
  private sameMessage(a: number, b: number): boolean {
    const index = this.index;
    return (
      index.textId(a, TextColumn.CallId) === index.textId(b, TextColumn.CallId) &&
      index.textId(a, TextColumn.MethodOrReason) === index.textId(b, TextColumn.MethodOrReason) &&
      index.statusOf(a) === index.statusOf(b) &&
      index.cseqOf(a) === index.cseqOf(b) &&
      index.sizeOf(a) === index.sizeOf(b) &&
      index.branchOf(a) === index.branchOf(b)
    );
  }
}

/** Which layers of a stack are outer layers worth showing: tunnel headers, and addresses a tunnel hides. */
function outerLayersOf(stack: readonly string[], hep: boolean): number[] {
  // The innermost IP layer's addresses are the message's own (for HEP, the HEP chunks' are).
  let innermostIp = -1;
  if (!hep) for (let i = stack.length - 1; i >= 0; i--) if (stack[i] === 'ipv4' || stack[i] === 'ipv6') {
    innermostIp = i;
    break;
  }
  const layers: number[] = [];
  let tunnelled = false;
  for (let i = 0; i < stack.length; i++) {
    const layer = stack[i];
    if (ADDRESS_LAYERS.has(layer)) {
      if (hep || i < innermostIp) layers.push(i);
    } else if (layerDescribers.has(layer)) {
      layers.push(i);
      tunnelled = true;
    }
  }
  // Plain IP under an Ethernet or VLAN header has no outer layers; IP-in-IP does (two IP layers).
  const ipLayers = stack.filter((l) => l === 'ipv4' || l === 'ipv6').length;
  return tunnelled || ipLayers > 1 || hep ? layers : [];
}

/** A layer's fields for the outer-layers view: addresses and ports here, tunnel fields from its decoder. */
function describeLayer(state: PacketDecodeState, layer: string, start: number): Record<string, string | number> | undefined {
  const b = state.bytes;
  switch (layer) {
    // Field names as Wireshark's, so that display filters and users find them under the names they know.
    case 'ipv4':
      return start + 20 <= b.length ? { 'ip.src': formatIpv4(b, start + 12), 'ip.dst': formatIpv4(b, start + 16) } : undefined;
    case 'ipv6':
      return start + 40 <= b.length ? { 'ipv6.src': formatIpv6(b, start + 8), 'ipv6.dst': formatIpv6(b, start + 24) } : undefined;
    case 'udp':
    case 'tcp':
    case 'sctp':
      return start + 4 <= b.length ? { [`${layer}.srcport`]: (b[start] << 8) | b[start + 1], [`${layer}.dstport`]: (b[start + 2] << 8) | b[start + 3] } : undefined;
    default:
      return layerDescribers.get(layer)?.(b, start, b.length);
  }
}

/** A decode-as rule says this port carries no SIP: the user chose to skip it. */
function forcedNone(rules: Map<number, string>, srcPort: number, dstPort: number): boolean {
  return (rules.get(dstPort) ?? rules.get(srcPort)) === 'none';
}

/** The chunk of the frame that arrived last: the one that completed a message or datagram. */
function latestChunk(chunks: readonly TimedChunk[]): TimedChunk {
  let last = chunks[0];
  for (const chunk of chunks) if (chunk.frame > last.frame) last = chunk;
  return last;
}

function sameStack(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
