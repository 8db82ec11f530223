import { describe, expect, it } from 'vitest';
import { formatDateTime, formatRowTime, formatSeconds, formatTimeOfDay } from '../../../src/renderer/src/lib/time-format.js';

// 2024-03-01T13:04:05.123456Z
const T = Date.UTC(2024, 2, 1, 13, 4, 5) / 1000 + 0.123456;

describe('time formats of the Time column', () => {
  it('absolute: UTC time of day with microseconds', () => {
    expect(formatTimeOfDay(T)).toBe('13:04:05.123456');
    expect(formatRowTime(T, 0.5, 'absolute', null)).toBe('13:04:05.123456');
    expect(formatTimeOfDay(Date.UTC(2024, 0, 1) / 1000)).toBe('00:00:00.000000');
    expect(formatDateTime(T)).toBe('2024-03-01 13:04:05.123456 UTC');
  });
  it('a carry from rounding the microseconds reaches the seconds', () => {
    expect(formatTimeOfDay(Date.UTC(2024, 0, 1, 10, 0, 59) / 1000 + 0.9999996)).toBe('10:01:00.000000');
  });
  it('relative: seconds since the first message, empty until that is known', () => {
    expect(formatRowTime(T + 12.5, 0, 'relative', T)).toBe('12.500000');
    expect(formatRowTime(T, 0, 'relative', T)).toBe('0.000000');
    expect(formatRowTime(T, 0, 'relative', null)).toBe('');
    // a sorted view can show a message before the first one
    expect(formatRowTime(T - 0.25, 0, 'relative', T)).toBe('-0.250000');
  });
  it('delta: the row’s own delta from the back end', () => {
    expect(formatRowTime(T, 0.000123, 'delta', T)).toBe('0.000123');
    expect(formatRowTime(T, 0, 'delta', null)).toBe('0.000000');
    expect(formatSeconds(61.5)).toBe('61.500000');
    expect(formatSeconds(Number.NaN)).toBe('');
  });
});
