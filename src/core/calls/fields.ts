import type { FieldDeclaration, FieldReader, FieldValue, FilterContext } from '../filter/field.js';
import { derivedKeyReader, NO_VALUES } from '../filter/readers.js';
import type { CallAnalysis, CallState, FindingSeverity } from './analysis.js';
import type { FactsTable } from './facts-table.js';
import type { ProcedureGroup, ProcedureOutcome } from './procedures.js';

/**
 * Display-filter fields of the call analysis (sipscope's own: Wireshark has no notion of IMS procedures):
 * calls, dialogs, transactions, procedures, findings, and the IMS identifiers read from the message facts.
 * Numbers (call, transaction, procedure) are the ones `sipscope calls` and `analyze --format ndjson` show (from 1).
 */

const CALL_STATES: readonly CallState[] = [
  'CALL SETUP',
  'RINGING',
  'IN CALL',
  'CANCELLED',
  'REJECTED',
  'BUSY',
  'DIVERTED',
  'COMPLETED',
  'REGISTERED',
  'AUTH CHALLENGED',
  'UNREGISTERED',
  'FAILED',
  'INCOMPLETE',
];

export const PROCEDURE_GROUPS: readonly ProcedureGroup[] = [
  'registration',
  'call-setup',
  'session-modification',
  'call-release',
  'call-cancellation',
  'messaging',
  'supplementary-services',
  'subscription-notification',
  'capability-query',
  'other',
];

const OUTCOMES: readonly ProcedureOutcome[] = ['success', 'failure', 'timeout', 'incomplete'];
const SEVERITIES: readonly FindingSeverity[] = ['error', 'warning', 'note'];

/** Thrown by `bind` only if the host failed to provide what the field's `source` says it needs (a host bug). */
function needCalls(context: FilterContext): CallAnalysis {
  if (!context.calls) throw new Error('display filter: call fields need the call analysis');
  return context.calls;
}

function needFacts(context: FilterContext): FactsTable {
  if (!context.facts) throw new Error('display filter: IMS identifier fields need the message facts');
  return context.facts;
}

function callField(name: string, type: FieldDeclaration['type'], description: string, bind: (calls: CallAnalysis, context: FilterContext) => FieldReader, values?: readonly string[]): FieldDeclaration {
  return { name, type, description, source: 'calls', values, bind: (context) => bind(needCalls(context), context) };
}

/** A number per row read from an Int32Array of indices (-1: none), shown from 1. */
function indexNumber(of: Int32Array): FieldReader {
  return { kind: 'number', number: (row) => (row < of.length && of[row] >= 0 ? of[row] + 1 : NaN) };
}

/**
 * A value of the call, procedure or dialog each row belongs to (`of`: the analysis's row → index table, -1 for
 * none), keyed by that index so that each call or procedure is tested once.
 */
function perIndex(of: Int32Array, value: (index: number) => FieldValue | undefined): FieldReader {
  return derivedKeyReader(
    (row) => (row < of.length ? of[row] : -1),
    (index) => {
      const v = value(index);
      return v === undefined ? NO_VALUES : [v];
    },
  );
}

const perCall = (calls: CallAnalysis, value: (call: number) => FieldValue | undefined): FieldReader => perIndex(calls.callOf, value);
const perProcedure = (calls: CallAnalysis, value: (procedure: number) => FieldValue | undefined): FieldReader => perIndex(calls.procedureOf, value);

const seconds = (ms: number | undefined): number | undefined => (ms === undefined ? undefined : ms / 1000);

/** Findings by row (a finding names the messages it is about). */
function findingsByRow(calls: CallAnalysis, context: FilterContext): Map<number, number[]> {
  const key = 'calls:findings-by-row';
  let byRow = context.cache.get(key) as Map<number, number[]> | undefined;
  if (!byRow) {
    byRow = new Map();
    calls.findings.forEach((finding, i) => {
      for (const row of finding.rows) {
        const list = byRow?.get(row);
        if (list) list.push(i);
        else byRow?.set(row, [i]);
      }
    });
    context.cache.set(key, byRow);
  }
  return byRow;
}

/**
 * Expert information of a message: the decoders' diagnostics (malformed, truncated...) and the findings of
 * the call analysis that name it (failure final, retransmission, missing ACK...), as Wireshark's expert
 * info gathers both. One key per message that has any, so the values are per row.
 */
function expertReader(calls: CallAnalysis, context: FilterContext, part: 'severity' | 'message' | 'code'): FieldReader {
  const byRow = findingsByRow(calls, context);
  const index = context.index;
  return {
    kind: 'keyed',
    key: (row) => (byRow.has(row) || index.diagnosticsOf(row).length > 0 ? row : -1),
    values(row) {
      if (row < 0) return NO_VALUES;
      const values: FieldValue[] = [];
      for (const d of index.diagnosticsOf(row)) values.push(part === 'severity' ? d.severity : part === 'message' ? d.message : d.kind);
      for (const f of byRow.get(row) ?? []) {
        const finding = calls.findings[f];
        values.push(part === 'severity' ? finding.severity : part === 'message' ? finding.message : finding.code);
      }
      return values;
    },
  };
}

