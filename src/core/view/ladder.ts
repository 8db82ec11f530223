// The ladder diagram (sngrep's call flow, Wireshark's flow graph) of some calls: host columns in order of
// first appearance, one arrow per message in frame order, and a band per procedure along the side.
import type { CallAnalysis } from '../calls/analysis.js';
import { TextColumn, type MessageIndex } from '../index/message-index.js';
import { parseSip } from '../sip/parser.js';
import type { SdpSession } from '../sdp/types.js';
import type { LadderArrow, LadderBand, LadderData } from '../../shared/api.js';
import { hasSdp, isCopy, isRetransmission, severityOf, statusLabel, timeOf } from './common.js';
import type { TraceViewSource } from './trace-view.js';

/** Static RTP payload types (RFC 3551 §6) named in summaries when the SDP has no rtpmap for them. */
const STATIC_PAYLOADS: Record<string, string> = { '0': 'PCMU', '3': 'GSM', '4': 'G723', '8': 'PCMA', '9': 'G722', '13': 'CN', '18': 'G729' };
/** Formats that carry no voice: left out of the one-line summary. */
const NOT_CODECS = new Set(['telephone-event', 'cn']);

/** `audio 49170 AMR-WB,AMR; sendonly; curr:qos local none` — the media lines of an SDP in one line. */
export function sdpSummary(sdp: SdpSession): string {
  const parts: string[] = [];
  for (const m of sdp.media) {
    const names: string[] = [];
    for (const format of m.formats) {
      const name = m.rtpmaps.find((r) => String(r.payloadType) === format)?.encoding ?? STATIC_PAYLOADS[format] ?? format;
      if (!NOT_CODECS.has(name.toLowerCase()) && !names.includes(name)) names.push(name);
    }
    let text = `${m.type} ${m.port}${names.length > 0 ? ` ${names.join(',')}` : ''}`;
    if (m.direction !== 'sendrecv') text += `; ${m.direction}`;
    // RFC 3312 §5: the current status is what the arrow changes; desired and confirm are in the detail pane.
    for (const p of m.preconditions) if (p.kind === 'curr') text += `; curr:${p.type} ${p.statusType} ${p.direction}`;
    parts.push(text);
  }
  return parts.join(' | ');
}

/** The label of an arrow: `INVITE`, `183 Session Progress`, `200 OK (INVITE)` (finals name the method they answer). */
function arrowLabel(index: MessageIndex, row: number): string {
  if (index.isRequest(row)) return index.methodOf(row) ?? '';
  const label = statusLabel(index, row);
  const status = index.statusOf(row) ?? 0;
  const method = index.strings.get(index.textId(row, TextColumn.CSeqMethod));
  return status >= 200 && method ? `${label} (${method})` : label;
}

/**
 * The offer/answer role of an SDP body (RFC 3261 §13.2.1, RFC 3262 §5, RFC 3311 §5.1): an INVITE or UPDATE
 * with SDP offers; a response to one answers when its request offered, and offers when it did not (the
 * offer then comes back in the PRACK or the ACK, which answer). Null for bodies outside offer/answer
 * (an OPTIONS 200, a MESSAGE).
 */
function sdpRole(index: MessageIndex, row: number, offered: (cseq: number, method: string) => boolean, rackCseq: number | undefined): 'offer' | 'answer' | null {
  const method = index.methodOf(row);
  const cseq = index.cseqOf(row);
  if (method !== undefined) {
    switch (method) {
      case 'INVITE':
      case 'UPDATE':
        return 'offer';
      case 'ACK':
        return 'answer';
      case 'PRACK':
        // An INVITE without SDP got its offer in the reliable provisional response; the PRACK answers it.
        return rackCseq === undefined ? null : offered(rackCseq, 'INVITE') ? 'offer' : 'answer';
      default:
        return null;
    }
  }
  const answered = index.strings.get(index.textId(row, TextColumn.CSeqMethod));
  if (answered === 'INVITE' || answered === 'UPDATE') return offered(cseq, answered) ? 'answer' : 'offer';
  if (answered === 'PRACK') return 'answer';
  return null;
}

/** Merges the rows of some calls in frame order (row order on equal frames, as `frameOrder`). */
function mergedRows(index: MessageIndex, analysis: CallAnalysis, calls: readonly number[]): number[] {
  const rows: number[] = [];
  for (const call of calls) rows.push(...analysis.calls[call].rows);
  return rows.sort((a, b) => index.frameOf(a) - index.frameOf(b) || a - b);
}

