import { TextColumn, type MessageIndex } from '../index/message-index.js';

/** One SIP transaction (RFC 3261 §17) as seen in the trace: its request, retransmissions and responses. */
export interface Transaction {
  id: number;
  /** The request method (CSeq method); for an ACK to a 2xx, which RFC 3261 makes its own transaction, `ACK`. */
  method: string;
  cseq: number;
  callId: string;
  /** The request carried a To tag: sent inside a dialog (re-INVITE, BYE, in-dialog UPDATE...). */
  inDialog: boolean;
  /** Rows of the request (first, then retransmissions) and of the responses, in frame order. */
  requests: number[];
  responses: number[];
  /** Row of the final response (the first one, retransmissions aside), if any. */
  final: number | undefined;
  finalStatus: number | undefined;
  /** For an INVITE: the ACK rows (to a non-2xx, same branch; to a 2xx, matched by Call-ID and CSeq, §13.2.2.4). */
  acks: number[];
  /** For a CANCEL: the INVITE transaction it cancels (same branch, §9.1). */
  cancels: number | undefined;
  /** Rows that repeat an earlier one of this transaction at the same capture point (§17.1.1.2, §17.2.1). */
  retransmissions: number[];
}

/** Per message: its transaction and whether it is a retransmission. */
export interface TransactionIndex {
  transactions: Transaction[];
  /** Row → transaction id (-1 for a response that matched no request in the trace: its transaction starts there). */
  transactionOf: Int32Array;
  retransmission: Uint8Array;
}

/**
 * Matches requests and responses into transactions (RFC 3261 §17.1.3 and §17.2.3): by top Via branch and
 * CSeq method, with the RFC 2543 fallback (Call-ID, CSeq, From tag) for branches without the magic cookie.
 * ACK to a non-2xx shares the INVITE's branch and joins it; ACK to a 2xx is matched to the INVITE by
 * Call-ID and CSeq number; CANCEL is its own transaction, linked to the INVITE it cancels. A row that
 * repeats an earlier one (same transaction, same direction, same method or status and To tag) is a
 * retransmission; copies of a message at another capture point (see the engine's copies) are not.
 */
export function matchTransactions(index: MessageIndex, order: Uint32Array): TransactionIndex {
  const steps = matchTransactionsSteps(index, order);
  let step = steps.next();
  while (!step.done) step = steps.next();
  return step.value;
}

/**
 * Rows between two pauses of the stepped passes (`matchTransactionsSteps`, `analyzeCallsSteps`): a few
 * milliseconds of work, so that a caller driving them in time slices can answer requests in between.
 */
export const ROWS_PER_STEP = 2048;

/**
 * `matchTransactions` as resumable steps: it pauses (yields) every `ROWS_PER_STEP` rows and returns the same
 * result, so that a caller can interleave other work (the app's trace worker answers `getRows` meanwhile).
 * The loop body is a function of its own (`matchRow`), which V8 optimises alone (see `analyzeCallsSteps`).
 */
