import { TextColumn, type MessageIndex } from '../index/message-index.js';
import type { MessageFacts } from './facts.js';
import { groupOf, TRANSACTION_TIMEOUT_SEC, type Procedure, type ProcedureOutcome } from './procedures.js';
import { matchTransactionsSteps, ROWS_PER_STEP, type Transaction, type TransactionIndex } from './transactions.js';

/** Call states with the names users know from Wireshark's VoIP calls and sngrep, plus non-INVITE outcomes. */
export type CallState =
  | 'CALL SETUP'
  | 'RINGING'
  | 'IN CALL'
  | 'CANCELLED'
  | 'REJECTED'
  | 'BUSY'
  | 'DIVERTED'
  | 'COMPLETED'
  | 'REGISTERED'
  | 'AUTH CHALLENGED'
  | 'UNREGISTERED'
  | 'FAILED'
  | 'INCOMPLETE';

/** Per-call timings in milliseconds (absent when the call has no such step). */
export interface CallKpis {
  /** Post-dial delay: INVITE → first 180/183 (ITU-T E.431's "post-selection delay" as SIP tools measure it). */
  postDialDelayMs?: number;
  /** INVITE → 2xx. */
  answerTimeMs?: number;
  /** INVITE → ACK, as Wireshark's VoIP calls define set-up time. */
  setupTimeMs?: number;
  /** ACK → BYE. */
  durationMs?: number;
  /** First REGISTER → its final 2xx (challenge included). */
  registrationTimeMs?: number;
}

export type FindingSeverity = 'error' | 'warning' | 'note';

/**
 * A dialog (RFC 3261 §12): Call-ID and the two tags. Its state over time: early (a provisional response
 * with a To tag, §12.1), confirmed (a 2xx), terminated (a BYE answered, or the INVITE failed).
 */
export interface Dialog {
  id: number;
  call: number;
  /** Rows at which it became early, confirmed and terminated (undefined when it never did). */
  early: number | undefined;
  confirmed: number | undefined;
  terminated: number | undefined;
  /** Its state at the end of the trace. */
  state: 'early' | 'confirmed' | 'terminated';
}

/** An expert finding: what is wrong or worth knowing, with the messages it concerns. */
export interface Finding {
  severity: FindingSeverity;
  /** Stable name: `failure-final`, `retransmission`, `invite-timeout`, `missing-ack`, `missing-prack`... */
  code: string;
  message: string;
  call: number;
  rows: number[];
}

/** A call: the messages of one Call-ID, with the dialogs, procedures, state, KPIs and findings they make. */
export interface Call {
  index: number;
  callId: string;
  /** Rows in frame order. */
  rows: number[];
  /** From and To URIs of its first request. */
  from: string;
  to: string;
  start: number;
  end: number;
  state: CallState;
  procedures: number[];
  dialogs: number;
  kpis: CallKpis;
  findings: number[];
  /**
   * The IMS session this call is a leg of: the lowest call index among the calls sharing an ICID
   * (P-Charging-Vector, RFC 7315 §4.6) or a Session-ID (RFC 7989) with it; its own index when unlinked.
   */
  session: number;
}

export interface Distribution {
  count: number;
  mean: number;
  median: number;
  max: number;
}

/** KPIs of the whole trace. */
export interface TraceKpis {
  calls: number;
  sessions: number;
  callSetups: number;
  answered: number;
  /** Answer-seizure ratio: answered set-ups / set-ups that ended (ITU-T E.411). */
  answerSeizureRatio: number | undefined;
  /** Network effectiveness ratio: set-ups answered or ended by the user (busy, decline, no answer, cancel) / ended (ITU-T E.411). */
  networkEffectivenessRatio: number | undefined;
  registrations: number;
  registrationSuccessRate: number | undefined;
  postDialDelayMs: Distribution | undefined;
  answerTimeMs: Distribution | undefined;
  setupTimeMs: Distribution | undefined;
  durationMs: Distribution | undefined;
  registrationTimeMs: Distribution | undefined;
  /** Final and provisional response counts per request method (retransmissions excluded). */
  responseCodes: Record<string, Record<string, number>>;
  procedures: Record<string, Record<ProcedureOutcome, number>>;
  findings: Record<FindingSeverity, number>;
}

export interface CallAnalysis {
  transactions: Transaction[];
  dialogs: Dialog[];
  /** Row → transaction, dialog (-1: outside a dialog), call, procedure; retransmission flags. */
  transactionOf: Int32Array;
  dialogOf: Int32Array;
  callOf: Int32Array;
  procedureOf: Int32Array;
  retransmission: Uint8Array;
  calls: Call[];
  procedures: Procedure[];
  findings: Finding[];
  kpis: TraceKpis;
}

export interface CallAnalysisOptions {
  /** Link the legs of one IMS session (same ICID or Session-ID) into one session id. Default true. */
  link?: boolean;
  /** The ICID and Session-ID of a row, when the facts store has them cheaper than `facts(row)`. */
  sessionKeys?: (row: number) => [string | undefined, string | undefined];
}

/** Responses a user, not the network, decided (ITU-T E.411 NER): busy, no answer, decline, caller cancel. */
const USER_DETERMINED = new Set([486, 600, 603, 480, 487]);

/**
 * Builds transactions, dialogs, calls, procedures, call states, KPIs and expert findings from the message
 * index (in frame order) and the facts read from each message at ingestion (`facts(row)`).
 */
export function analyzeCalls(index: MessageIndex, facts: (row: number) => MessageFacts | undefined, options: CallAnalysisOptions = {}): CallAnalysis {
  return finish(analyzeCallsSteps(index, facts, options));
}

/** Runs resumable steps to their end. */
function finish<T>(steps: Generator<void, T>): T {
  let step = steps.next();
  while (!step.done) step = steps.next();
  return step.value;
}

