import type { CapturedPacket } from '../capture/types.js';
import { decoderBug, malformed, type Diagnostic } from '../diagnostics.js';
import { MessageIndex, TextColumn, type MessageChunk } from '../index/message-index.js';
import { dissectPacket } from '../layers/dissect.js';
import { PacketDecodeState, Transport, transportNames } from '../layers/packet.js';
import { TCP_FIN, TCP_RST, TCP_SYN } from '../layers/tcp.js';
import { formatEndpoint, formatIpv4, formatIpv6 } from '../net/address.js';
import { IndexFields, scanIndexFields } from '../sip/index-scan.js';
import { findSipStart, looksLikeSipStart, parseSip } from '../sip/parser.js';
import type { TimedChunk } from '../stream/chunks.js';
import { TcpStreamTable } from '../stream/tcp-stream.js';

/** Counters for the summary: what the engine saw, so nothing disappears without a number. */
export interface EngineStats {
  packets: number;
  bytes: number;
  /** Packets whose layers reached IPv4/IPv6. */
  ipPackets: number;
  udpPackets: number;
  tcpPackets: number;
  /** Packets that carried (part of) at least one SIP message. */
  sipPackets: number;
  sipMessages: number;
  requests: number;
  responses: number;
  /** Messages with at least one error/warning diagnostic. */
  messagesWithErrors: number;
  messagesWithWarnings: number;
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

/** Per-packet context the SIP stage needs after the layers are decoded. */
interface FlowContext {
  /** Ids in the index's string table. */
  src: number;
  dst: number;
  transport: number;
  stack: number;
}

/** The empty diagnostics list, shared (callers copy before adding). */
const NO_DIAGNOSTICS: Diagnostic[] = [];

/** Bound on packet-level diagnostics kept for packets that carried no SIP (the counters keep counting). */
const MAX_PACKET_DIAGNOSTICS = 100_000;

/**
 * The engine: consumes captured packets one at a time (from a file, a live capture or a HEP feed alike),
 * decodes their layers, finds the SIP messages in UDP datagrams and TCP streams, and appends them to the
 * message index. It never throws on packet content: problems become diagnostics on the message, or on the
 * packet when no message came of it.
 */
export class TraceEngine {
  readonly index = new MessageIndex();
  readonly stats: EngineStats = {
    packets: 0,
    bytes: 0,
    ipPackets: 0,
    udpPackets: 0,
    tcpPackets: 0,
    sipPackets: 0,
    sipMessages: 0,
    requests: 0,
    responses: 0,
    messagesWithErrors: 0,
    messagesWithWarnings: 0,
    packetsWithDiagnostics: 0,
    tcpRetransmittedSegments: 0,
    tcpGaps: 0,
    undecodedLinkType: 0,
  };
  readonly packetDiagnostics: PacketDiagnostic[] = [];
  /** Called after each message is added to the index (live views subscribe here). */
  onMessage: ((row: number) => void) | undefined;

  private readonly state = new PacketDecodeState();
  private readonly fields = new IndexFields();
  private readonly tcp: TcpStreamTable<FlowContext>;
  /** Endpoint (`ip:port`) and stack ids, cached so that address text is formatted once per endpoint. */
  private readonly ipv4Endpoints = new Map<number, number>();
  private readonly ipv6Endpoints = new Map<string, number>();
  private readonly recentEndpointKeys = [-1, -1];
  private readonly recentEndpointIds = [0, 0];
  private readonly stackIds = new Map<string, number>();
  private lastStack: string[] = [];
  private lastStackId = 0;
  private readonly transportIds: number[] = transportNames.map((name) => this.index.strings.internString(name));
  /** The packet being decoded and, once computed, its flow description. */
  private currentPacket: CapturedPacket | undefined;
  private currentFlow: FlowContext | undefined;
  private readonly packetFlow: FlowContext = { src: 0, dst: 0, transport: 0, stack: 0 };
  private lastFrameWithSip = 0;

  constructor() {
    this.tcp = new TcpStreamTable<FlowContext>((flow, bytes, start, end, chunks, diagnostics, complete) =>
      this.addStreamMessage(flow, bytes, start, end, chunks, diagnostics, complete),
    );
  }

