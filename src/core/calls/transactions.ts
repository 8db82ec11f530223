import { TextColumn, type MessageIndex } from '../index/message-index.js';

/** RFC 3261 §8.1.1.7: branches starting with the magic cookie are unique per transaction. */
const MAGIC_COOKIE = 'z9hG4bK';

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
  const transactionOf = new Int32Array(index.count).fill(-1);
  const retransmission = new Uint8Array(index.count);
  const transactions: Transaction[] = [];
  const byKey = new Map<string, number>();
  /** INVITE transactions by Call-ID and CSeq number, for ACKs to 2xx. */
  const invites = new Map<string, number>();
  /** What each transaction has seen: request/response signatures per direction. */
  const seen = new Map<number, Set<string>>();

  const keyOf = (row: number, method: string): string => {
    const branch = index.branchOf(row);
    if (branch.startsWith(MAGIC_COOKIE)) return `${branch}\u0000${method}`;
    // RFC 3261 §17.2.3 (RFC 2543 compatibility): Call-ID, CSeq, From tag and method name the transaction.
    return `\u0001${index.callIdOf(row)}\u0000${index.cseqOf(row)}\u0000${index.strings.get(index.textId(row, TextColumn.FromTag))}\u0000${method}`;
  };

  for (const row of order) {
    const callId = index.callIdOf(row);
    const cseq = index.cseqOf(row);
    const cseqMethod = index.strings.get(index.textId(row, TextColumn.CSeqMethod));
    const method = index.methodOf(row);
    const isCopy = index.copiesOf(row).some((other) => other < row && transactionOf[other] >= 0);
    let id: number;
    if (method !== undefined) {
      // ACK to a non-2xx is part of the INVITE transaction (§17.1.1.3); otherwise the key method is the request's.
      const keyMethod = method === 'ACK' ? 'INVITE' : method;
      let match = byKey.get(keyOf(row, keyMethod));
      if (method === 'ACK' && match !== undefined && (transactions[match].finalStatus ?? 0) < 300) match = undefined;
      if (method === 'ACK' && match === undefined) match = invites.get(`${callId}\u0000${cseq}`);
      if (match !== undefined && (method === 'ACK' || transactions[match].method === method)) {
        id = match;
        const t = transactions[id];
        if (method === 'ACK') t.acks.push(row);
        else t.requests.push(row);
      } else {
        id = transactions.length;
        const t: Transaction = {
          id,
          method,
          cseq,
          callId,
          inDialog: index.textId(row, TextColumn.ToTag) !== 0,
          requests: [row],
          responses: [],
          final: undefined,
          finalStatus: undefined,
          acks: [],
          cancels: undefined,
          retransmissions: [],
        };
        transactions.push(t);
        byKey.set(keyOf(row, method), id);
        if (method === 'INVITE') invites.set(`${callId}\u0000${cseq}`, id);
        if (method === 'CANCEL') t.cancels = byKey.get(keyOf(row, 'INVITE'));
      }
    } else {
      const match = byKey.get(keyOf(row, cseqMethod === 'ACK' ? 'INVITE' : cseqMethod));
      if (match !== undefined) {
        id = match;
      } else {
        // A response whose request is not in the trace (the capture began later): its own transaction.
        id = transactions.length;
        transactions.push({ id, method: cseqMethod, cseq, callId, inDialog: index.textId(row, TextColumn.ToTag) !== 0, requests: [], responses: [], final: undefined, finalStatus: undefined, acks: [], cancels: undefined, retransmissions: [] });
        byKey.set(keyOf(row, cseqMethod), id);
        if (cseqMethod === 'INVITE') invites.set(`${callId}\u0000${cseq}`, id);
      }
      const t = transactions[id];
      t.responses.push(row);
      const status = index.statusOf(row) ?? 0;
      if (status >= 200 && t.final === undefined) {
        t.final = row;
        t.finalStatus = status;
      }
    }
    transactionOf[row] = id;
    if (isCopy) continue;
    // Same transaction, direction, method/status and To tag as an earlier row: sent again.
    const signature = `${index.textId(row, TextColumn.Src)}>${index.textId(row, TextColumn.Dst)}:${method ?? index.statusOf(row)}:${index.textId(row, TextColumn.ToTag)}`;
    let signatures = seen.get(id);
    if (!signatures) seen.set(id, (signatures = new Set()));
    if (signatures.has(signature)) {
      retransmission[row] = 1;
      transactions[id].retransmissions.push(row);
    } else signatures.add(signature);
  }
  return { transactions, transactionOf, retransmission };
}