/**
 * `analyzeCalls` as resumable steps, with the same result: each pass pauses (yields) every `ROWS_PER_STEP`
 * rows, transactions, procedures or calls, a few milliseconds of work, so that a caller can drive it in time
 * slices and do other work in between (the app's trace worker answers `getRows` while a large trace is
 * analysed). The index and facts must not change until it has returned.
 *
 * Each pass's loop body is a function of its own (`addRow`, `joinProcedure`...): V8 optimises each alone as
 * soon as it is hot, where one body-sized generator was recompiled whole as each pass began (~+20% CPU).
 */
export function* analyzeCallsSteps(index: MessageIndex, facts: (row: number) => MessageFacts | undefined, options: CallAnalysisOptions = {}): Generator<void, CallAnalysis> {
  const order = index.frameOrder();
  const time = (row: number) => index.tsSecOf(row) + index.tsNsecOf(row) / 1e9;
  const ms = (from: number, to: number) => Math.round((time(to) - time(from)) * 1e6) / 1e3;
  const traceEnd = order.length > 0 ? Math.max(...Array.from(order.subarray(Math.max(0, order.length - 64)), time)) : 0;
  const tx: TransactionIndex = yield* matchTransactionsSteps(index, order);
  /** Items (rows, transactions, calls...) left before the next pause. */
  let untilPause = ROWS_PER_STEP;
  const { transactions, transactionOf, retransmission } = tx;

  // Calls by Call-ID, dialogs by Call-ID and the pair of tags (RFC 3261 §12).
  const callOf = new Int32Array(index.count).fill(-1);
  const dialogOf = new Int32Array(index.count).fill(-1);
  const calls: Call[] = [];
  const callByCallId = new Map<number, number>();
  const dialogKeys = new Map<string, number>();
  const dialogs: Dialog[] = [];
  const addRow = (row: number): void => {
    const callIdText = index.textId(row, TextColumn.CallId);
    let call = callByCallId.get(callIdText);
    if (call === undefined) {
      call = calls.length;
      callByCallId.set(callIdText, call);
      const requestRow = index.isRequest(row);
      calls.push({
        index: call,
        callId: index.callIdOf(row),
        rows: [],
        from: index.strings.get(index.textId(row, requestRow ? TextColumn.FromUri : TextColumn.FromUri)),
        to: index.strings.get(index.textId(row, TextColumn.ToUri)),
        start: time(row),
        end: time(row),
        state: 'INCOMPLETE',
        procedures: [],
        dialogs: 0,
        kpis: {},
        findings: [],
        session: call,
      });
    }
    const c = calls[call];
    c.rows.push(row);
    c.end = Math.max(c.end, time(row));
    callOf[row] = call;
    const toTag = index.textId(row, TextColumn.ToTag);
    if (toTag !== 0) {
      const fromTag = index.textId(row, TextColumn.FromTag);
      const key = `${callIdText}:${Math.min(fromTag, toTag)}:${Math.max(fromTag, toTag)}`;
      let dialog = dialogKeys.get(key);
      const status = index.statusOf(row);
      const cseqMethod = index.strings.get(index.textId(row, TextColumn.CSeqMethod));
      // RFC 3261 §12.1: dialogs are made by a 101–299 with a To tag to INVITE; RFC 6665 §4.1: by SUBSCRIBE or
      // REFER and their NOTIFY. A REGISTER, OPTIONS or MESSAGE response, or a failure, makes none.
      const creates =
        (status !== undefined && status > 100 && status < 300 && (cseqMethod === 'INVITE' || cseqMethod === 'SUBSCRIBE' || cseqMethod === 'REFER')) ||
        index.methodOf(row) === 'NOTIFY';
      if (dialog === undefined && creates) {
        dialog = dialogs.length;
        dialogKeys.set(key, dialog);
        dialogs.push({ id: dialog, call, early: undefined, confirmed: undefined, terminated: undefined, state: 'early' });
        c.dialogs++;
      }
      if (dialog !== undefined) {
        dialogOf[row] = dialog;
        // State changes (RFC 3261 §12.1, §15): responses to INVITE make it early or confirmed, or end an early
        // one; a 2xx to BYE ends it.
        const d = dialogs[dialog];
        if (status !== undefined && d.terminated === undefined) {
          if (cseqMethod === 'INVITE' && status > 100 && status < 200 && d.early === undefined && d.confirmed === undefined) d.early = row;
          else if ((cseqMethod === 'INVITE' || cseqMethod === 'SUBSCRIBE' || cseqMethod === 'REFER') && status >= 200 && status < 300 && d.confirmed === undefined) d.confirmed = row;
          else if (cseqMethod === 'INVITE' && status >= 300 && d.confirmed === undefined) d.terminated = row;
          else if (cseqMethod === 'BYE' && status >= 200 && status < 300) d.terminated = row;
          d.state = d.terminated !== undefined ? 'terminated' : d.confirmed !== undefined ? 'confirmed' : 'early';
        }
      }
    }
  };
  for (const row of order) {
    if (--untilPause <= 0) {
      untilPause = ROWS_PER_STEP;
      yield;
    }
    addRow(row);
  }

  // Procedures: every transaction joins one instance, in the order transactions began.
  const procedures: Procedure[] = [];
  const procedureOfTransaction = new Int32Array(transactions.length).fill(-1);
  const openSetup = new Map<number, number>(); // call → call-setup procedure still before its answer
  /** Call and method → the procedure whose last transaction was challenged (401/407), and that transaction. */
  const pendingChallenge = new Map<string, { procedure: number; transaction: Transaction }>();
  /** The same request forwarded by a proxy (same Call-ID, CSeq, method and From tag, another hop): one procedure. */
  const forwarded = new Map<string, number>();
  const registeredAors = new Set<string>();
  const firstRow = (t: Transaction) => t.requests[0] ?? t.responses[0] ?? t.acks[0];
  const joinProcedure = (t: Transaction): void => {
    const row = firstRow(t);
    const call = callOf[row];
    const requestFacts = t.requests.length > 0 ? facts(t.requests[0]) : undefined;
    const setup = openSetup.get(call);
    // Before the INVITE's final response, PRACKs and UPDATEs belong to the set-up (RFC 3262, RFC 3311 §5.1).
    const setupInvite = setup !== undefined ? mainTransaction(procedures[setup], transactions) : undefined;
    const setupOpen = setupInvite !== undefined && t.method !== 'INVITE' && (setupInvite.final === undefined || time(row) < time(setupInvite.final));
    const grouped = groupOf(t, requestFacts, setupOpen);
    const group = grouped.group;
    let kind = grouped.kind;
    let procedure: number | undefined;
    if (setupOpen && group === 'call-setup') procedure = setup;
    const forwardKey = `${call}\u0000${t.method}\u0000${t.cseq}\u0000${index.textId(row, TextColumn.FromTag)}`;
    if (procedure === undefined && t.method !== 'ACK' && t.requests.length > 0) procedure = forwarded.get(forwardKey);
    if (procedure === undefined && t.method === 'NOTIFY') {
      // RFC 6665 §4.1.3, RFC 3515 §2.4.4: a NOTIFY reports on the subscription a SUBSCRIBE (or REFER) made.
      const event = requestFacts?.event;
      // The subscriber's From tag is the NOTIFY's To tag (the notifier sends within the subscription's dialog).
      const notifyToTag = index.textId(row, TextColumn.ToTag);
      const owner = [...calls[call].procedures].reverse().map((id) => procedures[id]).find((p) => {
        const first = transactions[p.transactions[0]];
        const subscriberTag = first.requests[0] !== undefined ? index.textId(first.requests[0], TextColumn.FromTag) : -1;
        if (notifyToTag !== 0 && subscriberTag !== notifyToTag) return false;
        return (first.method === 'SUBSCRIBE' && (event === undefined || p.kind === event)) || (first.method === 'REFER' && (event === undefined || event === 'refer'));
      });
      if (owner) procedure = owner.id;
    }
    // RFC 3261 §22.2: a request retried with credentials after a 401/407 continues the same attempt. The retry
    // answers the challenge's nonce; without nonces in the trace, a retry within a transaction timeout does.
    // Per sender (its address): a B2BUA relays the challenge to its other leg with the same nonce (§8.1.3.5),
    // and some UAs take a new From tag for each REGISTER.
    const challengeKey = `${call}\u0000${t.method}\u0000${index.textId(row, TextColumn.Src)}`;
    const challenged = pendingChallenge.get(challengeKey);
    if (procedure === undefined && challenged !== undefined && t.requests.length > 0) {
      const previous = challenged.transaction;
      const soon = time(row) - procedures[challenged.procedure].end <= TRANSACTION_TIMEOUT_SEC;
      let answers: boolean;
      if (previous.final === undefined) {
        // The challenge itself was not captured: the next request with credentials and the next CSeq, sent
        // at once, is still the retry (RFC 3261 §8.1.3.5).
        answers = soon && requestFacts?.authNonce !== undefined && t.cseq === previous.cseq + 1;
      } else {
        const challengeNonce = facts(previous.final)?.challengeNonce;
        answers = requestFacts?.authNonce !== undefined && challengeNonce !== undefined ? requestFacts.authNonce === challengeNonce : challengeNonce === undefined && soon;
      }
      if (answers) procedure = challenged.procedure;
    }
    if (t.requests.length > 0) pendingChallenge.delete(challengeKey);
    if (group === 'registration') {
      const expires = requestFacts?.contactExpires ?? requestFacts?.expires;
      const aor = index.strings.get(index.textId(row, TextColumn.ToUri));
      if (procedure === undefined) kind = expires === 0 ? 'de-registration' : registeredAors.has(aor) ? 're-registration' : 'initial';
      if (t.finalStatus !== undefined && t.finalStatus >= 200 && t.finalStatus < 300 && expires !== 0) registeredAors.add(aor);
    }
    if (group === 'session-modification' && kind === 're-invite' && requestFacts?.audioDirection === 'sendrecv') {
      // A re-INVITE back to sendrecv after a hold is the resume (RFC 3264 §8.4).
      const previous = calls[call].procedures.map((p) => procedures[p]).reverse().find((p) => p.group === 'session-modification' && (p.kind === 'hold' || p.kind === 'resume'));
      if (previous?.kind === 'hold') kind = 'resume';
    }
    if (procedure === undefined) {
      procedure = procedures.length;
      procedures.push({ id: procedure, group, kind, call, transactions: [], rows: [], outcome: 'incomplete', finalStatus: undefined, start: time(row), end: time(row) });
      calls[call].procedures.push(procedure);
      if (t.method === 'INVITE' && group === 'call-setup') openSetup.set(call, procedure);
    }
    if (t.method !== 'ACK' && t.requests.length > 0 && !forwarded.has(forwardKey)) forwarded.set(forwardKey, procedure);
    if ((t.finalStatus === 401 || t.finalStatus === 407 || t.finalStatus === undefined) && t.requests.length > 0) pendingChallenge.set(challengeKey, { procedure, transaction: t });
    const p = procedures[procedure];
    p.transactions.push(t.id);
    procedureOfTransaction[t.id] = procedure;
    for (const list of [t.requests, t.responses, t.acks]) for (const r of list) p.end = Math.max(p.end, time(r));
  };
  for (const t of transactions) {
    // A transaction weighs its rows, as calls and procedures below: a step is about as long whatever their sizes.
    if ((untilPause -= t.requests.length + t.responses.length + t.acks.length) <= 0) {
      untilPause = ROWS_PER_STEP;
      yield;
    }
    joinProcedure(t);
  }
  const procedureOf = new Int32Array(index.count).fill(-1);
  for (const row of order) {
    if (--untilPause <= 0) {
      untilPause = ROWS_PER_STEP;
      yield;
    }
    if (transactionOf[row] >= 0) procedureOf[row] = procedureOfTransaction[transactionOf[row]];
  }
  for (const p of procedures) {
    if (p.group !== 'call-cancellation') continue;
    const target = transactions[p.transactions[0]].cancels;
    if (target === undefined) continue;
    const invite = transactions[target];
    // The 487 that ends the cancelled INVITE, and its ACK, are the end of the cancellation.
    if (invite.final !== undefined && invite.finalStatus === 487) for (const r of [invite.final, ...invite.acks, ...invite.responses.filter((x) => index.statusOf(x) === 487)]) procedureOf[r] = p.id;
  }
  for (const row of order) {
    if (--untilPause <= 0) {
      untilPause = ROWS_PER_STEP;
      yield;
    }
    if (procedureOf[row] >= 0) procedures[procedureOf[row]].rows.push(row);
  }

  const ackedHops = ackedInvites(transactions);
  /**
   * The INVITE's 2xx was ACKed: on any hop of the (forwarded) INVITE, or, when no ACK was captured, the
   * caller's later request in the dialog (a BYE) shows it had the 2xx and so ACKed it (RFC 3261 §13.2.2.4)
   * by a path the capture did not see.
   */
  /** Transactions by Call-ID, made the first time `acked` needs them (a scan of all per INVITE was quadratic). */
  let transactionsByCallId: Map<string, Transaction[]> | undefined;
  const transactionsOfCallId = (callId: string): Transaction[] => {
    if (!transactionsByCallId) {
      transactionsByCallId = new Map();
      for (const t of transactions) {
        const list = transactionsByCallId.get(t.callId);
        if (list) list.push(t);
        else transactionsByCallId.set(t.callId, [t]);
      }
    }
    return transactionsByCallId.get(callId) ?? [];
  };
  const acked = (invite: Transaction) =>
    ackedOnAnyHop(invite, ackedHops) ||
    transactionsOfCallId(invite.callId).some((t) => t.inDialog && t.method !== 'ACK' && t.cseq > invite.cseq && t.requests[0] !== undefined && invite.requests[0] !== undefined && index.textId(t.requests[0], TextColumn.FromTag) === index.textId(invite.requests[0], TextColumn.FromTag));

  // Outcomes: decided by the main transaction (the caller's last INVITE of a set-up, the last REGISTER...).
  const decideOutcome = (p: Procedure): void => {
    const main = mainTransaction(p, transactions);
    p.finalStatus = main.finalStatus;
    if (main.finalStatus !== undefined) p.outcome = main.finalStatus < 300 ? 'success' : 'failure';
    else p.outcome = answeredWithoutSeen2xx(index, main) ? 'success' : traceEnd - p.start > TRANSACTION_TIMEOUT_SEC ? 'timeout' : 'incomplete';
    if (p.group === 'call-setup' && p.kind === undefined) {
      // Supplementary services seen in the set-up (TS 24.604 diversion: 181 or a 3xx; RFC 4579: a focus answers).
      if (main.responses.some((r) => index.statusOf(r) === 181) || (main.finalStatus !== undefined && main.finalStatus >= 300 && main.finalStatus < 400)) p.kind = 'diversion';
      else if (main.responses.some((r) => facts(r)?.isFocus) || (main.requests[0] !== undefined && facts(main.requests[0])?.isFocus)) p.kind = 'conference';
    }
    if (p.group === 'call-setup' && p.outcome === 'success' && main.final !== undefined && !acked(main)) {
      // A set-up ends with the ACK (RFC 3261 §13.2.2.4): a 2xx never ACKed is a failed set-up once the UAS has
      // given up (64·T1, §13.3.1.4), and unfinished before that.
      p.outcome = traceEnd - time(main.final) > TRANSACTION_TIMEOUT_SEC ? 'failure' : 'incomplete';
    }
    if (p.group === 'call-cancellation') {
      // RFC 3261 §9.2: the 200 to a CANCEL only says it arrived; the cancellation worked if the INVITE ended 487.
      const target = transactions[p.transactions[0]].cancels;
      const inviteStatus = target !== undefined ? transactions[target].finalStatus : undefined;
      if (p.outcome === 'success' && inviteStatus !== undefined && inviteStatus < 300) {
        p.outcome = 'failure';
        p.kind = 'too late';
      }
    }
  };
  for (const p of procedures) {
    if ((untilPause -= p.rows.length + 1) <= 0) {
      untilPause = ROWS_PER_STEP;
      yield;
    }
    decideOutcome(p);
  }

  // States and KPIs per call.
  const stateAndKpis = (c: Call): void => {
    const ps = c.procedures.map((id) => procedures[id]);
    const setupProcedure = ps.find((p) => p.group === 'call-setup' && p.transactions.some((id) => transactions[id].method === 'INVITE'));
    if (setupProcedure) {
      const invite = mainTransaction(setupProcedure, transactions);
      c.state = inviteState(index, invite, ps, transactions, ackedHops);
      // Timed from the first INVITE the caller sent (a challenge and its retry are one attempt to the user).
      const firstInvite = setupProcedure.transactions.map((id) => transactions[id]).find((t) => t.method === 'INVITE' && t.requests.length > 0);
      const inv = firstInvite?.requests[0];
      // The caller's own ACK (sent from where its INVITE came from), not a copy seen at another capture point.
      const callerAck = invite.acks.find((a) => inv !== undefined && index.textId(a, TextColumn.Src) === index.textId(inv, TextColumn.Src)) ?? invite.acks[0];
      if (inv !== undefined) {
        const ringing = invite.responses.find((r) => index.statusOf(r) === 180 || index.statusOf(r) === 183);
        if (ringing !== undefined) c.kpis.postDialDelayMs = ms(inv, ringing);
        if (invite.final !== undefined && (invite.finalStatus ?? 0) < 300) {
          c.kpis.answerTimeMs = ms(inv, invite.final);
          if (callerAck !== undefined) c.kpis.setupTimeMs = ms(inv, callerAck);
        } else if (answeredWithoutSeen2xx(index, invite) && callerAck !== undefined) c.kpis.setupTimeMs = ms(inv, callerAck);
      }
      const bye = ps.find((p) => p.group === 'call-release');
      if (bye && callerAck !== undefined) {
        const byeRow = transactions[bye.transactions[0]].requests[0];
        if (byeRow !== undefined) c.kpis.durationMs = ms(callerAck, byeRow);
      }
    } else {
      const registrations = ps.filter((p) => p.group === 'registration');
      const last = registrations[registrations.length - 1];
      if (last) {
        if (last.outcome === 'success') c.state = last.kind === 'de-registration' ? 'UNREGISTERED' : 'REGISTERED';
        else if (last.finalStatus === 401 || last.finalStatus === 407) c.state = 'AUTH CHALLENGED';
        else if (last.outcome === 'incomplete') c.state = 'INCOMPLETE';
        else c.state = 'FAILED';
      } else if (ps.some((p) => p.outcome === 'failure' || p.outcome === 'timeout')) c.state = 'FAILED';
      else if (ps.length > 0 && ps.every((p) => p.outcome === 'success')) c.state = 'COMPLETED';
      else c.state = 'INCOMPLETE';
    }
    const registration = ps.find((p) => p.group === 'registration' && p.outcome === 'success');
    if (registration) {
      const first = transactions[registration.transactions[0]].requests[0];
      const final = mainTransaction(registration, transactions).final;
      if (first !== undefined && final !== undefined) c.kpis.registrationTimeMs = ms(first, final);
    }
  };
  for (const c of calls) {
    if ((untilPause -= c.rows.length) <= 0) {
      untilPause = ROWS_PER_STEP;
      yield;
    }
    stateAndKpis(c);
  }

  // Sessions: calls sharing an ICID or a Session-ID are legs of one IMS session (TS 24.229 §4.5, RFC 7989).
  if (options.link !== false) {
    const parent = calls.map((c) => c.index);
    const root = (i: number): number => (parent[i] === i ? i : (parent[i] = root(parent[i])));
    const byValue = new Map<string, number>();
    const linkSessions = (c: Call): void => {
      const keysOf = options.sessionKeys ?? ((row: number): [string | undefined, string | undefined] => [facts(row)?.icid, facts(row)?.sessionId]);
      for (const row of c.rows) {
        const [icid, sessionId] = keysOf(row);
        // RFC 7989 §7: the null UUID means "not yet known", so it links nothing.
        for (const value of [icid && `icid:${icid}`, sessionId && sessionId !== '00000000000000000000000000000000' && `sid:${sessionId}`]) {
          if (!value) continue;
          const other = byValue.get(value);
          if (other === undefined) byValue.set(value, c.index);
          else {
            const [a, b] = [root(other), root(c.index)];
            if (a !== b) parent[Math.max(a, b)] = Math.min(a, b);
          }
        }
      }
    };
    for (const c of calls) {
      if ((untilPause -= c.rows.length) <= 0) {
        untilPause = ROWS_PER_STEP;
        yield;
      }
      linkSessions(c);
    }
    for (const c of calls) c.session = root(c.index);
  }

  const findings = yield* findExpertFindingsSteps(index, facts, transactions, calls, procedures, traceEnd, callOf, dialogOf, ackedHops);
  for (let i = 0; i < findings.length; i++) calls[findings[i].call]?.findings.push(i);
  const kpis = yield* traceKpisSteps(index, transactions, retransmission, calls, procedures, findings);
  return { transactions, dialogs, transactionOf, dialogOf, callOf, procedureOf, retransmission, calls, procedures, findings, kpis };
}