  addPacket(packet: CapturedPacket): void {
    const stats = this.stats;
    stats.packets++;
    stats.bytes += packet.capturedLength;
    const state = this.state;
    this.currentPacket = packet;
    this.currentFlow = undefined;
    try {
      dissectPacket(state, packet.linkType, packet.data, packet.capturedLength);
      if (state.ipVersion !== 0) stats.ipPackets++;
      if (state.transport === Transport.UDP) {
        stats.udpPackets++;
        this.handleDatagram(packet);
      } else if (state.transport === Transport.TCP) {
        stats.tcpPackets++;
        this.handleSegment(packet);
      }
    } catch (error) {
      this.addPacketDiagnostic(packet.frame, decoderBug('engine', error));
    }
    if (state.diagnostics && this.lastFrameWithSip !== packet.frame) {
      // Problems on packets that carried no SIP: keep errors and warnings, not routine notes (fragments).
      let counted = false;
      for (const d of state.diagnostics) {
        if (d.kind === 'unsupported' && d.layer === 'frame') stats.undecodedLinkType++;
        if (d.severity === 'note') continue;
        if (!counted) {
          stats.packetsWithDiagnostics++;
          counted = true;
        }
        this.addPacketDiagnostic(packet.frame, d);
      }
    }
    this.currentPacket = undefined;
    this.currentFlow = undefined;
  }

  /** End of input: reports messages left unfinished in TCP streams. */
  finish(): void {
    this.tcp.finish();
    this.stats.tcpRetransmittedSegments = this.tcp.retransmittedSegments;
    this.stats.tcpGaps = this.tcp.gaps;
  }

  private addPacketDiagnostic(frame: number, diagnostic: Diagnostic): void {
    if (this.packetDiagnostics.length < MAX_PACKET_DIAGNOSTICS) this.packetDiagnostics.push({ frame, diagnostic });
  }

