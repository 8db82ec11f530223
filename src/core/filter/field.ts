import type { CallAnalysis } from '../calls/analysis.js';
import type { FactsTable } from '../calls/facts-table.js';
import type { MessageIndex } from '../index/message-index.js';
import type { HeaderLines } from '../sip/fields.js';

/**
 * What a display-filter field is. Fields are declared once, beside the code that produces their values
 * (the index, the SIP and SDP readers, the call analysis), with their type and description; the registry
 * collects them for the checker, `sipscope fields` and the app's autocomplete.
 */

/**
 * Field types, as Wireshark's (FT_STRING, FT_UINT32, FT_BOOLEAN, FT_IPv4, FT_IPv6, FT_ABSOLUTE_TIME,
 * FT_RELATIVE_TIME, FT_PROTOCOL/FT_NONE). `address` holds IPv4 or IPv6 addresses (ours: `ip.addr`-like
 * fields over both families).
 */
export type FieldType = 'string' | 'number' | 'boolean' | 'ipv4' | 'ipv6' | 'address' | 'time' | 'duration' | 'none';

/** A value of a field: text for strings and addresses, a number for numbers, times (epoch seconds) and durations (seconds). */
export type FieldValue = string | number | boolean;

/**
 * Where a field's values come from, i.e. what the host must have kept for the filter to be evaluated:
 * - `index`: the message index alone (always there);
 * - `message`: the message bytes (the engine's `keepMessageBytes`);
 * - `facts`: the message facts (`messageFacts`);
 * - `calls`: the call analysis (transactions, dialogs, calls, procedures, findings).
 */
export type FieldSource = 'index' | 'message' | 'facts' | 'calls';

/**
 * How the compiled filter reads a field, row by row (a row is a message of the index).
 * - `number`: one number per row, NaN when absent (frame.number, frame.time, sip.CSeq.seq...).
 * - `keyed`: a small integer key per row, and the values of each key (an empty list when absent). Rows
 *   sharing a key share their values, so the filter tests each distinct key once: interned text columns
 *   (method, Call-ID, addresses, procedure...) make most filters a table lookup per row.
 */
export type FieldReader =
  | { kind: 'number'; number(row: number): number }
  | { kind: 'keyed'; key(row: number): number; values(key: number): readonly FieldValue[] };

/** One field, as declared beside the code that produces it. */
export interface FieldDeclaration {
  /** Wireshark's name where Wireshark has the field (`sip.Method`, `ip.addr`), ours otherwise (`ims.procedure`). */
  name: string;
  type: FieldType;
  /** One line for `sipscope fields` and the autocomplete. */
  description: string;
  source: FieldSource;
  /** The values it takes, when they are a closed set (`ims.procedure`, `call.state`, `expert.severity`). */
  values?: readonly string[];
  /** Binds the field to a trace. */
  bind(context: FilterContext): FieldReader;
}

/** What a field is bound to: the trace's index and, when kept, the rest. */
export interface FilterContext {
  index: MessageIndex;
  /** The bytes of each message (present when the engine kept them: `keepMessageBytes`). */
  messages?: { bytesOf(row: number): Uint8Array | undefined };
  /** The message facts (present with `messageFacts`). */
  facts?: FactsTable;
  /** The call analysis (transactions, dialogs, calls, procedures, findings). */
  calls?: CallAnalysis;
  /** Per-trace cache of columns built on first use (a header read from every message, say), reused by later filters. */
  cache: Map<string, unknown>;
}

/**
 * A field read from the message bytes (any SIP header, the request line, the body, SDP), declared by the
 * SIP and SDP readers. `extract` gets one message's bytes and returns its values in message order (one per
 * occurrence; empty when absent). It never throws and reads only within `[start, end)`.
 */
export interface MessageFieldDeclaration {
  name: string;
  type: FieldType;
  description: string;
  values?: readonly string[];
  extract(bytes: Uint8Array, start: number, end: number): FieldValue[];
  /**
   * The same values read through the trace's header-line index (a plain header's lines, found without
   * walking the message again); undefined when this message must be walked (`extract`).
   */
  fromHeaderLines?(lines: HeaderLines, row: number, bytes: Uint8Array): FieldValue[] | undefined;
  /**
   * The values of rows 0..rows-1 at once, in one pass over the index's lines: `visit` gets each value with its
   * row (a row's values together, in message order). False, having visited nothing, when the index does not
   * cover those rows yet.
   */
  scanHeaderLines?(
    lines: HeaderLines,
    rows: number,
    bytesOf: (row: number) => Uint8Array | undefined,
    visit: (row: number, value: FieldValue) => void,
    /** When given, text values come here as bytes (so that equal values are decoded once). */
    visitText?: (row: number, bytes: Uint8Array, start: number, end: number) => void,
  ): boolean;
}