/**
 * The analysis of a trace whose calls were not analysed (the user stopped the analysis): its `rows` belong to
 * no transaction, dialog, call or procedure, so the calls list is empty and filters on call fields match nothing.
 */
export function unanalysedCalls(rows: number): CallAnalysis {
  const none = () => new Int32Array(rows).fill(-1);
  return {
    transactions: [],
    dialogs: [],
    transactionOf: none(),
    dialogOf: none(),
    callOf: none(),
    procedureOf: none(),
    retransmission: new Uint8Array(rows),
    calls: [],
    procedures: [],
    findings: [],
    kpis: {
      calls: 0,
      sessions: 0,
      callSetups: 0,
      answered: 0,
      answerSeizureRatio: undefined,
      networkEffectivenessRatio: undefined,
      registrations: 0,
      registrationSuccessRate: undefined,
      postDialDelayMs: undefined,
      answerTimeMs: undefined,
      setupTimeMs: undefined,
      durationMs: undefined,
      registrationTimeMs: undefined,
      responseCodes: {},
      procedures: {},
      findings: { error: 0, warning: 0, note: 0 },
    },
  };
}

/**
 * The transaction that decides a procedure: its last attempt (after a 401/407 retry), and of that attempt
 * the first hop seen (the caller's side when a proxy forwarded it).
 */