  /** Addresses and encapsulation of the packet being decoded, formatted once per distinct value. */
  private flow(): FlowContext {
    if (this.currentFlow) return this.currentFlow;
    const state = this.state;
    let stack = this.lastStackId;
    if (!sameStack(state.stack, this.lastStack)) {
      // Layer names are shared constants, so consecutive packets of one encapsulation compare by reference
      // and no key string is built per packet.
      const stackKey = state.stack.join('/');
      stack = this.stackIds.get(stackKey) ?? this.index.strings.internString(stackKey);
      this.stackIds.set(stackKey, stack);
      this.lastStack = [...state.stack];
      this.lastStackId = stack;
    }
    // One object reused for every packet: datagram messages read it at once; TCP copies it per direction.
    const flow = this.packetFlow;
    flow.src = this.endpoint(state.srcAddrOffset, state.srcPort);
    flow.dst = this.endpoint(state.dstAddrOffset, state.dstPort);
    flow.transport = this.transportIds[state.transport];
    flow.stack = stack;
    this.currentFlow = flow;
    return flow;
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

  private handleDatagram(packet: CapturedPacket): void {
    const state = this.state;
    const bytes = state.bytes;
    let start = state.payloadStart;
    const end = state.payloadEnd;
    if (end - start < 12) return; // keep-alives (CRLF, 4-byte zeros, STUN-less pings) are not messages
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
    const dataOffset = packet.dataOffset;
    this.addMessage(this.flow(), bytes, start, end, false, diagnostics, packet.frame, packet.frame, packet.tsSec, packet.tsNsec, dataOffset + start, undefined, scanned);
  }

  private handleSegment(packet: CapturedPacket): void {
    const state = this.state;
    const bytes = state.bytes;
    const key = this.flowKey();
    const flags = state.tcpFlags;
    this.tcp.segment(
      key,
      () => ({ ...this.flow() }),
      state.tcpSeq,
      (flags & TCP_SYN) !== 0,
      (flags & (TCP_FIN | TCP_RST)) !== 0,
      bytes,
      state.payloadStart,
      state.payloadEnd,
      { frame: packet.frame, fileOffset: packet.dataOffset + state.payloadStart, length: state.payloadEnd - state.payloadStart, tsSec: packet.tsSec, tsNsec: packet.tsNsec },
    );
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

  private addStreamMessage(flow: FlowContext, bytes: Uint8Array, start: number, end: number, chunks: TimedChunk[], diagnostics: Diagnostic[], complete: boolean): void {
    const last = chunks[chunks.length - 1];
    const plain = chunks.map(({ frame, fileOffset, length }) => ({ frame, fileOffset, length }));
    const scanned = scanIndexFields(bytes, start, end, complete, this.fields);
    this.addMessage(flow, bytes, start, end, complete, diagnostics, last.frame, chunks[0].frame, last.tsSec, last.tsNsec, chunks[0].fileOffset, plain, scanned);
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
    const packet = this.currentPacket;
    const index = this.index;
    const strings = index.strings;
    // Layer problems of the packet that completed the message belong to the message.
    const packetProblems = this.state.diagnostics !== undefined && packet !== undefined && frame === packet.frame;
    let problems = packetProblems ? [...diagnostics, ...(this.state.diagnostics as Diagnostic[])] : diagnostics;
    const f = this.fields;
    let row: number;
    let request: boolean;
    if (scanned) {
      // Fast path: a clean message; every field is interned straight from the packet bytes.
      row = index.appendRow(frame, firstFrame, tsSec, tsNsec, f.end - start, fileOffset, chunks);
      request = f.request;
      if (request) {
        // The fast scan checked that the CSeq method is the request method: one id serves both.
        const method = strings.internMemo(TextColumn.MethodOrReason, bytes, f.methodStart, f.methodEnd);
        index.setRequest(row, method);
        index.setCSeq(row, f.cseqSeq, method);
      } else {
        index.setResponse(row, f.status, strings.internMemo(TextColumn.MethodOrReason, bytes, f.reasonStart, f.reasonEnd));
        index.setCSeq(row, f.cseqSeq, strings.internMemo(TextColumn.CSeqMethod, bytes, f.cseqMethodStart, f.cseqMethodEnd));
      }
      index.setText(row, TextColumn.CallId, strings.internMemo(TextColumn.CallId, bytes, f.callIdStart, f.callIdEnd));
      index.setText(row, TextColumn.FromUri, strings.internMemo(TextColumn.FromUri, bytes, f.fromUriStart, f.fromUriEnd));
      index.setText(row, TextColumn.FromTag, strings.internMemo(TextColumn.FromTag, bytes, f.fromTagStart, f.fromTagEnd));
      index.setText(row, TextColumn.ToUri, strings.internMemo(TextColumn.ToUri, bytes, f.toUriStart, f.toUriEnd));
      index.setText(row, TextColumn.ToTag, strings.internMemo(TextColumn.ToTag, bytes, f.toTagStart, f.toTagEnd));
      index.setBranch(row, bytes, f.branchStart, f.branchEnd);
    } else {
      // Anything unusual: the full parser, which says what is wrong.
      const message = parseSip(bytes, start, end, { stream: streamFraming });
      if (message.diagnostics.length > 0) problems = [...problems, ...message.diagnostics];
      row = index.appendRow(frame, firstFrame, tsSec, tsNsec, message.end - start, fileOffset, chunks);
      request = message.kind === 'request';
      if (request) index.setRequest(row, strings.internString(message.method));
      else index.setResponse(row, message.statusCode, strings.internString(message.reason));
      index.setText(row, TextColumn.CallId, strings.internString(message.callId));
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
    index.setDiagnostics(row, problems);
    const stats = this.stats;
    stats.sipMessages++;
    if (request) stats.requests++;
    else stats.responses++;
    if (this.index.hasError(row)) stats.messagesWithErrors++;
    else if (this.index.hasWarning(row)) stats.messagesWithWarnings++;
    if (packet && this.lastFrameWithSip !== packet.frame) {
      this.lastFrameWithSip = packet.frame;
      stats.sipPackets++;
    }
    this.onMessage?.(row);
  }
}


function sameStack(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
