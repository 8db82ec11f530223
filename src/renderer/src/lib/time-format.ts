/**
 * How the table's Time column shows a message's capture time. Wireshark's View › Time Display Format offers
 * the same three: the time of day, seconds since the first message, and seconds since the previous row.
 */
export type TimeMode = 'absolute' | 'relative' | 'delta';

export const TIME_MODES: readonly { mode: TimeMode; label: string }[] = [
  { mode: 'absolute', label: 'Time of day (UTC)' },
  { mode: 'relative', label: 'Seconds since first message' },
  { mode: 'delta', label: 'Seconds since previous row' },
];

/** Whole microseconds of an epoch-seconds float (capture formats carry µs or ns; ns is cut to µs for display). */
function micros(seconds: number): number {
  return Math.round(seconds * 1e6);
}

function pad(n: number, width: number): string {
  return String(n).padStart(width, '0');
}

/** `-0.000123`, `12.345678`: a signed duration with microsecond digits. */
export function formatSeconds(seconds: number): string {
  if (!Number.isFinite(seconds)) return '';
  const us = micros(seconds);
  const sign = us < 0 ? '-' : '';
  const abs = Math.abs(us);
  return `${sign}${Math.floor(abs / 1e6)}.${pad(abs % 1e6, 6)}`;
}

/**
 * `13:04:05.123456`: time of day in UTC. UTC rather than local time because traces are compared with logs
 * of network elements that log in UTC, and so the same trace reads the same on every machine.
 */
export function formatTimeOfDay(epochSeconds: number): string {
  if (!Number.isFinite(epochSeconds)) return '';
  const us = micros(epochSeconds);
  const dayUs = ((us % 86_400e6) + 86_400e6) % 86_400e6;
  const h = Math.floor(dayUs / 3_600e6);
  const m = Math.floor((dayUs % 3_600e6) / 60e6);
  const s = Math.floor((dayUs % 60e6) / 1e6);
  return `${pad(h, 2)}:${pad(m, 2)}:${pad(s, 2)}.${pad(dayUs % 1e6, 6)}`;
}

/** `2024-03-01 13:04:05.123456 UTC`, for the cell's tooltip. */
export function formatDateTime(epochSeconds: number): string {
  if (!Number.isFinite(epochSeconds)) return '';
  const day = new Date(Math.floor(micros(epochSeconds) / 86_400e6) * 86_400_000).toISOString().slice(0, 10);
  return `${day} ${formatTimeOfDay(epochSeconds)} UTC`;
}

/**
 * The Time cell's text. `reference` is the time of the trace's first message (null until it is known, when
 * relative times cannot be shown yet); `delta` comes with the row (the back end computes it in the view's order).
 */
export function formatRowTime(time: number, delta: number, mode: TimeMode, reference: number | null): string {
  switch (mode) {
    case 'absolute':
      return formatTimeOfDay(time);
    case 'relative':
      return reference === null ? '' : formatSeconds(time - reference);
    case 'delta':
      return formatSeconds(delta);
  }
}