function mainTransaction(p: Procedure, transactions: Transaction[]): Transaction {
  const ts = p.transactions.map((id) => transactions[id]);
  const leading = p.group === 'call-setup' ? ts.filter((t) => t.method === 'INVITE') : ts.filter((t) => t.method === ts[0].method);
  if (leading.length === 0) return ts[0];
  const lastCseq = leading[leading.length - 1].cseq;
  return leading.find((t) => t.cseq === lastCseq) ?? leading[leading.length - 1];
}

/** The Wireshark/sngrep state of an INVITE call, from its set-up INVITE and what followed. */
/** Call-ID and CSeq of every INVITE whose 2xx was ACKed on some hop (the ACK to a 2xx is end to end, §13.2.2.4). */
function ackedInvites(transactions: Transaction[]): Set<string> {
  const acked = new Set<string>();
  for (const t of transactions) if (t.method === 'INVITE' && t.acks.length > 0) acked.add(`${t.callId}\u0000${t.cseq}`);
  return acked;
}

function ackedOnAnyHop(invite: Transaction, ackedHops: Set<string>): boolean {
  return invite.acks.length > 0 || ackedHops.has(`${invite.callId}\u0000${invite.cseq}`);
}

/**
 * The INVITE has no final response in the trace but an ACK with a branch of its own: an ACK to a 2xx
 * (RFC 3261 §13.2.2.4; the ACK to a failure reuses the INVITE's branch, §17.1.1.3), so it was answered and
 * the capture lost the 2xx.
 */
