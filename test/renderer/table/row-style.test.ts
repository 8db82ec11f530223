import { describe, expect, it } from 'vitest';
import type { MessageRow } from '../../../src/shared/api.js';
import { methodStatusText, rowClassName, statusClass } from '../../../src/renderer/src/lib/row-style.js';
import { nextPosition } from '../../../src/renderer/src/lib/table-keys.js';

describe('statusClass', () => {
  it('colours requests and each response class; 5xx and 6xx share one', () => {
    expect(statusClass('INVITE', null)).toBe('request');
    expect(statusClass(null, 100)).toBe('1xx');
    expect(statusClass(null, 183)).toBe('1xx');
    expect(statusClass(null, 200)).toBe('2xx');
    expect(statusClass(null, 302)).toBe('3xx');
    expect(statusClass(null, 486)).toBe('4xx');
    expect(statusClass(null, 503)).toBe('5xx');
    expect(statusClass(null, 603)).toBe('5xx');
    expect(statusClass(null, 99)).toBe('unknown');
    expect(statusClass(null, 700)).toBe('unknown');
    expect(statusClass(null, null)).toBe('unknown');
  });
  it('method/status text', () => {
    expect(methodStatusText({ method: 'BYE', status: null, reason: null })).toBe('BYE');
    expect(methodStatusText({ method: null, status: 183, reason: 'Session Progress' })).toBe('183 Session Progress');
    expect(methodStatusText({ method: null, status: 200, reason: '' })).toBe('200');
  });
});

describe('rowClassName: colour rules', () => {
  const base = { severity: null, retransmission: false, duplicate: false, status: null } as unknown as MessageRow;
  it('tints errors, warnings, retransmissions, copies and failures unless switched off', () => {
    expect(rowClassName(base, [], false)).toBe('message-row');
    expect(rowClassName({ ...base, severity: 'error', status: 500 }, [], true)).toBe('message-row row-error row-failure selected');
    expect(rowClassName({ ...base, severity: 'warning', retransmission: true }, [], false)).toBe('message-row row-warning row-retransmission');
    expect(rowClassName({ ...base, duplicate: true, severity: 'error' }, ['error'], false)).toBe('message-row row-duplicate');
  });
});

describe('nextPosition: keyboard navigation', () => {
  it('moves by one, by a screen, to the ends, clamped', () => {
    expect(nextPosition('ArrowDown', null, 100, 20)).toBe(0);
    expect(nextPosition('ArrowDown', 5, 100, 20)).toBe(6);
    expect(nextPosition('ArrowDown', 99, 100, 20)).toBe(99);
    expect(nextPosition('ArrowUp', 0, 100, 20)).toBe(0);
    expect(nextPosition('ArrowUp', null, 100, 20)).toBe(0);
    expect(nextPosition('PageDown', 10, 100, 20)).toBe(29);
    expect(nextPosition('PageDown', 90, 100, 20)).toBe(99);
    expect(nextPosition('PageUp', 10, 100, 20)).toBe(0);
    expect(nextPosition('Home', 50, 100, 20)).toBe(0);
    expect(nextPosition('End', 50, 100, 20)).toBe(99);
    expect(nextPosition('End', 150, 100, 20)).toBe(99);
    expect(nextPosition('x', 5, 100, 20)).toBeNull();
    expect(nextPosition('ArrowDown', null, 0, 20)).toBeNull();
  });
});