/** The ladder diagram of some calls, their messages merged in frame order. Unknown call indexes are skipped. */
export function ladderData(source: TraceViewSource, calls: readonly number[]): LadderData {
  const { engine } = source;
  const analysis = source.calls;
  const index = engine.index;
  const known = analysis ? [...new Set(calls)].filter((c) => Number.isInteger(c) && c >= 0 && c < analysis.calls.length) : [];
  if (!analysis || known.length === 0) return { calls: known, hosts: [], arrows: [], bands: [] };
  const rows = mergedRows(index, analysis, known);

  // Which requests carried SDP, by call, CSeq number and method: what decides whether a response offers.
  const sdpRows = new Set<number>();
  const offers = new Set<string>();
  for (const row of rows) {
    if (!hasSdp(source, row)) continue;
    sdpRows.add(row);
    const method = index.methodOf(row);
    if (method === 'INVITE' || method === 'UPDATE') offers.add(`${analysis.callOf[row]} ${index.cseqOf(row)} ${method}`);
  }

  const hosts: string[] = [];
  const hostIndex = new Map<number, number>();
  const host = (id: number): number => {
    let i = hostIndex.get(id);
    if (i === undefined) {
      i = hosts.length;
      hosts.push(index.strings.get(id));
      hostIndex.set(id, i);
    }
    return i;
  };
  const arrowOfRow = new Map<number, number>();
  const arrows: LadderArrow[] = rows.map((row, position) => {
    arrowOfRow.set(row, position);
    const request = index.isRequest(row);
    const call = analysis.callOf[row];
    let sdp: LadderArrow['sdp'] = null;
    if (sdpRows.has(row)) {
      const parsedSdp = parsedSdpOf(source, row);
      const rack = request && index.methodOf(row) === 'PRACK' ? engine.facts.get(row)?.rack?.cseq : undefined;
      sdp = {
        role: sdpRole(index, row, (cseq, method) => offers.has(`${call} ${cseq} ${method}`), rack),
        summary: parsedSdp ? sdpSummary(parsedSdp) : (engine.facts.get(row)?.codecs ?? []).join(','),
      };
    }
    return {
      row,
      frame: index.frameOf(row),
      annotation: source.notes?.ofRow(row) ?? null,
      time: timeOf(index, row),
      from: host(index.textId(row, TextColumn.Src)),
      to: host(index.textId(row, TextColumn.Dst)),
      method: request ? (index.methodOf(row) ?? '') : null,
      status: request ? null : (index.statusOf(row) ?? 0),
      reason: request ? null : index.strings.get(index.textId(row, TextColumn.MethodOrReason)),
      label: arrowLabel(index, row),
      sdp,
      retransmission: isRetransmission(analysis, row),
      duplicate: isCopy(engine, row),
      severity: severityOf(source, row),
      call,
      transport: index.strings.get(index.textId(row, TextColumn.Transport)),
    };
  });

  const bands: LadderBand[] = [];
  for (const call of known) {
    for (const id of analysis.calls[call].procedures) {
      const p = analysis.procedures[id];
      if (p.rows.length === 0) continue;
      const first = arrowOfRow.get(p.rows[0]);
      const last = arrowOfRow.get(p.rows[p.rows.length - 1]);
      if (first === undefined || last === undefined) continue;
      // RFC 3261 §9.2: a set-up ended by 487 was cancelled by its caller, which users tell apart from a failure.
      const outcome = p.outcome === 'failure' && p.finalStatus === 487 ? 'cancelled' : p.outcome;
      bands.push({ procedure: p.group, outcome, firstArrow: first, lastArrow: last, call });
    }
  }
  bands.sort((a, b) => a.firstArrow - b.firstArrow || a.lastArrow - b.lastArrow);
  return { calls: known, hosts: hosts.map((address) => ({ address, alias: source.notes?.aliasOf(address) ?? null })), arrows, bands };
}

function parsedSdpOf(source: TraceViewSource, row: number): SdpSession | undefined {
  const bytes = source.engine.messageBytes?.bytesOf(row);
  return bytes ? parseSip(bytes, 0, bytes.length).sdp : undefined;
}