function answeredWithoutSeen2xx(index: MessageIndex, invite: Transaction): boolean {
  const request = invite.requests[0];
  return invite.method === 'INVITE' && invite.final === undefined && request !== undefined && invite.acks.some((a) => index.branchHashOf(a) !== index.branchHashOf(request));
}

function inviteState(index: MessageIndex, invite: Transaction, ps: Procedure[], transactions: Transaction[], ackedHops: Set<string>): CallState {
  const status = invite.finalStatus;
  // A BYE completes an answered call; after a failure final it releases nothing (the early dialog ended, §12.3).
  if (ps.some((p) => p.group === 'call-release') && (status === undefined || status < 300)) return 'COMPLETED';
  // As sngrep: IN CALL once the 2xx is ACKed (RFC 3261 §13.2.2.4), RINGING on a 180 (a 183 is progress, not ringing).
  if (status !== undefined && status < 300) return ackedOnAnyHop(invite, ackedHops) ? 'IN CALL' : 'CALL SETUP';
  if (status === 487 || ps.some((p) => p.group === 'call-cancellation' && transactions[p.transactions[0]].cancels === invite.id)) return 'CANCELLED';
  if (status === 486 || status === 600) return 'BUSY';
  if ((status !== undefined && status < 400) || (status === undefined && invite.responses.some((r) => index.statusOf(r) === 181))) return 'DIVERTED';
  if (status !== undefined) return 'REJECTED';
  if (invite.responses.some((r) => index.statusOf(r) === 180)) return 'RINGING';
  return 'CALL SETUP';
}

