import type { MessageRow } from '../../../shared/api.js';

/**
 * Colour class of a Method/Status cell. RFC 3261 §21 groups responses by their first digit; 5xx and 6xx
 * share a colour (server failure and global failure are both "the call failed, not the client's fault").
 */
export type StatusClass = 'request' | '1xx' | '2xx' | '3xx' | '4xx' | '5xx' | 'unknown';

export function statusClass(method: string | null, status: number | null): StatusClass {
  if (method !== null) return 'request';
  if (status === null || !Number.isInteger(status)) return 'unknown';
  if (status >= 100 && status < 200) return '1xx';
  if (status >= 200 && status < 300) return '2xx';
  if (status >= 300 && status < 400) return '3xx';
  if (status >= 400 && status < 500) return '4xx';
  if (status >= 500 && status < 700) return '5xx';
  return 'unknown';
}

/** The Method/Status cell's text: `INVITE`, `183 Session Progress`. */
export function methodStatusText(row: Pick<MessageRow, 'method' | 'status' | 'reason'>): string {
  if (row.method !== null) return row.method;
  if (row.status === null) return '';
  return row.reason ? `${row.status} ${row.reason}` : String(row.status);
}

/** Row colour rules the user can switch off (Wireshark's View › Coloring Rules, reduced to what a SIP trace needs). */
export const COLOUR_RULES: readonly { id: string; label: string; className: string; matches(row: MessageRow): boolean }[] = [
  { id: 'error', label: 'Errors', className: 'row-error', matches: (r) => r.severity === 'error' },
  { id: 'warning', label: 'Warnings', className: 'row-warning', matches: (r) => r.severity === 'warning' },
  { id: 'retransmission', label: 'Retransmissions', className: 'row-retransmission', matches: (r) => r.retransmission },
  { id: 'duplicate', label: 'Copies (other capture point)', className: 'row-duplicate', matches: (r) => r.duplicate },
  { id: 'failure', label: 'Failure responses (4xx–6xx)', className: 'row-failure', matches: (r) => r.status !== null && r.status >= 400 },
];

/** The class names of a row: `message-row` plus those of the rules that match and are on. */
export function rowClassName(row: MessageRow, rulesOff: readonly string[], selected: boolean): string {
  let name = 'message-row';
  for (const rule of COLOUR_RULES) if (!rulesOff.includes(rule.id) && rule.matches(row)) name += ` ${rule.className}`;
  if (selected) name += ' selected';
  return name;
}
