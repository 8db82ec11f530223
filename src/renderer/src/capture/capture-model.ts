// What the Capture dialog and the live-capture bar show, as pure functions (tested without a page).
import type { CaptureSettings, CaptureStatus } from '../../../shared/api.js';

/** The dialog's fields, as the user typed them. */
export interface CaptureForm {
  source: 'interfaces' | 'hep';
  interfaces: string[];
  filter: string;
  hepTransport: 'udp' | 'tcp';
  hepHost: string;
  hepPort: string;
  /** '' for the default folder. */
  folder: string;
  ring: boolean;
  ringFiles: string;
  ringMegabytes: string;
  ringSeconds: string;
}

export function initialCaptureForm(defaultFilter: string): CaptureForm {
  return {
    source: 'interfaces',
    interfaces: [],
    filter: defaultFilter,
    hepTransport: 'udp',
    hepHost: '0.0.0.0',
    hepPort: '9060',
    folder: '',
    ring: false,
    ringFiles: '10',
    ringMegabytes: '100',
    ringSeconds: '',
  };
}

/** Which field a problem is about, so the dialog shows it there. */
export type CaptureField = 'interfaces' | 'filter' | 'hep' | 'folder' | 'ring';

export type FormResult = { settings: CaptureSettings } | { field: CaptureField; message: string };

function number(text: string): number | null {
  const trimmed = text.trim();
  if (trimmed === '') return null;
  return /^\d+(\.\d+)?$/.test(trimmed) ? Number(trimmed) : NaN;
}

/** The settings to start with, or the first problem in the form (checked again, fully, by the back end). */
export function settingsFromForm(form: CaptureForm): FormResult {
  const folder = form.folder.trim() === '' ? null : form.folder.trim();
  if (folder !== null && !/^(\/|[A-Za-z]:[\\/]|\\\\)/.test(folder)) return { field: 'folder', message: 'The folder must be an absolute path.' };
  if (form.source === 'hep') {
    const port = number(form.hepPort);
    if (port === null || !Number.isInteger(port) || port < 1 || port > 65535) return { field: 'hep', message: 'The HEP port must be a number from 1 to 65535.' };
    if (form.hepHost.trim() === '') return { field: 'hep', message: 'Give the address to listen on (0.0.0.0 for every IPv4 address, :: for IPv6 too).' };
    return { settings: { source: { kind: 'hep', transport: form.hepTransport, host: form.hepHost.trim(), port }, folder, ring: null } };
  }
  if (form.interfaces.length === 0) return { field: 'interfaces', message: 'Choose at least one interface.' };
  let ring: CaptureSettings['ring'] = null;
  if (form.ring) {
    const files = number(form.ringFiles);
    const megabytes = number(form.ringMegabytes);
    const seconds = number(form.ringSeconds);
    if (files === null || !Number.isInteger(files) || files < 2) return { field: 'ring', message: 'A ring buffer keeps at least 2 files.' };
    if (Number.isNaN(megabytes) || (megabytes !== null && megabytes <= 0)) return { field: 'ring', message: 'The file size must be a number of megabytes above 0.' };
    if (Number.isNaN(seconds) || (seconds !== null && seconds <= 0)) return { field: 'ring', message: 'The file duration must be a number of seconds above 0.' };
    if (megabytes === null && seconds === null) return { field: 'ring', message: 'Give a file size (MB) or a file duration (seconds): the ring moves to the next file when it is reached.' };
    ring = { files, megabytes, seconds };
  }
  return { settings: { source: { kind: 'interfaces', interfaces: [...form.interfaces], filter: form.filter.trim() }, folder, ring } };
}

/** Where a start failure belongs: a refused capture filter under the filter, a port in use under HEP... */
export function failureField(message: string): CaptureField | null {
  if (/capture filter/i.test(message)) return 'filter';
  if (/HEP|address already in use|EADDRINUSE|EACCES.*listen|listen/i.test(message)) return 'hep';
  if (/ring buffer/i.test(message)) return 'ring';
  if (/folder|capture file/i.test(message)) return 'folder';
  if (/interface/i.test(message)) return 'interfaces';
  return null;
}

/** Packets per second of each interface between two readings of the counters (absent: no earlier reading). */
export function interfaceRates(previous: Record<string, number> | null, next: Record<string, number>, elapsedMs: number): Record<string, number> {
  const rates: Record<string, number> = {};
  if (!previous || elapsedMs <= 0) return rates;
  for (const [name, count] of Object.entries(next)) {
    const before = previous[name];
    // A counter that went backwards (interface re-created) gives no rate rather than a negative one.
    if (before !== undefined && count >= before) rates[name] = ((count - before) * 1000) / elapsedMs;
  }
  return rates;
}

/** 1536 → "1.5 KB" (SI: a capture's size compares with the MB of the ring buffer setting). */
export function formatBytes(bytes: number): string {
  if (bytes < 1000) return `${bytes} B`;
  const units = ['KB', 'MB', 'GB', 'TB'];
  let value = bytes;
  let unit = -1;
  // Compared after rounding to what is shown, so 999,999 bytes read "1.0 MB", not "1000 KB".
  const shown = (v: number) => Number(v >= 100 ? v.toFixed(0) : v.toFixed(1));
  while (unit < 0 || (shown(value) >= 1000 && unit < units.length - 1)) {
    value /= 1000;
    unit++;
  }
  return `${value >= 100 ? value.toFixed(0) : value.toFixed(1)} ${units[unit]}`;
}

/** 75_000 → "1:15"; 3_725_000 → "1:02:05". */
export function formatElapsed(ms: number): string {
  const total = Math.floor(ms / 1000);
  const hours = Math.floor(total / 3600);
  const minutes = Math.floor((total % 3600) / 60);
  const seconds = total % 60;
  const two = (n: number) => String(n).padStart(2, '0');
  return hours > 0 ? `${hours}:${two(minutes)}:${two(seconds)}` : `${minutes}:${two(seconds)}`;
}

/** The live bar's counters, as label/value pairs; drops are flagged so the bar can colour them. */
export function captureStatusItems(status: CaptureStatus): { label: string; value: string; alarm?: boolean }[] {
  const items: { label: string; value: string; alarm?: boolean }[] = [
    { label: 'Time', value: formatElapsed(status.elapsedMs) },
    { label: 'Packets', value: status.packets.toLocaleString('en-US') },
    { label: 'Bytes', value: formatBytes(status.bytes) },
    { label: 'SIP messages', value: status.messages.toLocaleString('en-US') },
    { label: 'Calls', value: status.calls.toLocaleString('en-US') },
    {
      label: 'Kernel drops',
      value: status.kernelDropped === null ? 'n/a' : status.kernelDropped.toLocaleString('en-US'),
      alarm: (status.kernelDropped ?? 0) > 0,
    },
    { label: 'Queue', value: status.queueDepth.toLocaleString('en-US') },
    { label: 'Queue drops', value: status.queueDropped.toLocaleString('en-US'), alarm: status.queueDropped > 0 },
  ];
  return items;
}

/** "Capturing", "Stopped", "Failed" with the messages not shown while the display is paused. */
export function captureStateText(status: CaptureStatus, paused: boolean, shownMessages: number): string {
  if (status.state === 'failed') return 'Capture failed';
  if (status.state === 'stopped') return 'Capture stopped';
  if (paused) {
    const hidden = Math.max(0, status.messages - shownMessages);
    return `Capturing — display paused${hidden > 0 ? ` (${hidden.toLocaleString('en-US')} new messages not shown)` : ''}`;
  }
  return 'Capturing';
}