function* findExpertFindingsSteps(
  index: MessageIndex,
  facts: (row: number) => MessageFacts | undefined,
  transactions: Transaction[],
  calls: Call[],
  procedures: Procedure[],
  traceEnd: number,
  callOf: Int32Array,
  dialogOf: Int32Array,
  ackedHops: Set<string>,
): Generator<void, Finding[]> {
  let untilPause = ROWS_PER_STEP;
  const out: Finding[] = [];
  const time = (row: number) => index.tsSecOf(row) + index.tsNsecOf(row) / 1e9;
  const add = (severity: FindingSeverity, code: string, rows: number[], message: string) => out.push({ severity, code, message, call: callOf[rows[0]], rows });
  const label = (row: number) => `${index.statusOf(row)} ${index.strings.get(index.textId(row, TextColumn.MethodOrReason))}`.trim();
  /** Transactions a CANCEL cancels: looked up per 487 (a scan of every transaction per 487 was quadratic). */
  const cancelled = new Set<number>();
  for (const c of transactions) if (c.cancels !== undefined) cancelled.add(c.cancels);
  const transactionFindings = (t: Transaction): void => {
    const request = t.requests[0];
    if (t.final !== undefined && t.finalStatus !== undefined && t.finalStatus >= 300) {
      const status = t.finalStatus;
      const challenge = status === 401 || status === 407;
      const cancelledByCaller = status === 487 && cancelled.has(t.id);
      // 5xx: the network or a server failed; 4xx and 6xx: the request or the user was refused.
      const severity: FindingSeverity = challenge || cancelledByCaller || status < 400 ? 'note' : status < 600 && status >= 500 ? 'error' : 'warning';
      const why = challenge ? ` (authentication challenge, normally followed by the ${t.method} again with credentials; RFC 3261 §22.2${t.method === 'REGISTER' ? ', TS 33.203 §6.1' : ''})` : cancelledByCaller ? ' (the caller cancelled; RFC 3261 §9.2)' : '';
      add(severity, 'failure-final', [t.final, ...(request !== undefined ? [request] : [])], `${t.method} answered ${label(t.final)}${why}`);
    }
    if (t.retransmissions.length > 0) {
      // One or two: a late answer; three or more: a peer that does not answer, or a path that loses packets.
      add(t.retransmissions.length >= 3 ? 'warning' : 'note', 'retransmission', t.retransmissions, `${t.retransmissions.length} retransmission(s) in the ${t.method} transaction (RFC 3261 §17.1.1.2, §17.2.1): a lost or late message, or a slow peer`);
    }
    // An INVITE whose 2xx the capture lost but whose ACK to it is there did get its final response.
    if (request !== undefined && t.final === undefined && t.method !== 'ACK' && !answeredWithoutSeen2xx(index, t)) {
      const timer = t.method === 'INVITE' ? 'Timer B, RFC 3261 §17.1.1.2' : 'Timer F, RFC 3261 §17.1.2.2';
      const code = t.method === 'INVITE' ? 'invite-timeout' : 'transaction-timeout';
      const waited = traceEnd - time(request);
      if (waited > 32) add(t.method === 'INVITE' ? 'error' : 'warning', code, [request], `no final response to ${t.method} within 32 s (${timer})`);
      else if (t.method === 'INVITE') add('warning', code, [request], `no final response to INVITE before the trace ends ${waited.toFixed(3)} s later`);
    }
    // The ACK to a 2xx is end to end (RFC 3261 §13.2.2.4): seen on any hop of a forwarded INVITE, it counts.
    if (t.method === 'INVITE' && t.final !== undefined && (t.finalStatus ?? 0) < 300 && !ackedOnAnyHop(t, ackedHops)) {
      const waited = traceEnd - time(t.final);
      // The UAS sending its 2xx again is proof that no ACK reached it (RFC 3261 §13.3.1.4).
      const resent = t.retransmissions.some((r) => index.statusOf(r) === t.finalStatus);
      add(waited > 32 || resent ? 'error' : 'warning', 'missing-ack', [t.final], waited > 32 ? `no ACK for the ${label(t.final)} to INVITE (RFC 3261 §13.2.2.4; the UAS gives up after 64·T1, §13.3.1.4)` : `no ACK for the ${label(t.final)} to INVITE before the trace ends ${waited.toFixed(3)} s later`);
    }
    for (const r of t.responses) {
      const status = index.statusOf(r) ?? 0;
      // A dialog-creating 2xx without a To tag leaves the dialog unidentifiable (RFC 3261 §12.1.1).
      const createsDialog = t.method === 'INVITE' || t.method === 'SUBSCRIBE' || t.method === 'REFER';
      if (createsDialog && status >= 200 && status < 300 && index.textId(r, TextColumn.ToTag) === 0 && !index.hasError(r)) {
        add('error', 'no-to-tag', [r], `${label(r)} to ${t.method} has no To tag (RFC 3261 §8.2.6.2)`);
      }
    }
  };
  for (const t of transactions) {
    if (--untilPause <= 0) {
      untilPause = ROWS_PER_STEP;
      yield;
    }
    transactionFindings(t);
  }

  const callFindings = (c: Call): void => {
    const rows = c.rows;
    // Reliable provisional responses (RFC 3262 §3) must be acknowledged by a PRACK with the matching RAck.
    const pracks = rows.filter((r) => index.methodOf(r) === 'PRACK');
    const reliable = rows.filter((r) => {
      const s = index.statusOf(r) ?? 0;
      const f = facts(r);
      return s > 100 && s < 200 && f?.rseq !== undefined && f.require.includes('100rel');
    });
    const acknowledged = new Set<string>();
    for (const p of pracks) {
      const rack = facts(p)?.rack;
      if (!rack) continue;
      const match = reliable.find((r) => facts(r)?.rseq === rack.rseq && index.cseqOf(r) === rack.cseq);
      if (match === undefined) add('error', 'rack-mismatch', [p], `PRACK RAck ${rack.rseq} ${rack.cseq} ${rack.method} matches no reliable provisional response (RFC 3262 §7.2)`);
      else acknowledged.add(`${rack.rseq}:${rack.cseq}`);
    }
    const unacked = new Map<string, number[]>();
    for (const r of reliable) {
      const key = `${facts(r)?.rseq}:${index.cseqOf(r)}`;
      if (!acknowledged.has(key)) unacked.set(key, [...(unacked.get(key) ?? []), r]);
    }
    for (const rs of unacked.values()) add('error', 'missing-prack', rs, `reliable ${label(rs[0])} (Require: 100rel, RSeq ${facts(rs[0])?.rseq}) never acknowledged by a PRACK (RFC 3262 §3)`);

    // CSeq must grow for each new request a UA sends in a dialog (RFC 3261 §12.2.1.1).
    const lastCseq = new Map<string, { cseq: number; row: number }>();
    for (const r of rows) {
      const method = index.methodOf(r);
      if (method === undefined || method === 'ACK' || method === 'CANCEL' || index.textId(r, TextColumn.ToTag) === 0) continue;
      // Per dialog and per sender: each early dialog of a forked INVITE numbers its own requests.
      const sender = `${dialogOf[r]}:${index.textId(r, TextColumn.FromTag)}`;
      const cseq = index.cseqOf(r);
      const last = lastCseq.get(sender);
      if (last && cseq < last.cseq) add('warning', 'cseq-backwards', [last.row, r], `CSeq went from ${last.cseq} down to ${cseq} ${method} in the dialog (RFC 3261 §12.2.1.1)`);
      if (!last || cseq > last.cseq) lastCseq.set(sender, { cseq, row: r });
    }

    // Offer/answer (RFC 3264, RFC 3261 §13.2.1) on the initial INVITE.
    const setup = c.procedures.map((id) => procedures[id]).find((p) => p.group === 'call-setup');
    const invite = setup ? transactions[setup.transactions.find((id) => transactions[id].method === 'INVITE') ?? -1] : undefined;
    const inviteRow = invite?.requests[0];
    if (invite && inviteRow !== undefined && facts(inviteRow)?.sdp) {
      const answerRow = invite.responses.find((r) => facts(r)?.sdp);
      if (answerRow === undefined && invite.final !== undefined && (invite.finalStatus ?? 0) < 300) {
        add('warning', 'offer-without-answer', [inviteRow, invite.final], 'the INVITE carried an SDP offer but no provisional or 2xx response carried an answer (RFC 3261 §13.2.1)');
      } else if (answerRow !== undefined) {
        const ignore = new Set(['telephone-event', 'cn', 'red', 'rtx']);
        const offered = new Set((facts(inviteRow)?.codecs ?? []).map((x) => x.toLowerCase()).filter((x) => !ignore.has(x)));
        const answered = (facts(answerRow)?.codecs ?? []).map((x) => x.toLowerCase()).filter((x) => !ignore.has(x));
        if (offered.size > 0 && answered.length > 0 && !answered.some((x) => offered.has(x))) {
          add('error', 'no-common-codec', [inviteRow, answerRow], `no codec in common: offer ${[...offered].join(', ')}, answer ${answered.join(', ')} (RFC 3264 §6.1)`);
        }
      }
    }
  };
  for (const c of calls) {
    if ((untilPause -= c.rows.length) <= 0) {
      untilPause = ROWS_PER_STEP;
      yield;
    }
    callFindings(c);
  }

  // A binding that expires inside the trace with no refresh (RFC 3261 §10.2.4; UEs refresh at half the time, TS 24.229 §5.1.1.4).
  const registers = transactions.filter((t) => t.method === 'REGISTER' && t.requests.length > 0);
  /** The REGISTERs of each AoR (To URI), to look for a refresh among them only. */
  const registersByAor = new Map<number, Transaction[]>();
  for (const t of registers) {
    const aor = index.textId(t.requests[0], TextColumn.ToUri);
    const list = registersByAor.get(aor);
    if (list) list.push(t);
    else registersByAor.set(aor, [t]);
  }
  const registrationFindings = (t: Transaction): void => {
    if (t.final === undefined || (t.finalStatus ?? 0) >= 300) return;
    const f = facts(t.final);
    const requestFacts = facts(t.requests[0]);
    const expires = f?.contactExpires ?? f?.expires ?? requestFacts?.contactExpires ?? requestFacts?.expires;
    if (!expires) return;
    const expiry = time(t.final) + expires;
    if (expiry >= traceEnd) return;
    const aor = index.textId(t.requests[0], TextColumn.ToUri);
    const refreshed = (registersByAor.get(aor) ?? []).some((o) => o !== t && time(o.requests[0]) > time(t.final as number) && time(o.requests[0]) <= expiry);
    if (!refreshed) add('warning', 'registration-expired', [t.final], `the registration expired ${expires} s after this ${label(t.final)}, inside the trace, without a refresh (RFC 3261 §10.2.4)`);
  };
  for (const t of registers) {
    if (--untilPause <= 0) {
      untilPause = ROWS_PER_STEP;
      yield;
    }
    registrationFindings(t);
  }
  return out.sort((a, b) => index.frameOf(a.rows[0]) - index.frameOf(b.rows[0]));
}

