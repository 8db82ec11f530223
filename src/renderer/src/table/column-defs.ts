import type { MessageColumn } from '../../../shared/api.js';
import { headerOfColumn } from '../lib/column-settings.js';

/** Header labels, default widths (px) and what each built-in column shows. */
export const BUILTIN_COLUMN_INFO: Record<MessageColumn, { label: string; size: number; title: string }> = {
  frame: { label: 'No.', size: 72, title: 'Frame number of the message (its first frame when it spans several)' },
  time: { label: 'Time', size: 124, title: 'Capture time (the format is chosen in Columns › Time)' },
  source: { label: 'Source', size: 205, title: 'Source address and port' },
  destination: { label: 'Destination', size: 205, title: 'Destination address and port' },
  transport: { label: 'Transport', size: 72, title: 'Transport the SIP message was carried on' },
  method: { label: 'Method/Status', size: 160, title: 'Request method or response status' },
  callId: { label: 'Call-ID', size: 180, title: 'Call-ID header' },
  cseq: { label: 'CSeq', size: 110, title: 'CSeq header' },
  procedure: { label: 'Procedure', size: 140, title: 'IMS procedure the message belongs to' },
  info: { label: 'Info', size: 420, title: 'Request-URI or reason phrase, and marks ((SDP), [retransmission]...)' },
  size: { label: 'Size', size: 64, title: 'Bytes of the SIP message' },
};

export const CUSTOM_COLUMN_SIZE = 180;

export function columnLabel(id: string): string {
  const header = headerOfColumn(id);
  if (header !== null) return header;
  return BUILTIN_COLUMN_INFO[id as MessageColumn]?.label ?? id;
}

export function defaultColumnSize(id: string): number {
  return headerOfColumn(id) !== null ? CUSTOM_COLUMN_SIZE : (BUILTIN_COLUMN_INFO[id as MessageColumn]?.size ?? 120);
}