export function* matchTransactionsSteps(index: MessageIndex, order: Uint32Array): Generator<void, TransactionIndex> {
  const transactionOf = new Int32Array(index.count).fill(-1);
  const retransmission = new Uint8Array(index.count);
  const transactions: Transaction[] = [];
  /** Numeric keys (hashes, confirmed against the transaction's Call-ID and method) to transaction ids. */
  const byKey = new Map<number, number>();
  /** INVITE transactions by Call-ID and CSeq: one per hop when a proxy forwards the INVITE. */
  const invites = new Map<number, number[]>();
  const callIdIds: number[] = [];
  const methodCodes = new Map<string, number>();
  /** What each transaction has seen: hashes of (source, destination, method or status, To tag). */
  const signatures: number[][] = [];
  const methodCode = (method: string): number => {
    let code = methodCodes.get(method);
    if (code === undefined) methodCodes.set(method, (code = methodCodes.size + 1));
    return code;
  };
  const keyOf = (row: number, method: string): number => {
    if (index.branchHasMagicCookie(row)) return key(index.branchHashOf(row), methodCode(method));
    // RFC 3261 §17.2.3 (RFC 2543 compatibility): Call-ID, CSeq, From tag and method name the transaction.
    return key(mix(index.textId(row, TextColumn.CallId), index.cseqOf(row)), mix(index.textId(row, TextColumn.FromTag), 0x10000 + methodCode(method)));
  };
  const find = (map: Map<number, number>, k: number, callId: number): number | undefined => {
    const id = map.get(k);
    return id !== undefined && callIdIds[id] === callId ? id : undefined;
  };
  const open = (row: number, method: string, callId: string, callIdId: number, cseq: number): number => {
    const id = transactions.length;
    // Only a To tag in the request marks an in-dialog request (RFC 3261 §12.2.1.1); a UAS tags every response
    // (§8.2.6.2), so a transaction known only by its response is taken as out of dialog.
    const inDialog = index.isRequest(row) && index.textId(row, TextColumn.ToTag) !== 0;
    transactions.push({ id, method, cseq, callId, inDialog, requests: [], responses: [], final: undefined, finalStatus: undefined, acks: [], cancels: undefined, retransmissions: [] });
    callIdIds.push(callIdId);
    signatures.push([]);
    byKey.set(keyOf(row, method), id);
    if (method === 'INVITE') {
      const k = key(callIdId, cseq);
      invites.set(k, [...(invites.get(k) ?? []), id]);
    }
    return id;
  };

  // `ip:port` text id → the address alone (IPv6 in brackets kept), remembered per id.
  const hosts = new Map<number, string>();
  const hostOf = (textId: number): string => {
    let host = hosts.get(textId);
    if (host === undefined) {
      const text = index.strings.get(textId);
      const colon = text.lastIndexOf(':');
      host = colon > 0 && !text.endsWith(']') ? text.slice(0, colon) : text;
      hosts.set(textId, host);
    }
    return host;
  };
  const reliableTransports = new Set(['TCP', 'SCTP', 'WS'].map((name) => index.strings.internString(name)));
  const reliable = (row: number) => reliableTransports.has(index.textId(row, TextColumn.Transport));
  let untilPause = ROWS_PER_STEP;
  const matchRow = (row: number): void => {
    const callIdId = index.textId(row, TextColumn.CallId);
    const cseq = index.cseqOf(row);
    const method = index.methodOf(row);
    let id: number;
    if (method !== undefined) {
      // ACK to a non-2xx is part of the INVITE transaction (§17.1.1.3); otherwise the key method is the request's.
      let match = find(byKey, keyOf(row, method === 'ACK' ? 'INVITE' : method), callIdId);
      if (method === 'ACK' && match !== undefined && (transactions[match].finalStatus ?? 0) < 300) match = undefined;
      if (method === 'ACK' && match === undefined) {
        // RFC 3261 §13.2.2.4: the ACK to a 2xx carries the INVITE's CSeq number. Through a proxy each hop has
        // its INVITE transaction; the ACK of a hop travels the way its INVITE did (same source and destination).
        const candidates = (invites.get(key(callIdId, cseq)) ?? []).filter((c) => callIdIds[c] === callIdId && transactions[c].cseq === cseq);
        const src = index.textId(row, TextColumn.Src);
        const dst = index.textId(row, TextColumn.Dst);
        const sameHop = candidates.find((c) => {
          const first = transactions[c].requests[0];
          return first !== undefined && index.textId(first, TextColumn.Src) === src && index.textId(first, TextColumn.Dst) === dst;
        });
        // The same hosts with other ports: a UA that sent its (large) INVITE over TCP from an ephemeral port
        // sends the ACK, a new request, over UDP from its listening port (RFC 3261 §18.1.1).
        const sameHosts = candidates.find((c) => {
          const first = transactions[c].requests[0];
          return first !== undefined && hostOf(index.textId(first, TextColumn.Src)) === hostOf(src) && hostOf(index.textId(first, TextColumn.Dst)) === hostOf(dst);
        });
        // Without a record-route the ACK goes straight from the caller to the callee: then the INVITE the
        // same UA sent (the caller's hop) is the one it answers.
        const sameSender = candidates.find((c) => {
          const first = transactions[c].requests[0];
          return first !== undefined && index.textId(first, TextColumn.Src) === src;
        });
        match = sameHop ?? sameHosts ?? sameSender ?? candidates[candidates.length - 1];
      }
      if (match !== undefined && (method === 'ACK' || transactions[match].method === method)) {
        id = match;
        if (method === 'ACK') transactions[id].acks.push(row);
        else transactions[id].requests.push(row);
      } else {
        id = open(row, method, index.callIdOf(row), callIdId, cseq);
        transactions[id].requests.push(row);
        if (method === 'CANCEL') transactions[id].cancels = find(byKey, keyOf(row, 'INVITE'), callIdId);
      }
    } else {
      const cseqMethod = index.strings.get(index.textId(row, TextColumn.CSeqMethod));
      const match = find(byKey, keyOf(row, cseqMethod === 'ACK' ? 'INVITE' : cseqMethod), callIdId);
      // A response whose request is not in the trace (the capture began later) starts its own transaction.
      id = match ?? open(row, cseqMethod, index.callIdOf(row), callIdId, cseq);
      const t = transactions[id];
      t.responses.push(row);
      const status = index.statusOf(row) ?? 0;
      if (status >= 200 && t.final === undefined) {
        t.final = row;
        t.finalStatus = status;
      }
    }
    transactionOf[row] = id;
    const copies = index.copiesOf(row);
    if (copies.length > 0 && copies.some((other) => other < row && transactionOf[other] >= 0)) return;
    // Same transaction, direction, method/status and To tag as an earlier row: sent again.
    const signature = key(mix(index.textId(row, TextColumn.Src), index.textId(row, TextColumn.Dst)), mix(index.textId(row, TextColumn.MethodOrReason), mix(index.statusOf(row) ?? 0, index.textId(row, TextColumn.ToTag))));
    const seen = signatures[id];
    if (!seen.includes(signature)) {
      seen.push(signature);
    } else if (reliable(row)) {
      // SIP does not retransmit over TCP, SCTP or WebSocket (§17.1.1.2, §17.2.1): a repeat there is a new
      // message the peer chose to send, or a capture artefact, never a lost packet resent.
    } else {
      retransmission[row] = 1;
      transactions[id].retransmissions.push(row);
    }
  };
  for (const row of order) {
    if (--untilPause <= 0) {
      untilPause = ROWS_PER_STEP;
      yield;
    }
    matchRow(row);
  }
  return { transactions, transactionOf, retransmission };
}

/** Mixes two 32-bit values (murmur3-style) into one. */
function mix(a: number, b: number): number {
  let h = Math.imul(a ^ 0x9e3779b9, 0x85ebca6b) ^ b;
  h = Math.imul(h ^ (h >>> 15), 0xc2b2ae35);
  return (h ^ (h >>> 13)) >>> 0;
}

/** Two 32-bit values as one Map key (52 bits: exact for the first, 20 bits of the second mixed in). */
function key(a: number, b: number): number {
  return (a >>> 0) * 0x100000 + (mix(b, a) & 0xfffff);
}