function distribution(values: number[]): Distribution | undefined {
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  const median = sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
  const mean = values.reduce((s, v) => s + v, 0) / values.length;
  return { count: values.length, mean: Math.round(mean * 1000) / 1000, median: Math.round(median * 1000) / 1000, max: sorted[sorted.length - 1] };
}

/**
 * The trace KPIs of some calls only (`sipscope stats --filter`: the calls with a matching message): their
 * procedures, findings and responses.
 */
export function kpisOfCalls(index: MessageIndex, analysis: CallAnalysis, keep: ReadonlySet<number>): TraceKpis {
  const calls = analysis.calls.filter((c) => keep.has(c.index));
  const procedures = analysis.procedures.filter((p) => keep.has(p.call));
  const findings = analysis.findings.filter((f) => keep.has(f.call));
  return finish(traceKpisSteps(index, analysis.transactions, analysis.retransmission, calls, procedures, findings, calls.flatMap((c) => c.rows)));
}

function* traceKpisSteps(
  index: MessageIndex,
  transactions: Transaction[],
  retransmission: Uint8Array,
  calls: Call[],
  procedures: Procedure[],
  findings: Finding[],
  /** The rows whose responses are counted (all by default). */
  rows?: readonly number[],
): Generator<void, TraceKpis> {
  const setups = procedures.filter((p) => p.group === 'call-setup' && p.transactions.some((id) => transactions[id].method === 'INVITE'));
  const ended = setups.filter((p) => p.outcome !== 'incomplete');
  const answered = setups.filter((p) => p.outcome === 'success').length;
  const userEnded = ended.filter((p) => p.outcome === 'success' || (p.finalStatus !== undefined && USER_DETERMINED.has(p.finalStatus))).length;
  const registrations = procedures.filter((p) => p.group === 'registration');
  const regEnded = registrations.filter((p) => p.outcome !== 'incomplete');
  const responseCodes: Record<string, Record<string, number>> = {};
  const count = rows ? rows.length : index.count;
  const countResponse = (i: number): void => {
    const row = rows ? rows[i] : i;
    // Each response sent once: not its retransmissions, not a second capture of the same datagram.
    if (index.isRequest(row) || retransmission[row] || index.isDuplicate(row)) return;
    const method = index.strings.get(index.textId(row, TextColumn.CSeqMethod)) || '?';
    const codes = (responseCodes[method] ??= {});
    const code = String(index.statusOf(row));
    codes[code] = (codes[code] ?? 0) + 1;
  };
  for (let i = 0; i < count; i++) {
    if (i % ROWS_PER_STEP === ROWS_PER_STEP - 1) yield;
    countResponse(i);
  }
  const byGroup: Record<string, Record<ProcedureOutcome, number>> = {};
  for (const p of procedures) {
    const counts = (byGroup[p.group] ??= { success: 0, failure: 0, timeout: 0, incomplete: 0 });
    counts[p.outcome]++;
  }
  const pick = (key: keyof CallKpis) => calls.map((c) => c.kpis[key]).filter((v): v is number => v !== undefined);
  // Each distribution sorts a value per call (~20 ms for 25k calls): one step each.
  const distributions: Partial<Record<keyof CallKpis, Distribution>> = {};
  for (const key of ['postDialDelayMs', 'answerTimeMs', 'setupTimeMs', 'durationMs', 'registrationTimeMs'] as const) {
    yield;
    distributions[key] = distribution(pick(key));
  }
  return {
    calls: calls.length,
    sessions: new Set(calls.map((c) => c.session)).size,
    callSetups: setups.length,
    answered,
    answerSeizureRatio: ended.length > 0 ? answered / ended.length : undefined,
    networkEffectivenessRatio: ended.length > 0 ? userEnded / ended.length : undefined,
    registrations: registrations.length,
    registrationSuccessRate: regEnded.length > 0 ? regEnded.filter((p) => p.outcome === 'success').length / regEnded.length : undefined,
    postDialDelayMs: distributions.postDialDelayMs,
    answerTimeMs: distributions.answerTimeMs,
    setupTimeMs: distributions.setupTimeMs,
    durationMs: distributions.durationMs,
    registrationTimeMs: distributions.registrationTimeMs,
    responseCodes,
    procedures: byGroup,
    findings: {
      error: findings.filter((f) => f.severity === 'error').length,
      warning: findings.filter((f) => f.severity === 'warning').length,
      note: findings.filter((f) => f.severity === 'note').length,
    },
  };
}