function factText(name: string, description: string, fact: 'icid' | 'sessionId' | 'event' | 'contentType'): FieldDeclaration {
  return {
    name,
    type: 'string',
    description,
    source: 'facts',
    bind(context) {
      const facts = needFacts(context);
      return derivedKeyReader(
        (row) => facts.textIdOf(row, fact),
        (id) => [facts.textOf(id)],
      );
    },
  };
}

/** Fields of the call analysis and of the message facts. */
export const callFields: FieldDeclaration[] = [
  callField('call.id', 'number', 'Call number (a Call-ID group), as `sipscope calls` shows it', (calls) => indexNumber(calls.callOf)),
  callField('call.call_id', 'string', 'The call\'s Call-ID', (calls) => perCall(calls, (c) => calls.calls[c].callId)),
  callField('call.state', 'string', 'State of the call the message belongs to (as sngrep and Wireshark name them)', (calls) => perCall(calls, (c) => calls.calls[c].state), CALL_STATES),
  callField('call.from', 'string', 'From URI of the call\'s first request', (calls) => perCall(calls, (c) => calls.calls[c].from)),
  callField('call.to', 'string', 'To URI of the call\'s first request', (calls) => perCall(calls, (c) => calls.calls[c].to)),
  callField('call.session', 'number', 'IMS session number: calls linked by ICID or Session-ID share it', (calls) => perCall(calls, (c) => calls.calls[c].session + 1)),
  callField('call.duration', 'duration', 'Call duration in seconds (answer to release)', (calls) => perCall(calls, (c) => seconds(calls.calls[c].kpis.durationMs))),
  callField('call.pdd', 'duration', 'Post-dial delay in seconds (INVITE to first 18x)', (calls) => perCall(calls, (c) => seconds(calls.calls[c].kpis.postDialDelayMs))),
  callField('call.answer_time', 'duration', 'Answer time in seconds (INVITE to 2xx)', (calls) => perCall(calls, (c) => seconds(calls.calls[c].kpis.answerTimeMs))),
  callField('call.setup_time', 'duration', 'Set-up time in seconds (INVITE to ACK of the 2xx)', (calls) => perCall(calls, (c) => seconds(calls.calls[c].kpis.setupTimeMs))),
  callField('call.findings', 'number', 'Number of findings on the call', (calls) => perCall(calls, (c) => calls.calls[c].findings.length)),
  callField('dialog.id', 'number', 'Dialog number', (calls) => indexNumber(calls.dialogOf)),
  callField('dialog.state', 'string', 'Final state of the message\'s dialog', (calls) => perIndex(calls.dialogOf, (d) => calls.dialogs[d].state), ['early', 'confirmed', 'terminated']),
  callField('transaction.id', 'number', 'Transaction number', (calls) => indexNumber(calls.transactionOf)),
  callField('transaction.retransmission', 'boolean', 'The message retransmits an earlier one of its transaction (RFC 3261 §17)', (calls) => ({
    kind: 'keyed',
    key: (row) => (row < calls.retransmission.length ? calls.retransmission[row] : -1),
    values: (k) => [k === 1],
  })),
  callField('ims.procedure', 'string', 'IMS procedure group of the message', (calls) => perProcedure(calls, (p) => calls.procedures[p].group), PROCEDURE_GROUPS),
  callField('ims.procedure.kind', 'string', 'Finer procedure kind: initial, re-registration, de-registration, hold, sms, transfer...', (calls) => perProcedure(calls, (p) => calls.procedures[p].kind)),
  callField('ims.procedure.outcome', 'string', 'Outcome of the message\'s procedure', (calls) => perProcedure(calls, (p) => calls.procedures[p].outcome), OUTCOMES),
  callField('ims.procedure.id', 'number', 'Procedure instance number', (calls) => indexNumber(calls.procedureOf)),
  callField('expert.severity', 'string', 'Severity of a decoder diagnostic or analysis finding on the message', (calls, context) => expertReader(calls, context, 'severity'), SEVERITIES),
  callField('expert.message', 'string', 'Text of a decoder diagnostic or analysis finding on the message', (calls, context) => expertReader(calls, context, 'message')),
  callField('expert.code', 'string', 'Kind of diagnostic (malformed, truncated...) or finding code (missing-ack, failure-final...)', (calls, context) => expertReader(calls, context, 'code')),
  factText('ims.icid', 'IMS Charging Identity: icid-value of P-Charging-Vector (RFC 7315 §4.6)', 'icid'),
  factText('ims.session_id', 'Session-ID (RFC 7989)', 'sessionId'),
];
