import type { MessageFacts } from './facts.js';
import type { Transaction } from './transactions.js';

/** The procedure groups IMS engineers browse by (issue 4; TS 24.229 §5.1 and RFC 3261 flows). */
export type ProcedureGroup =
  | 'registration'
  | 'call-setup'
  | 'session-modification'
  | 'call-release'
  | 'call-cancellation'
  | 'messaging'
  | 'supplementary-services'
  | 'subscription-notification'
  | 'capability-query'
  | 'other';

export type ProcedureOutcome = 'success' | 'failure' | 'timeout' | 'incomplete';

/** One procedure instance: the transactions that make up one registration, one call set-up, one MESSAGE... */
export interface Procedure {
  id: number;
  group: ProcedureGroup;
  /** A finer name where one applies: initial / re-registration / de-registration, hold / resume, sms, transfer... */
  kind: string | undefined;
  /** Index of the call (Call-ID group) it belongs to. */
  call: number;
  transactions: number[];
  /**
   * Its messages in frame order: those of its transactions, except that a cancellation also takes the 487
   * and the ACK that end the INVITE it cancelled (RFC 3261 §9.2: CANCEL, 200, 487, ACK is the flow users see).
   */
  rows: number[];
  outcome: ProcedureOutcome;
  /** The final response that decided the outcome (the last transaction's final). */
  finalStatus: number | undefined;
  /** Time of its first and last message (seconds). */
  start: number;
  end: number;
}

/** RFC 3261 §17.1.1.2 Timer B and §17.1.2.2 Timer F: 64·T1 = 32 s without a final response is a timeout. */
export const TRANSACTION_TIMEOUT_SEC = 32;

/** The group of a transaction by its method, and whether it is inside a dialog. */
export function groupOf(t: Transaction, facts: MessageFacts | undefined, setupOpen: boolean): { group: ProcedureGroup; kind?: string } {
  switch (t.method) {
    case 'REGISTER':
      return { group: 'registration' };
    case 'INVITE':
      if (!t.inDialog) return { group: 'call-setup' };
      if (facts?.audioDirection === 'sendonly' || facts?.audioDirection === 'inactive') return { group: 'session-modification', kind: 'hold' };
      return { group: 'session-modification', kind: facts?.sdp ? 're-invite' : 're-invite (no SDP)' };
    case 'ACK':
    case 'PRACK':
      return { group: setupOpen ? 'call-setup' : 'session-modification' };
    case 'UPDATE':
      // RFC 3311 §5.1: an UPDATE before the answer is part of the set-up (VoLTE precondition UPDATEs).
      return setupOpen ? { group: 'call-setup', kind: 'precondition update' } : { group: 'session-modification', kind: 'update' };
    case 'BYE':
      return { group: 'call-release' };
    case 'CANCEL':
      return { group: 'call-cancellation' };
    case 'MESSAGE':
      // TS 24.341 §5.3: SMS over IP rides in MESSAGE with an application/vnd.3gpp.sms body.
      return { group: 'messaging', kind: facts?.contentType === 'application/vnd.3gpp.sms' ? 'sms' : undefined };
    case 'REFER':
      return { group: 'supplementary-services', kind: 'transfer' };
    case 'INFO':
      return { group: 'supplementary-services', kind: 'info' };
    case 'NOTIFY':
      return facts?.event === 'refer' ? { group: 'supplementary-services', kind: 'transfer progress' } : { group: 'subscription-notification', kind: facts?.event };
    case 'SUBSCRIBE':
    case 'PUBLISH':
      return { group: 'subscription-notification', kind: facts?.event };
    case 'OPTIONS':
      return { group: 'capability-query' };
    default:
      return { group: 'other', kind: t.method };
  }
}
